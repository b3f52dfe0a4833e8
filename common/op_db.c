#include "op_db.h"
#include "op_err.h"
#include "op_rec.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int op_db_meta(MDB_txn *txn, MDB_dbi dbi, const char *name, size_t namelen,
	       MDB_val *data)
{
	MDB_val k = { namelen, (void *)name };

	return mdb_get(txn, dbi, &k, data);
}

int64_t op_db_meta_i64(MDB_txn *txn, MDB_dbi dbi, const char *name,
		       size_t namelen)
{
	MDB_val v;

	if (op_db_meta(txn, dbi, name, namelen, &v) == 0 && v.mv_size == 8)
		return op_get_i64(v.mv_data);
	return 0;
}

int op_db_check_format(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_val v;
	int rc = op_db_meta(txn, dbi, OP_META_FORMAT, sizeof(OP_META_FORMAT) - 1, &v);

	if (rc == MDB_NOTFOUND)
		return op_err_set(OP_E_FORMAT, "no format record: not an "
				  "ocsp-presign database");
	if (rc)
		return op_err_set(rc, "reading format record: %s", mdb_strerror(rc));
	if (v.mv_size != strlen(OP_DB_FORMAT) ||
	    memcmp(v.mv_data, OP_DB_FORMAT, v.mv_size) != 0)
		return op_err_set(OP_E_FORMAT, "format '%.*s', expected '%s'",
				  (int)(v.mv_size > 64 ? 64 : v.mv_size),
				  (const char *)v.mv_data, OP_DB_FORMAT);
	return 0;
}

int op_db_open(const char *path, struct op_db *db)
{
	struct stat st;
	MDB_txn *txn = NULL;
	int rc;

	memset(db, 0, sizeof(*db));
	if ((rc = mdb_env_create(&db->env)) != 0)
		return op_err_set(rc, "%s: %s", path, mdb_strerror(rc));
	rc = mdb_env_open(db->env, path, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK, 0);
	if (rc) {
		op_err_set(rc == MDB_INVALID ? OP_E_FORMAT : rc, "%s: %s", path,
			   mdb_strerror(rc));
		rc = rc == MDB_INVALID ? OP_E_FORMAT : rc;
		goto env_close;
	}
	/* Identify what we opened by its fd, not by path: the path may have
	 * been renamed over already.  A truncated file would otherwise pass
	 * LMDB's meta check and then SIGBUS on the first page past EOF. */
	{
		MDB_envinfo info;
		MDB_stat ms;
		int fd;

		if (mdb_env_get_fd(db->env, &fd) != 0 || fstat(fd, &st) != 0 ||
		    mdb_env_info(db->env, &info) != 0 ||
		    mdb_env_stat(db->env, &ms) != 0) {
			rc = op_err_set(OP_E_SYS, "%s: cannot stat", path);
			goto env_close;
		}
		if ((uint64_t)(info.me_last_pgno + 1) * ms.ms_psize >
		    (uint64_t)st.st_size) {
			rc = op_err_set(OP_E_FORMAT, "%s: truncated (%lld octets, "
					"pages up to %zu)", path,
					(long long)st.st_size, info.me_last_pgno);
			goto env_close;
		}
		db->dev = st.st_dev;
		db->ino = st.st_ino;
	}
	if ((rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &db->dbi)) != 0) {
		op_err_set(rc, "%s: %s", path, mdb_strerror(rc));
		goto txn_abort;
	}
	if ((rc = op_db_check_format(txn, db->dbi)) != 0) {
		op_err_prefix(rc, "%s", path);
		goto txn_abort;
	}
	db->generated = op_db_meta_i64(txn, db->dbi, OP_META_GENERATED,
				       sizeof(OP_META_GENERATED) - 1);
	db->generation = op_db_meta_i64(txn, db->dbi, OP_META_GENERATION,
					sizeof(OP_META_GENERATION) - 1);
	mdb_txn_abort(txn);
	return 0;

txn_abort:
	if (txn)
		mdb_txn_abort(txn);
env_close:
	mdb_env_close(db->env);
	db->env = NULL;
	return rc;
}

void op_db_close(struct op_db *db)
{
	if (db->env)
		mdb_env_close(db->env);
	db->env = NULL;
}
