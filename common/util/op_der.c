#include "op_der.h"
#include "op_err.h"
#include "op_time.h"

#include <string.h>
#include <time.h>

/* ---- reading ---- */

/* A high tag number after the identifier at *q: base 128, no leading
 * 0x80 octet, at most 28 bits, and >= 31 (smaller ones have a low form). */
static int high_tag(const uint8_t **q, const uint8_t *end, uint32_t *num)
{
	const uint8_t *p = *q;
	uint32_t v = 0;

	if (p == end)
		return OP_DER_E_SHORT;
	if (*p == 0x80)
		return OP_DER_E_HIGH_TAG;
	for (int i = 0;; i++) {
		if (p == end)
			return OP_DER_E_SHORT;
		if (i == 4)
			return OP_DER_E_HIGH_TAG;
		v = v << 7 | (*p & 0x7f);
		if (!(*p++ & 0x80))
			break;
	}
	if (v < 0x1f)
		return OP_DER_E_HIGH_TAG;
	*q = p;
	*num = v;
	return 0;
}

int op_der_next(struct op_der *d, unsigned flags, struct op_der_tlv *t)
{
	const uint8_t *p = d->p, *end = d->end;
	size_t len, n;
	uint32_t num;
	int rc;

	if (p == end)
		return OP_DER_E_SHORT;
	t->start = p;
	t->tag = *p++;
	num = t->tag & 0x1f;
	if (num == 0x1f) {
		if (!(flags & OP_DER_HIGH_TAG))
			return OP_DER_E_HIGH_TAG;
		if ((rc = high_tag(&p, end, &num)) != 0)
			return rc;
	}
	if (p == end)
		return OP_DER_E_SHORT;
	len = *p++;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0)
			return OP_DER_E_INDEFINITE;
		/* 0x7f is reserved; more octets than a size_t cannot be short. */
		if (n > sizeof(size_t))
			return OP_DER_E_LENGTH;
		if ((size_t)(end - p) < n)
			return OP_DER_E_SHORT;
		if (*p == 0)
			return OP_DER_E_LENGTH;
		for (len = 0; n > 0; n--)
			len = len << 8 | *p++;
		if (len < 0x80)
			return OP_DER_E_LENGTH;
	}
	if ((size_t)(end - p) < len)
		return OP_DER_E_SHORT;
	t->num = num;
	t->in.p = p;
	t->in.end = p + len;
	d->p = p + len;
	return 0;
}

int op_der_expect_slow(struct op_der *d, uint8_t tag, struct op_der *in)
{
	struct op_der save = *d;
	struct op_der_tlv t;
	int rc;

	if ((tag & 0x1f) == 0x1f)
		return OP_DER_E_HIGH_TAG;
	if ((rc = op_der_next(d, 0, &t)) != 0)
		return rc;
	if (t.tag != tag) {
		*d = save;
		return OP_DER_E_TAG;
	}
	*in = t.in;
	return 0;
}

int op_der_skip(struct op_der *d)
{
	struct op_der_tlv t;

	return op_der_next(d, 0, &t);
}

int op_der_integer(struct op_der *d, const uint8_t **v, size_t *n)
{
	struct op_der save = *d, in;
	int rc;

	if ((rc = op_der_expect(d, OP_DER_INTEGER, &in)) != 0)
		return rc;
	if (in.p == in.end) {
		*d = save;
		return OP_DER_E_VALUE;
	}
	*v = in.p;
	*n = (size_t)(in.end - in.p);
	return 0;
}

int op_der_time(struct op_der *d, int64_t *t)
{
	struct op_der save = *d;
	struct op_der_tlv e;
	char s[16];
	size_t n;
	int rc;

	if ((rc = op_der_next(d, 0, &e)) != 0)
		return rc;
	n = (size_t)(e.in.end - e.in.p);
	if ((e.tag != OP_DER_UTCTIME || n != 13) &&
	    (e.tag != OP_DER_GENTIME || n != 15)) {
		*d = save;
		return e.tag == OP_DER_UTCTIME || e.tag == OP_DER_GENTIME ?
		       OP_DER_E_VALUE : OP_DER_E_TAG;
	}
	memcpy(s, e.in.p, n);
	s[n] = '\0';
	if ((e.tag == OP_DER_UTCTIME ? op_time_parse_utc(s, t)
				     : op_time_parse_gt(s, t)) != 0) {
		*d = save;
		return OP_DER_E_VALUE;
	}
	return 0;
}

const char *op_der_strerror(int rc)
{
	switch (rc) {
	case OP_DER_OK: return "ok";
	case OP_DER_E_SHORT: return "truncated";
	case OP_DER_E_LENGTH: return "length not in DER's shortest form";
	case OP_DER_E_INDEFINITE: return "indefinite length";
	case OP_DER_E_HIGH_TAG: return "high tag number";
	case OP_DER_E_TAG: return "unexpected tag";
	case OP_DER_E_VALUE: return "malformed contents";
	}
	return "?";
}

/* ---- writing ---- */

size_t op_der_hdr_len(size_t n)
{
	size_t l = 2;

	if (n < 0x80)
		return l;
	for (; n; n >>= 8)
		l++;
	return l;
}

size_t op_der_tlv_len(size_t n)
{
	size_t h = op_der_hdr_len(n);

	return n >= SIZE_MAX - h ? SIZE_MAX : h + n;
}

uint8_t *op_der_hdr(uint8_t *p, uint8_t tag, size_t n)
{
	size_t l = op_der_hdr_len(n);

	p[0] = tag;
	if (l == 2) {
		p[1] = (uint8_t)n;
		return p + 2;
	}
	p[1] = (uint8_t)(0x80 | (l - 2));
	for (size_t i = l - 1; i >= 2; i--, n >>= 8)
		p[i] = (uint8_t)n;
	return p + l;
}

uint8_t *op_der_put(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static uint8_t *digits(uint8_t *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (uint8_t)('0' + v % 10);
	return p + n;
}

/* As OpenSSL writes GeneralizedTime, so a response we encode is the one
 * it would have. */
int op_der_put_time(uint8_t **pp, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	uint8_t *p = *pp;

	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		return op_err_set(OP_E_RANGE, "time %lld out of range", (long long)t);
	*p++ = OP_DER_GENTIME;
	*p++ = OP_DER_TIME_LEN - 2;
	p = digits(p, tm.tm_year + 1900, 4);
	p = digits(p, tm.tm_mon + 1, 2);
	p = digits(p, tm.tm_mday, 2);
	p = digits(p, tm.tm_hour, 2);
	p = digits(p, tm.tm_min, 2);
	p = digits(p, tm.tm_sec, 2);
	*p++ = 'Z';
	*pp = p;
	return 0;
}
