/* srv_http: the request head parser and the response head. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check_run.h"
#include "srv_http.h"

START_TEST(http_parse)
{
	struct srv_http_req r;
	const char *q;

	q = "POST /ocsp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
	    "application/ocsp-request\r\ncontent-length: 67\r\n\r\nBODY";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.method, SRV_HTTP_POST);
	ck_assert_int_eq(r.content_length, 67);
	ck_assert_int_eq(r.keep_alive, 1);
	ck_assert_uint_eq(r.head_len, strlen(q) - 4);
	ck_assert_int_eq(r.target_len == 5 && memcmp(r.target, "/ocsp", 5) == 0, 1);
	/* Every prefix of the head is "need more", never an error. */
	for (size_t n = 0; n < r.head_len; n++)
		ck_assert_int_eq(srv_http_parse(q, n, 8192, &r), SRV_HTTP_NEED_MORE);

	q = "GET /x HTTP/1.0\r\nIf-None-Match:  \"AB\" \r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.keep_alive, 0);
	ck_assert_int_eq(r.if_none_match_len, 4);
	ck_assert_int_eq(memcmp(r.if_none_match, "\"AB\"", 4), 0);

	q = "HEAD / HTTP/1.1\r\nConnection: close\r\nExpect: 100-continue\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.method, SRV_HTTP_HEAD);
	ck_assert_int_eq(r.keep_alive, 0);
	ck_assert_int_eq(r.expect_continue, 1);

	q = "DELETE / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.method, SRV_HTTP_OTHER);
	ck_assert_int_eq(r.chunked, 1);

	q = "GET / HTTP/2.0\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "garbage\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "GET / HTTP/1.1\r\nX: y\r\n folded\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "GET / HTTP/1.1\r\nX: yyyyyyyyyyyyyyyyyyyy";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 16, &r), SRV_HTTP_TOO_LARGE);
}
END_TEST

/* RFC 9112's musts for a server, each one a 400 (request smuggling
 * behind a proxy lives in lenient parsers). */
START_TEST(http_strict)
{
	static const char *const bad[] = {
		"GET /x HTTP/1.1\n\n",				/* bare LF */
		"GET /x HTTP/1.1\r\nHost: a\n\r\n",		/* bare LF */
		"GET /x HTTP/1.1\r\nHost: a\rb\r\n\r\n",		/* bare CR */
		"GET /x HTTP/1.1\r\nHost : a\r\n\r\n",		/* blank before : */
		"GET /x HTTP/1.1\r\nHost\t: a\r\n\r\n",
		"GET /x HTTP/1.1\r\nX: a\r\n\tfolded\r\n\r\n",	/* obs-fold */
		"GET /x HTTP/1.1\r\n folded: a\r\n\r\n",
		"GET /x HTTP/1.1\r\nno colon\r\n\r\n",
		"GET /x HTTP/1.1\r\n: empty name\r\n\r\n",
		"GET /x HTTP/1.1\r\nX: a\x01b\r\n\r\n",		/* control char */
		"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\n"
		"Transfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		"Content-Length: 5\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: \r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
		"GET  /x HTTP/1.1\r\n\r\n",				/* two blanks */
		"GET /x  HTTP/1.1\r\n\r\n",
		"GET /x HTTP/1.1 \r\n\r\n",
		"GET /x HTTP/1.1x\r\n\r\n",
		"GET /\x7f HTTP/1.1\r\n\r\n",
		"G(T /x HTTP/1.1\r\n\r\n",
	};
	struct srv_http_req r;
	const char *q;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(srv_http_parse(bad[i], strlen(bad[i]), 8192, &r) ==
			      SRV_HTTP_BAD, "accepted: %s", bad[i]);
	/* A bare LF is refused as soon as it arrives, not after a wait for a
	 * CRLF that never comes. */
	q = "GET /x HTTP/1.1\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "GET /x HTTP/1.1\r";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_NEED_MORE);

	/* Equal duplicates are one length (RFC 9112 6.3). */
	q = "POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-length: 7, 7\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.content_length, 7);
	/* Empty lines before the request line are skipped, and consumed. */
	q = "\r\n\r\nGET /x HTTP/1.1\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_uint_eq(r.head_len, strlen(q));
	ck_assert_int_eq(r.target_len == 2 && memcmp(r.target, "/x", 2) == 0, 1);
	/* The absolute form is read as its path. */
	q = "GET http://ocsp.example:80/ocsp/MEMw HTTP/1.1\r\nHost: x\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.target_len == 10 && memcmp(r.target, "/ocsp/MEMw", 10) == 0, 1);
	q = "POST HTTPS://ocsp.example HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_uint_eq(r.target_len, 0);
	/* Transfer-Encoding alone parses: the connection answers 411. */
	q = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.chunked, 1);
}
END_TEST

START_TEST(http_head_limit)
{
	static char q[8300];
	struct srv_http_req r;
	size_t n;

	/* A head of exactly max_head octets fits; one more does not, however
	 * many octets have arrived. */
	n = (size_t)sprintf(q, "GET /x HTTP/1.1\r\nX: %0*d\r\n\r\n", 8192 - 24, 0);
	ck_assert_uint_eq(n, 8192);
	ck_assert_int_eq(srv_http_parse(q, n, 8192, &r), SRV_HTTP_DONE);
	ck_assert_uint_eq(r.head_len, 8192);
	n = (size_t)sprintf(q, "GET /x HTTP/1.1\r\nX: %0*d\r\n\r\nGET", 8193 - 24, 0);
	ck_assert_int_eq(srv_http_parse(q, 8192, 8192, &r), SRV_HTTP_TOO_LARGE);
	ck_assert_int_eq(srv_http_parse(q, n, 8192, &r), SRV_HTTP_TOO_LARGE);
}
END_TEST

