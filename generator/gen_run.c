#include "gen_run.h"
#include "gen_input.h"
#include "gen_metrics.h"
#include "gen_pool.h"
#include "gen_publish.h"
#include "gen_resp.h"
#include "gen_signer.h"
#include "gen_store.h"
#include "op_db.h"
#include "op_err.h"
#include "op_file.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>

#define BATCH 1024
/* Virtual size of the working map; LMDB's file only grows as used. */
#define WORK_MAPSIZE ((size_t)1 << 38)

struct auth {
	const struct gen_auth_conf *c;
	X509 *ca;
	struct gen_resp_signer signer;
	uint8_t signer_id[OP_REC_SIGNER_ID];
	const char *signer_name;
	int64_t signer_not_after;
	int64_t crl_next;
	struct gen_list entries;	/* merged, sorted by serial */
	size_t nsigned, kept, removed;
	struct op_sum sum;		/* of the hash being diffed */
	char subject[256];
};

struct job {
	struct auth *a;
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
	struct auth *auths;
	size_t nauths;
	struct gen_keystore *ks;
	struct gen_pool *pool;
	struct job *jobs;		/* BATCH of them */
	size_t njobs;
	int64_t this_update, next_update;
	size_t removed_unknown;
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn;
	struct gen_store *store;
	size_t progress;
};

/* ---------------- inputs and signers ---------------- */

static int prepare_auth(struct run *r, struct auth *a)
{
	const struct gen_auth_conf *c = a->c;
	struct gen_list issued = { 0 }, idx_rev = { 0 }, crl = { 0 }, local = { 0 };
	struct gen_list *lists[] = { &issued, &idx_rev, &crl, &local };
	X509 **certs = NULL;
	const char **names = NULL;
	int64_t crl_next;
	size_t chosen = 0;
	int warn = 0, rc;

	if ((rc = gen_cert_load(c->ca_cert, &a->ca)) != 0)
		goto out;
	X509_NAME_oneline(X509_get_subject_name(a->ca), a->subject,
			  sizeof(a->subject));
	if ((rc = gen_crl_load(c->crl, a->ca, r->now, &crl, &crl_next)) != 0 ||
	    (rc = gen_issued_load(c->issued, &issued, &idx_rev)) != 0 ||
	    (c->local_revocations &&
	     (rc = gen_local_load(c->local_revocations, &local)) != 0) ||
	    (rc = gen_merge(lists, 4, &a->entries)) != 0)
		goto out;
	a->crl_next = crl_next;
	if (crl_next && crl_next < r->now + r->conf->validity) {
		char t[32];

		op_time_iso(crl_next, t, sizeof(t));
		op_warn("%s: CRL %s is due for renewal at %s, before responses "
			"signed now expire", c->name, c->crl, t);
	}
	certs = calloc(c->nsigners, sizeof(*certs));
	names = calloc(c->nsigners, sizeof(*names));
	if (!certs || !names) {
		rc = OP_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->nsigners; i++) {
		names[i] = c->signers[i].name;
		if ((rc = gen_cert_load(c->signers[i].cert, &certs[i])) != 0)
			goto out;
	}
	if ((rc = gen_signer_choose(certs, names, c->nsigners, a->ca, r->now,
				    r->conf->validity, &chosen, &warn)) != 0)
		goto out;
	a->signer_name = names[chosen];
	op_time_from_asn1(X509_get0_notAfter(certs[chosen]), &a->signer_not_after);
	if (warn & GEN_SIGNER_W_NOCHECK)
		op_warn("%s: signer %s has no id-pkix-ocsp-nocheck extension; "
			"clients may try to check its revocation", c->name,
			a->signer_name);
	if (warn & GEN_SIGNER_W_EXPIRING) {
		char t[32];

		op_time_iso(a->signer_not_after, t, sizeof(t));
		op_warn("%s: signer %s expires %s, within twice the response "
			"validity: issue its successor", c->name, a->signer_name, t);
	}
	if ((rc = gen_key_load(r->ks, a->signer_name, c->signers[chosen].key,
			       certs[chosen], &a->signer.key)) != 0 ||
	    (rc = gen_signer_id(certs[chosen], a->signer_id)) != 0)
		goto out;
	a->signer.cert = certs[chosen];
	/* A delegate's certificate is always needed to verify its responses;
	 * the CA's own only by clients that will not look elsewhere. */
	a->signer.include_cert = c->include_signer_cert ||
				 X509_cmp(certs[chosen], a->ca) != 0;
	a->signer.by_name = c->responder_by_name;
	certs[chosen] = NULL;
	op_log(OP_LOG_DEBUG, "%s: %zu serials, signer %s", c->name,
	       a->entries.n, a->signer_name);
out:
	for (size_t i = 0; certs && i < c->nsigners; i++)
		X509_free(certs[i]);
	free(certs);
	free(names);
	for (size_t i = 0; i < 4; i++)
		gen_list_free(lists[i]);
	if (rc)
		rc = op_err_prefix(rc, "authority %s", c->name);
	return rc;
}

