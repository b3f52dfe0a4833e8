#include "op_key.h"
#include "op_der.h"
#include "op_err.h"

#include <string.h>
#include <strings.h>
#include <openssl/obj_mac.h>

int op_key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c || alen == blen)
		return c;
	return alen < blen ? -1 : 1;
}

int op_key_make(uint8_t key[OP_KEY_MAX], size_t *keylen, int tag,
		const uint8_t *name_hash, size_t name_len,
		const uint8_t *key_hash, size_t key_len,
		const uint8_t *serial, size_t serial_len)
{
	size_t h = op_hash_len(tag), slen;
	int rc;

	if (h == 0)
		return op_err_set(OP_E_PARSE, "unsupported CertID hash algorithm");
	if (name_len != h || key_len != h)
		return op_err_set(OP_E_PARSE, "CertID hash length %zu/%zu, "
				  "expected %zu for %s", name_len, key_len, h,
				  op_hash_name(tag));
	rc = op_serial_normalize(serial, serial_len, key + 1 + 2 * h, &slen);
	if (rc)
		return rc;
	key[0] = (uint8_t)tag;
	memcpy(key + 1, name_hash, h);
	memcpy(key + 1 + h, key_hash, h);
	*keylen = 1 + 2 * h + slen;
	return 0;
}

/* Whether the CertID's hashAlgorithm has parameters (NULL): OpenSSL's
 * structure does not say, its DER does. */
static int certid_null_params(const OCSP_CERTID *cid)
{
	unsigned char *der = NULL;
	int len = i2d_OCSP_CERTID((OCSP_CERTID *)cid, &der), null = 0;
	struct op_der d, c, alg, x;

	op_der_init(&d, der, len > 0 ? (size_t)len : 0);
	if (len > 0 && op_der_expect(&d, OP_DER_SEQUENCE, &c) == 0 &&
	    op_der_expect(&c, OP_DER_SEQUENCE, &alg) == 0 &&
	    op_der_expect(&alg, OP_DER_OID, &x) == 0)
		null = op_der_optional(&alg, OP_DER_NULL, &x) == 1;
	OPENSSL_free(der);
	return null;
}

int op_key_from_certid(const OCSP_CERTID *cid, uint8_t key[OP_KEY_MAX],
		       size_t *keylen)
{
	ASN1_OCTET_STRING *nh, *kh;
	ASN1_OBJECT *alg;
	ASN1_INTEGER *serial;
	uint8_t s[OP_SERIAL_MAX];
	size_t slen;
	int rc;

	if (!OCSP_id_get0_info(&nh, &alg, &kh, &serial, (OCSP_CERTID *)cid))
		return op_err_set(OP_E_PARSE, "incomplete CertID");
	if ((rc = op_serial_from_asn1(serial, s, &slen)) != 0)
		return rc;
	return op_key_make(key, keylen,
			   op_hash_tag(op_hash_from_nid(OBJ_obj2nid(alg)),
				      certid_null_params(cid)),
			   ASN1_STRING_get0_data(nh), (size_t)ASN1_STRING_length(nh),
			   ASN1_STRING_get0_data(kh), (size_t)ASN1_STRING_length(kh),
			   s, slen);
}
size_t op_key_issuer_len(const uint8_t *key, size_t keylen)
{
	size_t h;

	if (keylen < 1 || (h = op_hash_len(key[0])) == 0 || keylen <= 1 + 2 * h)
		return 0;
	return 1 + 2 * h;
}

int op_key_issuer_prefix(X509 *ca, int tag, uint8_t prefix[OP_KEY_MAX],
			 size_t *len)
{
	const EVP_MD *md = EVP_get_digestbynid(op_hash_nid(tag));
	const ASN1_BIT_STRING *pub = X509_get0_pubkey_bitstr(ca);
	size_t h = op_hash_len(tag);
	unsigned int nl = 0, kl = 0;

	if (h == 0 || !md)
		return op_err_set(OP_E_PARSE, "unsupported CertID hash algorithm");
	/* What OCSP_cert_id_new hashes: the DER name and the key's bits. */
	if (!pub || !X509_NAME_digest(X509_get_subject_name(ca), md,
				      prefix + 1, &nl) ||
	    !EVP_Digest(pub->data, (size_t)pub->length, prefix + 1 + h, &kl, md,
			NULL) || nl != h || kl != h)
		return op_err_ssl(OP_E_CRYPTO, "hashing the issuer's name and key");
	prefix[0] = (uint8_t)tag;
	*len = 1 + 2 * h;
	return 0;
}

int op_key_from_issuer(X509 *ca, int tag, const uint8_t *serial,
		       size_t serial_len, uint8_t key[OP_KEY_MAX], size_t *keylen)
{
	uint8_t p[OP_KEY_MAX];
	size_t plen, h = op_hash_len(tag);
	int rc;

	if ((rc = op_key_issuer_prefix(ca, tag, p, &plen)) != 0)
		return rc;
	return op_key_make(key, keylen, tag, p + 1, h, p + 1 + h, h, serial,
			   serial_len);
}
