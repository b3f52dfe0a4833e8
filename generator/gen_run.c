#include "gen_run.h"
#include "gen_audit.h"
#include "gen_auth.h"
#include "gen_batch.h"
#include "gen_diff.h"
#include "gen_hsm.h"
#include "gen_metrics.h"
#include "gen_plan.h"
#include "gen_work.h"
#include "op_err.h"
#include "op_log.h"
#include "op_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>

struct run {
	const struct gen_conf *conf;
	const struct gen_opts *opts;
	struct gen_stats *stats;
	int64_t now;
	struct gen_plan plan;		/* authorities grouped by output */
	struct gen_auth *auths;		/* plan.auths, prepared */
	struct gen_diff_count *counts;	/* what the run did, per authority */
	size_t nauths;
	struct gen_keystore *ks;
	struct gen_batch *batch;
	size_t removed_unknown;
	struct gen_work *works;		/* one per plan.outputs */
	int *published;
	size_t nworks;
};

/* ---------------- the run ---------------- */

/* Lock every output file of the run before reading anything, so a run
 * that would collide with another on any of its files stops at once;
 * then open each output's history, read-only: nothing is written until
 * every authority is prepared. */
static int open_outputs(struct run *r)
{
	size_t n = r->plan.nout;
	int rc;

	r->works = calloc(n, sizeof(*r->works));
	r->published = calloc(n, sizeof(*r->published));
	if (!r->works || !r->published)
		return OP_E_NOMEM;
	for (; r->nworks < n; r->nworks++)
		if ((rc = gen_work_lock(&r->works[r->nworks],
					r->plan.outputs[r->nworks])) != 0)
			return rc;
	for (size_t k = 0; k < n; k++)
		if ((rc = gen_work_open_ro(&r->works[k])) != 0)
			return rc;
	return 0;
}

/* gen_batch's commit hook: the working copy's transaction committed as
 * the run goes (gen_work_checkpoint). */
struct resume {
	struct gen_work *w;
	int64_t now;
	int bumped;
};

static int checkpoint(void *arg, MDB_txn **txn)
{
	struct resume *c = arg;
	int rc = gen_work_checkpoint(c->w, c->now, &c->bumped);

	*txn = c->w->txn;
	return rc;
}

static int run_txn(struct run *r, size_t k)
{
	struct gen_work *w = &r->works[k];
	struct gen_diff d = {
		.conf = r->conf, .force = r->opts->force, .now = r->now,
		.batch = r->batch, .txn = w->txn, .dbi = w->dbi,
		.auths = r->auths + r->plan.group[k],
		.nauths = r->plan.group[k + 1] - r->plan.group[k],
		.counts = r->counts + r->plan.group[k],
	};
	const struct gen_diff_count *n = d.counts;
	size_t removed_unknown = 0, changed = 0;
	int rc = 0, crl_changed = 0;
	struct resume ck = { w, r->now, 0 };

	if (!r->opts->dry_run)
		gen_batch_set_commit(r->batch, r->conf->commit_every,
				     r->conf->commit_interval, checkpoint, &ck);

	for (size_t i = 0; i < d.nauths && !rc; i++)
		if ((rc = gen_crlset_put(w->txn, w->dbi, d.auths[i].ca,
					 &d.auths[i].crls.mark,
					 &crl_changed)) == 0)
			rc = gen_retain_store(w->txn, w->dbi, d.auths[i].ca,
					      &d.auths[i].retain, &crl_changed);
	/* Without --ca, responses of issuers no longer configured for this
	 * file go too. */
	if (!rc)
		rc = gen_diff_run(&d, !r->opts->only_ca, &removed_unknown);
	gen_batch_set_commit(r->batch, 0, 0, NULL, NULL);
	gen_batch_progress_end(r->batch);
	for (size_t i = 0; i < d.nauths; i++) {
		r->stats->signed_count += n[i].nsigned;
		r->stats->kept += n[i].kept;
		r->stats->removed += n[i].removed;
		r->stats->early += n[i].early;
		changed += n[i].nsigned + n[i].removed;
	}
	r->stats->removed += removed_unknown;
	r->removed_unknown += removed_unknown;
	/* A run in which only a CRL number moved still publishes, so that
	 * the file remembers it. */
	if (!rc && (changed || removed_unknown || crl_changed))
		rc = gen_work_bump(w, r->now);
	return rc;
}

/* One line per authority, and per output file when there are several,
 * once the run's outcome is known. */
