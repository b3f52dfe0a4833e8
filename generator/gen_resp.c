#include "gen_resp.h"
#include "op_der.h"
#include "op_err.h"
#include "op_key.h"
#include "op_rec.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>

#define NSLOT (2 * OP_HASH_COUNT)	/* CertID forms: each hash, NULL forms */
#define CID_MAX 160		/* CertID content before the serial */

struct worker {
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pk;
	uint8_t *tbs;		/* scratch for tbsResponseData */
	uint8_t *sig;		/* scratch for the signature */
	/* The archive cutoff Extension last encoded, and for which time:
	 * a batch's responses share producedAt. */
	int64_t cut_at;
	int cut_set;
	uint8_t cut[GEN_EXT_CUTOFF_LEN];
};

struct gen_resp_signer {
	EVP_MD *md;		/* the signature's digest, fetched once */
	uint8_t *rid, *alg, *certs;	/* responderID, signatureAlgorithm,
					 * certs field (NULL if none): DER */
	size_t rid_len, alg_len, certs_len;
	uint8_t cid[NSLOT][CID_MAX];	/* CertID content up to the serial,
					 * per form (slot()) */
	size_t cid_len[NSLOT];
	uint8_t *crl_ext[2];	/* CRL reference Extensions (gen_ext), or NULL */
	size_t crl_ext_len[2];
	int cutoff;		/* GEN_RESP_CUTOFF_* */
	int64_t cutoff_at, retain;
	size_t tbs_max, sig_max;
	int nworkers;
	struct worker *w;
};

/* ---- the signature and the CertID, by the rules ---- */

int gen_resp_sig_md(EVP_PKEY *pub, const char **md, char *why, size_t whysize)
{
	char group[64] = "";
	size_t glen = 0;
	int id = pub ? EVP_PKEY_get_base_id(pub) : EVP_PKEY_NONE;

	*md = NULL;
	ERR_clear_error();	/* a key OpenSSL cannot read queues one */
	if (id == EVP_PKEY_RSA) {
		/* PKCS#1 v1.5 with SHA-256 (BR 7.1.3.2.1); under 2048 bits no
		 * relying party of today accepts it. */
		if (EVP_PKEY_get_bits(pub) < 2048) {
			snprintf(why, whysize, "RSA key of %d bits: responses need "
				 "2048 bits or more", EVP_PKEY_get_bits(pub));
			return OP_E_SIGNER;
		}
		*md = "SHA256";
		return 0;
	}
	if (id == EVP_PKEY_EC) {
		/* BR 7.1.3.2.2: each curve with its own digest. */
		if (EVP_PKEY_get_group_name(pub, group, sizeof(group), &glen) == 1) {
			if (strcmp(group, SN_X9_62_prime256v1) == 0)
				*md = "SHA256";
			else if (strcmp(group, SN_secp384r1) == 0)
				*md = "SHA384";
			else if (strcmp(group, SN_secp521r1) == 0)
				*md = "SHA512";
		}
		ERR_clear_error();
		if (*md)
			return 0;
		snprintf(why, whysize, "ECDSA key on curve %s: responses are "
			 "signed with P-256, P-384 or P-521 only", *group ?
			 group : "(unnamed parameters)");
		return OP_E_SIGNER;
	}
	if (id == EVP_PKEY_RSA_PSS)
		snprintf(why, whysize, "RSA-PSS-only key (id-RSASSA-PSS): "
			 "responses are signed with RSA PKCS#1 v1.5 or ECDSA");
	else
		snprintf(why, whysize, "%s key: responses are signed with RSA "
			 "(PKCS#1 v1.5) or ECDSA on P-256, P-384 or P-521 only",
			 id == EVP_PKEY_NONE ? "unknown" : OBJ_nid2sn(id));
	return OP_E_SIGNER;
}

/* The index of a CertID form in the per-form tables; -1 if unknown. */
static int slot(int tag)
{
	int h = op_hash_of_tag(tag);

	if (!h)
		return -1;
	return tag & OP_TAG_NULL ? OP_HASH_COUNT + h - 1 : h - 1;
}

/*
 * CertID content before the serial for ca under tag: hashAlgorithm (the
 * OID, then NULL parameters only in the NULL form: RFC 5754 wants SHA-2
 * without, OpenSSL writes SHA-1 with), issuerNameHash, issuerKeyHash.
 * out has room for CID_MAX.
 */
