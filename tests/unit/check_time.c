/* op_time: durations, certificate time formats, the test clock. */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>

#include "op_err.h"

#include "op_time.h"

START_TEST(durations)
{
	int64_t s;
	char buf[24];

	ck_assert_int_eq(op_time_dur_parse("7d", &s), 0);
	ck_assert_int_eq(s, 7 * 86400);
	ck_assert_int_eq(op_time_dur_parse("12h", &s), 0);
	ck_assert_int_eq(s, 12 * 3600);
	ck_assert_int_eq(op_time_dur_parse("90m", &s), 0);
	ck_assert_int_eq(s, 5400);
	ck_assert_int_eq(op_time_dur_parse("30s", &s), 0);
	ck_assert_int_eq(s, 30);
	ck_assert_int_eq(op_time_dur_parse("45", &s), 0);
	ck_assert_int_eq(s, 45);
	ck_assert_int_ne(op_time_dur_parse("7w", &s), 0);
	ck_assert_int_ne(op_time_dur_parse("d", &s), 0);
	ck_assert_int_ne(op_time_dur_parse("0", &s), 0);
	ck_assert_int_ne(op_time_dur_parse("-1d", &s), 0);
	ck_assert_int_ne(op_time_dur_parse("7dd", &s), 0);
	ck_assert_int_ne(op_time_dur_parse("99999d", &s), 0);
	op_time_dur_format(7 * 86400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "7d");
	op_time_dur_format(5400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "90m");
}
END_TEST

START_TEST(time_formats)
{
	int64_t t;
	char buf[32];

	ck_assert_int_eq(op_time_parse_gt("20261101120000Z", &t), 0);
	op_time_iso(t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-01T12:00:00Z");
	ck_assert_int_eq(op_time_parse_utc("261101120000Z", &t), 0);
	op_time_iso(t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11-01T12:00:00Z");
	ck_assert_int_eq(op_time_parse_utc("991231235959Z", &t), 0);
	op_time_iso(t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1999-12-31T23:59:59Z");
	ck_assert_int_ne(op_time_parse_gt("2026110112000Z", &t), 0);
	ck_assert_int_ne(op_time_parse_gt("20261301120000Z", &t), 0);
	ck_assert_int_ne(op_time_parse_gt("20261101120000", &t), 0);
	op_time_set_fake(12345);
	ck_assert_int_eq(op_time_now(), 12345);
	op_time_set_fake(-1);
	ck_assert_int_gt(op_time_now(), 1700000000);
}
END_TEST

/* OCSP_PRESIGN_NOW: read by op_time_init() once, in a test build only;
 * a production build refuses to start when it is set. */
START_TEST(test_clock)
{
	ck_assert_int_eq(unsetenv(OP_TIME_ENV), 0);
	ck_assert_int_eq(op_time_init(), 0);
	ck_assert_int_gt(op_time_now(), 1700000000);
	ck_assert_int_eq(setenv(OP_TIME_ENV, "12345", 1), 0);
	if (op_time_test_build()) {
		ck_assert_int_eq(op_time_init(), 0);
		ck_assert_int_eq(op_time_now(), 12345);
		/* Read at init, never again: changing it later changes nothing. */
		ck_assert_int_eq(setenv(OP_TIME_ENV, "999", 1), 0);
		ck_assert_int_eq(op_time_now(), 12345);
		ck_assert_int_eq(setenv(OP_TIME_ENV, "12345x", 1), 0);
		ck_assert_int_eq(op_time_init(), OP_E_CONFIG);
		ck_assert_ptr_nonnull(strstr(op_err_detail(), "OCSP_PRESIGN_NOW"));
	} else {
		ck_assert_int_eq(op_time_init(), OP_E_CONFIG);
		ck_assert_ptr_nonnull(strstr(op_err_detail(), "OCSP_PRESIGN_NOW is set"));
		ck_assert_int_gt(op_time_now(), 1700000000);
	}
	unsetenv(OP_TIME_ENV);
	op_time_set_fake(-1);
}
END_TEST

CHECK_MAIN("op_time", NULL, NULL,
	   durations, time_formats, test_clock)
