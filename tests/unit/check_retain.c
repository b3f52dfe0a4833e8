/* gen_retain: serials that leave the inputs answered with their last
 * status for retain_expired, remembered in per-serial records; ended,
 * listed again, retain_expired = 0 and forever; released and permanent
 * revocations left to gen_stick; unreadable records failing closed. */
#include <check.h>

#include "check_hist.h"
#include "check_run.h"

#include "gen_conf.h"
#include "gen_retain.h"
#include "op_err.h"
#include "op_meta.h"

#define DAY 86400
#define T0 1800000000LL

static void apply(struct gen_list *in, int64_t retain, int64_t now,
		  const struct gen_list *release, struct gen_retain *r)
{
	int changed = 0;

	ck_assert_int_eq(gen_retain_apply(txn, dbi, "w.lmdb", ca, retain, now,
					  release, in, r), 0);
	ck_assert_int_eq(gen_retain_store(txn, dbi, ca, r, &changed), 0);
	ck_assert_int_eq(changed, r->put.n || r->del.n);
	for (size_t i = 1; i < in->n; i++)	/* sorted, one per serial */
		ck_assert_int_lt(gen_input_entry_cmp(&in->v[i - 1], &in->v[i]), 0);
}

START_TEST(left_serials_answered_until_retention_ends)
{
	struct gen_list in = { 0 };
	struct gen_retain r;
	const struct gen_entry *e;

	stored(OP_HASH_SHA1, 0x10, OP_STATUS_GOOD, 0, 0);
	stored(OP_HASH_SHA256, 0x10, OP_STATUS_GOOD, 0, 0);
	stored(OP_HASH_SHA256, 0x11, OP_STATUS_REVOKED, HOLD, 100);
	stored(OP_HASH_SHA1, 0x12, OP_STATUS_REVOKED, KEYCOMPROMISE, 100);
	stored(OP_HASH_SHA1, 0x13, OP_STATUS_GOOD, 0, 0);
	input(&in, 0x13, OP_STATUS_GOOD, 0);
	apply(&in, 30 * DAY, T0, NULL, &r);
	ck_assert_uint_eq(r.retained, 2);
	ck_assert_uint_eq(r.left, 2);
	ck_assert_uint_eq(r.put.n, 2);
	ck_assert_uint_eq(in.n, 3);
	ck_assert_ptr_nonnull(e = find(&in, 0x10));
	ck_assert_int_eq(e->status, OP_STATUS_GOOD);
	ck_assert_int_eq(e->src, GEN_SRC_RETAINED);
	ck_assert_ptr_nonnull(e = find(&in, 0x11));
	ck_assert_int_eq(e->reason, HOLD);
	ck_assert_int_eq(e->rev_time, 100);
	/* A permanent revocation unlisted is gen_stick's, or released. */
	ck_assert_ptr_null(find(&in, 0x12));
	gen_retain_free(&r);
	gen_input_list_free(&in);

	/* A day before the end: from the records, left long ago. */
	input(&in, 0x13, OP_STATUS_GOOD, 0);
	apply(&in, 30 * DAY, T0 + 30 * DAY - 1, NULL, &r);
	ck_assert_uint_eq(r.retained, 2);
	ck_assert_uint_eq(r.left, 0);
	ck_assert_uint_eq(r.put.n + r.del.n, 0);
	ck_assert_int_eq(find(&in, 0x11)->reason, HOLD);
	gen_retain_free(&r);
	gen_input_list_free(&in);

	/* The end: not answered, records gone. */
	input(&in, 0x13, OP_STATUS_GOOD, 0);
	apply(&in, 30 * DAY, T0 + 30 * DAY, NULL, &r);
	ck_assert_uint_eq(r.retained, 0);
	ck_assert_uint_eq(r.ended, 2);
	ck_assert_uint_eq(r.del.n, 2);
	ck_assert_uint_eq(in.n, 1);
	gen_retain_free(&r);
	gen_input_list_free(&in);
}
END_TEST

START_TEST(listed_again_starts_afresh)
{
	struct gen_list in = { 0 };
	struct gen_retain r;

	stored(OP_HASH_SHA1, 0x20, OP_STATUS_GOOD, 0, 0);
	apply(&in, 10 * DAY, T0, NULL, &r);
	ck_assert_uint_eq(r.put.n, 1);
	gen_retain_free(&r);
	gen_input_list_free(&in);
	/* Issued again: the inputs decide, the record goes. */
	input(&in, 0x20, OP_STATUS_REVOKED, KEYCOMPROMISE);
	apply(&in, 10 * DAY, T0 + 5 * DAY, NULL, &r);
	ck_assert_uint_eq(r.del.n, 1);
	ck_assert_uint_eq(r.retained, 0);
	ck_assert_int_eq(find(&in, 0x20)->src, 0);
	ck_assert_int_eq(find(&in, 0x20)->reason, KEYCOMPROMISE);
	gen_retain_free(&r);
	gen_input_list_free(&in);
	/* It leaves again: a new clock, from now. */
	apply(&in, 10 * DAY, T0 + 9 * DAY, NULL, &r);
	ck_assert_uint_eq(r.left, 1);
	gen_retain_free(&r);
	gen_input_list_free(&in);
	apply(&in, 10 * DAY, T0 + 18 * DAY, NULL, &r);
	ck_assert_uint_eq(r.retained, 1);
	gen_retain_free(&r);
	gen_input_list_free(&in);
}
END_TEST

