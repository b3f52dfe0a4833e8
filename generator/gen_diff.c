#include "gen_diff.h"
#include "gen_audit.h"
#include "gen_store.h"
#include "gen_sweep.h"
#include "gen_times.h"
#include "gen_unknown.h"
#include "op_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_rec.h"
#include "op_sum.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One issuer prefix: an authority under one CertID hash. */
struct pair {
	const struct gen_auth *a;
	struct gen_diff_count *n;	/* the run's, of a */
	struct gen_batch_signer by;	/* what a's jobs sign with */
	int hash;
	int audit;		/* the authority's first pair: status changes
				   go to the audit trail once, not per hash */
	uint8_t prefix[OP_KEY_MAX];
	size_t plen;
};

/* One gen_diff_run(): its inputs and what it keeps between the steps. */
struct run {
	const struct gen_diff *d;
	MDB_txn *txn;		/* d->txn, then the one after each commit */
	struct gen_store *store;	/* of txn */
	/* Per entry of the pair at hand, the thisUpdate and nextUpdate of
	 * the response kept (INT64_MAX: signed this run). */
	int64_t *kept_at, *kept_nu;
};

enum { KEEP, SIGN, SIGN_AGED };
enum { QUEUED = 1, FULL };

/* Whether the stored response old of e is still right, w being what a
 * response signed now would state (gen_times). */
static int verdict(const struct run *r, const struct gen_auth *a,
		   const struct gen_entry *e, const struct op_rec *old,
		   int64_t rev_time, const struct gen_when *w)
{
	int due;

	if (r->d->force)
		return SIGN;
	if (old->status != e->status ||
	    (e->status == OP_STATUS_REVOKED &&
	     (old->reason != e->reason || old->rev_time != rev_time)))
		return SIGN;
	if (memcmp(old->signer_id, a->signer_id, OP_REC_SIGNER_ID) != 0)
		return SIGN;
	due = gen_times_due(a->c, old->this_update, old->next_update, w, r->d->now);
	return due == GEN_TIMES_SIGN ? SIGN : due == GEN_TIMES_AGED ? SIGN_AGED :
	       KEEP;
}

/* A status that this run changes, for the audit trail. */
static void audit_change(const struct pair *p, const struct gen_entry *e,
			 const struct op_rec *old, int64_t rev_time)
{
	if (!p->audit)
		return;
	if (old && old->status == e->status &&
	    (e->status != OP_STATUS_REVOKED ||
	     (old->reason == e->reason && old->rev_time == rev_time)))
		return;
	gen_audit_status(p->a->c->name, e->serial, e->serial_len,
			 old ? old->status : -1, old ? old->reason : 0, e,
			 rev_time);
}

/*
 * Decide about entry i of p given its stored response old (NULL: none):
 * fill a job slot when it must be signed (early: when it has a response
 * that this run did not sign).  Returns QUEUED, FULL (queued, and the batch
 * is full: flush it), 0 (not queued) or < 0 on error.  kept_at[i] and
 * kept_nu[i] receive the times of a response kept, INT64_MAX otherwise.
 */
static int decide(struct run *r, const struct pair *p, size_t i,
		  const struct op_rec *old, int early)
{
	const struct gen_entry *e = &p->a->entries.v[i];
	struct gen_job *j = gen_batch_slot(r->d->batch);
	size_t h = op_hash_len(p->hash);
	int64_t rev_time = e->rev_time;
	struct gen_when w;
	int what = SIGN, rc;

	r->kept_at[i] = r->kept_nu[i] = INT64_MAX;
	gen_times_of(p->a->c, &p->a->crls, e, r->d->now, &w);
	/* A local revocation without a time is dated by its first
	 * publication, and keeps that date on later runs. */
	if (e->status == OP_STATUS_REVOKED && rev_time == 0) {
		j->flags = OP_REC_F_REVTIME_SEEN;
		rev_time = old && old->status == OP_STATUS_REVOKED ?
			   old->rev_time : r->d->now;
	}
	/* Early only where it changes something (not signed in this run, not
	 * capped by a CRL that was not renewed). */
	if (early && (!old || !gen_times_better(p->a->c, old->this_update,
						old->next_update, &w)))
		return 0;
	if (!early && old &&
	    (what = verdict(r, p->a, e, old, rev_time, &w)) == KEEP) {
		p->n->kept++;
		r->kept_at[i] = old->this_update;
		r->kept_nu[i] = old->next_update;
		return 0;
	}
	if ((rc = op_key_make(j->key, &j->keylen, p->hash, p->prefix + 1, h,
			      p->prefix + 1 + h, h, e->serial,
			      e->serial_len)) != 0)
		return rc;
	if (!early)
		audit_change(p, e, old, rev_time);
	p->n->aged += what == SIGN_AGED;
	j->by = &p->by;
	j->hash = p->hash;
	j->e = e;
	j->rev_time = rev_time;
	j->this_update = w.this_update;
	j->next_update = w.next_update;
	j->crl = (uint8_t)w.from;
	return gen_batch_push(r->d->batch) ? FULL : QUEUED;
}