static int certid_head(X509 *ca, int tag, uint8_t *out, size_t *len)
{
	uint8_t prefix[OP_KEY_MAX], *p = out;
	size_t plen, olen, h = op_hash_len(tag);
	const uint8_t *oid = op_hash_oid(tag, &olen);
	int null = (tag & OP_TAG_NULL) || op_hash_of_tag(tag) == OP_HASH_SHA1, rc;

	if (!oid || h == 0 || h > OP_HASH_MAX || olen > 16)
		return op_err_set(OP_E_RANGE, "CertID hash tag %d unknown", tag);
	if ((rc = op_key_issuer_prefix(ca, tag, prefix, &plen)) != 0)
		return rc;
	p = op_der_hdr(p, OP_DER_SEQUENCE, 2 + olen + (null ? 2 : 0));
	p = op_der_put(op_der_hdr(p, OP_DER_OID, olen), oid, olen);
	if (null)
		p = op_der_hdr(p, OP_DER_NULL, 0);
	p = op_der_put(op_der_hdr(p, OP_DER_OCTET_STRING, h), prefix + 1, h);
	p = op_der_put(op_der_hdr(p, OP_DER_OCTET_STRING, h), prefix + 1 + h, h);
	*len = (size_t)(p - out);
	return 0;
}

OCSP_CERTID *gen_resp_certid(X509 *ca, int tag, const uint8_t *serial,
			     size_t serial_len)
{
	uint8_t head[CID_MAX], der[CID_MAX + OP_SERIAL_MAX + 8], *p = der;
	const unsigned char *q = der;
	size_t hlen, n;

	if (serial_len == 0 || serial_len > OP_SERIAL_MAX ||
	    certid_head(ca, tag, head, &hlen) != 0)
		return NULL;
	n = hlen + 2 + serial_len;
	p = op_der_hdr(p, OP_DER_SEQUENCE, n);
	p = op_der_put(p, head, hlen);
	p = op_der_put(op_der_hdr(p, OP_DER_INTEGER, serial_len), serial,
		       serial_len);
	/* Parsed by OpenSSL, which keeps the parameters as they are. */
	return d2i_OCSP_CERTID(NULL, &q, p - der);
}

static ASN1_GENERALIZEDTIME *gtime(int64_t t)
{
	ASN1_TIME *a = ASN1_TIME_set(NULL, (time_t)t);
	ASN1_GENERALIZEDTIME *g;

	/* GeneralizedTime is what RFC 6960 prescribes for every time field. */
	if (!a)
		return NULL;
	g = ASN1_TIME_to_generalizedtime(a, NULL);
	ASN1_TIME_free(a);
	return g;
}

int gen_resp_sign_ref(X509 *ca, X509 *cert, EVP_PKEY *key,
		      const struct gen_resp_profile *prof,
		      const struct gen_resp_in *in, unsigned char **der,
		      int *der_len)
{
	char why[200];
	const char *md;
	OCSP_BASICRESP *bs = NULL;
	OCSP_SINGLERESP *single;
	OCSP_RESPONSE *resp = NULL;
	OCSP_CERTID *cid = NULL;
	EVP_MD_CTX *mctx = NULL;
	ASN1_GENERALIZEDTIME *tu = NULL, *nu = NULL, *rt = NULL;
	unsigned long flags = (prof->by_name ? 0 : OCSP_RESPID_KEY) |
			      (prof->include_cert ? 0 : OCSP_NOCERTS);
	int revoked = in->status == OP_STATUS_REVOKED, rc = OP_E_CRYPTO;

	*der = NULL;
	if (!(bs = OCSP_BASICRESP_new()) || !(mctx = EVP_MD_CTX_new()) ||
	    !(cid = gen_resp_certid(ca, in->hash, in->serial, in->serial_len)) ||
	    !(tu = gtime(in->this_update)) || !(nu = gtime(in->next_update)) ||
	    (revoked && !(rt = gtime(in->rev_time))))
		goto err;
	if (!(single = OCSP_basic_add1_status(bs, cid, revoked ?
					      V_OCSP_CERTSTATUS_REVOKED :
					      V_OCSP_CERTSTATUS_GOOD,
					      in->reason == OP_REASON_NONE ?
					      OCSP_REVOKED_STATUS_NOSTATUS :
					      in->reason, rt, tu, nu)) ||
	    gen_ext_add_ref(single, in->crl >= 1 && in->crl <= 2 ?
			    prof->crlid[in->crl - 1] : NULL,
			    prof->cutoff != GEN_RESP_CUTOFF_NONE,
			    prof->cutoff == GEN_RESP_CUTOFF_AT ? prof->cutoff_at :
			    in->produced_at - prof->retain) != 0)
		goto err;
	if (gen_resp_sig_md(X509_get0_pubkey(cert), &md, why, sizeof(why)) != 0) {
		rc = op_err_set(OP_E_SIGNER, "%s", why);
		goto out;
	}
	if (EVP_DigestSignInit(mctx, NULL, EVP_get_digestbyname(md), NULL,
			       key) != 1 ||
	    OCSP_basic_sign_ctx(bs, cert, mctx, NULL, flags) != 1)
		goto err;
	if (!(resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs)))
		goto err;
	if ((*der_len = i2d_OCSP_RESPONSE(resp, der)) <= 0) {
		*der = NULL;
		goto err;
	}
	rc = 0;
