/*
 * op_rec's splice and gen_store: a response stored without its certs
 * field and served through op_rec_emit() is byte for byte the DER that
 * OpenSSL's OCSP_basic_sign_ctx() + i2d_OCSP_RESPONSE() produced, for RSA
 * and ECDSA delegated signers and a CA signing with its own certificate,
 * with zero, one or many certificates; per-issuer summaries.
 */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/ocsp.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "gen_store.h"
#include "op_db.h"
#include "op_err.h"
#include "op_rec.h"
#include "op_sum.h"

#define NOW 1800000000LL

static EVP_PKEY *ca_key, *rsa_key, *ec_key;
static X509 *ca, *rsa_signer, *ec_signer;

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
		       EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)NOW - 86400);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)NOW + 86400 * 365);
	X509_set_pubkey(x, key);
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
	X509_NAME_free(n);
	return x;
}

static void setup(void)
{
	ca_key = EVP_RSA_gen(2048);
	rsa_key = EVP_RSA_gen(2048);
	ec_key = EVP_EC_gen("P-256");
	ca = make_cert("CA", ca_key, NULL, ca_key);
	rsa_signer = make_cert("OCSP RSA", rsa_key, ca, ca_key);
	ec_signer = make_cert("OCSP EC", ec_key, ca, ca_key);
}

static void teardown(void)
{
	X509_free(ca);
	X509_free(rsa_signer);
	X509_free(ec_signer);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(ec_key);
}

/* A response for serial signed by key/cert, as OpenSSL encodes it, with
 * the signer certificate unless nocerts, plus extra more copies of ca. */
static uint8_t *sign(EVP_PKEY *key, X509 *cert, long serial, int revoked,
		     int nocerts, int extra, size_t *len)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	ASN1_TIME *tu = ASN1_TIME_set(NULL, (time_t)NOW);
	ASN1_TIME *nu = ASN1_TIME_set(NULL, (time_t)NOW + 7 * 86400);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	OCSP_CERTID *cid;
	OCSP_RESPONSE *resp;
	unsigned char *der = NULL;
	int n;

	ASN1_INTEGER_set(ai, serial);
	cid = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(ca),
			       X509_get0_pubkey_bitstr(ca), ai);
	ck_assert_ptr_nonnull(OCSP_basic_add1_status(bs, cid, revoked ?
		V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD,
		revoked ? 1 : -1, revoked ? tu : NULL, tu, nu));
	for (int i = 0; i < extra; i++)
		ck_assert_int_eq(OCSP_basic_add1_cert(bs, ca), 1);
	ck_assert_int_eq(EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, key), 1);
	ck_assert_int_eq(OCSP_basic_sign_ctx(bs, cert, mctx, NULL, OCSP_RESPID_KEY |
					     (nocerts ? OCSP_NOCERTS : 0)), 1);
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	n = i2d_OCSP_RESPONSE(resp, &der);
	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(cid);
	ASN1_INTEGER_free(ai);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	EVP_MD_CTX_free(mctx);
	return der;
}

/* Split der and emit it again: the same octets, and the ETag over them. */
static void roundtrip(const uint8_t *der, size_t len, int want_certs)
{
	struct op_rec rec = { 0 };
	uint8_t md[SHA256_DIGEST_LENGTH], *out;

	ck_assert_int_eq(op_rec_from_der(der, len, &rec), 0);
	ck_assert_int_eq(rec.certs != NULL, want_certs);
	if (want_certs)
		ck_assert_uint_eq(rec.certs[0], 0xa0);
	ck_assert_uint_eq(op_rec_served_len(&rec), len);
	out = malloc(len);
	ck_assert_uint_eq(op_rec_emit(&rec, out), len);
	ck_assert_mem_eq(out, der, len);
	SHA256(der, len, md);
	ck_assert_mem_eq(rec.etag, md, OP_REC_ETAG);
	free(out);
}

START_TEST(splice_matches_openssl)
{
	struct { EVP_PKEY *k; X509 *c; int nocerts, extra; } v[] = {
		{ rsa_key, rsa_signer, 0, 0 },	/* RSA delegated */
		{ ec_key, ec_signer, 0, 0 },	/* ECDSA delegated */
		{ ca_key, ca, 0, 0 },		/* the CA itself, cert included */
		{ ca_key, ca, 1, 0 },		/* ... and without it */
		{ ec_key, ec_signer, 0, 1 },	/* signer plus one more */
		{ rsa_key, rsa_signer, 0, 90 },	/* over 64 KiB: 3-octet lengths */
		{ ec_key, ec_signer, 1, 2 },	/* certs, but not the signer's */
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (int revoked = 0; revoked < 2; revoked++) {
			size_t len;
			uint8_t *der = sign(v[i].k, v[i].c, 1000 + (long)i, revoked,
					    v[i].nocerts, v[i].extra, &len);

			roundtrip(der, len, !v[i].nocerts || v[i].extra);
			OPENSSL_free(der);
		}
	}
}
END_TEST

