/* gen_csr: one-line subjects, requests for RSA and EC keys with the three
 * extensions a delegated OCSP signer needs; URIs printed without a PIN. */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

#include "gen_csr.h"
#include "gen_keystore.h"
#include "op_err.h"

/* The name printed one-line, RFC 2253 style, for comparisons. */
static void name_str(const X509_NAME *n, char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	int len;

	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
	len = BIO_read(b, buf, (int)size - 1);
	buf[len > 0 ? len : 0] = '\0';
	BIO_free(b);
}

START_TEST(subject_forms)
{
	X509_NAME *n;
	char s[256];

	ck_assert_int_eq(gen_csr_subject_parse("/C=DE/O=Example AG/CN=OCSP 2027", &n), 0);
	name_str(n, s, sizeof(s));
	ck_assert_str_eq(s, "CN=OCSP 2027,O=Example AG,C=DE");
	X509_NAME_free(n);
	/* A '+' joins the next attribute to the same RDN; '\' escapes. */
	ck_assert_int_eq(gen_csr_subject_parse("/O=A\\/B/OU=x+CN=y", &n), 0);
	ck_assert_int_eq(X509_NAME_entry_count(n), 3);
	name_str(n, s, sizeof(s));
	ck_assert_str_eq(s, "CN=y+OU=x,O=A/B");
	X509_NAME_free(n);

	ck_assert_int_eq(gen_csr_subject_parse("CN=no slash", &n), OP_E_CONFIG);
	ck_assert_ptr_null(n);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "/O=Example/CN="));
	ck_assert_int_eq(gen_csr_subject_parse("/", &n), OP_E_CONFIG);
	ck_assert_int_eq(gen_csr_subject_parse("/O=x/CN=", &n), OP_E_CONFIG);
	ck_assert_int_eq(gen_csr_subject_parse("/O=x/novalue", &n), OP_E_CONFIG);
	ck_assert_int_eq(gen_csr_subject_parse("/XYZ=1", &n), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "'XYZ'"));
}
END_TEST

static EVP_PKEY *gen_key(const char *alg, const char *curve_or_bits)
{
	if (strcmp(alg, "EC") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve_or_bits);
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(curve_or_bits));
}

/* key makes a request that verifies and asks for the three extensions. */
static void check_request(EVP_PKEY *key, int md_nid)
{
	X509_NAME *subj;
	X509_REQ *req;
	STACK_OF(X509_EXTENSION) *exts;
	X509_EXTENSION *ku;
	EXTENDED_KEY_USAGE *eku;
	int idx;

	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(gen_csr_subject_parse("/O=T/CN=" GEN_CSR_DEFAULT_CN, &subj), 0);
	ck_assert_int_eq(gen_csr_make(key, subj, &req), 0);
	ck_assert_int_eq(X509_REQ_verify(req, key), 1);
	ck_assert_int_eq(X509_NAME_cmp(X509_REQ_get_subject_name(req), subj), 0);
	ck_assert_int_eq(OBJ_find_sigid_algs(X509_REQ_get_signature_nid(req),
					     &idx, NULL), 1);
	ck_assert_int_eq(idx, md_nid);
	exts = X509_REQ_get_extensions(req);
	ck_assert_int_eq(sk_X509_EXTENSION_num(exts), 3);
	idx = X509v3_get_ext_by_NID(exts, NID_key_usage, -1);
	ck_assert_int_ge(idx, 0);
	ku = sk_X509_EXTENSION_value(exts, idx);
	ck_assert_int_eq(X509_EXTENSION_get_critical(ku), 1);
	eku = X509V3_get_d2i(exts, NID_ext_key_usage, NULL, NULL);
	ck_assert_ptr_nonnull(eku);
	ck_assert_int_eq(sk_ASN1_OBJECT_num(eku), 1);
	ck_assert_int_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_OCSP_sign);
	ck_assert_int_ge(X509v3_get_ext_by_NID(exts, NID_id_pkix_OCSP_noCheck, -1), 0);
	EXTENDED_KEY_USAGE_free(eku);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	X509_NAME_free(subj);
	EVP_PKEY_free(key);
}

START_TEST(requests)
{
	check_request(gen_key("RSA", "2048"), NID_sha256);
	check_request(gen_key("EC", "P-256"), NID_sha256);
	check_request(gen_key("EC", "P-384"), NID_sha384);
}
END_TEST

START_TEST(other_key_types)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509_NAME *subj;
	X509_REQ *req;

	ck_assert_int_eq(gen_csr_subject_parse("/CN=x", &subj), 0);
	ck_assert_int_eq(gen_csr_make(key, subj, &req), OP_E_CONFIG);
	ck_assert_ptr_null(req);
	X509_NAME_free(subj);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(uri_without_pin)
{
	char out[256];

	gen_keystore_uri_redact("pkcs11:token=t;object=k;pin-source=file:/p", out, sizeof(out));
	ck_assert_str_eq(out, "pkcs11:token=t;object=k;pin-source=file:/p");
	gen_keystore_uri_redact("pkcs11:token=t;object=k?pin-value=4711", out, sizeof(out));
	ck_assert_str_eq(out, "pkcs11:token=t;object=k");
	gen_keystore_uri_redact("pkcs11:pin-value=4711;object=k", out, sizeof(out));
	ck_assert_str_eq(out, "pkcs11:object=k");
	gen_keystore_uri_redact("pkcs11:object=k?module-name=x&pin-value=1", out, sizeof(out));
	ck_assert_str_eq(out, "pkcs11:object=k?module-name=x");
	gen_keystore_uri_redact("pkcs11:object=a-long-label", out, 12);
	ck_assert_str_eq(out, "pkcs11:obje");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gen_csr");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, subject_forms);
	tcase_add_test(tc, requests);
	tcase_add_test(tc, other_key_types);
	tcase_add_test(tc, uri_without_pin);
	suite_add_tcase(s, tc);
	return check_run(s);
}
