/*
 * ocsp-serve: answer OCSP requests from pre-signed responses in LMDB
 * files, over HTTP (libevent).  Holds no key; signs nothing.  See
 * ocsp-serve(8).
 */
#include "op_err.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"
#include "srv_cache.h"
#include "srv_db.h"
#include "srv_req.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
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

#define MAX_DB 16
#define MAX_LISTEN 8
#define MAX_BODY 10240
#define TIMEOUT_SECS 10

enum method { M_GET, M_POST, M_HEAD, M_COUNT };
enum result { R_GOOD, R_REVOKED, R_UNAUTHORIZED, R_MALFORMED, R_TRYLATER,
	      R_NOT_MODIFIED, R_NOT_FOUND, R_COUNT };
static const char *const method_name[] = { "GET", "POST", "HEAD" };
static const char *const result_name[] = { "good", "revoked", "unauthorized",
	"malformed", "tryLater", "not_modified", "not_found" };
/* Latency buckets, microseconds; the last is +Inf. */
static const long bucket_us[] = { 50, 100, 250, 500, 1000, 2500, 10000, 100000 };
#define NBUCKET (sizeof(bucket_us) / sizeof(bucket_us[0]) + 1)

/* Unsigned OCSPResponses: SEQUENCE { ENUMERATED status } */
static const uint8_t resp_malformed[] = { 0x30, 0x03, 0x0a, 0x01, 0x01 };
static const uint8_t resp_trylater[] = { 0x30, 0x03, 0x0a, 0x01, 0x03 };
static const uint8_t resp_unauthorized[] = { 0x30, 0x03, 0x0a, 0x01, 0x06 };

typedef _Atomic uint64_t counter;
/* One writer per counter (its worker): a relaxed load+store, no lock. */
#define BUMP(c, n) atomic_store_explicit(&(c), \
	atomic_load_explicit(&(c), memory_order_relaxed) + (n), memory_order_relaxed)
#define READ(c) atomic_load_explicit(&(c), memory_order_relaxed)

struct worker {
	pthread_t thread;
	struct event_base *base;
	struct evhttp *http;
	struct srv_view views[MAX_DB];
	counter requests[M_COUNT][R_COUNT];
	counter hist[NBUCKET];
	counter lat_sum_us;
	struct event *tick;
};

struct server {
	struct srv_slot slots[MAX_DB];
	int nslots;
	const char *listen[MAX_LISTEN];
	int nlisten;
	const char *metrics_listen;
	const char *user;
	const char *prefix;
	int64_t max_age;
	int nthreads;
	struct worker *workers;
	struct event_base *main_base;
	int64_t started;
};

static struct server srv;

/* ---------------- answering ---------------- */

