/* db_verify: responses signed here with OpenSSL's own API, then damaged
 * one field at a time; responders that the CA did not authorise. */
#include <check.h>

#include "check_run.h"
#include "op_err.h"
#include "op_key.h"
#include "op_rec.h"
#include "db_verify.h"

#include <string.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#define NOW 1800000000

static EVP_PKEY *ca_key, *rsp_key;
static X509 *ca, *rsp, *rsp_noeku, *rsp_foreign;

static X509 *cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
		  const char *eku)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;

	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &(time_t){ NOW - 86400 });
	X509_time_adj_ex(X509_getm_notAfter(x), 30, 0, &(time_t){ NOW });
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	if (eku) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx,
							NID_ext_key_usage, eku);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	ck_assert_int_gt(X509_sign(x, ikey ? ikey : key, EVP_sha256()), 0);
	return x;
}

static void setup(void)
{
	EVP_PKEY *other = EVP_EC_gen("P-256");
	X509 *other_ca;

	ca_key = EVP_EC_gen("P-256");
	rsp_key = EVP_EC_gen("P-256");
	ca = cert("Test CA", ca_key, NULL, NULL, NULL);
	rsp = cert("Test OCSP", rsp_key, ca, ca_key, "OCSPSigning");
	rsp_noeku = cert("Test OCSP", rsp_key, ca, ca_key, "serverAuth");
	/* Same name as the CA, another key: not issued by it. */
	other_ca = cert("Test CA", other, NULL, NULL, NULL);
	rsp_foreign = cert("Test OCSP", rsp_key, other_ca, other, "OCSPSigning");
	X509_free(other_ca);
	EVP_PKEY_free(other);
}

static void teardown(void)
{
	X509_free(ca);
	X509_free(rsp);
	X509_free(rsp_noeku);
	X509_free(rsp_foreign);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(rsp_key);
}

struct resp {
	uint8_t key[OP_KEY_MAX];
	size_t klen;
	struct op_rec rec;
	unsigned char *der;
	int len;
};

/* Sign a revoked (keyCompromise) response for serial 0x1234 by signer. */
static void make(struct resp *r, X509 *signer, EVP_PKEY *skey, int certs)
{
	static const uint8_t serial[] = { 0x12, 0x34 };
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	ASN1_TIME *tu = ASN1_TIME_set(NULL, NOW - 60);
	ASN1_TIME *nu = ASN1_TIME_set(NULL, NOW + 86400);
	ASN1_TIME *rt = ASN1_TIME_set(NULL, NOW - 3600);
	OCSP_CERTID *cid;
	OCSP_RESPONSE *resp;
	uint8_t md[32];
	unsigned int n;

	ASN1_INTEGER_set(ai, 0x1234);
	cid = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(ca),
			       X509_get0_pubkey_bitstr(ca), ai);
	ck_assert_ptr_nonnull(OCSP_basic_add1_status(bs, cid,
		V_OCSP_CERTSTATUS_REVOKED, OCSP_REVOKED_STATUS_KEYCOMPROMISE, rt,
		tu, nu));
	ck_assert_int_eq(OCSP_basic_sign(bs, signer, skey, EVP_sha256(), NULL,
					 OCSP_RESPID_KEY | (certs ? 0 : OCSP_NOCERTS)), 1);
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	r->der = NULL;
	r->len = i2d_OCSP_RESPONSE(resp, &r->der);
	ck_assert_int_gt(r->len, 0);
	ck_assert_int_eq(op_key_from_issuer(ca, OP_HASH_SHA1, serial, 2, r->key,
					    &r->klen), 0);
	memset(&r->rec, 0, sizeof(r->rec));
	r->rec.status = OP_STATUS_REVOKED;
	r->rec.reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
	r->rec.this_update = NOW - 60;
	r->rec.next_update = NOW + 86400;
	r->rec.rev_time = NOW - 3600;
	X509_digest(signer, EVP_sha256(), md, &n);
	memcpy(r->rec.signer_id, md, OP_REC_SIGNER_ID);
	EVP_Digest(r->der, (size_t)r->len, md, &n, EVP_sha256(), NULL);
	memcpy(r->rec.etag, md, OP_REC_ETAG);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(cid);
	ASN1_INTEGER_free(ai);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	ASN1_TIME_free(rt);
}

static int check(struct db_verifier *v, struct resp *r)
{
	return db_verify_response(v, r->key, r->klen, &r->rec, r->der,
				  (size_t)r->len);
}

static struct db_verifier *verifier(X509 *a, X509 *b, int allow_expired)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct db_verifier *v;

	if (a)
		sk_X509_push(sk, a);
	if (b)
		sk_X509_push(sk, b);
	ck_assert_int_eq(db_verify_new(sk, NOW, allow_expired, &v), 0);
	sk_X509_free(sk);	/* the verifier holds its own references */
	return v;
}

