#include "gen_der.h"
#include "op_err.h"

#include <string.h>
#include <time.h>
#include <openssl/asn1.h>

size_t gen_der_hdr_len(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : 5;
}

uint8_t *gen_der_hdr(uint8_t *p, uint8_t tag, size_t n)
{
	*p++ = tag;
	if (n < 0x80) {
		*p++ = (uint8_t)n;
	} else if (n < 0x100) {
		*p++ = 0x81;
		*p++ = (uint8_t)n;
	} else if (n < 0x10000) {
		*p++ = 0x82;
		*p++ = (uint8_t)(n >> 8);
		*p++ = (uint8_t)n;
	} else {
		*p++ = 0x83;
		*p++ = (uint8_t)(n >> 16);
		*p++ = (uint8_t)(n >> 8);
		*p++ = (uint8_t)n;
	}
	return p;
}

uint8_t *gen_der_put(uint8_t *p, const void *src, size_t n)
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

/* GeneralizedTime TLV, as OpenSSL writes it: YYYYMMDDHHMMSSZ. */
int gen_der_time(uint8_t **pp, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	uint8_t *p = *pp;

	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		return op_err_set(OP_E_RANGE, "time %lld out of range", (long long)t);
	*p++ = V_ASN1_GENERALIZEDTIME;
	*p++ = GEN_DER_TIME - 2;
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
