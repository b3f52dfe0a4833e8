/*
 * libFuzzer target: the server's HTTP layer as a client reaches it, the
 * head parser (srv_http) and the connection's request state machine
 * (srv_conn, with the answer policy, a real LMDB file and the access log
 * behind it), fed without a socket.
 *
 * The input is what a client sends on one connection; it may end in a
 * trailer "\0FZ" REP STEP: the rest is sent REP + 1 times (pipelined
 * floods, oversized heads and bodies) in pieces of STEP + 1 octets.
 * Without a trailer, inputs up to 2 KiB are also sent one octet at a
 * time, larger ones in pieces and cut on each side of the head limit.
 * Checked: the answers do not depend on how the octets were split (apart
 * from "100 Continue", which only a split body earns); a connection never
 * stalls with a full input buffer; every answer is an HTTP/1.1 response;
 * parser results stay within the buffer and the head limit; a head the
 * parser accepts keeps RFC 9112's framing rules (check_strict: CRLF only,
 * no obs-fold, no blank before a colon, not both Content-Length and
 * Transfer-Encoding).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/test_db.h"
#include "op_time.h"
#include "srv_conn.h"
#include "srv_http.h"
#include "srv_req.h"
#include "srv_worker.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define MAX_STREAM (256 * 1024)
#define CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"

/* tests/fuzz/corpus/http/request.der, which the real-client seeds ask
 * for: the file below holds a response under its key. */
static const uint8_t request_der[] = {
	0x30, 0x43, 0x30, 0x41, 0x30, 0x3f, 0x30, 0x3d, 0x30, 0x3b, 0x30, 0x09,
	0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14, 0x7a,
	0x09, 0xa0, 0x6d, 0xff, 0xc8, 0xa2, 0xc6, 0x06, 0x13, 0xbe, 0x71, 0x1d,
	0x7a, 0x09, 0xd4, 0x7b, 0x71, 0x3d, 0x9e, 0x04, 0x14, 0x78, 0xe5, 0x51,
	0x5b, 0xec, 0x94, 0x2d, 0xa4, 0x98, 0x73, 0x09, 0x35, 0x37, 0x8a, 0xfa,
	0xc2, 0xdb, 0xce, 0xc6, 0x17, 0x02, 0x02, 0x10, 0x01,
};

#define T0 1795287488

static char dir[] = "/tmp/fuzz_http.XXXXXX", path[64];
static struct srv_cfg cfg;
static struct srv_worker w;	/* its files and lookup only: no loop */
static struct srv_conn_ctx ctx;
static struct srv_conn *conn;

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

/* A responses file with one good response for request_der. */
static void make_db(void)
{
	uint8_t key[OP_KEY_MAX];
	size_t keylen;
	struct test_resp r = { key, 0, OP_STATUS_GOOD, T0, T0 + 86400,
			       "GOOD-RESPONSE-DER" };

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/db", dir);
	atexit(cleanup);
	CHECK(srv_req_parse(request_der, sizeof(request_der), key, &keylen) == SRV_REQ_OK);
	r.keylen = keylen;
	CHECK(test_db_write(path, T0, &r, 1) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	op_time_set_fake(T0 + 60);	/* the Date header must not change */
	make_db();
	CHECK(srv_db_slot_init(&cfg.slots[0], path) == 0);
	cfg.nslots = 1;
	cfg.prefix = "/ocsp";
	cfg.max_age = 3600;
	CHECK((cfg.alog.fd = open("/dev/null", O_WRONLY)) >= 0);
	w.cfg = &cfg;
	CHECK(srv_alog_buf_init(&w.alog_buf) == 0);
	ctx = (struct srv_conn_ctx){ .lookup = srv_worker_lookup, .lookup_arg = &w,
		.prefix = cfg.prefix, .max_age = cfg.max_age, .stats = &w.stats,
		.alog_buf = &w.alog_buf, .alog = &cfg.alog };
	CHECK((conn = calloc(1, sizeof(*conn))) != NULL);
	return 0;
}

struct out {
	char *p;
	size_t len, cap;
};

/* Take what the connection queued, as a socket that reads all would. */
static void drain(struct out *o)
{
	size_t n = srv_conn_pending(conn);

	if (n == 0)
		return;
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		CHECK((o->p = realloc(o->p, o->cap)) != NULL);
	}
	memcpy(o->p + o->len, srv_conn_out(conn), n);
	o->len += n;
	srv_conn_sent(conn, n);
}

/* Process until nothing more can be done without more input. */
static void settle(struct out *o)
{
	for (int i = 0; i < 100000; i++) {
		int n = srv_conn_process(conn);

		drain(o);
		if (n == 0)
			break;
	}
	/* A full input buffer always holds a request or an error to answer:
	 * otherwise the server would stop reading and never go on. */
	CHECK(conn->closing || conn->in_len < SRV_IN_CAP);
}

/* Send stream in pieces: first octets (0: no such piece), then pieces
 * of step octets (0: as much as fits). */
