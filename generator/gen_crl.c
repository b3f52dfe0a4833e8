#include "gen_crl.h"
#include "op_der.h"
#include "op_err.h"
#include "op_file.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* ---------------- numbers ---------------- */

static int crlnum_from_asn1(const ASN1_INTEGER *ai, struct gen_crlnum *n)
{
	const uint8_t *p = ASN1_STRING_get0_data(ai);
	int len = ASN1_STRING_length(ai);

	if (ASN1_STRING_type(ai) == V_ASN1_NEG_INTEGER)
		return -1;
	while (len > 0 && *p == 0) {
		p++;
		len--;
	}
	if (len > GEN_CRLNUM_MAX)
		return -1;
	n->len = (uint8_t)len;
	memcpy(n->v, p, (size_t)len);
	return 0;
}

int gen_crl_num_cmp(const struct gen_crlnum *a, const struct gen_crlnum *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->v, b->v, a->len);
}

const char *gen_crl_num_str(const struct gen_crlnum *n, char *buf, size_t size)
{
	unsigned long long v = 0;
	size_t o;

	if (n->len <= 8) {
		for (size_t i = 0; i < n->len; i++)
			v = v << 8 | n->v[i];
		snprintf(buf, size, "%llu", v);
		return buf;
	}
	o = (size_t)snprintf(buf, size, "0x");
	for (size_t i = 0; i < n->len && o + 3 <= size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%02X", n->v[i]);
	return buf;
}

/* ---------------- parsing ---------------- */

void gen_crl_free(struct gen_crl *c)
{
	gen_input_list_free(&c->entries);
	X509_NAME_free(c->issuer);
	X509_ALGOR_free(c->alg);
	ASN1_BIT_STRING_free(c->sig);
	DIST_POINT_NAME_free(c->idp_dp);
	memset(c, 0, sizeof(*c));
}

static int bad(const char *name, const char *what)
{
	return op_err_set(OP_E_CRL, "%s: not a CRL in PEM or DER (truncated or "
			  "corrupt? %s)", name, what);
}

/* crlEntryExtensions: the reason, and whether the entry is someone
 * else's (certificateIssuer). */
static int entry_exts(struct op_der *exts, const char *name, size_t idx,
		      int *reason, int *scope)
{
	static const uint8_t oid_reason[] = { 0x55, 0x1d, 0x15 };
	static const uint8_t oid_issuer[] = { 0x55, 0x1d, 0x1d };
	static const uint8_t oid_invalidity[] = { 0x55, 0x1d, 0x18 };
	struct op_der ext, oid, val, flag, e;

	while (!op_der_done(exts)) {
		int critical = 0, has;
		size_t olen;

		if (op_der_expect(exts, OP_DER_SEQUENCE, &ext) ||
		    op_der_expect(&ext, OP_DER_OID, &oid) ||
		    (has = op_der_optional(&ext, OP_DER_BOOLEAN, &flag)) < 0 ||
		    op_der_last(&ext, OP_DER_OCTET_STRING, &val))
			return bad(name, "entry extension");
		if (has)
			critical = flag.end - flag.p == 1 && flag.p[0] != 0;
		olen = (size_t)(oid.end - oid.p);
		if (olen == 3 && memcmp(oid.p, oid_reason, 3) == 0) {
			if (op_der_last(&val, OP_DER_ENUMERATED, &e) || e.end - e.p != 1)
				return bad(name, "reasonCode");
			*reason = e.p[0];
		} else if (olen == 3 && memcmp(oid.p, oid_issuer, 3) == 0) {
			*scope |= GEN_CRL_S_ENTRY_ISSUER;
		} else if (critical && (olen != 3 ||
					memcmp(oid.p, oid_invalidity, 3) != 0)) {
			return op_err_set(OP_E_CRL, "%s: entry %zu has a critical "
					  "extension ocsp-gen does not know", name,
					  idx);
		}
	}
	return 0;
}

/* revokedCertificates, appended to out. */
static int parse_entries(struct op_der *list, const char *name, int *scope,
			 struct gen_list *out)
{
	for (size_t i = 1; !op_der_done(list); i++) {
		struct op_der rc, exts;
		const uint8_t *sn;
		struct gen_entry *e;
		size_t snl, slen;
		int reason = OP_REASON_NONE, r;

		if (op_der_expect(list, OP_DER_SEQUENCE, &rc))
			return bad(name, "revoked entry");
		if (!(e = gen_input_list_add(out)))
			return op_err_set(OP_E_NOMEM, "%s: out of memory", name);
		if (op_der_integer(&rc, &sn, &snl) != 0 ||
		    op_serial_normalize(sn, snl, e->serial, &slen) != 0 ||
		    op_der_time(&rc, &e->rev_time) != 0)
			return op_err_set(OP_E_CRL, "%s: entry %zu: bad serial "
					  "number or revocation date", name, i);
		e->serial_len = (uint8_t)slen;
		if ((r = op_der_optional(&rc, OP_DER_SEQUENCE, &exts)) < 0 ||
		    !op_der_done(&rc))
			return bad(name, "revoked entry");
		if (r && (r = entry_exts(&exts, name, i, &reason, scope)) != 0)
			return r;
		if (reason < 0 || reason > 10 || reason == 7)
			reason = OP_REASON_NONE;
		e->status = OP_STATUS_REVOKED;
		e->reason = (uint8_t)reason;
		e->src = GEN_SRC_CRL;
	}
	return 0;
}

/* The CRL extensions ocsp-gen understands; any other critical one makes
 * the CRL unusable (RFC 5280, 5.2). */
static int crl_exts(const STACK_OF(X509_EXTENSION) *exts, const char *name,
		    struct gen_crl *c)
{
	static const int known[] = {
		NID_crl_number, NID_delta_crl, NID_issuing_distribution_point,
		NID_authority_key_identifier, NID_issuer_alt_name,
		NID_freshest_crl,
	};
	ASN1_INTEGER *ai;
	ISSUING_DIST_POINT *idp;
	int crit;

	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *x = sk_X509_EXTENSION_value(exts, i);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(x)), ok = 0;

		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			ok |= nid == known[k];
		if (X509_EXTENSION_get_critical(x) && !ok)
			return op_err_set(OP_E_CRL, "%s: has a critical extension "
					  "ocsp-gen does not know (%s)", name,
					  nid ? OBJ_nid2sn(nid) : "unregistered");
	}
	if ((ai = X509V3_get_d2i(exts, NID_crl_number, &crit, NULL)) != NULL) {
		c->has_number = crlnum_from_asn1(ai, &c->number) == 0;
		ASN1_INTEGER_free(ai);
		if (!c->has_number)
			return op_err_set(OP_E_CRL, "%s: bad CRL number", name);
	} else if (crit != -1) {
		return op_err_set(OP_E_CRL, "%s: bad CRL number extension", name);
	}
	if ((ai = X509V3_get_d2i(exts, NID_delta_crl, &crit, NULL)) != NULL) {
		c->is_delta = crlnum_from_asn1(ai, &c->base) == 0;
		ASN1_INTEGER_free(ai);
		if (!c->is_delta)
			return op_err_set(OP_E_CRL, "%s: bad BaseCRLNumber", name);
	} else if (crit != -1) {
		return op_err_set(OP_E_CRL, "%s: bad DeltaCRLIndicator", name);
	}
	idp = X509V3_get_d2i(exts, NID_issuing_distribution_point, &crit, NULL);
	if (!idp && crit != -1)
		return op_err_set(OP_E_CRL, "%s: bad IssuingDistributionPoint", name);
	if (idp) {
		c->scope |= (idp->onlysomereasons ? GEN_CRL_S_SOME_REASONS : 0) |
			    (idp->indirectCRL ? GEN_CRL_S_INDIRECT : 0) |
			    (idp->onlyCA ? GEN_CRL_S_CA_ONLY : 0) |
			    (idp->onlyattr ? GEN_CRL_S_ATTR_ONLY : 0) |
			    (idp->onlyuser ? GEN_CRL_S_USER_ONLY : 0);
		/* Judged by gen_scope; a name relative to the issuer is
		 * made whole here (DIST_POINT_set_dpname fills dpname). */
		c->idp_dp = idp->distpoint;
		idp->distpoint = NULL;
		if (c->idp_dp && !DIST_POINT_set_dpname(c->idp_dp, c->issuer)) {
			ISSUING_DIST_POINT_free(idp);
			return op_err_ssl(OP_E_CRL, "%s: bad IssuingDistributionPoint "
					  "name", name);
		}
		ISSUING_DIST_POINT_free(idp);
	}
	return 0;
}

