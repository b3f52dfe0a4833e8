/*
 * op_db: open a published responses file for reading, as ocsp-serve and
 * ocsp-db do, and read its meta records (op_meta.h).
 *
 * Readers treat the file as immutable: it is opened MDB_RDONLY |
 * MDB_NOSUBDIR | MDB_NOLOCK, because the generator never writes a
 * published file in place, it renames a new one over it.
 */
#ifndef OP_DB_H
#define OP_DB_H

#include <lmdb.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "op_meta.h"
#include "op_rec.h"
#include "op_sum.h"

struct op_db {
	MDB_env *env;
	MDB_dbi dbi;
	dev_t dev;		/* identity of the file opened */
	ino_t ino;
	int64_t generated;	/* time ocsp-gen published it */
	int64_t generation;	/* bumped by every run that changed it */
	int format;		/* 3, or 2 (docs/db-format.txt) */
	struct op_sum sum;	/* totals of the summary records */
};

/*
 * Open path, check its format record and read the summary records (a few
 * pages, whatever the number of responses).  On success db owns an env
 * (release with op_db_close).  OP_E_FORMAT (with detail) for a file that is
 * not ours or of another version; MDB/errno codes otherwise.
 */
int op_db_open(const char *path, struct op_db *db);

/*
 * A truncated file passes LMDB's meta check and then SIGBUSes on the first
 * page past its end: check, on an environment just opened, that the file
 * holds every page the meta page names.  *st receives the file's stat.
 * OP_E_FORMAT ("truncated") or OP_E_SYS with detail naming path.
 */
int op_db_check_size(MDB_env *env, const char *path, struct stat *st);
void op_db_close(struct op_db *db);

/* Check "\0format" in an open transaction: the current format or 2. */
int op_db_check_format(MDB_txn *txn, MDB_dbi dbi);
/* The same, with *format set to the version found (2 or 3). */
int op_db_format(MDB_txn *txn, MDB_dbi dbi, int *format);

/* An 8-octet integer meta record without suffix (OP_META_K_GENERATED,
 * OP_META_K_GENERATION), or 0 if absent. */
int64_t op_db_meta_i64(MDB_txn *txn, MDB_dbi dbi, enum op_meta_kind kind);

/* Fetch the meta record of kind with suffix (NULL, 0: none), as
 * mdb_get(); data points into the map.  EINVAL when the key is too long. */
int op_db_meta(MDB_txn *txn, MDB_dbi dbi, enum op_meta_kind kind,
	       const uint8_t *suffix, size_t slen, MDB_val *data);

/* Store the meta record of kind with suffix (NULL, 0: none) in a write
 * transaction, unless it holds that value already (its page then stays as
 * it was); *changed (may be NULL) is set to 1 when it was written.
 * Returns as mdb_put(); EINVAL when the key is too long. */
int op_db_meta_put(MDB_txn *txn, MDB_dbi dbi, enum op_meta_kind kind,
		   const uint8_t *suffix, size_t slen, const void *val,
		   size_t vlen, int *changed);

/* Call fn for every "\0summary" record: the issuer key prefix it counts
 * and its totals.  A non-zero return from fn stops and is returned;
 * OP_E_FORMAT for a malformed summary, OP_E_DB for a cursor error. */
int op_db_sums(MDB_txn *txn, MDB_dbi dbi,
	       int (*fn)(const uint8_t *prefix, size_t plen,
			 const struct op_sum *s, void *arg), void *arg);

/* Point rec->certs at the signer's certs field when rec stores it once
 * (OP_REC_F_CERTS); data in the map.  OP_E_FORMAT if it is missing. */
int op_db_rec_certs(MDB_txn *txn, MDB_dbi dbi, struct op_rec *rec);

/* The stored value of a response key, as mdb_get(), with the same
 * fallback as op_db_get_rec(): the server's lookup, which judges the
 * value itself. */
int op_db_find(MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t keylen,
	       MDB_val *val);

/* Look a response up by key: decoded, certs set, ready for op_rec_emit();
 * a SHA-2 key of the NULL form falls back to the form without parameters
 * when the file has no response in that form (op_key.h).
 * MDB_NOTFOUND when absent (no detail set); OP_E_FORMAT, OP_E_DB. */
int op_db_get_rec(MDB_txn *txn, MDB_dbi dbi, const uint8_t *key,
		  size_t keylen, struct op_rec *rec);

#endif
