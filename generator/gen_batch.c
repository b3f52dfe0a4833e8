#include "gen_batch.h"
#include "gen_hsm.h"
#include "gen_pool.h"
#include "gen_resp.h"
#include "op_err.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#define BATCH 1024

/* Two halves: the diff fills one while the workers sign the other. */
struct half {
	struct gen_job jobs[BATCH];
	size_t n;
};

struct gen_batch {
	struct gen_pool *pool;
	struct half h[2];
	int fill;			/* the half being filled */
	int busy;			/* the other one is being signed */
	struct gen_job *order[BATCH];	/* the jobs in key order */
	size_t done;
	int64_t this_update;
	int64_t produced_at;		/* set per batch */
	gen_batch_progress_fn progress;
	void *progress_arg;
	/* Commits as the run goes (gen_batch_set_commit). */
	gen_batch_commit_fn commit;
	void *commit_arg;
	size_t every, done_at_commit;
	int64_t interval;
	struct timespec commit_t;	/* monotonic, of the last commit */
};

/* On a pool thread: build and sign one response. */
static void sign_job(void *job, void *arg, int worker)
{
	struct gen_job *j = job;
	const struct gen_batch_signer *by = j->by;
	const struct gen_batch *b = arg;
	struct gen_resp_in in = {
		.hash = j->hash, .serial = j->e->serial,
		.serial_len = j->e->serial_len, .status = j->e->status,
		.reason = j->e->reason, .rev_time = j->rev_time,
		.produced_at = b->produced_at, .this_update = j->this_update,
		.next_update = j->next_update, .crl = j->crl,
	};

	struct gen_hsm_stats st;
	char why[sizeof(j->err)];

	j->rc = gen_resp_make(by->rs, worker, &in, &j->der, &j->der_len);
	if (!j->rc)
		return;
	/* A token fault that outlasted the retries says what it was. */
	if (!gen_hsm_key_stats(by->keys[worker], &st, why, sizeof(why)) ||
	    !why[0])
		snprintf(why, sizeof(why), "%s", op_err_detail());
	memcpy(j->err, why, sizeof(j->err));
}

int gen_batch_open(int workers, int64_t this_update,
		   gen_batch_progress_fn progress, void *arg,
		   struct gen_batch **out)
{
	struct gen_batch *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return OP_E_NOMEM;
	b->this_update = this_update;
	b->progress = progress;
	b->progress_arg = arg;
	if ((rc = gen_pool_start(workers, sign_job, b, &b->pool)) != 0) {
		free(b);
		return rc;
	}
	*out = b;
	return 0;
}

struct gen_job *gen_batch_slot(struct gen_batch *b)
{
	struct half *h = &b->h[b->fill];
	struct gen_job *j = &h->jobs[h->n];

	memset(j, 0, offsetof(struct gen_job, err) + 1);
	return j;
}

int gen_batch_push(struct gen_batch *b)
{
	return ++b->h[b->fill].n == BATCH;
}

/* LMDB's order (op_key_cmp). */
static int key_cmp(const void *x, const void *y)
{
	const struct gen_job *a = *(const struct gen_job *const *)x;
	const struct gen_job *b = *(const struct gen_job *const *)y;

	return op_key_cmp(a->key, a->keylen, b->key, b->keylen);
}

/* Whether j's key sorts after last (the file's last key; none if its
 * keylen is 0). */
static int after(const struct gen_job *last, const struct gen_job *j)
{
	return !last->keylen || key_cmp(&j, &last) > 0;
}

/* The header fields of j's record (gen_store fills the rest from DER). */
static void fill(const struct gen_job *j, struct op_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->status = j->e->status;
	rec->reason = j->e->reason;
	rec->flags = j->flags;
	rec->this_update = j->this_update;
	rec->next_update = j->next_update;
	rec->rev_time = j->e->status == OP_STATUS_REVOKED ? j->rev_time : 0;
	memcpy(rec->signer_id, j->by->signer_id, OP_REC_SIGNER_ID);
}

