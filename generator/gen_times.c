#include "gen_times.h"
#include "op_err.h"
#include "op_rec.h"

#include <stdlib.h>

/* The CRL of the set that decides a serial no CRL lists: the newest. */
static int newest(const struct gen_crlset *crls)
{
	return crls->delta.present ? GEN_FROM_DELTA :
	       crls->base.present ? GEN_FROM_BASE : GEN_FROM_NONE;
}

int gen_times_from(const struct gen_crlset *crls, const struct gen_entry *e)
{
	switch (e->src) {
	case GEN_SRC_ISSUED:
		return newest(crls);
	case GEN_SRC_CRL:
		/* A hold in the base is still the delta's to lift. */
		if (e->crl == GEN_FROM_BASE && e->reason == GEN_REASON_HOLD)
			return newest(crls);
		return e->crl == GEN_FROM_DELTA && !crls->delta.present ?
		       GEN_FROM_NONE : e->crl;
	default:
		return GEN_FROM_NONE;
	}
}

void gen_times_of(const struct gen_auth_conf *c, const struct gen_crlset *crls,
		  const struct gen_entry *e, int64_t now, struct gen_when *w)
{
	const struct gen_crlinfo *crl;
	int64_t cap;

	w->from = gen_times_from(crls, e);
	w->this_update = now;
	w->next_update = now + c->validity;
	if (w->from == GEN_FROM_NONE)
		return;
	crl = w->from == GEN_FROM_DELTA ? &crls->delta : &crls->base;
	/* A CRL dated after the run (a clock ahead of ours) is not cited
	 * as known before the response was produced. */
	if (c->this_update_crl && crl->this_update < now)
		w->this_update = crl->this_update;
	if (!c->cap_crl)
		return;
	cap = crl->next_update;
	if (w->from == GEN_FROM_DELTA && crls->base.next_update &&
	    (!cap || crls->base.next_update < cap))
		cap = crls->base.next_update;
	if (cap && cap < w->next_update)
		w->next_update = cap > w->this_update ? cap : w->this_update + 1;
}

int gen_times_better(const struct gen_auth_conf *c, int64_t this_update,
		     int64_t next_update, const struct gen_when *w)
{
	/* The run's time as thisUpdate is no news: only the CRL's is. */
	return w->next_update > next_update ||
	       (c->this_update_crl && w->this_update > this_update);
}

int64_t gen_times_deadline(const struct gen_auth_conf *c, int64_t next_update)
{
	return next_update - (c->validity - c->refresh);
}

int gen_times_due(const struct gen_auth_conf *c, int64_t this_update,
		  int64_t next_update, const struct gen_when *w, int64_t now)
{
	/* Without either option every response spans exactly validity, as
	 * it always has: another span means validity changed. */
	if (!c->this_update_crl && !c->cap_crl ?
	    next_update - this_update != c->validity :
	    next_update > w->next_update)
		return GEN_TIMES_SIGN;
	if (now >= gen_times_deadline(c, next_update) &&
	    gen_times_better(c, this_update, next_update, w))
		return GEN_TIMES_AGED;
	return GEN_TIMES_KEEP;
}

size_t gen_times_spread(const int64_t *dl, size_t n, int64_t now,
			int64_t run_interval)
{
	/* Shares in 32-bit fixed point: a float sum of n equal shares 1/k
	 * may land a hair above n/k and round up to one more. */
	const uint64_t one = (uint64_t)1 << 32;
	uint64_t share = 0, budget;

	if (run_interval <= 0)
		return n;
	for (size_t i = 0; i < n; i++) {
		/* This run and those before the deadline; at least this one. */
		int64_t runs = dl[i] > now ? (dl[i] - now) / run_interval + 1 : 1;

		share += one / (uint64_t)runs;
	}
	budget = share / one + (share % one != 0);
	return budget < n ? (size_t)budget : n;
}

struct due {
	int64_t at;	/* when the response comes due */
	size_t i;	/* its entry */
};

static int due_cmp(const void *x, const void *y)
{
	const struct due *a = x, *b = y;

	if (a->at != b->at)
		return (a->at > b->at) - (a->at < b->at);
	return (a->i > b->i) - (a->i < b->i);
}

int gen_times_stale(const struct gen_auth_conf *c, const struct gen_crlset *crls,
		    const struct gen_list *entries, const int64_t *this_update,
		    const int64_t *next_update, int64_t now, int64_t run_interval,
		    size_t **idx, size_t *n)
{
	struct due *d = malloc((entries->n + 1) * sizeof(*d));
	int64_t *dl = malloc((entries->n + 1) * sizeof(*dl));
	size_t m = 0, budget;
	int rc = 0;

	*idx = NULL;
	*n = 0;
	if (!d || !dl) {
		rc = OP_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < entries->n; i++) {
		struct gen_when w;

		if (next_update[i] == INT64_MAX)
			continue;
		gen_times_of(c, crls, &entries->v[i], now, &w);
		if (w.from == GEN_FROM_NONE ||
		    !gen_times_better(c, this_update[i], next_update[i], &w))
			continue;
		d[m].at = gen_times_deadline(c, next_update[i]);
		d[m++].i = i;
	}
	qsort(d, m, sizeof(*d), due_cmp);
	for (size_t k = 0; k < m; k++)
		dl[k] = d[k].at;
	budget = gen_times_spread(dl, m, now, run_interval);
	if (budget && !(*idx = malloc(budget * sizeof(**idx)))) {
		rc = OP_E_NOMEM;
		goto out;
	}
	for (size_t k = 0; k < budget; k++)
		(*idx)[k] = d[k].i;
	*n = budget;
out:
	free(d);
	free(dl);
	return rc;
}
