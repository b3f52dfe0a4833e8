/*
 * libFuzzer target: op_der, the one DER reader every parser uses (the
 * server's request walker, CRLs, stored responses).  Walks the input as
 * nested TLVs and checks what the reader promises: it stays inside the
 * input, leaves the cursor alone on an error, takes only the shortest
 * length form (writing the header again gives the octets read), and its
 * inline fast path (op_der_expect) agrees with the general one.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "op_der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEPTH 32

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* op_der_expect for the tag op_der_next saw must say the same. */
static void same_as_expect(const struct op_der *d, int rc,
			   const struct op_der_tlv *t)
{
	struct op_der e = *d, in;
	int erc;

	if (d->p == d->end || (d->p[0] & 0x1f) == 0x1f)
		return;
	erc = op_der_expect(&e, d->p[0], &in);
	check(erc == rc);
	if (rc == 0)
		check(in.p == t->in.p && in.end == t->in.end && e.p == t->in.end);
	else
		check(e.p == d->p);
}

static void walk(struct op_der d, int depth)
{
	for (int guard = 0; !op_der_done(&d) && guard < 4096; guard++) {
		struct op_der before = d, tmp = d;
		struct op_der_tlv t;
		uint8_t hdr[16];
		int64_t when;
		const uint8_t *v;
		size_t n;
		int rc = op_der_next(&d, OP_DER_HIGH_TAG, &t);

		if (rc != 0) {
			check(rc < 0 && d.p == before.p && d.end == before.end);
			rc = op_der_next(&d, 0, &t);
			check(rc < 0 && d.p == before.p);
			same_as_expect(&before, rc, &t);
			return;
		}
		check(t.start == before.p && t.start < t.in.p &&
		      t.in.p <= t.in.end && t.in.end <= before.end &&
		      d.p == t.in.end);
		if ((t.tag & 0x1f) != 0x1f) {
			n = (size_t)(t.in.end - t.in.p);
			/* DER: one header for a length, the one we write. */
			check((size_t)(t.in.p - t.start) == op_der_hdr_len(n) &&
			      op_der_hdr(hdr, t.tag, n) == hdr + op_der_hdr_len(n) &&
			      memcmp(hdr, t.start, op_der_hdr_len(n)) == 0);
			same_as_expect(&before, 0, &t);
			(void)op_der_time(&tmp, &when);
			tmp = before;
			if (op_der_integer(&tmp, &v, &n) == 0)
				check(n > 0 && v == t.in.p);
		}
		if ((t.tag & 0x20) && depth < DEPTH)
			walk(t.in, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct op_der d;

	op_der_init(&d, data, size);
	walk(d, 0);
	return 0;
}
