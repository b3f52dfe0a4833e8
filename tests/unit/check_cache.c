/* srv_cache: the caching fields, max-age, ETag matching. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_run.h"
#include "op_rec.h"
#include "srv_cache.h"

#define ETAG "\"ABABABABABABABABABABABABABABABAB\""

static struct op_rec rec_at(void)
{
	struct op_rec rec = { 0 };

	rec.this_update = 1795287488;		/* Sat, 21 Nov 2026 18:58:08 */
	rec.next_update = rec.this_update + 7 * 86400;
	memset(rec.etag, 0xab, sizeof(rec.etag));
	return rec;
}

START_TEST(cache_fields_fake_clock)
{
	struct op_rec rec = rec_at();
	struct srv_http_head h;
	char out[SRV_CACHE_FIELDS_MAX + 1];
	const char *want =
		"Cache-Control: max-age=86400, public, no-transform, must-revalidate\r\n"
		"Last-Modified: Sat, 21 Nov 2026 18:58:08 GMT\r\n"
		"Expires: Sat, 28 Nov 2026 18:58:08 GMT\r\n"
		"ETag: " ETAG "\r\n";

	ck_assert_int_eq(srv_cache_max_age(&rec, rec.this_update + 3600, 86400), 86400);
	/* Near nextUpdate the remaining time wins over --max-age; past it, 0. */
	ck_assert_int_eq(srv_cache_max_age(&rec, rec.next_update - 120, 86400), 120);
	ck_assert_int_eq(srv_cache_max_age(&rec, rec.next_update + 5, 86400), 0);
	h = (struct srv_http_head){ out, sizeof(out), 0, 0 };
	srv_cache_fields(&h, &rec, 86400);
	ck_assert_int_eq(h.overflow, 0);
	ck_assert_uint_eq(h.len, strlen(want));
	out[h.len] = '\0';
	ck_assert_str_eq(out, want);
	/* The longest max-age fills SRV_CACHE_FIELDS_MAX but for one digit
	 * (the bound counts 20, an int64_t has 19). */
	h = (struct srv_http_head){ out, sizeof(out), 0, 0 };
	srv_cache_fields(&h, &rec, INT64_MAX);
	ck_assert_int_eq(h.overflow, 0);
	ck_assert_uint_eq(h.len, SRV_CACHE_FIELDS_MAX - 1);
}
END_TEST

START_TEST(etag_match)
{
	struct op_rec rec = rec_at();
	char etag[SRV_CACHE_ETAG_LEN + 1];
	const char *inm;

	srv_cache_etag(&rec, etag);
	ck_assert_str_eq(etag, ETAG);
#define MATCH(s) srv_cache_etag_match((s), strlen(s), etag)
	ck_assert_int_eq(MATCH("\"X\", " ETAG), 1);
	ck_assert_int_eq(MATCH("W/" ETAG), 1);
	ck_assert_int_eq(MATCH(ETAG ", \"X\""), 1);
	ck_assert_int_eq(MATCH("*"), 1);
	ck_assert_int_eq(MATCH("\"ABAB\""), 0);
	ck_assert_int_eq(MATCH(""), 0);
	ck_assert_int_eq(MATCH(ETAG "x"), 0);
	/* Bounded by the length: the value ends before the tag does. */
	inm = "\"X\", " ETAG;
	ck_assert_int_eq(srv_cache_etag_match(inm, strlen(inm) - 1, etag), 0);
	ck_assert_int_eq(srv_cache_etag_match("W", 1, etag), 0);
#undef MATCH
}
END_TEST

CHECK_MAIN("srv_cache", NULL, NULL,
	   cache_fields_fake_clock, etag_match)
