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

void op_rec_encode(struct op_rec *rec, uint8_t *buf)
{
	uint8_t md[SHA256_DIGEST_LENGTH];
	uint32_t n = (uint32_t)rec->der_len;

	SHA256(rec->der, rec->der_len, md);
	memcpy(rec->etag, md, OP_REC_ETAG);
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
	memcpy(buf + OP_REC_HDR, rec->der, rec->der_len);
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
	rec->der = p + OP_REC_HDR;
	rec->der_len = n;
	return 0;
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