static void reply_status(struct evhttp_request *req, const uint8_t *der,
			 size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	evhttp_add_header(h, "Content-Type", "application/ocsp-response");
	evhttp_add_header(h, "Cache-Control", "no-cache");
	evbuffer_add(out, der, len);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

static int lookup(struct worker *w, const uint8_t *key, size_t keylen,
		  struct op_rec *rec)
{
	MDB_val k = { keylen, (void *)key }, v;

	for (int i = 0; i < srv.nslots; i++) {
		if (srv_view_sync(&w->views[i], &srv.slots[i]) != 0)
			continue;
		if (mdb_get(w->views[i].txn, w->views[i].f->db.dbi, &k, &v) == 0)
			return op_rec_decode(v.mv_data, v.mv_size, rec) == 0 ? 0 : -1;
	}
	return -1;
}

static enum result answer(struct worker *w, struct evhttp_request *req,
			  const uint8_t *der, size_t len)
{
	uint8_t key[OP_KEY_MAX];
	size_t keylen;
	struct op_rec rec;
	struct srv_cache_hdrs ch;
	struct evkeyvalq *h;
	const char *inm;
	int64_t now;

	switch (srv_req_parse(der, len, key, &keylen)) {
	case SRV_REQ_OK:
		break;
	case SRV_REQ_UNKNOWN_HASH:
		reply_status(req, resp_unauthorized, sizeof(resp_unauthorized));
		return R_UNAUTHORIZED;
	default:
		reply_status(req, resp_malformed, sizeof(resp_malformed));
		return R_MALFORMED;
	}
	if (lookup(w, key, keylen, &rec) != 0) {
		reply_status(req, resp_unauthorized, sizeof(resp_unauthorized));
		return R_UNAUTHORIZED;
	}
	now = op_time_now();
	/* A stale answer is worse than none. */
	if (rec.next_update <= now) {
		reply_status(req, resp_trylater, sizeof(resp_trylater));
		return R_TRYLATER;
	}
	srv_cache_headers(&rec, now, srv.max_age, &ch);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Cache-Control", ch.cache_control);
	evhttp_add_header(h, "Last-Modified", ch.last_modified);
	evhttp_add_header(h, "Expires", ch.expires);
	evhttp_add_header(h, "ETag", ch.etag);
	inm = evhttp_find_header(evhttp_request_get_input_headers(req),
				 "If-None-Match");
	if (inm && srv_etag_match(inm, ch.etag)) {
		evhttp_send_reply(req, HTTP_NOTMODIFIED, "Not Modified", NULL);
		return R_NOT_MODIFIED;
	}
	evhttp_add_header(h, "Content-Type", "application/ocsp-response");
	/* Copied, not referenced: the map may be swapped out while a slow
	 * client still has the answer queued. */
	evbuffer_add(evhttp_request_get_output_buffer(req), rec.der, rec.der_len);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
	return rec.status == OP_STATUS_REVOKED ? R_REVOKED : R_GOOD;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct worker *w = arg;
	struct timespec t0, t1;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	enum method m = cmd == EVHTTP_REQ_POST ? M_POST :
			cmd == EVHTTP_REQ_HEAD ? M_HEAD : M_GET;
	uint8_t buf[MAX_BODY];
	const uint8_t *der;
	size_t len;
	enum result r;
	long us;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (m == M_POST) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);

		len = evbuffer_get_length(in);
		der = evbuffer_pullup(in, -1);
		if (!der)
			der = buf, len = 0;
		r = answer(w, req, der, len);
	} else {
		const char *uri = evhttp_request_get_uri(req);
		int rc = srv_get_decode(uri, strlen(uri), srv.prefix, buf,
					sizeof(buf), &len);

		if (rc == -1) {
			evhttp_send_error(req, HTTP_NOTFOUND, NULL);
			r = R_NOT_FOUND;
		} else if (rc != 0) {
			reply_status(req, resp_malformed, sizeof(resp_malformed));
			r = R_MALFORMED;
		} else {
			r = answer(w, req, buf, len);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
	BUMP(w->requests[m][r], 1);
	BUMP(w->lat_sum_us, (uint64_t)us);
	for (size_t b = 0; b < NBUCKET; b++)
		if (b == NBUCKET - 1 || us <= bucket_us[b]) {
			BUMP(w->hist[b], 1);
			break;
		}
}

/* Idle workers also let go of swapped-out maps, once a second. */
static void on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)ev;
	for (int i = 0; i < srv.nslots; i++)
		srv_view_sync(&w->views[i], &srv.slots[i]);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	for (int i = 0; i < srv.nslots; i++)
		srv_view_release(&w->views[i]);
	return NULL;
}

/* ---------------- metrics ---------------- */

