/* srv_cache: caching headers, ETag matching, the HTTP date. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_run.h"
#include "op_rec.h"
#include "srv_cache.h"

START_TEST(cache_headers_fake_clock)
{
	struct op_rec rec = { 0 };
	struct srv_cache_hdrs h;

	rec.this_update = 1795287488;		/* Sat, 21 Nov 2026 18:58:08 */
	rec.next_update = rec.this_update + 7 * 86400;
	memset(rec.etag, 0xab, sizeof(rec.etag));
	srv_cache_headers(&rec, rec.this_update + 3600, 86400, &h);
	ck_assert_str_eq(h.cache_control, "max-age=86400, public, no-transform, must-revalidate");
	ck_assert_str_eq(h.last_modified, "Sat, 21 Nov 2026 18:58:08 GMT");
	ck_assert_str_eq(h.expires, "Sat, 28 Nov 2026 18:58:08 GMT");
	ck_assert_str_eq(h.etag, "\"ABABABABABABABABABABABABABABABAB\"");
	/* Near nextUpdate the remaining time wins over --max-age. */
	srv_cache_headers(&rec, rec.next_update - 120, 86400, &h);
	ck_assert_str_eq(h.cache_control, "max-age=120, public, no-transform, must-revalidate");
	ck_assert_int_eq(srv_etag_match("\"X\", \"ABABABABABABABABABABABABABABABAB\"", h.etag), 1);
	ck_assert_int_eq(srv_etag_match("W/\"ABABABABABABABABABABABABABABABAB\"", h.etag), 1);
	ck_assert_int_eq(srv_etag_match("*", h.etag), 1);
	ck_assert_int_eq(srv_etag_match("\"ABAB\"", h.etag), 0);
}
END_TEST

START_TEST(http_date)
{
	char d[32];

	srv_http_date(0, d, sizeof(d));
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	srv_http_date(1795287488, d, sizeof(d));
	ck_assert_str_eq(d, "Sat, 21 Nov 2026 18:58:08 GMT");
	/* A damaged record's times stay within the tables and four digits. */
	srv_http_date(INT64_MAX, d, sizeof(d));
	ck_assert_str_eq(d, "Fri, 31 Dec 9999 23:59:59 GMT");
	srv_http_date(-86400, d, sizeof(d));
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 GMT");
}
END_TEST

CHECK_MAIN("srv_cache", NULL, NULL,
	   cache_headers_fake_clock, http_date)
