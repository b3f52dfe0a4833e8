/* srv_http: the request head parser and the response head. */
#include <check.h>
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

	q = "GET /x HTTP/1.0\nIf-None-Match:  \"AB\" \n\n";
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

START_TEST(http_head)
{
	char out[512];
	size_t n;

	n = srv_http_head(out, sizeof(out), 200, "Sat, 21 Nov 2026 18:58:08 GMT",
			  "application/ocsp-response", 1337, "ETag: \"A\"\r\n", 0);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 200 OK\r\nDate: Sat, 21 Nov 2026 18:58:08 GMT\r\n"
			 "Content-Type: application/ocsp-response\r\n"
			 "Content-Length: 1337\r\nETag: \"A\"\r\n\r\n");
	n = srv_http_head(out, sizeof(out), 304, "D", NULL, -1, NULL, 1);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 304 Not Modified\r\nDate: D\r\n"
			 "Connection: close\r\n\r\n");
	ck_assert_uint_eq(srv_http_head(out, 20, 200, "D", "x", 1, NULL, 0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("srv_http");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, http_parse);
	tcase_add_test(tc, http_head_limit);
	tcase_add_test(tc, http_head);
	suite_add_tcase(s, tc);
	return check_run(s);
}
