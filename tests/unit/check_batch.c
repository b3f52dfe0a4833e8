/* gen_batch: jobs signed on the pool's threads with a real PEM key, stored
 * in key order into a real LMDB file, counted, progress reported through
 * the caller's callback; a failed signature's cause reaches the caller. */
#include <check.h>

#include "check_pki.h"
#include "check_run.h"
#include <lmdb.h>

#include "gen_batch.h"
#include "gen_resp.h"
#include "gen_signer.h"
#include "gen_store.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#define WORKERS 2

static struct pki p;
static MDB_env *env;
static MDB_txn *txn;
static MDB_dbi dbi;
static struct gen_store *st;
static struct gen_resp_signer *rs;
static EVP_PKEY *keys[WORKERS];
static uint8_t signer_id[OP_REC_SIGNER_ID];
static struct gen_batch_signer by;

/* What the progress callback saw. */
static struct {
	size_t calls, last, ends, end_done;
	int decreased;
} prog;

static void progress(void *arg, size_t done, int end)
{
	ck_assert_ptr_eq(arg, &prog);
	if (end) {
		prog.ends++;
		prog.end_done = done;
		return;
	}
	prog.decreased |= done < prog.last;
	prog.calls++;
	prog.last = done;
}

static void setup(void)
{
	struct gen_resp_profile prof = { .include_cert = 1 };
	char path[PATH_MAX];

	op_log_init("check_batch", OP_LOG_WARN);
	op_time_set_fake(PKI_NOW);
	pki_make(&p, 1);
	for (int i = 0; i < WORKERS; i++)
		keys[i] = p.signer_key;
	ck_assert_int_eq(gen_resp_signer_new(p.ca, p.signer, keys, WORKERS,
					     &prof, &rs), 0);
	ck_assert_int_eq(gen_signer_id(p.signer, signer_id), 0);
	by = (struct gen_batch_signer){ .name = "a", .rs = rs, .keys = keys,
					.signer_id = signer_id };
	pki_path(&p, "b.lmdb", path, sizeof(path));
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_mapsize(env, 256u << 20), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	ck_assert_int_eq(gen_store_new(txn, dbi, &st), 0);
	memset(&prog, 0, sizeof(prog));
}

static void teardown(void)
{
	gen_store_free(st);
	if (txn)
		mdb_txn_abort(txn);
	mdb_env_close(env);
	gen_resp_signer_free(rs);
	pki_free(&p);
	op_time_set_fake(-1);
}

/* Serial i (i < 0x10000) as an entry, revoked when i % 7 == 3. */
static void entry(long i, struct gen_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->serial[0] = 0x10;
	e->serial[1] = (uint8_t)(i >> 8);
	e->serial[2] = (uint8_t)i;
	e->serial_len = 3;
	e->status = i % 7 == 3 ? OP_STATUS_REVOKED : OP_STATUS_GOOD;
	e->reason = i % 7 == 3 ? 1 : OP_REASON_NONE;
	e->rev_time = PKI_NOW - PKI_DAY;
}

/* Queue e for signing under a SHA-1 CertID; 1 when the batch is full. */
static int queue(struct gen_batch *b, const struct gen_entry *e, int hash)
{
	struct gen_job *j = gen_batch_slot(b);

	j->by = &by;
	j->hash = hash;
	j->e = e;
	j->rev_time = e->rev_time;
	j->this_update = PKI_NOW;
	j->next_update = PKI_NOW + 7 * PKI_DAY;
	ck_assert_int_eq(op_key_from_issuer(p.ca, OP_HASH_SHA1, e->serial,
					    e->serial_len, j->key, &j->keylen), 0);
	return gen_batch_push(b);
}

/* Every record in the file: that it decodes, is in strictly increasing
 * key order, carries the signer's id and the status of its entry. */
