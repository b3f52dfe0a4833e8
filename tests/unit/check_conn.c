/* srv_conn: the request state machine, fed bytes without a socket, over
 * a real responses file. */
#include <check.h>
#include <event2/buffer.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_fixture.h"
#include "check_run.h"
#include "op_time.h"
#include "srv_conn.h"
#include "srv_worker.h"

#define T0 1795287488

static char dir[] = "/tmp/check_conn.XXXXXX", path[64];
static struct srv_cfg cfg;
static struct srv_worker w;	/* its files and lookup only: no loop */
static struct srv_conn_ctx ctx;
static uint8_t req_good[256], req_revoked[256], req_unknown[256];
static int len_good, len_revoked, len_unknown;

static void setup(void)
{
	uint8_t k1[OP_KEY_MAX], k2[OP_KEY_MAX], k3[OP_KEY_MAX];
	size_t n1, n2, n3;
	struct test_resp r[2];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	len_good = fx_request(EVP_sha1(), 0x1001, req_good, k1, &n1);
	len_revoked = fx_request(EVP_sha256(), 0x1002, req_revoked, k2, &n2);
	len_unknown = fx_request(EVP_sha1(), 0x1003, req_unknown, k3, &n3);
	r[0] = (struct test_resp){ k1, n1, OP_STATUS_GOOD, T0, T0 + 86400, "GOOD-DER" };
	r[1] = (struct test_resp){ k2, n2, OP_STATUS_REVOKED, T0, T0 + 86400, "REVOKED-DER" };
	fx_db(path, T0, r, 2);
	op_time_set_fake(T0 + 60);
	ck_assert_int_eq(srv_db_slot_init(&cfg.slots[0], path), 0);
	cfg.nslots = 1;
	cfg.prefix = "/ocsp";
	cfg.max_age = 3600;
	w.cfg = &cfg;
	ctx = (struct srv_conn_ctx){ .lookup = srv_worker_lookup, .lookup_arg = &w,
		.prefix = cfg.prefix, .max_age = cfg.max_age, .stats = &w.stats };
}

static void teardown(void)
{
	srv_db_view_release(&w.views[0]);
	srv_db_slot_destroy(&cfg.slots[0]);
	unlink(path);
	rmdir(dir);
	op_time_set_fake(-1);
}

/* Feed n octets in pieces of at most step (0: whole), processing after
 * each; return the output (caller frees) and its length. */
static char *feed(const char *in, size_t n, size_t step, size_t *outlen,
		  int *closing)
{
	struct srv_conn *c = calloc(1, sizeof(*c));
	size_t room;
	char *out;

	srv_conn_start(c, &ctx);
	for (size_t off = 0; off < n;) {
		size_t k = step && n - off > step ? step : n - off;

		if (k > SRV_IN_CAP - c->in_len)
			k = SRV_IN_CAP - c->in_len;
		if (k == 0 || c->closing)
			break;
		memcpy(srv_conn_in_room(c, &room), in + off, k);
		ck_assert_int_eq(srv_conn_received(c, k, op_time_now()), 0);
		off += k;
		srv_conn_process(c);
	}
	*outlen = srv_conn_pending(c);
	*closing = c->closing;
	out = malloc(*outlen + 1);
	memcpy(out, srv_conn_out(c), *outlen);
	out[*outlen] = '\0';
	srv_conn_reset(c);
	free(c);
	return out;
}

static size_t post(char *buf, const uint8_t *der, int len, const char *extra)
{
	size_t n = (size_t)sprintf(buf, "POST /ocsp HTTP/1.1\r\nHost: x\r\n"
				   "Content-Type: application/ocsp-request\r\n"
				   "Content-Length: %d\r\n%s\r\n", len, extra);

	memcpy(buf + n, der, (size_t)len);
	return n + (size_t)len;
}

static size_t get(char *buf, const uint8_t *der, int len, const char *method)
{
	size_t n = (size_t)sprintf(buf, "%s /ocsp/", method);

	n += (size_t)EVP_EncodeBlock((unsigned char *)buf + n, der, len);
	return n + (size_t)sprintf(buf + n, " HTTP/1.1\r\nHost: x\r\n\r\n");
}

/* strstr over output that holds NUL octets (a served OCSPResponse has
 * some: responseStatus successful is 0a 01 00). */
static char *find(const char *from, const char *end, const char *what)
{
	return from && from < end ? memmem(from, (size_t)(end - from), what,
					   strlen(what)) : NULL;
}

/* The body of the answer whose head starts at p. */
static const char *body_at(const char *p, const char *end)
{
	const char *b = find(p, end, "\r\n\r\n");

	ck_assert_ptr_nonnull(b);
	return b + 4;
}

