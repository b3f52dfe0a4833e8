#include "db_verify.h"
#include "op_err.h"
#include "op_key.h"
#include "op_time.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#define NSIGNERS 64	/* signers remembered; more are checked again */

/* What is known about one responder certificate for one issuer. */
struct signer {
	uint8_t id[SHA256_DIGEST_LENGTH];	/* SHA-256 of its DER */
	uint8_t prefix[OP_KEY_MAX];		/* issuer prefix of the keys */
	size_t plen;
	int used;
	int rc;			/* 0: authorised (or unanchored) */
	int anchored;		/* checked against the issuer's certificate */
	char why[160];
};

struct db_verifier {
	STACK_OF(X509) *certs;
	int64_t now;
	int allow_expired;
	int format;		/* of the file the responses come from */
	struct signer s[NSIGNERS];
	size_t next;		/* slot replaced when all are used */
	size_t unanchored;
};

int db_verify_new(STACK_OF(X509) *certs, int64_t now, int allow_expired,
		    struct db_verifier **out)
{
	struct db_verifier *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!v)
		return OP_E_NOMEM;
	v->certs = certs ? X509_chain_up_ref(certs) : sk_X509_new_null();
	if (!v->certs) {
		free(v);
		return OP_E_NOMEM;
	}
	v->now = now;
	v->allow_expired = allow_expired;
	v->format = 3;
	*out = v;
	return 0;
}

void db_verify_set_format(struct db_verifier *v, int format)
{
	v->format = format;
}

void db_verify_free(struct db_verifier *v)
{
	if (!v)
		return;
	sk_X509_pop_free(v->certs, X509_free);
	free(v);
}

size_t db_verify_unanchored(const struct db_verifier *v)
{
	return v->unanchored;
}

static int responder_is(X509 *c, const ASN1_OCTET_STRING *keyid,
			const X509_NAME *name)
{
	unsigned char md[SHA_DIGEST_LENGTH];
	unsigned int n;

	if (name)
		return X509_NAME_cmp(X509_get_subject_name(c), name) == 0;
	return keyid && ASN1_STRING_length(keyid) == SHA_DIGEST_LENGTH &&
	       X509_pubkey_digest(c, EVP_sha1(), md, &n) &&
	       memcmp(md, ASN1_STRING_get0_data(keyid), SHA_DIGEST_LENGTH) == 0;
}

/* The first certificate of sk matching the responder ID, or NULL. */
static X509 *find_responder(STACK_OF(X509) *sk, const ASN1_OCTET_STRING *keyid,
			    const X509_NAME *name)
{
	for (int i = 0; i < sk_X509_num(sk); i++)
		if (responder_is(sk_X509_value(sk, i), keyid, name))
			return sk_X509_value(sk, i);
	return NULL;
}

/* A certificate of sk whose name and key hash to prefix, or NULL. */
static X509 *find_issuer(STACK_OF(X509) *sk, const uint8_t *prefix, size_t plen)
{
	uint8_t p[OP_KEY_MAX];
	size_t n;

	for (int i = 0; i < sk_X509_num(sk); i++)
		if (op_key_issuer_prefix(sk_X509_value(sk, i), prefix[0], p, &n) == 0 &&
		    n == plen && memcmp(p, prefix, plen) == 0)
			return sk_X509_value(sk, i);
	return NULL;
}

/* RFC 6960 4.2.2.2: the CA itself, or a certificate it issued for
 * id-kp-OCSPSigning.  Without the issuer's certificate only the first
 * case can be told; the rest is left to the signature. */
