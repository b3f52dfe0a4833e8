#include "op_serial.h"
#include "op_der.h"
#include "op_err.h"
#include "op_hex.h"

#include <string.h>

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