START_TEST(split_refuses_others)
{
	static const uint8_t unauthorized[] = { 0x30, 0x03, 0x0a, 0x01, 0x06 };
	struct op_rec rec;
	size_t len;
	uint8_t *der = sign(ec_key, ec_signer, 5, 0, 0, 0, &len);

	ck_assert_int_eq(op_rec_from_der(unauthorized, sizeof(unauthorized), &rec),
			 OP_E_FORMAT);
	/* Cut short, or trailing garbage after the outer SEQUENCE. */
	for (size_t cut = 1; cut < len; cut += 37)
		ck_assert_int_eq(op_rec_from_der(der, len - cut, &rec), OP_E_FORMAT);
	der = OPENSSL_realloc(der, len + 1);
	der[len] = 0;
	ck_assert_int_eq(op_rec_from_der(der, len + 1, &rec), OP_E_FORMAT);
	OPENSSL_free(der);
}
END_TEST

/* A scratch LMDB environment with one write transaction. */
struct env {
	char path[64];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
};

static void env_open(struct env *e)
{
	int fd;

	snprintf(e->path, sizeof(e->path), "/tmp/check_store.XXXXXX");
	fd = mkstemp(e->path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(e->path);
	ck_assert_int_eq(mdb_env_create(&e->env), 0);
	ck_assert_int_eq(mdb_env_set_mapsize(e->env, 1 << 26), 0);
	ck_assert_int_eq(mdb_env_open(e->env, e->path, MDB_NOSUBDIR | MDB_NOLOCK,
				      0600), 0);
	ck_assert_int_eq(mdb_txn_begin(e->env, NULL, 0, &e->txn), 0);
	ck_assert_int_eq(mdb_dbi_open(e->txn, NULL, 0, &e->dbi), 0);
}

static void env_close(struct env *e)
{
	mdb_txn_abort(e->txn);
	mdb_env_close(e->env);
	unlink(e->path);
}

/* Store der under key; read it back as the server does; emit. */
static void store_and_serve(struct gen_store *st, struct env *e, uint8_t keyb,
			    const uint8_t *der, size_t len, int want_spliced)
{
	uint8_t key[2] = { 1, keyb }, *out = malloc(len);
	struct op_rec in = { 0 }, rec;

	memset(in.signer_id, 0x5a, OP_REC_SIGNER_ID);
	in.this_update = NOW;
	in.next_update = NOW + 7 * 86400;
	ck_assert_int_eq(gen_store_put(st, key, sizeof(key), &in, der, len), 0);
	ck_assert_int_eq(op_db_get_rec(e->txn, e->dbi, key, sizeof(key), &rec), 0);
	ck_assert_int_eq((rec.flags & OP_REC_F_CERTS) != 0, want_spliced);
	ck_assert_uint_eq(op_rec_served_len(&rec), len);
	op_rec_emit(&rec, out);
	ck_assert_mem_eq(out, der, len);
	free(out);
}

START_TEST(store_once_per_signer)
{
	struct env e;
	struct gen_store *st;
	size_t l1, l2, l3;
	uint8_t *d1 = sign(ec_key, ec_signer, 1, 0, 0, 0, &l1);
	uint8_t *d2 = sign(ec_key, ec_signer, 2, 1, 0, 0, &l2);
	uint8_t *d3 = sign(ec_key, ec_signer, 3, 0, 0, 1, &l3);
	uint8_t id[OP_REC_SIGNER_ID];
	MDB_val k, v;
	MDB_stat ms;

	env_open(&e);
	ck_assert_int_eq(gen_store_new(e.txn, e.dbi, &st), 0);
	store_and_serve(st, &e, 1, d1, l1, 1);
	store_and_serve(st, &e, 2, d2, l2, 1);
	/* Other certs under the same signer id: kept inline, still exact. */
	store_and_serve(st, &e, 3, d3, l3, 0);
	/* Stored without the certificate: much shorter than the DER. */
	k.mv_size = 2;
	k.mv_data = (uint8_t[]){ 1, 1 };
	ck_assert_int_eq(mdb_get(e.txn, e.dbi, &k, &v), 0);
	ck_assert_uint_lt(v.mv_size, l1 - 300);
	/* Pruning keeps the signers named, drops the others. */
	ck_assert_int_eq(mdb_stat(e.txn, e.dbi, &ms), 0);
	ck_assert_uint_eq(ms.ms_entries, 4);
	memset(id, 0x5a, sizeof(id));
	ck_assert_int_eq(gen_store_prune_certs(st, id, 1), 0);
	ck_assert_int_eq(mdb_stat(e.txn, e.dbi, &ms), 0);
	ck_assert_uint_eq(ms.ms_entries, 4);
	id[0] = 0;
	ck_assert_int_eq(gen_store_prune_certs(st, id, 1), 0);
	ck_assert_int_eq(mdb_stat(e.txn, e.dbi, &ms), 0);
	ck_assert_uint_eq(ms.ms_entries, 3);
	gen_store_free(st);
	env_close(&e);
	OPENSSL_free(d1);
	OPENSSL_free(d2);
	OPENSSL_free(d3);
}
END_TEST

static int sum_cb(const uint8_t *prefix, size_t plen, const struct op_sum *s,
		  void *arg)
{
	int *seen = arg;

	ck_assert_uint_eq(plen, 2);
	ck_assert_uint_eq(prefix[0], 1);
	*seen |= prefix[1] == 1 ? 1 : 2;
	ck_assert_uint_eq(op_sum_count(s), prefix[1] == 1 ? 3 : 1);
	return 0;
}

START_TEST(summaries)
{
	struct env e;
	struct gen_store *st;
	struct op_sum a, b, t;
	struct op_rec r = { 0 };
	uint8_t buf[OP_SUM_LEN];
	int seen = 0;

	op_sum_init(&a);
	op_sum_init(&b);
	ck_assert_int_eq(a.nearest_next, INT64_MAX);
	r.this_update = 100;
	r.next_update = 500;
	op_sum_add(&a, &r);
	r.status = OP_STATUS_REVOKED;
	r.this_update = 50;
	r.next_update = 900;
	op_sum_add(&a, &r);
	r.status = OP_STATUS_GOOD;
	r.this_update = 200;
	r.next_update = 400;
	op_sum_add(&a, &r);
	op_sum_add(&b, &r);
	ck_assert_uint_eq(a.good, 2);
	ck_assert_uint_eq(a.revoked, 1);
	ck_assert_int_eq(a.oldest_this, 50);
	ck_assert_int_eq(a.nearest_next, 400);
	op_sum_encode(&a, buf);
	ck_assert_int_eq(op_sum_decode(buf, sizeof(buf), &t), 0);
	ck_assert_mem_eq(&t, &a, sizeof(t));
	ck_assert_int_eq(op_sum_decode(buf, sizeof(buf) - 1, &t), OP_E_FORMAT);

	/* After a run: each entry's times as its response states them; the
	 * nearest nextUpdate need not be the oldest's (a CRL caps some). */
	{
		struct gen_entry ev[3] = { { .status = OP_STATUS_GOOD },
			{ .status = OP_STATUS_REVOKED }, { .status = OP_STATUS_GOOD } };
		struct gen_list l = { .v = ev, .n = 3 };
		int64_t tu[3] = { 700, 1000, 650 };
		int64_t nu[3] = { 700 + 86400, 1000 + 3600, 650 + 86400 };

		gen_store_summary(&l, tu, nu, &t);
		ck_assert_uint_eq(t.good, 2);
		ck_assert_uint_eq(t.revoked, 1);
		ck_assert_int_eq(t.oldest_this, 650);
		ck_assert_int_eq(t.nearest_next, 1000 + 3600);
		l.n = 0;
		gen_store_summary(&l, tu, nu, &t);
		ck_assert_int_eq(t.oldest_this, INT64_MAX);
		ck_assert_int_eq(t.nearest_next, INT64_MAX);
	}

	env_open(&e);
	ck_assert_int_eq(gen_store_new(e.txn, e.dbi, &st), 0);
	ck_assert_int_eq(gen_store_put_sum(st, (uint8_t[]){ 1, 1 }, 2, &a), 0);
	ck_assert_int_eq(gen_store_put_sum(st, (uint8_t[]){ 1, 2 }, 2, &b), 0);
	ck_assert_int_eq(op_db_sums(e.txn, e.dbi, sum_cb, &seen), 0);
	ck_assert_int_eq(seen, 3);
	gen_store_free(st);
	env_close(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gen_store");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, splice_matches_openssl);
	tcase_add_test(tc, split_refuses_others);
	tcase_add_test(tc, store_once_per_signer);
	tcase_add_test(tc, summaries);
	suite_add_tcase(s, tc);
	return check_run(s);
}
