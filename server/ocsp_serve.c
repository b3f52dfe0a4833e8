/*
 * ocsp-serve: answer OCSP requests from pre-signed responses in LMDB
 * files, over HTTP (libevent).  Holds no key; signs nothing.  See
 * ocsp-serve(8).
 *
 * This file is the daemon's frame: options, binding, privileges, signals
 * and the threads.  Requests are srv_conn's, answers srv_answer's.
 */
#include "op_err.h"
#include "op_log.h"
#include "op_time.h"
#include "op_version.h"
#include "srv_db.h"
#include "srv_metrics.h"
#include "srv_sandbox.h"
#include "srv_worker.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <getopt.h>
#include <grp.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The command line. */
struct opts {
	const char *dbs[SRV_MAX_DB];
	int ndb;
	const char *listen[SRV_MAX_LISTEN];
	int nlisten;
	const char *metrics_listen;
	const char *user;
	const char *prefix;
	const char *access_log;
	enum srv_alog_ip access_log_ip;
	int64_t max_age;
	int nthreads;
	int max_conns;
	int check_only;
	int no_sandbox;
};

/* The running daemon: main's, passed to the main loop's callbacks. */
struct server {
	struct srv_cfg cfg;
	struct srv_worker *workers;
	int nworkers;			/* initialised (to destroy) */
	int nrunning;			/* threads started (to join) */
	struct srv_counters *stats[256];	/* &workers[i].stats, for /metrics */
	struct srv_metrics_src msrc;
	struct evhttp *metrics;
	struct event_base *base;
	struct event *check_ev, *sigs[4];
};

/* Bind ADDR:PORT ("127.0.0.1:8080", "[::1]:8080", ":8080"). */
static int bind_addr(const char *spec, int *fd)
{
	char host[256], *port;
	struct addrinfo hints = { 0 }, *ai;
	int one = 1, rc;

	if (snprintf(host, sizeof(host), "%s", spec) >= (int)sizeof(host) ||
	    !(port = strrchr(host, ':')))
		return op_err_set(OP_E_CONFIG, "listen address '%s': expected "
				  "ADDR:PORT", spec);
	*port++ = '\0';
	if (host[0] == '[' && port[-2] == ']') {
		port[-2] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai)) != 0)
		return op_err_set(OP_E_CONFIG, "listen address '%s': %s", spec,
				  gai_strerror(rc));
	*fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0 ||
	    setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(*fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(*fd, 1024) != 0) {
		rc = op_err_set(OP_E_SYS, "listen on %s: %s", spec, strerror(errno));
		if (*fd >= 0)
			close(*fd);
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	return 0;
}

/* --user UID:GID (or UID) needs no user database: a static binary reads
 * /etc/passwd only (no NSS modules), and a FROM scratch image has none. */
static int numeric_ids(const char *user, uid_t *uid, gid_t *gid)
{
	unsigned long u, g;
	char *end;

	if (*user < '0' || *user > '9')
		return 0;
	u = strtoul(user, &end, 10);
	g = *end == ':' && end[1] >= '0' && end[1] <= '9' ?
		strtoul(end + 1, &end, 10) : u;
	if (*end || u > 0x7fffffff || g > 0x7fffffff)
		return 0;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 1;
}

