#include "gen_run.h"
#include "gen_auth.h"
#include "gen_input.h"
#include "gen_metrics.h"
#include "gen_pool.h"
#include "gen_resp.h"
#include "gen_store.h"
#include "gen_sweep.h"
#include "gen_work.h"
#include "op_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_sum.h"
#include "op_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>

#define BATCH 1024
struct job {
	struct gen_auth *a;
	int hash;
	const struct gen_entry *e;
	int64_t rev_time;
	uint8_t flags;
	uint8_t key[OP_KEY_MAX];
	size_t keylen;
	unsigned char *der;
	int der_len;
	int rc;
	char err[256];
};


struct run {
	const struct gen_conf *conf;
	const struct gen_opts *opts;
	struct gen_stats *stats;
	int64_t now;
	struct gen_auth *auths;
	size_t nauths;
	struct gen_keystore *ks;
	struct gen_pool *pool;
	struct job *jobs;		/* BATCH of them */
	int64_t *kept_at;		/* per entry: thisUpdate of a kept
					   response, INT64_MAX if none */
	size_t njobs;
	int64_t this_update, next_update;
	int64_t produced_at;		/* set per batch */
	size_t removed_unknown;
	struct gen_work work;
	MDB_dbi dbi;			/* the working copy's, for short */
	MDB_txn *txn;			/* its write transaction */
	struct gen_store *store;	/* puts into txn */
	size_t progress;
};

/* ---------------- signing pool ---------------- */

/* On a pool thread: build and sign one response. */
static void sign_job(void *job, void *arg, int worker)
{
	struct job *j = job;
	const struct run *r = arg;
	struct gen_resp_in in = {
		.hash = j->hash, .serial = j->e->serial,
		.serial_len = j->e->serial_len, .status = j->e->status,
		.reason = j->e->reason, .rev_time = j->rev_time,
		.produced_at = r->produced_at, .this_update = r->this_update,
		.next_update = r->next_update,
	};
	size_t len = 0;

	j->rc = gen_resp_make(j->a->rs, worker, &in, &j->der, &len);
	j->der_len = (int)len;
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", op_err_detail());
}

/* Sign the queued jobs in parallel, then store them (this thread owns the
 * write transaction). */
static int flush(struct run *r)
{
	int rc = 0;

	r->produced_at = op_time_now();
	gen_pool_run(r->pool, r->jobs, r->njobs, sizeof(*r->jobs));
	for (size_t i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		struct op_rec rec = { 0 };

		if (!rc && j->rc)
			rc = op_err_set(j->rc, "authority %s: %s", j->a->c->name,
					j->err);
		if (!rc) {
			rec.status = j->e->status;
			rec.reason = j->e->reason;
			rec.flags = j->flags;
			rec.this_update = r->this_update;
			rec.next_update = r->next_update;
			rec.rev_time = j->e->status == OP_STATUS_REVOKED ? j->rev_time : 0;
			memcpy(rec.signer_id, j->a->signer_id, OP_REC_SIGNER_ID);
			rc = gen_store_put(r->store, j->key, j->keylen, &rec, j->der,
					   (size_t)j->der_len);
			j->a->nsigned++;
		}
		OPENSSL_free(j->der);
		j->der = NULL;
	}
	r->progress += r->njobs;
	if (r->opts->progress)
		fprintf(stderr, "\rocsp-gen: signed %zu", r->progress);
	r->njobs = 0;
	return rc;
}

/* ---------------- the diff ---------------- */

enum { KEEP, SIGN, SIGN_AGED };

/* Whether the stored response old of e is still right. */
static int verdict(const struct run *r, const struct gen_auth *a,
		   const struct gen_entry *e, const struct op_rec *old,
		   int64_t rev_time)
{
	if (r->opts->force)
		return SIGN;
	if (old->status != e->status ||
	    (e->status == OP_STATUS_REVOKED &&
	     (old->reason != e->reason || old->rev_time != rev_time)))
		return SIGN;
	if (memcmp(old->signer_id, a->signer_id, OP_REC_SIGNER_ID) != 0 ||
	    old->next_update - old->this_update != r->conf->validity)
		return SIGN;
	if (r->now - old->this_update >= r->conf->refresh)
		return SIGN_AGED;
	return KEEP;
}

