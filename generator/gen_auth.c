#include "gen_auth.h"
#include "gen_audit.h"
#include "gen_policy.h"
#include "gen_signer.h"
#include "op_cert.h"
#include "op_db.h"
#include "op_err.h"
#include "op_log.h"
#include "op_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The revocations kept although the inputs dropped them, named. */
static void stick_warning(const struct gen_auth *a)
{
	const struct gen_stick *s = &a->stick;
	char list[GEN_STICK_NAMED * 82] = "";
	size_t o = 0;

	if (!s->kept)
		return;
	for (size_t i = 0; i < s->kept && i < GEN_STICK_NAMED; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
				      i ? ", " : "", s->named[i]);
	op_warn("%s: %zu revocation%s kept that the inputs no longer carry "
		"(revocation is permanent; only certificateHold is released): "
		"%s%s", a->c->name, s->kept, s->kept == 1 ? "" : "s", list,
		s->kept > GEN_STICK_NAMED ? ", ..." : "");
}

/* What retain_expired did, when it did anything. */
static void retain_info(const struct gen_auth *a)
{
	const struct gen_retain *r = &a->retain;

	if (r->retained || r->ended)
		op_info("%s: %zu serial%s no input lists answered with their last "
			"status (retain_expired; %zu left in this run); %zu "
			"whose retention ended no longer answered", a->c->name,
			r->retained, r->retained == 1 ? "" : "s", r->left,
			r->ended);
}

/* The CA certificate and the merged entries, with the output's permanent
 * revocations folded in; warns when the CRL expires before responses
 * signed now would. */
static int load_inputs(struct gen_auth *a, const struct gen_auth_in *in)
{
	int64_t now = in->now, validity = in->validity;
	const struct gen_auth_conf *c = a->c;
	struct gen_list issued = { 0 }, idx_rev = { 0 }, crl = { 0 }, local = { 0 };
	struct gen_list *lists[] = { &issued, &idx_rev, &crl, &local };
	int64_t crl_next;
	int rc;

	if ((rc = op_cert_load(c->ca_cert, &a->ca)) != 0)
		return rc;
	X509_NAME_oneline(X509_get_subject_name(a->ca), a->subject,
			  sizeof(a->subject));
	if ((rc = gen_crlset_load(c, in->hist, in->cache_dir, a->ca, now, &crl,
				  &a->crls)) != 0 ||
	    (rc = gen_input_issued_load(c->issued, &issued, &idx_rev)) != 0 ||
	    (c->local_revocations &&
	     (rc = gen_input_local_load(c->local_revocations, &local)) != 0) ||
	    (rc = gen_input_merge(lists, 4, &a->entries)) != 0)
		goto out;
	/* The inputs go before the fold, which holds a second copy of the
	 * entries: at 5M serials each list is 230 MiB of anonymous memory,
	 * and three at once were a run's peak (docs/performance.txt). */
	for (size_t i = 0; i < 4; i++)
		gen_input_list_free(lists[i]);
	if ((rc = gen_stick_apply(in->hist->txn, in->hist->dbi, in->hist->name,
				  c->name, a->ca, in->release, &a->entries,
				  &a->stick)) != 0 ||
	    (rc = gen_retain_apply(in->hist->txn, in->hist->dbi, in->hist->name,
				   a->ca, c->retain, now, in->release,
				   &a->entries, &a->retain)) != 0)
		goto out;
	stick_warning(a);
	retain_info(a);
	a->crl_next = crl_next = a->crls.next_update;
	/* With next_update_cap = crl the CRL ends the responses by design:
	 * only one that is not renewed before they come due is news. */
	if (crl_next && crl_next < now + (c->cap_crl ? validity - c->refresh :
					  validity)) {
		char t[32];

		op_time_iso(crl_next, t, sizeof(t));
		op_warn("%s: CRL %s is due for renewal at %s, before responses "
			"signed now expire%s", c->name, c->crl, t, c->cap_crl ?
			" (next_update_cap = crl: they end with it)" : "");
	}
out:
	for (size_t i = 0; i < 4; i++)
		gen_input_list_free(lists[i]);
	return rc;
}

