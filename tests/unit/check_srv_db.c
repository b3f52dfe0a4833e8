/* srv_db: slots, the swap of a renamed file, refusals, views. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_fixture.h"
#include "check_run.h"
#include "op_log.h"
#include "op_time.h"
#include "srv_db.h"

#define T0 1795287488

static char dir[] = "/tmp/check_srv_db.XXXXXX";

static void path_of(char *buf, const char *name)
{
	snprintf(buf, 96, "%s/%s", dir, name);
}

/* A file with one response under key "k" + c, published at gen. */
static void make(const char *name, int64_t gen, char c)
{
	char p[96];
	uint8_t key[2] = { 1, (uint8_t)c };
	struct test_resp r = { key, 2, OP_STATUS_GOOD, T0, T0 + 86400, "DER" };

	path_of(p, name);
	fx_db(p, gen, &r, 1);
}

static void junk(const char *name)
{
	char p[96];
	FILE *f;

	path_of(p, name);
	f = fopen(p, "w");
	fputs("not a database\n", f);
	fclose(f);
}

static void mv(const char *from, const char *to)
{
	char a[96], b[96];

	path_of(a, from);
	path_of(b, to);
	ck_assert_int_eq(rename(a, b), 0);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	op_log_init("check_srv_db", OP_LOG_ERR);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(swap_on_rename)
{
	struct srv_slot s;
	struct srv_view v = { 0 };
	char p[96];
	MDB_val k = { 2, "\1b" }, val;

	make("db", T0, 'a');
	path_of(p, "db");
	ck_assert_int_eq(srv_db_slot_init(&s, p), 0);
	ck_assert_uint_eq(s.cur->responses, 1);
	ck_assert_int_eq(srv_db_slot_check(&s), 0);	/* same inode */
	ck_assert_int_eq(srv_db_view_sync(&v, &s), 0);
	ck_assert_int_eq(mdb_get(v.txn, v.f->db.dbi, &k, &val), MDB_NOTFOUND);
	make("new", T0 + 60, 'b');
	mv("new", "db");
	ck_assert_int_eq(srv_db_slot_check(&s), 1);
	ck_assert_uint_eq(s.swaps, 1);
	/* The view follows on its next sync. */
	ck_assert_int_eq(srv_db_view_sync(&v, &s), 0);
	ck_assert_int_eq(mdb_get(v.txn, v.f->db.dbi, &k, &val), 0);
	srv_db_view_release(&v);
	srv_db_slot_destroy(&s);
}
END_TEST

START_TEST(refusals_per_slot)
{
	struct srv_slot s[2];
	char p0[96], p1[96];

	make("db0", T0, 'a');
	make("db1", T0, 'b');
	path_of(p0, "db0");
	path_of(p1, "db1");
	ck_assert_int_eq(srv_db_slot_init(&s[0], p0), 0);
	ck_assert_int_eq(srv_db_slot_init(&s[1], p1), 0);
	junk("j0");
	junk("j1");
	mv("j0", "db0");
	mv("j1", "db1");
	/* Two bad files, checked in turn: each refusal counted (and logged)
	 * once, not once per check. */
	for (int round = 0; round < 4; round++) {
		ck_assert_int_lt(srv_db_slot_check(&s[0]), 0);
		ck_assert_int_lt(srv_db_slot_check(&s[1]), 0);
	}
	ck_assert_uint_eq(s[0].refused, 1);
	ck_assert_uint_eq(s[1].refused, 1);
	/* Still serving the old files. */
	ck_assert_uint_eq(s[0].cur->responses, 1);
	/* Another bad file is a new refusal. */
	junk("j0");
	mv("j0", "db0");
	ck_assert_int_lt(srv_db_slot_check(&s[0]), 0);
	ck_assert_uint_eq(s[0].refused, 2);
	srv_db_slot_destroy(&s[0]);
	srv_db_slot_destroy(&s[1]);
}
END_TEST

START_TEST(no_rollback)
{
	struct srv_slot s;
	char p[96];

	make("db", T0, 'a');
	path_of(p, "db");
	ck_assert_int_eq(srv_db_slot_init(&s, p), 0);
	/* Older: refused, counted once, the served file stays. */
	make("old", T0 - 1, 'b');
	mv("old", "db");
	for (int i = 0; i < 3; i++)
		ck_assert_int_lt(srv_db_slot_check(&s), 0);
	ck_assert_uint_eq(s.rollbacks, 1);
	ck_assert_int_eq(s.rollback_generated, T0 - 1);
	ck_assert_uint_eq(s.swaps, 0);
	ck_assert_int_eq(s.cur->db.generated, T0);
	/* The same publication again (a copy): nothing to do. */
	make("same", T0, 'c');
	mv("same", "db");
	ck_assert_int_eq(srv_db_slot_check(&s), 0);
	ck_assert_int_eq(srv_db_slot_check(&s), 0);
	ck_assert_uint_eq(s.swaps, 0);
	ck_assert_uint_eq(s.rollbacks, 1);
	/* Newer: swapped, and the rollback warning ends. */
	make("new", T0 + 1, 'd');
	mv("new", "db");
	ck_assert_int_eq(srv_db_slot_check(&s), 1);
	ck_assert_int_eq(s.rollback_generated, 0);
	ck_assert_int_eq(s.cur->db.generated, T0 + 1);
	srv_db_slot_destroy(&s);
	/* A restart accepts the older file. */
	make("old", T0 - 1, 'b');
	mv("old", "db");
	ck_assert_int_eq(srv_db_slot_init(&s, p), 0);
	ck_assert_int_eq(s.cur->db.generated, T0 - 1);
	srv_db_slot_destroy(&s);
}
END_TEST

START_TEST(missing_and_back)
{
	struct srv_slot s;
	char p[96];

	make("db", T0, 'a');
	path_of(p, "db");
	ck_assert_int_eq(srv_db_slot_init(&s, p), 0);
	mv("db", "saved");
	ck_assert_int_eq(srv_db_slot_check(&s), 0);
	ck_assert_int_eq(s.missing, 1);
	mv("saved", "db");
	ck_assert_int_eq(srv_db_slot_check(&s), 0);
	ck_assert_int_eq(s.missing, 0);
	srv_db_slot_destroy(&s);
}
END_TEST

START_TEST(init_refuses_junk)
{
	struct srv_slot s;
	char p[96];

	junk("db");
	path_of(p, "db");
	ck_assert_int_ne(srv_db_slot_init(&s, p), 0);
	path_of(p, "absent");
	ck_assert_int_ne(srv_db_slot_init(&s, p), 0);
}
END_TEST

CHECK_MAIN("srv_db", setup, teardown,
	   swap_on_rename, refusals_per_slot, no_rollback, missing_and_back,
	   init_refuses_junk)