/* Key order of a record's serial against an entry's (gen_input_entry_cmp). */
static int serial_cmp(const uint8_t *s, size_t len, const struct gen_entry *e)
{
	return op_key_cmp(s, len, e->serial, e->serial_len);
}

/* Commit what is stored so far and go on in a new transaction (gen_batch
 * commits as the run goes); the store belongs to the old one. */
static int checkpoint(struct run *r)
{
	int rc;

	gen_store_free(r->store);
	r->store = NULL;
	if ((rc = gen_batch_commit(r->d->batch, &r->txn)) != 0)
		return rc;
	return gen_store_new(r->txn, r->d->dbi, &r->store);
}

/* Flush the full batch in the middle of a walk: the puts move the cursor's
 * pages (and a commit due now ends its transaction), so remember where
 * the walk stands (k, if in p) and come back. */
static int flush_in_walk(struct run *r, MDB_cursor **cur, MDB_val *k,
			 MDB_val *v, int *mrc, int in_p)
{
	uint8_t saved[OP_KEY_MAX];
	size_t len = k->mv_size;
	int rc;

	if (in_p)
		memcpy(saved, k->mv_data, len);
	/* The jobs just handed over are for keys before saved: the walk has
	 * passed them, so they may be stored on the next cycle. */
	if ((rc = gen_batch_cycle(r->d->batch, r->store, r->txn, r->d->dbi)) != 0)
		return rc;
	if (gen_batch_commit_due(r->d->batch)) {
		mdb_cursor_close(*cur);
		*cur = NULL;
		if ((rc = checkpoint(r)) != 0)
			return rc;
		if ((*mrc = mdb_cursor_open(r->txn, r->d->dbi, cur)) != 0)
			return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(*mrc));
	}
	*mrc = MDB_NOTFOUND;
	if (in_p) {
		k->mv_size = len;
		k->mv_data = saved;
		*mrc = mdb_cursor_get(*cur, k, v, MDB_SET_RANGE);
		/* k now points into the map again, not at saved. */
	}
	return 0;
}

/* One step of the walk: the record at k (in_p) against entry *i. */
static int walk_step(struct run *r, const struct pair *p, MDB_cursor **cur,
		     MDB_val *k, MDB_val *v, int *mrc, int in_p, size_t *i)
{
	const struct gen_list *l = &p->a->entries;
	struct op_rec old;
	int c, rc, full = 0;

	c = !in_p ? 1 : *i == l->n ? -1 :
	    serial_cmp((uint8_t *)k->mv_data + p->plen, k->mv_size - p->plen,
		       &l->v[*i]);
	if (c < 0) {			/* a serial no longer listed */
		if (p->audit && op_rec_decode(v->mv_data, v->mv_size, &old) == 0)
			gen_audit_status(p->a->c->name,
					 (uint8_t *)k->mv_data + p->plen,
					 k->mv_size - p->plen, old.status,
					 old.reason, NULL, 0);
		if ((*mrc = mdb_cursor_del(*cur, 0)) != 0)
			return 0;
		p->n->removed++;
		*mrc = mdb_cursor_get(*cur, k, v, MDB_NEXT);
		return 0;
	}
	if (c == 0) {
		int ok = op_rec_decode(v->mv_data, v->mv_size, &old) == 0;

		full = decide(r, p, *i, ok ? &old : NULL, 0);
		if (full >= 0)
			*mrc = mdb_cursor_get(*cur, k, v, MDB_NEXT);
	} else {			/* a new serial */
		full = decide(r, p, *i, NULL, 0);
	}
	(*i)++;
	if (full != FULL)
		return full < 0 ? full : 0;
	in_p = *mrc == 0 && k->mv_size > p->plen && k->mv_size <= OP_KEY_MAX &&
	       memcmp(k->mv_data, p->prefix, p->plen) == 0;
	rc = flush_in_walk(r, cur, k, v, mrc, in_p);
	return rc;
}

