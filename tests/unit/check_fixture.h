/*
 * Fixtures shared by the server suites: a real OCSPRequest made by
 * OpenSSL and a real LMDB responses file in the published format.
 */
#ifndef CHECK_FIXTURE_H
#define CHECK_FIXTURE_H

#include <check.h>
#include <lmdb.h>
#include <openssl/ocsp.h>
#include <stdio.h>
#include <string.h>

#include "op_db.h"
#include "op_key.h"
#include "op_rec.h"
#include "op_sum.h"

/* DER OCSPRequest for serial under a fixed issuer ("Test CA"); its key. */
static inline int fx_request(const EVP_MD *md, long serial, uint8_t *out,
			     uint8_t key[OP_KEY_MAX], size_t *keylen)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	X509_NAME *nm = X509_NAME_new();
	ASN1_BIT_STRING *pub = ASN1_BIT_STRING_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	OCSP_CERTID *cid;
	unsigned char *p = out;
	int len;

	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
				   (const unsigned char *)"Test CA", -1, -1, 0);
	ASN1_BIT_STRING_set(pub, (unsigned char *)"key bits", 8);
	ASN1_INTEGER_set(sn, serial);
	cid = OCSP_cert_id_new(md, nm, pub, sn);
	ck_assert_int_eq(op_key_from_certid(cid, key, keylen), 0);
	OCSP_request_add0_id(req, cid);
	len = i2d_OCSP_REQUEST(req, &p);
	OCSP_REQUEST_free(req);
	X509_NAME_free(nm);
	ASN1_BIT_STRING_free(pub);
	ASN1_INTEGER_free(sn);
	return len;
}

struct fx_resp {
	const uint8_t *key;
	size_t keylen;
	int status;		/* enum op_status */
	int64_t this_update, next_update;
	const char *der;	/* stands in for the stored body */
};

/* Write a responses file at path, generated at `generated`. */
static inline void fx_db(const char *path, int64_t generated,
			 const struct fx_resp *r, int n)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t gen[8], val[512], sk[sizeof(OP_META_SUMMARY)], sv[OP_SUM_LEN];
	struct op_sum sum;
	MDB_val k, v;

	remove(path);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	k = (MDB_val){ sizeof(OP_META_FORMAT) - 1, OP_META_FORMAT };
	v = (MDB_val){ strlen(OP_DB_FORMAT), OP_DB_FORMAT };
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	op_put_i64(gen, generated);
	k = (MDB_val){ sizeof(OP_META_GENERATED) - 1, OP_META_GENERATED };
	v = (MDB_val){ 8, gen };
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	op_sum_init(&sum);
	for (int i = 0; i < n; i++) {
		struct op_rec rec = { 0 };

		rec.status = (uint8_t)r[i].status;
		rec.reason = OP_REASON_NONE;
		rec.this_update = r[i].this_update;
		rec.next_update = r[i].next_update;
		rec.body = (const uint8_t *)r[i].der;
		rec.body_len = strlen(r[i].der);
		op_rec_encode(&rec, val);
		k = (MDB_val){ r[i].keylen, (void *)r[i].key };
		v = (MDB_val){ op_rec_size(&rec), val };
		ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
		op_sum_add(&sum, &rec);
	}
	/* The summary the generator would write (one, for all issuers:
	 * readers only add them up). */
	memcpy(sk, OP_META_SUMMARY, sizeof(OP_META_SUMMARY) - 1);
	sk[sizeof(OP_META_SUMMARY) - 1] = 1;
	op_sum_encode(&sum, sv);
	k = (MDB_val){ sizeof(sk), sk };
	v = (MDB_val){ sizeof(sv), sv };
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

#endif
