#include "gen_crlset.h"
#include "gen_audit.h"
#include "gen_fetch.h"
#include "gen_scope.h"
#include "op_cert.h"
#include "op_meta.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_time.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>

/* One of the two CRLs, as configured and as obtained. */
struct src {
	const char *auth;
	const char *where;		/* file or URL from the configuration */
	enum gen_crl_kind kind;
	char cache[PATH_MAX];		/* URL only */
	struct gen_fetch f;		/* URL only */
	struct gen_crl crl;
	int tried;			/* obtain_judged() was called */
};

/* ---------------- the remembered numbers ---------------- */

/* flags(1: bit 0 base, bit 1 delta) | len | base | len | delta */
static size_t mark_encode(const struct gen_crlmark *m, uint8_t *v)
{
	size_t o = 0;

	v[o++] = (uint8_t)((m->has_base ? 1 : 0) | (m->has_delta ? 2 : 0));
	v[o++] = m->base.len;
	memcpy(v + o, m->base.v, m->base.len);
	o += m->base.len;
	v[o++] = m->delta.len;
	memcpy(v + o, m->delta.v, m->delta.len);
	return o + m->delta.len;
}

static int mark_decode(const uint8_t *v, size_t n, struct gen_crlmark *m)
{
	memset(m, 0, sizeof(*m));
	if (n < 3 || v[1] > GEN_CRLNUM_MAX || n < 3u + v[1] ||
	    v[2 + v[1]] > GEN_CRLNUM_MAX || n != 3u + v[1] + v[2 + v[1]])
		return -1;
	m->has_base = v[0] & 1;
	m->has_delta = (v[0] & 2) >> 1;
	m->base.len = v[1];
	memcpy(m->base.v, v + 2, v[1]);
	m->delta.len = v[2 + v[1]];
	memcpy(m->delta.v, v + 3 + v[1], m->delta.len);
	return 0;
}

int gen_crlset_get(MDB_txn *txn, MDB_dbi dbi, X509 *ca, struct gen_crlmark *m)
{
	uint8_t k[OP_META_KEY_MAX];
	MDB_val mk = { 0, k }, v;
	int rc;

	memset(m, 0, sizeof(*m));
	/* "\0crl" | SHA-256 issuer prefix, whatever cert_ids says */
	if ((rc = op_meta_ca_key(k, OP_META_K_CRL, ca, &mk.mv_size)) != 0)
		return rc;
	if (mdb_get(txn, dbi, &mk, &v) != 0)
		return 0;
	if (mark_decode(v.mv_data, v.mv_size, m) != 0)
		return op_err_set(OP_E_FORMAT, "bad CRL number record");
	return 0;
}

int gen_crlset_put(MDB_txn *txn, MDB_dbi dbi, X509 *ca,
		   const struct gen_crlmark *m, int *changed)
{
	uint8_t k[OP_META_KEY_MAX], buf[3 + 2 * GEN_CRLNUM_MAX];
	MDB_val mk = { 0, k }, mv, old;
	int rc;

	if ((rc = op_meta_ca_key(k, OP_META_K_CRL, ca, &mk.mv_size)) != 0)
		return rc;
	mv.mv_size = mark_encode(m, buf);
	mv.mv_data = buf;
	if (mdb_get(txn, dbi, &mk, &old) == 0 && old.mv_size == mv.mv_size &&
	    memcmp(old.mv_data, buf, mv.mv_size) == 0)
		return 0;
	if ((rc = mdb_put(txn, dbi, &mk, &mv, 0)) != 0)
		return op_err_set(OP_E_DB, "CRL number record: %s", mdb_strerror(rc));
	*changed = 1;
	return 0;
}

/* ---------------- obtaining one CRL ---------------- */

static int from_url(struct src *s, const char *cache_dir, X509 *ca,
		    int64_t now, int *cache_used)
{
	char why[512], t[32];
	int rc;

	if (cache_dir &&
	    snprintf(s->cache, sizeof(s->cache), "%s/%s%s.crl", cache_dir,
		     s->auth, s->kind == GEN_CRL_DELTA ? "+" : "") >=
	    (int)sizeof(s->cache))
		return op_err_set(OP_E_RANGE, "cache_dir: path too long");
	if (gen_fetch_get(s->where, s->cache, &s->f) == 0) {
		rc = gen_crl_load_mem(s->f.data, s->f.len, s->where, s->kind, ca,
				      now, &s->crl);
		if (rc && s->f.how == GEN_FETCH_SAME)
			op_err_append(rc, " (the server says it has not changed "
				      "since the copy in %s)", s->cache);
		return rc;
	}
	if (!cache_dir)
		return OP_E_CRL;
	snprintf(why, sizeof(why), "%s", op_err_detail());
	gen_fetch_free(&s->f);
	if (gen_fetch_cached(s->cache, &s->f) != 0)
		return op_err_set(OP_E_CRL, "%s; no cached copy in %s", why,
				  s->cache);
	if ((rc = gen_crl_load_mem(s->f.data, s->f.len, s->cache, s->kind, ca,
				   now, &s->crl)) != 0)
		return op_err_prefix(rc, "%s; the cached copy is no use", why);
	if (s->crl.next_update)
		op_time_iso(s->crl.next_update, t, sizeof(t));
	op_warn("%s: %s; using the cached copy %s%s%s", s->auth, why, s->cache,
		s->crl.next_update ? " until its nextUpdate " : "",
		s->crl.next_update ? t : "");
	(*cache_used)++;
	return 0;
}

