/* gen_stick: the output's permanent revocations folded into the entries;
 * holds released, inputs that still revoke winning, the operator's
 * release, an unreadable record failing closed. */
#include <check.h>

#include "check_hist.h"
#include "check_run.h"
#include <lmdb.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "gen_stick.h"
#include "op_err.h"
#include "op_key.h"
#include "op_rec.h"

START_TEST(permanent_revocations_stick)
{
	struct gen_list in = { 0 };
	struct gen_stick st;
	const struct gen_entry *e;

	stored(OP_HASH_SHA1, 0x10, OP_STATUS_REVOKED, KEYCOMPROMISE, 100);
	stored(OP_HASH_SHA256, 0x10, OP_STATUS_REVOKED, KEYCOMPROMISE, 100);
	stored(OP_HASH_SHA256, 0x11, OP_STATUS_REVOKED, HOLD, 100);
	stored(OP_HASH_SHA1, 0x12, OP_STATUS_REVOKED, OP_REASON_NONE, 100);
	stored(OP_HASH_SHA512, 0x13, OP_STATUS_REVOKED, 4, 100); /* a dropped hash */
	stored(OP_HASH_SHA1, 0x14, OP_STATUS_REVOKED, 4, 100);
	stored(OP_HASH_SHA1, 0x15, OP_STATUS_GOOD, 0, 0);
	input(&in, 0x10, OP_STATUS_GOOD, 0);	/* the CRL dropped it */
	input(&in, 0x11, OP_STATUS_GOOD, 0);	/* hold ended */
	input(&in, 0x14, OP_STATUS_REVOKED, KEYCOMPROMISE); /* CA's new word */
	input(&in, 0x15, OP_STATUS_GOOD, 0);
	input(&in, 0x16, OP_STATUS_REVOKED, HOLD);
	ck_assert_int_eq(gen_stick_apply(txn, dbi, "w.lmdb", "a", ca, NULL, &in, &st), 0);
	ck_assert_uint_eq(st.kept, 3);	/* 10, 12 (not in issued), 13 */
	ck_assert_str_eq(st.named[0], "10 (keyCompromise)");
	ck_assert_str_eq(st.named[1], "12 (no reason)");
	ck_assert_ptr_nonnull(e = find(&in, 0x10));
	ck_assert_int_eq(e->status, OP_STATUS_REVOKED);
	ck_assert_int_eq(e->reason, KEYCOMPROMISE);
	ck_assert_int_eq(e->rev_time, 100);
	ck_assert_int_eq(e->src, GEN_SRC_KEPT);
	ck_assert_int_eq(find(&in, 0x11)->status, OP_STATUS_GOOD);
	ck_assert_ptr_nonnull(find(&in, 0x12));
	ck_assert_int_eq(find(&in, 0x13)->reason, 4);
	ck_assert_int_eq(find(&in, 0x14)->reason, KEYCOMPROMISE);
	ck_assert_int_eq(find(&in, 0x14)->rev_time, 500);
	ck_assert_int_eq(find(&in, 0x15)->status, OP_STATUS_GOOD);
	ck_assert_int_eq(find(&in, 0x16)->reason, HOLD);
	ck_assert_uint_eq(in.n, 7);
	for (size_t i = 1; i < in.n; i++)	/* still sorted, one per serial */
		ck_assert_int_lt(gen_input_entry_cmp(&in.v[i - 1], &in.v[i]), 0);
	gen_input_list_free(&in);
}
END_TEST

START_TEST(hold_never_weakens_a_permanent_revocation)
{
	struct gen_list in = { 0 };
	struct gen_stick st;

	stored(OP_HASH_SHA1, 0x20, OP_STATUS_REVOKED, KEYCOMPROMISE, 100);
	input(&in, 0x20, OP_STATUS_REVOKED, HOLD);
	ck_assert_int_eq(gen_stick_apply(txn, dbi, "w.lmdb", "a", ca, NULL, &in, &st), 0);
	ck_assert_int_eq(find(&in, 0x20)->reason, KEYCOMPROMISE);
	ck_assert_uint_eq(st.kept, 1);
	gen_input_list_free(&in);
}
END_TEST

START_TEST(operator_release)
{
	struct gen_list in = { 0 }, rel = { 0 };
	struct gen_stick st;

	stored(OP_HASH_SHA1, 0x30, OP_STATUS_REVOKED, KEYCOMPROMISE, 100);
	stored(OP_HASH_SHA1, 0x31, OP_STATUS_REVOKED, KEYCOMPROMISE, 100);
	input(&in, 0x30, OP_STATUS_GOOD, 0);
	input(&in, 0x31, OP_STATUS_REVOKED, KEYCOMPROMISE);	/* still listed */
	input(&rel, 0x30, OP_STATUS_GOOD, 0);
	input(&rel, 0x31, OP_STATUS_GOOD, 0);
	ck_assert_int_eq(gen_stick_apply(txn, dbi, "w.lmdb", "a", ca, &rel, &in, &st), 0);
	ck_assert_uint_eq(st.released, 2);
	ck_assert_uint_eq(st.kept, 0);
	ck_assert_int_eq(find(&in, 0x30)->status, OP_STATUS_GOOD);
	ck_assert_int_eq(find(&in, 0x31)->status, OP_STATUS_REVOKED);
	gen_input_list_free(&in);
	gen_input_list_free(&rel);
}
END_TEST

START_TEST(unreadable_record_fails_closed)
{
	struct gen_list in = { 0 };
	struct gen_stick st;
	uint8_t k[OP_KEY_MAX], serial = 0x40;
	size_t klen;
	MDB_val mk, mv = { 5, "short" };

	ck_assert_int_eq(op_key_from_issuer(ca, OP_HASH_SHA1, &serial, 1, k,
					    &klen), 0);
	mk.mv_size = klen;
	mk.mv_data = k;
	ck_assert_int_eq(mdb_put(txn, dbi, &mk, &mv, 0), 0);
	ck_assert_int_eq(gen_stick_apply(txn, dbi, "w.lmdb", "a", ca, NULL, &in, &st),
			 OP_E_HISTORY);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "serial 40"));
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "w.lmdb"));
	/* Never published: nothing to remember, nothing refused. */
	ck_assert_int_eq(gen_stick_apply(NULL, 0, "w.lmdb", "a", ca, NULL, &in, &st), 0);
	gen_input_list_free(&in);
}
END_TEST

CHECK_MAIN("gen_stick", hist_setup, hist_teardown,
	   permanent_revocations_stick,
	   hold_never_weakens_a_permanent_revocation, operator_release,
	   unreadable_record_fails_closed)
