#include "srv_conn.h"
#include "op_time.h"
#include "srv_answer.h"
#include "srv_req.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void srv_conn_start(struct srv_conn *c, struct srv_conn_ctx *ctx)
{
	memset(c, 0, offsetof(struct srv_conn, in));
	c->ctx = ctx;
}

void srv_conn_reset(struct srv_conn *c)
{
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = c->out_cap = 0;
}

int srv_conn_received(struct srv_conn *c, size_t n, int64_t now)
{
	if (c->in_len == 0)
		c->head_started = now;
	c->in_len += n;
	return now - c->head_started > SRV_TIMEOUT_SECS ? -1 : 0;
}

void srv_conn_sent(struct srv_conn *c, size_t n)
{
	c->out_off += n;
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
}

static int out_reserve(struct srv_conn *c, size_t n)
{
	size_t cap;
	char *p;

	if (c->out_cap - c->out_len >= n)
		return 0;
	/* Compact before growing: sent output is dead. */
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

/*
 * Queue the answer whole, with "Connection: close" (and closing after
 * it) if close.  Returns the octets queued; 0 when out of memory, and
 * the connection is to close.
 */
static size_t write_answer(struct srv_conn *c, struct srv_answer *a,
			   int head_only, int close, int64_t now)
{
	const char *date = srv_http_clock_date(&c->ctx->clock, now);
	size_t n;

	if (out_reserve(c, SRV_ANSWER_HEAD_MAX + a->body_len) != 0)
		goto nomem;
	n = srv_answer_write(a, head_only, date, close, c->out + c->out_len);
	if (n == 0) {
		/* Not expected (SRV_ANSWER_HEAD_MAX bounds every head), but
		 * never a silent close: said, counted and logged as a 500. */
		srv_answer_text(500, a);
		close = 1;
		if (out_reserve(c, SRV_ANSWER_HEAD_MAX + a->body_len) != 0)
			goto nomem;
		n = srv_answer_write(a, head_only, date, close, c->out + c->out_len);
	}
	c->out_len += n;
	if (close)
		c->closing = 1;
	return n;
nomem:
	c->closing = 1;
	return 0;
}

/* Count the answer and give it its line in the access log (if any). */
static void account(struct srv_conn *c, int method, const uint8_t *key,
		    size_t keylen, const struct srv_answer *a, size_t bytes,
		    long us)
{
	static const char *const names[] = { "GET", "POST", "HEAD", "-" };
	struct srv_conn_ctx *x = c->ctx;
	struct srv_alog_entry e;

	if (a->result == SRV_R_REJECTED)
		srv_metrics_rejected(x->stats, a->status);
	else
		srv_metrics_request(x->stats, (enum srv_http_method)method,
				    a->result, us);
	if (!x->alog_buf || !x->alog_buf->data)
		return;
	clock_gettime(CLOCK_REALTIME, &e.when);
	e.client = c->client;
	e.method = names[method >= SRV_HTTP_GET && method < SRV_HTTP_OTHER ?
			 method : SRV_HTTP_OTHER];
	e.key = key;
	e.keylen = keylen;
	e.result = srv_answer_result_name(a->result);
	e.status = a->status;
	e.bytes = bytes;
	e.micros = us;
	srv_alog_add(x->alog_buf, x->alog, &e);
}

/* Parse a DER OCSPRequest, look it up and choose the answer; its key (for
 * the log) in key, *keylen (0 when the request has none we could read). */
static void answer_der(struct srv_conn *c, const struct srv_http_req *req,
		       const uint8_t *der, size_t len, int64_t now, uint8_t *key,
		       size_t *keylen, struct srv_answer *a)
{
	struct op_rec rec;
	int rc;

	rc = srv_req_parse(der, len, key, keylen);
	if (rc != SRV_REQ_OK) {
		*keylen = 0;
		srv_answer_error(rc == SRV_REQ_UNKNOWN_HASH ? SRV_R_UNAUTHORIZED :
				 SRV_R_MALFORMED, a);
		return;
	}
	rc = c->ctx->lookup(c->ctx->lookup_arg, key, *keylen, &rec);
	if (rc == SRV_LOOKUP_FAILED)
		srv_answer_error(SRV_R_INTERNAL, a);
	else
		srv_answer_make(rc == SRV_LOOKUP_FOUND ? &rec : NULL, now,
				c->ctx->max_age, req->if_none_match,
				req->if_none_match_len, a);
}

static long micros_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000L +
	       (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/*
 * One whole request (head and body at c->in), top to bottom: the DER
 * request (the POST body, or the GET path decoded), its key, the lookup,
 * the answer chosen, written, counted and logged.
 */
static void handle(struct srv_conn *c, const struct srv_http_req *req)
{
	uint8_t buf[SRV_MAX_BODY], key[OP_KEY_MAX];
	const uint8_t *der = buf;
	struct srv_answer a;
	struct timespec t0;
	int64_t now = op_time_now();
	size_t len, keylen = 0, sent;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (req->method == SRV_HTTP_POST) {
		der = (const uint8_t *)c->in + req->head_len;
		len = (size_t)(req->content_length > 0 ? req->content_length : 0);
	} else {
		rc = srv_req_get_decode(req->target, req->target_len, c->ctx->prefix,
					buf, sizeof(buf), &len);
	}
	if (rc == -1)
		srv_answer_text(404, &a);
	else if (rc != 0)
		srv_answer_error(SRV_R_MALFORMED, &a);
	else
		answer_der(c, req, der, len, now, key, &keylen, &a);
	sent = write_answer(c, &a, req->method == SRV_HTTP_HEAD, !req->keep_alive,
			    now);
	account(c, req->method, key, keylen, &a, sent, micros_since(&t0));
}

/* The status refusing what the head says we will not handle, or 0. */
static int refusal(int rc, const struct srv_http_req *req)
{
	if (rc == SRV_HTTP_TOO_LARGE)
		return 431;
	if (rc == SRV_HTTP_BAD)
		return 400;
	if (req->method == SRV_HTTP_OTHER)
		return 405;
	if (req->chunked)
		return 411;
	if (req->content_length > SRV_MAX_BODY)
		return 413;
	return 0;
}

/* Refuse with status and close; the method is known when the head
 * parsed (rc SRV_HTTP_DONE). */
static void refuse(struct srv_conn *c, int rc, const struct srv_http_req *req,
		   int status)
{
	int method = rc == SRV_HTTP_DONE ? req->method : SRV_HTTP_OTHER;
	struct srv_answer a;
	size_t sent;

	srv_answer_text(status, &a);
	sent = write_answer(c, &a, method == SRV_HTTP_HEAD, 1, op_time_now());
	account(c, method, NULL, 0, &a, sent, 0);
}

/* The body is still coming: curl waits for "100 Continue" before a large
 * one when it asked for it. */
static void expect_body(struct srv_conn *c, const struct srv_http_req *req)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (req->expect_continue && !c->continued &&
	    out_reserve(c, sizeof(cont) - 1) == 0) {
		memcpy(c->out + c->out_len, cont, sizeof(cont) - 1);
		c->out_len += sizeof(cont) - 1;
		c->continued = 1;
	}
}

int srv_conn_process(struct srv_conn *c)
{
	int handled = 0, rc, status;
	struct srv_http_req req;
	size_t used;

	while (c->in_len && !c->closing && srv_conn_pending(c) < SRV_OUT_HIGH) {
		rc = srv_http_parse(c->in, c->in_len, SRV_MAX_HEAD, &req);
		if (rc == SRV_HTTP_NEED_MORE)
			return handled;
		if ((status = refusal(rc, &req)) != 0) {
			refuse(c, rc, &req, status);
			return handled;
		}
		used = req.head_len +
		       (size_t)(req.content_length > 0 ? req.content_length : 0);
		if (used > c->in_len) {
			expect_body(c, &req);
			return handled;
		}
		handle(c, &req);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		c->continued = 0;
		c->head_started = c->in_len ? op_time_now() : 0;
		handled++;
	}
	return handled;
}