static void signer_warnings(const struct gen_auth *a, int warn)
{
	if (warn & GEN_SIGNER_W_NOCHECK)
		op_warn("%s: signer %s has no id-pkix-ocsp-nocheck extension; "
			"clients may try to check its revocation", a->c->name,
			a->signer_name);
	if (warn & GEN_SIGNER_W_EXPIRING) {
		char t[32];

		op_time_iso(a->signer_not_after, t, sizeof(t));
		op_warn("%s: signer %s expires %s, within twice the response "
			"validity: issue its successor", a->c->name,
			a->signer_name, t);
	}
}

/* The singleExtensions of a's responses (gen_resp_profile): references
 * to its CRLs in refs[] (base, delta), the archive cutoff. */
static int single_exts(const struct gen_auth *a, struct gen_ext_crlid refs[2],
		       struct gen_resp_profile *prof)
{
	const struct gen_crlinfo *crl[2] = { &a->crls.base, &a->crls.delta };

	for (int i = 0; i < 2 && a->c->crl_refs; i++) {
		if (!crl[i]->present)
			continue;
		refs[i] = (struct gen_ext_crlid){
			.url = crl[i]->url, .has_num = crl[i]->has_number,
			.num = crl[i]->number.v, .num_len = crl[i]->number.len,
			.time = crl[i]->this_update,
		};
		prof->crlid[i] = &refs[i];
	}
	prof->cutoff = a->c->archive_cutoff == GEN_CUTOFF_CA ?
		       GEN_RESP_CUTOFF_AT : a->c->archive_cutoff ==
		       GEN_CUTOFF_RETAIN ? GEN_RESP_CUTOFF_RETAIN :
		       GEN_RESP_CUTOFF_NONE;
	prof->retain = a->c->retain;
	if (prof->cutoff == GEN_RESP_CUTOFF_AT &&
	    op_time_from_asn1(X509_get0_notBefore(a->ca), &prof->cutoff_at) != 0)
		return op_err_set(OP_E_CONFIG, "archive_cutoff = ca_notbefore: "
				  "the CA certificate's notBefore cannot be read");
	return 0;
}

/* The signer's key, one handle per worker, and its response template. */
static int open_signer(struct gen_auth *a, struct gen_keystore *ks, X509 *cert,
		       const char *keyspec, int workers)
{
	/* A delegate's certificate is always needed to verify its responses;
	 * the CA's own only by clients that will not look elsewhere. */
	struct gen_resp_profile prof = {
		.include_cert = a->c->include_signer_cert || X509_cmp(cert, a->ca) != 0,
		.by_name = a->c->responder_by_name,
	};
	struct gen_ext_crlid refs[2];
	int rc;

	if ((rc = single_exts(a, refs, &prof)) != 0)
		return rc;

	if (!(a->keys = calloc((size_t)workers, sizeof(*a->keys))))
		return OP_E_NOMEM;
	if ((rc = gen_keystore_load_workers(ks, a->signer_name, keyspec,
					     cert, workers, a->keys)) != 0)
		return rc;
	a->nkeys = workers;
	if ((rc = gen_resp_signer_new(a->ca, cert, a->keys, workers, &prof,
				      &a->rs)) != 0)
		return op_err_prefix(rc, "signer %s", a->signer_name);
	return 0;
}

/* The most recent valid signer, its key and the response profile. */
static int choose_signer(struct gen_auth *a, struct gen_keystore *ks,
			 int64_t now, int64_t validity, int workers)
{
	const struct gen_auth_conf *c = a->c;
	X509 **certs = calloc(c->nsigners, sizeof(*certs));
	const char **names = calloc(c->nsigners, sizeof(*names));
	size_t *sect = calloc(c->nsigners, sizeof(*sect)), n = 0, chosen = 0;
	int warn = 0, rc = 0;

	if (!certs || !names || !sect) {
		rc = OP_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->nsigners && !rc; i++) {
		/* A successor is listed before the CA has certified it. */
		if (access(c->signers[i].cert, F_OK) != 0 && errno == ENOENT) {
			op_warn("%s: signer %s: certificate %s does not exist "
				"yet; not considered", c->name,
				c->signers[i].name, c->signers[i].cert);
			continue;
		}
		sect[n] = i;
		names[n] = c->signers[i].name;
		rc = op_cert_load(c->signers[i].cert, &certs[n++]);
	}
	if (!rc && n == 0)
		rc = op_err_set(OP_E_SIGNER, "no signer's certificate exists yet");
	if (rc || (rc = gen_signer_choose(certs, names, n, a->ca, now, validity,
					  &chosen, &warn)) != 0)
		goto out;
	a->signer_name = names[chosen];
	op_time_from_asn1(X509_get0_notAfter(certs[chosen]), &a->signer_not_after);
	signer_warnings(a, warn);
	if ((rc = gen_policy_signer(c, a->signer_name, certs[chosen], a->ca)) != 0 ||
	    (rc = open_signer(a, ks, certs[chosen], c->signers[sect[chosen]].key,
			      workers)) != 0 ||
	    (rc = gen_signer_id(certs[chosen], a->signer_id)) != 0)
		goto out;
out:
	for (size_t i = 0; certs && i < n; i++)
		X509_free(certs[i]);
	free(certs);
	free(names);
	free(sect);
	return rc;
}