static int drop_privileges(const char *user)
{
	struct passwd *pw = NULL;
	uid_t uid;
	gid_t gid;

	if (!numeric_ids(user, &uid, &gid)) {
		if (!(pw = getpwnam(user)))
			return op_err_set(OP_E_CONFIG, "--user %s: no such user%s",
					  user, op_version_static() ? " in /etc/passwd "
					  "(static build: give UID:GID)" : "");
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
		return op_err_set(OP_E_SYS, "--user %s: %s", user, strerror(errno));
	if (setuid(0) == 0)
		return op_err_set(OP_E_SYS, "--user %s: could regain root", user);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: ocsp-serve --db FILE [--db FILE ...] --listen ADDR:PORT\n"
	      "                  [--listen ...] [--threads N] [--metrics-listen ADDR:PORT]\n"
	      "                  [--user NAME|UID:GID] [--max-age SECONDS] [--path-prefix /ocsp]\n"
	      "                  [--access-log FILE|stderr]\n"
	      "                  [--access-log-ip full|truncate|none] [--no-sandbox] [-n]\n"
	      "\n"
	      "Answer OCSP requests (POST, GET, HEAD) from pre-signed responses made\n"
	      "by ocsp-gen.  Files replaced by rename are picked up within a second.\n"
	      "\n"
	      "  --db FILE             responses file (repeatable)\n"
	      "  --listen ADDR:PORT    HTTP listener (repeatable)\n"
	      "  --threads N           worker threads (default: number of CPUs)\n"
	      "  --metrics-listen A:P  /metrics and /healthz listener\n"
	      "  --user NAME|UID[:GID] drop to this user after binding\n"
	      "  --max-age SECONDS     cap for Cache-Control max-age (default 86400)\n"
	      "  --path-prefix PATH    URL prefix of GET requests (default none)\n"
	      "  --max-connections N   open client connections at most (default 10000)\n"
	      "  --access-log FILE     one line per request; \"stderr\" for the journal;\n"
	      "                        SIGUSR1 reopens FILE (logrotate)\n"
	      "  --access-log-ip MODE  client address in the log: full (default),\n"
	      "                        truncate (/24 IPv4, /48 IPv6) or none\n"
	      "  --no-sandbox          do not enter the seccomp/Landlock sandbox\n"
	      "                        (diagnosis only)\n"
	      "  -n                    check arguments and files, then exit\n"
	      "  -h, --help            this text\n"
	      "      --version         print the version and exit\n", f);
}

static void on_check(evutil_socket_t fd, short ev, void *arg)
{
	struct server *s = arg;

	(void)fd;
	(void)ev;
	for (int i = 0; i < s->cfg.nslots; i++)
		srv_db_slot_check(&s->cfg.slots[i]);
}

static void on_reopen(evutil_socket_t sig, short ev, void *arg)
{
	struct server *s = arg;

	(void)sig;
	(void)ev;
	if (srv_alog_reopen(&s->cfg.alog) != 0)
		op_log_err("%s", op_err_detail());
}

static void on_stop(evutil_socket_t sig, short ev, void *arg)
{
	struct server *s = arg;

	(void)ev;
	op_info("signal %d: shutting down", (int)sig);
	/* Workers' bases are lock-free; they notice on their next tick. */
	atomic_store(&s->cfg.stopping, 1);
	event_base_loopexit(s->base, NULL);
}

/* 0 when o is complete, 1 for --help, 2 for a usage error, 3 for
 * --version. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "metrics-listen", required_argument, NULL, 'm' },
		{ "user", required_argument, NULL, 'u' },
		{ "max-age", required_argument, NULL, 'a' },
		{ "path-prefix", required_argument, NULL, 'p' },
		{ "max-connections", required_argument, NULL, 'M' },
		{ "access-log", required_argument, NULL, 'L' },
		{ "access-log-ip", required_argument, NULL, 'I' },
		{ "no-sandbox", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t n;
	char *end;
	int c;

	o->prefix = "";
	o->max_age = 86400;
	o->nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	o->max_conns = 10000;
	while ((c = getopt_long(argc, argv, "nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (o->ndb == SRV_MAX_DB)
				return 2;
			o->dbs[o->ndb++] = optarg;
			break;
		case 'l':
			if (o->nlisten == SRV_MAX_LISTEN)
				return 2;
			o->listen[o->nlisten++] = optarg;
			break;
		case 't':
			o->nthreads = (int)strtol(optarg, &end, 10);
			if (*end || o->nthreads < 1 || o->nthreads > 256)
				return 2;
			break;
		case 'm': o->metrics_listen = optarg; break;
		case 'u': o->user = optarg; break;
		case 'a':
			o->max_age = strtoll(optarg, &end, 10);
			if (*end || o->max_age < 0)
				return 2;
			break;
		case 'p':
			/* "/ocsp/" and "/ocsp" mean the same. */
			if ((n = strlen(optarg)) && optarg[n - 1] == '/')
				optarg[n - 1] = '\0';
			o->prefix = optarg;
			break;
		case 'M':
			o->max_conns = (int)strtol(optarg, &end, 10);
			if (*end || o->max_conns < 1)
				return 2;
			break;
		case 'L': o->access_log = optarg; break;
		case 'I':
			if (srv_alog_ip_parse(optarg, &o->access_log_ip) != 0)
				return 2;
			break;
		case 'S': o->no_sandbox = 1; break;
		case 'n': o->check_only = 1; break;
		case 'h': return 1;
		case 'V': return 3;
		default: return 2;
		}
	}
	return o->ndb == 0 || o->nlisten == 0 || optind != argc ? 2 : 0;
}