START_TEST(good_and_each_header_field)
{
	struct db_verifier *v = verifier(ca, NULL, 0);
	struct resp r;

	make(&r, rsp, rsp_key, 1);
	ck_assert_int_eq(check(v, &r), 0);
	ck_assert_uint_eq(db_verify_unanchored(v), 0);
	r.rec.reason = OP_REASON_NONE;
	ck_assert_int_eq(check(v, &r), OP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "reason"));
	r.rec.reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
	r.rec.rev_time++;
	ck_assert_int_eq(check(v, &r), OP_E_FORMAT);
	r.rec.rev_time--;
	r.rec.next_update++;
	ck_assert_int_eq(check(v, &r), OP_E_FORMAT);
	r.rec.next_update--;
	r.rec.status = OP_STATUS_GOOD;
	ck_assert_int_eq(check(v, &r), OP_E_FORMAT);
	r.rec.status = OP_STATUS_REVOKED;
	r.rec.signer_id[0] ^= 1;
	ck_assert_int_eq(check(v, &r), OP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "signer id"));
	r.rec.signer_id[0] ^= 1;
	r.rec.etag[5] ^= 1;
	ck_assert_int_eq(check(v, &r), OP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "ETag"));
	r.rec.etag[5] ^= 1;
	r.key[r.klen - 1] ^= 1;		/* another serial's key */
	ck_assert_int_eq(check(v, &r), OP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "CertID"));
	r.key[r.klen - 1] ^= 1;
	r.der[r.len - 1] ^= 1;		/* inside the certificate's signature */
	ck_assert_int_ne(check(v, &r), 0);
	r.der[r.len - 1] ^= 1;
	ck_assert_int_eq(check(v, &r), 0);
	OPENSSL_free(r.der);
	db_verify_free(v);
}
END_TEST

START_TEST(validity_window)
{
	struct db_verifier *v = verifier(ca, NULL, 0), *late, *lax;
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct resp r;

	make(&r, rsp, rsp_key, 1);
	sk_X509_push(sk, ca);
	ck_assert_int_eq(db_verify_new(sk, NOW + 86400, 0, &late), 0);
	ck_assert_int_eq(db_verify_new(sk, NOW + 86400, 1, &lax), 0);
	ck_assert_int_eq(check(v, &r), 0);
	ck_assert_int_eq(check(late, &r), OP_E_RANGE);	/* now == nextUpdate */
	ck_assert_int_eq(check(lax, &r), 0);
	sk_X509_free(sk);
	OPENSSL_free(r.der);
	db_verify_free(v);
	db_verify_free(late);
	db_verify_free(lax);
}
END_TEST

START_TEST(responders)
{
	struct db_verifier *v = verifier(ca, NULL, 0), *bare = verifier(NULL, NULL, 0);
	struct db_verifier *given = verifier(ca, rsp, 0);
	struct resp r;

	/* Not authorised by the CA: no OCSPSigning, or issued by another. */
	make(&r, rsp_noeku, rsp_key, 1);
	ck_assert_int_eq(check(v, &r), OP_E_SIGNER);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "OCSPSigning"));
	OPENSSL_free(r.der);
	make(&r, rsp_foreign, rsp_key, 1);
	ck_assert_int_eq(check(v, &r), OP_E_SIGNER);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "not issued"));
	/* Without the CA's certificate: signature only, and said so. */
	ck_assert_int_eq(check(bare, &r), 0);
	ck_assert_uint_eq(db_verify_unanchored(bare), 1);
	OPENSSL_free(r.der);
	/* No certificate in the response: found among those given. */
	make(&r, rsp, rsp_key, 0);
	ck_assert_int_eq(check(v, &r), OP_E_SIGNER);
	ck_assert_int_eq(check(given, &r), 0);
	OPENSSL_free(r.der);
	/* The CA signing its own responses. */
	make(&r, ca, ca_key, 0);
	ck_assert_int_eq(check(v, &r), 0);
	/* The right key id but another key's signature. */
	r.der[r.len - 3] ^= 0x40;
	ck_assert_int_ne(check(v, &r), 0);
	OPENSSL_free(r.der);
	db_verify_free(v);
	db_verify_free(bare);
	db_verify_free(given);
}
END_TEST

START_TEST(not_a_response)
{
	struct db_verifier *v = verifier(ca, NULL, 0);
	struct resp r;
	unsigned char *extra;

	make(&r, rsp, rsp_key, 1);
	ck_assert_int_eq(db_verify_response(v, r.key, r.klen, &r.rec, r.der, 10),
			 OP_E_FORMAT);
	/* Trailing octets after a valid response. */
	extra = OPENSSL_malloc((size_t)r.len + 1);
	memcpy(extra, r.der, (size_t)r.len);
	extra[r.len] = 0;
	ck_assert_int_eq(db_verify_response(v, r.key, r.klen, &r.rec, extra,
					    (size_t)r.len + 1), OP_E_FORMAT);
	OPENSSL_free(extra);
	OPENSSL_free(r.der);
	db_verify_free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("verify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_and_each_header_field);
	tcase_add_test(tc, validity_window);
	tcase_add_test(tc, responders);
	tcase_add_test(tc, not_a_response);
	suite_add_tcase(s, tc);
	return check_run(s);
}