static int obtain(struct src *s, const char *cache_dir, X509 *ca, int64_t now,
		  int *cache_used)
{
	if (strncmp(s->where, "https://", 8) == 0)
		return op_err_set(OP_E_CONFIG, "%s: only http:// URLs are "
				  "fetched (a CDP serves CRLs over plain HTTP; "
				  "they are signed)", s->where);
	if (gen_fetch_is_url(s->where))
		return from_url(s, cache_dir, ca, now, cache_used);
	return gen_crl_load(s->where, s->kind, ca, now, &s->crl);
}

/* Obtain and judge one CRL: as a CRL (gen_crl), then in the authority's
 * scope (gen_scope). */
static int obtain_judged(struct src *s, const struct gen_auth_conf *a,
			 const char *cache_dir, X509 *signer, int64_t now,
			 int *cache_used)
{
	int rc;

	s->tried = 1;
	if ((rc = obtain(s, cache_dir, signer, now, cache_used)) != 0)
		return rc;
	return gen_scope_check(&s->crl, s->where, gen_fetch_is_url(s->where) ?
			       s->where : NULL, a);
}

/* The audit records of the run's CRLs: both accepted, or the one that
 * stopped the run refused (with what it said of itself, if it parsed). */
static void audit(const struct gen_auth_conf *a, const struct src *b,
		  const struct src *d, int applied, int rc)
{
	const struct src *bad = b;

	if (!rc) {
		gen_audit_crl(a->name, "base", b->where, &b->crl, b->crl.sha256,
			      NULL);
		if (d->where)
			gen_audit_crl(a->name, "delta", d->where, &d->crl,
				      d->crl.sha256, applied ? NULL :
				      "not newer than the base: ignored");
		return;
	}
	/* The delta, when it was reached and the error is its own. */
	if (d->tried && (!d->crl.issuer || strstr(op_err_detail(), d->where)))
		bad = d;
	gen_audit_crl(a->name, bad == d ? "delta" : "base", bad->where,
		      bad->crl.issuer ? &bad->crl : NULL,
		      bad->crl.issuer ? bad->crl.sha256 : NULL,
		      op_err_detail());
}

/* A verified download becomes the cache's copy; failing that only warns:
 * the run itself has what it needs. */
static void keep(struct src *s)
{
	if (s->f.how != GEN_FETCH_NEW || !s->cache[0])
		return;
	if (gen_fetch_keep(s->cache, s->where, &s->f) != 0)
		op_warn("%s: %s", s->auth, op_err_detail());
}

/* ---------------- rollback ---------------- */

static int rollback(const struct src *b, const struct src *d, int applied,
		    const struct gen_crlmark *seen, const char *hist)
{
	const struct gen_crlnum *eff = applied ? &d->crl.number : &b->crl.number;
	const struct gen_crlnum *last = &seen->base;
	char n1[48], n2[48];

	if (!seen->has_base)
		return 0;
	if (!b->crl.has_number)
		return op_err_set(OP_E_CRL, "%s: has no CRL number, but the last "
				  "CRL %s accepted for this authority had number "
				  "%s", b->where, hist,
				  gen_crl_num_str(&seen->base, n2, sizeof(n2)));
	if (gen_crl_num_cmp(&b->crl.number, &seen->base) < 0)
		return op_err_set(OP_E_CRL, "%s: CRL number %s is lower than %s, "
				  "the last one %s accepted for this authority: "
				  "an older CRL would undo newer revocations",
				  b->where, gen_crl_num_str(&b->crl.number, n1,
							   sizeof(n1)),
				  gen_crl_num_str(&seen->base, n2, sizeof(n2)),
				  hist);
	if (seen->has_delta && gen_crl_num_cmp(&seen->delta, last) > 0)
		last = &seen->delta;
	if (gen_crl_num_cmp(eff, last) < 0)
		return op_err_set(OP_E_CRL, "%s: %s number %s is older than the "
				  "delta CRL %s that %s accepted for this "
				  "authority: revocations it carried would be "
				  "undone", applied ? d->where : b->where,
				  applied ? "delta CRL" : "CRL",
				  gen_crl_num_str(eff, n1, sizeof(n1)),
				  gen_crl_num_str(last, n2, sizeof(n2)), hist);
	return 0;
}

