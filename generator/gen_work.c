#include "gen_work.h"
#include "gen_format.h"
#include "gen_publish.h"
#include "op_db.h"
#include "op_err.h"
#include "op_file.h"
#include "op_rec.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
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

	if (op_file_dir(output, dir, sizeof(dir)) != 0 || statvfs(dir, &sv) != 0 ||
	    (unsigned long long)sv.f_bavail * sv.f_frsize > 16ULL << 20)
		return rc;
	return op_err_append(rc, " (the filesystem of %s has %llu KiB free: full?)",
			     dir, (unsigned long long)sv.f_bavail * sv.f_frsize / 1024);
}

static int init(struct gen_work *w, const char *output)
{
	memset(w, 0, sizeof(*w));
	w->lockfd = -1;
	w->output = output;
	if (snprintf(w->path, sizeof(w->path), "%s.work", output) >=
	    (int)sizeof(w->path))
		return op_err_set(OP_E_RANGE, "%s: output path too long", output);
	return 0;
}

int gen_work_lock(struct gen_work *w, const char *output)
{
	int rc;

	if ((rc = init(w, output)) != 0 ||
	    (rc = gen_publish_lock(output, &w->lockfd)) != 0)
		return rc;
	op_file_cleanup(output);
	op_file_cleanup(w->path);
	return 0;
}