static void on_metrics(struct evhttp_request *req, void *arg)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	const char *uri = evhttp_request_get_uri(req);
	int64_t now = op_time_now();

	(void)arg;
	if (strcmp(uri, "/healthz") == 0) {
		int ok = 1;

		for (int i = 0; i < srv.nslots; i++) {
			struct srv_slot *s = &srv.slots[i];

			pthread_mutex_lock(&s->mu);
			if (s->cur->nearest_next <= now) {
				ok = 0;
				evbuffer_add_printf(out, "stale: %s has responses "
						    "past nextUpdate\n", s->path);
			}
			if (atomic_load(&s->missing))
				evbuffer_add_printf(out, "warning: %s was deleted; "
						    "serving the mapped copy\n",
						    s->path);
			pthread_mutex_unlock(&s->mu);
		}
		evbuffer_add_printf(out, ok ? "ok\n" : "unhealthy\n");
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Content-Type", "text/plain");
		evhttp_send_reply(req, ok ? HTTP_OK : 503, ok ? "OK" : "Unhealthy", NULL);
		return;
	}
	if (strcmp(uri, "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	evbuffer_add_printf(out, "# HELP ocsp_serve_requests_total OCSP requests "
			    "by method and result.\n"
			    "# TYPE ocsp_serve_requests_total counter\n");
	for (int m = 0; m < M_COUNT; m++)
		for (int r = 0; r < R_COUNT; r++) {
			uint64_t n = 0;

			for (int t = 0; t < srv.nthreads; t++)
				n += READ(srv.workers[t].requests[m][r]);
			evbuffer_add_printf(out, "ocsp_serve_requests_total{method=\"%s\","
					    "result=\"%s\"} %llu\n", method_name[m],
					    result_name[r], (unsigned long long)n);
		}
	evbuffer_add_printf(out, "# HELP ocsp_serve_request_duration_seconds Time "
			    "to answer a request in the server.\n"
			    "# TYPE ocsp_serve_request_duration_seconds histogram\n");
	{
		uint64_t cum = 0, sum = 0;

		for (size_t b = 0; b < NBUCKET; b++) {
			for (int t = 0; t < srv.nthreads; t++)
				cum += READ(srv.workers[t].hist[b]);
			if (b < NBUCKET - 1)
				evbuffer_add_printf(out, "ocsp_serve_request_duration_"
						    "seconds_bucket{le=\"%g\"} %llu\n",
						    bucket_us[b] / 1e6,
						    (unsigned long long)cum);
			else
				evbuffer_add_printf(out, "ocsp_serve_request_duration_"
						    "seconds_bucket{le=\"+Inf\"} %llu\n",
						    (unsigned long long)cum);
		}
		for (int t = 0; t < srv.nthreads; t++)
			sum += READ(srv.workers[t].lat_sum_us);
		evbuffer_add_printf(out, "ocsp_serve_request_duration_seconds_sum %g\n"
				    "ocsp_serve_request_duration_seconds_count %llu\n",
				    sum / 1e6, (unsigned long long)cum);
	}
	evbuffer_add_printf(out, "# TYPE ocsp_serve_db_responses gauge\n"
			    "# TYPE ocsp_serve_db_generated_timestamp_seconds gauge\n"
			    "# TYPE ocsp_serve_db_oldest_this_update_timestamp_seconds gauge\n"
			    "# TYPE ocsp_serve_db_nearest_next_update_timestamp_seconds gauge\n"
			    "# TYPE ocsp_serve_db_swaps_total counter\n"
			    "# TYPE ocsp_serve_db_swaps_refused_total counter\n"
			    "# TYPE ocsp_serve_db_missing gauge\n");
	for (int i = 0; i < srv.nslots; i++) {
		struct srv_slot *s = &srv.slots[i];

		pthread_mutex_lock(&s->mu);
		evbuffer_add_printf(out,
			"ocsp_serve_db_responses{db=\"%s\"} %llu\n"
			"ocsp_serve_db_generated_timestamp_seconds{db=\"%s\"} %lld\n"
			"ocsp_serve_db_oldest_this_update_timestamp_seconds{db=\"%s\"} %lld\n"
			"ocsp_serve_db_nearest_next_update_timestamp_seconds{db=\"%s\"} %lld\n"
			"ocsp_serve_db_swaps_total{db=\"%s\"} %lu\n"
			"ocsp_serve_db_swaps_refused_total{db=\"%s\"} %lu\n"
			"ocsp_serve_db_missing{db=\"%s\"} %d\n",
			s->path, (unsigned long long)s->cur->responses,
			s->path, (long long)s->cur->db.generated,
			s->path, (long long)(s->cur->responses ? s->cur->oldest_this : 0),
			s->path, (long long)(s->cur->responses ? s->cur->nearest_next : 0),
			s->path, atomic_load(&s->swaps), s->path,
			atomic_load(&s->refused), s->path, atomic_load(&s->missing));
		pthread_mutex_unlock(&s->mu);
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4");
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

/* ---------------- setup ---------------- */

/* Bind ADDR:PORT ("127.0.0.1:8080", "[::1]:8080", ":8080"). */
static int bind_addr(const char *spec, int reuseport, evutil_socket_t *fd)
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
	    (reuseport && setsockopt(*fd, SOL_SOCKET, SO_REUSEPORT, &one,
				     sizeof(one)) != 0) ||
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

static struct evhttp *new_http(struct event_base *base)
{
	struct evhttp *h = evhttp_new(base);

	if (!h)
		return NULL;
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
				   EVHTTP_REQ_HEAD);
	evhttp_set_max_body_size(h, MAX_BODY);
	evhttp_set_max_headers_size(h, 16384);
	evhttp_set_timeout(h, TIMEOUT_SECS);
	return h;
}

static int drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		return op_err_set(OP_E_CONFIG, "--user %s: no such user", user);
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		return op_err_set(OP_E_SYS, "--user %s: %s", user, strerror(errno));
	if (setuid(0) == 0)
		return op_err_set(OP_E_SYS, "--user %s: could regain root", user);
	return 0;
}

