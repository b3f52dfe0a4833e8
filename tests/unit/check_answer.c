/* srv_answer: the answer policy, on the fake clock. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_run.h"
#include "op_rec.h"
#include "op_time.h"
#include "srv_answer.h"

#define T0 1795287488	/* Sat, 21 Nov 2026 18:58:08 */

/* A stored body (tbsResponseData etc.); served wrapped by op_rec_emit. */
static const uint8_t der[] = { 0x30, 0x82, 0x01, 0x00 };

static struct op_rec rec_at(int status)
{
	struct op_rec r = { 0 };

	r.status = (uint8_t)status;
	r.this_update = T0;
	r.next_update = T0 + 7 * 86400;
	memset(r.etag, 0xab, sizeof(r.etag));
	r.body = der;
	r.body_len = sizeof(der);
	return r;
}

#define DATE "Sat, 21 Nov 2026 18:58:08 GMT"

/* The answer's head, as written (static: valid until the next call). */
static const char *head_of(const struct srv_answer *a)
{
	static char out[SRV_ANSWER_HEAD_MAX + 1];
	size_t n = srv_answer_head(a, DATE, 0, out, SRV_ANSWER_HEAD_MAX);

	ck_assert_uint_ne(n, 0);
	out[n] = '\0';
	return out;
}

static void assert_unsigned(const struct srv_answer *a, enum srv_result r,
			    uint8_t code)
{
	ck_assert_int_eq(a->result, r);
	ck_assert_int_eq(a->status, 200);
	ck_assert_str_eq(a->content_type, "application/ocsp-response");
	ck_assert_uint_eq(a->body_len, 5);
	ck_assert_int_eq(memcmp(a->body, "\x30\x03\x0a\x01", 4), 0);
	ck_assert_uint_eq(a->body[4], code);
	ck_assert_str_eq(head_of(a), "HTTP/1.1 200 OK\r\nDate: " DATE "\r\n"
			 "Content-Type: application/ocsp-response\r\n"
			 "Content-Length: 5\r\nCache-Control: no-cache\r\n\r\n");
}

START_TEST(unknown_is_unauthorized)
{
	struct srv_answer a;

	op_time_set_fake(T0);
	srv_answer_make(NULL, op_time_now(), 86400, NULL, 0, &a);
	assert_unsigned(&a, SRV_R_UNAUTHORIZED, 6);
	srv_answer_error(SRV_R_UNAUTHORIZED, &a);
	assert_unsigned(&a, SRV_R_UNAUTHORIZED, 6);
	srv_answer_error(SRV_R_MALFORMED, &a);
	assert_unsigned(&a, SRV_R_MALFORMED, 1);
	/* A stored response that could not be read is not "unknown". */
	srv_answer_error(SRV_R_INTERNAL, &a);
	assert_unsigned(&a, SRV_R_INTERNAL, 2);
	ck_assert_str_eq(srv_answer_result_name(SRV_R_INTERNAL), "internalError");
	op_time_set_fake(-1);
}
END_TEST

START_TEST(stale_is_try_later)
{
	struct op_rec r = rec_at(OP_STATUS_GOOD);
	struct srv_answer a;

	/* At nextUpdate exactly the response is no longer valid. */
	op_time_set_fake(r.next_update);
	srv_answer_make(&r, op_time_now(), 86400, NULL, 0, &a);
	assert_unsigned(&a, SRV_R_TRYLATER, 3);
	op_time_set_fake(r.next_update - 1);
	srv_answer_make(&r, op_time_now(), 86400, NULL, 0, &a);
	ck_assert_int_eq(a.result, SRV_R_GOOD);
	op_time_set_fake(-1);
}
END_TEST

