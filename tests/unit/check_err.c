/* op_err: codes, details, and the prefix/append helpers callers use to add
 * their context to a callee's message. */
#include <check.h>

#include "check_run.h"
#include <string.h>

#include "op_err.h"

START_TEST(prefix_and_append)
{
	ck_assert_int_eq(op_err_set(OP_E_PARSE, "bad serial '%s'", "zz"),
			 OP_E_PARSE);
	ck_assert_int_eq(op_err_prefix(OP_E_CONFIG, "%s:%d", "f.conf", 3),
			 OP_E_CONFIG);
	ck_assert_str_eq(op_err_detail(), "f.conf:3: bad serial 'zz'");
	ck_assert_int_eq(op_err_append(OP_E_SYS, " (%s)", "full?"), OP_E_SYS);
	ck_assert_str_eq(op_err_detail(), "f.conf:3: bad serial 'zz' (full?)");
	/* No detail yet: the prefix stands alone, without a dangling ": ". */
	op_err_clear();
	op_err_prefix(OP_E_DB, "authority %s", "a");
	ck_assert_str_eq(op_err_detail(), "authority a");
}
END_TEST

START_TEST(long_details_cut_at_one_length)
{
	char big[3000];
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	op_err_set(OP_E_PARSE, "%s", big);
	len = strlen(op_err_detail());
	ck_assert_uint_gt(len, 500);
	/* Prefixing and appending keep the same bound and the prefix. */
	op_err_prefix(OP_E_PARSE, "ctx");
	ck_assert_uint_eq(strlen(op_err_detail()), len);
	ck_assert_int_eq(strncmp(op_err_detail(), "ctx: xxx", 8), 0);
	op_err_append(OP_E_PARSE, "tail");
	ck_assert_uint_eq(strlen(op_err_detail()), len);
	/* A long prefix is cut too, never overrun. */
	op_err_prefix(OP_E_PARSE, "%s", big);
	ck_assert_uint_eq(strlen(op_err_detail()), len);
}
END_TEST

START_TEST(strerror_ranges)
{
	ck_assert_str_eq(op_strerror(0), "success");
	ck_assert_str_eq(op_strerror(OP_E_LOCKED), "locked by another process");
	ck_assert_ptr_nonnull(op_strerror(2));	/* errno, via LMDB */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("op_err");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, prefix_and_append);
	tcase_add_test(tc, long_details_cut_at_one_length);
	tcase_add_test(tc, strerror_ranges);
	suite_add_tcase(s, tc);
	return check_run(s);
}