/*
 * Decide about entry e of a, whose key the next job slot holds: queue it
 * for signing when it has no response or its response is not right any
 * more (early: when it has one that this run did not sign).  *kept
 * receives the thisUpdate of a response kept, INT64_MAX otherwise.
 */
static int queue_entry(struct run *r, struct gen_auth *a, int hash,
		       const struct gen_entry *e, int early, int64_t *kept)
{
	struct job *j = &r->jobs[r->njobs];
	MDB_val k = { j->keylen, j->key }, v;
	struct op_rec old;
	int64_t rev_time = e->rev_time;
	uint8_t flags = 0;
	int have_old, mrc, what = SIGN;

	*kept = INT64_MAX;
	mrc = mdb_get(r->txn, r->dbi, &k, &v);
	if (mrc && mrc != MDB_NOTFOUND)
		return op_err_set(OP_E_DB, "reading %s: %s", r->conf->output,
				  mdb_strerror(mrc));
	have_old = mrc == 0 && op_rec_decode(v.mv_data, v.mv_size, &old) == 0;
	/* A local revocation without a time is dated by its first
	 * publication, and keeps that date on later runs. */
	if (e->status == OP_STATUS_REVOKED && rev_time == 0) {
		flags = OP_REC_F_REVTIME_SEEN;
		rev_time = have_old && old.status == OP_STATUS_REVOKED ?
			   old.rev_time : r->now;
	}
	if (early && (!have_old || old.this_update == r->this_update))
		return 0;
	if (!early && have_old && (what = verdict(r, a, e, &old, rev_time)) == KEEP) {
		a->kept++;
		*kept = old.this_update;
		return 0;
	}
	a->aged += what == SIGN_AGED;
	j->a = a;
	j->hash = hash;
	j->e = e;
	j->rev_time = rev_time;
	j->flags = flags;
	j->rc = 0;
	if (++r->njobs == BATCH)
		return flush(r);
	return 0;
}