/* crlExtensions' contents (the SEQUENCE OF Extension, whole), judged. */
static int parse_exts(const struct op_der *x0, const char *name,
		      struct gen_crl *c)
{
	struct op_der all = *x0, x;
	const uint8_t *q = x0->p;
	STACK_OF(X509_EXTENSION) *exts;
	int rc;

	if (op_der_last(&all, OP_DER_SEQUENCE, &x))
		return bad(name, "crlExtensions");
	exts = d2i_X509_EXTENSIONS(NULL, &q, x0->end - x0->p);
	if (!exts || q != x0->end) {
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
		return bad(name, "crlExtensions");
	}
	rc = crl_exts(exts, name, c);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}

/* The pieces of tbsCertList, in order (RFC 5280, 5.1). */
static int parse_tbs(struct op_der *tbs, const struct op_der *outer_alg,
		     const char *name, struct gen_crl *c)
{
	struct op_der v, alg, issuer, list, x0;
	const uint8_t *start, *q;
	int rc;

	if (op_der_optional(tbs, OP_DER_INTEGER, &v) < 0)
		return bad(name, "version");
	start = tbs->p;
	if (op_der_expect(tbs, OP_DER_SEQUENCE, &alg))
		return bad(name, "signature algorithm");
	/* The algorithm signed inside must be the one outside (5.1.2.2). */
	if (tbs->p - start != outer_alg->end - outer_alg->p ||
	    memcmp(start, outer_alg->p, (size_t)(tbs->p - start)) != 0)
		return op_err_set(OP_E_CRL, "%s: signature algorithms inside and "
				  "outside tbsCertList differ", name);
	start = tbs->p;
	if (op_der_expect(tbs, OP_DER_SEQUENCE, &issuer))
		return bad(name, "issuer");
	q = start;
	if (!(c->issuer = d2i_X509_NAME(NULL, &q, tbs->p - start)))
		return bad(name, "issuer");
	if (op_der_time(tbs, &c->this_update))
		return bad(name, "thisUpdate");
	if ((op_der_peek(tbs) == OP_DER_UTCTIME || op_der_peek(tbs) == OP_DER_GENTIME) &&
	    op_der_time(tbs, &c->next_update))
		return bad(name, "nextUpdate");
	if ((rc = op_der_optional(tbs, OP_DER_SEQUENCE, &list)) < 0)
		return bad(name, "revokedCertificates");
	if (rc && (rc = parse_entries(&list, name, &c->scope, &c->entries)) != 0)
		return rc;
	if ((rc = op_der_optional(tbs, OP_DER_CTX(0), &x0)) < 0)
		return bad(name, "crlExtensions");
	if (rc && (rc = parse_exts(&x0, name, c)) != 0)
		return rc;
	if (!op_der_done(tbs))
		return bad(name, "tbsCertList");
	return 0;
}