/*
 * Walk p's entries and its stored records side by side in key order (one
 * cursor, no search per serial): sign what is new or not right any more,
 * keep the rest, delete the records of serials no longer listed.
 */
static int walk(struct run *r, const struct pair *p)
{
	MDB_cursor *cur;
	MDB_val k = { p->plen, (void *)p->prefix }, v;
	size_t i = 0;
	int mrc, rc = 0;

	if ((mrc = mdb_cursor_open(r->txn, r->d->dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (!rc) {
		int in_p = mrc == 0 && k.mv_size > p->plen &&
			   memcmp(k.mv_data, p->prefix, p->plen) == 0;

		if (mrc && mrc != MDB_NOTFOUND)
			break;
		if (!in_p && i == p->a->entries.n) {
			mrc = 0;
			break;
		}
		rc = walk_step(r, p, &cur, &k, &v, &mrc, in_p, &i);
	}
	if (cur)
		mdb_cursor_close(cur);
	if (!rc && mrc && mrc != MDB_NOTFOUND)
		rc = op_err_set(OP_E_DB, "reading %s: %s", r->d->conf->output,
				mdb_strerror(mrc));
	return rc;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* The nextUpdate at which the budget oldest of the kept responses end
 * (r->kept_nu, one per entry: the oldest state the earliest nextUpdate);
 * *older receives how many are older. */
static int oldest_cut(struct run *r, size_t n, size_t budget, int64_t *cut,
		      size_t *older)
{
	int64_t *t = malloc(n * sizeof(*t));
	size_t m = 0;

	if (!t)
		return OP_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (r->kept_nu[i] != INT64_MAX)
			t[m++] = r->kept_nu[i];
	qsort(t, m, sizeof(*t), cmp_i64);
	*cut = budget <= m ? t[budget - 1] : INT64_MAX - 1;
	*older = 0;
	while (*older < m && t[*older] < *cut)
		(*older)++;
	free(t);
	return 0;
}

/* Queue entry i of p for early re-signing if its response qualifies;
 * its kept_at/kept_nu then say it is signed in this run.  *done counts
 * it. */
static int early(struct run *r, const struct pair *p, size_t i,
		 size_t *done)
{
	const struct gen_entry *e = &p->a->entries.v[i];
	uint8_t key[OP_KEY_MAX];
	size_t klen, h = op_hash_len(p->hash);
	MDB_val k = { 0, key }, v;
	struct op_rec old;
	int64_t at = r->kept_at[i], nu = r->kept_nu[i];
	int rc, mrc;

	if ((rc = op_key_make(key, &klen, p->hash, p->prefix + 1, h,
			      p->prefix + 1 + h, h, e->serial,
			      e->serial_len)) != 0)
		return rc;
	k.mv_size = klen;
	mrc = mdb_get(r->txn, r->d->dbi, &k, &v);
	if (mrc && mrc != MDB_NOTFOUND)
		return op_err_set(OP_E_DB, "reading %s: %s", r->d->conf->output,
				  mdb_strerror(mrc));
	if (mrc || op_rec_decode(v.mv_data, v.mv_size, &old) != 0)
		return 0;
	if ((rc = decide(r, p, i, &old, 1)) <= 0) {
		r->kept_at[i] = at;
		r->kept_nu[i] = nu;
		return rc;
	}
	p->n->early++;
	p->n->kept--;
	(*done)++;
	return rc == FULL ?
	       gen_batch_cycle(r->d->batch, r->store, r->txn, r->d->dbi) : 0;
}

/* next_update_cap = crl: what a new CRL lets run longer, spread evenly
 * over the runs before it comes due (gen_times_stale). */
static int stale(struct run *r, const struct pair *p, size_t *done)
{
	size_t *idx = NULL, n = 0;
	int rc;

	if (!p->a->c->cap_crl || r->d->force)
		return 0;
	if ((rc = gen_times_stale(p->a->c, &p->a->crls, &p->a->entries,
				  r->kept_at, r->kept_nu, r->d->now,
				  r->d->conf->run_interval, &idx, &n)) != 0)
		return rc;
	for (size_t k = 0; k < n && !rc; k++)
		rc = early(r, p, idx[k], done);
	free(idx);
	return rc;
}

/*
 * Re-sign early this run's share of p's kept responses: the oldest; among
 * equally old ones (signed by one run), in key order from where the last
 * sweep stopped (gen_sweep.h).  spent: what the run re-signed already
 * (aged, or made due by a CRL).
 */
static int sweep(struct run *r, const struct pair *p, size_t spent)
{
	const struct gen_list *l = &p->a->entries;
	struct gen_sweep s;
	struct gen_entry probe;
	size_t budget, older = 0, ties, i = 0, last = SIZE_MAX, done = 0;
	int64_t cut = 0;
	int rc;

	if ((rc = gen_sweep_load(r->txn, r->d->dbi, p->prefix, p->plen, &s)) != 0)
		return rc;
	budget = gen_sweep_budget(&s, l->n, r->d->now, r->d->conf->run_interval,
				  p->a->c->refresh);
	budget = r->d->force || budget <= spent ? 0 : budget - spent;
	if (budget && (rc = oldest_cut(r, l->n, budget, &cut, &older)) != 0)
		return rc;
	ties = budget ? budget - older : 0;
	memcpy(probe.serial, s.pos, s.pos_len);
	probe.serial_len = (uint8_t)s.pos_len;
	while (s.pos_len && i < l->n && gen_input_entry_cmp(&l->v[i], &probe) <= 0)
		i++;
	for (size_t seen = 0; budget && seen < l->n; seen++, i++) {
		i = i < l->n ? i : 0;
		if (r->kept_nu[i] > cut || (r->kept_nu[i] == cut && !ties))
			continue;
		if (r->kept_nu[i] == cut) {
			ties--;
			last = i;
		}
		if ((rc = early(r, p, i, &done)) != 0)
			return rc;
	}
	if (last != SIZE_MAX) {
		memcpy(s.pos, l->v[last].serial, l->v[last].serial_len);
		s.pos_len = l->v[last].serial_len;
	}
	return gen_sweep_store(r->txn, r->d->dbi, p->prefix, p->plen, &s);
}

/* The summary of p once its responses are final: kept ones with their
 * stored times, the others with those this run signed. */
static int summarize(struct run *r, const struct pair *p)
{
	const struct gen_list *l = &p->a->entries;
	struct op_sum sum;

	for (size_t i = 0; i < l->n; i++)
		if (r->kept_at[i] == INT64_MAX) {
			struct gen_when w;

			gen_times_of(p->a->c, &p->a->crls, &l->v[i], r->d->now, &w);
			r->kept_at[i] = w.this_update;
			r->kept_nu[i] = w.next_update;
		}
	gen_store_summary(l, r->kept_at, r->kept_nu, &sum);
	return gen_store_put_sum(r->store, p->prefix, p->plen, &sum);
}

/* Re-sign, keep or drop the responses of one issuer prefix. */
static int diff_pair(struct run *r, const struct pair *p)
{
	size_t aged = p->n->aged, done = gen_batch_done(r->d->batch), spent;
	int rc;

	if ((rc = gen_auth_put_issuer(r->txn, r->d->dbi, p->a, p->prefix,
				      p->plen)) != 0 ||
	    (rc = walk(r, p)) != 0 ||
	    /* Early re-signing must see this run's signatures stored. */
	    (rc = gen_batch_flush(r->d->batch, r->store, r->txn, r->d->dbi)) != 0)
		return rc;
	spent = p->n->aged - aged;
	if ((rc = stale(r, p, &spent)) != 0 ||
	    (rc = gen_batch_flush(r->d->batch, r->store, r->txn, r->d->dbi)) != 0 ||
	    (rc = sweep(r, p, spent)) != 0 ||
	    (rc = gen_batch_flush(r->d->batch, r->store, r->txn, r->d->dbi)) != 0)
		return rc;
	/* Every job of p is stored now, and only p's were queued. */
	p->n->nsigned += gen_batch_done(r->d->batch) - done;
	return summarize(r, p);
}

/* Without --ca: what the pairs do not cover goes (gen_unknown). */
static int unknown_drop(struct run *r, const struct pair *pairs, size_t n,
			size_t *removed)
{
	struct gen_unknown_key *k = calloc(n + 1, sizeof(*k));
	int rc;

	if (!k)
		return OP_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		k[i] = (struct gen_unknown_key){ pairs[i].prefix, pairs[i].plen };
	rc = gen_unknown_drop(r->txn, r->d->dbi, r->d->auths, r->d->nauths, k,
			      n, removed);
	free(k);
	return rc;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;

	return op_key_cmp(a->prefix, a->plen, b->prefix, b->plen);
}

/* Every authority under every CertID hash (and, with certid_sha2_params =
 * both, the NULL form of each SHA-2 one), in key order: a first run then
 * only appends, and later runs move through the file once. */
static int make_pairs(struct run *r, struct pair **out, size_t *n)
{
	struct pair *p = calloc(r->d->nauths * r->d->conf->nhashes * 2, sizeof(*p));
	size_t np = 0;
	int rc;

	if (!p)
		return OP_E_NOMEM;
	for (size_t i = 0; i < r->d->nauths; i++)
		for (size_t h = 0; h < 2 * r->d->conf->nhashes; h++) {
			int tag = op_hash_tag(r->d->conf->hashes[h / 2], h & 1);

			if ((h & 1) && (!r->d->auths[i].c->certid_null ||
					!(tag & OP_TAG_NULL)))
				continue;
			p[np].a = &r->d->auths[i];
			p[np].n = &r->d->counts[i];
			p[np].by = (struct gen_batch_signer){
				.name = r->d->auths[i].c->name,
				.rs = r->d->auths[i].rs, .keys = r->d->auths[i].keys,
				.signer_id = r->d->auths[i].signer_id,
			};
			p[np].hash = tag;
			p[np].audit = h == 0;
			if ((rc = op_key_issuer_prefix(p[np].a->ca, p[np].hash,
						       p[np].prefix,
						       &p[np].plen)) != 0) {
				free(p);
				return op_err_prefix(rc, "authority %s",
						     r->d->auths[i].c->name);
			}
			np++;
		}
	qsort(p, np, sizeof(*p), pair_cmp);
	*out = p;
	*n = np;
	return 0;
}

int gen_diff_run(const struct gen_diff *d, int drop_unknown,
		 size_t *removed_unknown)
{
	struct run r = { d, d->txn, NULL, NULL, NULL };
	struct pair *pairs = NULL;
	uint8_t *ids = calloc(d->nauths + 1, OP_REC_SIGNER_ID);
	size_t np = 0, most = 0;
	int rc;

	*removed_unknown = 0;
	for (size_t i = 0; i < d->nauths; i++) {
		most = d->auths[i].entries.n > most ? d->auths[i].entries.n : most;
		if (ids)
			memcpy(ids + i * OP_REC_SIGNER_ID, d->auths[i].signer_id,
			       OP_REC_SIGNER_ID);
	}
	r.kept_at = calloc(most + 1, sizeof(*r.kept_at));
	r.kept_nu = calloc(most + 1, sizeof(*r.kept_nu));
	if (!ids || !r.kept_at || !r.kept_nu) {
		rc = OP_E_NOMEM;
		goto out;
	}
	if ((rc = gen_store_new(r.txn, d->dbi, &r.store)) != 0 ||
	    (rc = make_pairs(&r, &pairs, &np)) != 0)
		goto out;
	for (size_t i = 0; i < np && !rc; i++)
		if ((rc = diff_pair(&r, &pairs[i])) == 0 &&
		    gen_batch_commit_due(d->batch))
			rc = checkpoint(&r);
	if (!rc && drop_unknown)
		rc = unknown_drop(&r, pairs, np, removed_unknown);
	/* Every authority was diffed: no record refers to another signer. */
	if (!rc && drop_unknown)
		rc = gen_store_prune_certs(r.store, ids, d->nauths);
out:
	gen_store_free(r.store);
	free(pairs);
	free(ids);
	free(r.kept_at);
	free(r.kept_nu);
	return rc;
}
