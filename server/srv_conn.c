#include "srv_conn.h"
#include "op_time.h"
#include "srv_alog.h"
#include "srv_http.h"
#include "srv_req.h"
#include "srv_worker.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

void srv_conn_start(struct srv_conn *c, struct srv_worker *w, int fd)
{
	struct event *ev = c->ev;

	memset(c, 0, offsetof(struct srv_conn, in));
	c->ev = ev;
	c->w = w;
	c->fd = fd;
}

void srv_conn_reset(struct srv_conn *c)
{
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = c->out_cap = 0;
}

static int out_reserve(struct srv_conn *c, size_t n)
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

static void out_put(struct srv_conn *c, const void *p, size_t n)
{
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

/*
 * Queue one response: head, then body unless HEAD or 304.  Every answer
 * goes out through here.  Returns the octets queued (0: none, and the
 * connection is to close).
 */
static size_t respond(struct srv_conn *c, int method, const struct srv_answer *a,
		      int close)
{
	char head[1024];
	size_t hl;
	int nobody = method == SRV_HTTP_HEAD || a->status == 304;

	hl = srv_http_head(head, sizeof(head), a->status, srv_worker_date(c->w),
			   a->content_type, a->status == 304 ? -1 :
			   (long long)a->body_len, a->headers, close);
	if (hl == 0 || out_reserve(c, hl + (nobody ? 0 : a->body_len)) != 0) {
		c->closing = 1;
		return 0;
	}
	out_put(c, head, hl);
	/* Copied, not referenced: the map may be swapped out while a slow
	 * client still has the answer queued.  A stored response is rebuilt
	 * in place (op_rec_emit: one copy, no allocation). */
	if (!nobody && a->has_rec)
		c->out_len += op_rec_emit(&a->rec, (uint8_t *)c->out + c->out_len);
	else if (!nobody)
		out_put(c, a->body, a->body_len);
	if (close)
		c->closing = 1;
	return hl + (nobody ? 0 : a->body_len);
}

/* A plain-text answer for what is not OCSP (404, 405, 4xx on the head). */
static void text_answer(int status, const char *text, struct srv_answer *a)
{
	a->result = SRV_R_NOT_FOUND;
	a->status = status;
	a->content_type = "text/plain";
	a->body = (const uint8_t *)text;
	a->body_len = strlen(text);
	a->has_rec = 0;
	strcpy(a->headers, status == 405 ? "Allow: GET, POST, HEAD\r\n" : "");
}

/* Answer a DER OCSPRequest; its key (for the log) in key, *keylen (0
 * when the request has none we could read). */
static void answer_der(struct srv_conn *c, const struct srv_http_req *req,
		       const uint8_t *der, size_t len, uint8_t *key,
		       size_t *keylen, struct srv_answer *a)
{
	struct op_rec rec;
	int found;

	*keylen = 0;
	switch (srv_req_parse(der, len, key, keylen)) {
	case SRV_REQ_OK:
		break;
	case SRV_REQ_UNKNOWN_HASH:
		*keylen = 0;
		srv_answer_error(SRV_R_UNAUTHORIZED, a);
		return;
	default:
		*keylen = 0;
		srv_answer_error(SRV_R_MALFORMED, a);
		return;
	}
	found = srv_worker_lookup(c->w, key, *keylen, &rec);
	if (found == SRV_LOOKUP_FAILED)
		srv_answer_error(SRV_R_INTERNAL, a);
	else
		srv_answer_make(found == SRV_LOOKUP_FOUND ? &rec : NULL,
				op_time_now(), c->w->cfg->max_age,
				req->if_none_match, req->if_none_match_len, a);
}

static long micros_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000L +
	       (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* One line in the access log, when there is one. */
static void log_request(struct srv_conn *c, int method, const uint8_t *key,
			size_t keylen, const char *result, int status,
			size_t bytes, long us)
{
	static const char *const names[] = { "GET", "POST", "HEAD", "-" };
	struct srv_alog_entry e;

	if (!c->w->alog_buf.data)
		return;
	clock_gettime(CLOCK_REALTIME, &e.when);
	e.client = c->client;
	e.method = names[method >= SRV_HTTP_GET && method < SRV_HTTP_OTHER ?
			 method : SRV_HTTP_OTHER];
	e.key = key;
	e.keylen = keylen;
	e.result = result;
	e.status = status;
	e.bytes = bytes;
	e.micros = us;
	srv_alog_add(&c->w->alog_buf, &c->w->cfg->alog, &e);
}

/* Answer a whole request (head and body at c->in) and account for it. */
static void handle(struct srv_conn *c, const struct srv_http_req *req, int close)
{
	uint8_t buf[SRV_MAX_BODY], key[OP_KEY_MAX];
	struct srv_answer a;
	struct timespec t0;
	size_t len, keylen = 0, sent;
	long us;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (req->method == SRV_HTTP_POST) {
		answer_der(c, req, (const uint8_t *)c->in + req->head_len,
			   (size_t)(req->content_length > 0 ? req->content_length : 0),
			   key, &keylen, &a);
	} else {
		rc = srv_get_decode(req->target, req->target_len, c->w->cfg->prefix,
				    buf, sizeof(buf), &len);
		if (rc == -1)
			text_answer(404, "not found\n", &a);
		else if (rc != 0)
			srv_answer_error(SRV_R_MALFORMED, &a);
		else
			answer_der(c, req, buf, len, key, &keylen, &a);
	}
	sent = respond(c, req->method, &a, close);
	us = micros_since(&t0);
	srv_metrics_request(&c->w->stats, (enum srv_http_method)req->method,
			    a.result, us);
	log_request(c, req->method, key, keylen, srv_result_name(a.result),
		    a.status, sent, us);
}

/* Refuse what the head says we will not handle: 0 if acceptable. */
static int refuse(struct srv_conn *c, int rc, const struct srv_http_req *req)
{
	struct srv_answer a;
	int method = rc == SRV_HTTP_DONE ? req->method : SRV_HTTP_GET;

	if (rc == SRV_HTTP_TOO_LARGE)
		text_answer(431, "header too large\n", &a);
	else if (rc == SRV_HTTP_BAD)
		text_answer(400, "bad request\n", &a);
	else if (req->method == SRV_HTTP_OTHER)
		text_answer(405, "method not allowed\n", &a);
	else if (req->chunked)
		text_answer(411, "send Content-Length\n", &a);
	else if (req->content_length > SRV_MAX_BODY)
		text_answer(413, "request too large\n", &a);
	else
		return 0;
	log_request(c, rc == SRV_HTTP_DONE ? req->method : SRV_HTTP_OTHER, NULL, 0,
		    "rejected", a.status, respond(c, method, &a, 1), 0);
	return -1;
}

int srv_conn_process(struct srv_conn *c)
{
	int handled = 0;
	struct srv_http_req req;
	size_t used;
	int rc;

	while (c->in_len && !c->closing && srv_conn_pending(c) < SRV_OUT_HIGH) {
		rc = srv_http_parse(c->in, c->in_len, SRV_MAX_HEAD, &req);
		if (rc == SRV_HTTP_NEED_MORE || refuse(c, rc, &req) != 0)
			return handled;
		used = req.head_len +
		       (size_t)(req.content_length > 0 ? req.content_length : 0);
		if (used > c->in_len) {
			/* Body still coming; curl waits for this before large bodies. */
			if (req.expect_continue && !c->continued &&
			    out_reserve(c, 25) == 0) {
				out_put(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
				c->continued = 1;
			}
			return handled;
		}
		handle(c, &req, !req.keep_alive);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		c->continued = 0;
		c->head_started = c->in_len ? op_time_now() : 0;
		handled++;
	}
	return handled;
}

int srv_conn_flush(struct srv_conn *c)
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
