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
	struct gen_entry *e = gen_input_list_add(&c->entries);

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

	ck_assert_int_lt(gen_crl_num_cmp(&a, &b), 0);
	ck_assert_int_gt(gen_crl_num_cmp(&b, &a), 0);
	ck_assert_int_eq(gen_crl_num_cmp(&a, &a), 0);
	ck_assert_int_lt(gen_crl_num_cmp(&z, &a), 0);
	ck_assert_str_eq(gen_crl_num_str(&b, buf, sizeof(buf)), "300");
	ck_assert_str_eq(gen_crl_num_str(&z, buf, sizeof(buf)), "0");
	big.len = 9;
	memset(big.v, 0xab, 9);
	ck_assert_str_eq(gen_crl_num_str(&big, buf, sizeof(buf)),
			 "0xABABABABABABABABAB");
	ck_assert_int_gt(gen_crl_num_cmp(&big, &b), 0);
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

/* A CRL of one entry signed by a fresh key, DER, in a fresh buffer. */
static int one_entry_crl(uint8_t **der)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509_CRL *crl = X509_CRL_new();
	X509_NAME *n = X509_NAME_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	ASN1_TIME *t = ASN1_TIME_new();
	int len;

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"CRL CA", -1, -1, 0);
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, n);
	ASN1_TIME_set(t, 1700000000);
	X509_CRL_set1_lastUpdate(crl, t);
	ASN1_INTEGER_set(sn, 0x1234);
	X509_REVOKED_set_serialNumber(r, sn);
	X509_REVOKED_set_revocationDate(r, t);
	X509_CRL_add0_revoked(crl, r);
	ck_assert_int_gt(X509_CRL_sign(crl, k, EVP_sha256()), 0);
	*der = NULL;
	len = i2d_X509_CRL(crl, der);
	X509_CRL_free(crl);
	X509_NAME_free(n);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	EVP_PKEY_free(k);
	return len;
}

START_TEST(parse_refuses_ber)
{
	uint8_t *der, ber[1024];
	unsigned char *pem = NULL;
	struct gen_crl c;
	int len = one_entry_crl(&der);

	ck_assert_int_gt(len, 0);
	ck_assert_int_lt(len, (int)sizeof(ber) - 1);
	ck_assert_int_eq(gen_crl_parse(der, (size_t)len, "d", &c, &pem), 0);
	ck_assert_uint_eq(c.entries.n, 1);
	ck_assert_int_eq(c.entries.v[0].rev_time, 1700000000);
	gen_crl_free(&c);
	/* The outer length with a leading zero octet: BER, not DER. */
	ck_assert_uint_eq(der[1], 0x81);
	ber[0] = 0x30;
	ber[1] = 0x82;
	ber[2] = 0x00;
	memcpy(ber + 3, der + 2, (size_t)len - 2);
	ck_assert_int_eq(gen_crl_parse(ber, (size_t)len + 1, "b", &c, &pem), OP_E_CRL);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "b: not a CRL"));
	ck_assert_uint_eq(c.entries.n, 0);
	OPENSSL_free(der);
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
	tcase_add_test(tc, parse_refuses_ber);
	suite_add_tcase(s, tc);
	return check_run(s);
}
