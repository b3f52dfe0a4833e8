#include "op_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_rec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int op_db_meta(MDB_txn *txn, MDB_dbi dbi, enum op_meta_kind kind,
	       const uint8_t *suffix, size_t slen, MDB_val *data)
{
	uint8_t k[OP_META_KEY_MAX];
	MDB_val mk = { op_meta_key(k, sizeof(k), kind, suffix, slen), k };

	if (!mk.mv_size)
		return EINVAL;
	return mdb_get(txn, dbi, &mk, data);
}

int op_db_meta_put(MDB_txn *txn, MDB_dbi dbi, enum op_meta_kind kind,
		   const uint8_t *suffix, size_t slen, const void *val,
		   size_t vlen, int *changed)
{
	uint8_t k[OP_META_KEY_MAX];
	MDB_val mk = { op_meta_key(k, sizeof(k), kind, suffix, slen), k };
	MDB_val mv = { vlen, (void *)val }, old;
	int rc;

	if (!mk.mv_size)
		return EINVAL;
	if (mdb_get(txn, dbi, &mk, &old) == 0 && old.mv_size == vlen &&
	    memcmp(old.mv_data, val, vlen) == 0)
		return 0;
	if ((rc = mdb_put(txn, dbi, &mk, &mv, 0)) == 0 && changed)
		*changed = 1;
	return rc;
}

int64_t op_db_meta_i64(MDB_txn *txn, MDB_dbi dbi, enum op_meta_kind kind)
{
	MDB_val v;

	if (op_db_meta(txn, dbi, kind, NULL, 0, &v) == 0 && v.mv_size == 8)
		return op_rec_get_i64(v.mv_data);
	return 0;
}

int op_db_sums(MDB_txn *txn, MDB_dbi dbi,
	       int (*fn)(const uint8_t *prefix, size_t plen,
			 const struct op_sum *s, void *arg), void *arg)
{
	const struct op_meta_def *m = &op_meta_table[OP_META_K_SUMMARY];
	const size_t ml = m->len;
	MDB_cursor *cur;
	MDB_val k = { ml, (void *)m->key }, v;
	struct op_sum sum;
	int rc, mrc;

	if ((mrc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	rc = 0;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0 && !rc;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= ml || memcmp(k.mv_data, m->key, ml) != 0)
			break;
		if ((rc = op_sum_decode(v.mv_data, v.mv_size, &sum)) == 0)
			rc = fn((const uint8_t *)k.mv_data + ml, k.mv_size - ml,
				&sum, arg);
	}
	mdb_cursor_close(cur);
	if (!rc && mrc && mrc != MDB_NOTFOUND)
		rc = op_err_set(OP_E_DB, "reading summaries: %s", mdb_strerror(mrc));
	return rc;
}

static int add_sum(const uint8_t *prefix, size_t plen, const struct op_sum *s,
		   void *arg)
{
	(void)prefix;
	(void)plen;
	op_sum_merge(arg, s);
	return 0;
}

int op_db_rec_certs(MDB_txn *txn, MDB_dbi dbi, struct op_rec *rec)
{
	MDB_val v;

	if (!(rec->flags & OP_REC_F_CERTS))
		return 0;
	if (op_db_meta(txn, dbi, OP_META_K_CERTS, rec->signer_id,
		       OP_REC_SIGNER_ID, &v) != 0 || v.mv_size == 0)
		return op_err_set(OP_E_FORMAT, "record refers to a missing signer "
				  "certificate record");
	rec->certs = v.mv_data;
	rec->certs_len = v.mv_size;
	return 0;
}

int op_db_find(MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t keylen,
	       MDB_val *val)
{
	uint8_t other[OP_KEY_MAX];
	MDB_val k = { keylen, (void *)key };
	int rc = mdb_get(txn, dbi, &k, val);

	/* The NULL form of a SHA-2 CertID is signed only on request
	 * (certid_sha2_params = both); otherwise it gets the RFC 5754 one. */
	if (rc == MDB_NOTFOUND && keylen && keylen <= OP_KEY_MAX &&
	    (key[0] & OP_TAG_NULL)) {
		memcpy(other, key, keylen);
		other[0] &= (uint8_t)~OP_TAG_NULL;
		k.mv_data = other;
		rc = mdb_get(txn, dbi, &k, val);
	}
	return rc;
}