err:
	if (rc)
		rc = op_err_ssl(OP_E_CRYPTO, "signing a response");
out:
	OCSP_RESPONSE_free(resp);
	ASN1_GENERALIZEDTIME_free(rt);
	ASN1_GENERALIZEDTIME_free(nu);
	ASN1_GENERALIZEDTIME_free(tu);
	OCSP_CERTID_free(cid);
	EVP_MD_CTX_free(mctx);
	OCSP_BASICRESP_free(bs);
	return rc;
}

/* ---- the constant parts ---- */

/* i2d into a fresh buffer; 0 or OP_E_CRYPTO. */
#define I2D(fn, obj, buf, len) \
	(((len) = (size_t)(fn)((obj), &(buf))), \
	 (len) > 0 && (len) < 0x1000000 ? 0 : ((buf) = NULL, OP_E_CRYPTO))

/* CertID content before the serial, for each form. */
static int certid_parts(struct gen_resp_signer *s, X509 *ca)
{
	for (int h = OP_HASH_SHA1; h <= OP_HASH_COUNT; h++)
		for (int null = 0; null < 2; null++) {
			int tag = op_hash_tag(h, null), i = slot(tag), rc;

			if ((rc = certid_head(ca, tag, s->cid[i], &s->cid_len[i])) != 0)
				return op_err_prefix(rc, "encoding a CertID");
		}
	return 0;
}

/* signatureAlgorithm as OpenSSL writes it for this key (its signing path
 * decides, e.g. for keys from an engine or libp11). */
static int sigalg_part(struct gen_resp_signer *s, X509 *ca, X509 *cert,
		       EVP_PKEY *key, const struct gen_resp_profile *prof)
{
	static const uint8_t one = 1;
	struct gen_resp_in in = { .hash = 1, .serial = &one, .serial_len = 1,
				  .status = OP_STATUS_GOOD,
				  .reason = OP_REASON_NONE,
				  .this_update = 0, .next_update = 1 };
	const unsigned char *p;
	unsigned char *der = NULL;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	int len, rc;

	if ((rc = gen_resp_sign_ref(ca, cert, key, prof, &in, &der, &len)) != 0)
		return rc;
	p = der;
	rc = OP_E_CRYPTO;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, len)) &&
	    (bs = OCSP_response_get1_basic(resp)))
		rc = I2D(i2d_X509_ALGOR, OCSP_resp_get0_tbs_sigalg(bs), s->alg,
			 s->alg_len);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	OPENSSL_free(der);
	return rc ? op_err_ssl(rc, "reading the signature algorithm") : 0;
}

