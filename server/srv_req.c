#include "srv_req.h"

#include <string.h>

struct der {
	const uint8_t *p, *end;
};

/* Read one TLV: tag must equal want (any tag if want < 0).  Sets *val and
 * *vlen; advances d past it.  Only definite lengths up to 4 octets. */
static int tlv(struct der *d, int want, int *tag, const uint8_t **val,
	       size_t *vlen)
{
	size_t len, n;

	if (d->end - d->p < 2)
		return -1;
	*tag = d->p[0];
	if (want >= 0 && *tag != want)
		return -1;
	len = d->p[1];
	d->p += 2;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0 || n > 4 || (size_t)(d->end - d->p) < n)
			return -1;
		for (len = 0; n > 0; n--)
			len = (len << 8) | *d->p++;
	}
	if ((size_t)(d->end - d->p) < len)
		return -1;
	*val = d->p;
	*vlen = len;
	d->p += len;
	return 0;
}

static int peek(const struct der *d)
{
	return d->p < d->end ? d->p[0] : -1;
}

static int parse_certid(const uint8_t *p, size_t n, uint8_t *key, size_t *keylen)
{
	struct der c = { p, p + n }, alg;
	const uint8_t *v, *oid, *nh, *kh, *sn;
	size_t vl, oidl, nhl, khl, snl;
	int tag, hash, null = 0;

	/* CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash,
	 *                      issuerKeyHash, serialNumber } */
	if (tlv(&c, 0x30, &tag, &v, &vl) || c.p != c.end)
		return SRV_REQ_MALFORMED;
	c.p = v;
	c.end = v + vl;
	if (tlv(&c, 0x30, &tag, &v, &vl))
		return SRV_REQ_MALFORMED;
	alg.p = v;
	alg.end = v + vl;
	if (tlv(&alg, 0x06, &tag, &oid, &oidl))
		return SRV_REQ_MALFORMED;
	/* Parameters absent or NULL: both are seen in the wild, and the
	 * key says which (op_key.h), so the answer repeats the form asked. */
	if (alg.p != alg.end) {
		if (tlv(&alg, 0x05, &tag, &v, &vl) || vl != 0 || alg.p != alg.end)
			return SRV_REQ_MALFORMED;
		null = 1;
	}
	if (tlv(&c, 0x04, &tag, &nh, &nhl) || tlv(&c, 0x04, &tag, &kh, &khl) ||
	    tlv(&c, 0x02, &tag, &sn, &snl) || c.p != c.end || snl == 0)
		return SRV_REQ_MALFORMED;
	hash = op_hash_from_oid(oid, oidl);
	if (hash == OP_HASH_NONE)
		return SRV_REQ_UNKNOWN_HASH;
	if (op_key_make(key, keylen, op_key_tag(hash, null), nh, nhl, kh, khl,
			sn, snl) != 0)
		return SRV_REQ_MALFORMED;
	return SRV_REQ_OK;
}

int srv_req_parse(const uint8_t *der, size_t len, uint8_t key[OP_KEY_MAX],
		  size_t *keylen)
{
	struct der d = { der, der + len }, req, tbs, list, one;
	const uint8_t *v, *certid;
	size_t vl, certidl;
	int tag;

	/* OCSPRequest ::= SEQUENCE { tbsRequest, [0] optionalSignature } */
	if (tlv(&d, 0x30, &tag, &v, &vl) || d.p != d.end)
		return SRV_REQ_MALFORMED;
	req.p = v;
	req.end = v + vl;
	if (tlv(&req, 0x30, &tag, &v, &vl))
		return SRV_REQ_MALFORMED;
	tbs.p = v;
	tbs.end = v + vl;
	if (req.p != req.end && (tlv(&req, 0xa0, &tag, &v, &vl) || req.p != req.end))
		return SRV_REQ_MALFORMED;
	/* TBSRequest: [0] version, [1] requestorName, requestList, [2] exts */
	if (peek(&tbs) == 0xa0 && tlv(&tbs, 0xa0, &tag, &v, &vl))
		return SRV_REQ_MALFORMED;
	if (peek(&tbs) == 0xa1 && tlv(&tbs, 0xa1, &tag, &v, &vl))
		return SRV_REQ_MALFORMED;
	if (tlv(&tbs, 0x30, &tag, &v, &vl))
		return SRV_REQ_MALFORMED;
	list.p = v;
	list.end = v + vl;
	if (tbs.p != tbs.end && (tlv(&tbs, 0xa2, &tag, &v, &vl) || tbs.p != tbs.end))
		return SRV_REQ_MALFORMED;
	/* Exactly one Request ::= SEQUENCE { reqCert CertID, [0] exts } */
	if (tlv(&list, 0x30, &tag, &v, &vl) || list.p != list.end)
		return SRV_REQ_MALFORMED;
	one.p = v;
	one.end = v + vl;
	certid = one.p;
	if (tlv(&one, 0x30, &tag, &v, &vl))
		return SRV_REQ_MALFORMED;
	certidl = (size_t)(one.p - certid);
	if (one.p != one.end && (tlv(&one, 0xa0, &tag, &v, &vl) || one.p != one.end))
		return SRV_REQ_MALFORMED;
	return parse_certid(certid, certidl, key, keylen);
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

static int hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
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
			int hi, lo;

			if (i + 2 >= pathlen)
				return -2;
			hi = hexv((unsigned char)path[i + 1]);
			lo = hexv((unsigned char)path[i + 2]);
			if (hi < 0 || lo < 0)
				return -2;
			c = hi << 4 | lo;
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