static int count(const char *s, size_t len, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = find(p, s + len, what)) != NULL; p++)
		n++;
	return n;
}

/* The requests of one keep-alive connection, back to back. */
static size_t pipeline(char *in)
{
	size_t n = 0;

	n += post(in + n, req_good, len_good, "");
	n += get(in + n, req_revoked, len_revoked, "GET");
	n += get(in + n, req_unknown, len_unknown, "GET");
	n += get(in + n, req_good, len_good, "HEAD");
	n += (size_t)sprintf(in + n, "GET /other/x HTTP/1.1\r\n\r\n");
	n += post(in + n, (const uint8_t *)"junk", 4, "");
	n += post(in + n, req_good, len_good,
		  "If-None-Match: \"X\", W/\"*\", *\r\nConnection: close\r\n");
	return n;
}

START_TEST(pipelined_answers_in_order)
{
	char in[8192], *out, *p, *end;
	size_t n = pipeline(in), olen;
	int closing;

	out = feed(in, n, 0, &olen, &closing);
	end = out + olen;
	ck_assert_int_eq(count(out, olen, "HTTP/1.1 "), 7);
	ck_assert_int_eq(closing, 1);
	p = find(out, end, "HTTP/1.1 200 OK\r\n");
	ck_assert_ptr_eq(p, out);
	/* The stored body, served inside its rebuilt OCSPResponse. */
	ck_assert_ptr_nonnull(find(p, end, "\r\n\r\n\x30"));
	ck_assert_ptr_nonnull(find(p, end, "GOOD-DER"));
	p = find(p + 1, end, "HTTP/1.1 200 OK\r\n");
	ck_assert_ptr_nonnull(find(p, end, "REVOKED-DER"));
	/* unknown serial: unsigned unauthorized */
	p = find(p + 1, end, "HTTP/1.1 200 OK\r\n");
	ck_assert_ptr_nonnull(find(p, end, "Cache-Control: no-cache\r\n"));
	ck_assert_int_eq(memcmp(body_at(p, end), "\x30\x03\x0a\x01\x06", 5), 0);
	/* HEAD: the head of the good answer, no body */
	p = find(p + 1, end, "HTTP/1.1 200 OK\r\n");
	ck_assert_ptr_nonnull(find(p, end, "Content-Length: 32\r\n"));
	ck_assert_int_eq(strncmp(body_at(p, end), "HTTP/1.1 404", 12), 0);
	p = find(p, end, "HTTP/1.1 404 Not Found\r\n");
	ck_assert_ptr_nonnull(p);
	p = find(p, end, "HTTP/1.1 200 OK\r\n");
	ck_assert_int_eq(memcmp(body_at(p, end), "\x30\x03\x0a\x01\x01", 5), 0);
	p = find(p, end, "HTTP/1.1 304 Not Modified\r\n");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(find(p, end, "Connection: close\r\n"));
	ck_assert_ptr_nonnull(find(p, end, "ETag: \""));
	ck_assert_uint_eq(w.stats.requests[SRV_HTTP_POST][SRV_R_GOOD], 1);
	ck_assert_uint_eq(w.stats.requests[SRV_HTTP_GET][SRV_R_REVOKED], 1);
	ck_assert_uint_eq(w.stats.requests[SRV_HTTP_GET][SRV_R_UNAUTHORIZED], 1);
	ck_assert_uint_eq(w.stats.requests[SRV_HTTP_POST][SRV_R_NOT_MODIFIED], 1);
	free(out);
}
END_TEST

START_TEST(split_at_every_octet)
{
	char in[8192], *whole, *part;
	size_t n = pipeline(in), wl, pl;
	int closing;

	whole = feed(in, n, 0, &wl, &closing);
	for (size_t step = 1; step < 300; step += 37) {
		part = feed(in, n, step, &pl, &closing);
		ck_assert_uint_eq(pl, wl);
		ck_assert_int_eq(memcmp(part, whole, wl), 0);
		free(part);
	}
	/* Every cut into two pieces. */
	for (size_t cut = 1; cut < n; cut++) {
		struct srv_conn *c = calloc(1, sizeof(*c));

		srv_conn_start(c, &ctx);
		memcpy(c->in, in, cut);
		c->in_len = cut;
		srv_conn_process(c);
		memcpy(c->in + c->in_len, in + cut, n - cut);
		c->in_len += n - cut;
		srv_conn_process(c);
		ck_assert_uint_eq(srv_conn_pending(c), wl);
		ck_assert_int_eq(memcmp(srv_conn_out(c), whole, wl), 0);
		srv_conn_reset(c);
		free(c);
	}
	free(whole);
}
END_TEST