static int constant_parts(struct gen_resp_signer *s, X509 *ca, X509 *cert,
			  EVP_PKEY *key, const struct gen_resp_profile *prof)
{
	OCSP_RESPID *rid = OCSP_RESPID_new();
	uint8_t *c = NULL;
	size_t clen;
	int rc = OP_E_CRYPTO;

	if (!rid || !(prof->by_name ? OCSP_RESPID_set_by_name(rid, cert)
				    : OCSP_RESPID_set_by_key(rid, cert)) ||
	    I2D(i2d_OCSP_RESPID, rid, s->rid, s->rid_len) != 0)
		goto ssl;
	if (prof->include_cert) {
		/* certs [0] EXPLICIT SEQUENCE OF Certificate, one of them */
		if (I2D(i2d_X509, cert, c, clen) != 0)
			goto ssl;
		size_t seq = op_der_tlv_len(clen);

		s->certs_len = op_der_tlv_len(seq);
		if (!(s->certs = OPENSSL_malloc(s->certs_len))) {
			rc = OP_E_NOMEM;
			goto out;
		}
		op_der_put(op_der_hdr(op_der_hdr(s->certs, OP_DER_CTX(0), seq),
				      OP_DER_SEQUENCE, clen), c, clen);
	}
	for (int i = 0; i < 2; i++)
		if (prof->crlid[i] &&
		    (rc = gen_ext_crlid(prof->crlid[i], &s->crl_ext[i],
					&s->crl_ext_len[i])) != 0) {
			rc = op_err_prefix(rc, "encoding a CRL reference");
			goto out;
		}
	s->cutoff = prof->cutoff;
	s->cutoff_at = prof->cutoff_at;
	s->retain = prof->retain;
	/* Their details name what failed (a CertID, the test signature):
	 * kept as they are. */
	if ((rc = certid_parts(s, ca)) == 0)
		rc = sigalg_part(s, ca, cert, key, prof);
	goto out;
ssl:
	rc = op_err_ssl(OP_E_CRYPTO, "encoding the response's constant parts");
out:
	OPENSSL_free(c);
	OCSP_RESPID_free(rid);
	return rc;
}

static int worker_init(struct gen_resp_signer *s, struct worker *w,
		       EVP_PKEY *key)
{
	int id = EVP_PKEY_get_base_id(key);

	if (!(w->md = EVP_MD_CTX_new()) || !(w->tbs = malloc(s->tbs_max)) ||
	    !(w->sig = malloc(s->sig_max)))
		return OP_E_NOMEM;
	/* A legacy (libp11) key keeps its own method: EVP_PKEY_CTX_new takes
	 * the path OCSP_basic_sign_ctx takes for it. */
	if (!(w->pk = EVP_PKEY_CTX_new(key, NULL)) ||
	    EVP_PKEY_sign_init(w->pk) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(w->pk, s->md) != 1 ||
	    (id == EVP_PKEY_RSA &&
	     EVP_PKEY_CTX_set_rsa_padding(w->pk, RSA_PKCS1_PADDING) != 1))
		return op_err_ssl(OP_E_CRYPTO, "preparing a signing context");
	return 0;
}

int gen_resp_signer_new(X509 *ca, X509 *cert, EVP_PKEY *const *keys,
			int nworkers, const struct gen_resp_profile *prof,
			struct gen_resp_signer **out)
{
	struct gen_resp_signer *s = calloc(1, sizeof(*s));
	const char *md;
	char why[200];
	int rc = OP_E_NOMEM;

	*out = NULL;
	if (!s || !(s->w = calloc((size_t)nworkers, sizeof(*s->w))))
		goto err;
	s->nworkers = nworkers;
	/* Before the key signs anything: what it may sign with. */
	if (gen_resp_sig_md(X509_get0_pubkey(cert), &md, why, sizeof(why)) != 0) {
		rc = op_err_set(OP_E_SIGNER, "%s", why);
		goto err;
	}
	for (int i = 0; i < nworkers; i++) {
		int kt = EVP_PKEY_get_base_id(keys[i]),
		    ct = EVP_PKEY_get_base_id(X509_get0_pubkey(cert));

		if (kt != ct) {
			rc = op_err_set(OP_E_SIGNER, "%s key, but its "
					"certificate's is %s", OBJ_nid2sn(kt),
					OBJ_nid2sn(ct));
			goto err;
		}
	}
	if (!(s->md = EVP_MD_fetch(NULL, md, NULL))) {
		rc = op_err_ssl(OP_E_CRYPTO, "fetching %s", md);
		goto err;
	}
	if ((rc = constant_parts(s, ca, cert, keys[0], prof)) != 0)
		goto err;
	/* responderID, producedAt, responses { single: CertID, status,
	 * times, extensions } */
	s->tbs_max = 8 + s->rid_len + OP_DER_TIME_LEN + 8 + 8 + 4 + CID_MAX +
		     4 + OP_SERIAL_MAX + 32 + 2 * OP_DER_TIME_LEN + 4 + 10 +
		     (s->crl_ext_len[0] > s->crl_ext_len[1] ? s->crl_ext_len[0] :
		      s->crl_ext_len[1]) + GEN_EXT_CUTOFF_LEN;
	s->sig_max = (size_t)EVP_PKEY_get_size(keys[0]);
	for (int i = 0; i < nworkers; i++)
		if ((rc = worker_init(s, &s->w[i], keys[i])) != 0)
			goto err;
	*out = s;
	return 0;
err:
	gen_resp_signer_free(s);
	return rc;
}

