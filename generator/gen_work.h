/*
 * gen_work: one output file's working copy and its publication.
 *
 * Each output file OUTPUT has a lock (OUTPUT.lock, gen_lock()) and a
 * working LMDB environment (OUTPUT.work) that only the lock holder opens.
 * A run changes the working copy in one write transaction; after the
 * commit, the working copy is published over OUTPUT (gen_publish()) when
 * its generation differs from the published file's, so a run that died
 * between commit and publication is caught up by the next one.  Until the
 * commit the working copy is untouched; until the rename, OUTPUT is.
 *
 * Order of calls:
 *	gen_work_lock()		fails fast with OP_E_LOCKED
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
};

/* Initialise w for output, take OUTPUT.lock and remove temporary files
 * that killed runs left for OUTPUT and OUTPUT.work.  OP_E_LOCKED if
 * another run holds the lock.  Call gen_work_close() in every case. */
int gen_work_lock(struct gen_work *w, const char *output);

/* Open OUTPUT.work and begin the write transaction.  A missing working
 * copy is rebuilt from OUTPUT (so the run still signs only what changed);
 * a format-2 one is upgraded (gen_format); an empty one, or one of another
 * format version, starts afresh with the current format record. */
int gen_work_open(struct gen_work *w);

/* Mark the working copy changed: generation + 1, generated = now. */
int gen_work_bump(struct gen_work *w, int64_t now);

/* Commit the transaction.  A write error names a nearly full filesystem. */
int gen_work_commit(struct gen_work *w);

/* After the commit: publish the working copy over OUTPUT unless OUTPUT
 * already has its generation.  *published is set to 1 if it did, else 0. */
int gen_work_publish(struct gen_work *w, int *published);

/* Abort an open transaction, close the environment, release the lock. */
void gen_work_close(struct gen_work *w);

#endif