static int is_pem(const uint8_t *data, size_t len)
{
	while (len && (*data == ' ' || *data == '\t' || *data == '\r' ||
		       *data == '\n')) {
		data++;
		len--;
	}
	return len >= 10 && memcmp(data, "-----BEGIN", 10) == 0;
}

int gen_crl_parse(const uint8_t *data, size_t len, const char *name,
		  struct gen_crl *out, unsigned char **pem_der)
{
	struct op_der all, cl, tbs, alg, sig;
	const uint8_t *q;
	int rc;

	memset(out, 0, sizeof(*out));
	*pem_der = NULL;
	ERR_clear_error();
	if (is_pem(data, len)) {
		BIO *b = BIO_new_mem_buf(data, len > INT32_MAX ? -1 : (int)len);
		long dlen = 0;

		if (!b || !PEM_bytes_read_bio(pem_der, &dlen, NULL,
					      PEM_STRING_X509_CRL, b, NULL, NULL)) {
			BIO_free(b);
			return op_err_ssl(OP_E_CRL, "%s: no complete X509 CRL in this "
					  "PEM (truncated or corrupt?)",
					  name);
		}
		BIO_free(b);
		data = *pem_der;
		len = (size_t)dlen;
	}
	op_der_init(&all, data, len);
	if (op_der_last(&all, OP_DER_SEQUENCE, &cl)) {
		rc = bad(name, "outer SEQUENCE");
		goto err;
	}
	out->tbs = cl.p;
	if (op_der_expect(&cl, OP_DER_SEQUENCE, &tbs)) {
		rc = bad(name, "tbsCertList");
		goto err;
	}
	out->tbs_len = (size_t)(cl.p - out->tbs);
	/* signatureAlgorithm, whole in alg, to compare with the inner one */
	alg.p = q = cl.p;
	if (op_der_expect(&cl, OP_DER_SEQUENCE, &sig) ||
	    !(out->alg = d2i_X509_ALGOR(NULL, &q, cl.p - alg.p))) {
		rc = bad(name, "signatureAlgorithm");
		goto err;
	}
	alg.end = cl.p;
	q = cl.p;
	if (op_der_last(&cl, OP_DER_BIT_STRING, &sig) ||
	    !(out->sig = d2i_ASN1_BIT_STRING(NULL, &q, cl.p - q))) {
		rc = bad(name, "signatureValue");
		goto err;
	}
	if ((rc = parse_tbs(&tbs, &alg, name, out)) != 0)
		goto err;
	ERR_clear_error();
	return 0;
err:
	gen_crl_free(out);
	OPENSSL_free(*pem_der);
	*pem_der = NULL;
	ERR_clear_error();
	return rc;
}