static void authorise(struct db_verifier *v, struct signer *e, X509 *signer,
		      STACK_OF(X509) *carried)
{
	uint8_t p[OP_KEY_MAX];
	size_t n;
	X509 *ca;

	e->rc = 0;
	e->anchored = 1;
	if (op_key_issuer_prefix(signer, e->prefix[0], p, &n) == 0 &&
	    n == e->plen && memcmp(p, e->prefix, n) == 0)
		return;		/* the CA signs its own responses */
	if (!(ca = find_issuer(v->certs, e->prefix, e->plen)) &&
	    !(ca = find_issuer(carried, e->prefix, e->plen))) {
		e->anchored = 0;
		v->unanchored++;
		return;
	}
	if (X509_check_issued(ca, signer) != X509_V_OK ||
	    X509_verify(signer, X509_get0_pubkey(ca)) != 1)
		snprintf(e->why, sizeof(e->why), "the responder certificate is "
			 "not issued by the issuer");
	else if (!(X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) ||
		 !(X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN))
		snprintf(e->why, sizeof(e->why), "the responder certificate lacks "
			 "id-kp-OCSPSigning");
	else
		return;
	e->rc = OP_E_SIGNER;
}

static struct signer *signer_state(struct db_verifier *v, X509 *signer,
				   const uint8_t *prefix, size_t plen,
				   STACK_OF(X509) *carried)
{
	uint8_t id[SHA256_DIGEST_LENGTH];
	unsigned int n;
	struct signer *e;

	if (!X509_digest(signer, EVP_sha256(), id, &n))
		return NULL;
	for (size_t i = 0; i < NSIGNERS && v->s[i].used; i++) {
		e = &v->s[i];
		if (e->plen == plen && memcmp(e->id, id, sizeof(id)) == 0 &&
		    memcmp(e->prefix, prefix, plen) == 0)
			return e;
	}
	e = &v->s[v->next];
	v->next = (v->next + 1) % NSIGNERS;
	memset(e, 0, sizeof(*e));
	memcpy(e->id, id, sizeof(id));
	memcpy(e->prefix, prefix, plen);
	e->plen = plen;
	e->used = 1;
	authorise(v, e, signer, carried);
	return e;
}

static int check_signature(struct db_verifier *v, OCSP_BASICRESP *bs,
			   const uint8_t *key, size_t klen,
			   const struct op_rec *rec)
{
	const ASN1_OCTET_STRING *keyid = NULL;
	const X509_NAME *name = NULL;
	STACK_OF(X509) *carried = (STACK_OF(X509) *)OCSP_resp_get0_certs(bs);
	size_t plen = op_key_issuer_len(key, klen);
	struct signer *e;
	X509 *signer;

	if (!OCSP_resp_get0_id(bs, &keyid, &name))
		return op_err_set(OP_E_FORMAT, "no responder ID");
	if (!(signer = find_responder(carried, keyid, name)) &&
	    !(signer = find_responder(v->certs, keyid, name)))
		return op_err_set(OP_E_SIGNER, "the responder's certificate is "
				  "neither in the response nor given with --issuer");
	if (!(e = signer_state(v, signer, key, plen, carried)))
		return op_err_ssl(OP_E_NOMEM, "certificate digest");
	if (e->rc)
		return op_err_set(e->rc, "%s", e->why);
	if (memcmp(e->id, rec->signer_id, OP_REC_SIGNER_ID) != 0)
		return op_err_set(OP_E_FORMAT, "the header's signer id is not "
				  "the responder's certificate");
	if (ASN1_item_verify(ASN1_ITEM_rptr(OCSP_RESPDATA),
			     OCSP_resp_get0_tbs_sigalg(bs),
			     OCSP_resp_get0_signature(bs),
			     OCSP_resp_get0_respdata(bs),
			     X509_get0_pubkey(signer)) != 1)
		return op_err_set(OP_E_SIGNER, "the signature does not verify");
	return 0;
}

