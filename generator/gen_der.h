/*
 * gen_der: the DER writing that signing responses needs, in place and
 * without allocation: headers in their shortest form, GeneralizedTime as
 * OpenSSL writes it.  Callers size their buffers with gen_der_hdr_len().
 */
#ifndef GEN_DER_H
#define GEN_DER_H

#include <stddef.h>
#include <stdint.h>

#define GEN_DER_TIME 17		/* GeneralizedTime TLV, YYYYMMDDHHMMSSZ */

/* Octets of a tag and length header for n content octets (n < 2^24). */
size_t gen_der_hdr_len(size_t n);

/* Write tag and the length n at p; returns the end. */
uint8_t *gen_der_hdr(uint8_t *p, uint8_t tag, size_t n);

/* Copy n octets of src to p; returns the end. */
uint8_t *gen_der_put(uint8_t *p, const void *src, size_t n);

/* GeneralizedTime TLV of t (GEN_DER_TIME octets) at *pp, advanced.
 * OP_E_RANGE for a year outside 0..9999. */
int gen_der_time(uint8_t **pp, int64_t t);

#endif
