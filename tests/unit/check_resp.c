/* gen_resp: responses built from constant parts are the bytes OpenSSL's
 * OCSP API makes for the same inputs.  RSA (PKCS#1 v1.5 is deterministic):
 * the whole response.  ECDSA: everything but the signature value, which
 * must verify with the curve's digest (BR 7.1.3.2).  Good and revoked with
 * every reason, all CertID hashes in both encodings (SHA-2 parameters
 * absent by default, NULL in the NULL form), both responderID forms, with
 * and without the certs field, with and without singleExtensions (CRL
 * references with and without URL and number, the archive cutoff at a
 * fixed time and producedAt minus the retention).  Keys that cannot sign
 * by the rules are refused before they sign. */
#include <check.h>

#include "check_run.h"
#include <string.h>
#include <time.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

#include "gen_resp.h"
#include "op_err.h"
#include "op_key.h"
#include "op_rec.h"
#include "op_time.h"

#define NOW 1800000000LL

static EVP_PKEY *new_key(const char *type)
{
	if (strcmp(type, "rsa") == 0)
		return EVP_RSA_gen(2048);
	if (strcmp(type, "rsa1024") == 0)
		return EVP_RSA_gen(1024);
	if (strcmp(type, "ed25519") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (strcmp(type, "rsapss") == 0) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
		EVP_PKEY *k = NULL;

		if (c && EVP_PKEY_keygen_init(c) == 1)
			EVP_PKEY_generate(c, &k);
		EVP_PKEY_CTX_free(c);
		return k;
	}
	return EVP_EC_gen(strcmp(type, "p384") == 0 ? "P-384" :
			  strcmp(type, "p521") == 0 ? "P-521" :
			  strcmp(type, "k256") == 0 ? "secp256k1" : "P-256");
}

/* The digest each key type must sign with. */
static const char *md_of(const char *type)
{
	return strcmp(type, "p384") == 0 ? "SHA384" :
	       strcmp(type, "p521") == 0 ? "SHA512" : "SHA256";
}

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
		       EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Test",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn,
				   -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(NOW - 86400));
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(NOW + 86400 * 365));
	X509_set_pubkey(x, key);
	if (issuer) {
		X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, "OCSPSigning");
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	/* Ed25519 signs without a separate digest. */
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_PKEY_get_base_id(issuer_key) ==
				   EVP_PKEY_ED25519 ? NULL : EVP_sha256()), 0);
	X509_NAME_free(n);
	return x;
}

/* Tag/length walk: the content of the element at *p, and *p past it. */
static const uint8_t *tlv(const uint8_t **p, size_t *len, size_t *tlen)
{
	const uint8_t *q = *p;
	size_t n = q[1], h = 2;

	if (n & 0x80) {
		h += n & 0x7f;
		n = 0;
		for (size_t i = 2; i < h; i++)
			n = n << 8 | q[i];
	}
	*len = n;
	*tlen = h + n;
	*p = q + h + n;
	return q + h;
}

/* The BasicOCSPResponse's elements: tbs, sigalg, signature, certs (TLVs;
 * certs NULL when absent). */
struct parts {
	const uint8_t *e[4];
	size_t len[4];
};

static void split(const uint8_t *der, struct parts *pt)
{
	const uint8_t *p = der, *c, *end;
	size_t n, t;

	memset(pt, 0, sizeof(*pt));
	c = tlv(&p, &n, &t);		/* OCSPResponse */
	p = c;
	tlv(&p, &n, &t);		/* responseStatus */
	c = tlv(&p, &n, &t);		/* [0] */
	p = c;
	c = tlv(&p, &n, &t);		/* ResponseBytes */
	p = c;
	tlv(&p, &n, &t);		/* responseType */
	c = tlv(&p, &n, &t);		/* OCTET STRING */
	p = c;
	c = tlv(&p, &n, &t);		/* BasicOCSPResponse */
	p = c;
	end = c + n;
	for (int i = 0; i < 4 && p < end; i++) {
		pt->e[i] = p;
		tlv(&p, &n, &pt->len[i]);
	}
	ck_assert_ptr_eq(p, end);
}

static int64_t produced_at(const uint8_t *der, int len)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, len);
	OCSP_BASICRESP *bs = r ? OCSP_response_get1_basic(r) : NULL;
	int64_t t = 0;

	ck_assert_ptr_nonnull(bs);
	ck_assert_int_eq(op_time_from_asn1(OCSP_resp_get0_produced_at(bs), &t), 0);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(r);
	return t;
}