/* ---------------- the set ---------------- */

/* Mark s's entries as listed by it, and describe it for citing. */
static void describe(struct src *s, enum gen_from from, struct gen_crlinfo *i)
{
	for (size_t k = 0; k < s->crl.entries.n; k++)
		s->crl.entries.v[k].crl = (uint8_t)from;
	i->present = 1;
	i->this_update = s->crl.this_update;
	i->next_update = s->crl.next_update;
	i->has_number = s->crl.has_number;
	i->number = s->crl.number;
	i->url = gen_fetch_is_url(s->where) ? s->where : NULL;
}

static void append(struct gen_list *to, const struct gen_list *from, int *rc)
{
	for (size_t i = 0; i < from->n && !*rc; i++) {
		struct gen_entry *e = gen_input_list_add(to);

		if (!e)
			*rc = op_err_set(OP_E_NOMEM, "out of memory");
		else
			*e = from->v[i];
	}
}

/* The key that signs a's CRLs: the CA's own, or a separate CRL-signing
 * certificate of the CA's name that the CA's key certified. */
static int crl_signer(const struct gen_auth_conf *a, X509 *ca, X509 **out)
{
	EVP_PKEY *k = X509_get0_pubkey(ca);
	X509 *x = NULL;
	int rc;

	*out = NULL;
	if (!a->crl_issuer)
		return 0;
	if ((rc = op_cert_load(a->crl_issuer, &x)) != 0)
		return op_err_prefix(rc, "crl_issuer");
	if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_subject_name(ca)) ||
	    X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca)) ||
	    !k || X509_verify(x, k) != 1) {
		X509_free(x);
		ERR_clear_error();
		return op_err_set(OP_E_CRL, "crl_issuer %s: must carry the CA's "
				  "name and be issued with the CA's key; a CRL "
				  "signer that another CA certified is not "
				  "supported", a->crl_issuer);
	}
	*out = x;
	return 0;
}

int gen_crlset_load(const struct gen_auth_conf *a, const struct gen_hist *h,
		    const char *cache_dir, X509 *ca, int64_t now,
		    struct gen_list *revoked, struct gen_crlset *out)
{
	struct src b = { .auth = a->name, .where = a->crl, .kind = GEN_CRL_BASE };
	struct src d = { .auth = a->name, .where = a->delta_crl,
			 .kind = GEN_CRL_DELTA };
	struct gen_crlmark seen;
	X509 *signer = NULL;
	int applied = 0, rc;

	memset(out, 0, sizeof(*out));
	memset(&seen, 0, sizeof(seen));
	if ((rc = crl_signer(a, ca, &signer)) != 0 ||
	    (h->txn && (rc = gen_crlset_get(h->txn, h->dbi, ca, &seen)) != 0))
		goto out;
	if ((rc = obtain_judged(&b, a, cache_dir, signer ? signer : ca, now,
				&out->cache_used)) != 0)
		goto out;
	describe(&b, GEN_FROM_BASE, &out->base);
	if (d.where &&
	    (rc = obtain_judged(&d, a, cache_dir, signer ? signer : ca, now,
				&out->cache_used)) != 0)
		goto out;
	if (d.where) {
		describe(&d, GEN_FROM_DELTA, &out->delta);
		/* Only a delta that will be applied must share the scope. */
		if ((gen_crl_num_cmp(&d.crl.number, &b.crl.number) > 0 &&
		     (rc = gen_scope_same(&b.crl, &d.crl, d.where)) != 0) ||
		    (rc = gen_crl_apply_delta(&b.crl, &d.crl, b.where, d.where,
					      &applied)) != 0)
			goto out;
	}
	if (d.where && !applied) {
		char n1[48], n2[48];

		out->delta.present = 0;
		op_warn("%s: delta CRL %s (number %s) is not newer than the base "
			"CRL (number %s): ignored", a->name, d.where,
			gen_crl_num_str(&d.crl.number, n1, sizeof(n1)),
			gen_crl_num_str(&b.crl.number, n2, sizeof(n2)));
	}
	if ((rc = rollback(&b, &d, applied, &seen, h->name)) != 0)
		goto out;
	append(revoked, &b.crl.entries, &rc);
	if (rc)
		goto out;
	out->next_update = b.crl.next_update;
	if (applied && d.crl.next_update &&
	    (!out->next_update || d.crl.next_update < out->next_update))
		out->next_update = d.crl.next_update;
	out->mark.has_base = b.crl.has_number;
	out->mark.base = b.crl.number;
	out->mark.has_delta = applied;
	if (applied)
		out->mark.delta = d.crl.number;
	keep(&b);
	if (d.where)
		keep(&d);
out:
	audit(a, &b, &d, applied, rc);
	X509_free(signer);
	gen_crl_free(&b.crl);
	gen_crl_free(&d.crl);
	gen_fetch_free(&b.f);
	gen_fetch_free(&d.f);
	return rc;
}
