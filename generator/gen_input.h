/*
 * gen_input: what an authority's input files say about its serials.
 *
 * Every parser (and gen_crl's) appends to a gen_list and names file and line in its error
 * detail.  gen_input_merge() then folds the lists into one sorted list with one
 * entry per serial: a local revocation beats the CRL, the CRL beats an
 * index.txt R line, any revocation beats "issued".  A local line with
 * reason removeFromCRL revokes nothing: it releases a certificateHold
 * (the serial reads as `issued` says, with src GEN_SRC_LOCAL: the local
 * list decided it), and leaves any other revocation in place, with a
 * warning.
 */
#ifndef GEN_INPUT_H
#define GEN_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "op_key.h"

#define GEN_REASON_HOLD 6	/* certificateHold */
#define GEN_REASON_REMOVE 8	/* removeFromCRL: releases a hold */

enum gen_src {			/* in increasing priority */
	GEN_SRC_ISSUED = 0,
	GEN_SRC_INDEX_REVOKED = 1,
	GEN_SRC_CRL = 2,
	GEN_SRC_LOCAL = 3,
	GEN_SRC_KEPT = 4,		/* remembered by the output (gen_stick) */
	GEN_SRC_RETAINED = 5,		/* no input lists it any more; answered
					   for retain_expired (gen_retain) */
};

/* The CRL of an authority's set that listed an entry (src CRL). */
enum gen_from { GEN_FROM_NONE = 0, GEN_FROM_BASE = 1, GEN_FROM_DELTA = 2 };

struct gen_entry {
	uint8_t serial[OP_SERIAL_MAX];	/* minimal INTEGER content octets */
	uint8_t serial_len;
	uint8_t status;		/* OP_STATUS_* */
	uint8_t reason;		/* CRLReason or OP_REASON_NONE */
	uint8_t src;		/* enum gen_src */
	uint8_t crl;		/* enum gen_from; set by gen_crlset */
	int64_t rev_time;	/* 0: local entry without a time */
};

struct gen_list {
	struct gen_entry *v;	/* owned; gen_input_list_free() */
	size_t n, cap;
};

void gen_input_list_free(struct gen_list *l);

/* Append a zeroed entry; NULL when out of memory.  Valid until the next
 * append. */
struct gen_entry *gen_input_list_add(struct gen_list *l);

/*
 * Read an `issued` source: a directory of files named by hex serial, an
 * OpenSSL index.txt (R lines also go to *revoked, E lines are skipped), or
 * a file of hex serials, one per line.  The format is detected.
 */
int gen_input_issued_load(const char *path, struct gen_list *issued,
		    struct gen_list *revoked);

/* Lines "SERIAL [YYYYMMDDHHMMSSZ [reason]]"; '#' starts a comment.  With
 * reason removeFromCRL the entry is a release (status good, that reason),
 * which gen_input_merge() resolves. */
int gen_input_local_load(const char *path, struct gen_list *local);

/* One entry per serial from all lists, sorted by gen_input_entry_cmp(). */
int gen_input_merge(struct gen_list *const *lists, size_t nlists,
	      struct gen_list *out);

/* Whether l (sorted by gen_input_entry_cmp(); may be NULL) lists e's serial. */
int gen_input_list_has(const struct gen_list *l, const struct gen_entry *e);

/* Sort l by gen_input_entry_cmp() and keep one entry per serial (any one of
 * those with the same serial). */
void gen_input_list_uniq(struct gen_list *l);

/* Order used by gen_input_merge(): the order of the serials' keys in the file
 * (LMDB's: octets, then the shorter first), so an entry list and the
 * records of one issuer can be walked side by side. */
int gen_input_entry_cmp(const void *a, const void *b);

#endif