static size_t survey(const struct gen_entry *v, size_t n)
{
	MDB_cursor *cur;
	MDB_val k, val, prev = { 0, NULL };
	size_t count = 0;
	int mrc;

	ck_assert_int_eq(mdb_cursor_open(txn, dbi, &cur), 0);
	for (mrc = mdb_cursor_get(cur, &k, &val, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
		struct op_rec rec;
		const uint8_t *serial;
		size_t plen = op_key_issuer_len(k.mv_data, k.mv_size);

		if (!plen)
			continue;	/* the signer's certificate record */
		ck_assert_int_eq(op_rec_decode(val.mv_data, val.mv_size, &rec), 0);
		ck_assert_mem_eq(rec.signer_id, signer_id, OP_REC_SIGNER_ID);
		if (prev.mv_data)
			ck_assert_int_lt(op_key_cmp(prev.mv_data, prev.mv_size,
						    k.mv_data, k.mv_size), 0);
		prev = k;
		serial = (const uint8_t *)k.mv_data + plen;
		for (size_t i = 0; i < n; i++)
			if (k.mv_size - plen == v[i].serial_len &&
			    memcmp(serial, v[i].serial, v[i].serial_len) == 0)
				ck_assert_int_eq(rec.status, v[i].status);
		count++;
	}
	ck_assert_int_eq(mrc, MDB_NOTFOUND);
	mdb_cursor_close(cur);
	return count;
}

/* Jobs queued against key order, more than two batches' worth: every one
 * is stored (a first run appends, which LMDB refuses out of order), each
 * counted once, progress rising to the total and ended once. */
START_TEST(stored_in_key_order_and_counted)
{
	enum { N = 2500 };
	struct gen_entry *v = calloc(N, sizeof(*v));
	struct gen_batch *b;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(gen_batch_open(WORKERS, PKI_NOW, progress, &prog, &b), 0);
	for (long i = N - 1; i >= 0; i--) {
		entry(i, &v[i]);
		if (queue(b, &v[i], OP_HASH_SHA1))
			ck_assert_msg(gen_batch_cycle(b, st, txn, dbi) == 0, "%s",
				      op_err_detail());
	}
	ck_assert_msg(gen_batch_flush(b, st, txn, dbi) == 0, "%s",
		      op_err_detail());
	ck_assert_uint_eq(gen_batch_done(b), N);
	ck_assert_uint_eq(survey(v, N), N);
	/* One call per stored batch, never a count that goes back. */
	ck_assert_uint_ge(prog.calls, 3);
	ck_assert_uint_eq(prog.last, N);
	ck_assert_int_eq(prog.decreased, 0);
	ck_assert_uint_eq(prog.ends, 0);
	gen_batch_progress_end(b);
	ck_assert_uint_eq(prog.ends, 1);
	ck_assert_uint_eq(prog.end_done, N);
	gen_batch_close(b);
	free(v);
}
END_TEST

/* Nothing signed: no progress at all, not even the end of a line. */
START_TEST(no_work_no_progress)
{
	struct gen_batch *b;

	ck_assert_int_eq(gen_batch_open(WORKERS, PKI_NOW, progress, &prog, &b), 0);
	ck_assert_int_eq(gen_batch_flush(b, st, txn, dbi), 0);
	gen_batch_progress_end(b);
	ck_assert_uint_eq(gen_batch_done(b), 0);
	ck_assert_uint_eq(prog.calls + prog.ends, 0);
	gen_batch_close(b);
	/* And without a callback nothing is called. */
	ck_assert_int_eq(gen_batch_open(WORKERS, PKI_NOW, NULL, NULL, &b), 0);
	gen_batch_progress_end(b);
	gen_batch_close(b);
}
END_TEST

/* A job the signer refuses (a CertID hash it has no form for) fails the
 * flush with the signer's own detail behind the authority's name; the
 * failed batch is not counted as stored. */
START_TEST(signer_error_keeps_its_cause)
{
	struct gen_entry v[3];
	struct gen_batch *b;
	int rc;

	ck_assert_int_eq(gen_batch_open(WORKERS, PKI_NOW, progress, &prog, &b), 0);
	for (int i = 0; i < 3; i++)
		entry(i, &v[i]);
	queue(b, &v[0], OP_HASH_SHA1);
	ck_assert_int_eq(gen_batch_flush(b, st, txn, dbi), 0);
	ck_assert_uint_eq(gen_batch_done(b), 1);
	queue(b, &v[1], OP_HASH_SHA1);
	queue(b, &v[2], 0x7f);
	rc = gen_batch_flush(b, st, txn, dbi);
	ck_assert_int_eq(rc, OP_E_RANGE);
	ck_assert_str_eq(op_err_detail(), "authority a: bad CertID hash or serial");
	ck_assert_uint_eq(gen_batch_done(b), 1);
	ck_assert_uint_eq(prog.last, 1);
	/* The batch is empty afterwards: the next flush has nothing to do. */
	ck_assert_int_eq(gen_batch_flush(b, st, txn, dbi), 0);
	ck_assert_uint_eq(gen_batch_done(b), 1);
	gen_batch_close(b);
}
END_TEST

/* The commit hook: due after `every` responses, called with the
 * caller's argument, handing back the next transaction. */
static int commits;

static int commit(void *arg, MDB_txn **t)
{
	ck_assert_ptr_eq(arg, &commits);
	commits++;
	gen_store_free(st);
	st = NULL;
	ck_assert_int_eq(mdb_txn_commit(*t), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, t), 0);
	ck_assert_int_eq(gen_store_new(*t, dbi, &st), 0);
	return 0;
}

START_TEST(commits_when_due)
{
	struct gen_entry v[4];
	struct gen_batch *b;

	commits = 0;
	ck_assert_int_eq(gen_batch_open(WORKERS, PKI_NOW, NULL, NULL, &b), 0);
	gen_batch_set_commit(b, 3, 0, commit, &commits);
	for (int i = 0; i < 2; i++)
		queue(b, (entry(i, &v[i]), &v[i]), OP_HASH_SHA1);
	ck_assert_int_eq(gen_batch_flush(b, st, txn, dbi), 0);
	ck_assert_int_eq(gen_batch_commit_due(b), 0);
	for (int i = 2; i < 4; i++)
		queue(b, (entry(i, &v[i]), &v[i]), OP_HASH_SHA1);
	ck_assert_int_eq(gen_batch_flush(b, st, txn, dbi), 0);
	ck_assert_int_eq(gen_batch_commit_due(b), 1);
	ck_assert_int_eq(gen_batch_commit(b, &txn), 0);
	ck_assert_int_eq(commits, 1);
	ck_assert_int_eq(gen_batch_commit_due(b), 0);
	/* Committed: the records are there in the next transaction. */
	ck_assert_uint_eq(survey(v, 4), 4);
	gen_batch_close(b);
}
END_TEST

CHECK_MAIN("gen_batch", setup, teardown, stored_in_key_order_and_counted,
	   no_work_no_progress, signer_error_keeps_its_cause, commits_when_due)
