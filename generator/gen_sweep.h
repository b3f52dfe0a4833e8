/*
 * gen_sweep: spread re-signing evenly over the runs of a schedule.
 *
 * Without it, every response signed in one run (the first one, or after
 * --force) reaches `refresh` in the same later run, which then re-signs,
 * and ships to every edge, the whole file.  So each run also re-signs
 * early a share of one issuer's responses: about n x run_interval /
 * refresh of its n responses, minus those the run re-signs anyway because
 * they reached refresh.  The share is taken in key order from where the
 * previous run stopped, so one run re-signs a contiguous key range (whose
 * records share LMDB pages: fewer pages change) and after one refresh
 * period the sweep has been round every response once; from then on
 * responses come due one run's share at a time.
 *
 * The budget is earned by the clock, not per run: a run earns
 * n x (time since the last) / refresh, at most one run_interval's worth
 * (a schedule that stopped for a day does not make up for it in one run;
 * the refresh limit re-signs what aged meanwhile), and the fraction left
 * over carries to the next run, so runs more frequent than run_interval
 * (or a test's back-to-back runs) re-sign proportionally less, never a
 * burst.  A new issuer's first run earns nothing.
 *
 * State per issuer prefix in the working copy, meta record "\0sweep" |
 * prefix (docs/db-format.txt): the sweep clock and the serial last
 * re-signed early.
 */
#ifndef GEN_SWEEP_H
#define GEN_SWEEP_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "op_key.h"

struct gen_sweep {
	int64_t clock;		/* budget earned up to here; 0: none yet */
	uint8_t pos[OP_SERIAL_MAX];	/* serial last re-signed early */
	size_t pos_len;		/* 0: start at the first serial */
};

/* The state of the issuer whose keys start with prefix/plen; a zeroed
 * state if it has none (or an unreadable one). */
int gen_sweep_load(MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix,
		   size_t plen, struct gen_sweep *s);

/* Store s for the issuer (only when it differs from what is stored). */
int gen_sweep_store(MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix,
		    size_t plen, const struct gen_sweep *s);

/* How many of n responses the run at now may re-sign early, before
 * subtracting those due anyway; advances s->clock by what it spends. */
size_t gen_sweep_budget(struct gen_sweep *s, size_t n, int64_t now,
			int64_t run_interval, int64_t refresh);

#endif
