#include "op_key.h"
#include "op_der.h"
#include "op_err.h"
#include "op_hex.h"

#include <string.h>
#include <strings.h>
#include <openssl/obj_mac.h>

static const struct {
	const char *name, *null_name;
	size_t len;
	int nid;
	uint8_t oid[9];		/* content octets of the OID */
	uint8_t oid_len;
} hashes[OP_HASH_COUNT + 1] = {
	[OP_HASH_SHA1] = { "sha1", NULL, 20, NID_sha1,
		{ 0x2b, 0x0e, 0x03, 0x02, 0x1a }, 5 },
	[OP_HASH_SHA256] = { "sha256", "sha256-null", 32, NID_sha256,
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 9 },
	[OP_HASH_SHA384] = { "sha384", "sha384-null", 48, NID_sha384,
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 9 },
	[OP_HASH_SHA512] = { "sha512", "sha512-null", 64, NID_sha512,
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 9 },
};

int op_tag_hash(int tag)
{
	int h = tag & ~OP_TAG_NULL;

	/* The NULL form exists only for the hashes that have a name for it. */
	if (h <= 0 || h > OP_HASH_COUNT || tag & ~0xff ||
	    ((tag & OP_TAG_NULL) && !hashes[h].null_name))
		return OP_HASH_NONE;
	return h;
}

int op_key_tag(int hash, int null)
{
	if (op_tag_hash(hash) == OP_HASH_NONE || (hash & OP_TAG_NULL))
		return OP_HASH_NONE;
	return null && hashes[hash].null_name ? hash | OP_TAG_NULL : hash;
}

int op_key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c || alen == blen)
		return c;
	return alen < blen ? -1 : 1;
}

size_t op_hash_len(int tag)
{
	int h = op_tag_hash(tag);

	return h ? hashes[h].len : 0;
}

const char *op_hash_name(int tag)
{
	int h = op_tag_hash(tag);

	return !h ? "?" : tag & OP_TAG_NULL ? hashes[h].null_name : hashes[h].name;
}

int op_hash_from_name(const char *name)
{
	for (int t = 1; t <= OP_HASH_COUNT; t++) {
		if (strcasecmp(name, hashes[t].name) == 0)
			return t;
		if (hashes[t].null_name && strcasecmp(name, hashes[t].null_name) == 0)
			return t | OP_TAG_NULL;
	}
	return OP_HASH_NONE;
}

const uint8_t *op_hash_oid(int tag, size_t *len)
{
	int h = op_tag_hash(tag);

	*len = h ? hashes[h].oid_len : 0;
	return h ? hashes[h].oid : NULL;
}

int op_hash_from_oid(const uint8_t *oid, size_t len)
{
	for (int t = 1; t <= OP_HASH_COUNT; t++)
		if (len == hashes[t].oid_len && memcmp(oid, hashes[t].oid, len) == 0)
			return t;
	return OP_HASH_NONE;
}

int op_hash_from_nid(int nid)
{
	for (int t = 1; t <= OP_HASH_COUNT; t++)
		if (hashes[t].nid == nid)
			return t;
	return OP_HASH_NONE;
}

int op_hash_nid(int tag)
{
	int h = op_tag_hash(tag);

	return h ? hashes[h].nid : NID_undef;
}

int op_serial_normalize(const uint8_t *in, size_t inlen,
			uint8_t *out, size_t *outlen)
{
	if (inlen == 0)
		return op_err_set(OP_E_PARSE, "empty serial number");
	/* A leading 00 is redundant when the next octet is positive, FF when
	 * the next is negative; DER forbids both but clients send them. */
	while (inlen > 1 && ((in[0] == 0x00 && !(in[1] & 0x80)) ||
			     (in[0] == 0xff && (in[1] & 0x80)))) {
		in++;
		inlen--;
	}
	if (inlen > OP_SERIAL_MAX)
		return op_err_set(OP_E_RANGE, "serial number longer than %d octets",
				  OP_SERIAL_MAX);
	memcpy(out, in, inlen);
	*outlen = inlen;
	return 0;
}

int op_serial_from_hex(const char *hex, size_t n, uint8_t *out, size_t *outlen)
{
	uint8_t buf[OP_SERIAL_MAX + 1];
	size_t len, i;

	if (n == 0)
		return op_err_set(OP_E_PARSE, "empty serial number");
	for (i = 0; i < n; i++)
		if (op_hex_digit((unsigned char)hex[i]) < 0)
			return op_err_set(OP_E_PARSE, "serial '%.*s': '%c' is not "
					  "a hex digit", (int)n, hex, hex[i]);
	while (n > 1 && hex[0] == '0') {
		hex++;
		n--;
	}
	/* One spare octet for the 00 that keeps a high bit positive. */
	len = (n + 1) / 2;
	if (len > OP_SERIAL_MAX)
		return op_err_set(OP_E_RANGE, "serial '%.*s' longer than %d octets",
				  (int)n, hex, OP_SERIAL_MAX);
	/* Fill octets from the right so an odd digit count needs no shift. */
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < n; i++) {
		size_t pos = n - 1 - i;		/* digit index from the right */
		int v = op_hex_digit((unsigned char)hex[pos]);

		buf[1 + len - 1 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
	}
	if (buf[1] & 0x80)
		return op_serial_normalize(buf, len + 1, out, outlen);
	return op_serial_normalize(buf + 1, len, out, outlen);
}

void op_serial_hex(const uint8_t *s, size_t len, char *buf)
{
	static const char digit[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = digit[s[i] >> 4];
		buf[2 * i + 1] = digit[s[i] & 15];
	}
	buf[2 * len] = '\0';
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

int op_serial_from_asn1(const ASN1_INTEGER *ai, uint8_t *out, size_t *outlen)
{
	unsigned char der[OP_SERIAL_MAX + 16], *p = der;
	const uint8_t *v;
	size_t vlen;
	struct op_der d;
	int n = i2d_ASN1_INTEGER((ASN1_INTEGER *)ai, NULL);

	if (n <= 2 || n > (int)sizeof(der))
		return op_err_set(OP_E_RANGE, "serial number longer than %d octets",
				  OP_SERIAL_MAX);
	i2d_ASN1_INTEGER((ASN1_INTEGER *)ai, &p);
	op_der_init(&d, der, (size_t)n);
	if (op_der_integer(&d, &v, &vlen) != 0)
		return op_err_set(OP_E_PARSE, "serial number: not a DER INTEGER");
	return op_serial_normalize(v, vlen, out, outlen);
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
			   op_key_tag(op_hash_from_nid(OBJ_obj2nid(alg)),
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
