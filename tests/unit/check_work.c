/* gen_work: lock, working copy, commit, publication by generation. */
#include <check.h>

#include "check_run.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen_work.h"
#include "op_db.h"
#include "op_err.h"

static char dir[] = "/tmp/check_work.XXXXXX";
static char out[PATH_MAX];

static void setup(void)
{
	strcpy(dir, "/tmp/check_work.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/r.lmdb", dir);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(struct gen_work *w, const char *k, const char *v)
{
	MDB_val mk = { strlen(k), (void *)k }, mv = { strlen(v), (void *)v };

	ck_assert_int_eq(mdb_put(w->txn, w->dbi, &mk, &mv, 0), 0);
}

static int has(struct gen_work *w, const char *k)
{
	MDB_val mk = { strlen(k), (void *)k }, mv;

	return mdb_get(w->txn, w->dbi, &mk, &mv) == 0;
}

static int64_t published_generation(void)
{
	struct op_db db;
	int64_t g;

	ck_assert_int_eq(op_db_open(out, &db), 0);
	g = db.generation;
	op_db_close(&db);
	return g;
}

/* One whole run: lock, open, put k (if any), bump, commit, publish. */
static int run(const char *k, int *published)
{
	struct gen_work w;
	int rc;

	if ((rc = gen_work_lock(&w, out)) == 0 && (rc = gen_work_open(&w)) == 0) {
		if (k)
			put(&w, k, "v");
		if ((!k || (rc = gen_work_bump(&w, 1800000000)) == 0) &&
		    (rc = gen_work_commit(&w)) == 0)
			rc = gen_work_publish(&w, published);
	}
	gen_work_close(&w);
	return rc;
}

START_TEST(publish_by_generation)
{
	int published = -1;

	ck_assert_int_eq(run("a", &published), 0);
	ck_assert_int_eq(published, 1);
	ck_assert_int_eq(published_generation(), 1);
	/* Nothing changed: the published file already has the generation. */
	ck_assert_int_eq(run(NULL, &published), 0);
	ck_assert_int_eq(published, 0);
	ck_assert_int_eq(run("b", &published), 0);
	ck_assert_int_eq(published, 1);
	ck_assert_int_eq(published_generation(), 2);
}
END_TEST

START_TEST(commit_without_publication_caught_up)
{
	struct gen_work w;
	int published;

	ck_assert_int_eq(run("a", &published), 0);
	/* A run that died between commit and publication. */
	ck_assert_int_eq(gen_work_lock(&w, out), 0);
	ck_assert_int_eq(gen_work_open(&w), 0);
	put(&w, "b", "v");
	ck_assert_int_eq(gen_work_bump(&w, 1800000000), 0);
	ck_assert_int_eq(gen_work_commit(&w), 0);
	gen_work_close(&w);
	ck_assert_int_eq(published_generation(), 1);
	ck_assert_int_eq(run(NULL, &published), 0);
	ck_assert_int_eq(published, 1);
	ck_assert_int_eq(published_generation(), 2);
}
END_TEST

START_TEST(lost_working_copy_rebuilt)
{
	char work[PATH_MAX + 8];
	struct gen_work w;
	int published;

	ck_assert_int_eq(run("a", &published), 0);
	snprintf(work, sizeof(work), "%s.work", out);
	ck_assert_int_eq(unlink(work), 0);
	ck_assert_int_eq(gen_work_lock(&w, out), 0);
	ck_assert_int_eq(gen_work_open(&w), 0);
	ck_assert(has(&w, "a"));
	gen_work_close(&w);
	ck_assert_int_eq(access(work, F_OK), 0);
}
END_TEST

/* History fails closed: a working copy of another format is not
 * silently replaced, and neither is a published file that cannot be
 * read when the working copy is gone. */
START_TEST(foreign_working_copy_refused)
{
	struct gen_work w;
	int published;

	ck_assert_int_eq(run("a", &published), 0);
	ck_assert_int_eq(gen_work_lock(&w, out), 0);
	ck_assert_int_eq(gen_work_open(&w), 0);
	ck_assert_int_eq(op_db_meta_put(w.txn, w.dbi, OP_META_K_FORMAT, NULL, 0,
					"other", 5, NULL), 0);
	ck_assert_int_eq(gen_work_commit(&w), 0);
	gen_work_close(&w);
	ck_assert_int_eq(gen_work_lock(&w, out), 0);
	ck_assert_int_eq(gen_work_open(&w), OP_E_HISTORY);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "remove the working copy"));
	gen_work_close(&w);
	ck_assert_int_eq(gen_work_lock(&w, out), 0);
	ck_assert_int_eq(gen_work_open_ro(&w), OP_E_HISTORY);
	gen_work_close(&w);
}
END_TEST

START_TEST(unreadable_published_file_refused)
{
	char work[PATH_MAX + 8];
	struct gen_work w;
	int published;

	ck_assert_int_eq(run("a", &published), 0);
	snprintf(work, sizeof(work), "%s.work", out);
	ck_assert_int_eq(unlink(work), 0);
	ck_assert_int_eq(truncate(out, 4096), 0);
	ck_assert_int_eq(gen_work_lock(&w, out), 0);
	ck_assert_int_eq(gen_work_open_ro(&w), OP_E_HISTORY);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), out));
	ck_assert_int_eq(gen_work_open(&w), OP_E_HISTORY);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "move it away"));
	gen_work_close(&w);
	ck_assert_int_ne(access(work, F_OK), 0);
	/* Never published: no history, nothing refused. */
	ck_assert_int_eq(unlink(out), 0);
	ck_assert_int_eq(gen_work_lock(&w, out), 0);
	ck_assert_int_eq(gen_work_open_ro(&w), 0);
	ck_assert_ptr_null(w.txn);
	ck_assert_int_eq(gen_work_open(&w), 0);
	ck_assert_int_eq(op_db_check_format(w.txn, w.dbi), 0);
	gen_work_close(&w);
}
END_TEST

START_TEST(lock_excludes_and_cleans)
{
	struct gen_work w1, w2;
	char stale[PATH_MAX + 32];
	FILE *f;

	snprintf(stale, sizeof(stale), "%s/.r.lmdb.work.tmp.999999", dir);
	ck_assert_ptr_nonnull(f = fopen(stale, "w"));
	fclose(f);
	ck_assert_int_eq(gen_work_lock(&w1, out), 0);
	ck_assert_int_ne(access(stale, F_OK), 0);
	ck_assert_int_eq(gen_work_lock(&w2, out), OP_E_LOCKED);
	gen_work_close(&w2);
	gen_work_close(&w1);
	ck_assert_int_eq(gen_work_lock(&w2, out), 0);
	gen_work_close(&w2);
}
END_TEST

CHECK_MAIN("gen_work", setup, teardown,
	   publish_by_generation, commit_without_publication_caught_up,
	   lost_working_copy_rebuilt, foreign_working_copy_refused,
	   unreadable_published_file_refused, lock_excludes_and_cleans)
