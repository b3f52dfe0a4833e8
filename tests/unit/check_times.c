/* gen_times: which CRL decided an entry (base, delta, none), the times a
 * response states under this_update and next_update_cap, when a stored
 * response is signed again, and the even spread of responses a new CRL
 * lets run longer. */
#include <check.h>

#include "check_run.h"

#include "gen_times.h"
#include "op_rec.h"

#include <stdlib.h>

#define H 3600
#define D 86400
#define NOW 1800000000LL

/* Base CRL 2 days old, next in 5 days; delta 12 hours old, next in 12. */
static struct gen_crlset crls(int with_delta)
{
	struct gen_crlset s = { 0 };

	s.base = (struct gen_crlinfo){ .present = 1, .this_update = NOW - 2 * D,
				       .next_update = NOW + 5 * D };
	if (with_delta)
		s.delta = (struct gen_crlinfo){ .present = 1,
						.this_update = NOW - 12 * H,
						.next_update = NOW + 12 * H };
	return s;
}

static struct gen_entry entry(int src, int crl, int status, int reason)
{
	struct gen_entry e = { .serial = { 1 }, .serial_len = 1 };

	e.src = (uint8_t)src;
	e.crl = (uint8_t)crl;
	e.status = (uint8_t)status;
	e.reason = (uint8_t)reason;
	return e;
}

static struct gen_auth_conf conf(int tu_crl, int cap)
{
	struct gen_auth_conf c = { .validity = 7 * D, .refresh = 3 * D };

	c.this_update_crl = tu_crl;
	c.cap_crl = cap;
	return c;
}

START_TEST(the_crl_that_decided)
{
	struct gen_crlset both = crls(1), base = crls(0);
	struct gen_entry good = entry(GEN_SRC_ISSUED, 0, OP_STATUS_GOOD, 0);
	struct gen_entry kc = entry(GEN_SRC_CRL, GEN_FROM_BASE, 1, 1);
	struct gen_entry hold = entry(GEN_SRC_CRL, GEN_FROM_BASE, 1, 6);
	struct gen_entry dkc = entry(GEN_SRC_CRL, GEN_FROM_DELTA, 1, 1);

	ck_assert_int_eq(gen_times_from(&both, &good), GEN_FROM_DELTA);
	ck_assert_int_eq(gen_times_from(&base, &good), GEN_FROM_BASE);
	ck_assert_int_eq(gen_times_from(&both, &kc), GEN_FROM_BASE);
	ck_assert_int_eq(gen_times_from(&both, &hold), GEN_FROM_DELTA);
	ck_assert_int_eq(gen_times_from(&base, &hold), GEN_FROM_BASE);
	ck_assert_int_eq(gen_times_from(&both, &dkc), GEN_FROM_DELTA);
	for (int src = GEN_SRC_INDEX_REVOKED; src <= GEN_SRC_RETAINED; src++) {
		struct gen_entry e = entry(src, 0, 1, 1);

		if (src != GEN_SRC_CRL)
			ck_assert_int_eq(gen_times_from(&both, &e), GEN_FROM_NONE);
	}
}
END_TEST

START_TEST(times_by_policy)
{
	struct gen_crlset both = crls(1);
	struct gen_entry good = entry(GEN_SRC_ISSUED, 0, OP_STATUS_GOOD, 0);
	struct gen_entry kc = entry(GEN_SRC_CRL, GEN_FROM_BASE, 1, 1);
	struct gen_entry local = entry(GEN_SRC_LOCAL, 0, 1, 1);
	struct gen_auth_conf c = conf(0, 0);
	struct gen_when w;

	gen_times_of(&c, &both, &good, NOW, &w);	/* today's */
	ck_assert_int_eq(w.this_update, NOW);
	ck_assert_int_eq(w.next_update, NOW + 7 * D);
	ck_assert_int_eq(w.from, GEN_FROM_DELTA);
	c = conf(1, 0);
	gen_times_of(&c, &both, &good, NOW, &w);
	ck_assert_int_eq(w.this_update, NOW - 12 * H);
	ck_assert_int_eq(w.next_update, NOW + 7 * D);
	gen_times_of(&c, &both, &kc, NOW, &w);
	ck_assert_int_eq(w.this_update, NOW - 2 * D);
	c = conf(1, 1);
	gen_times_of(&c, &both, &good, NOW, &w);
	ck_assert_int_eq(w.next_update, NOW + 12 * H);
	gen_times_of(&c, &both, &kc, NOW, &w);
	ck_assert_int_eq(w.next_update, NOW + 5 * D);
	gen_times_of(&c, &both, &local, NOW, &w);	/* no CRL decided */
	ck_assert_int_eq(w.this_update, NOW);
	ck_assert_int_eq(w.next_update, NOW + 7 * D);
	ck_assert_int_eq(w.from, GEN_FROM_NONE);
	/* A delta is read with its base: no later than either. */
	both.delta.next_update = NOW + 6 * D;
	gen_times_of(&c, &both, &good, NOW, &w);
	ck_assert_int_eq(w.next_update, NOW + 5 * D);
	/* The cap only shortens; a CRL dated after the run is not cited. */
	both.delta.this_update = NOW + 60;
	both.delta.next_update = NOW + 30 * D;
	both.base.next_update = 0;
	gen_times_of(&c, &both, &good, NOW, &w);
	ck_assert_int_eq(w.this_update, NOW);
	ck_assert_int_eq(w.next_update, NOW + 7 * D);
}
END_TEST

