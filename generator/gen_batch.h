/*
 * gen_batch: responses to sign, signed in parallel, stored in key order.
 *
 * The diff fills job slots (gen_batch_slot(), then gen_batch_push()); when
 * the batch is full (gen_batch_cycle(), which stores the previous batch
 * while this one is signed), or at the end of an issuer, gen_batch_flush() signs
 * every queued job on gen_pool's threads and then, on the calling thread
 * (the one that owns the LMDB write transaction), stores the records in
 * key order through one cursor: a batch is a run of neighbouring keys, so
 * each put lands near the last one, and keys past the end of the file (a
 * first run, a new issuer) are appended (MDB_APPEND: no search, pages
 * filled to the brim instead of split in half).
 *
 * The job is the seam between the diff and signing: the diff says what to
 * sign (authority, CertID hash, entry, revocation time, record flags, key);
 * gen_resp makes the DER with the authority's signer (gen_auth).
 */
#ifndef GEN_BATCH_H
#define GEN_BATCH_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "gen_auth.h"
#include "gen_input.h"
#include "gen_store.h"
#include "op_key.h"

struct gen_job {
	/* Filled by the diff. */
	struct gen_auth *a;
	int hash;			/* OP_HASH_* of the CertID */
	const struct gen_entry *e;
	int64_t rev_time;		/* the revocation time to state */
	int64_t this_update, next_update;	/* to state (gen_times) */
	uint8_t crl;			/* the CRL to cite (gen_resp_in) */
	uint8_t flags;			/* OP_REC_F_* */
	uint8_t key[OP_KEY_MAX];
	size_t keylen;
	/* Filled by signing. */
	unsigned char *der;
	size_t der_len;
	int rc;
	char err[256];
};

struct gen_batch;

/*
 * Start workers signing threads; producedAt is never before this_update
 * (the run's time).  progress: print a running count on stderr.  The
 * caller closes b with gen_batch_close().
 */
int gen_batch_open(int workers, int64_t this_update, int progress,
		   struct gen_batch **b);

/* The next free job slot, zeroed; it joins the batch at gen_batch_push(). */
struct gen_job *gen_batch_slot(struct gen_batch *b);

/* Queue the slot; returns 1 if the batch is now full (flush it). */
int gen_batch_push(struct gen_batch *b);

/*
 * Sign the queued jobs and store them in txn/dbi through st (gen_store:
 * one record each, the signer's certificates kept once), counting them in
 * their authority's nsigned.  On error (the
 * first failed signature or put) the detail names the authority; records
 * stored before it stay in the (to be aborted) transaction.  The batch is
 * empty afterwards either way.
 */
int gen_batch_flush(struct gen_batch *b, struct gen_store *st, MDB_txn *txn,
		    MDB_dbi dbi);

/*
 * For a full batch in the middle of an issuer: hand the queued jobs to the
 * signing threads and, while they sign, store the batch handed over by the
 * previous call (as gen_batch_flush() stores).  So signing and storing
 * overlap; the records of the jobs just handed over are stored by the next
 * gen_batch_cycle() or gen_batch_flush(), which the caller must reach
 * before it reads them back.  Errors as for gen_batch_flush().
 */
int gen_batch_cycle(struct gen_batch *b, struct gen_store *st, MDB_txn *txn,
		    MDB_dbi dbi);

/*
 * Commits as the run goes: fn commits the caller's write transaction and
 * begins the next one, handing it back in *txn (arg is the caller's).
 * gen_batch_commit_due() says when one is due: every responses stored
 * since the last, or interval seconds passed (0: not by that measure),
 * and something was stored; the caller calls gen_batch_commit() where no
 * cursor or store of the old transaction is in use (gen_diff).  fn NULL
 * (the default) never commits.
 */
typedef int (*gen_batch_commit_fn)(void *arg, MDB_txn **txn);
void gen_batch_set_commit(struct gen_batch *b, size_t every, int64_t interval,
			  gen_batch_commit_fn fn, void *arg);
int gen_batch_commit_due(const struct gen_batch *b);
int gen_batch_commit(struct gen_batch *b, MDB_txn **txn);

/* Responses signed so far, and whether a progress line was printed. */
size_t gen_batch_done(const struct gen_batch *b);

/* Stop the threads and free b (queued jobs are dropped); NULL is fine. */
void gen_batch_close(struct gen_batch *b);

#endif