START_TEST(zero_forgets_forever_keeps)
{
	struct gen_list in = { 0 };
	struct gen_retain r;

	stored(OP_HASH_SHA1, 0x30, OP_STATUS_GOOD, 0, 0);
	apply(&in, GEN_RETAIN_FOREVER, T0, NULL, &r);
	ck_assert_uint_eq(r.retained, 1);
	gen_retain_free(&r);
	gen_input_list_free(&in);
	apply(&in, GEN_RETAIN_FOREVER, T0 + 3650 * DAY, NULL, &r);
	ck_assert_uint_eq(r.retained, 1);
	ck_assert_ptr_nonnull(find(&in, 0x30));
	gen_retain_free(&r);
	gen_input_list_free(&in);
	/* retain_expired = 0: today's behaviour, and the records go. */
	apply(&in, 0, T0 + 3650 * DAY, NULL, &r);
	ck_assert_uint_eq(r.retained, 0);
	ck_assert_uint_eq(r.del.n, 1);
	ck_assert_uint_eq(in.n, 0);
	gen_retain_free(&r);
	/* A record is the memory even without a response under any hash. */
	apply(&in, 5 * DAY, T0, NULL, &r);
	ck_assert_uint_eq(r.put.n, 1);	/* 0x30's response is still stored */
	gen_retain_free(&r);
	mdb_drop(txn, dbi, 0);
	apply(&in, 5 * DAY, T0 + DAY, NULL, &r);
	ck_assert_uint_eq(r.retained, 0);	/* the records went with the drop */
	gen_retain_free(&r);
	gen_input_list_free(&in);
}
END_TEST

START_TEST(release_is_not_retained)
{
	struct gen_list in = { 0 }, rel = { 0 };
	struct gen_retain r;

	stored(OP_HASH_SHA1, 0x40, OP_STATUS_GOOD, 0, 0);
	stored(OP_HASH_SHA1, 0x41, OP_STATUS_GOOD, 0, 0);
	input(&rel, 0x40, OP_STATUS_GOOD, 0);
	apply(&in, 30 * DAY, T0, &rel, &r);
	ck_assert_uint_eq(r.retained, 1);
	ck_assert_ptr_null(find(&in, 0x40));
	ck_assert_ptr_nonnull(find(&in, 0x41));
	gen_retain_free(&r);
	gen_input_list_free(&in);
	gen_input_list_free(&rel);
	/* Never published: nothing to remember. */
	ck_assert_int_eq(gen_retain_apply(NULL, 0, "w.lmdb", ca, 30 * DAY, T0,
					  NULL, &in, &r), 0);
	ck_assert_uint_eq(in.n, 0);
	gen_retain_free(&r);
}
END_TEST

START_TEST(unreadable_memory_fails_closed)
{
	struct gen_list in = { 0 };
	struct gen_retain r;
	uint8_t k[OP_META_KEY_MAX], serial = 0x50;
	size_t klen, ml;
	MDB_val mk, mv = { 5, "short" };

	/* A response of an unlisted serial that does not decode. */
	ck_assert_int_eq(op_key_from_issuer(ca, OP_HASH_SHA1, &serial, 1, k,
					    &klen), 0);
	mk.mv_size = klen;
	mk.mv_data = k;
	ck_assert_int_eq(mdb_put(txn, dbi, &mk, &mv, 0), 0);
	ck_assert_int_eq(gen_retain_apply(txn, dbi, "w.lmdb", ca, DAY, T0, NULL,
					  &in, &r), OP_E_HISTORY);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "serial 50"));
	gen_retain_free(&r);
	/* Listed, it is the diff's to re-sign, not a question here. */
	input(&in, 0x50, OP_STATUS_GOOD, 0);
	ck_assert_int_eq(gen_retain_apply(txn, dbi, "w.lmdb", ca, DAY, T0, NULL,
					  &in, &r), 0);
	gen_retain_free(&r);
	/* A retention record that does not decode. */
	ck_assert_int_eq(op_meta_ca_key(k, OP_META_K_RETAIN, ca, &ml), 0);
	k[ml] = serial;
	mk.mv_size = ml + 1;
	ck_assert_int_eq(mdb_put(txn, dbi, &mk, &mv, 0), 0);
	ck_assert_int_eq(gen_retain_apply(txn, dbi, "w.lmdb", ca, 0, T0, NULL,
					  &in, &r), OP_E_HISTORY);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "retention record of "
				     "serial 50"));
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "w.lmdb"));
	gen_retain_free(&r);
	gen_input_list_free(&in);
}
END_TEST

CHECK_MAIN("gen_retain", hist_setup, hist_teardown,
	   left_serials_answered_until_retention_ends,
	   listed_again_starts_afresh, zero_forgets_forever_keeps,
	   release_is_not_retained, unreadable_memory_fails_closed)
