/*
 * gen_store: how a run writes records into the working copy.
 *
 * A signed response is stored without its certs field when that field is
 * the one its signer's "\0certs" record holds (written the first time the
 * signer's responses are stored): the signer certificate is then kept once
 * per file instead of once per response.  A response whose certs differ
 * from the signer's record keeps them inline, so every stored response
 * serves exactly the DER that was signed.  Also the per-issuer summaries
 * (op_sum) and the removal of certs records no signer uses any more.
 */
#ifndef GEN_STORE_H
#define GEN_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "gen_input.h"
#include "op_rec.h"
#include "op_sum.h"

struct gen_store;

/* A store for one write transaction's puts; release with gen_store_free. */
int gen_store_new(MDB_txn *txn, MDB_dbi dbi, struct gen_store **st);
void gen_store_free(struct gen_store *st);

/*
 * Store the response der (as signed) under key.  rec carries the header
 * fields (status, reason, flags, times, signer id); body, certs and ETag
 * are set here from der.  OP_E_FORMAT if der is not a successful basic
 * response, OP_E_DB, OP_E_NOMEM.
 */
int gen_store_put(struct gen_store *st, const uint8_t *key, size_t keylen,
		  struct op_rec *rec, const uint8_t *der, size_t der_len);

/* The same through cur, a cursor of the store's transaction, with extra
 * put flags (MDB_APPEND for a key past the end of the file): gen_batch
 * stores a batch in key order this way. */
int gen_store_put_at(struct gen_store *st, MDB_cursor *cur, unsigned flags,
		     const uint8_t *key, size_t keylen, struct op_rec *rec,
		     const uint8_t *der, size_t der_len);

/*
 * The summary of one issuer's responses under one hash once a run is
 * done: each of the entries has one, of the entry's status, with
 * this_update[i] and next_update[i].
 */
void gen_store_summary(const struct gen_list *entries,
		       const int64_t *this_update, const int64_t *next_update,
		       struct op_sum *s);

/* Write the summary of the issuer whose key prefix is prefix/plen. */
int gen_store_put_sum(struct gen_store *st, const uint8_t *prefix,
		      size_t plen, const struct op_sum *sum);

/* Delete the "\0certs" records of signers not among ids[0..n) (n ids of
 * OP_REC_SIGNER_ID octets).  Only after a run over every authority. */
int gen_store_prune_certs(struct gen_store *st, const uint8_t *ids, size_t n);

#endif