/* The metrics line of name in what /metrics would show of this worker. */
static long long metric(const char *name)
{
	struct srv_counters *all[] = { &w.stats };
	struct evbuffer *b = evbuffer_new();
	size_t n, nl = strlen(name);
	char *text, *p;
	long long v = -1;

	srv_metrics_render(b, all, 1, NULL, 0);
	n = evbuffer_get_length(b);
	text = malloc(n + 1);
	evbuffer_remove(b, text, n);
	text[n] = '\0';
	for (p = text; (p = strstr(p, name)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[nl] == ' ')
			v = atoll(p + nl + 1);
	free(text);
	evbuffer_free(b);
	return v;
}

static long long rejected(int status)
{
	char name[80];

	snprintf(name, sizeof(name), "ocsp_serve_requests_rejected_total{status=\"%d\"}",
		 status);
	return metric(name);
}

/* One answer, status, closing or not; a refusal counted once more under
 * its status (404 is checked by the caller). */
static void expect_one(const char *in, size_t n, const char *status, int close)
{
	size_t olen;
	int closing, code = atoi(status + 9);
	long long before = code == 404 ? 0 : rejected(code);
	char *out = feed(in, n, 0, &olen, &closing);

	ck_assert_msg(strncmp(out, status, strlen(status)) == 0, "%s: got %.40s",
		      status, out);
	ck_assert_int_eq(count(out, olen, "HTTP/1.1 "), 1);
	ck_assert_int_eq(closing, close);
	if (code != 404)
		ck_assert_int_eq(rejected(code), before + 1);
	free(out);
}

START_TEST(refusals)
{
	static char big[SRV_IN_CAP];
	const char *q;
	size_t n;

	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	expect_one(big, sizeof(big), "HTTP/1.1 431 ", 1);
	q = "POST /ocsp HTTP/1.1\r\nContent-Length: 10241\r\n\r\n";
	expect_one(q, strlen(q), "HTTP/1.1 413 ", 1);
	q = "POST /ocsp HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	expect_one(q, strlen(q), "HTTP/1.1 411 ", 1);
	q = "DELETE /ocsp HTTP/1.1\r\n\r\nGET /ocsp/x HTTP/1.1\r\n\r\n";
	expect_one(q, strlen(q), "HTTP/1.1 405 ", 1);
	q = "GET /ocsp/x HTTP/9.9\r\n\r\n";
	expect_one(q, strlen(q), "HTTP/1.1 400 ", 1);
	q = "HEAD /ocsp HTTP/1.1\r\nContent-Length: 99999\r\n\r\n";
	expect_one(q, strlen(q), "HTTP/1.1 413 ", 1);
	q = "GET /ocsp/x HTTP/1.1\nHost: x\r\n\r\n";
	expect_one(q, strlen(q), "HTTP/1.1 400 ", 1);
	/* Each under its own status, none as an OCSP result. */
	ck_assert_int_eq(rejected(400), 2);
	ck_assert_int_eq(rejected(405), 1);
	ck_assert_int_eq(rejected(411), 1);
	ck_assert_int_eq(rejected(413), 2);
	ck_assert_int_eq(rejected(431), 1);
	ck_assert_int_eq(rejected(500), 0);
	for (int m = 0; m < SRV_HTTP_OTHER; m++)
		for (int r = 0; r < SRV_R_COUNT; r++)
			ck_assert_uint_eq(w.stats.requests[m][r], 0);
	/* The big head fits when it ends in time; outside the path prefix
	 * is what not_found counts. */
	n = (size_t)sprintf(big, "GET /other HTTP/1.1\r\nX: %0*d\r\n\r\n", 8000, 0);
	expect_one(big, n, "HTTP/1.1 404 ", 0);
	ck_assert_int_eq(metric("ocsp_serve_requests_total{method=\"GET\","
				"result=\"not_found\"}"), 1);
}
END_TEST

START_TEST(expect_continue)
{
	char in[1024];
	size_t n = post(in, req_good, len_good, "Expect: 100-continue\r\n"), olen;
	int closing;
	char *out;

	/* Head and part of the body: only the interim answer, once. */
	out = feed(in, n - 10, 0, &olen, &closing);
	ck_assert_str_eq(out, "HTTP/1.1 100 Continue\r\n\r\n");
	free(out);
	out = feed(in, n, 0, &olen, &closing);
	ck_assert_int_eq(strncmp(out, "HTTP/1.1 200 OK", 15), 0);
	ck_assert_int_eq(closing, 0);
	free(out);
}
END_TEST

CHECK_MAIN("srv_conn", setup, teardown,
	   pipelined_answers_in_order, split_at_every_octet, refusals,
	   expect_continue)
