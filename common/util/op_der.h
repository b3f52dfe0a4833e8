/*
 * op_der: the one DER reader and the one DER writer.
 *
 * Reader: a cursor over untrusted octets that never reads outside them.
 * It takes DER only, so that a value has one encoding and what is parsed
 * is what was signed: lengths in their shortest form (a long form for
 * fewer than 128 octets, or with a leading zero octet, is refused),
 * definite lengths only, every length within what remains.  Tags in the
 * high-tag-number form (identifier 0x1f low bits) are refused unless a
 * caller asks for them (OP_DER_HIGH_TAG): nothing ocsp-presign reads uses
 * them.  INTEGERs' contents are not judged here (serials are normalised
 * by op_key).  The reader allocates nothing: the server runs it per
 * request.  On any error the cursor is left where it was.
 *
 * Writer: tag and length headers in the shortest form for any size_t
 * length, written in place into buffers the caller sized with
 * op_der_hdr_len() / op_der_tlv_len().
 */
#ifndef OP_DER_H
#define OP_DER_H

#include <stddef.h>
#include <stdint.h>

/* The reader's results: 0, or one of these (all negative). */
enum op_der_err {
	OP_DER_OK = 0,
	OP_DER_E_SHORT = -1,	/* truncated: header or contents past the end */
	OP_DER_E_LENGTH = -2,	/* length not in its shortest form, or reserved */
	OP_DER_E_INDEFINITE = -3,	/* 0x80: BER's indefinite length */
	OP_DER_E_HIGH_TAG = -4,	/* high tag number, not asked for or malformed */
	OP_DER_E_TAG = -5,	/* another tag than the one expected */
	OP_DER_E_VALUE = -6,	/* contents malformed for the type */
};

/* Flag for op_der_next(): accept the high-tag-number form. */
#define OP_DER_HIGH_TAG 0x01

/* Common identifier octets. */
#define OP_DER_BOOLEAN 0x01
#define OP_DER_INTEGER 0x02
#define OP_DER_BIT_STRING 0x03
#define OP_DER_OCTET_STRING 0x04
#define OP_DER_NULL 0x05
#define OP_DER_OID 0x06
#define OP_DER_ENUMERATED 0x0a
#define OP_DER_UTCTIME 0x17
#define OP_DER_GENTIME 0x18
#define OP_DER_SEQUENCE 0x30
#define OP_DER_CTX(n) (0xa0 | (n))	/* [n] constructed (EXPLICIT) */
#define OP_DER_CTX_PRIM(n) (0x80 | (n))	/* [n] primitive (IMPLICIT) */

/* GeneralizedTime TLV as written: YYYYMMDDHHMMSSZ, 17 octets. */
#define OP_DER_TIME_LEN 17

/* Octets p .. end (p == end: nothing left).  Callers read the fields
 * (an element's extent is pointer arithmetic) and may step p over a
 * fixed prefix they have compared themselves, never past end. */
struct op_der {
	const uint8_t *p, *end;
};

/* One element as op_der_next() read it; pointers into the input. */
struct op_der_tlv {
	const uint8_t *start;	/* the identifier octet */
	uint8_t tag;		/* the identifier octet (high form: its 0x1f) */
	uint32_t num;		/* tag number (tag & 0x1f in the low form) */
	struct op_der in;	/* the contents */
};

static inline void op_der_init(struct op_der *d, const void *p, size_t n)
{
	d->p = p;
	d->end = d->p + n;
}

/* Whether nothing is left. */
static inline int op_der_done(const struct op_der *d)
{
	return d->p == d->end;
}

/* The next identifier octet, or -1 at the end (no check beyond it). */
static inline int op_der_peek(const struct op_der *d)
{
	return d->p < d->end ? d->p[0] : -1;
}

/* The next element, whatever its tag; flags 0 or OP_DER_HIGH_TAG. */
int op_der_next(struct op_der *d, unsigned flags, struct op_der_tlv *t);

/* The general case of op_der_expect(), out of line: call that. */
int op_der_expect_slow(struct op_der *d, uint8_t tag, struct op_der *in);

/*
 * The next element must carry tag (low form); its contents go to *in.
 * Inline for the server's request walker: a short element with the tag
 * expected is taken here, anything else goes the whole way.
 */
static inline int op_der_expect(struct op_der *d, uint8_t tag,
				struct op_der *in)
{
	const uint8_t *p = d->p;

	if ((tag & 0x1f) != 0x1f && d->end - p >= 2 && p[0] == tag &&
	    p[1] < 0x80 && (size_t)(d->end - p) - 2 >= p[1]) {
		in->p = p + 2;
		in->end = in->p + p[1];
		d->p = in->end;
		return 0;
	}
	return op_der_expect_slow(d, tag, in);
}

/* op_der_expect(), and the element must be the last one in d. */
static inline int op_der_last(struct op_der *d, uint8_t tag,
			      struct op_der *in)
{
	struct op_der save = *d;
	int rc = op_der_expect(d, tag, in);

	if (rc == 0 && d->p != d->end) {
		*d = save;
		rc = OP_DER_E_VALUE;
	}
	return rc;
}

/* An OPTIONAL element: 1 and *in when the next carries tag, 0 when it
 * does not (d unchanged), an error when it does and is malformed. */
static inline int op_der_optional(struct op_der *d, uint8_t tag,
				  struct op_der *in)
{
	int rc;

	if (d->p == d->end || d->p[0] != tag)
		return 0;
	return (rc = op_der_expect(d, tag, in)) != 0 ? rc : 1;
}

/* Step over the next element, whatever its tag (low form). */
int op_der_skip(struct op_der *d);

/* An INTEGER's contents: at least one octet, not judged further. */
int op_der_integer(struct op_der *d, const uint8_t **v, size_t *n);

/* A UTCTime or GeneralizedTime in RFC 5280's form (YYMMDDHHMMSSZ,
 * YYYYMMDDHHMMSSZ), as seconds since the epoch. */
int op_der_time(struct op_der *d, int64_t *t);

/* The name of a reader result, for messages and tests. */
const char *op_der_strerror(int rc);

/* ---- writing ---- */

/* Octets of a tag and length header for n content octets (2 .. 10). */
size_t op_der_hdr_len(size_t n);

/* Octets of a whole element of n content octets; SIZE_MAX when that
 * does not fit a size_t (and for n = SIZE_MAX), so nested sizes
 * saturate and a caller checks once, before allocating. */
size_t op_der_tlv_len(size_t n);

/* Write tag and the length n at p (op_der_hdr_len(n) octets); returns
 * the end. */
uint8_t *op_der_hdr(uint8_t *p, uint8_t tag, size_t n);

/* Copy n octets of src to p; returns the end. */
uint8_t *op_der_put(uint8_t *p, const void *src, size_t n);

/* A GeneralizedTime TLV of t (OP_DER_TIME_LEN octets) at *pp, advanced.
 * OP_E_RANGE for a year outside 0..9999. */
int op_der_put_time(uint8_t **pp, int64_t t);

#endif
