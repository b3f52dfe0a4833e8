/*
 * srv_db: the files ocsp-serve answers from, and their hot swap.
 *
 * A slot is one --db path.  It holds the current map (a refcounted
 * srv_dbfile) and a generation number.  The main thread calls
 * srv_slot_check() every half second (and on SIGHUP): if the path now
 * names another inode, the new file is opened and its format checked; on
 * success it becomes current, otherwise it is refused and the old one
 * stays.  Worker threads keep a view (map + long-lived read transaction)
 * per slot and move to the new map when the generation changes; a map is
 * closed when its last view lets go of it.
 */
#ifndef SRV_DB_H
#define SRV_DB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

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
	dev_t refused_dev;		/* the file last refused (main thread) */
	ino_t refused_ino;
};

/* Open the first file; a failure here is fatal for the caller (and
 * leaves nothing to destroy). */
int srv_slot_init(struct srv_slot *s, const char *path);
void srv_slot_destroy(struct srv_slot *s);

/* Swap in a new file at the path if there is one.  Returns 1 if swapped,
 * 0 if nothing to do, negative (and logs) if a new file was refused. */
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