static void free_auth(struct auth *a)
{
	X509_free(a->ca);
	X509_free(a->signer.cert);
	EVP_PKEY_free(a->signer.key);
	gen_list_free(&a->entries);
}

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
			op_sum_add(&j->a->sum, &rec);
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

static int needs_signing(const struct run *r, const struct auth *a,
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

/* Issuer part of every key of a under hash. */
static int issuer_prefix(struct auth *a, int hash, uint8_t *prefix, size_t *len)
{
	static const uint8_t zero = 0;
	OCSP_CERTID *cid = gen_resp_certid(a->ca, hash, &zero, 1);
	uint8_t key[OP_KEY_MAX];
	size_t klen;
	int rc;

	if (!cid)
		return op_err_ssl(OP_E_CRYPTO, "authority %s: CertID", a->c->name);
	rc = op_key_from_certid(cid, key, &klen);
	OCSP_CERTID_free(cid);
	if (rc)
		return rc;
	*len = op_key_issuer_len(key, klen);
	memcpy(prefix, key, *len);
	return 0;
}

static int put_issuer_meta(struct run *r, struct auth *a, const uint8_t *prefix,
			   size_t plen)
{
	uint8_t k[sizeof(OP_META_ISSUER) + OP_KEY_MAX];
	char v[600];
	MDB_val mk, mv;
	size_t ml = sizeof(OP_META_ISSUER) - 1;
	int n = snprintf(v, sizeof(v), "%s\t%s", a->c->name, a->subject);

	memcpy(k, OP_META_ISSUER, ml);
	memcpy(k + ml, prefix, plen);
	mk.mv_size = ml + plen;
	mk.mv_data = k;
	mv.mv_size = (size_t)(n < (int)sizeof(v) ? n : (int)sizeof(v) - 1);
	mv.mv_data = v;
	return mdb_put(r->txn, r->dbi, &mk, &mv, 0);
}

/* Re-sign, keep or drop a's responses under hash; prefix/plen receive the
 * issuer part of their keys. */
static int diff_auth_hash(struct run *r, struct auth *a, int hash,
			  uint8_t *prefix, size_t *plenp)
{
	size_t plen = 0, h = op_hash_len(hash);
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = issuer_prefix(a, hash, prefix, &plen)) != 0)
		return rc;
	*plenp = plen;
	if ((mrc = put_issuer_meta(r, a, prefix, plen)) != 0)
		return op_err_set(OP_E_DB, "issuer record: %s", mdb_strerror(mrc));
	op_sum_init(&a->sum);
	for (size_t i = 0; i < a->entries.n; i++) {
		const struct gen_entry *e = &a->entries.v[i];
		struct job *j = &r->jobs[r->njobs];
		struct op_rec old;
		int have_old;
		int64_t rev_time = e->rev_time;
		uint8_t flags = 0;

		if ((rc = op_key_make(j->key, &j->keylen, hash, prefix + 1, h,
				      prefix + 1 + h, h, e->serial,
				      e->serial_len)) != 0)
			return rc;
		k.mv_size = j->keylen;
		k.mv_data = j->key;
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
			op_sum_add(&a->sum, &old);
			a->kept++;
			continue;
		}
		j->a = a;
		j->hash = hash;
		j->e = e;
		j->rev_time = rev_time;
		j->flags = flags;
		j->rc = 0;
		if (++r->njobs == BATCH && (rc = flush(r)) != 0)
			return rc;
	}
	if ((rc = flush(r)) != 0 ||
	    (rc = gen_store_put_sum(r->store, prefix, plen, &a->sum)) != 0)
		return rc;

	/* Drop responses for serials no longer listed. */
	if ((mrc = mdb_cursor_open(r->txn, r->dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	k.mv_size = plen;
	k.mv_data = prefix;
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

/* ---------------- working environment ---------------- */

static int work_open(struct run *r)
{
	char path[PATH_MAX];
	struct stat st;
	int rc;

	if (snprintf(path, sizeof(path), "%s.work", r->conf->output) >= (int)sizeof(path))
		return op_err_set(OP_E_RANGE, "output path too long");
	op_file_cleanup(path);
	/* A lost working copy is rebuilt from the published file, so a run
	 * after it still signs only what changed. */
	if (stat(path, &st) != 0 && stat(r->conf->output, &st) == 0) {
		struct op_db db;

		if (op_db_open(r->conf->output, &db) == 0) {
			op_db_close(&db);
			if ((rc = op_file_copy(r->conf->output, path, 0600)) != 0)
				return rc;
		}
	}
	if ((rc = mdb_env_create(&r->env)) != 0 ||
	    (rc = mdb_env_set_mapsize(r->env, WORK_MAPSIZE)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", path, mdb_strerror(rc));
	/* Our flock already excludes other writers; no LMDB lock file. */
	if ((rc = mdb_env_open(r->env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0600)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", path, mdb_strerror(rc));
	if ((rc = mdb_txn_begin(r->env, NULL, 0, &r->txn)) != 0 ||
	    (rc = mdb_dbi_open(r->txn, NULL, 0, &r->dbi)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", path, mdb_strerror(rc));
	if (op_db_check_format(r->txn, r->dbi) != 0) {
		MDB_val k = { sizeof(OP_META_FORMAT) - 1, OP_META_FORMAT };
		MDB_val v = { strlen(OP_DB_FORMAT), OP_DB_FORMAT };

		/* Empty (new) or another version: start afresh. */
		if ((rc = mdb_drop(r->txn, r->dbi, 0)) != 0 ||
		    (rc = mdb_put(r->txn, r->dbi, &k, &v, 0)) != 0)
			return op_err_set(OP_E_DB, "%s: %s", path, mdb_strerror(rc));
	}
	return 0;
}

static int maybe_publish(struct run *r)
{
	struct op_db pub;
	MDB_txn *txn;
	int64_t work_gen;
	int rc;

	if ((rc = mdb_txn_begin(r->env, NULL, MDB_RDONLY, &txn)) != 0)
		return op_err_set(OP_E_DB, "%s", mdb_strerror(rc));
	work_gen = op_db_meta_i64(txn, r->dbi, OP_META_GENERATION,
				  sizeof(OP_META_GENERATION) - 1);
	mdb_txn_abort(txn);
	/* A run that committed but died before publishing left the working
	 * copy a generation ahead; publishing it now catches up. */
	if (op_db_open(r->conf->output, &pub) == 0) {
		int same = pub.generation == work_gen;

		op_db_close(&pub);
		if (same)
			return 0;
	}
	op_err_clear();
	if ((rc = gen_publish(r->env, r->conf->output)) != 0)
		return rc;
	r->stats->published = 1;
	return 0;
}

/* ---------------- the run ---------------- */

/* Mark the working copy as changed: new generation number and time. */
static int bump_generation(struct run *r)
{
	uint8_t t[8], g[8];
	MDB_val kt = { sizeof(OP_META_GENERATED) - 1, OP_META_GENERATED };
	MDB_val kg = { sizeof(OP_META_GENERATION) - 1, OP_META_GENERATION };
	MDB_val vt = { 8, t }, vg = { 8, g };
	int rc;

	op_put_i64(t, r->now);
	op_put_i64(g, op_db_meta_i64(r->txn, r->dbi, OP_META_GENERATION,
				     sizeof(OP_META_GENERATION) - 1) + 1);
	if ((rc = mdb_put(r->txn, r->dbi, &kt, &vt, 0)) != 0 ||
	    (rc = mdb_put(r->txn, r->dbi, &kg, &vg, 0)) != 0)
		return op_err_set(OP_E_DB, "%s", mdb_strerror(rc));
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
	}
	r->stats->removed += removed_unknown;
	r->removed_unknown = removed_unknown;
	if (!rc && (r->stats->signed_count || r->stats->removed))
		rc = bump_generation(r);
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
		const struct auth *a = &r->auths[i];

		op_info("%s: %zu serials; signed %zu, kept %zu, removed %zu "
			"(signer %s)", a->c->name, a->entries.n, a->nsigned,
			a->kept, a->removed, a->signer_name);
	}
	if (r->removed_unknown)
		op_info("removed %zu responses of issuers no longer configured",
			r->removed_unknown);
}

/* LMDB reports a short write as EIO; say when the disk is the reason. */
static int explain_write_error(const char *output, int rc)
{
	char dir[PATH_MAX];
	struct statvfs sv;

	if (op_path_dir(output, dir, sizeof(dir)) != 0 || statvfs(dir, &sv) != 0 ||
	    (unsigned long long)sv.f_bavail * sv.f_frsize > 16ULL << 20)
		return rc;
	return op_err_append(rc, " (the filesystem of %s has %llu KiB free: full?)",
			     dir, (unsigned long long)sv.f_bavail * sv.f_frsize / 1024);
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
		struct auth *a = &r->auths[i];

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

int gen_run(const struct gen_conf *conf, const struct gen_opts *opts,
	    struct gen_stats *stats)
{
	struct timespec t0;
	struct run r = { 0 };
	int lockfd = -1, rc;

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
	if ((rc = gen_lock(conf->output, &lockfd)) != 0)
		return rc;
	op_file_cleanup(conf->output);
	if (!(r.auths = calloc(conf->nauths, sizeof(*r.auths)))) {
		rc = OP_E_NOMEM;
		goto unlock;
	}
	if ((rc = gen_keystore_open(conf->pkcs11_module, &r.ks)) != 0)
		goto free_auths;
	for (size_t i = 0; i < conf->nauths; i++) {
		if (opts->only_ca && strcmp(conf->auths[i].name, opts->only_ca))
			continue;
		r.auths[r.nauths].c = &conf->auths[i];
		if ((rc = prepare_auth(&r, &r.auths[r.nauths++])) != 0)
			goto free_auths;
	}
	if (!(r.jobs = calloc(BATCH, sizeof(*r.jobs)))) {
		rc = OP_E_NOMEM;
		goto free_auths;
	}
	if ((rc = gen_pool_start(conf->workers, sign_job, &r, &r.pool)) != 0)
		goto stop_pool;
	if ((rc = work_open(&r)) != 0)
		goto close_env;
	if ((rc = run_txn(&r)) != 0)
		goto close_env;
	if (opts->dry_run) {
		report(&r);
		goto close_env;		/* aborts the transaction */
	}
	rc = mdb_txn_commit(r.txn);
	r.txn = NULL;
	if (rc) {
		op_err_set(OP_E_DB, "committing %s.work: %s", conf->output,
			   mdb_strerror(rc));
		rc = explain_write_error(conf->output, OP_E_DB);
		goto close_env;
	}
	if ((rc = maybe_publish(&r)) != 0) {
		rc = explain_write_error(conf->output, rc);
		goto close_env;
	}
	report(&r);
	/* Published is published: a metrics write failure only warns. */
	if (!rc && conf->metrics_file && write_metrics(&r, &t0) != 0)
		op_warn("%s", op_err_detail());
close_env:
	if (r.txn)
		mdb_txn_abort(r.txn);
	if (r.env)
		mdb_env_close(r.env);
stop_pool:
	gen_pool_stop(r.pool);
	free(r.jobs);
free_auths:
	for (size_t i = 0; i < r.nauths; i++)
		free_auth(&r.auths[i]);
	free(r.auths);
	gen_keystore_close(r.ks);
unlock:
	gen_unlock(lockfd);
	return rc;
}