START_TEST(good_with_cache_headers)
{
	struct op_rec r = rec_at(OP_STATUS_GOOD);
	struct srv_answer a;

	op_time_set_fake(T0 + 3600);
	srv_answer_make(&r, op_time_now(), 86400, NULL, 0, &a);
	ck_assert_int_eq(a.result, SRV_R_GOOD);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(a.has_rec, 1);
	ck_assert_ptr_eq(a.rec.body, der);
	ck_assert_uint_eq(a.body_len, op_rec_served_len(&r));
	ck_assert_int_eq(a.cache, SRV_ANSWER_CACHE_STORED);
	ck_assert_str_eq(head_of(&a), "HTTP/1.1 200 OK\r\nDate: " DATE "\r\n"
		"Content-Type: application/ocsp-response\r\nContent-Length: 28\r\n"
		"Cache-Control: max-age=86400, public, no-transform, must-revalidate\r\n"
		"Last-Modified: Sat, 21 Nov 2026 18:58:08 GMT\r\n"
		"Expires: Sat, 28 Nov 2026 18:58:08 GMT\r\n"
		"ETag: \"ABABABABABABABABABABABABABABABAB\"\r\n\r\n");
	/* max-age = min(nextUpdate - now, --max-age) */
	op_time_set_fake(r.next_update - 120);
	srv_answer_make(&r, op_time_now(), 86400, NULL, 0, &a);
	ck_assert_ptr_nonnull(strstr(head_of(&a), "max-age=120,"));
	srv_answer_make(&r, op_time_now(), 60, NULL, 0, &a);
	ck_assert_ptr_nonnull(strstr(head_of(&a), "max-age=60,"));
	srv_answer_make(&r, op_time_now(), 0, NULL, 0, &a);
	ck_assert_ptr_nonnull(strstr(head_of(&a), "max-age=0,"));
	op_time_set_fake(-1);
}
END_TEST

START_TEST(revoked)
{
	struct op_rec r = rec_at(OP_STATUS_REVOKED);
	struct srv_answer a;

	op_time_set_fake(T0);
	srv_answer_make(&r, op_time_now(), 86400, NULL, 0, &a);
	ck_assert_int_eq(a.result, SRV_R_REVOKED);
	ck_assert_int_eq(a.status, 200);
	ck_assert_ptr_eq(a.rec.body, der);
	op_time_set_fake(-1);
}
END_TEST

START_TEST(if_none_match)
{
	struct op_rec r = rec_at(OP_STATUS_GOOD);
	struct srv_answer a;
	/* Not NUL-terminated where the length ends: a header in a buffer. */
	const char *inm = "\"X\", \"ABABABABABABABABABABABABABABABAB\"trailing";

	op_time_set_fake(T0);
	srv_answer_make(&r, op_time_now(), 86400, inm, strlen(inm) - 8, &a);
	ck_assert_int_eq(a.result, SRV_R_NOT_MODIFIED);
	ck_assert_int_eq(a.status, 304);
	ck_assert_ptr_null(a.content_type);
	ck_assert_uint_eq(a.body_len, 0);
	/* A 304 still carries the validators and caching headers. */
	ck_assert_str_eq(head_of(&a), "HTTP/1.1 304 Not Modified\r\nDate: " DATE "\r\n"
		"Cache-Control: max-age=86400, public, no-transform, must-revalidate\r\n"
		"Last-Modified: Sat, 21 Nov 2026 18:58:08 GMT\r\n"
		"Expires: Sat, 28 Nov 2026 18:58:08 GMT\r\n"
		"ETag: \"ABABABABABABABABABABABABABABABAB\"\r\n\r\n");
	srv_answer_make(&r, op_time_now(), 86400, "\"ABAB\"", 6, &a);
	ck_assert_int_eq(a.result, SRV_R_GOOD);
	srv_answer_make(&r, op_time_now(), 86400, "*", 1, &a);
	ck_assert_int_eq(a.status, 304);
	/* A stale response is tryLater whatever the client holds. */
	op_time_set_fake(r.next_update);
	srv_answer_make(&r, op_time_now(), 86400, "*", 1, &a);
	ck_assert_int_eq(a.result, SRV_R_TRYLATER);
	op_time_set_fake(-1);
}
END_TEST

