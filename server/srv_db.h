/*
 * srv_db: the files ocsp-serve answers from, and their hot swap.
 *
 * A slot is one --db path.  It holds the current map (a refcounted
 * srv_dbfile) and a generation number.  The main thread calls
 * srv_db_slot_check() every half second (and on SIGHUP): if the path now
 * names another inode, the new file is opened, its format checked and
 * its publication time compared with the served file's; a newer file
 * becomes current, otherwise it is refused and the old one stays (an edge
 * never rolls back to an older file while it runs).  Worker threads keep
 * a view (map + long-lived read transaction) per slot and move to the new
 * map when the generation changes; a map is closed when its last view
 * lets go of it.
 */
#ifndef SRV_DB_H
#define SRV_DB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "op_db.h"

/* Why a lookup failed, other than "not found" (srv_db_view_get). */
enum srv_fail {
	SRV_FAIL_TXN,		/* the read transaction could not begin */
	SRV_FAIL_READ,		/* mdb_get failed */
	SRV_FAIL_RECORD,	/* the record does not decode */
	SRV_FAIL_CERTS,		/* its signer's "\0certs" record is missing */
	SRV_FAIL_COUNT
};

/* "transaction", "read", "corrupt_record", "signer_certs" (metric label). */
const char *srv_db_fail_name(enum srv_fail f);

struct srv_dbfile {
	struct op_db db;
	atomic_int refs;
	atomic_uint logged;	/* bit 1 << srv_fail: that cause was logged */
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
	atomic_ulong checks;		/* srv_db_slot_check calls ended: what
					 * waits on a look at the path */
	atomic_ulong failures[SRV_FAIL_COUNT];	/* lookups that failed */
	_Atomic int64_t rollback_generated;	/* of the last refused older
						 * file; 0 once a newer arrives */
	struct {			/* the file last not swapped to */
		dev_t dev;
		ino_t ino;
		off_t size;
		struct timespec mtime;
		int verdict;		/* srv_db_slot_check's answer for it */
	} judged;			/* main thread only */
};

/* Open the first file; a failure here is fatal for the caller (and
 * leaves nothing to destroy). */
int srv_db_slot_init(struct srv_slot *s, const char *path);
void srv_db_slot_destroy(struct srv_slot *s);

/*
 * Swap in a new file at the path if there is one.  Returns 1 if swapped,
 * 0 if nothing to do, negative (and logs, once per file) if a new file
 * was refused: unreadable, not ours, or published before the one served
 * (by "\0generated", then "\0generation": a rollback).  A file published
 * at the same time and generation is the same file again: 0, no swap.
 * Call from one thread only.
 */
int srv_db_slot_check(struct srv_slot *s);

/* A worker thread's hold on a slot's current map. */
struct srv_view {
	struct srv_dbfile *f;
	MDB_txn *txn;
	unsigned int gen;
};

/* Make v follow s's current map (cheap when nothing changed).  A failure
 * is counted and logged as srv_db_slot_fail() does. */
int srv_db_view_sync(struct srv_view *v, struct srv_slot *s);

/*
 * Look key up in v (synced to s): 0 and rec (pointing into the map, valid
 * while v holds it), MDB_NOTFOUND, or -1 for any other failure, which is
 * counted and logged as srv_db_slot_fail() does.
 */
int srv_db_view_get(struct srv_view *v, struct srv_slot *s, const uint8_t *key,
		    size_t keylen, struct op_rec *rec);

/* Count a failed lookup in s and log it (with op_err_detail()) the first
 * time it happens for that cause in the file f: a corrupt file answering
 * thousands of requests a second must not flood the log. */
void srv_db_slot_fail(struct srv_slot *s, struct srv_dbfile *f,
		      enum srv_fail why);
void srv_db_view_release(struct srv_view *v);

#endif
