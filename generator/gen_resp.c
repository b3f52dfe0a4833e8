#include "gen_resp.h"
#include "op_err.h"
#include "op_key.h"
#include "op_rec.h"

#include <string.h>
#include <openssl/err.h>

OCSP_CERTID *gen_resp_certid(X509 *ca, int hash, const uint8_t *serial,
			     size_t serial_len)
{
	/* Rebuild DER so OpenSSL parses the sign from the content octets. */
	unsigned char der[OP_SERIAL_MAX + 2];
	const unsigned char *p = der;
	ASN1_INTEGER *ai;
	OCSP_CERTID *cid;

	der[0] = V_ASN1_INTEGER;
	der[1] = (unsigned char)serial_len;
	memcpy(der + 2, serial, serial_len);
	if (!(ai = d2i_ASN1_INTEGER(NULL, &p, (long)serial_len + 2)))
		return NULL;
	cid = OCSP_cert_id_new(EVP_get_digestbynid(op_hash_nid(hash)),
			       X509_get_subject_name(ca),
			       X509_get0_pubkey_bitstr(ca), ai);
	ASN1_INTEGER_free(ai);
	return cid;
}

/* SHA-256 for RSA and P-256, SHA-384 for larger EC keys. */
static const EVP_MD *sig_md(EVP_PKEY *key)
{
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) > 256)
		return EVP_sha384();
	return EVP_sha256();
}

int gen_resp_sign(const struct gen_resp_signer *s, OCSP_CERTID *cid,
		  int status, int reason, int64_t rev_time, int64_t this_update,
		  int64_t next_update, unsigned char **der, int *der_len)
{
	OCSP_BASICRESP *bs = NULL;
	OCSP_RESPONSE *resp = NULL;
	EVP_MD_CTX *mctx = NULL;
	ASN1_TIME *tu = NULL, *nu = NULL, *rt = NULL;
	unsigned long flags = (s->by_name ? 0 : OCSP_RESPID_KEY) |
			      (s->include_cert ? 0 : OCSP_NOCERTS);
	int rc = OP_E_CRYPTO;

	*der = NULL;
	if (!(bs = OCSP_BASICRESP_new()) || !(mctx = EVP_MD_CTX_new()) ||
	    !(tu = ASN1_TIME_set(NULL, (time_t)this_update)) ||
	    !(nu = ASN1_TIME_set(NULL, (time_t)next_update)))
		goto err;
	/* GeneralizedTime is what RFC 6960 prescribes for every time field. */
	if (!ASN1_TIME_to_generalizedtime(tu, &tu) ||
	    !ASN1_TIME_to_generalizedtime(nu, &nu))
		goto err;
	if (status == OP_STATUS_REVOKED) {
		if (!(rt = ASN1_TIME_set(NULL, (time_t)rev_time)) ||
		    !ASN1_TIME_to_generalizedtime(rt, &rt))
			goto err;
	}
	if (!OCSP_basic_add1_status(bs, cid,
				    status == OP_STATUS_REVOKED ?
				    V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD,
				    reason == OP_REASON_NONE ? OCSP_REVOKED_STATUS_NOSTATUS
							     : reason,
				    rt, tu, nu))
		goto err;
	if (EVP_DigestSignInit(mctx, NULL, sig_md(s->key), NULL, s->key) != 1 ||
	    OCSP_basic_sign_ctx(bs, s->cert, mctx, NULL, flags) != 1)
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
	OCSP_RESPONSE_free(resp);
	ASN1_TIME_free(rt);
	ASN1_TIME_free(nu);
	ASN1_TIME_free(tu);
	EVP_MD_CTX_free(mctx);
	OCSP_BASICRESP_free(bs);
	return rc;
}