/* Store the signed jobs in key order through one cursor. */
static int store(struct gen_batch *b, struct half *h, struct gen_store *st,
		 MDB_txn *txn, MDB_dbi dbi)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct gen_job last;	/* only its key */
	int mrc, rc = 0, append = 0;

	for (size_t i = 0; i < h->n; i++)
		b->order[i] = &h->jobs[i];
	qsort(b->order, h->n, sizeof(b->order[0]), key_cmp);
	if ((mrc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	/* Copied: the puts below may move the page it lies in. */
	last.keylen = 0;
	mrc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (mrc && mrc != MDB_NOTFOUND)
		goto out;
	if (mrc == 0 && k.mv_size <= OP_KEY_MAX) {
		memcpy(last.key, k.mv_data, k.mv_size);
		last.keylen = k.mv_size;
	} else if (mrc == 0) {
		append = -1;	/* a key we do not know: never append */
	}
	for (size_t i = 0; i < h->n; i++) {
		struct gen_job *j = b->order[i];
		struct op_rec rec;

		/* Sorted: once one key is past the end, the rest are too. */
		if (!append && after(&last, j))
			append = 1;
		fill(j, &rec);
		if ((rc = gen_store_put_at(st, cur, append > 0 ? MDB_APPEND : 0,
					   j->key, j->keylen, &rec, j->der,
					   j->der_len)) != 0)
			break;
	}
	mrc = 0;
out:
	mdb_cursor_close(cur);
	if (mrc && mrc != MDB_NOTFOUND)
		return op_err_set(OP_E_DB, "storing a response: %s",
				  mdb_strerror(mrc));
	return rc;
}

/* Check h's signatures, store them, free their DER; h is empty after. */
static int finish(struct gen_batch *b, struct half *h, struct gen_store *st,
		  MDB_txn *txn, MDB_dbi dbi)
{
	int rc = 0;

	for (size_t i = 0; i < h->n && !rc; i++)
		if (h->jobs[i].rc)
			rc = op_err_set(h->jobs[i].rc, "authority %s: %s",
					h->jobs[i].by->name, h->jobs[i].err);
	if (!rc && h->n)
		rc = store(b, h, st, txn, dbi);
	for (size_t i = 0; i < h->n; i++) {
		OPENSSL_free(h->jobs[i].der);
		h->jobs[i].der = NULL;
	}
	if (!rc)
		b->done += h->n;
	if (!rc && b->progress && h->n)
		b->progress(b->progress_arg, b->done, 0);
	h->n = 0;
	return rc;
}

int gen_batch_cycle(struct gen_batch *b, struct gen_store *st, MDB_txn *txn,
		    MDB_dbi dbi)
{
	struct half *cur = &b->h[b->fill], *prev = &b->h[!b->fill];
	int rc;

	if (b->busy)
		gen_pool_wait(b->pool);
	b->busy = 0;
	if (cur->n) {
		b->produced_at = op_time_now();
		if (b->produced_at < b->this_update)
			b->produced_at = b->this_update;
		gen_pool_submit(b->pool, cur->jobs, cur->n, sizeof(cur->jobs[0]));
		b->busy = 1;
	}
	/* While the workers sign cur, this thread stores prev. */
	rc = finish(b, prev, st, txn, dbi);
	b->fill = !b->fill;
	return rc;
}

int gen_batch_flush(struct gen_batch *b, struct gen_store *st, MDB_txn *txn,
		    MDB_dbi dbi)
{
	int rc = gen_batch_cycle(b, st, txn, dbi), rc2;

	if (b->busy)
		gen_pool_wait(b->pool);
	b->busy = 0;
	rc2 = finish(b, &b->h[!b->fill], st, txn, dbi);
	return rc ? rc : rc2;
}

void gen_batch_set_commit(struct gen_batch *b, size_t every, int64_t interval,
			  gen_batch_commit_fn fn, void *arg)
{
	b->commit = fn;
	b->commit_arg = arg;
	b->every = every;
	b->interval = interval;
	b->done_at_commit = b->done;
	clock_gettime(CLOCK_MONOTONIC, &b->commit_t);
}

int gen_batch_commit_due(const struct gen_batch *b)
{
	struct timespec t;

	if (!b->commit || b->done == b->done_at_commit)
		return 0;
	if (b->every && b->done - b->done_at_commit >= b->every)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return b->interval && t.tv_sec - b->commit_t.tv_sec >= b->interval;
}

int gen_batch_commit(struct gen_batch *b, MDB_txn **txn)
{
	int rc;

	if ((rc = b->commit(b->commit_arg, txn)) != 0)
		return rc;
	op_debug("committed %zu responses to the working copy (%zu this run)",
		 b->done - b->done_at_commit, b->done);
	b->done_at_commit = b->done;
	clock_gettime(CLOCK_MONOTONIC, &b->commit_t);
	return 0;
}

size_t gen_batch_done(const struct gen_batch *b)
{
	return b ? b->done : 0;
}

void gen_batch_progress_end(const struct gen_batch *b)
{
	if (b->progress && b->done)
		b->progress(b->progress_arg, b->done, 1);
}

void gen_batch_close(struct gen_batch *b)
{
	if (!b)
		return;
	/* The threads finish a batch in flight before they stop. */
	gen_pool_stop(b->pool);
	for (int h = 0; h < 2; h++)
		for (size_t i = 0; i < b->h[h].n; i++)
			OPENSSL_free(b->h[h].jobs[i].der);
	free(b);
}