void gen_resp_signer_free(struct gen_resp_signer *s)
{
	if (!s)
		return;
	for (int i = 0; s->w && i < s->nworkers; i++) {
		EVP_PKEY_CTX_free(s->w[i].pk);
		EVP_MD_CTX_free(s->w[i].md);
		free(s->w[i].tbs);
		free(s->w[i].sig);
	}
	free(s->w);
	free(s->crl_ext[0]);
	free(s->crl_ext[1]);
	OPENSSL_free(s->rid);
	OPENSSL_free(s->alg);
	OPENSSL_free(s->certs);
	EVP_MD_free(s->md);
	free(s);
}

/* ---- per serial ---- */

/* The CRL reference of in, if the signer has one for its CRL. */
static const uint8_t *crl_ext(const struct gen_resp_signer *s,
			      const struct gen_resp_in *in, size_t *len)
{
	int i = in->crl - 1;

	*len = i == 0 || i == 1 ? s->crl_ext_len[i] : 0;
	return *len ? s->crl_ext[i] : NULL;
}

/* singleExtensions [1] EXPLICIT SEQUENCE OF Extension (exts octets of
 * them) at *pp: the CRL reference, then the archive cutoff. */
static int put_exts(const struct gen_resp_signer *s, struct worker *w,
		    const struct gen_resp_in *in, size_t exts, uint8_t **pp)
{
	size_t clen;
	const uint8_t *c = crl_ext(s, in, &clen);
	int64_t at = s->cutoff == GEN_RESP_CUTOFF_AT ? s->cutoff_at :
		     in->produced_at - s->retain;
	uint8_t *p = *pp, *q = w->cut;
	int rc;

	p = op_der_hdr(p, OP_DER_CTX(1), op_der_tlv_len(exts));
	p = op_der_hdr(p, OP_DER_SEQUENCE, exts);
	if (c)
		p = op_der_put(p, c, clen);
	if (s->cutoff != GEN_RESP_CUTOFF_NONE) {
		if (!w->cut_set || w->cut_at != at) {
			if ((rc = gen_ext_cutoff(&q, at)) != 0)
				return rc;
			w->cut_at = at;
			w->cut_set = 1;
		}
		p = op_der_put(p, w->cut, sizeof(w->cut));
	}
	*pp = p;
	return 0;
}

/* certStatus: good [0] IMPLICIT NULL, or revoked [1] RevokedInfo
 * { revocationTime, [0] EXPLICIT CRLReason }; st octets. */
static int put_status(const struct gen_resp_in *in, size_t st, uint8_t **pp)
{
	uint8_t *p = *pp;
	int rc;

	if (in->status != OP_STATUS_REVOKED) {
		*pp = op_der_hdr(p, OP_DER_CTX_PRIM(0), 0);
		return 0;
	}
	p = op_der_hdr(p, OP_DER_CTX(1), st - 2);
	if ((rc = op_der_put_time(&p, in->rev_time)) != 0)
		return rc;
	if (in->reason != OP_REASON_NONE) {
		p = op_der_hdr(op_der_hdr(p, OP_DER_CTX(0), 3), OP_DER_ENUMERATED, 1);
		*p++ = (uint8_t)in->reason;
	}
	*pp = p;
	return 0;
}