/* ---------------- judging ---------------- */

/* The signature over the tbsCertList octets exactly as they came: an ANY
 * holding a SEQUENCE encodes to its contents verbatim. */
static int verify_sig(const struct gen_crl *c, EVP_PKEY *key)
{
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_STRING *s = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
	int ok = 0;

	if (t && s && c->tbs_len <= INT32_MAX &&
	    ASN1_STRING_set(s, c->tbs, (int)c->tbs_len)) {
		ASN1_TYPE_set(t, V_ASN1_SEQUENCE, s);
		s = NULL;	/* t owns it */
		ok = ASN1_item_verify(ASN1_ITEM_rptr(ASN1_ANY), c->alg, c->sig,
				      t, key) == 1;
	}
	ASN1_STRING_free(s);
	ASN1_TYPE_free(t);
	return ok;
}

/* What a CRL's scope makes of it as the complete list, or NULL. */
static const char *scope_refusal(int scope)
{
	if (scope & GEN_CRL_S_SOME_REASONS)
		return "is partitioned by reason (IssuingDistributionPoint "
		       "onlySomeReasons): it does not list every revocation";
	if (scope & (GEN_CRL_S_INDIRECT | GEN_CRL_S_ENTRY_ISSUER))
		return "is an indirect CRL (IssuingDistributionPoint indirectCRL "
		       "or certificateIssuer entries): not supported";
	if (scope & GEN_CRL_S_CA_ONLY)
		return "covers only CA certificates (IssuingDistributionPoint "
		       "onlyContainsCACerts)";
	if (scope & GEN_CRL_S_ATTR_ONLY)
		return "covers only attribute certificates "
		       "(IssuingDistributionPoint onlyContainsAttributeCerts)";
	return NULL;
}

int gen_crl_check(const struct gen_crl *c, const char *name,
		  enum gen_crl_kind kind, X509 *ca, int64_t now)
{
	char a[256], b[256], n[48];
	const char *why;

	if (X509_NAME_cmp(c->issuer, X509_get_subject_name(ca)) != 0) {
		X509_NAME_oneline(c->issuer, a, sizeof(a));
		X509_NAME_oneline(X509_get_subject_name(ca), b, sizeof(b));
		return op_err_set(OP_E_CRL, "%s: issued by %s, not by the CA %s",
				  name, a, b);
	}
	if (!verify_sig(c, X509_get0_pubkey(ca)))
		return op_err_ssl(OP_E_CRL, "%s: signature does not verify with "
				  "the CA's key (ca_cert)", name);
	/* RFC 5280 6.3.3 (f): the key must be allowed to sign CRLs. */
	if ((X509_get_extension_flags(ca) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(ca) & KU_CRL_SIGN)) {
		X509_NAME_oneline(X509_get_subject_name(ca), b, sizeof(b));
		return op_err_set(OP_E_CRL, "%s: signed with the key of %s, whose "
				  "keyUsage lacks cRLSign: that key cannot sign "
				  "CRLs (RFC 5280 6.3.3)", name, b);
	}
	if (c->next_update && c->next_update < now) {
		op_time_iso(c->next_update, a, sizeof(a));
		return op_err_set(OP_E_CRL, "%s: expired: its nextUpdate %s has "
				  "passed", name, a);
	}
	if (kind == GEN_CRL_BASE && c->is_delta)
		return op_err_set(OP_E_CRL, "%s: is a delta CRL (DeltaCRLIndicator, "
				  "base CRL number %s), not a complete one: give "
				  "the CA's base CRL as crl and this one as "
				  "delta_crl", name,
				  gen_crl_num_str(&c->base, n, sizeof(n)));
	if (kind == GEN_CRL_DELTA && !c->is_delta)
		return op_err_set(OP_E_CRL, "%s: is not a delta CRL (no "
				  "DeltaCRLIndicator): delta_crl takes the CA's "
				  "delta CRL", name);
	if (kind == GEN_CRL_DELTA && !c->has_number)
		return op_err_set(OP_E_CRL, "%s: delta CRL without a CRL number",
				  name);
	if ((why = scope_refusal(c->scope)) != NULL)
		return op_err_set(OP_E_CRL, "%s: %s", name, why);
	return 0;
}