/* Our signature over our tbs verifies with the signer's key. */
static void verify(const struct parts *pt, EVP_PKEY *pub, const char *md)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const uint8_t *p = pt->e[2];
	size_t n, t;
	const uint8_t *sig = tlv(&p, &n, &t);

	ck_assert_int_eq(EVP_DigestVerifyInit_ex(c, NULL, md, NULL, NULL, pub, NULL), 1);
	ck_assert_int_eq(EVP_DigestVerify(c, sig + 1, n - 1, pt->e[0], pt->len[0]), 1);
	EVP_MD_CTX_free(c);
}

struct fixture {
	const char *type;	/* rsa, p256, p384 */
	EVP_PKEY *ca_key, *key;
	X509 *ca, *cert;	/* cert == ca when the CA signs */
};

/* The CertID's hashAlgorithm in the response: the OID of tag's hash, then
 * 05 00 only for SHA-1 and the NULL forms. */
static void check_certid_alg(const uint8_t *tbs, int tag)
{
	const uint8_t *p = tbs, *c;
	size_t n, t, olen;
	const uint8_t *oid = op_hash_oid(tag, &olen);
	int null = (tag & OP_TAG_NULL) || tag == OP_HASH_SHA1;

	c = tlv(&p, &n, &t);	/* tbsResponseData */
	p = c;
	tlv(&p, &n, &t);	/* responderID */
	tlv(&p, &n, &t);	/* producedAt */
	c = tlv(&p, &n, &t);	/* responses */
	p = c;
	c = tlv(&p, &n, &t);	/* SingleResponse */
	p = c;
	c = tlv(&p, &n, &t);	/* CertID */
	p = c;
	c = tlv(&p, &n, &t);	/* AlgorithmIdentifier */
	ck_assert_uint_eq(n, 2 + olen + (null ? 2 : 0));
	ck_assert_uint_eq(c[0], 0x06);
	ck_assert_mem_eq(c + 2, oid, olen);
	if (null)
		ck_assert_mem_eq(c + 2 + olen, "\x05\x00", 2);
}

/* The singleExtensions OpenSSL reads from our response: the CRL
 * reference when the response cites a CRL the profile has, then the
 * archive cutoff, at its time. */
static void check_exts(const uint8_t *der, size_t len,
		       const struct gen_resp_profile *prof,
		       const struct gen_resp_in *in)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	OCSP_BASICRESP *bs = r ? OCSP_response_get1_basic(r) : NULL;
	OCSP_SINGLERESP *one = bs ? OCSP_resp_get0(bs, 0) : NULL;
	int crl = in->crl && prof->crlid[in->crl - 1], i;
	ASN1_GENERALIZEDTIME *t;
	int64_t at;

	ck_assert_ptr_nonnull(one);
	ck_assert_int_eq(OCSP_SINGLERESP_get_ext_count(one),
			 crl + (prof->cutoff != GEN_RESP_CUTOFF_NONE));
	i = OCSP_SINGLERESP_get_ext_by_NID(one, NID_id_pkix_OCSP_CrlID, -1);
	ck_assert_int_eq(i, crl ? 0 : -1);
	if (prof->cutoff != GEN_RESP_CUTOFF_NONE) {
		t = OCSP_SINGLERESP_get1_ext_d2i(one, NID_id_pkix_OCSP_archiveCutoff,
						 NULL, NULL);
		ck_assert_ptr_nonnull(t);
		ck_assert_int_eq(op_time_from_asn1(t, &at), 0);
		ck_assert_int_eq(at, prof->cutoff == GEN_RESP_CUTOFF_AT ?
				 prof->cutoff_at : in->produced_at - prof->retain);
		ASN1_GENERALIZEDTIME_free(t);
	}
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(r);
}

static const int tags[] = {
	OP_HASH_SHA1, OP_HASH_SHA256, OP_HASH_SHA384, OP_HASH_SHA512,
	OP_HASH_SHA256 | OP_TAG_NULL, OP_HASH_SHA384 | OP_TAG_NULL,
	OP_HASH_SHA512 | OP_TAG_NULL
};
#define NTAGS ((int)(sizeof(tags) / sizeof(tags[0])))

