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
 * sign (CertID hash, entry, revocation time, record flags, key) and with
 * what (gen_batch_signer: an authority's prepared signer, not the
 * authority); gen_resp makes the DER.  The batch counts what it stored
 * (gen_batch_done()) and reports progress through the caller's callback;
 * it keeps no other count and prints nothing.
 */
#ifndef GEN_BATCH_H
#define GEN_BATCH_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "gen_input.h"
#include "gen_resp.h"
#include "gen_store.h"
#include "op_key.h"

/* What a job signs with: one authority's signer as gen_auth prepared it.
 * The pointers are the preparer's and outlive the jobs. */
struct gen_batch_signer {
	const char *name;		/* the authority, in error details */
	struct gen_resp_signer *rs;	/* constant parts, per-worker contexts */
	EVP_PKEY *const *keys;		/* one per worker: a token fault's cause */
	const uint8_t *signer_id;	/* OP_REC_SIGNER_ID octets, stored in
					   each record */
};

struct gen_job {
	/* Filled by the diff. */
	const struct gen_batch_signer *by;
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
 * Progress, on the caller's thread: after each batch stored, with the
 * number of responses stored so far in the run (end 0); with end 1 when
 * the caller says an output is done (gen_batch_progress_end()).
 */
typedef void (*gen_batch_progress_fn)(void *arg, size_t done, int end);

/*
 * Start workers signing threads; producedAt is never before this_update
 * (the run's time).  progress (NULL: none) is called with arg as above.
 * The caller closes b with gen_batch_close().
 */
int gen_batch_open(int workers, int64_t this_update,
		   gen_batch_progress_fn progress, void *arg,
		   struct gen_batch **b);

/* Tell the progress callback that an output is done, if anything was
 * stored so far (a progress line then needs ending). */
void gen_batch_progress_end(const struct gen_batch *b);

/* The next free job slot, zeroed; it joins the batch at gen_batch_push(). */
struct gen_job *gen_batch_slot(struct gen_batch *b);

/* Queue the slot; returns 1 if the batch is now full (flush it). */
int gen_batch_push(struct gen_batch *b);

/*
 * Sign the queued jobs and store them in txn/dbi through st (gen_store:
 * one record each, the signer's certificates kept once), counted in
 * gen_batch_done().  On error (the first failed signature or put) the
 * detail names the authority and keeps the cause; records stored before
 * it stay in the (to be aborted) transaction.  The batch is empty
 * afterwards either way.
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

/* Responses signed and stored so far (0 for b NULL): a caller counts
 * what one stretch of work signed as the difference. */
size_t gen_batch_done(const struct gen_batch *b);

/* Stop the threads and free b (queued jobs are dropped); NULL is fine. */
void gen_batch_close(struct gen_batch *b);

#endif