int gen_crl_load_mem(const uint8_t *data, size_t len, const char *name,
		     enum gen_crl_kind kind, X509 *ca, int64_t now,
		     struct gen_crl *out)
{
	unsigned char *pem = NULL;
	int rc;

	if ((rc = gen_crl_parse(data, len, name, out, &pem)) != 0)
		return rc;
	EVP_Digest(data, len, out->sha256, NULL, EVP_sha256(), NULL);
	rc = gen_crl_check(out, name, kind, ca, now);
	OPENSSL_free(pem);
	out->tbs = NULL;
	out->tbs_len = 0;
	if (rc) {
		gen_crl_free(out);
		return rc;
	}
	if (kind == GEN_CRL_BASE) {	/* removeFromCRL belongs in deltas */
		size_t j = 0;

		for (size_t i = 0; i < out->entries.n; i++)
			if (out->entries.v[i].reason != GEN_REASON_REMOVE)
				out->entries.v[j++] = out->entries.v[i];
		out->entries.n = j;
	}
	return 0;
}

int gen_crl_load(const char *path, enum gen_crl_kind kind, X509 *ca,
		 int64_t now, struct gen_crl *out)
{
	unsigned char *buf;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = op_file_read(path, &buf, &len)) != 0)
		return op_err_prefix(OP_E_CRL, "cannot read the CRL");
	rc = gen_crl_load_mem(buf, len, path, kind, ca, now, out);
	free(buf);
	return rc;
}

/* ---------------- delta ---------------- */

int gen_crl_apply_delta(struct gen_crl *base, const struct gen_crl *delta,
			const char *bname, const char *dname, int *applied)
{
	char a[48], b[48], c[48];
	struct gen_list out = { 0 };
	struct gen_entry *d = NULL;
	size_t i = 0, j = 0, nd = delta->entries.n;

	*applied = 0;
	if (!base->has_number)
		return op_err_set(OP_E_CRL, "%s: the base CRL %s has no CRL number, "
				  "so no delta CRL can be applied to it", dname,
				  bname);
	if (gen_crl_num_cmp(&delta->number, &base->number) <= 0)
		return 0;
	if (gen_crl_num_cmp(&delta->base, &base->number) > 0)
		return op_err_set(OP_E_CRL, "%s: delta CRL %s needs base CRL %s or "
				  "newer; the base CRL %s is number %s: fetch "
				  "or publish the CA's newer base CRL", dname,
				  gen_crl_num_str(&delta->number, a, sizeof(a)),
				  gen_crl_num_str(&delta->base, b, sizeof(b)),
				  bname, gen_crl_num_str(&base->number, c, sizeof(c)));
	if (nd && !(d = malloc(nd * sizeof(*d))))
		return op_err_set(OP_E_NOMEM, "%s: out of memory", dname);
	if (nd)
		memcpy(d, delta->entries.v, nd * sizeof(*d));
	qsort(d, nd, sizeof(*d), gen_input_entry_cmp);
	qsort(base->entries.v, base->entries.n, sizeof(*d), gen_input_entry_cmp);
	out.cap = base->entries.n + nd;
	if (out.cap && !(out.v = malloc(out.cap * sizeof(*d)))) {
		free(d);
		return op_err_set(OP_E_NOMEM, "%s: out of memory", dname);
	}
	while (i < base->entries.n || j < nd) {
		int o = i == base->entries.n ? 1 : j == nd ? -1 :
			gen_input_entry_cmp(&base->entries.v[i], &d[j]);

		if (o < 0) {
			out.v[out.n++] = base->entries.v[i++];
			continue;
		}
		if (o == 0)
			i++;	/* the delta's word replaces the base's */
		if (d[j].reason != GEN_REASON_REMOVE)
			out.v[out.n++] = d[j];
		j++;
	}
	free(d);
	gen_input_list_free(&base->entries);
	base->entries = out;
	*applied = 1;
	return 0;
}