#define DATE "Sat, 21 Nov 2026 18:58:08 GMT"

START_TEST(http_head)
{
	char out[512];
	struct srv_http_head h;
	size_t n;

	srv_http_head_start(&h, out, sizeof(out), 200, DATE);
	srv_http_head_field(&h, "Content-Type", "application/ocsp-response");
	srv_http_head_put(&h, "Content-Length: ", 16);
	srv_http_head_num(&h, 1337);
	srv_http_head_put(&h, "\r\nLast-Modified: ", 17);
	srv_http_head_date(&h, 0);
	srv_http_head_put(&h, "\r\n", 2);
	n = srv_http_head_end(&h, 0);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 200 OK\r\nDate: " DATE "\r\n"
			 "Content-Type: application/ocsp-response\r\n"
			 "Content-Length: 1337\r\n"
			 "Last-Modified: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n");
	srv_http_head_start(&h, out, sizeof(out), 304, "D");
	n = srv_http_head_end(&h, 1);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 304 Not Modified\r\nDate: D\r\n"
			 "Connection: close\r\n\r\n");
	/* A status we have no phrase for still gets a well-formed line. */
	srv_http_head_start(&h, out, sizeof(out), 299, "D");
	n = srv_http_head_end(&h, 0);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 299 Error\r\nDate: D\r\n\r\n");
}
END_TEST

/* A head that does not fit: 0 at the end, whichever append failed, and
 * no octet written past the buffer. */
START_TEST(http_head_overflow)
{
	char out[64];
	struct srv_http_head h;
	size_t full;

	srv_http_head_start(&h, out, sizeof(out), 200, DATE);
	full = h.len;
	ck_assert_uint_eq(full, strlen("HTTP/1.1 200 OK\r\nDate: " DATE "\r\n"));
	for (size_t cap = 0; cap <= full + 2; cap++) {
		memset(out, 'x', sizeof(out));
		srv_http_head_start(&h, out, cap, 200, DATE);
		ck_assert_uint_eq(srv_http_head_end(&h, 0), cap == full + 2 ? full + 2 : 0);
		ck_assert_int_eq(out[cap], 'x');
	}
	/* Sticky: a later append that would fit does not revive it. */
	srv_http_head_start(&h, out, full + 4, 200, DATE);
	srv_http_head_field(&h, "X", "a value that does not fit");
	ck_assert_int_eq(h.overflow, 1);
	full = h.len;
	srv_http_head_put(&h, "y", 1);
	ck_assert_uint_eq(h.len, full);
	ck_assert_uint_eq(srv_http_head_end(&h, 0), 0);
}
END_TEST

/* SRV_HTTP_HEAD_MAX is reached exactly by the longest of every part. */
START_TEST(http_head_max)
{
	char out[1024];
	struct srv_http_head h;
	char type[40], value[100];

	memset(type, 't', 39);
	type[39] = '\0';
	memset(value, 'v', 99);
	value[99] = '\0';
	srv_http_head_start(&h, out, sizeof(out), 431, DATE);
	srv_http_head_field(&h, "Content-Type", type);
	srv_http_head_put(&h, "Content-Length: ", 16);
	srv_http_head_num(&h, UINT64_MAX);
	srv_http_head_put(&h, "\r\n", 2);
	srv_http_head_field(&h, "X-Field", value);
	ck_assert_uint_eq(srv_http_head_end(&h, 1),
			  SRV_HTTP_HEAD_MAX(39, SRV_HTTP_FIELD("X-Field", 99)));
}
END_TEST

START_TEST(http_date)
{
	char d[SRV_HTTP_DATE_LEN + 1];
	struct srv_http_clock k = { 0 };

	srv_http_date(0, d);
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	srv_http_date(1795287488, d);
	ck_assert_str_eq(d, DATE);
	srv_http_date(951782400, d);
	ck_assert_str_eq(d, "Tue, 29 Feb 2000 00:00:00 GMT");
	/* A damaged record's times stay within the tables and four digits. */
	srv_http_date(INT64_MAX, d);
	ck_assert_str_eq(d, "Fri, 31 Dec 9999 23:59:59 GMT");
	srv_http_date(-86400, d);
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	/* The clock formats once per second, the epoch included. */
	ck_assert_str_eq(srv_http_clock_date(&k, 0), "Thu, 01 Jan 1970 00:00:00 GMT");
	ck_assert_str_eq(srv_http_clock_date(&k, 1795287488), DATE);
	k.date[0] = 'X';
	ck_assert_int_eq(srv_http_clock_date(&k, 1795287488)[0], 'X');
	ck_assert_str_eq(srv_http_clock_date(&k, 1795287489),
			 "Sat, 21 Nov 2026 18:58:09 GMT");
}
END_TEST

CHECK_MAIN("srv_http", NULL, NULL,
	   http_parse, http_strict, http_head_limit, http_head,
	   http_head_overflow, http_head_max, http_date)