/* tbsResponseData into w->tbs; its length. */
static int write_tbs(const struct gen_resp_signer *s, struct worker *w,
		     const struct gen_resp_in *in, size_t *len)
{
	int form = slot(in->hash);
	size_t cid = s->cid_len[form] + 2 + in->serial_len, st, single, tbs;
	size_t exts, ext_field = 0, clen;
	int revoked = in->status == OP_STATUS_REVOKED;
	uint8_t *p = w->tbs;
	int rc;

	st = revoked ? 2 + OP_DER_TIME_LEN +
		       (in->reason != OP_REASON_NONE ? 5 : 0) : 2;
	crl_ext(s, in, &clen);
	exts = clen + (s->cutoff != GEN_RESP_CUTOFF_NONE ? GEN_EXT_CUTOFF_LEN : 0);
	if (exts)
		ext_field = op_der_tlv_len(op_der_tlv_len(exts));
	single = op_der_tlv_len(cid) + st + OP_DER_TIME_LEN + 2 +
		 OP_DER_TIME_LEN + ext_field;
	tbs = s->rid_len + OP_DER_TIME_LEN + op_der_tlv_len(op_der_tlv_len(single));
	if (op_der_tlv_len(tbs) > s->tbs_max)
		return op_err_set(OP_E_RANGE, "response too long");
	p = op_der_hdr(p, OP_DER_SEQUENCE, tbs);
	p = op_der_put(p, s->rid, s->rid_len);
	if ((rc = op_der_put_time(&p, in->produced_at)) != 0)
		return rc;
	p = op_der_hdr(p, OP_DER_SEQUENCE, op_der_tlv_len(single));
	p = op_der_hdr(p, OP_DER_SEQUENCE, single);
	p = op_der_hdr(p, OP_DER_SEQUENCE, cid);
	p = op_der_put(p, s->cid[form], s->cid_len[form]);
	p = op_der_put(op_der_hdr(p, OP_DER_INTEGER, in->serial_len),
		       in->serial, in->serial_len);
	if ((rc = put_status(in, st, &p)) != 0 ||
	    (rc = op_der_put_time(&p, in->this_update)) != 0)
		return rc;
	p = op_der_hdr(p, OP_DER_CTX(0), OP_DER_TIME_LEN);	/* nextUpdate [0] EXPLICIT */
	if ((rc = op_der_put_time(&p, in->next_update)) != 0 ||
	    (exts && (rc = put_exts(s, w, in, exts, &p)) != 0))
		return rc;
	*len = (size_t)(p - w->tbs);
	return 0;
}

static int sign_tbs(const struct gen_resp_signer *s, struct worker *w,
		    size_t tbs_len, size_t *sig_len)
{
	unsigned char dgst[EVP_MAX_MD_SIZE];
	unsigned int dlen;

	*sig_len = s->sig_max;
	if (EVP_DigestInit_ex2(w->md, s->md, NULL) != 1 ||
	    EVP_DigestUpdate(w->md, w->tbs, tbs_len) != 1 ||
	    EVP_DigestFinal_ex(w->md, dgst, &dlen) != 1 ||
	    EVP_PKEY_sign(w->pk, w->sig, sig_len, dgst, dlen) != 1)
		return op_err_ssl(OP_E_CRYPTO, "signing a response");
	return 0;
}

int gen_resp_make(struct gen_resp_signer *s, int worker,
		  const struct gen_resp_in *in, unsigned char **der,
		  size_t *der_len)
{
	struct worker *w = &s->w[worker];
	size_t tbs_len = 0, sig_len = 0, basic;
	uint8_t *p;
	int rc;

	*der = NULL;
	if (slot(in->hash) < 0 || in->serial_len == 0 ||
	    in->serial_len > OP_SERIAL_MAX)
		return op_err_set(OP_E_RANGE, "bad CertID hash or serial");
	if ((rc = write_tbs(s, w, in, &tbs_len)) != 0 ||
	    (rc = sign_tbs(s, w, tbs_len, &sig_len)) != 0)
		return rc;
	/* BasicOCSPResponse { tbs, alg, BIT STRING sig, certs } in op_rec's
	 * wrapping */
	basic = tbs_len + s->alg_len + op_der_tlv_len(sig_len + 1) + s->certs_len;
	if (!(*der = OPENSSL_malloc(op_rec_wrap_len(basic) + basic)))
		return OP_E_NOMEM;
	p = op_rec_wrap(*der, basic);
	p = op_der_put(p, w->tbs, tbs_len);
	p = op_der_put(p, s->alg, s->alg_len);
	p = op_der_hdr(p, OP_DER_BIT_STRING, sig_len + 1);
	*p++ = 0;				/* no unused bits */
	p = op_der_put(p, w->sig, sig_len);
	if (s->certs)
		p = op_der_put(p, s->certs, s->certs_len);
	*der_len = (size_t)(p - *der);
	return 0;
}