int gen_work_lock_ro(struct gen_work *w, const char *output)
{
	char path[PATH_MAX + 8];
	int rc;

	if ((rc = init(w, output)) != 0)
		return rc;
	/* No lock file: no run has made a working copy to read. */
	snprintf(path, sizeof(path), "%s.lock", output);
	if ((w->lockfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : op_err_set(OP_E_SYS, "%s: %s", path,
							strerror(errno));
	/* Shared: checks do not exclude each other; a run excludes them. */
	if (flock(w->lockfd, LOCK_SH | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? OP_E_LOCKED :
		     op_err_set(OP_E_SYS, "%s: %s", path, strerror(errno));
		close(w->lockfd);
		w->lockfd = -1;
		return rc;
	}
	return 0;
}

/* Write the current format record into a new, empty working copy. */
static int start_afresh(struct gen_work *w)
{
	int rc = op_db_meta_put(w->txn, w->dbi, OP_META_K_FORMAT, NULL, 0,
				OP_DB_FORMAT, strlen(OP_DB_FORMAT), NULL);

	if (rc != 0)
		return op_err_set(OP_E_DB, "%s: %s", w->path, mdb_strerror(rc));
	return 0;
}

/*
 * The published file must be readable before it may be copied or read:
 * it holds the output's history.  0 when it exists and reads, ENOENT when
 * it has never been published, an error naming it otherwise.
 */
static int published_state(const struct gen_work *w)
{
	struct op_db db;
	struct stat st;
	int rc;

	if (stat(w->output, &st) != 0) {
		if (errno == ENOENT)
			return ENOENT;
		return op_err_set(OP_E_SYS, "%s: %s", w->output, strerror(errno));
	}
	if ((rc = op_db_open(w->output, &db)) != 0)
		return op_err_prefix(OP_E_HISTORY, "%s: the published file cannot "
				     "be read (%s)", w->output,
				     *op_err_detail() ? op_err_detail() :
				     op_err_str(rc));
	op_db_close(&db);
	return 0;
}

static int history_lost(void)
{
	return op_err_append(OP_E_HISTORY, ": it holds the CRL numbers and the "
			     "revocations this output has published, which a run "
			     "must not lose; restore it (any edge holds a copy), "
			     "or move it away to start the output afresh "
			     "(ocsp-gen(8), HISTORY)");
}

/* Open the environment at path and begin a transaction. */
static int env_try(struct gen_work *w, const char *path, int readonly)
{
	unsigned int flags = MDB_NOSUBDIR | MDB_NOLOCK | (readonly ? MDB_RDONLY : 0);
	struct stat st;
	int rc;

	/* Our flock already excludes other writers; no LMDB lock file. */
	if ((rc = mdb_env_create(&w->env)) != 0 ||
	    (rc = mdb_env_set_mapsize(w->env, WORK_MAPSIZE)) != 0 ||
	    (rc = mdb_env_open(w->env, path, flags, 0600)) != 0)
		return op_err_set(OP_E_HISTORY, "%s: %s", path, mdb_strerror(rc));
	if (op_db_check_size(w->env, path, &st) != 0)
		return OP_E_HISTORY;
	if ((rc = mdb_txn_begin(w->env, NULL, readonly ? MDB_RDONLY : 0,
				&w->txn)) != 0 ||
	    (rc = mdb_dbi_open(w->txn, NULL, 0, &w->dbi)) != 0)
		return op_err_set(OP_E_HISTORY, "%s: %s", path, mdb_strerror(rc));
	return 0;
}

/* env_try(), with the remedy for a working copy that cannot be read. */
static int env_open(struct gen_work *w, const char *path, int readonly)
{
	int rc = env_try(w, path, readonly);

	if (rc && path == w->path)
		return op_err_append(rc, "; remove the working copy and it is "
				     "rebuilt from %s on the next run", w->output);
	return rc;
}

/* The working copy's format: a new, empty one gets the current record;
 * one with records of another format is history this version cannot
 * read, so the run stops rather than forget it. */
static int check_work_format(struct gen_work *w, int readonly)
{
	MDB_stat st;

	if (op_db_check_format(w->txn, w->dbi) == 0)
		return 0;
	if (mdb_stat(w->txn, w->dbi, &st) == 0 && st.ms_entries == 0) {
		op_err_clear();
		return readonly ? 0 : start_afresh(w);
	}
	return op_err_prefix(OP_E_HISTORY, "%s: the working copy cannot be read "
			     "(%s); remove the working copy and it is rebuilt "
			     "from %s on the next run", w->path, op_err_detail(),
			     w->output);
}

int gen_work_open(struct gen_work *w)
{
	struct stat st;
	size_t upgraded;
	int rc;

	if (stat(w->path, &st) != 0) {
		if (errno != ENOENT)
			return op_err_set(OP_E_SYS, "%s: %s", w->path,
					  strerror(errno));
		/* Rebuilt from the published file, so the run still signs
		 * only what changed and keeps its history. */
		rc = published_state(w);
		if (rc && rc != ENOENT)
			return history_lost();
		if (rc == 0 && (rc = op_file_copy(w->output, w->path, 0600)) != 0)
			return rc;
	}
	if ((rc = env_open(w, w->path, 0)) != 0 ||
	    (rc = check_work_format(w, 0)) != 0)
		return rc;
	return gen_format_upgrade(w->txn, w->dbi, &upgraded);
}

int gen_work_open_ro(struct gen_work *w)
{
	struct stat st;
	int rc;

	w->hist = w->output;
	if (w->lockfd >= 0 && stat(w->path, &st) == 0) {
		w->hist = w->path;
		if ((rc = env_open(w, w->path, 1)) != 0)
			return rc;
		return check_work_format(w, 1);
	}
	if ((rc = published_state(w)) == ENOENT)
		return 0;
	if (rc)
		return history_lost();
	return env_open(w, w->output, 1);
}

int gen_work_bump(struct gen_work *w, int64_t now)
{
	uint8_t t[8], g[8];
	int rc;

	op_rec_put_i64(t, now);
	op_rec_put_i64(g, op_db_meta_i64(w->txn, w->dbi, OP_META_K_GENERATION) + 1);
	if ((rc = op_db_meta_put(w->txn, w->dbi, OP_META_K_GENERATED, NULL, 0,
				 t, 8, NULL)) != 0 ||
	    (rc = op_db_meta_put(w->txn, w->dbi, OP_META_K_GENERATION, NULL, 0,
				 g, 8, NULL)) != 0)
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

int gen_work_checkpoint(struct gen_work *w, int64_t now, int *bumped)
{
	int rc;

	if (!*bumped && (rc = gen_work_bump(w, now)) != 0)
		return rc;
	*bumped = 1;
	if ((rc = gen_work_commit(w)) != 0)
		return rc;
	if ((rc = mdb_txn_begin(w->env, NULL, 0, &w->txn)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", w->path, mdb_strerror(rc));
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
	work_gen = op_db_meta_i64(txn, w->dbi, OP_META_K_GENERATION);
	mdb_txn_abort(txn);
	w->generation = work_gen;
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

void gen_work_close_env(struct gen_work *w)
{
	if (w->txn)
		mdb_txn_abort(w->txn);
	w->txn = NULL;
	if (w->env)
		mdb_env_close(w->env);
	w->env = NULL;
}

void gen_work_close(struct gen_work *w)
{
	gen_work_close_env(w);
	gen_publish_unlock(w->lockfd);
	w->lockfd = -1;
}
