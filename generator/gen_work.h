/*
 * gen_work: one output file's working copy and its publication.
 *
 * Each output file OUTPUT has a lock (OUTPUT.lock, gen_publish_lock()) and a
 * working LMDB environment (OUTPUT.work) that only the lock holder opens.
 * A run changes the working copy in one write transaction; after the
 * commit, the working copy is published over OUTPUT (gen_publish()) when
 * its generation differs from the published file's, so a run that died
 * between commit and publication is caught up by the next one.  Until the
 * commit the working copy is untouched; until the rename, OUTPUT is.
 *
 * Order of calls:
 *	gen_work_lock()		fails fast with OP_E_LOCKED
 *	gen_work_open_ro()	the history, read before anything is written
 *	gen_work_close_env()
 *	gen_work_open()		opens OUTPUT.work, begins the transaction
 *	... reads and writes in w->txn / w->dbi ...
 *	gen_work_bump()		if anything changed
 *	gen_work_commit()
 *	gen_work_publish()
 *	gen_work_close()	always; aborts an uncommitted transaction
 *
 * The working copy is private (0600) and never served: it may hold free
 * pages and an uncommitted tail; readers get only published copies.
 */
#ifndef GEN_WORK_H
#define GEN_WORK_H

#include <limits.h>
#include <lmdb.h>
#include <stdint.h>

struct gen_work {
	const char *output;	/* the published file; caller's string */
	char path[PATH_MAX];	/* OUTPUT.work */
	int lockfd;
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn;		/* the write transaction, NULL once ended */
	const char *hist;	/* the file gen_work_open_ro() read: path or
				   output; output when neither exists */
	int64_t generation;	/* the working copy's, set by
				   gen_work_publish() */
};

/* Initialise w for output, take OUTPUT.lock and remove temporary files
 * that killed runs left for OUTPUT and OUTPUT.work.  OP_E_LOCKED if
 * another run holds the lock.  Call gen_work_close() in every case. */
int gen_work_lock(struct gen_work *w, const char *output);

/*
 * Open OUTPUT.work and begin the write transaction.  A missing working
 * copy is rebuilt from OUTPUT (so the run still signs only what changed
 * and keeps the output's history: the CRL numbers it accepted and the
 * revocations it published); a new, empty one starts with the current
 * format record; a format-2 one is upgraded (gen_format), keeping its
 * meta records.  The history fails closed: a working copy that cannot be
 * read or holds another format, or an OUTPUT that exists but cannot be
 * read when the working copy is missing, is OP_E_HISTORY with a detail
 * naming the file and the remedy; only "never published" (neither file)
 * starts an output afresh.
 */
int gen_work_open(struct gen_work *w);

/*
 * Like gen_work_lock(), for a reader (--check): takes OUTPUT.lock shared
 * if it is free, creates and removes nothing (no lock file: nothing to
 * lock).  OP_E_LOCKED, without a detail, when a run holds it; w is then
 * usable with gen_work_open_ro() all the same.  A run that starts while a
 * reader holds the lock stops with OP_E_LOCKED, as beside another run.
 */
int gen_work_lock_ro(struct gen_work *w, const char *output);

/*
 * Open the output's history for reading in a read-only w->txn: the
 * working copy when w holds the lock and it exists, else the published
 * file (consistent, since it is only ever replaced whole), else nothing:
 * w->txn stays NULL for an output never published.  Fails closed as
 * gen_work_open() does.
 */
int gen_work_open_ro(struct gen_work *w);

/* Mark the working copy changed: generation + 1, generated = now. */
int gen_work_bump(struct gen_work *w, int64_t now);

/* Commit the transaction.  A write error names a nearly full filesystem. */
int gen_work_commit(struct gen_work *w);

/*
 * In the middle of a run: commit what the transaction holds and begin the
 * next one in w->txn, so a run that dies resumes from here.  The first
 * checkpoint of a run bumps the generation (gen_work_bump, *bumped set),
 * so that the next run publishes this work even if it signs nothing more.
 * Nothing is published: the working copy is never served.
 */
int gen_work_checkpoint(struct gen_work *w, int64_t now, int *bumped);

/* After the commit: publish the working copy over OUTPUT unless OUTPUT
 * already has its generation.  *published is set to 1 if it did, else 0. */
int gen_work_publish(struct gen_work *w, int *published);

/* Abort an open transaction and close the environment; the lock stays
 * (a run reads the history read-only, then opens the working copy). */
void gen_work_close_env(struct gen_work *w);

/* Abort an open transaction, close the environment, release the lock. */
void gen_work_close(struct gen_work *w);

#endif