/* Status, reason and times of the SingleResponse against the header. */
static int check_header(struct db_verifier *v, OCSP_SINGLERESP *one,
			const struct op_rec *rec)
{
	ASN1_GENERALIZEDTIME *rt = NULL, *tu = NULL, *nu = NULL;
	int reason = -1, st = OCSP_single_get0_status(one, &reason, &rt, &tu, &nu);
	int64_t rev = 0, thisu, nextu;
	int want = rec->status == OP_STATUS_REVOKED ? V_OCSP_CERTSTATUS_REVOKED :
		   V_OCSP_CERTSTATUS_GOOD;

	if (st != want)
		return op_err_set(OP_E_FORMAT, "status %s in the DER, %s in the "
				  "header", OCSP_cert_status_str(st),
				  OCSP_cert_status_str(want));
	if (op_time_from_asn1(tu, &thisu) || !nu || op_time_from_asn1(nu, &nextu) ||
	    (rt && op_time_from_asn1(rt, &rev)))
		return op_err_set(OP_E_FORMAT, "missing or unreadable times");
	if (thisu != rec->this_update || nextu != rec->next_update)
		return op_err_set(OP_E_FORMAT, "thisUpdate/nextUpdate in the DER "
				  "differ from the header");
	if (st == V_OCSP_CERTSTATUS_REVOKED &&
	    (rev != rec->rev_time ||
	     (reason < 0 ? OP_REASON_NONE : reason) != rec->reason))
		return op_err_set(OP_E_FORMAT, "revocation time or reason in the "
				  "DER differs from the header");
	if (!v->allow_expired && (thisu > v->now || nextu <= v->now))
		return op_err_set(OP_E_RANGE, "outside its validity window "
				  "(thisUpdate..nextUpdate)");
	return 0;
}

static int check_body(struct db_verifier *v, OCSP_BASICRESP *bs,
		      const uint8_t *key, size_t klen, const struct op_rec *rec)
{
	uint8_t k[OP_KEY_MAX];
	size_t kl;
	OCSP_SINGLERESP *one;
	int rc;

	if (OCSP_resp_count(bs) != 1)
		return op_err_set(OP_E_FORMAT, "%d SingleResponses, expected 1",
				  OCSP_resp_count(bs));
	one = OCSP_resp_get0(bs, 0);
	if ((rc = op_key_from_certid(OCSP_SINGLERESP_get0_id(one), k, &kl)) != 0)
		return op_err_set(OP_E_FORMAT, "CertID unusable");
	/* Format 2 kept SHA-2 CertIDs with NULL parameters under the key of
	 * the other form (docs/db-format.txt). */
	if (kl != klen || memcmp(k + 1, key + 1, klen - 1) != 0 ||
	    (k[0] != key[0] && !(v->format == 2 && k[0] == (key[0] | OP_TAG_NULL))))
		return op_err_set(OP_E_FORMAT, "the CertID is not the record's key");
	if ((rc = check_header(v, one, rec)) != 0)
		return rc;
	return check_signature(v, bs, key, klen, rec);
}

int db_verify_response(struct db_verifier *v, const uint8_t *key, size_t klen,
		       const struct op_rec *rec, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	unsigned char md[SHA256_DIGEST_LENGTH], *re = NULL;
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *bs = NULL;
	int rc = OP_E_FORMAT, n;

	if (!(resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) || p != der + len) {
		op_err_ssl(rc, "not an OCSPResponse");
		goto out;
	}
	/* Parsing is lenient; what is served must be exactly DER. */
	n = i2d_OCSP_RESPONSE(resp, &re);
	if (n != (int)len || memcmp(re, der, len) != 0) {
		op_err_set(rc, "not in DER (re-encodes differently)");
		goto out;
	}
	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL ||
	    !(bs = OCSP_response_get1_basic(resp))) {
		op_err_ssl(rc, "not a successful basic response");
		goto out;
	}
	/* Last, so a damaged response is named by what is wrong inside. */
	if ((rc = check_body(v, bs, key, klen, rec)) == 0 &&
	    memcmp(SHA256(der, len, md), rec->etag, OP_REC_ETAG) != 0)
		rc = op_err_set(OP_E_FORMAT, "the ETag does not match the DER");
out:
	ERR_clear_error();	/* one response's errors are not the next's */
	OPENSSL_free(re);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	return rc;
}