/* What is not OCSP: 404, and the refusals with their own status. */
START_TEST(text_answers)
{
	static const struct {
		int status;
		enum srv_result result;
		const char *head;
	} want[] = {
		{ 404, SRV_R_NOT_FOUND, "HTTP/1.1 404 Not Found\r\n" },
		{ 400, SRV_R_REJECTED, "HTTP/1.1 400 Bad Request\r\n" },
		{ 405, SRV_R_REJECTED, "HTTP/1.1 405 Method Not Allowed\r\n" },
		{ 411, SRV_R_REJECTED, "HTTP/1.1 411 Length Required\r\n" },
		{ 413, SRV_R_REJECTED, "HTTP/1.1 413 Payload Too Large\r\n" },
		{ 431, SRV_R_REJECTED, "HTTP/1.1 431 Request Header Fields Too Large\r\n" },
		{ 500, SRV_R_REJECTED, "HTTP/1.1 500 Internal Server Error\r\n" },
		{ 302, SRV_R_REJECTED, "HTTP/1.1 500 Internal Server Error\r\n" },
	};
	struct srv_answer a;
	char out[SRV_ANSWER_HEAD_MAX + 64];
	size_t n;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		srv_answer_text(want[i].status, &a);
		ck_assert_int_eq(a.result, want[i].result);
		ck_assert_str_eq(a.content_type, "text/plain");
		ck_assert_int_eq(strncmp(head_of(&a), want[i].head,
					 strlen(want[i].head)), 0);
	}
	/* The whole of one, body and all, as it goes out. */
	srv_answer_text(405, &a);
	n = srv_answer_write(&a, 0, DATE, 1, out);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 405 Method Not Allowed\r\nDate: " DATE "\r\n"
			 "Content-Type: text/plain\r\nContent-Length: 19\r\n"
			 "Allow: GET, POST, HEAD\r\nConnection: close\r\n\r\n"
			 "method not allowed\n");
	ck_assert_str_eq(srv_answer_result_name(a.result), "rejected");
	/* HEAD: the same head, no body. */
	ck_assert_uint_eq(srv_answer_write(&a, 1, DATE, 1, out), n - 19);
}
END_TEST

/* The stored response goes out rebuilt in place, after its head; a head
 * that does not fit gives 0 and writes nothing past the room given. */
START_TEST(write_and_overflow)
{
	struct op_rec r = rec_at(OP_STATUS_GOOD);
	struct srv_answer a;
	char out[SRV_ANSWER_HEAD_MAX + 64];
	size_t n, hl;

	op_time_set_fake(T0);
	/* The longest head there is: a stored answer with the largest
	 * max-age, closing. */
	srv_answer_make(&r, op_time_now(), INT64_MAX, NULL, 0, &a);
	a.max_age = INT64_MAX;
	hl = srv_answer_head(&a, DATE, 1, out, sizeof(out));
	ck_assert_uint_ne(hl, 0);
	ck_assert_uint_le(hl, SRV_ANSWER_HEAD_MAX);
	n = srv_answer_write(&a, 0, DATE, 1, out);
	ck_assert_uint_eq(n, hl + a.body_len);
	ck_assert_int_eq(memcmp(out + hl, "\x30", 1), 0);
	ck_assert_ptr_nonnull(memmem(out + hl, a.body_len, der, sizeof(der)));
	for (size_t cap = 0; cap < hl; cap += 7) {
		memset(out, 'x', sizeof(out));
		ck_assert_uint_eq(srv_answer_head(&a, DATE, 1, out, cap), 0);
		ck_assert_int_eq(out[cap], 'x');
	}
	ck_assert_uint_eq(srv_answer_head(&a, DATE, 1, out, hl), hl);
	op_time_set_fake(-1);
}
END_TEST

START_TEST(result_names)
{
	ck_assert_str_eq(srv_answer_result_name(SRV_R_GOOD), "good");
	ck_assert_str_eq(srv_answer_result_name(SRV_R_TRYLATER), "tryLater");
	ck_assert_str_eq(srv_answer_result_name(SRV_R_NOT_MODIFIED), "not_modified");
	ck_assert_str_eq(srv_answer_result_name(SRV_R_REJECTED), "rejected");
	ck_assert_str_eq(srv_answer_result_name(SRV_R_REJECTED + 1), "error");
}
END_TEST

CHECK_MAIN("srv_answer", NULL, NULL,
	   unknown_is_unauthorized, stale_is_try_later,
	   good_with_cache_headers, revoked, if_none_match, text_answers,
	   write_and_overflow, result_names)
