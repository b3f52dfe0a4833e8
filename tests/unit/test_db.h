/*
 * A real LMDB responses file in the published format (format record,
 * publication time, records, the summary the generator writes), for the
 * server's unit suites (check_fixture.h) and its fuzz target, which has
 * no Check.  Test code only.
 */
#ifndef TEST_DB_H
#define TEST_DB_H

#include <lmdb.h>
#include <stdio.h>
#include <string.h>

#include "op_db.h"
#include "op_rec.h"
#include "op_sum.h"

struct test_resp {
	const uint8_t *key;
	size_t keylen;
	int status;		/* enum op_status */
	int64_t this_update, next_update;
	const char *body;	/* stands in for the stored body */
};

static inline int test_db_put(MDB_txn *txn, MDB_dbi dbi, const void *k,
			      size_t klen, const void *v, size_t vlen)
{
	MDB_val kv = { klen, (void *)k }, vv = { vlen, (void *)v };

	return mdb_put(txn, dbi, &kv, &vv, 0);
}

/* Write a file at path, published at `generated`: 0 or an LMDB error. */
static inline int test_db_write(const char *path, int64_t generated,
				const struct test_resp *r, int n)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	static const uint8_t all = 1;	/* a summary's "prefix" */
	uint8_t gen[8], val[512], sv[OP_SUM_LEN];
	struct op_sum sum;
	int rc;

	remove(path);
	if ((rc = mdb_env_create(&env)) != 0)
		return rc;
	if ((rc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0600)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		goto env_close;
	op_rec_put_i64(gen, generated);
	if ((rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0 ||
	    (rc = op_db_meta_put(txn, dbi, OP_META_K_FORMAT, NULL, 0,
				 OP_DB_FORMAT, strlen(OP_DB_FORMAT), NULL)) != 0 ||
	    (rc = op_db_meta_put(txn, dbi, OP_META_K_GENERATED, NULL, 0, gen, 8,
				 NULL)) != 0)
		goto txn_abort;
	op_sum_init(&sum);
	for (int i = 0; i < n; i++) {
		struct op_rec rec = { 0 };

		rec.status = (uint8_t)r[i].status;
		rec.reason = OP_REASON_NONE;
		rec.this_update = r[i].this_update;
		rec.next_update = r[i].next_update;
		rec.body = (const uint8_t *)r[i].body;
		rec.body_len = strlen(r[i].body);
		op_rec_encode(&rec, val);
		if ((rc = test_db_put(txn, dbi, r[i].key, r[i].keylen, val,
				      op_rec_size(&rec))) != 0)
			goto txn_abort;
		op_sum_add(&sum, &rec);
	}
	/* One summary for all issuers: readers only add them up. */
	op_sum_encode(&sum, sv);
	if ((rc = op_db_meta_put(txn, dbi, OP_META_K_SUMMARY, &all, 1, sv,
				 sizeof(sv), NULL)) != 0)
		goto txn_abort;
	rc = mdb_txn_commit(txn);
	goto env_close;
txn_abort:
	mdb_txn_abort(txn);
env_close:
	mdb_env_close(env);
	return rc;
}

#endif