/* OpenSSL's response for in, with in->produced_at what OpenSSL set: an
 * archive cutoff from producedAt must come from the same second. */
static void ref_at_produced(struct fixture *f,
			    const struct gen_resp_profile *prof,
			    struct gen_resp_in *in, unsigned char **ref, int *rlen)
{
	for (int tries = 0; tries < 3; tries++) {
		in->produced_at = time(NULL);
		ck_assert_int_eq(gen_resp_sign_ref(f->ca, f->cert, f->key, prof,
						   in, ref, rlen), 0);
		if (produced_at(*ref, *rlen) == in->produced_at)
			return;
		OPENSSL_free(*ref);
	}
	ck_abort_msg("producedAt never matched the second it was signed in");
}

static int compare_all(struct fixture *f, const struct gen_resp_profile *prof,
		       const struct gen_resp_in *base)
{
	static const int reasons[] = { OP_REASON_NONE, 0, 1, 2, 3, 4, 5, 6, 8, 9, 10 };
	EVP_PKEY *keys[2] = { f->key, f->key };
	struct gen_resp_signer *s;
	int checked = 0;

	ck_assert_int_eq(gen_resp_signer_new(f->ca, f->cert, keys, 2, prof, &s), 0);
	for (int ti = 0; ti < NTAGS; ti++) {
		for (int i = -1; i < (int)(sizeof(reasons) / sizeof(reasons[0])); i++) {
			struct gen_resp_in in = *base;
			unsigned char *ref, *ours;
			size_t olen;
			int rlen;
			struct parts a, b;

			in.hash = tags[ti];
			if (i >= 0) {
				in.status = OP_STATUS_REVOKED;
				in.reason = reasons[i];
				in.rev_time = NOW - 3600 * (i + 1);
			}
			in.crl = checked % 3;
			ref_at_produced(f, prof, &in, &ref, &rlen);
			ck_assert_int_eq(gen_resp_make(s, checked & 1, &in, &ours, &olen), 0);
			if (strcmp(f->type, "rsa") == 0) {
				ck_assert_uint_eq(olen, (size_t)rlen);
				ck_assert_mem_eq(ours, ref, olen);
			}
			split(ref, &a);
			split(ours, &b);
			for (int e = 0; e < 4; e++) {
				if (e == 2)
					continue;
				ck_assert_uint_eq(a.len[e], b.len[e]);
				if (a.e[e])
					ck_assert_mem_eq(a.e[e], b.e[e], a.len[e]);
			}
			ck_assert_int_eq(!a.e[3], !prof->include_cert);
			verify(&b, f->key, md_of(f->type));
			check_certid_alg(b.e[0], in.hash);
			check_exts(ours, olen, prof, &in);
			OPENSSL_free(ref);
			OPENSSL_free(ours);
			checked++;
		}
	}
	gen_resp_signer_free(s);
	return checked;
}

static void run(const char *type, int delegate)
{
	static const uint8_t s1[] = { 0x01 };
	static const uint8_t s20[] = { 0x00, 0x9c, 0x12, 0x34, 0x56, 0x78, 0x9a,
				       0xbc, 0xde, 0xf0, 0x01, 0x02, 0x03, 0x04,
				       0x05, 0x06, 0x07, 0x08, 0x09, 0x0a };
	static const uint8_t n10[] = { 10 }, n80[] = { 0x80, 0x01 };
	static const struct gen_ext_crlid base = {
		.url = "http://pki.example.com/CA.crl", .has_num = 1,
		.num = n10, .num_len = 1, .time = NOW - 86400 };
	static const struct gen_ext_crlid delta = {
		.has_num = 1, .num = n80, .num_len = 2, .time = NOW - 3600 };
	static const struct gen_ext_crlid bare = { .time = NOW - 7200 };
	static const struct gen_resp_profile profs[] = {
		{ .include_cert = 1 }, { .by_name = 1 },
		{ .include_cert = 1, .by_name = 1 }, { 0 },
		{ .crlid = { &base, &delta }, .cutoff = GEN_RESP_CUTOFF_AT,
		  .cutoff_at = NOW - 400 * 86400 },
		{ .include_cert = 1, .crlid = { &bare, NULL },
		  .cutoff = GEN_RESP_CUTOFF_RETAIN, .retain = 3650LL * 86400 },
		{ .crlid = { NULL, &base } },
	};
	struct fixture f = { .type = type };
	struct gen_resp_in in = { .status = OP_STATUS_GOOD,
				  .reason = OP_REASON_NONE,
				  .this_update = NOW, .next_update = NOW + 7 * 86400 };

	f.ca_key = new_key(type);
	f.ca = make_cert("CA", f.ca_key, NULL, f.ca_key);
	if (delegate) {
		f.key = new_key(type);
		f.cert = make_cert("OCSP signer", f.key, f.ca, f.ca_key);
	} else {
		f.key = f.ca_key;
		f.cert = f.ca;
	}
	for (size_t p = 0; p < sizeof(profs) / sizeof(profs[0]); p++) {
		in.serial = p & 1 ? s20 : s1;
		in.serial_len = p & 1 ? sizeof(s20) : sizeof(s1);
		ck_assert_int_eq(compare_all(&f, &profs[p], &in), NTAGS * 12);
	}
	if (delegate) {
		X509_free(f.cert);
		EVP_PKEY_free(f.key);
	}
	X509_free(f.ca);
	EVP_PKEY_free(f.ca_key);
}

