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
#include "srv_http.h"
#include "srv_metrics.h"
#include "srv_req.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#define MAX_HEAD 8192
#define TIMEOUT_SECS 10
/* One request head plus body fits; pipelined requests wait their turn. */
#define IN_CAP (MAX_HEAD + MAX_BODY)
/* Stop reading a connection whose answers are not being read. */
#define OUT_HIGH (64 * 1024)

/* Unsigned OCSPResponses: SEQUENCE { ENUMERATED status } */
static const uint8_t resp_malformed[] = { 0x30, 0x03, 0x0a, 0x01, 0x01 };
static const uint8_t resp_trylater[] = { 0x30, 0x03, 0x0a, 0x01, 0x03 };
static const uint8_t resp_unauthorized[] = { 0x30, 0x03, 0x0a, 0x01, 0x06 };

struct conn;

struct worker {
	pthread_t thread;
	struct event_base *base;
	struct evconnlistener *listeners[MAX_LISTEN];
	struct srv_view views[MAX_DB];
	struct srv_counters stats;	/* written by this thread only */
	struct event *tick;
	int nconns, max_conns;
	struct conn *free_conns;	/* reused, so accepting does not malloc */
	struct conn *open_conns;
	int64_t date_sec;		/* Date header, formatted once a second */
	char date[32];
};

/* A client connection: fixed input buffer, growable output buffer. */
struct conn {
	struct worker *w;
	evutil_socket_t fd;
	struct event *ev;	/* allocated once, re-assigned per use */
	short events;		/* what ev waits for now (EV_READ|EV_WRITE) */
	int closing;		/* close once output is written */
	int continued;		/* "100 Continue" sent for this request */
	int64_t head_started;	/* first octet of the pending request */
	size_t in_len;
	char *out;
	size_t out_len, out_off, out_cap;
	struct conn *next_free;
	struct conn *prev, *next;	/* the worker's open connections */
	char in[IN_CAP];
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
	int max_conns;
	atomic_int stopping;
	struct worker *workers;
	struct srv_counters *stats[256];	/* &workers[i].stats, for /metrics */
	struct event_base *main_base;
	int64_t started;
};

static struct server srv;

/* ---------------- output ---------------- */

static int out_reserve(struct conn *c, size_t n)
{
	size_t cap;
	char *p;

	if (c->out_cap - c->out_len >= n)
		return 0;
	/* Compact before growing: written output is dead. */
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		if (c->out_cap - c->out_len >= n)
			return 0;
	}
	for (cap = c->out_cap ? c->out_cap : 4096; cap - c->out_len < n; cap *= 2)
		;
	if (!(p = realloc(c->out, cap)))
		return -1;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

static const char *date_now(struct worker *w)
{
	int64_t now = op_time_now();

	if (now != w->date_sec) {
		w->date_sec = now;
		srv_http_date(now, w->date, sizeof(w->date));
	}
	return w->date;
}

#define OCSP_TYPE "application/ocsp-response"

/* Queue a response head with room for a body of len after it; NULL (and
 * the connection closing) if out of memory or without a body to write. */
static char *respond_head(struct conn *c, int method, int status,
			  const char *ctype, size_t len, const char *extra,
			  int close)
{
	char head[1024];
	size_t hl;
	int nobody = method == SRV_HTTP_HEAD || status == 304;

	hl = srv_http_head(head, sizeof(head), status, date_now(c->w), ctype,
			   status == 304 ? -1 : (long long)len, extra, close);
	if (hl == 0 || out_reserve(c, hl + (nobody ? 0 : len)) != 0) {
		c->closing = 1;
		return NULL;
	}
	memcpy(c->out + c->out_len, head, hl);
	c->out_len += hl;
	if (close)
		c->closing = 1;
	return nobody ? NULL : c->out + c->out_len;
}

