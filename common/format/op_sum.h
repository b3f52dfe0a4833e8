/*
 * op_sum: the per-issuer summary the generator keeps in a file's metadata,
 * so that readers report counts and the time range without walking the
 * records (opening a file of millions of responses reads a few pages).
 *
 * One "\0summary" + issuer key prefix record per issuer and CertID hash,
 * 32 octets, big-endian: good count, revoked count, oldest thisUpdate,
 * nearest nextUpdate (docs/db-format.txt).
 */
#ifndef OP_SUM_H
#define OP_SUM_H

#include <stdint.h>

#include "op_rec.h"

#define OP_SUM_LEN 32

struct op_sum {
	uint64_t good, revoked;
	int64_t oldest_this;	/* INT64_MAX while empty */
	int64_t nearest_next;	/* INT64_MAX while empty */
};

/* An empty summary. */
void op_sum_init(struct op_sum *s);

/* Count one stored response. */
void op_sum_add(struct op_sum *s, const struct op_rec *rec);

/* Fold src into dst (totals over several issuers). */
void op_sum_merge(struct op_sum *dst, const struct op_sum *src);

/* Responses counted. */
uint64_t op_sum_count(const struct op_sum *s);

void op_sum_encode(const struct op_sum *s, uint8_t buf[OP_SUM_LEN]);

/* OP_E_FORMAT unless len is OP_SUM_LEN. */
int op_sum_decode(const void *val, size_t len, struct op_sum *s);

#endif
