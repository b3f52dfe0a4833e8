#include "gen_work.h"
#include "gen_format.h"
#include "gen_publish.h"
#include "op_db.h"
#include "op_err.h"
#include "op_file.h"
#include "op_rec.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

/* Virtual size of the working map; LMDB's file only grows as used. */
#define WORK_MAPSIZE ((size_t)1 << 38)

/* LMDB reports a short write as EIO; say when the disk is the reason. */
static int explain_write_error(const char *output, int rc)
{
	char dir[PATH_MAX];
	struct statvfs sv;

	if (op_path_dir(output, dir, sizeof(dir)) != 0 || statvfs(dir, &sv) != 0 ||
	    (unsigned long long)sv.f_bavail * sv.f_frsize > 16ULL << 20)
		return rc;
	return op_err_append(rc, " (the filesystem of %s has %llu KiB free: full?)",
			     dir, (unsigned long long)sv.f_bavail * sv.f_frsize / 1024);
}

int gen_work_lock(struct gen_work *w, const char *output)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->lockfd = -1;
	w->output = output;
	if (snprintf(w->path, sizeof(w->path), "%s.work", output) >=
	    (int)sizeof(w->path))
		return op_err_set(OP_E_RANGE, "%s: output path too long", output);
	if ((rc = gen_lock(output, &w->lockfd)) != 0)
		return rc;
	op_file_cleanup(output);
	op_file_cleanup(w->path);
	return 0;
}

/* Write the current format record into an empty or foreign working copy. */
static int start_afresh(struct gen_work *w)
{
	MDB_val k = { sizeof(OP_META_FORMAT) - 1, OP_META_FORMAT };
	MDB_val v = { strlen(OP_DB_FORMAT), OP_DB_FORMAT };
	int rc;

	if ((rc = mdb_drop(w->txn, w->dbi, 0)) != 0 ||
	    (rc = mdb_put(w->txn, w->dbi, &k, &v, 0)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", w->path, mdb_strerror(rc));
	return 0;
}

int gen_work_open(struct gen_work *w)
{
	struct stat st;
	size_t upgraded;
	int rc;

	if (stat(w->path, &st) != 0 && stat(w->output, &st) == 0) {
		struct op_db db;

		if (op_db_open(w->output, &db) == 0) {
			op_db_close(&db);
			if ((rc = op_file_copy(w->output, w->path, 0600)) != 0)
				return rc;
		}
		op_err_clear();
	}
	if ((rc = mdb_env_create(&w->env)) != 0 ||
	    (rc = mdb_env_set_mapsize(w->env, WORK_MAPSIZE)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", w->path, mdb_strerror(rc));
	/* Our flock already excludes other writers; no LMDB lock file. */
	if ((rc = mdb_env_open(w->env, w->path, MDB_NOSUBDIR | MDB_NOLOCK,
			       0600)) != 0 ||
	    (rc = mdb_txn_begin(w->env, NULL, 0, &w->txn)) != 0 ||
	    (rc = mdb_dbi_open(w->txn, NULL, 0, &w->dbi)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", w->path, mdb_strerror(rc));
	if (op_db_check_format(w->txn, w->dbi) != 0) {
		op_err_clear();
		return start_afresh(w);
	}
	return gen_format_upgrade(w->txn, w->dbi, &upgraded);
}

int gen_work_bump(struct gen_work *w, int64_t now)
{
	uint8_t t[8], g[8];
	MDB_val kt = { sizeof(OP_META_GENERATED) - 1, OP_META_GENERATED };
	MDB_val kg = { sizeof(OP_META_GENERATION) - 1, OP_META_GENERATION };
	MDB_val vt = { 8, t }, vg = { 8, g };
	int rc;

	op_put_i64(t, now);
	op_put_i64(g, op_db_meta_i64(w->txn, w->dbi, OP_META_GENERATION,
				     sizeof(OP_META_GENERATION) - 1) + 1);
	if ((rc = mdb_put(w->txn, w->dbi, &kt, &vt, 0)) != 0 ||
	    (rc = mdb_put(w->txn, w->dbi, &kg, &vg, 0)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", w->path, mdb_strerror(rc));
	return 0;
}

int gen_work_commit(struct gen_work *w)
{
	int rc = mdb_txn_commit(w->txn);

	w->txn = NULL;
	if (rc) {
		op_err_set(OP_E_DB, "committing %s: %s", w->path, mdb_strerror(rc));
		return explain_write_error(w->output, OP_E_DB);
	}
	return 0;
}

int gen_work_publish(struct gen_work *w, int *published)
{
	struct op_db pub;
	MDB_txn *txn;
	int64_t work_gen;
	int rc;

	*published = 0;
	if ((rc = mdb_txn_begin(w->env, NULL, MDB_RDONLY, &txn)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", w->path, mdb_strerror(rc));
	work_gen = op_db_meta_i64(txn, w->dbi, OP_META_GENERATION,
				  sizeof(OP_META_GENERATION) - 1);
	mdb_txn_abort(txn);
	if (op_db_open(w->output, &pub) == 0) {
		int same = pub.generation == work_gen;

		op_db_close(&pub);
		if (same)
			return 0;
	}
	op_err_clear();
	if ((rc = gen_publish(w->env, w->output)) != 0)
		return explain_write_error(w->output, rc);
	*published = 1;
	return 0;
}

void gen_work_close(struct gen_work *w)
{
	if (w->txn)
		mdb_txn_abort(w->txn);
	w->txn = NULL;
	if (w->env)
		mdb_env_close(w->env);
	w->env = NULL;
	gen_unlock(w->lockfd);
	w->lockfd = -1;
}
