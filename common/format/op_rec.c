#include "op_rec.h"
#include "op_err.h"

#include <string.h>
#include <strings.h>
#include <openssl/sha.h>

void op_put_i64(uint8_t *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 7; i >= 0; i--, u >>= 8)
		p[i] = (uint8_t)u;
}

int64_t op_get_i64(const uint8_t *p)
{
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (int64_t)u;
}

/* The wrapping op_rec_emit() rebuilds: OCSPResponse SEQUENCE { responseStatus
 * successful, [0] EXPLICIT ResponseBytes SEQUENCE { id-pkix-ocsp-basic,
 * OCTET STRING { BasicOCSPResponse SEQUENCE { body, certs } } } }. */
static const uint8_t status_ok[] = { 0x0a, 0x01, 0x00 };
static const uint8_t basic_oid[] = { 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05,
				     0x07, 0x30, 0x01, 0x01 };

/* Octets of a DER tag and definite length for content of n octets. */
static size_t tl_len(size_t n)
{
	size_t l = 2;

	if (n < 0x80)
		return l;
	for (; n; n >>= 8)
		l++;
	return l;
}

static size_t put_tl(uint8_t *out, uint8_t tag, size_t n)
{
	size_t l = tl_len(n), i;

	out[0] = tag;
	if (l == 2) {
		out[1] = (uint8_t)n;
		return 2;
	}
	out[1] = (uint8_t)(0x80 | (l - 2));
	for (i = l - 1; i >= 2; i--, n >>= 8)
		out[i] = (uint8_t)n;
	return l;
}

/* Read one TLV at *p (before end) with tag; *p moves past its header,
 * *n receives the content length.  -1 unless well-formed and inside. */
static int get_tl(const uint8_t **p, const uint8_t *end, uint8_t tag, size_t *n)
{
	const uint8_t *q = *p;
	size_t len, k;

	if (end - q < 2 || q[0] != tag)
		return -1;
	len = q[1];
	q += 2;
	if (len & 0x80) {
		/* DER: the shortest form only, so emitting gives the input. */
		k = len & 0x7f;
		if (k == 0 || k > 4 || (size_t)(end - q) < k || q[0] == 0)
			return -1;
		for (len = 0; k > 0; k--)
			len = len << 8 | *q++;
		if (len < 0x80)
			return -1;
	}
	if ((size_t)(end - q) < len)
		return -1;
	*p = q;
	*n = len;
	return 0;
}

int op_rec_from_der(const uint8_t *der, size_t len, struct op_rec *rec)
{
	const uint8_t *p = der, *end = der + len, *basic_end;
	size_t n;

	/* Each wrapper must end exactly where its parent does. */
	if (get_tl(&p, end, 0x30, &n) || p + n != end ||
	    (size_t)(end - p) < sizeof(status_ok) ||
	    memcmp(p, status_ok, sizeof(status_ok)) != 0)
		goto bad;
	p += sizeof(status_ok);
	if (get_tl(&p, end, 0xa0, &n) || p + n != end ||
	    get_tl(&p, end, 0x30, &n) || p + n != end ||
	    (size_t)(end - p) < sizeof(basic_oid) ||
	    memcmp(p, basic_oid, sizeof(basic_oid)) != 0)
		goto bad;
	p += sizeof(basic_oid);
	if (get_tl(&p, end, 0x04, &n) || p + n != end ||
	    get_tl(&p, end, 0x30, &n) || p + n != end)
		goto bad;
	rec->body = p;
	/* tbsResponseData, signatureAlgorithm, signature, then maybe certs. */
	if (get_tl(&p, end, 0x30, &n) || (p += n, get_tl(&p, end, 0x30, &n)) ||
	    (p += n, get_tl(&p, end, 0x03, &n)))
		goto bad;
	p += n;
	rec->body_len = (size_t)(p - rec->body);
	rec->certs = NULL;
	rec->certs_len = 0;
	if (p != end) {
		basic_end = p;
		if (get_tl(&p, end, 0xa0, &n) || p + n != end)
			goto bad;
		rec->certs = basic_end;
		rec->certs_len = (size_t)(end - basic_end);
	}
	{
		uint8_t md[SHA256_DIGEST_LENGTH];

		SHA256(der, len, md);
		memcpy(rec->etag, md, OP_REC_ETAG);
	}
	return 0;
bad:
	return op_err_set(OP_E_FORMAT, "not a successful basic OCSP response");
}

size_t op_rec_size(const struct op_rec *rec)
{
	return OP_REC_HDR + rec->body_len +
	       (rec->flags & OP_REC_F_CERTS ? 0 : rec->certs_len);
}