/* Bind, set up every worker and the metrics listener; then drop root. */
static int start(struct server *s, const struct opts *o, const char **act)
{
	int lfds[SRV_MAX_LISTEN], nbound = 0, fd, rc = 0;

	for (; nbound < o->nlisten; nbound++)
		if ((rc = bind_addr(o->listen[nbound], &lfds[nbound])) != 0)
			goto close_fds;
	for (; s->nworkers < o->nthreads; s->nworkers++) {
		s->stats[s->nworkers] = &s->workers[s->nworkers].stats;
		rc = srv_worker_init(&s->workers[s->nworkers], &s->cfg, lfds,
				     o->nlisten, (o->max_conns + o->nthreads - 1) /
				     o->nthreads);
		if (rc != 0) {
			s->nworkers++;	/* partly set up: destroy it too */
			goto close_fds;
		}
	}
	if (o->metrics_listen) {
		s->msrc = (struct srv_metrics_src){ s->stats, o->nthreads,
						    s->cfg.slots, s->cfg.nslots };
		if ((rc = bind_addr(o->metrics_listen, &fd)) != 0 ||
		    (rc = srv_metrics_listen(s->base, fd, &s->msrc, &s->metrics)) != 0)
			goto close_fds;
	}
	if (o->user) {
		*act = "dropping privileges";
		rc = drop_privileges(o->user);
	}
close_fds:
	while (nbound > 0)
		close(lfds[--nbound]);
	return rc;
}

/* Checks of the files (timer and SIGHUP), the stop signals, and SIGUSR1
 * to reopen the access log. */