START_TEST(rsa_delegate)
{
	run("rsa", 1);
}
END_TEST

START_TEST(rsa_ca_signs)
{
	run("rsa", 0);
}
END_TEST

START_TEST(p256_delegate)
{
	run("p256", 1);
}
END_TEST

START_TEST(p384_ca_signs)
{
	run("p384", 0);
}
END_TEST

START_TEST(p521_delegate)
{
	run("p521", 1);
}
END_TEST

/* Keys that cannot sign by the rules: refused from the certificate with a
 * message saying why, before the key signs (the handle given holds only
 * the public key, so any attempt to sign would fail otherwise). */
START_TEST(refuses_keys_by_the_rules)
{
	static const struct { const char *type, *says; } bad[] = {
		{ "ed25519", "ED25519 key" }, { "rsapss", "RSA-PSS-only" },
		{ "k256", "curve secp256k1" }, { "rsa1024", "1024 bits" },
	};
	struct gen_resp_profile prof = { .include_cert = 1 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EVP_PKEY *k = new_key(bad[i].type), *pub;
		struct gen_resp_signer *s = NULL;
		const char *md;
		char why[200];
		X509 *ca;

		ck_assert_msg(k != NULL, "generating a %s key", bad[i].type);
		ca = make_cert("CA", k, NULL, k);
		pub = X509_get_pubkey(ca);
		ck_assert_int_eq(gen_resp_sig_md(pub, &md, why, sizeof(why)),
				 OP_E_SIGNER);
		ck_assert_msg(strstr(why, bad[i].says), "%s: %s", bad[i].type, why);
		ck_assert_int_eq(gen_resp_signer_new(ca, ca, &pub, 1, &prof, &s),
				 OP_E_SIGNER);
		ck_assert_ptr_null(s);
		ck_assert_msg(strstr(op_err_detail(), bad[i].says), "%s",
			      op_err_detail());
		EVP_PKEY_free(pub);
		X509_free(ca);
		EVP_PKEY_free(k);
	}
}
END_TEST

START_TEST(refuses_bad_input)
{
	static const uint8_t one = 1;
	EVP_PKEY *k = new_key("p256");
	X509 *ca = make_cert("CA", k, NULL, k);
	struct gen_resp_profile prof = { .include_cert = 1 };
	struct gen_resp_in in = { .hash = 9, .serial = &one, .serial_len = 1 };
	struct gen_resp_signer *s;
	unsigned char *der;
	size_t len;

	ck_assert_int_eq(gen_resp_signer_new(ca, ca, &k, 1, &prof, &s), 0);
	ck_assert_int_eq(gen_resp_make(s, 0, &in, &der, &len), OP_E_RANGE);
	ck_assert_ptr_null(der);
	gen_resp_signer_free(s);
	X509_free(ca);
	EVP_PKEY_free(k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gen_resp");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, rsa_delegate);
	tcase_add_test(tc, rsa_ca_signs);
	tcase_add_test(tc, p256_delegate);
	tcase_add_test(tc, p384_ca_signs);
	tcase_add_test(tc, p521_delegate);
	tcase_add_test(tc, refuses_keys_by_the_rules);
	tcase_add_test(tc, refuses_bad_input);
	suite_add_tcase(s, tc);
	return check_run(s);
}