/* Queue one response: head, then body unless HEAD or 304. */
static void respond(struct conn *c, int method, int status, const char *ctype,
		    const uint8_t *body, size_t len, const char *extra, int close)
{
	char *p = respond_head(c, method, status, ctype, len, extra, close);

	/* Copied, not referenced: the map may be swapped out while a slow
	 * client still has the answer queued. */
	if (p) {
		memcpy(p, body, len);
		c->out_len += len;
	}
}

/* Queue a stored response: its DER is rebuilt straight into the output
 * buffer (op_rec_emit), one copy and no allocation beyond the buffer. */
static void respond_rec(struct conn *c, int method, const struct op_rec *rec,
			const char *extra, int close)
{
	size_t len = op_rec_served_len(rec);
	char *p = respond_head(c, method, 200, OCSP_TYPE, len, extra, close);

	if (p)
		c->out_len += op_rec_emit(rec, (uint8_t *)p);
}

static void respond_text(struct conn *c, int method, int status, const char *text,
			 int close)
{
	respond(c, method, status, "text/plain", (const uint8_t *)text,
		strlen(text), status == 405 ? "Allow: GET, POST, HEAD\r\n" : NULL,
		close);
}

/* ---------------- answering ---------------- */

static int lookup(struct worker *w, const uint8_t *key, size_t keylen,
		  struct op_rec *rec)
{
	for (int i = 0; i < srv.nslots; i++) {
		int rc;

		if (srv_view_sync(&w->views[i], &srv.slots[i]) != 0)
			continue;
		rc = op_db_get_rec(w->views[i].txn, w->views[i].f->db.dbi, key,
				   keylen, rec);
		if (rc != MDB_NOTFOUND)
			return rc == 0 ? 0 : -1;
	}
	return -1;
}

#define NO_CACHE "Cache-Control: no-cache\r\n"

static enum srv_result answer(struct conn *c, const struct srv_http_req *req,
			  const uint8_t *der, size_t len, int close)
{
	uint8_t key[OP_KEY_MAX];
	size_t keylen;
	struct op_rec rec;
	struct srv_cache_hdrs ch;
	char extra[400];
	int64_t now;
	int m = req->method;

	switch (srv_req_parse(der, len, key, &keylen)) {
	case SRV_REQ_OK:
		break;
	case SRV_REQ_UNKNOWN_HASH:
		respond(c, m, 200, OCSP_TYPE, resp_unauthorized,
			sizeof(resp_unauthorized), NO_CACHE, close);
		return SRV_R_UNAUTHORIZED;
	default:
		respond(c, m, 200, OCSP_TYPE, resp_malformed,
			sizeof(resp_malformed), NO_CACHE, close);
		return SRV_R_MALFORMED;
	}
	if (lookup(c->w, key, keylen, &rec) != 0) {
		respond(c, m, 200, OCSP_TYPE, resp_unauthorized,
			sizeof(resp_unauthorized), NO_CACHE, close);
		return SRV_R_UNAUTHORIZED;
	}
	now = op_time_now();
	/* A stale answer is worse than none. */
	if (rec.next_update <= now) {
		respond(c, m, 200, OCSP_TYPE, resp_trylater, sizeof(resp_trylater),
			NO_CACHE, close);
		return SRV_R_TRYLATER;
	}
	srv_cache_headers(&rec, now, srv.max_age, &ch);
	snprintf(extra, sizeof(extra), "Cache-Control: %s\r\nLast-Modified: %s\r\n"
		 "Expires: %s\r\nETag: %s\r\n", ch.cache_control, ch.last_modified,
		 ch.expires, ch.etag);
	if (req->if_none_match) {
		char inm[256];

		snprintf(inm, sizeof(inm), "%.*s", (int)req->if_none_match_len,
			 req->if_none_match);
		if (srv_etag_match(inm, ch.etag)) {
			respond(c, m, 304, NULL, NULL, 0, extra, close);
			return SRV_R_NOT_MODIFIED;
		}
	}
	respond_rec(c, m, &rec, extra, close);
	return rec.status == OP_STATUS_REVOKED ? SRV_R_REVOKED : SRV_R_GOOD;
}

