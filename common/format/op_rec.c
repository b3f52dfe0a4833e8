#include "op_rec.h"
#include "op_der.h"
#include "op_err.h"

#include <string.h>
#include <strings.h>
#include <openssl/sha.h>

void op_rec_put_i64(uint8_t *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 7; i >= 0; i--, u >>= 8)
		p[i] = (uint8_t)u;
}

int64_t op_rec_get_i64(const uint8_t *p)
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

int op_rec_from_der(const uint8_t *der, size_t len, struct op_rec *rec)
{
	struct op_der d, resp, explicit0, rbytes, octets, basic, skip;
	uint8_t md[SHA256_DIGEST_LENGTH];

	/* Each wrapper must end exactly where its parent does, and the parts
	 * rebuilt by op_rec_wrap() must be its octets, so that emitting gives
	 * the input back. */
	op_der_init(&d, der, len);
	if (op_der_last(&d, OP_DER_SEQUENCE, &resp) ||
	    (size_t)(resp.end - resp.p) < sizeof(status_ok) ||
	    memcmp(resp.p, status_ok, sizeof(status_ok)) != 0)
		goto bad;
	resp.p += sizeof(status_ok);
	if (op_der_last(&resp, OP_DER_CTX(0), &explicit0) ||
	    op_der_last(&explicit0, OP_DER_SEQUENCE, &rbytes) ||
	    (size_t)(rbytes.end - rbytes.p) < sizeof(basic_oid) ||
	    memcmp(rbytes.p, basic_oid, sizeof(basic_oid)) != 0)
		goto bad;
	rbytes.p += sizeof(basic_oid);
	if (op_der_last(&rbytes, OP_DER_OCTET_STRING, &octets) ||
	    op_der_last(&octets, OP_DER_SEQUENCE, &basic))
		goto bad;
	rec->body = basic.p;
	/* tbsResponseData, signatureAlgorithm, signature, then maybe certs. */
	if (op_der_expect(&basic, OP_DER_SEQUENCE, &skip) ||
	    op_der_expect(&basic, OP_DER_SEQUENCE, &skip) ||
	    op_der_expect(&basic, OP_DER_BIT_STRING, &skip))
		goto bad;
	rec->body_len = (size_t)(basic.p - rec->body);
	rec->certs = NULL;
	rec->certs_len = 0;
	if (!op_der_done(&basic)) {
		rec->certs = basic.p;
		rec->certs_len = (size_t)(basic.end - basic.p);
		if (op_der_last(&basic, OP_DER_CTX(0), &skip))
			goto bad;
	}
	SHA256(der, len, md);
	memcpy(rec->etag, md, OP_REC_ETAG);
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
	op_rec_put_i64(buf + 8, rec->this_update);
	op_rec_put_i64(buf + 16, rec->next_update);
	op_rec_put_i64(buf + 24, rec->rev_time);
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
	rec->this_update = op_rec_get_i64(p + 8);
	rec->next_update = op_rec_get_i64(p + 16);
	rec->rev_time = op_rec_get_i64(p + 24);
	memcpy(rec->signer_id, p + 32, OP_REC_SIGNER_ID);
	memcpy(rec->etag, p + 40, OP_REC_ETAG);
	rec->body = p + OP_REC_HDR;
	rec->body_len = n;
	rec->certs = NULL;
	rec->certs_len = 0;
	return 0;
}

/* Content lengths of the nested wrappers around basic octets of
 * BasicOCSPResponse content, innermost first. */
struct wrap {
	size_t basic, octets, bytes, explicit0, outer;
};

static void wrap_lengths(size_t basic, struct wrap *w)
{
	w->basic = basic;
	w->octets = op_der_tlv_len(w->basic);
	w->bytes = sizeof(basic_oid) + op_der_tlv_len(w->octets);
	w->explicit0 = op_der_tlv_len(w->bytes);
	w->outer = sizeof(status_ok) + op_der_tlv_len(w->explicit0);
}

size_t op_rec_wrap_len(size_t basic)
{
	struct wrap w;

	wrap_lengths(basic, &w);
	return op_der_tlv_len(w.outer) - basic;
}

uint8_t *op_rec_wrap(uint8_t *out, size_t basic)
{
	struct wrap w;
	uint8_t *p = out;

	wrap_lengths(basic, &w);
	p = op_der_hdr(p, OP_DER_SEQUENCE, w.outer);
	p = op_der_put(p, status_ok, sizeof(status_ok));
	p = op_der_hdr(p, OP_DER_CTX(0), w.explicit0);
	p = op_der_hdr(p, OP_DER_SEQUENCE, w.bytes);
	p = op_der_put(p, basic_oid, sizeof(basic_oid));
	p = op_der_hdr(p, OP_DER_OCTET_STRING, w.octets);
	return op_der_hdr(p, OP_DER_SEQUENCE, w.basic);
}

size_t op_rec_served_len(const struct op_rec *rec)
{
	size_t basic = rec->body_len + rec->certs_len;

	return op_rec_wrap_len(basic) + basic;
}

size_t op_rec_emit(const struct op_rec *rec, uint8_t *out)
{
	uint8_t *p = op_rec_wrap(out, rec->body_len + rec->certs_len);

	p = op_der_put(p, rec->body, rec->body_len);
	if (rec->certs_len)
		p = op_der_put(p, rec->certs, rec->certs_len);
	return (size_t)(p - out);
}

/* RFC 5280 CRLReason; 7 is unused. */
static const char *const reasons[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold", NULL,
	"removeFromCRL", "privilegeWithdrawn", "aACompromise",
};

int op_rec_reason_from_name(const char *name)
{
	for (int i = 0; i < (int)(sizeof(reasons) / sizeof(reasons[0])); i++)
		if (reasons[i] && strcasecmp(name, reasons[i]) == 0)
			return i;
	return -1;
}

const char *op_rec_reason_name(int code)
{
	if (code >= 0 && code < (int)(sizeof(reasons) / sizeof(reasons[0])) &&
	    reasons[code])
		return reasons[code];
	return code == OP_REASON_NONE ? "none" : "?";
}