static void on_check(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	for (int i = 0; i < srv.nslots; i++)
		srv_slot_check(&srv.slots[i]);
}

static void on_stop(evutil_socket_t sig, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	op_info("signal %d: shutting down", (int)sig);
	for (int i = 0; i < srv.nthreads; i++)
		event_base_loopexit(srv.workers[i].base, NULL);
	event_base_loopexit(srv.main_base, NULL);
}

static void usage(FILE *f)
{
	fputs("usage: ocsp-serve --db FILE [--db FILE ...] --listen ADDR:PORT\n"
	      "                  [--listen ...] [--threads N] [--metrics-listen ADDR:PORT]\n"
	      "                  [--user NAME] [--max-age SECONDS] [--path-prefix /ocsp] [-n]\n"
	      "\n"
	      "Answer OCSP requests (POST, GET, HEAD) from pre-signed responses made\n"
	      "by ocsp-gen.  Files replaced by rename are picked up within a second.\n"
	      "\n"
	      "  --db FILE             responses file (repeatable)\n"
	      "  --listen ADDR:PORT    HTTP listener (repeatable)\n"
	      "  --threads N           worker threads (default: number of CPUs)\n"
	      "  --metrics-listen A:P  /metrics and /healthz listener\n"
	      "  --user NAME           drop to this user after binding\n"
	      "  --max-age SECONDS     cap for Cache-Control max-age (default 86400)\n"
	      "  --path-prefix PATH    URL prefix of GET requests (default none)\n"
	      "  -n                    check arguments and files, then exit\n"
	      "  -h, --help            this text\n", f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "metrics-listen", required_argument, NULL, 'm' },
		{ "user", required_argument, NULL, 'u' },
		{ "max-age", required_argument, NULL, 'a' },
		{ "path-prefix", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbs[MAX_DB];
	int ndb = 0, check_only = 0, c, rc = 0;
	evutil_socket_t fd;
	struct event *sigs[4], *check_ev;
	struct timeval half = { 0, 500000 }, one = { 1, 0 };
	const char *act = "arguments";

	srv.prefix = "";
	srv.max_age = 86400;
	srv.nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	op_log_init("ocsp-serve", OP_LOG_INFO);
	while ((c = getopt_long(argc, argv, "nh", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'd':
			if (ndb == MAX_DB)
				goto usage_err;
			dbs[ndb++] = optarg;
			break;
		case 'l':
			if (srv.nlisten == MAX_LISTEN)
				goto usage_err;
			srv.listen[srv.nlisten++] = optarg;
			break;
		case 't':
			srv.nthreads = (int)strtol(optarg, &end, 10);
			if (*end || srv.nthreads < 1 || srv.nthreads > 256)
				goto usage_err;
			break;
		case 'm': srv.metrics_listen = optarg; break;
		case 'u': srv.user = optarg; break;
		case 'a':
			srv.max_age = strtoll(optarg, &end, 10);
			if (*end || srv.max_age < 0)
				goto usage_err;
			break;
		case 'p':
			srv.prefix = optarg;
			/* "/ocsp/" and "/ocsp" mean the same. */
			if (strlen(optarg) && optarg[strlen(optarg) - 1] == '/')
				optarg[strlen(optarg) - 1] = '\0';
			break;
		case 'n': check_only = 1; break;
		case 'h': usage(stdout); return 0;
		default: goto usage_err;
		}
	}
	if (ndb == 0 || srv.nlisten == 0 || optind != argc)
		goto usage_err;

	act = "opening files";
	for (int i = 0; i < ndb; i++, srv.nslots++)
		if ((rc = srv_slot_init(&srv.slots[i], dbs[i])) != 0)
			goto fail;
	if (check_only) {
		for (int i = 0; i < srv.nslots; i++)
			printf("%s: ok, %llu responses\n", dbs[i],
			       (unsigned long long)srv.slots[i].cur->responses);
		return 0;
	}

	act = "starting";
	signal(SIGPIPE, SIG_IGN);
	evthread_use_pthreads();
	srv.main_base = event_base_new();
	srv.workers = calloc((size_t)srv.nthreads, sizeof(*srv.workers));
	if (!srv.main_base || !srv.workers) {
		rc = OP_E_NOMEM;
		goto fail;
	}
	for (int t = 0; t < srv.nthreads; t++) {
		struct worker *w = &srv.workers[t];

		if (!(w->base = event_base_new()) || !(w->http = new_http(w->base))) {
			rc = OP_E_NOMEM;
			goto fail;
		}
		evhttp_set_gencb(w->http, on_request, w);
		/* One socket per thread and address; the kernel spreads
		 * connections over them (SO_REUSEPORT). */
		for (int l = 0; l < srv.nlisten; l++) {
			if ((rc = bind_addr(srv.listen[l], 1, &fd)) != 0)
				goto fail;
			if (evhttp_accept_socket(w->http, fd) != 0) {
				rc = op_err_set(OP_E_SYS, "accept on %s", srv.listen[l]);
				goto fail;
			}
		}
		w->tick = event_new(w->base, -1, EV_PERSIST, on_tick, w);
		event_add(w->tick, &one);
	}
	if (srv.metrics_listen) {
		struct evhttp *mh = new_http(srv.main_base);

		if (!mh || (rc = bind_addr(srv.metrics_listen, 0, &fd)) != 0 ||
		    evhttp_accept_socket(mh, fd) != 0) {
			rc = rc ? rc : op_err_set(OP_E_SYS, "metrics listener");
			goto fail;
		}
		evhttp_set_gencb(mh, on_metrics, NULL);
	}
	if (srv.user && (rc = drop_privileges(srv.user)) != 0) {
		act = "dropping privileges";
		goto fail;
	}
	check_ev = event_new(srv.main_base, -1, EV_PERSIST, on_check, NULL);
	event_add(check_ev, &half);
	sigs[0] = evsignal_new(srv.main_base, SIGHUP, on_check, NULL);
	sigs[1] = evsignal_new(srv.main_base, SIGTERM, on_stop, NULL);
	sigs[2] = evsignal_new(srv.main_base, SIGINT, on_stop, NULL);
	for (int i = 0; i < 3; i++)
		event_add(sigs[i], NULL);
	for (int t = 0; t < srv.nthreads; t++)
		pthread_create(&srv.workers[t].thread, NULL, worker_main,
			       &srv.workers[t]);
	srv.started = op_time_now();
	op_info("serving %d file(s) on %d address(es) with %d thread(s)%s%s",
		srv.nslots, srv.nlisten, srv.nthreads, srv.user ? " as " : "",
		srv.user ? srv.user : "");
	event_base_dispatch(srv.main_base);
	for (int t = 0; t < srv.nthreads; t++) {
		pthread_join(srv.workers[t].thread, NULL);
		event_free(srv.workers[t].tick);
		evhttp_free(srv.workers[t].http);
		event_base_free(srv.workers[t].base);
	}
	for (int i = 0; i < 3; i++)
		event_free(sigs[i]);
	event_free(check_ev);
	free(srv.workers);
	for (int i = 0; i < srv.nslots; i++)
		srv_slot_destroy(&srv.slots[i]);
	return 0;

usage_err:
	usage(stderr);
	return 2;
fail:
	op_err("%s: %s%s%s", act, op_strerror(rc), *op_err_detail() ? ": " : "",
	       op_err_detail());
	return 1;
}
