/*
 * op_walk: one walk over the records of a responses file, in key order.
 *
 * Every reader of a whole file (ocsp-db, the generator's clean-up of
 * authorities that left the configuration) walks through here, so the
 * split between meta and response records, and the handling of a cursor
 * that fails half-way, live in one place.  A walk that ends early because
 * LMDB failed says so (OP_E_DB with the LMDB message); it never looks like
 * the end of the file.
 *
 * Use as an iterator:
 *
 *   struct op_walk w;
 *   if ((rc = op_walk_begin(&w, txn, dbi, OP_WALK_RESPONSES)) != 0) ...
 *   while ((rc = op_walk_next(&w)) > 0) ... w.rec ...
 *   op_walk_end(&w);          (rc is 0 at the end, < 0 on error)
 *
 * or with a callback through op_walk().  op_walk_prefix() walks the
 * records under one key prefix (an issuer's responses, a meta kind's
 * records of one issuer) without decoding them.
 */
#ifndef OP_WALK_H
#define OP_WALK_H

#include "op_rec.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

/* What a walk visits (or together); also the kind of the current record. */
#define OP_WALK_RESPONSES 0x1	/* response records, decoded into rec */
#define OP_WALK_ISSUERS 0x2	/* "\0issuer" records */
#define OP_WALK_META 0x4	/* every other meta record */

struct op_walk {
	MDB_cursor *cur;
	unsigned what;
	int started;
	/* The current record; key and val point into the map (valid while the
	 * transaction lives and the record is not deleted). */
	unsigned kind;		/* one OP_WALK_* bit */
	MDB_val key, val;
	const uint8_t *prefix;	/* issuer prefix: of a response key, or the
				   key of an issuer record after its name */
	size_t plen;
	struct op_rec rec;	/* kind OP_WALK_RESPONSES */
};

/* Open a cursor in txn (read-only or not).  OP_E_DB with detail. */
int op_walk_begin(struct op_walk *w, MDB_txn *txn, MDB_dbi dbi, unsigned what);

/*
 * Move to the next record of a wanted kind.  Returns 1 with the record in
 * w, 0 at the end of the file, OP_E_DB when the cursor fails (the walk is
 * over), or OP_E_FORMAT when a response record does not decode: w->key
 * names it and the walk may go on with the next call.
 */
int op_walk_next(struct op_walk *w);

/* Delete the current record (write transactions); the next op_walk_next
 * returns the record after it.  OP_E_DB with detail. */
int op_walk_del(struct op_walk *w);

void op_walk_end(struct op_walk *w);

/*
 * Call fn for each wanted record until it returns non-zero (which is
 * returned).  A record that does not decode ends the walk with OP_E_FORMAT;
 * cursor failures with OP_E_DB.
 */
int op_walk(MDB_txn *txn, MDB_dbi dbi, unsigned what,
	    int (*fn)(const struct op_walk *w, void *arg), void *arg);

/*
 * Call fn, in key order, for every record whose key is prefix (plen
 * octets) followed by at least one more octet, with that rest of the key
 * (a serial, where the prefix is an issuer's) and the value, both in the
 * map; until fn returns non-zero, which is returned.  0 at the end;
 * OP_E_DB with detail when the cursor fails.
 */
int op_walk_prefix(MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix,
		   size_t plen,
		   int (*fn)(const uint8_t *rest, size_t rlen, const MDB_val *val,
			     void *arg), void *arg);

/*
 * The response records of the CA ca under every CertID hash and form the
 * format has (not only those configured now: a hash dropped from cert_ids
 * still holds its history), one issuer prefix after the other, each in
 * serial order: fn gets the tag, the rest of the key (a serial, or longer
 * in a damaged file) and the value.  Returns as op_walk_prefix();
 * OP_E_CRYPTO if hashing the CA fails.
 */
int op_walk_issuer(MDB_txn *txn, MDB_dbi dbi, X509 *ca,
		   int (*fn)(int tag, const uint8_t *serial, size_t slen,
			     const MDB_val *val, void *arg), void *arg);

#endif