START_TEST(when_signed_again)
{
	struct gen_auth_conf plain = conf(0, 0), cap = conf(0, 1);
	struct gen_when w = { NOW, NOW + 7 * D, GEN_FROM_BASE };

	/* Today's rules: the span is validity, refresh ages. */
	ck_assert_int_eq(gen_times_due(&plain, NOW - D, NOW + 6 * D, &w, NOW),
			 GEN_TIMES_KEEP);
	ck_assert_int_eq(gen_times_due(&plain, NOW - 3 * D, NOW + 4 * D, &w, NOW),
			 GEN_TIMES_AGED);
	ck_assert_int_eq(gen_times_due(&plain, NOW - D, NOW + 2 * D, &w, NOW),
			 GEN_TIMES_SIGN);
	/* Capped by a CRL not renewed: signing again changes nothing. */
	w.next_update = NOW + 12 * H;
	ck_assert_int_eq(gen_times_due(&cap, NOW - D, NOW + 12 * H, &w, NOW),
			 GEN_TIMES_KEEP);
	/* A new CRL lets it run longer: due once within validity - refresh. */
	w.next_update = NOW + 36 * H;
	ck_assert_int_eq(gen_times_due(&cap, NOW - D, NOW + 12 * H, &w, NOW),
			 GEN_TIMES_AGED);
	cap.refresh = 7 * D - 2 * H;	/* due 2 hours before nextUpdate */
	ck_assert_int_eq(gen_times_due(&cap, NOW - D, NOW + 12 * H, &w, NOW),
			 GEN_TIMES_KEEP);
	ck_assert_int_eq(gen_times_deadline(&cap, NOW + 12 * H), NOW + 10 * H);
	/* Promising more than the policy allows now is signed at once. */
	w.next_update = NOW + 6 * H;
	ck_assert_int_eq(gen_times_due(&cap, NOW - D, NOW + 12 * H, &w, NOW),
			 GEN_TIMES_SIGN);
	ck_assert(gen_times_better(&cap, NOW - D, NOW + H, &w));
	ck_assert(!gen_times_better(&cap, NOW - D, NOW + 6 * H, &w));
	cap.this_update_crl = 1;	/* a newer CRL's thisUpdate is news */
	ck_assert(gen_times_better(&cap, NOW - D, NOW + 6 * H, &w));
}
END_TEST

START_TEST(spread_over_the_runs_left)
{
	int64_t dl[12];

	for (int i = 0; i < 12; i++)
		dl[i] = NOW + 10 * H + 1;	/* 11 runs of 1 hour left */
	ck_assert_uint_eq(gen_times_spread(dl, 11, NOW, H), 1);
	ck_assert_uint_eq(gen_times_spread(dl, 12, NOW, H), 2);
	ck_assert_uint_eq(gen_times_spread(dl, 0, NOW, H), 0);
	/* Run after run the same share, and all before the deadline. */
	{
		size_t left = 11, runs = 0;

		for (int64_t t = NOW; left && runs < 20; t += H, runs++)
			left -= gen_times_spread(dl, left, t, H);
		ck_assert_uint_eq(runs, 11);
	}
	/* Past or at the deadline: all of them now. */
	dl[0] = NOW - H;
	dl[1] = NOW;
	ck_assert_uint_eq(gen_times_spread(dl, 2, NOW, H), 2);
	ck_assert_uint_eq(gen_times_spread(dl, 2, NOW, 0), 2);
}
END_TEST

/* Which kept responses a new CRL lets run longer, and how many now. */
START_TEST(stale_ones_earliest_first)
{
	struct gen_crlset both = crls(1);
	struct gen_auth_conf c = conf(0, 1);
	struct gen_entry ev[5] = {
		entry(GEN_SRC_ISSUED, 0, OP_STATUS_GOOD, 0),
		entry(GEN_SRC_ISSUED, 0, OP_STATUS_GOOD, 0),
		entry(GEN_SRC_LOCAL, 0, 1, 1),		/* no CRL decided */
		entry(GEN_SRC_ISSUED, 0, OP_STATUS_GOOD, 0),	/* signed now */
		entry(GEN_SRC_ISSUED, 0, OP_STATUS_GOOD, 0),
	};
	struct gen_list l = { .v = ev, .n = 5 };
	/* Capped by an older delta whose nextUpdate is 4 or 2 hours away;
	 * the last by the current one (nothing to gain). */
	int64_t tu[5] = { NOW - D, NOW - D, NOW - D, INT64_MAX, NOW - D };
	int64_t nu[5] = { NOW + 4 * H, NOW + 2 * H, NOW + H, INT64_MAX,
			  NOW + 12 * H };
	size_t *idx, n;

	c.refresh = 7 * D - H;	/* due an hour before nextUpdate */
	ck_assert_int_eq(gen_times_stale(&c, &both, &l, tu, nu, NOW, H, &idx,
					 &n), 0);
	/* Entry 1 has 2 runs left (share 1/2), entry 0 4 (1/4): one now,
	 * the earlier. */
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(idx[0], 1);
	free(idx);
	ck_assert_int_eq(gen_times_stale(&c, &both, &l, tu, nu, NOW + 3 * H, H,
					 &idx, &n), 0);
	ck_assert_uint_eq(n, 2);	/* both at or past their deadline */
	ck_assert_uint_eq(idx[0], 1);
	ck_assert_uint_eq(idx[1], 0);
	free(idx);
}
END_TEST

CHECK_MAIN("gen_times", NULL, NULL,
	   the_crl_that_decided, times_by_policy, when_signed_again,
	   spread_over_the_runs_left, stale_ones_earliest_first)