static void count(struct worker *w, int method, enum srv_result r,
		  const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	srv_metrics_request(&w->stats, method == SRV_HTTP_POST ? SRV_M_POST :
			    method == SRV_HTTP_HEAD ? SRV_M_HEAD : SRV_M_GET, r,
			    (t1.tv_sec - t0->tv_sec) * 1000000L +
			    (t1.tv_nsec - t0->tv_nsec) / 1000);
}

/*
 * Handle the complete requests at the front of c->in.  Returns the number
 * handled, when the input holds no complete request, the connection is to
 * close, or enough output is queued.
 */
static int process(struct conn *c)
{
	int handled = 0;
	struct srv_http_req req;
	uint8_t buf[MAX_BODY];
	size_t used, len;
	int rc;

	while (c->in_len && !c->closing && c->out_len - c->out_off < OUT_HIGH) {
		struct timespec t0;
		enum srv_result r;
		int close;

		rc = srv_http_parse(c->in, c->in_len, MAX_HEAD, &req);
		if (rc == SRV_HTTP_NEED_MORE)
			return handled;
		if (rc == SRV_HTTP_TOO_LARGE) {
			respond_text(c, SRV_HTTP_GET, 431, "header too large\n", 1);
			return handled;
		}
		if (rc == SRV_HTTP_BAD) {
			respond_text(c, SRV_HTTP_GET, 400, "bad request\n", 1);
			return handled;
		}
		close = !req.keep_alive;
		if (req.method == SRV_HTTP_OTHER) {
			respond_text(c, req.method, 405, "method not allowed\n", 1);
			return handled;
		}
		if (req.chunked) {
			respond_text(c, req.method, 411, "send Content-Length\n", 1);
			return handled;
		}
		if (req.content_length > MAX_BODY) {
			respond_text(c, req.method, 413, "request too large\n", 1);
			return handled;
		}
		used = req.head_len + (size_t)(req.content_length > 0 ? req.content_length : 0);
		if (used > c->in_len) {
			/* Body still coming; curl waits for this before large bodies. */
			if (req.expect_continue && !c->continued &&
			    out_reserve(c, 25) == 0) {
				memcpy(c->out + c->out_len, "HTTP/1.1 100 Continue\r\n\r\n", 25);
				c->out_len += 25;
				c->continued = 1;
			}
			return handled;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (req.method == SRV_HTTP_POST) {
			r = answer(c, &req, (const uint8_t *)c->in + req.head_len,
				   (size_t)(req.content_length > 0 ? req.content_length : 0),
				   close);
		} else {
			rc = srv_get_decode(req.target, req.target_len, srv.prefix, buf,
					    sizeof(buf), &len);
			if (rc == -1) {
				respond_text(c, req.method, 404, "not found\n", close);
				r = SRV_R_NOT_FOUND;
			} else if (rc != 0) {
				respond(c, req.method, 200, OCSP_TYPE, resp_malformed,
					sizeof(resp_malformed), NO_CACHE, close);
				r = SRV_R_MALFORMED;
			} else {
				r = answer(c, &req, buf, len, close);
			}
		}
		count(c->w, req.method, r, &t0);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		c->continued = 0;
		c->head_started = c->in_len ? op_time_now() : 0;
		handled++;
	}
	return handled;
}

static void conn_free(struct conn *c)
{
	struct worker *w = c->w;

	event_del(c->ev);
	evutil_closesocket(c->fd);
	free(c->out);
	c->out = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		w->open_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next_free = w->free_conns;
	w->free_conns = c;
	w->nconns--;
	srv_counter_add(&w->stats.conns, -1);
}

static void on_io(evutil_socket_t fd, short what, void *arg);

/*
 * Wait for what the connection can use: input only while there is room
 * for it and the connection is not closing (level-triggered readiness
 * would otherwise spin), output only while some is queued.
 */
static void watch(struct conn *c, int writing)
{
	struct timeval tv = { TIMEOUT_SECS, 0 };
	short events = (short)((writing ? EV_WRITE : 0) |
			       (!c->closing && c->in_len < IN_CAP ? EV_READ : 0));

	if (events == c->events)
		return;
	event_del(c->ev);
	event_assign(c->ev, c->w->base, c->fd, events | EV_PERSIST, on_io, c);
	event_add(c->ev, &tv);
	c->events = events;
}

/* Write what is queued; 0 when all is out, 1 when the socket is full,
 * -1 on error. */
static int flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	int64_t now;
	int fr;

	if (what & EV_TIMEOUT) {
		/* Idle, or a client too slow to send a request or read its
		 * answer: it costs only its own connection. */
		srv_counter_add(&c->w->stats.conns_timed_out, 1);
		conn_free(c);
		return;
	}
	if ((what & EV_READ) && !c->closing && c->in_len < IN_CAP) {
		ssize_t n = recv(fd, c->in + c->in_len, IN_CAP - c->in_len, 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			conn_free(c);	/* closed, or half-closed: nothing to answer */
			return;
		}
		if (n > 0) {
			now = op_time_now();
			if (c->in_len == 0)
				c->head_started = now;
			c->in_len += (size_t)n;
			/* Slowloris: a request must arrive whole within the
			 * timeout, however it trickles. */
			if (now - c->head_started > TIMEOUT_SECS) {
				srv_counter_add(&c->w->stats.conns_timed_out, 1);
				conn_free(c);
				return;
			}
		}
	}
	/* Output drained at once may leave requests that were held back by
	 * OUT_HIGH; no event would bring us back for them. */
	do
		fr = flush(c);
	while (process(c) > 0 && fr == 0);
	fr = flush(c);
	if (fr < 0 || (fr == 0 && c->closing)) {
		conn_free(c);
		return;
	}
	watch(c, fr == 1);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct worker *w = arg;
	struct conn *c;
	struct timeval tv = { TIMEOUT_SECS, 0 };
	int one = 1;

	(void)l;
	(void)sa;
	(void)salen;
	if (w->nconns >= w->max_conns) {
		srv_counter_add(&w->stats.conns_rejected, 1);
		evutil_closesocket(fd);
		return;
	}
	if ((c = w->free_conns) != NULL) {
		w->free_conns = c->next_free;
	} else if (!(c = malloc(sizeof(*c))) ||
		   !(c->ev = event_new(w->base, -1, 0, NULL, NULL))) {
		free(c);
		evutil_closesocket(fd);
		return;
	}
	{
		struct event *ev = c->ev;

		memset(c, 0, offsetof(struct conn, in));
		c->ev = ev;
	}
	c->w = w;
	c->fd = fd;
	c->events = EV_READ;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	event_assign(c->ev, w->base, fd, EV_READ | EV_PERSIST, on_io, c);
	event_add(c->ev, &tv);
	c->next = w->open_conns;
	if (c->next)
		c->next->prev = c;
	w->open_conns = c;
	w->nconns++;
	srv_counter_add(&w->stats.conns, 1);
	srv_counter_add(&w->stats.conns_open, 1);
}

