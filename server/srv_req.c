#include "srv_req.h"
#include "op_der.h"
#include "op_hex.h"

#include <string.h>

/* CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash,
 * serialNumber }, its contents in c. */
static int parse_certid(struct op_der *c, uint8_t *key, size_t *keylen)
{
	struct op_der alg, oid, nh, kh, null;
	const uint8_t *sn;
	size_t snl;
	int hash, has_null;

	if (op_der_expect(c, OP_DER_SEQUENCE, &alg) ||
	    op_der_expect(&alg, OP_DER_OID, &oid))
		return SRV_REQ_MALFORMED;
	/* Parameters absent or NULL: both are seen in the wild, and the
	 * key says which (op_key.h), so the answer repeats the form asked. */
	has_null = !op_der_done(&alg);
	if (has_null && (op_der_last(&alg, OP_DER_NULL, &null) || !op_der_done(&null)))
		return SRV_REQ_MALFORMED;
	if (op_der_expect(c, OP_DER_OCTET_STRING, &nh) ||
	    op_der_expect(c, OP_DER_OCTET_STRING, &kh) ||
	    op_der_integer(c, &sn, &snl) || !op_der_done(c))
		return SRV_REQ_MALFORMED;
	hash = op_hash_from_oid(oid.p, (size_t)(oid.end - oid.p));
	if (hash == OP_HASH_NONE)
		return SRV_REQ_UNKNOWN_HASH;
	if (op_key_make(key, keylen, op_hash_tag(hash, has_null), nh.p,
			(size_t)(nh.end - nh.p), kh.p, (size_t)(kh.end - kh.p),
			sn, snl) != 0)
		return SRV_REQ_MALFORMED;
	return SRV_REQ_OK;
}

int srv_req_parse(const uint8_t *der, size_t len, uint8_t key[OP_KEY_MAX],
		  size_t *keylen)
{
	struct op_der d, req, tbs, list, one, certid, skip;

	op_der_init(&d, der, len);
	/* OCSPRequest ::= SEQUENCE { tbsRequest, [0] optionalSignature } */
	if (op_der_last(&d, OP_DER_SEQUENCE, &req) ||
	    op_der_expect(&req, OP_DER_SEQUENCE, &tbs) ||
	    op_der_optional(&req, OP_DER_CTX(0), &skip) < 0 || !op_der_done(&req))
		return SRV_REQ_MALFORMED;
	/* TBSRequest: [0] version, [1] requestorName, requestList, [2] exts */
	if (op_der_optional(&tbs, OP_DER_CTX(0), &skip) < 0 ||
	    op_der_optional(&tbs, OP_DER_CTX(1), &skip) < 0 ||
	    op_der_expect(&tbs, OP_DER_SEQUENCE, &list) ||
	    op_der_optional(&tbs, OP_DER_CTX(2), &skip) < 0 || !op_der_done(&tbs))
		return SRV_REQ_MALFORMED;
	/* Exactly one Request ::= SEQUENCE { reqCert CertID, [0] exts } */
	if (op_der_last(&list, OP_DER_SEQUENCE, &one) ||
	    op_der_expect(&one, OP_DER_SEQUENCE, &certid) ||
	    op_der_optional(&one, OP_DER_CTX(0), &skip) < 0 || !op_der_done(&one))
		return SRV_REQ_MALFORMED;
	return parse_certid(&certid, key, keylen);
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int srv_req_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		       size_t *outlen)
{
	uint32_t acc = 0;
	size_t o = 0, bits = 0, i;

	while (n > 0 && in[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64val((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*outlen = o;
	return 0;
}

int srv_req_get_decode(const char *path, size_t pathlen, const char *prefix,
		       uint8_t *out, size_t cap, size_t *outlen)
{
	char b64[16384];
	size_t plen = strlen(prefix), n = 0;

	if (pathlen < plen + 1 || memcmp(path, prefix, plen) != 0 ||
	    path[plen] != '/')
		return -1;
	path += plen + 1;
	pathlen -= plen + 1;
	/* A query string is not part of the request. */
	for (size_t i = 0; i < pathlen && path[i] != '?'; i++) {
		int c = (unsigned char)path[i];

		if (c == '%') {
			if (i + 2 >= pathlen ||
			    (c = op_hex_octet(path + i + 1)) < 0)
				return -2;
			i += 2;
		}
		if (n == sizeof(b64))
			return -2;
		b64[n++] = (char)c;
	}
	if (n == 0 || srv_req_b64_decode(b64, n, out, cap, outlen) != 0)
		return -2;
	return 0;
}
