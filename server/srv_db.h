/*
 * srv_db: the files ocsp-serve answers from, and their hot swap.
 *
 * A slot is one --db path.  It holds the current map (a refcounted
 * srv_dbfile) and a generation number.  The main thread calls
 * srv_slot_check() every half second (and on SIGHUP): if the path now
 * names another inode, the new file is opened, its format checked and
 * its publication time compared with the served file's; a newer file
 * becomes current, otherwise it is refused and the old one stays (an edge
 * never rolls back to an older file while it runs).  Worker threads keep a view (map + long-lived read transaction)
 * per slot and move to the new map when the generation changes; a map is
 * closed when its last view lets go of it.
 */
#ifndef SRV_DB_H
#define SRV_DB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "op_db.h"

struct srv_dbfile {
	struct op_db db;
	atomic_int refs;
	uint64_t responses;	/* entries, for /metrics */
	int64_t oldest_this, nearest_next;
};

struct srv_slot {
	const char *path;		/* not owned (argv) */
	pthread_mutex_t mu;		/* guards cur and refs changes */
	struct srv_dbfile *cur;
	atomic_uint gen;
	atomic_ulong swaps, refused;
	atomic_int missing;		/* the path was deleted; still serving */
	atomic_ulong rollbacks;		/* older files refused */
	_Atomic int64_t rollback_generated;	/* of the last refused older
						 * file; 0 once a newer arrives */
	struct {			/* the file last not swapped to */
		dev_t dev;
		ino_t ino;
		off_t size;
		struct timespec mtime;
		int verdict;		/* srv_slot_check's answer for it */
	} judged;			/* main thread only */
};

/* Open the first file; a failure here is fatal for the caller (and
 * leaves nothing to destroy). */
int srv_slot_init(struct srv_slot *s, const char *path);
void srv_slot_destroy(struct srv_slot *s);

/*
 * Swap in a new file at the path if there is one.  Returns 1 if swapped,
 * 0 if nothing to do, negative (and logs, once per file) if a new file
 * was refused: unreadable, not ours, or published before the one served
 * (by "\0generated", then "\0generation": a rollback).  A file published
 * at the same time and generation is the same file again: 0, no swap.
 * Call from one thread only.
 */
int srv_slot_check(struct srv_slot *s);

/* A worker thread's hold on a slot's current map. */
struct srv_view {
	struct srv_dbfile *f;
	MDB_txn *txn;
	unsigned int gen;
};

/* Make v follow s's current map (cheap when nothing changed). */
int srv_view_sync(struct srv_view *v, struct srv_slot *s);
void srv_view_release(struct srv_view *v);

#endif
