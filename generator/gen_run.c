#include "gen_run.h"
#include "gen_auth.h"
#include "gen_input.h"
#include "gen_metrics.h"
#include "gen_pool.h"
#include "gen_resp.h"
#include "gen_store.h"
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
	size_t njobs;
	int64_t this_update, next_update;
	size_t removed_unknown;
	struct gen_work work;
	MDB_dbi dbi;			/* the working copy's, for short */
	MDB_txn *txn;			/* its write transaction */
	struct gen_store *store;	/* puts into txn */
	struct op_sum sum;		/* of the authority and hash being diffed */
	size_t progress;
};

/* ---------------- signing pool ---------------- */

/* On a pool thread: build and sign one response. */
static void sign_job(void *job, void *arg)
{
	struct job *j = job;
	const struct run *r = arg;
	OCSP_CERTID *cid = gen_resp_certid(j->a->ca, j->hash, j->e->serial,
					   j->e->serial_len);

	if (!cid) {
		j->rc = op_err_ssl(OP_E_CRYPTO, "building CertID");
	} else {
		j->rc = gen_resp_sign(&j->a->signer, cid, j->e->status,
				      j->e->reason, j->rev_time, r->this_update,
				      r->next_update, &j->der, &j->der_len);
		OCSP_CERTID_free(cid);
	}
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", op_err_detail());
}

/* Sign the queued jobs in parallel, then store them (this thread owns the
 * write transaction). */
static int flush(struct run *r)
{
	int rc = 0;

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
			op_sum_add(&r->sum, &rec);
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

static int needs_signing(const struct run *r, const struct gen_auth *a,
			 const struct gen_entry *e, const struct op_rec *old,
			 int64_t rev_time)
{
	if (r->opts->force)
		return 1;
	if (old->status != e->status ||
	    (e->status == OP_STATUS_REVOKED &&
	     (old->reason != e->reason || old->rev_time != rev_time)))
		return 1;
	if (memcmp(old->signer_id, a->signer_id, OP_REC_SIGNER_ID) != 0)
		return 1;
	if (r->now - old->this_update >= r->conf->refresh ||
	    old->next_update - old->this_update != r->conf->validity)
		return 1;
	return 0;
}

/* Queue entry e of a for signing unless its stored response (if any) is
 * still right; key/keylen is its key. */
static int queue_entry(struct run *r, struct gen_auth *a, int hash,
		       const struct gen_entry *e)
{
	struct job *j = &r->jobs[r->njobs];
	MDB_val k = { j->keylen, j->key }, v;
	struct op_rec old;
	int64_t rev_time = e->rev_time;
	uint8_t flags = 0;
	int have_old, mrc;

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
	if (have_old && !needs_signing(r, a, e, &old, rev_time)) {
		op_sum_add(&r->sum, &old);
		a->kept++;
		return 0;
	}
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
	size_t h = op_hash_len(hash);
	int rc;

	if ((rc = op_key_issuer_prefix(a->ca, hash, prefix, plen)) != 0 ||
	    (rc = gen_auth_put_issuer(r->txn, r->dbi, a, prefix, *plen)) != 0)
		return op_err_prefix(rc, "authority %s", a->c->name);
	op_sum_init(&r->sum);
	for (size_t i = 0; i < a->entries.n; i++) {
		const struct gen_entry *e = &a->entries.v[i];
		struct job *j = &r->jobs[r->njobs];

		if ((rc = op_key_make(j->key, &j->keylen, hash, prefix + 1, h,
				      prefix + 1 + h, h, e->serial,
				      e->serial_len)) != 0 ||
		    (rc = queue_entry(r, a, hash, e)) != 0)
			return rc;
	}
	/* The summary counts the listed serials: unlisted ones go below. */
	if ((rc = flush(r)) != 0 ||
	    (rc = gen_store_put_sum(r->store, prefix, *plen, &r->sum)) != 0)
		return rc;
	return drop_unlisted(r, a, prefix, *plen);
}

/* Without --ca, responses of issuers no longer configured go too. */
static int drop_unknown_issuers(struct run *r, uint8_t (*prefixes)[OP_KEY_MAX],
				size_t *plens, size_t n, size_t *removed)
{
	const size_t ml = sizeof(OP_META_ISSUER) - 1;
	const size_t sl = sizeof(OP_META_SUMMARY) - 1;
	MDB_cursor *cur;
	MDB_val k, v;
	int mrc;

	if ((mrc = mdb_cursor_open(r->txn, r->dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *key = k.mv_data;
		size_t klen = k.mv_size, plen;
		int meta = 0, known = 0;

		if (klen > ml && memcmp(key, OP_META_ISSUER, ml) == 0) {
			key += ml;
			klen -= ml;
			meta = 1;
			plen = klen;
		} else if (klen > sl && memcmp(key, OP_META_SUMMARY, sl) == 0) {
			key += sl;
			klen -= sl;
			meta = 1;
			plen = klen;
		} else if (key[0] == 0) {
			continue;	/* other meta records */
		} else {
			plen = op_key_issuer_len(key, klen);
		}
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

/* ---------------- the run ---------------- */

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
			"(signer %s)", a->c->name, a->entries.n, a->nsigned,
			a->kept, a->removed, a->signer_name);
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
					   r->ks, r->now, conf->validity)) != 0)
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
	if (!(r.jobs = calloc(BATCH, sizeof(*r.jobs)))) {
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
	for (size_t i = 0; i < r.nauths; i++)
		gen_auth_free(&r.auths[i]);
	free(r.auths);
	gen_keystore_close(r.ks);
	return rc;
}
