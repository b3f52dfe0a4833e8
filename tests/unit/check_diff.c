/* gen_diff: one authority prepared from a real PKI (PEM key) diffed
 * against a real LMDB file, run after run: what it signs, keeps and
 * removes, counted in the caller's gen_diff_count, and the responses of
 * issuers no longer configured dropped. */
#include <check.h>

#include "check_pki.h"
#include "check_run.h"
#include <lmdb.h>

#include "gen_auth.h"
#include "gen_batch.h"
#include "gen_conf.h"
#include "gen_diff.h"
#include "gen_keystore.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#define N 30

static struct pki p;
static MDB_env *env;
static MDB_dbi dbi;

static void setup(void)
{
	op_log_init("check_diff", OP_LOG_ERR);
	op_time_set_fake(PKI_NOW);
	pki_make(&p, N);
	pki_lmdb(&p, "d.lmdb", 64u << 20, &env, &dbi);
}

static void teardown(void)
{
	mdb_env_close(env);
	pki_free(&p);
	op_time_set_fake(-1);
}

/*
 * One diff of the suite's authority at the fake clock's time, in a write
 * transaction that is committed: the authority prepared against the file
 * as its history, counts added to *n.  Returns gen_diff_run's code.
 */
static int diff(int force, int drop_unknown, struct gen_diff_count *n,
		size_t *removed_unknown)
{
	struct gen_keystore *ks;
	struct gen_batch *b;
	struct gen_conf conf;
	struct gen_auth a;
	char path[PATH_MAX];
	MDB_txn *txn;
	int rc;

	pki_path(&p, "ocsp-gen.conf", path, sizeof(path));
	ck_assert_int_eq(gen_conf_load(path, &conf), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(gen_keystore_open(NULL, &ks), 0);
	{
		struct gen_hist h = { txn, dbi, "d.lmdb" };
		struct gen_auth_in in = {
			.hist = &h, .now = op_time_now(),
			.validity = conf.auths[0].validity,
			.workers = conf.workers,
		};

		ck_assert_msg(gen_auth_prepare(&a, &conf.auths[0], ks, &in) == 0,
			      "%s", op_err_detail());
	}
	ck_assert_int_eq(gen_batch_open(conf.workers, op_time_now(), NULL, NULL,
					&b), 0);
	{
		struct gen_diff d = {
			.conf = &conf, .force = force, .now = op_time_now(),
			.batch = b, .txn = txn, .dbi = dbi, .auths = &a,
			.nauths = 1, .counts = n,
		};

		rc = gen_diff_run(&d, drop_unknown, removed_unknown);
	}
	if (rc == 0)
		ck_assert_int_eq(mdb_txn_commit(txn), 0);
	else
		mdb_txn_abort(txn);
	gen_batch_close(b);
	gen_auth_free(&a);
	gen_keystore_close(ks);
	gen_conf_free(&conf);
	return rc;
}

/* diff() from zero counts, which must succeed. */
static struct gen_diff_count run(int force)
{
	struct gen_diff_count n = { 0 };
	size_t unknown = 0;

	ck_assert_msg(diff(force, 1, &n, &unknown) == 0, "%s", op_err_detail());
	ck_assert_uint_eq(unknown, 0);
	return n;
}

/* The stored record of serial, under the suite's SHA-1 CertID. */
static int lookup(long serial, struct op_rec *rec)
{
	uint8_t sn[3] = { (uint8_t)(serial >> 16), (uint8_t)(serial >> 8),
			  (uint8_t)serial };
	uint8_t key[OP_KEY_MAX];
	size_t klen;
	MDB_val k, v;
	MDB_txn *txn;
	int rc;

	ck_assert_int_eq(op_key_from_issuer(p.ca, OP_HASH_SHA1, sn, 3, key,
					    &klen), 0);
	k = (MDB_val){ klen, key };
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	if ((rc = mdb_get(txn, dbi, &k, &v)) == 0)
		ck_assert_int_eq(op_rec_decode(v.mv_data, v.mv_size, rec), 0);
	mdb_txn_abort(txn);
	return rc;
}

START_TEST(first_run_signs_the_next_keeps)
{
	struct gen_diff_count n = run(0);
	struct op_rec rec;

	ck_assert_uint_eq(n.nsigned, N);
	ck_assert_uint_eq(n.kept + n.removed + n.aged + n.early, 0);
	ck_assert_int_eq(lookup(0x1000, &rec), 0);
	ck_assert_int_eq(rec.status, OP_STATUS_GOOD);
	ck_assert_int_eq(rec.this_update, PKI_NOW);
	n = run(0);
	ck_assert_uint_eq(n.nsigned, 0);
	ck_assert_uint_eq(n.kept, N);
	/* --force re-signs every one, none counted as aged. */
	n = run(1);
	ck_assert_uint_eq(n.nsigned, N);
	ck_assert_uint_eq(n.kept + n.aged, 0);
}
END_TEST

/* Counts are added to, not reset: the run sums an authority's diffs. */
START_TEST(counts_accumulate)
{
	struct gen_diff_count n = { .nsigned = 5, .kept = 7 };
	size_t unknown = 0;

	ck_assert_int_eq(diff(0, 1, &n, &unknown), 0);
	ck_assert_uint_eq(n.nsigned, 5 + N);
	ck_assert_uint_eq(n.kept, 7);
}
END_TEST

/* A revocation in the CRL re-signs that serial only; serials gone from
 * the list are removed, new ones signed. */
START_TEST(changes_are_counted)
{
	long rev[] = { 0x1003 };
	struct gen_diff_count n;
	struct op_rec rec;

	run(0);
	op_time_set_fake(PKI_NOW + 60);
	pki_crl(&p, rev, 1);
	n = run(0);
	ck_assert_uint_eq(n.nsigned, 1);
	ck_assert_uint_eq(n.kept, N - 1);
	ck_assert_int_eq(lookup(0x1003, &rec), 0);
	ck_assert_int_eq(rec.status, OP_STATUS_REVOKED);
	/* 0x1000..0x1004 leave the list, 0x2000..0x2002 arrive; 0x1003
	 * stays, revoked: the CRL still lists it. */
	pki_serials(&p, 0x1005, N - 5);
	{
		FILE *f = pki_open(&p, "serials", "a");

		fprintf(f, "2000\n2001\n2002\n");
		fclose(f);
	}
	n = run(0);
	ck_assert_uint_eq(n.removed, 4);
	ck_assert_uint_eq(n.nsigned, 3);
	ck_assert_uint_eq(n.kept, N - 4);
	ck_assert_int_eq(lookup(0x1000, &rec), MDB_NOTFOUND);
	ck_assert_int_eq(lookup(0x1003, &rec), 0);
	ck_assert_int_eq(lookup(0x2001, &rec), 0);
}
END_TEST

/* Past refresh every response is re-signed and counted as aged. */
START_TEST(aged_are_counted)
{
	struct gen_diff_count n;

	run(0);
	op_time_set_fake(PKI_NOW + 3 * PKI_DAY + 60);
	n = run(0);
	ck_assert_uint_eq(n.nsigned, N);
	ck_assert_uint_eq(n.aged, N);
	ck_assert_uint_eq(n.kept, 0);
}
END_TEST

/* A response of an issuer that is not configured goes with drop_unknown
 * (counted apart from the authority's), and stays without it. */
START_TEST(unknown_issuers_dropped)
{
	const uint8_t sn[] = { 0x42 };
	uint8_t key[OP_KEY_MAX];
	size_t klen, unknown = 0;
	struct gen_diff_count n = { 0 };
	MDB_val k, v = { 3, "xyz" };
	MDB_txn *txn;

	/* The signer's certificate stands in for another CA. */
	ck_assert_int_eq(op_key_from_issuer(p.signer, OP_HASH_SHA1, sn, 1, key,
					    &klen), 0);
	k = (MDB_val){ klen, key };
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	ck_assert_int_eq(diff(0, 0, &n, &unknown), 0);
	ck_assert_uint_eq(unknown, 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_get(txn, dbi, &k, &v), 0);
	mdb_txn_abort(txn);
	ck_assert_int_eq(diff(0, 1, &n, &unknown), 0);
	ck_assert_uint_eq(unknown, 1);
	ck_assert_uint_eq(n.removed, 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_get(txn, dbi, &k, &v), MDB_NOTFOUND);
	mdb_txn_abort(txn);
}
END_TEST

CHECK_MAIN("gen_diff", setup, teardown, first_run_signs_the_next_keeps,
	   counts_accumulate, changes_are_counted, aged_are_counted,
	   unknown_issuers_dropped)
