/* srv_alog: the access log line, per-thread buffering, reopening. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "op_key.h"
#include "srv_alog.h"

static struct srv_alog_entry entry(const uint8_t *key, size_t keylen)
{
	struct srv_alog_entry e = { 0 };

	e.when.tv_sec = 1795287488;	/* Sat, 21 Nov 2026 18:58:08 */
	e.when.tv_nsec = 7999999;
	e.client = "192.0.2.7";
	e.method = "POST";
	e.key = key;
	e.keylen = keylen;
	e.result = "revoked";
	e.status = 200;
	e.bytes = 1489;
	e.micros = 41;
	return e;
}

START_TEST(line_format)
{
	uint8_t name[20], kh[20], serial[] = { 0x10, 0x03 }, key[OP_KEY_MAX];
	size_t keylen, n;
	char out[SRV_ALOG_LINE_MAX];
	struct srv_alog_entry e;

	memset(name, 0x11, sizeof(name));
	for (int i = 0; i < 20; i++)
		kh[i] = (uint8_t)(0xa0 + i);
	ck_assert_int_eq(op_key_make(key, &keylen, OP_HASH_SHA1, name, 20, kh, 20,
				     serial, 2), 0);
	e = entry(key, keylen);
	n = srv_alog_format(out, &e);
	out[n] = '\0';
	ck_assert_str_eq(out, "2026-11-21T18:58:08.007Z 192.0.2.7 POST "
			 "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3 1003 revoked 200 1489 41\n");
	/* No key (malformed, unknown hash, HTTP refusal); odd text. */
	e = entry(NULL, 0);
	e.client = "";
	e.method = "-";
	e.result = "rejected";
	e.status = 405;
	e.micros = -3;
	n = srv_alog_format(out, &e);
	out[n] = '\0';
	ck_assert_str_eq(out, "2026-11-21T18:58:08.007Z - - - - rejected 405 1489 0\n");
	e.client = "a b\nc";
	n = srv_alog_format(out, &e);
	out[n] = '\0';
	ck_assert_ptr_nonnull(strstr(out, " a?b?c - "));
	/* A key too short for its tag is not read past its end. */
	e = entry(key, 21);
	n = srv_alog_format(out, &e);
	out[n] = '\0';
	ck_assert_ptr_nonnull(strstr(out, " POST - - revoked "));
}
END_TEST

/* Lines in a file. */
static int lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, ch;

	if (!f)
		return -1;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

START_TEST(buffered_then_reopened)
{
	char dir[] = "/tmp/check_alog.XXXXXX", path[64], moved[64];
	struct srv_alog l;
	struct srv_alog_buf b;
	struct srv_alog_entry e = entry(NULL, 0);
	char tmp[SRV_ALOG_LINE_MAX];
	int n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/access.log", dir);
	snprintf(moved, sizeof(moved), "%s/access.log.1", dir);
	ck_assert_int_eq(srv_alog_open(&l, path), 0);
	ck_assert_int_eq(srv_alog_buf_init(&b), 0);
	/* Nothing is written per line: only a nearly full buffer goes out. */
	srv_alog_add(&b, &l, &e);
	ck_assert_int_eq(lines(path), 0);
	for (n = 1; lines(path) == 0 && n < 10000; n++)
		srv_alog_add(&b, &l, &e);
	ck_assert_int_gt(n, SRV_ALOG_BUF / SRV_ALOG_LINE_MAX);
	ck_assert_int_eq(lines(path) + (int)(b.len / srv_alog_format(tmp, &e)), n);
	srv_alog_flush(&b, &l);
	ck_assert_int_eq(lines(path), n);
	/* logrotate: rename, then SIGUSR1 (reopen); buffered lines land in
	 * the new file, none is lost. */
	srv_alog_add(&b, &l, &e);
	ck_assert_int_eq(rename(path, moved), 0);
	srv_alog_add(&b, &l, &e);
	ck_assert_int_eq(srv_alog_reopen(&l), 0);
	srv_alog_flush(&b, &l);
	ck_assert_int_eq(lines(moved), n);
	ck_assert_int_eq(lines(path), 2);
	srv_alog_buf_free(&b);
	srv_alog_close(&l);
	unlink(path);
	unlink(moved);
	rmdir(dir);
	/* A path that cannot be opened is an error naming it. */
	ck_assert_int_ne(srv_alog_open(&l, "/nonexistent/dir/access.log"), 0);
	ck_assert_int_eq(srv_alog_open(&l, "stderr"), 0);
	ck_assert_int_eq(l.fd, 2);
	ck_assert_int_eq(srv_alog_reopen(&l), 0);
}
END_TEST

/* client(MODE, ADDRESS): the CLIENT field for a peer at ADDRESS. */
static const char *client(enum srv_alog_ip mode, const char *addr)
{
	static char buf[48];
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;

	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &v6->sin6_addr), 1);
		v6->sin6_family = AF_INET6;
	}
	srv_alog_client((struct sockaddr *)&ss, mode, buf, sizeof(buf));
	return buf;
}

START_TEST(client_address_modes)
{
	enum srv_alog_ip m;

	ck_assert_str_eq(client(SRV_ALOG_IP_FULL, "192.0.2.7"), "192.0.2.7");
	ck_assert_str_eq(client(SRV_ALOG_IP_FULL, "2001:db8:1:2::7"), "2001:db8:1:2::7");
	/* truncate: the /24 and the /48 a network operator would block. */
	ck_assert_str_eq(client(SRV_ALOG_IP_TRUNCATE, "192.0.2.7"), "192.0.2.0");
	ck_assert_str_eq(client(SRV_ALOG_IP_TRUNCATE, "203.0.113.255"), "203.0.113.0");
	ck_assert_str_eq(client(SRV_ALOG_IP_TRUNCATE, "2001:db8:1:2::7"), "2001:db8:1::");
	ck_assert_str_eq(client(SRV_ALOG_IP_TRUNCATE,
				"2001:db8:abcd:ffff:ffff:ffff:ffff:ffff"), "2001:db8:abcd::");
	/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d: cut as
	 * IPv4, not to a /48 that would keep nothing. */
	ck_assert_str_eq(client(SRV_ALOG_IP_TRUNCATE, "::ffff:192.0.2.7"), "192.0.2.0");
	ck_assert_str_eq(client(SRV_ALOG_IP_NONE, "192.0.2.7"), "-");
	ck_assert_str_eq(client(SRV_ALOG_IP_NONE, "2001:db8::7"), "-");
	ck_assert_int_eq(srv_alog_ip_parse("truncate", &m), 0);
	ck_assert_int_eq(m, SRV_ALOG_IP_TRUNCATE);
	ck_assert_int_eq(srv_alog_ip_parse("none", &m), 0);
	ck_assert_int_eq(m, SRV_ALOG_IP_NONE);
	ck_assert_int_eq(srv_alog_ip_parse("full", &m), 0);
	ck_assert_int_eq(m, SRV_ALOG_IP_FULL);
	ck_assert_int_eq(srv_alog_ip_parse("24", &m), -1);
}
END_TEST

CHECK_MAIN("srv_alog", NULL, NULL,
	   line_format, buffered_then_reopened, client_address_modes)
