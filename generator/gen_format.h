/*
 * gen_format: bring a working copy of an older format up to the current
 * one, in the run's write transaction, keeping what still holds.
 *
 * Format 2 stored SHA-2 CertID responses with NULL hashAlgorithm
 * parameters under the key that format 3 gives to the form without them
 * (RFC 5754, op_key.h).  Upgrading deletes those responses, so the run
 * signs them afresh in the right form, and keeps everything else: the
 * SHA-1 responses (their encoding did not change), the CRL numbers and
 * every other meta record.  docs/db-format.txt says what the upgrade
 * costs.
 */
#ifndef GEN_FORMAT_H
#define GEN_FORMAT_H

#include <lmdb.h>
#include <stddef.h>

/*
 * Upgrade the working copy open in txn/dbi when its format record says
 * format 2 (*deleted: the responses deleted); a file of the current format
 * is left alone (*deleted = 0).  OP_E_DB with detail.
 */
int gen_format_upgrade(MDB_txn *txn, MDB_dbi dbi, size_t *deleted);

#endif
