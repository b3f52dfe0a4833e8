/* gen_sweep: the budget earned by the clock, capped at one run_interval,
 * the fraction carried over; the state stored and read back. */
#include <check.h>

#include "check_run.h"
#include "check_tmpdir.h"
#include <lmdb.h>

#include "gen_sweep.h"

#define H 3600

START_TEST(first_run_earns_nothing)
{
	struct gen_sweep s = { 0 };

	ck_assert_uint_eq(gen_sweep_budget(&s, 72000, 1000000, H, 72 * H), 0);
	ck_assert_int_eq(s.clock, 1000000);
}
END_TEST

START_TEST(one_interval_earns_one_share)
{
	struct gen_sweep s = { .clock = 1000000 };

	/* 72,000 responses, refresh 72 h, hourly: 1,000 per run. */
	ck_assert_uint_eq(gen_sweep_budget(&s, 72000, 1000000 + H, H, 72 * H), 1000);
	ck_assert_uint_eq(gen_sweep_budget(&s, 72000, 1000000 + 2 * H, H, 72 * H),
			  1000);
}
END_TEST

START_TEST(long_pause_is_capped)
{
	struct gen_sweep s = { .clock = 1000000 };

	/* A day without runs earns one interval, not 24: no burst. */
	ck_assert_uint_eq(gen_sweep_budget(&s, 72000, 1000000 + 24 * H, H, 72 * H),
			  1000);
}
END_TEST

START_TEST(frequent_runs_earn_proportionally)
{
	struct gen_sweep s = { .clock = 1000000 };
	size_t total = 0;

	/* Four runs a quarter hour apart earn one interval's share between
	 * them, the remainder carried from run to run. */
	for (int i = 1; i <= 4; i++)
		total += gen_sweep_budget(&s, 72000, 1000000 + i * (H / 4), H,
					  72 * H);
	ck_assert_uint_ge(total, 999);
	ck_assert_uint_le(total, 1000);
}
END_TEST

START_TEST(state_round_trip)
{
	char path[600];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	const uint8_t prefix[] = { 1, 0xaa, 0xbb };
	struct gen_sweep s = { .clock = 123456, .pos = { 0x10, 0x20 }, .pos_len = 2 };
	struct gen_sweep r;

	snprintf(path, sizeof(path), "%s/s.lmdb", tmpdir);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	ck_assert_int_eq(gen_sweep_load(txn, dbi, prefix, 3, &r), 0);
	ck_assert_int_eq(r.clock, 0);
	ck_assert_uint_eq(r.pos_len, 0);
	ck_assert_int_eq(gen_sweep_store(txn, dbi, prefix, 3, &s), 0);
	ck_assert_int_eq(gen_sweep_load(txn, dbi, prefix, 3, &r), 0);
	ck_assert_int_eq(r.clock, 123456);
	ck_assert_uint_eq(r.pos_len, 2);
	ck_assert_mem_eq(r.pos, s.pos, 2);
	/* Another issuer's state is its own. */
	ck_assert_int_eq(gen_sweep_load(txn, dbi, prefix, 2, &r), 0);
	ck_assert_int_eq(r.clock, 0);
	mdb_txn_abort(txn);
	mdb_env_close(env);
}
END_TEST

CHECK_MAIN("gen_sweep", tmpdir_setup, tmpdir_teardown,
	   first_run_earns_nothing, one_interval_earns_one_share,
	   long_pause_is_capped, frequent_runs_earn_proportionally,
	   state_round_trip)