/* The key of entry e of a under hash/prefix into the next job slot. */
static int job_key(struct run *r, int hash, const uint8_t *prefix,
		   const struct gen_entry *e)
{
	struct job *j = &r->jobs[r->njobs];
	size_t h = op_hash_len(hash);

	return op_key_make(j->key, &j->keylen, hash, prefix + 1, h,
			   prefix + 1 + h, h, e->serial, e->serial_len);
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* The thisUpdate at which the budget oldest of the kept responses end
 * (r->kept_at, one per entry); *older receives how many are older. */
static int oldest_cut(struct run *r, size_t n, size_t budget, int64_t *cut,
		      size_t *older)
{
	int64_t *t = malloc(n * sizeof(*t));
	size_t m = 0;

	if (!t)
		return OP_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (r->kept_at[i] != INT64_MAX)
			t[m++] = r->kept_at[i];
	qsort(t, m, sizeof(*t), cmp_i64);
	*cut = budget <= m ? t[budget - 1] : INT64_MAX - 1;
	*older = 0;
	while (*older < m && t[*older] < *cut)
		(*older)++;
	free(t);
	return 0;
}

/*
 * Re-sign early this run's share of a's kept responses under prefix: the
 * oldest; among equally old ones (signed by one run), in key order from
 * where the last sweep stopped (gen_sweep.h).
 */
static int sweep(struct run *r, struct gen_auth *a, int hash,
		 const uint8_t *prefix, size_t plen, size_t aged)
{
	const struct gen_list *l = &a->entries;
	struct gen_sweep s;
	struct gen_entry probe;
	size_t budget, older, ties, i = 0, last = SIZE_MAX;
	int64_t cut = 0;
	int rc;

	if ((rc = gen_sweep_load(r->txn, r->dbi, prefix, plen, &s)) != 0)
		return rc;
	budget = gen_sweep_budget(&s, l->n, r->now, r->conf->run_interval,
				  r->conf->refresh);
	budget = r->opts->force || budget <= aged ? 0 : budget - aged;
	if (budget && (rc = oldest_cut(r, l->n, budget, &cut, &older)) != 0)
		return rc;
	ties = budget ? budget - older : 0;
	memcpy(probe.serial, s.pos, s.pos_len);
	probe.serial_len = (uint8_t)s.pos_len;
	while (s.pos_len && i < l->n && gen_entry_cmp(&l->v[i], &probe) <= 0)
		i++;
	for (size_t seen = 0; budget && seen < l->n; seen++, i++) {
		i = i < l->n ? i : 0;
		if (r->kept_at[i] > cut || (r->kept_at[i] == cut && !ties))
			continue;
		if (r->kept_at[i] == cut) {
			ties--;
			last = i;
		}
		if ((rc = job_key(r, hash, prefix, &l->v[i])) != 0 ||
		    (rc = queue_entry(r, a, hash, &l->v[i], 1, &r->kept_at[i])) != 0)
			return rc;
		a->early++;
		a->kept--;
	}
	if (last != SIZE_MAX) {
		memcpy(s.pos, l->v[last].serial, l->v[last].serial_len);
		s.pos_len = l->v[last].serial_len;
	}
	return gen_sweep_store(r->txn, r->dbi, prefix, plen, &s);
}

/* Drop a's responses under prefix/plen for serials no longer listed. */
static int drop_unlisted(struct run *r, struct gen_auth *a,
			 const uint8_t *prefix, size_t plen)
{
	MDB_cursor *cur;
	MDB_val k = { plen, (void *)prefix }, v;
	int mrc;

	if ((mrc = mdb_cursor_open(r->txn, r->dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct gen_entry probe;
		size_t slen = k.mv_size - plen;

		if (k.mv_size <= plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		if (slen <= OP_SERIAL_MAX) {
			memcpy(probe.serial, (uint8_t *)k.mv_data + plen, slen);
			probe.serial_len = (uint8_t)slen;
			if (bsearch(&probe, a->entries.v, a->entries.n,
				    sizeof(probe), gen_entry_cmp))
				continue;
		}
		if ((mrc = mdb_cursor_del(cur, 0)) != 0)
			break;
		a->removed++;
	}
	mdb_cursor_close(cur);
	if (mrc && mrc != MDB_NOTFOUND)
		return op_err_set(OP_E_DB, "removing old responses: %s",
				  mdb_strerror(mrc));
	return 0;
}

/* Re-sign, keep or drop a's responses under hash; prefix/plen receive the
 * issuer part of their keys. */
static int diff_auth_hash(struct run *r, struct gen_auth *a, int hash,
			  uint8_t *prefix, size_t *plen)
{
	size_t aged = a->aged;
	struct op_sum sum;
	int rc;

	if ((rc = op_key_issuer_prefix(a->ca, hash, prefix, plen)) != 0 ||
	    (rc = gen_auth_put_issuer(r->txn, r->dbi, a, prefix, *plen)) != 0)
		return op_err_prefix(rc, "authority %s", a->c->name);
	for (size_t i = 0; i < a->entries.n; i++) {
		const struct gen_entry *e = &a->entries.v[i];

		if ((rc = job_key(r, hash, prefix, e)) != 0 ||
		    (rc = queue_entry(r, a, hash, e, 0, &r->kept_at[i])) != 0)
			return rc;
	}
	/* Before the sweep, which must see this run's signatures stored. */
	if ((rc = flush(r)) != 0 ||
	    (rc = drop_unlisted(r, a, prefix, *plen)) != 0 ||
	    (rc = sweep(r, a, hash, prefix, *plen, a->aged - aged)) != 0 ||
	    (rc = flush(r)) != 0)
		return rc;
	gen_store_summary(&a->entries, r->kept_at, r->this_update,
			  r->conf->validity, &sum);
	return gen_store_put_sum(r->store, prefix, *plen, &sum);
}

/* Meta records kept per issuer: name | issuer prefix. */
static const char *const issuer_meta[] = { OP_META_ISSUER, GEN_SWEEP_META,
					   OP_META_SUMMARY };
#define NMETA (sizeof(issuer_meta) / sizeof(issuer_meta[0]))

/* The issuer prefix that the key k/klen belongs to (a response's, or a
 * per-issuer meta record's); NULL for other meta records. */
static const uint8_t *key_issuer(const uint8_t *k, size_t klen, size_t *plen,
				 int *meta)
{
	*meta = 0;
	if (klen && k[0] != 0) {
		*plen = op_key_issuer_len(k, klen);
		return k;
	}
	for (size_t i = 0; i < NMETA; i++) {
		/* The names are string literals: "\0" then the name. */
		size_t ml = 1 + strlen(issuer_meta[i] + 1);

		if (klen > ml && memcmp(k, issuer_meta[i], ml) == 0) {
			*meta = 1;
			*plen = klen - ml;
			return k + ml;
		}
	}
	return NULL;
}

/* Without --ca, responses of issuers no longer configured go too. */
static int drop_unknown_issuers(struct run *r, uint8_t (*prefixes)[OP_KEY_MAX],
				size_t *plens, size_t n, size_t *removed)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int mrc;

	if ((mrc = mdb_cursor_open(r->txn, r->dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		size_t plen = 0;
		int meta, known = 0;
		const uint8_t *key = key_issuer(k.mv_data, k.mv_size, &plen, &meta);

		if (!key)
			continue;	/* other meta records */
		for (size_t i = 0; i < n && !known; i++)
			known = plen == plens[i] && memcmp(key, prefixes[i], plen) == 0;
		if (known)
			continue;
		if ((mrc = mdb_cursor_del(cur, 0)) != 0)
			break;
		*removed += !meta;
	}
	mdb_cursor_close(cur);
	if (mrc && mrc != MDB_NOTFOUND)
		return op_err_set(OP_E_DB, "removing unknown issuers: %s",
				  mdb_strerror(mrc));
	return 0;
}

static int run_txn(struct run *r)
{
	uint8_t (*prefixes)[OP_KEY_MAX], *ids;
	size_t *plens, np = 0, removed_unknown = 0;
	int rc = 0;

	prefixes = calloc(r->nauths * r->conf->nhashes, sizeof(*prefixes));
	plens = calloc(r->nauths * r->conf->nhashes, sizeof(*plens));
	ids = calloc(r->nauths, OP_REC_SIGNER_ID);
	if (!prefixes || !plens || !ids ||
	    gen_store_new(r->txn, r->dbi, &r->store) != 0) {
		rc = OP_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < r->nauths && !rc; i++) {
		for (size_t h = 0; h < r->conf->nhashes && !rc; h++) {
			rc = diff_auth_hash(r, &r->auths[i], r->conf->hashes[h],
					    prefixes[np], &plens[np]);
			np++;
		}
	}
	if (r->opts->progress && r->progress)
		fputc('\n', stderr);
	if (!rc && !r->opts->only_ca)
		rc = drop_unknown_issuers(r, prefixes, plens, np, &removed_unknown);
	/* Every authority was diffed: no record refers to another signer. */
	for (size_t i = 0; i < r->nauths; i++)
		memcpy(ids + i * OP_REC_SIGNER_ID, r->auths[i].signer_id,
		       OP_REC_SIGNER_ID);
	if (!rc && !r->opts->only_ca)
		rc = gen_store_prune_certs(r->store, ids, r->nauths);
	for (size_t i = 0; i < r->nauths; i++) {
		r->stats->signed_count += r->auths[i].nsigned;
		r->stats->kept += r->auths[i].kept;
		r->stats->removed += r->auths[i].removed;
		r->stats->early += r->auths[i].early;
	}
	r->stats->removed += removed_unknown;
	r->removed_unknown = removed_unknown;
	if (!rc && (r->stats->signed_count || r->stats->removed))
		rc = gen_work_bump(&r->work, r->now);
out:
	gen_store_free(r->store);
	r->store = NULL;
	free(ids);
	free(prefixes);
	free(plens);
	return rc;
}

/* One line per authority, once the run's outcome is known. */
static void report(const struct run *r)
{
	for (size_t i = 0; i < r->nauths; i++) {
		const struct gen_auth *a = &r->auths[i];

		op_info("%s: %zu serials; signed %zu, kept %zu, removed %zu "
			"(%zu re-signed early; signer %s)", a->c->name,
			a->entries.n, a->nsigned, a->kept, a->removed, a->early,
			a->signer_name);
	}
	if (r->removed_unknown)
		op_info("removed %zu responses of issuers no longer configured",
			r->removed_unknown);
}

static int write_metrics(struct run *r, const struct timespec *t0)
{
	struct gen_metrics m = { 0 };
	struct timespec t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	m.finished = op_time_now();
	m.duration = (double)(t1.tv_sec - t0->tv_sec) +
		     (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	m.published = r->stats->published;
	m.nauths = r->nauths;
	if (!(m.auths = calloc(r->nauths, sizeof(*m.auths))))
		return OP_E_NOMEM;
	for (size_t i = 0; i < r->nauths; i++) {
		struct gen_auth *a = &r->auths[i];

		m.auths[i] = (struct gen_metrics_auth){
			.name = a->c->name, .signer = a->signer_name,
			.serials = a->entries.n, .signed_count = a->nsigned,
			.kept = a->kept, .removed = a->removed,
			.early = a->early,
			.signer_not_after = a->signer_not_after,
			.crl_next_update = a->crl_next,
		};
	}
	rc = gen_metrics_write(r->conf->metrics_file, &m);
	free(m.auths);
	return rc;
}

/* Prepare the authorities of the run (all, or --ca's). */
static int prepare_auths(struct run *r)
{
	const struct gen_conf *conf = r->conf;
	int rc;

	if (!(r->auths = calloc(conf->nauths, sizeof(*r->auths))))
		return OP_E_NOMEM;
	if ((rc = gen_keystore_open(conf->pkcs11_module, &r->ks)) != 0)
		return rc;
	for (size_t i = 0; i < conf->nauths; i++) {
		if (r->opts->only_ca && strcmp(conf->auths[i].name, r->opts->only_ca))
			continue;
		if ((rc = gen_auth_prepare(&r->auths[r->nauths], &conf->auths[i],
					   r->ks, r->now, conf->validity,
					   conf->workers)) != 0)
			return rc;
		r->nauths++;
	}
	return 0;
}

/* Diff, sign and store in the working copy's transaction, commit, publish. */
static int update(struct run *r)
{
	int rc;

	if ((rc = gen_work_open(&r->work)) != 0)
		return rc;
	r->txn = r->work.txn;
	r->dbi = r->work.dbi;
	if ((rc = run_txn(r)) != 0)
		return rc;
	if (r->opts->dry_run)
		return 0;	/* gen_work_close() aborts the transaction */
	if ((rc = gen_work_commit(&r->work)) != 0)
		return rc;
	return gen_work_publish(&r->work, &r->stats->published);
}

int gen_run(const struct gen_conf *conf, const struct gen_opts *opts,
	    struct gen_stats *stats)
{
	struct timespec t0;
	struct run r = { 0 };
	size_t most = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(stats, 0, sizeof(*stats));
	r.conf = conf;
	r.opts = opts;
	r.stats = stats;
	r.now = op_time_now();
	r.this_update = r.now;
	r.next_update = r.now + conf->validity;

	if (opts->only_ca) {
		size_t i;

		for (i = 0; i < conf->nauths; i++)
			if (strcmp(conf->auths[i].name, opts->only_ca) == 0)
				break;
		if (i == conf->nauths)
			return op_err_set(OP_E_CONFIG, "--ca %s: no such authority "
					  "in %s", opts->only_ca, conf->path);
	}
	if ((rc = gen_work_lock(&r.work, conf->output)) != 0 ||
	    (rc = prepare_auths(&r)) != 0)
		goto out;
	for (size_t i = 0; i < r.nauths; i++)
		most = r.auths[i].entries.n > most ? r.auths[i].entries.n : most;
	r.jobs = calloc(BATCH, sizeof(*r.jobs));
	r.kept_at = calloc(most + 1, sizeof(*r.kept_at));
	if (!r.jobs || !r.kept_at) {
		rc = OP_E_NOMEM;
		goto out;
	}
	if ((rc = gen_pool_start(conf->workers, sign_job, &r, &r.pool)) != 0 ||
	    (rc = update(&r)) != 0)
		goto out;
	report(&r);
	/* Published is published: a metrics write failure only warns. */
	if (!opts->dry_run && conf->metrics_file && write_metrics(&r, &t0) != 0)
		op_warn("%s", op_err_detail());
out:
	gen_work_close(&r.work);
	gen_pool_stop(r.pool);
	free(r.jobs);
	free(r.kept_at);
	for (size_t i = 0; i < r.nauths; i++)
		gen_auth_free(&r.auths[i]);
	free(r.auths);
	gen_keystore_close(r.ks);
	return rc;
}