int op_db_get_rec(MDB_txn *txn, MDB_dbi dbi, const uint8_t *key,
		  size_t keylen, struct op_rec *rec)
{
	MDB_val v;
	int rc = op_db_find(txn, dbi, key, keylen, &v);

	if (rc == MDB_NOTFOUND)
		return rc;
	if (rc)
		return op_err_set(OP_E_DB, "lookup: %s", mdb_strerror(rc));
	if ((rc = op_rec_decode(v.mv_data, v.mv_size, rec)) != 0)
		return rc;
	return op_db_rec_certs(txn, dbi, rec);
}

static int is_format(const MDB_val *v, const char *name)
{
	return v->mv_size == strlen(name) && memcmp(v->mv_data, name, v->mv_size) == 0;
}

int op_db_format(MDB_txn *txn, MDB_dbi dbi, int *format)
{
	MDB_val v;
	int rc = op_db_meta(txn, dbi, OP_META_K_FORMAT, NULL, 0, &v);

	*format = 0;
	if (rc == MDB_NOTFOUND)
		return op_err_set(OP_E_FORMAT, "no format record: not an "
				  "ocsp-presign database");
	if (rc)
		return op_err_set(rc, "reading format record: %s", mdb_strerror(rc));
	if (is_format(&v, OP_DB_FORMAT))
		*format = 3;
	else if (is_format(&v, OP_DB_FORMAT_2))
		*format = 2;
	else
		return op_err_set(OP_E_FORMAT, "format '%.*s', expected '%s'",
				  (int)(v.mv_size > 64 ? 64 : v.mv_size),
				  (const char *)v.mv_data, OP_DB_FORMAT);
	return 0;
}

int op_db_check_size(MDB_env *env, const char *path, struct stat *st)
{
	MDB_envinfo info;
	MDB_stat ms;
	int fd;

	if (mdb_env_get_fd(env, &fd) != 0 || fstat(fd, st) != 0 ||
	    mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &ms) != 0)
		return op_err_set(OP_E_SYS, "%s: cannot stat", path);
	if ((uint64_t)(info.me_last_pgno + 1) * ms.ms_psize > (uint64_t)st->st_size)
		return op_err_set(OP_E_FORMAT, "%s: truncated (%lld octets, "
				  "pages up to %zu)", path,
				  (long long)st->st_size, info.me_last_pgno);
	return 0;
}

int op_db_check_format(MDB_txn *txn, MDB_dbi dbi)
{
	int format;

	return op_db_format(txn, dbi, &format);
}

int op_db_open(const char *path, struct op_db *db)
{
	struct stat st;
	MDB_txn *txn = NULL;
	int rc;

	memset(db, 0, sizeof(*db));
	if ((rc = mdb_env_create(&db->env)) != 0)
		return op_err_set(rc, "%s: %s", path, mdb_strerror(rc));
	rc = mdb_env_open(db->env, path, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK |
			  MDB_NORDAHEAD, 0);
	if (rc) {
		op_err_set(rc == MDB_INVALID ? OP_E_FORMAT : rc, "%s: %s", path,
			   mdb_strerror(rc));
		rc = rc == MDB_INVALID ? OP_E_FORMAT : rc;
		goto env_close;
	}
	/* Identify what we opened by its fd, not by path: the path may have
	 * been renamed over already. */
	if ((rc = op_db_check_size(db->env, path, &st)) != 0)
		goto env_close;
	db->dev = st.st_dev;
	db->ino = st.st_ino;
	if ((rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &db->dbi)) != 0) {
		op_err_set(rc, "%s: %s", path, mdb_strerror(rc));
		goto txn_abort;
	}
	if ((rc = op_db_format(txn, db->dbi, &db->format)) != 0) {
		op_err_prefix(rc, "%s", path);
		goto txn_abort;
	}
	db->generated = op_db_meta_i64(txn, db->dbi, OP_META_K_GENERATED);
	db->generation = op_db_meta_i64(txn, db->dbi, OP_META_K_GENERATION);
	op_sum_init(&db->sum);
	if ((rc = op_db_sums(txn, db->dbi, add_sum, &db->sum)) != 0) {
		op_err_prefix(rc, "%s", path);
		goto txn_abort;
	}
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
