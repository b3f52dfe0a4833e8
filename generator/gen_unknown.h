/*
 * gen_unknown: without --ca, the records of issuers no longer configured
 * for an output go (gen_diff calls it once every authority was diffed).
 *
 * An issuer is known by its prefix (op_key_issuer_prefix) under one of
 * the configured CertID hashes, or, for the per-issuer meta records kept
 * under the SHA-256 prefix whatever cert_ids says (op_meta_table,
 * OP_META_F_SHA256), by an authority's SHA-256 prefix.  Everything else
 * that belongs to an issuer is deleted: its responses, its issuer record
 * and its other per-issuer meta records (op_meta.h).
 */
#ifndef GEN_UNKNOWN_H
#define GEN_UNKNOWN_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "gen_auth.h"

/* An issuer prefix still configured; the caller owns the octets. */
struct gen_unknown_key {
	const uint8_t *prefix;
	size_t len;
};

/*
 * Delete from txn/dbi the records of issuers that neither keep (n keys)
 * nor the SHA-256 prefix of one of the nauths authorities covers; the
 * responses deleted are added to *removed (meta records are not).
 * OP_E_DB / OP_E_NOMEM with detail.
 */
int gen_unknown_drop(MDB_txn *txn, MDB_dbi dbi, const struct gen_auth *auths,
		     size_t nauths, const struct gen_unknown_key *keep, size_t n,
		     size_t *removed);

#endif