/* Once a second: let go of swapped-out maps, and stop when asked. */
static void on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)ev;
	for (int i = 0; i < srv.nslots; i++)
		srv_view_sync(&w->views[i], &srv.slots[i]);
	if (atomic_load(&srv.stopping))
		event_base_loopexit(w->base, NULL);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	while (w->open_conns)
		conn_free(w->open_conns);
	while (w->free_conns) {
		struct conn *c = w->free_conns;

		w->free_conns = c->next_free;
		event_free(c->ev);
		free(c);
	}
	for (int i = 0; i < srv.nslots; i++)
		srv_view_release(&w->views[i]);
	return NULL;
}

/* ---------------- metrics ---------------- */

static void on_metrics(struct evhttp_request *req, void *arg)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	const char *uri = evhttp_request_get_uri(req);

	(void)arg;
	if (strcmp(uri, "/healthz") == 0) {
		int ok = srv_metrics_health(out, srv.slots, srv.nslots, op_time_now());

		evhttp_add_header(h, "Content-Type", "text/plain");
		evhttp_send_reply(req, ok ? HTTP_OK : 503, ok ? "OK" : "Unhealthy", NULL);
	} else if (strcmp(uri, "/metrics") == 0) {
		srv_metrics_render(out, srv.stats, srv.nthreads, srv.slots, srv.nslots);
		evhttp_add_header(h, "Content-Type", "text/plain; version=0.0.4");
		evhttp_send_reply(req, HTTP_OK, "OK", NULL);
	} else {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
	}
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
	/* Workers' bases are lock-free; they notice on their next tick. */
	atomic_store(&srv.stopping, 1);
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
	      "  --max-connections N   open client connections at most (default 10000)\n"
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
		{ "max-connections", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbs[MAX_DB];
	int ndb = 0, check_only = 0, c, rc = 0;
	evutil_socket_t fd, lfds[MAX_LISTEN];
	struct event *sigs[4], *check_ev;
	struct timeval half = { 0, 500000 }, one = { 1, 0 };
	const char *act = "arguments";

	srv.prefix = "";
	srv.max_age = 86400;
	srv.nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	srv.max_conns = 10000;
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
		case 'M':
			srv.max_conns = (int)strtol(optarg, &end, 10);
			if (*end || srv.max_conns < 1)
				goto usage_err;
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
	srv.main_base = event_base_new();
	srv.workers = calloc((size_t)srv.nthreads, sizeof(*srv.workers));
	if (!srv.main_base || !srv.workers) {
		rc = OP_E_NOMEM;
		goto fail;
	}
	for (int l = 0; l < srv.nlisten; l++)
		if ((rc = bind_addr(srv.listen[l], 0, &lfds[l])) != 0)
			goto fail;
	for (int t = 0; t < srv.nthreads; t++) {
		struct worker *w = &srv.workers[t];
		struct event_config *cfg = event_config_new();

		/* Each base is used by its own thread only: no locking. */
		if (cfg)
			event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
		w->base = cfg ? event_base_new_with_config(cfg) : NULL;
		event_config_free(cfg);
		if (!w->base) {
			rc = OP_E_NOMEM;
			goto fail;
		}
		w->max_conns = (srv.max_conns + srv.nthreads - 1) / srv.nthreads;
		srv.stats[t] = &w->stats;
		/* All threads accept from one socket per address: whichever is
		 * free takes the connection.  (SO_REUSEPORT's hash can load one
		 * thread with more connections and stretch the tail latency.) */
		for (int l = 0; l < srv.nlisten; l++) {
			if ((fd = dup(lfds[l])) < 0) {
				rc = op_err_set(OP_E_SYS, "dup: %s", strerror(errno));
				goto fail;
			}
			w->listeners[l] = evconnlistener_new(w->base, on_accept, w,
							     LEV_OPT_CLOSE_ON_FREE, -1, fd);
			if (!w->listeners[l]) {
				rc = op_err_set(OP_E_SYS, "accept on %s", srv.listen[l]);
				goto fail;
			}
		}
		w->tick = event_new(w->base, -1, EV_PERSIST, on_tick, w);
		event_add(w->tick, &one);
	}
	for (int l = 0; l < srv.nlisten; l++)
		close(lfds[l]);
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
		for (int l = 0; l < srv.nlisten; l++)
			evconnlistener_free(srv.workers[t].listeners[l]);
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
	op_log_err("%s: %s%s%s", act, op_strerror(rc),
		   *op_err_detail() ? ": " : "", op_err_detail());
	return 1;
}
