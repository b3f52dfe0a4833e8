/*
 * op_db: open a published responses file for reading, as ocsp-serve and
 * ocsp-db do, and the meta record keys both halves agree on.
 *
 * Readers treat the file as immutable: it is opened MDB_RDONLY |
 * MDB_NOSUBDIR | MDB_NOLOCK, because the generator never writes a
 * published file in place, it renames a new one over it.
 */
#ifndef OP_DB_H
#define OP_DB_H

#include <lmdb.h>
#include <stdint.h>
#include <sys/types.h>

/* Meta records live under tag 0 (op_key.h): "\0" + name. */
#define OP_META_FORMAT "\0format"
#define OP_META_GENERATED "\0generated"
#define OP_META_GENERATION "\0generation"	/* counter, +1 per change */
#define OP_META_ISSUER "\0issuer"	/* + issuer key prefix -> "name\tsubject" */
#define OP_META_CRL "\0crl"	/* + sha256 issuer prefix -> CRL numbers seen */

struct op_db {
	MDB_env *env;
	MDB_dbi dbi;
	dev_t dev;		/* identity of the file opened */
	ino_t ino;
	int64_t generated;	/* time ocsp-gen published it */
	int64_t generation;	/* bumped by every run that changed it */
};

/*
 * Open path and check its format record.  On success db owns an env
 * (release with op_db_close).  OP_E_FORMAT (with detail) for a file that is
 * not ours or of another version; MDB/errno codes otherwise.
 */
int op_db_open(const char *path, struct op_db *db);
void op_db_close(struct op_db *db);

/* Check "\0format" in an open transaction. */
int op_db_check_format(MDB_txn *txn, MDB_dbi dbi);

/* An 8-octet integer meta record, or 0 if absent. */
int64_t op_db_meta_i64(MDB_txn *txn, MDB_dbi dbi, const char *name,
		       size_t namelen);

/* Fetch a meta record; data points into the map. */
int op_db_meta(MDB_txn *txn, MDB_dbi dbi, const char *name, size_t namelen,
	       MDB_val *data);

#endif
