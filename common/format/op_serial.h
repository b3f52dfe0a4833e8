/*
 * op_serial: certificate serial numbers as the file stores them: the
 * minimal two's-complement content octets of the DER INTEGER.
 */
#ifndef OP_SERIAL_H
#define OP_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/asn1.h>

#define OP_SERIAL_MAX 32	/* RFC 5280 says 20 octets; some CAs overshoot */

/*
 * Minimal DER content octets of an INTEGER given as content octets (strips
 * redundant leading 0x00 / 0xFF).  out has room for OP_SERIAL_MAX.
 */
int op_serial_normalize(const uint8_t *in, size_t inlen,
			uint8_t *out, size_t *outlen);

/*
 * Content octets of the positive INTEGER written in hex (no prefix, any
 * case, leading zeros allowed).  Errors are OP_E_PARSE / OP_E_RANGE.
 */
int op_serial_from_hex(const char *hex, size_t n, uint8_t *out, size_t *outlen);

/* Minimal content octets of an OpenSSL INTEGER (out: OP_SERIAL_MAX). */
int op_serial_from_asn1(const ASN1_INTEGER *ai, uint8_t *out, size_t *outlen);

/* Upper-case hex of content octets, as `openssl` prints serials; buf must
 * hold 2 * len + 1. */
void op_serial_hex(const uint8_t *s, size_t len, char *buf);

#endif
