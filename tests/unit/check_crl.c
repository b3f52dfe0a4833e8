/* gen_crl: CRL numbers, delta application, what the parser refuses. */
#include <check.h>

#include "check_run.h"
#include <string.h>

#include "gen_crl.h"
#include "op_err.h"
#include "op_log.h"
#include "op_rec.h"

static struct gen_crlnum num(unsigned v)
{
	struct gen_crlnum n = { 0 };

	while (v) {
		memmove(n.v + 1, n.v, n.len);
		n.v[0] = (uint8_t)v;
		n.len++;
		v >>= 8;
	}
	return n;
}

static void add(struct gen_crl *c, uint8_t serial, int reason)
{
	struct gen_entry *e = gen_list_add(&c->entries);

	ck_assert_ptr_nonnull(e);
	e->serial[0] = serial;
	e->serial_len = 1;
	e->status = OP_STATUS_REVOKED;
	e->reason = (uint8_t)reason;
	e->src = GEN_SRC_CRL;
	e->rev_time = 1000 + serial;
}

static const struct gen_entry *find(const struct gen_crl *c, uint8_t serial)
{
	for (size_t i = 0; i < c->entries.n; i++)
		if (c->entries.v[i].serial[0] == serial)
			return &c->entries.v[i];
	return NULL;
}

START_TEST(numbers)
{
	struct gen_crlnum a = num(10), b = num(300), z = num(0), big = { 0 };
	char buf[48];

	ck_assert_int_lt(gen_crlnum_cmp(&a, &b), 0);
	ck_assert_int_gt(gen_crlnum_cmp(&b, &a), 0);
	ck_assert_int_eq(gen_crlnum_cmp(&a, &a), 0);
	ck_assert_int_lt(gen_crlnum_cmp(&z, &a), 0);
	ck_assert_str_eq(gen_crlnum_str(&b, buf, sizeof(buf)), "300");
	ck_assert_str_eq(gen_crlnum_str(&z, buf, sizeof(buf)), "0");
	big.len = 9;
	memset(big.v, 0xab, 9);
	ck_assert_str_eq(gen_crlnum_str(&big, buf, sizeof(buf)),
			 "0xABABABABABABABABAB");
	ck_assert_int_gt(gen_crlnum_cmp(&big, &b), 0);
}
END_TEST

START_TEST(delta_applied)
{
	struct gen_crl base = { 0 }, delta = { 0 };
	int applied = -1;

	base.has_number = 1;
	base.number = num(10);
	add(&base, 1, 1);	/* keyCompromise, stays */
	add(&base, 2, 6);	/* on hold, released */
	add(&base, 3, 6);	/* on hold, then keyCompromise */
	delta.is_delta = 1;
	delta.has_number = 1;
	delta.number = num(11);
	delta.base = num(10);
	add(&delta, 2, 8);
	add(&delta, 3, 1);
	add(&delta, 4, 6);	/* hold placed */
	add(&delta, 5, 8);	/* removeFromCRL of something not listed */
	ck_assert_int_eq(gen_crl_apply_delta(&base, &delta, "b", "d", &applied), 0);
	ck_assert_int_eq(applied, 1);
	ck_assert_uint_eq(base.entries.n, 3);
	ck_assert_int_eq(find(&base, 1)->reason, 1);
	ck_assert_ptr_null(find(&base, 2));
	ck_assert_int_eq(find(&base, 3)->reason, 1);
	ck_assert_int_eq(find(&base, 3)->rev_time, 1003);
	ck_assert_int_eq(find(&base, 4)->reason, 6);
	ck_assert_ptr_null(find(&base, 5));
	gen_crl_free(&base);
	gen_crl_free(&delta);
}
END_TEST

START_TEST(delta_refused_or_ignored)
{
	struct gen_crl base = { 0 }, delta = { 0 };
	int applied = -1;

	add(&base, 1, 1);
	delta.is_delta = 1;
	delta.has_number = 1;
	delta.number = num(11);
	delta.base = num(10);
	add(&delta, 1, 8);
	/* A base without a number cannot take a delta. */
	ck_assert_int_eq(gen_crl_apply_delta(&base, &delta, "b", "d", &applied),
			 OP_E_CRL);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "no CRL number"));
	/* Not newer than the base: ignored, base untouched. */
	base.has_number = 1;
	base.number = num(11);
	ck_assert_int_eq(gen_crl_apply_delta(&base, &delta, "b", "d", &applied), 0);
	ck_assert_int_eq(applied, 0);
	ck_assert_uint_eq(base.entries.n, 1);
	/* Needs a newer base. */
	base.number = num(9);
	ck_assert_int_eq(gen_crl_apply_delta(&base, &delta, "b", "d", &applied),
			 OP_E_CRL);
	ck_assert_ptr_nonnull(strstr(op_err_detail(),
				     "d: delta CRL 11 needs base CRL 10 or newer"));
	ck_assert_uint_eq(base.entries.n, 1);
	gen_crl_free(&base);
	gen_crl_free(&delta);
}
END_TEST

START_TEST(parse_refuses_garbage)
{
	static const uint8_t trunc[] = { 0x30, 0x82, 0x01, 0x00, 0x30, 0x03 };
	static const uint8_t indef[] = { 0x30, 0x80, 0x00, 0x00 };
	static const uint8_t empty_seq[] = { 0x30, 0x00 };
	static const char pem[] = "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
	struct gen_crl c;
	unsigned char *der = NULL;

	ck_assert_int_eq(gen_crl_parse(trunc, sizeof(trunc), "t", &c, &der), OP_E_CRL);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "t: not a CRL"));
	ck_assert_int_eq(gen_crl_parse(indef, sizeof(indef), "i", &c, &der), OP_E_CRL);
	ck_assert_int_eq(gen_crl_parse(empty_seq, sizeof(empty_seq), "e", &c, &der),
			 OP_E_CRL);
	ck_assert_int_eq(gen_crl_parse((const uint8_t *)pem, strlen(pem), "p", &c,
				       &der), OP_E_CRL);
	ck_assert_ptr_null(der);
	ck_assert_uint_eq(c.entries.n, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gen_crl");
	TCase *tc = tcase_create("crl");

	op_log_init("check_crl", OP_LOG_ERR);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, delta_applied);
	tcase_add_test(tc, delta_refused_or_ignored);
	tcase_add_test(tc, parse_refuses_garbage);
	suite_add_tcase(s, tc);
	return check_run(s);
}