static void report(const struct run *r)
{
	struct gen_hsm_stats hs;

	for (size_t i = 0; i < r->nauths; i++) {
		const struct gen_auth *a = &r->auths[i];
		const struct gen_diff_count *n = &r->counts[i];

		op_info("%s: %zu serials; signed %zu, kept %zu, removed %zu "
			"(%zu re-signed early; signer %s)%s", a->c->name,
			a->entries.n, n->nsigned, n->kept, n->removed, n->early,
			a->signer_name, a->stick.kept ?
			"; revocations kept that the inputs dropped: see the "
			"warning" : "");
		if (gen_hsm_key_stats(a->nkeys ? a->keys[0] : NULL, &hs, NULL, 0) &&
		    (hs.retries || hs.reopened))
			op_info("%s: token faults survived: %lu signatures "
				"retried, %lu sessions reopened", a->c->name,
				hs.retries, hs.reopened);
	}
	if (r->removed_unknown)
		op_info("removed %zu responses of issuers no longer configured",
			r->removed_unknown);
	for (size_t k = 0; r->nworks > 1 && k < r->nworks; k++)
		op_info("%s %s", r->published[k] ? "published" : "unchanged",
			r->works[k].output);
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
		const struct gen_auth *a = &r->auths[i];
		const struct gen_diff_count *n = &r->counts[i];
		struct gen_hsm_stats hs;

		gen_hsm_key_stats(a->nkeys ? a->keys[0] : NULL, &hs, NULL, 0);
		m.auths[i] = (struct gen_metrics_auth){
			.name = a->c->name, .signer = a->signer_name,
			.serials = a->entries.n, .signed_count = n->nsigned,
			.kept = n->kept, .removed = n->removed,
			.early = n->early,
			.signer_not_after = a->signer_not_after,
			.crl_next_update = a->crl_next,
			.crl_cache_used = a->crls.cache_used,
			.revocations_kept = a->stick.kept,
			.sign_retries = hs.retries,
			.sessions_reopened = hs.reopened,
		};
	}
	rc = gen_metrics_write(r->conf->metrics_file, &m);
	free(m.auths);
	return rc;
}

/* Prepare the authorities of the run, each against its output's
 * history. */
static int prepare_auths(struct run *r)
{
	const struct gen_conf *conf = r->conf;
	int rc;

	if (!(r->auths = calloc(r->plan.nauths + 1, sizeof(*r->auths))) ||
	    !(r->counts = calloc(r->plan.nauths + 1, sizeof(*r->counts))))
		return OP_E_NOMEM;
	if ((rc = gen_keystore_open(conf->pkcs11_module, &r->ks)) != 0)
		return rc;
	gen_keystore_set_limits(r->ks, conf->sign_retries,
				conf->sign_retry_backoff_ms);
	for (size_t k = 0; k < r->plan.nout; k++) {
		struct gen_work *w = &r->works[k];
		struct gen_hist h = { w->txn, w->dbi, w->hist };
		struct gen_auth_in in = {
			.hist = &h, .cache_dir = conf->cache_dir,
			.release = r->opts->release, .now = r->now,
			.workers = conf->workers,
		};

		for (size_t i = r->plan.group[k]; i < r->plan.group[k + 1]; i++) {
			in.validity = r->plan.auths[i]->validity;
			if ((rc = gen_auth_prepare(&r->auths[i], r->plan.auths[i],
						   r->ks, &in)) != 0)
				return rc;
			r->nauths++;
		}
	}
	return 0;
}

/* For output k: diff, sign and store in its working copy's transaction,
 * commit, publish. */
static int update(struct run *r, size_t k)
{
	int rc;

	gen_work_close_env(&r->works[k]);
	if ((rc = gen_work_open(&r->works[k])) != 0 ||
	    (rc = run_txn(r, k)) != 0)
		return rc;
	if (r->opts->dry_run)
		return 0;	/* gen_work_close() aborts the transaction */
	if ((rc = gen_work_commit(&r->works[k])) != 0 ||
	    (rc = gen_work_publish(&r->works[k], &r->published[k])) != 0)
		return rc;
	r->stats->published |= r->published[k];
	gen_audit_publish(r->works[k].output, r->works[k].generation,
			  r->published[k]);
	return 0;
}

/* Close the audit trail with the run's outcome, keeping the run's error
 * detail for main() whatever the trail's own fate. */
static void end_audit(int rc)
{
	char detail[1024];

	snprintf(detail, sizeof(detail), "%s", op_err_detail());
	if (gen_audit_end(rc, detail) != 0)
		op_warn("%s", op_err_detail());
	op_err_set(rc, "%s", detail);
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

	/* A dry run asserts nothing: no audit records. */
	if ((rc = gen_audit_begin(opts->dry_run ? NULL : conf->audit_log,
				  conf->path, conf->audit_syslog, r.now)) != 0)
		return rc;
	if ((rc = gen_plan_make(conf, opts->only_ca, &r.plan)) != 0 ||
	    (rc = open_outputs(&r)) != 0 || (rc = prepare_auths(&r)) != 0 ||
	    (rc = gen_batch_open(conf->workers, r.now, opts->progress,
				 opts->progress_arg, &r.batch)) != 0)
		goto out;
	for (size_t k = 0; k < r.nworks && !rc; k++)
		rc = update(&r, k);
	if (rc)
		goto out;
	stats->output = r.nworks == 1 ? r.works[0].output : NULL;
	stats->outputs = r.nworks;
	report(&r);
	/* Published is published: a metrics write failure only warns. */
	if (!opts->dry_run && conf->metrics_file && write_metrics(&r, &t0) != 0)
		op_warn("%s", op_err_detail());
out:
	for (size_t k = 0; r.works && k < r.nworks; k++)
		gen_work_close(&r.works[k]);
	gen_batch_close(r.batch);
	for (size_t i = 0; i < r.nauths; i++)
		gen_auth_free(&r.auths[i]);
	free(r.auths);
	free(r.counts);
	free(r.works);
	free(r.published);
	gen_plan_free(&r.plan);
	gen_keystore_close(r.ks);
	end_audit(rc);
	return rc;
}