static void run(const uint8_t *stream, size_t n, size_t first, size_t step,
		struct out *o)
{
	srv_conn_start(conn, &ctx);
	for (size_t off = 0; off < n && !conn->closing;) {
		size_t k;
		char *room = srv_conn_in_room(conn, &k);

		if (off == 0 && first && k > first)
			k = first;
		else if (off && step && k > step)
			k = step;
		if (k > n - off)
			k = n - off;
		CHECK(k > 0);
		memcpy(room, stream + off, k);
		srv_conn_received(conn, k, T0 + 60);
		off += k;
		settle(o);
	}
	srv_conn_reset(conn);
	srv_alog_flush(&w.alog_buf, &cfg.alog);
}

static void strip_continue(struct out *o)
{
	char *p;

	if (!o->p)
		return;
	while ((p = memmem(o->p, o->len, CONTINUE, sizeof(CONTINUE) - 1)) != NULL) {
		memmove(p, p + sizeof(CONTINUE) - 1,
			o->len - (size_t)(p - o->p) - (sizeof(CONTINUE) - 1));
		o->len -= sizeof(CONTINUE) - 1;
	}
}

/* RFC 9112's framing rules, checked again on what the parser accepted:
 * CRLF line ends only, no NUL, no field line starting with a blank
 * (obs-fold) or without a token right before its colon, never both
 * framings. */
static void check_strict(const char *h, size_t n, const struct srv_http_req *r)
{
	size_t line = 0;
	int first = 1;

	CHECK(n >= 4 && memcmp(h + n - 4, "\r\n\r\n", 4) == 0);
	for (size_t i = 0; i < n; i++) {
		CHECK(h[i] != '\0');
		CHECK(h[i] != '\n' || (i > 0 && h[i - 1] == '\r'));
		CHECK(h[i] != '\r' || (i + 1 < n && h[i + 1] == '\n'));
		if (h[i] != '\n')
			continue;
		if (i - 1 > line && !first) {	/* a field line h[line..i-1) */
			const char *colon = memchr(h + line, ':', i - 1 - line);

			CHECK(h[line] != ' ' && h[line] != '\t');
			CHECK(colon && colon > h + line && colon[-1] != ' ' &&
			      colon[-1] != '\t');
		}
		if (i - 1 > line)
			first = 0;
		line = i + 1;
	}
	CHECK(!(r->chunked && r->content_length >= 0));
}

static void parse_alone(const uint8_t *data, size_t size)
{
	struct srv_http_req r;
	size_t max_head = size ? 1 + data[0] * 32u : 8192;
	int rc = srv_http_parse((const char *)data, size, max_head, &r);

	if (rc != SRV_HTTP_DONE)
		return;
	check_strict((const char *)data, r.head_len, &r);
	CHECK(r.head_len <= size && r.head_len <= max_head);
	CHECK(r.target >= (const char *)data &&
	      r.target + r.target_len <= (const char *)data + r.head_len);
	CHECK(!r.if_none_match || r.if_none_match + r.if_none_match_len <=
	      (const char *)data + r.head_len);
	CHECK(r.method >= SRV_HTTP_GET && r.method <= SRV_HTTP_OTHER);
}

/* Send stream whole and in pieces; the answers must be the same. */
static void compare(const uint8_t *stream, size_t n, size_t first, size_t step)
{
	struct out whole = { 0 }, split = { 0 };

	run(stream, n, 0, 0, &whole);
	run(stream, n, first, step, &split);
	strip_continue(&whole);
	strip_continue(&split);
	CHECK(whole.len == split.len &&
	      (whole.len == 0 || memcmp(whole.p, split.p, whole.len) == 0));
	CHECK(whole.len == 0 || memcmp(whole.p, "HTTP/1.1 ", 9) == 0);
	free(whole.p);
	free(split.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t rep = 1, n;
	uint8_t *stream;

	parse_alone(data, size);
	if (size >= 5 && memcmp(data + size - 5, "\0FZ", 3) == 0) {
		rep = 1 + data[size - 2];
		size -= 5;
		if (size == 0)
			return 0;
		if (rep > MAX_STREAM / size)
			rep = MAX_STREAM / size ? MAX_STREAM / size : 1;
		n = size * rep;
		CHECK((stream = malloc(n)) != NULL);
		for (size_t i = 0; i < rep; i++)
			memcpy(stream + i * size, data, size);
		compare(stream, n, 0, 1 + data[size + 4]);
		free(stream);
		return 0;
	}
	if (size == 0)
		return 0;
	if (size <= 2048) {
		compare(data, size, 0, 1);	/* every octet on its own */
		return 0;
	}
	/* Large: pieces of a size of the input's choosing, and a cut on each
	 * side of the head limit. */
	compare(data, size, 0, 1 + size % 97);
	compare(data, size, SRV_MAX_HEAD, 0);
	compare(data, size, SRV_MAX_HEAD - 1, 0);
	return 0;
}