static int add_events(struct server *s)
{
	static const int signo[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	static void (*const cb[])(evutil_socket_t, short, void *) = {
		on_check, on_stop, on_stop, on_reopen
	};
	struct timeval half = { 0, 500000 };

	if (!(s->check_ev = event_new(s->base, -1, EV_PERSIST, on_check, s)) ||
	    event_add(s->check_ev, &half) != 0)
		return OP_E_NOMEM;
	for (int i = 0; i < 4; i++) {
		s->sigs[i] = evsignal_new(s->base, signo[i], cb[i], s);
		if (!s->sigs[i] || event_add(s->sigs[i], NULL) != 0)
			return OP_E_NOMEM;
	}
	return 0;
}

/* Confine the process before any request is read (srv_sandbox.h), and
 * check from inside that it holds. */
static int sandbox(const struct opts *o)
{
	struct srv_sandbox_paths p = { .append_file = NULL };
	struct srv_sandbox_state st;
	int rc;

	if (o->no_sandbox) {
		op_warn("--no-sandbox: not confined");
		return 0;
	}
	for (int i = 0; i < o->ndb; i++)
		p.read_files[p.nread++] = o->dbs[i];
	if (o->access_log && strcmp(o->access_log, "stderr") != 0)
		p.append_file = o->access_log;
	/* The time zone is read now, not from a file refused later. */
	tzset();
	if ((rc = srv_sandbox_enter(&p, &st)) != 0 ||
	    (rc = srv_sandbox_probe(&st)) != 0)
		return rc;
	if (st.landlock_abi)
		op_info("sandbox: seccomp filter (%d system calls allowed), Landlock "
			"ABI %d (files: read beside the --db files%s only)",
			st.nallowed, st.landlock_abi, p.append_file ?
			", append beside the access log" : "");
	else
		op_warn("sandbox: seccomp filter (%d system calls allowed); no "
			"Landlock in this kernel, so opening files is not confined "
			"to the --db directories", st.nallowed);
	return 0;
}

/* Start the threads, run the main loop until a stop signal, join. */
static int run(struct server *s, const struct opts *o)
{
	int rc = 0, err;

	for (; s->nrunning < s->nworkers; s->nrunning++) {
		err = pthread_create(&s->workers[s->nrunning].thread, NULL,
				     srv_worker_main, &s->workers[s->nrunning]);
		if (err != 0) {
			rc = op_err_set(OP_E_SYS, "thread: %s", strerror(err));
			break;
		}
	}
	if (rc == 0) {
		op_info("serving %d file(s) on %d address(es) with %d thread(s)%s%s",
			s->cfg.nslots, o->nlisten, s->nrunning, o->user ? " as " : "",
			o->user ? o->user : "");
		event_base_dispatch(s->base);
	}
	atomic_store(&s->cfg.stopping, 1);
	while (s->nrunning > 0)
		pthread_join(s->workers[--s->nrunning].thread, NULL);
	return rc;
}

int main(int argc, char **argv)
{
	static struct server s;
	struct opts o = { 0 };
	const char *act = "arguments";
	int rc = 0;

	op_log_init("ocsp-serve", OP_LOG_INFO);
	switch (parse_args(argc, argv, &o)) {
	case 0: break;
	case 1: usage(stdout); return 0;
	case 3: return op_version_print(stdout, "ocsp-serve") ? 1 : 0;
	default: usage(stderr); return 2;
	}
	/* Before any thread: the clock is read here once (op_time.h). */
	if ((rc = op_time_init()) != 0) {
		op_log_err("%s", op_err_detail());
		return 1;
	}
	s.cfg.prefix = o.prefix;
	s.cfg.max_age = o.max_age;
	s.cfg.alog.fd = -1;
	s.cfg.alog_ip = o.access_log_ip;

	act = "opening files";
	for (; s.cfg.nslots < o.ndb; s.cfg.nslots++)
		if ((rc = srv_db_slot_init(&s.cfg.slots[s.cfg.nslots],
					    o.dbs[s.cfg.nslots])) != 0)
			goto close_slots;
	if (o.check_only) {
		for (int i = 0; i < s.cfg.nslots; i++)
			printf("%s: ok, %llu responses\n", o.dbs[i],
			       (unsigned long long)s.cfg.slots[i].cur->responses);
		goto close_slots;
	}

	act = "starting";
	/* Opened before dropping privileges, as a daemon's logs are. */
	if (o.access_log && (rc = srv_alog_open(&s.cfg.alog, o.access_log)) != 0)
		goto close_slots;
	signal(SIGPIPE, SIG_IGN);
	s.base = event_base_new();
	s.workers = calloc((size_t)o.nthreads, sizeof(*s.workers));
	if (!s.base || !s.workers) {
		rc = OP_E_NOMEM;
		goto free_server;
	}
	if ((rc = start(&s, &o, &act)) != 0 || (rc = add_events(&s)) != 0)
		goto free_server;
	act = "entering the sandbox";
	if ((rc = sandbox(&o)) != 0)
		goto free_server;
	act = "serving";
	rc = run(&s, &o);

free_server:
	for (int i = 0; i < 4; i++)
		if (s.sigs[i])
			event_free(s.sigs[i]);
	if (s.check_ev)
		event_free(s.check_ev);
	if (s.metrics)
		evhttp_free(s.metrics);
	for (int t = 0; t < s.nworkers; t++)
		srv_worker_destroy(&s.workers[t]);
	free(s.workers);
	if (s.base)
		event_base_free(s.base);
	srv_alog_close(&s.cfg.alog);
close_slots:
	/* The slot being opened when that failed cleaned up after itself. */
	for (int i = 0; i < s.cfg.nslots; i++)
		srv_db_slot_destroy(&s.cfg.slots[i]);
	if (rc != 0) {
		op_log_err("%s: %s%s%s", act, op_err_str(rc),
			   *op_err_detail() ? ": " : "", op_err_detail());
		return 1;
	}
	return 0;
}
