/*
 * Fixture shared by the suites of the output's history (gen_stick,
 * gen_retain): a real LMDB working copy in a temporary directory with a
 * write transaction open, a CA, stored responses (header fields only)
 * under any CertID hash, and input entries.
 */
#ifndef CHECK_HIST_H
#define CHECK_HIST_H

#include <check.h>
#include <lmdb.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check_tmpdir.h"
#include "gen_input.h"
#include "op_key.h"
#include "op_rec.h"

#define HOLD 6
#define KEYCOMPROMISE 1

static MDB_env *env;
static MDB_txn *txn;
static MDB_dbi dbi;
static X509 *ca;
static EVP_PKEY *key;

static void hist_setup(void)
{
	char path[600];
	X509_NAME *n;

	tmpdir_setup();
	snprintf(path, sizeof(path), "%s/w.lmdb", tmpdir);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	key = EVP_EC_gen("P-256");
	ca = X509_new();
	n = X509_get_subject_name(ca);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"Stick CA", -1, -1, 0);
	X509_set_pubkey(ca, key);
}

static void hist_teardown(void)
{
	mdb_txn_abort(txn);
	mdb_env_close(env);
	X509_free(ca);
	EVP_PKEY_free(key);
	tmpdir_teardown();
}

/* A stored response (header only matters here) under hash tag. */
static void stored(int tag, uint8_t serial, int status, int reason, int64_t t)
{
	uint8_t k[OP_KEY_MAX], body[2] = { 0x30, 0 }, buf[OP_REC_HDR + 2];
	struct op_rec r = { .status = (uint8_t)status, .reason = (uint8_t)reason,
			    .this_update = 1, .next_update = 2, .rev_time = t,
			    .body = body, .body_len = 2 };
	size_t klen;
	MDB_val mk, mv = { op_rec_size(&r), buf };

	ck_assert_uint_le(op_rec_size(&r), sizeof(buf));
	ck_assert_int_eq(op_key_from_issuer(ca, tag, &serial, 1, k, &klen), 0);
	op_rec_encode(&r, buf);
	mk.mv_size = klen;
	mk.mv_data = k;
	ck_assert_int_eq(mdb_put(txn, dbi, &mk, &mv, 0), 0);
}

static struct gen_entry *input(struct gen_list *l, uint8_t serial, int status,
			       int reason)
{
	struct gen_entry *e = gen_input_list_add(l);

	ck_assert_ptr_nonnull(e);
	e->serial[0] = serial;
	e->serial_len = 1;
	e->status = (uint8_t)status;
	e->reason = (uint8_t)reason;
	e->rev_time = status == OP_STATUS_REVOKED ? 500 : 0;
	return e;
}

static const struct gen_entry *find(const struct gen_list *l, uint8_t serial)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].serial_len == 1 && l->v[i].serial[0] == serial)
			return &l->v[i];
	return NULL;
}

#endif
