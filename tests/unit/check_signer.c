/* gen_signer: validation and choice of OCSP signers. */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

#include "gen_signer.h"
#include "op_err.h"

#define NOW 1800000000LL
#define DAY 86400LL
#define VALIDITY (7 * DAY)

static EVP_PKEY *ca_key, *other_key;
static X509 *ca, *other_ca;

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-256");
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(e);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate for key, valid [NOW + from, NOW + to], signed by
 * issuer_key (self-signed if issuer is NULL). */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
		       EVP_PKEY *issuer_key, long long from, long long to,
		       int eku, int nocheck)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	static long serial = 1;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn,
				   -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(NOW + from));
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(NOW + to));
	X509_set_pubkey(x, key);
	if (!issuer)
		add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
	if (eku)
		add_ext(x, issuer, NID_ext_key_usage, "OCSPSigning");
	if (nocheck)
		add_ext(x, issuer, NID_id_pkix_OCSP_noCheck, "ignored");
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
	X509_NAME_free(n);
	return x;
}

static void setup(void)
{
	ca_key = new_key();
	other_key = new_key();
	ca = make_cert("CA", ca_key, NULL, ca_key, -365 * DAY, 3650 * DAY, 0, 0);
	other_ca = make_cert("CA", other_key, NULL, other_key, -365 * DAY,
			     3650 * DAY, 0, 0);
}

static void teardown(void)
{
	X509_free(ca);
	X509_free(other_ca);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_key);
}

static int check(X509 *s, int *warn, char *why)
{
	return gen_signer_check(s, ca, NOW, VALIDITY, warn, why, 200);
}

START_TEST(accepts_good_delegate_and_ca)
{
	EVP_PKEY *k = new_key();
	X509 *s = make_cert("OCSP", k, ca, ca_key, -DAY, 365 * DAY, 1, 1);
	char why[200];
	int warn;

	ck_assert_int_eq(check(s, &warn, why), 0);
	ck_assert_int_eq(warn, 0);
	ck_assert_int_eq(check(ca, &warn, why), 0);
	X509_free(s);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(refuses_bad_signers)
{
	EVP_PKEY *k = new_key();
	char why[200];
	int warn;
	X509 *expired = make_cert("O", k, ca, ca_key, -30 * DAY, -DAY, 1, 1);
	X509 *future = make_cert("O", k, ca, ca_key, DAY, 365 * DAY, 1, 1);
	X509 *short_ = make_cert("O", k, ca, ca_key, -DAY, 3 * DAY, 1, 1);
	X509 *foreign = make_cert("O", k, other_ca, other_key, -DAY, 365 * DAY, 1, 1);
	X509 *noeku = make_cert("O", k, ca, ca_key, -DAY, 365 * DAY, 0, 1);

	ck_assert_int_eq(check(expired, &warn, why), OP_E_SIGNER);
	ck_assert_ptr_nonnull(strstr(why, "expired"));
	ck_assert_int_eq(check(future, &warn, why), OP_E_SIGNER);
	ck_assert_ptr_nonnull(strstr(why, "not valid before"));
	ck_assert_int_eq(check(short_, &warn, why), OP_E_SIGNER);
	ck_assert_ptr_nonnull(strstr(why, "before responses"));
	/* Same issuer name, different key: must still be refused. */
	ck_assert_int_eq(check(foreign, &warn, why), OP_E_SIGNER);
	ck_assert_ptr_nonnull(strstr(why, "not issued by this CA"));
	ck_assert_int_eq(check(noeku, &warn, why), OP_E_SIGNER);
	ck_assert_ptr_nonnull(strstr(why, "OCSPSigning"));
	X509_free(expired);
	X509_free(future);
	X509_free(short_);
	X509_free(foreign);
	X509_free(noeku);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(warnings)
{
	EVP_PKEY *k = new_key();
	X509 *nonocheck = make_cert("O", k, ca, ca_key, -DAY, 365 * DAY, 1, 0);
	X509 *soon = make_cert("O", k, ca, ca_key, -DAY, 10 * DAY, 1, 1);
	char why[200];
	int warn;

	ck_assert_int_eq(check(nonocheck, &warn, why), 0);
	ck_assert_int_eq(warn, GEN_SIGNER_W_NOCHECK);
	ck_assert_int_eq(check(soon, &warn, why), 0);
	ck_assert_int_eq(warn, GEN_SIGNER_W_EXPIRING);
	X509_free(nonocheck);
	X509_free(soon);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(choose_most_recent_valid)
{
	EVP_PKEY *k = new_key();
	X509 *certs[4];
	const char *names[] = { "old", "new", "expired", "future" };
	size_t chosen = 99;
	int warn;

	certs[0] = make_cert("O", k, ca, ca_key, -300 * DAY, 365 * DAY, 1, 1);
	certs[1] = make_cert("O", k, ca, ca_key, -2 * DAY, 365 * DAY, 1, 1);
	certs[2] = make_cert("O", k, ca, ca_key, -400 * DAY, -DAY, 1, 1);
	certs[3] = make_cert("O", k, ca, ca_key, 2 * DAY, 400 * DAY, 1, 1);
	ck_assert_int_eq(gen_signer_choose(certs, names, 4, ca, NOW, VALIDITY,
					   &chosen, &warn), 0);
	ck_assert_uint_eq(chosen, 1);
	/* Without usable ones the message names every signer. */
	ck_assert_int_eq(gen_signer_choose(certs + 2, names + 2, 2, ca, NOW,
					   VALIDITY, &chosen, &warn), OP_E_SIGNER);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "expired: expired"));
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "future: not valid before"));
	for (int i = 0; i < 4; i++)
		X509_free(certs[i]);
	EVP_PKEY_free(k);
}
END_TEST

CHECK_MAIN("gen_signer", setup, teardown,
	   accepts_good_delegate_and_ca, refuses_bad_signers, warnings,
	   choose_most_recent_valid)
