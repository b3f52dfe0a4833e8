/*
 * gen_times: the times a response states, the CRL it cites, and when a
 * stored response must be signed again.
 *
 * thisUpdate is the run's time, or with this_update = crl the thisUpdate
 * of the CRL that decided the status; nextUpdate is the run's time plus
 * validity, with next_update_cap = crl no later than the nextUpdate of
 * that CRL (a delta is read with its base: no later than either's).
 *
 * Which CRL decided an entry (gen_times_from): the delta for a serial it
 * lists; the base for one it lists, except a certificateHold when a delta
 * is applied (the delta may lift it); for a serial no CRL lists (good, from
 * `issued`) the newest CRL, whose silence decides.  Local revocations and
 * releases, index.txt R lines, revocations kept (gen_stick) and serials
 * retained (gen_retain) come from no CRL: the run's time, no cap, no CRL
 * reference.
 *
 * A stored response is signed again (gen_times_due) when it promises more
 * than the policy allows now (a later nextUpdate than a response signed
 * now would state; without either option, another validity), or when it
 * is within validity - refresh of its nextUpdate and a response signed now
 * would say more (gen_times_better): a response capped by
 * a CRL that has not been renewed is kept, since signing it again changes
 * nothing.  When a new CRL lets capped responses run longer, they are
 * spread over the runs left before they come due (gen_times_spread).
 */
#ifndef GEN_TIMES_H
#define GEN_TIMES_H

#include <stddef.h>
#include <stdint.h>

#include "gen_conf.h"
#include "gen_crlset.h"
#include "gen_input.h"

struct gen_when {
	int64_t this_update, next_update;
	int from;		/* enum gen_from: the CRL that decided */
};

/* The CRL of crls that decided e's status; GEN_FROM_NONE if none did. */
int gen_times_from(const struct gen_crlset *crls, const struct gen_entry *e);

/* The times a response for e signed at now states under c's policy. */
void gen_times_of(const struct gen_auth_conf *c, const struct gen_crlset *crls,
		  const struct gen_entry *e, int64_t now, struct gen_when *w);

enum { GEN_TIMES_KEEP = 0, GEN_TIMES_SIGN = 1, GEN_TIMES_AGED = 2 };

/*
 * Whether the stored response with times this_update/next_update must be
 * signed again at now, given w (gen_times_of): GEN_TIMES_SIGN (the policy
 * changed), GEN_TIMES_AGED (due by refresh) or GEN_TIMES_KEEP.
 */
int gen_times_due(const struct gen_auth_conf *c, int64_t this_update,
		  int64_t next_update, const struct gen_when *w, int64_t now);

/* Whether a response signed now (w) says more than the stored one: a
 * later nextUpdate, or with this_update = crl a newer CRL's thisUpdate
 * (the run's own time is no news).  Signing again is worth it only then. */
int gen_times_better(const struct gen_auth_conf *c, int64_t this_update,
		     int64_t next_update, const struct gen_when *w);

/* When a stored response with next_update comes due under c. */
int64_t gen_times_deadline(const struct gen_auth_conf *c, int64_t next_update);

/*
 * How many of n responses that a new CRL lets run longer, with deadlines
 * (gen_times_deadline, ascending) dl[0..n), the run at now re-signs so
 * that each is spread evenly over the runs (every run_interval) left
 * before its deadline: the sum of 1 / runs left, rounded up.  The caller
 * re-signs those with the earliest deadlines.
 */
size_t gen_times_spread(const int64_t *dl, size_t n, int64_t now,
			int64_t run_interval);

/*
 * The kept responses of entries (stored times this_update[i] and
 * next_update[i]; INT64_MAX: none kept) that a CRL decides and that a new
 * CRL lets say more (gen_times_better), with their deadlines: the indexes
 * of those the run at now re-signs (gen_times_spread), earliest deadline
 * first, in *idx (caller frees; NULL when *n is 0).  OP_E_NOMEM.
 */
int gen_times_stale(const struct gen_auth_conf *c, const struct gen_crlset *crls,
		    const struct gen_list *entries, const int64_t *this_update,
		    const int64_t *next_update, int64_t now, int64_t run_interval,
		    size_t **idx, size_t *n);

#endif
