/* op_hex: the one reading of hex digits. */
#include <check.h>

#include "check_run.h"
#include "op_hex.h"

START_TEST(digits)
{
	const char *all = "0123456789abcdefABCDEF";

	for (int i = 0; all[i]; i++)
		ck_assert_int_eq(op_hex_digit(all[i]), i < 16 ? i : i - 6);
	for (int c = -1; c < 256; c++)
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			ck_assert_int_eq(op_hex_digit(c), -1);
}
END_TEST

START_TEST(octets)
{
	ck_assert_int_eq(op_hex_octet("2B"), 0x2b);
	ck_assert_int_eq(op_hex_octet("ff"), 0xff);
	ck_assert_int_eq(op_hex_octet("00"), 0);
	ck_assert_int_eq(op_hex_octet("0g"), -1);
	ck_assert_int_eq(op_hex_octet("g0"), -1);
	ck_assert_int_eq(op_hex_octet(" 1"), -1);
	/* A string that ends early stops at its end. */
	ck_assert_int_eq(op_hex_octet("1"), -1);
	ck_assert_int_eq(op_hex_octet(""), -1);
}
END_TEST

CHECK_MAIN("op_hex", NULL, NULL, digits, octets)