int gen_auth_why_not(const struct gen_auth *a, size_t i, int64_t now,
		     char *why, size_t size)
{
	const struct gen_signer_conf *s = &a->c->signers[i];
	X509 *x = NULL;
	int warn;

	if (strcmp(s->name, a->signer_name) == 0)
		return -1;
	if (access(s->cert, F_OK) != 0 && errno == ENOENT)
		snprintf(why, size, "certificate %s does not exist yet", s->cert);
	else if (op_cert_load(s->cert, &x) != 0)
		snprintf(why, size, "%s", op_err_detail());
	else if (gen_signer_check(x, a->ca, now, a->c->validity, &warn, why,
				  size) == 0)
		snprintf(why, size, "usable, but %s is newer", a->signer_name);
	X509_free(x);
	return 0;
}

/* The audit record of the signer chosen and why the others were not. */
static void audit_signer(const struct gen_auth *a, int64_t now)
{
	size_t n = a->c->nsigners, k = 0;
	const char **names = calloc(n + 1, sizeof(*names));
	const char **whys = calloc(n + 1, sizeof(*whys));
	char (*buf)[256] = calloc(n + 1, sizeof(*buf));

	for (size_t i = 0; names && whys && buf && i < n; i++)
		if (gen_auth_why_not(a, i, now, buf[k], sizeof(buf[k])) == 0) {
			names[k] = a->c->signers[i].name;
			whys[k] = buf[k];
			k++;
		}
	gen_audit_signer(a->c->name, a->signer_name, names, whys,
			 names && whys && buf ? k : 0);
	free(names);
	free(whys);
	free(buf);
}

int gen_auth_prepare(struct gen_auth *a, const struct gen_auth_conf *c,
		     struct gen_keystore *ks, const struct gen_auth_in *in)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->c = c;
	if ((rc = load_inputs(a, in)) != 0 ||
	    (rc = choose_signer(a, ks, in->now, in->validity, in->workers)) != 0) {
		gen_auth_free(a);
		return op_err_prefix(rc, "authority %s", c->name);
	}
	audit_signer(a, in->now);
	op_debug("%s: %zu serials, signer %s", c->name, a->entries.n,
		 a->signer_name);
	return 0;
}

void gen_auth_free(struct gen_auth *a)
{
	gen_resp_signer_free(a->rs);
	for (int i = 0; i < a->nkeys; i++)
		EVP_PKEY_free(a->keys[i]);
	free(a->keys);
	X509_free(a->ca);
	gen_input_list_free(&a->entries);
	gen_retain_free(&a->retain);
	memset(a, 0, sizeof(*a));
}

int gen_auth_put_issuer(MDB_txn *txn, MDB_dbi dbi, const struct gen_auth *a,
			const uint8_t *prefix, size_t plen)
{
	char v[600];
	int n = snprintf(v, sizeof(v), "%s\t%s", a->c->name, a->subject), rc;

	if ((rc = op_db_meta_put(txn, dbi, OP_META_K_ISSUER, prefix, plen, v,
				 (size_t)(n < (int)sizeof(v) ? n :
					  (int)sizeof(v) - 1), NULL)) != 0)
		return op_err_set(OP_E_DB, "issuer record of %s: %s", a->c->name,
				  mdb_strerror(rc));
	return 0;
}