void op_rec_encode(const struct op_rec *rec, uint8_t *buf)
{
	size_t stored = op_rec_size(rec) - OP_REC_HDR;
	uint32_t n = (uint32_t)stored;

	buf[0] = OP_REC_VERSION;
	buf[1] = rec->status;
	buf[2] = rec->reason;
	buf[3] = rec->flags;
	buf[4] = (uint8_t)(n >> 24);
	buf[5] = (uint8_t)(n >> 16);
	buf[6] = (uint8_t)(n >> 8);
	buf[7] = (uint8_t)n;
	op_put_i64(buf + 8, rec->this_update);
	op_put_i64(buf + 16, rec->next_update);
	op_put_i64(buf + 24, rec->rev_time);
	memcpy(buf + 32, rec->signer_id, OP_REC_SIGNER_ID);
	memcpy(buf + 40, rec->etag, OP_REC_ETAG);
	memcpy(buf + OP_REC_HDR, rec->body, rec->body_len);
	if (stored > rec->body_len)
		memcpy(buf + OP_REC_HDR + rec->body_len, rec->certs, rec->certs_len);
}

int op_rec_decode(const void *val, size_t len, struct op_rec *rec)
{
	const uint8_t *p = val;
	uint32_t n;

	if (len < OP_REC_HDR || p[0] != OP_REC_VERSION)
		return op_err_set(OP_E_FORMAT, "record: short or unknown version");
	n = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	if (n != len - OP_REC_HDR || n == 0 || p[1] > OP_STATUS_REVOKED)
		return op_err_set(OP_E_FORMAT, "record: inconsistent header");
	rec->status = p[1];
	rec->reason = p[2];
	rec->flags = p[3];
	rec->this_update = op_get_i64(p + 8);
	rec->next_update = op_get_i64(p + 16);
	rec->rev_time = op_get_i64(p + 24);
	memcpy(rec->signer_id, p + 32, OP_REC_SIGNER_ID);
	memcpy(rec->etag, p + 40, OP_REC_ETAG);
	rec->body = p + OP_REC_HDR;
	rec->body_len = n;
	rec->certs = NULL;
	rec->certs_len = 0;
	return 0;
}

/* Content lengths of the nested wrappers, innermost first. */
struct wrap {
	size_t basic, octets, bytes, explicit0, outer;
};

static void wrap_lengths(const struct op_rec *rec, struct wrap *w)
{
	w->basic = rec->body_len + rec->certs_len;
	w->octets = tl_len(w->basic) + w->basic;
	w->bytes = sizeof(basic_oid) + tl_len(w->octets) + w->octets;
	w->explicit0 = tl_len(w->bytes) + w->bytes;
	w->outer = sizeof(status_ok) + tl_len(w->explicit0) + w->explicit0;
}

size_t op_rec_served_len(const struct op_rec *rec)
{
	struct wrap w;

	wrap_lengths(rec, &w);
	return tl_len(w.outer) + w.outer;
}

size_t op_rec_emit(const struct op_rec *rec, uint8_t *out)
{
	struct wrap w;
	uint8_t *p = out;

	wrap_lengths(rec, &w);
	p += put_tl(p, 0x30, w.outer);
	memcpy(p, status_ok, sizeof(status_ok));
	p += sizeof(status_ok);
	p += put_tl(p, 0xa0, w.explicit0);
	p += put_tl(p, 0x30, w.bytes);
	memcpy(p, basic_oid, sizeof(basic_oid));
	p += sizeof(basic_oid);
	p += put_tl(p, 0x04, w.octets);
	p += put_tl(p, 0x30, w.basic);
	memcpy(p, rec->body, rec->body_len);
	p += rec->body_len;
	if (rec->certs_len) {
		memcpy(p, rec->certs, rec->certs_len);
		p += rec->certs_len;
	}
	return (size_t)(p - out);
}

/* RFC 5280 CRLReason; 7 is unused. */
static const char *const reasons[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold", NULL,
	"removeFromCRL", "privilegeWithdrawn", "aACompromise",
};

int op_reason_from_name(const char *name)
{
	for (int i = 0; i < (int)(sizeof(reasons) / sizeof(reasons[0])); i++)
		if (reasons[i] && strcasecmp(name, reasons[i]) == 0)
			return i;
	return -1;
}

const char *op_reason_name(int code)
{
	if (code >= 0 && code < (int)(sizeof(reasons) / sizeof(reasons[0])) &&
	    reasons[code])
		return reasons[code];
	return code == OP_REASON_NONE ? "none" : "?";
}
