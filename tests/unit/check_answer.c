/* srv_answer: the answer policy, on the fake clock. */
#include <check.h>
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

static void assert_unsigned(const struct srv_answer *a, enum srv_result r,
			    uint8_t code)
{
	ck_assert_int_eq(a->result, r);
	ck_assert_int_eq(a->status, 200);
	ck_assert_str_eq(a->content_type, "application/ocsp-response");
	ck_assert_uint_eq(a->body_len, 5);
	ck_assert_int_eq(memcmp(a->body, "\x30\x03\x0a\x01", 4), 0);
	ck_assert_uint_eq(a->body[4], code);
	ck_assert_str_eq(a->headers, "Cache-Control: no-cache\r\n");
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
	ck_assert_str_eq(srv_result_name(SRV_R_INTERNAL), "internalError");
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
	ck_assert_str_eq(a.headers,
		"Cache-Control: max-age=86400, public, no-transform, must-revalidate\r\n"
		"Last-Modified: Sat, 21 Nov 2026 18:58:08 GMT\r\n"
		"Expires: Sat, 28 Nov 2026 18:58:08 GMT\r\n"
		"ETag: \"ABABABABABABABABABABABABABABABAB\"\r\n");
	/* max-age = min(nextUpdate - now, --max-age) */
	op_time_set_fake(r.next_update - 120);
	srv_answer_make(&r, op_time_now(), 86400, NULL, 0, &a);
	ck_assert_ptr_nonnull(strstr(a.headers, "max-age=120,"));
	srv_answer_make(&r, op_time_now(), 60, NULL, 0, &a);
	ck_assert_ptr_nonnull(strstr(a.headers, "max-age=60,"));
	srv_answer_make(&r, op_time_now(), 0, NULL, 0, &a);
	ck_assert_ptr_nonnull(strstr(a.headers, "max-age=0,"));
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
	ck_assert_ptr_nonnull(strstr(a.headers, "ETag: \"ABAB"));
	ck_assert_ptr_nonnull(strstr(a.headers, "Cache-Control: max-age="));
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

START_TEST(result_names)
{
	ck_assert_str_eq(srv_result_name(SRV_R_GOOD), "good");
	ck_assert_str_eq(srv_result_name(SRV_R_TRYLATER), "tryLater");
	ck_assert_str_eq(srv_result_name(SRV_R_NOT_MODIFIED), "not_modified");
	ck_assert_str_eq(srv_result_name(SRV_R_COUNT), "error");
}
END_TEST

CHECK_MAIN("srv_answer", NULL, NULL,
	   unknown_is_unauthorized, stale_is_try_later,
	   good_with_cache_headers, revoked, if_none_match, result_names)
