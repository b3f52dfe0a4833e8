/* gen_run: whole runs over a real PKI (PEM keys), a real LMDB working copy
 * and published file in a temporary directory, on the fake clock. */
#include <check.h>

#include "check_pki.h"
#include "check_run.h"
#include <unistd.h>
#include <openssl/ocsp.h>

#include "gen_conf.h"
#include "gen_run.h"
#include "op_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"
#include "op_walk.h"

#define N 40

static struct pki p;

static void setup(void)
{
	op_log_init("check_run", OP_LOG_WARN);
	op_time_set_fake(PKI_NOW);
	pki_make(&p, N);
}

static void teardown(void)
{
	pki_free(&p);
	op_time_set_fake(-1);
}

/* One ocsp-gen run over the suite's configuration. */
static int run(const struct gen_opts *o, struct gen_stats *st)
{
	struct gen_opts none = { 0 };
	struct gen_conf conf;
	char path[PATH_MAX];
	int rc;

	pki_path(&p, "ocsp-gen.conf", path, sizeof(path));
	ck_assert_int_eq(gen_conf_load(path, &conf), 0);
	rc = gen_run(&conf, o ? o : &none, st);
	gen_conf_free(&conf);
	return rc;
}

static int64_t generation(void)
{
	char path[PATH_MAX];
	struct op_db db;
	int64_t g;

	pki_path(&p, "out.lmdb", path, sizeof(path));
	ck_assert_int_eq(op_db_open(path, &db), 0);
	g = db.generation;
	op_db_close(&db);
	return g;
}

/* The published response for serial: its record, and that it verifies
 * against the CA with OpenSSL and carries the status of the record. */
static int lookup(long serial, struct op_rec *rec)
{
	uint8_t sn[8], key[OP_KEY_MAX];
	size_t klen, n = 0;
	char path[PATH_MAX];
	struct op_db db;
	MDB_txn *txn;
	int rc;

	for (long s = serial; s; s >>= 8)
		n++;
	for (size_t i = 0; i < n; i++)
		sn[i] = (uint8_t)(serial >> (8 * (n - 1 - i)));
	ck_assert_int_eq(op_key_from_issuer(p.ca, OP_HASH_SHA1, sn, n, key, &klen), 0);
	pki_path(&p, "out.lmdb", path, sizeof(path));
	ck_assert_int_eq(op_db_open(path, &db), 0);
	ck_assert_int_eq(mdb_txn_begin(db.env, NULL, MDB_RDONLY, &txn), 0);
	if ((rc = op_db_get_rec(txn, db.dbi, key, klen, rec)) == 0) {
		size_t len = op_rec_served_len(rec);
		unsigned char *buf = malloc(len);
		const unsigned char *der = buf;
		OCSP_RESPONSE *resp;
		OCSP_BASICRESP *bs;
		X509_STORE *store = X509_STORE_new();

		/* As served: the stored body in its rebuilt wrapping. */
		ck_assert_uint_eq(op_rec_emit(rec, buf), len);
		ck_assert_ptr_nonnull(resp = d2i_OCSP_RESPONSE(NULL, &der,
							       (long)len));
		ck_assert_ptr_nonnull(bs = OCSP_response_get1_basic(resp));
		X509_STORE_add_cert(store, p.ca);
		X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
					   (time_t)op_time_now());
		ck_assert_int_eq(OCSP_basic_verify(bs, NULL, store, 0), 1);
		OCSP_BASICRESP_free(bs);
		OCSP_RESPONSE_free(resp);
		X509_STORE_free(store);
		free(buf);
		rec->body = rec->certs = NULL;	/* point into the closed map */
	}
	mdb_txn_abort(txn);
	op_db_close(&db);
	return rc;
}

START_TEST(sign_keep_revoke_remove)
{
	struct gen_stats st;
	struct op_rec rec;
	long rev[] = { 0x1003 };

	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.signed_count, N);
	ck_assert_int_eq(st.published, 1);
	ck_assert_int_eq(lookup(0x1003, &rec), 0);
	ck_assert_uint_eq(rec.status, OP_STATUS_GOOD);
	ck_assert_int_eq(rec.this_update, PKI_NOW);
	/* Nothing changed: nothing signed, nothing published. */
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.signed_count, 0);
	ck_assert_uint_eq(st.kept, N);
	ck_assert_int_eq(st.published, 0);
	ck_assert_int_eq(generation(), 1);
	/* One revocation: that one response. */
	pki_crl(&p, rev, 1);
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.signed_count, 1);
	ck_assert_int_eq(lookup(0x1003, &rec), 0);
	ck_assert_uint_eq(rec.status, OP_STATUS_REVOKED);
	ck_assert_uint_eq(rec.reason, 1);
	/* One serial fewer: its response goes. */
	pki_serials(&p, 0x1001, N - 1);
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert_uint_eq(st.signed_count, 0);
	ck_assert_int_eq(lookup(0x1000, &rec), MDB_NOTFOUND);
	ck_assert_int_eq(generation(), 3);
}
END_TEST

START_TEST(refresh_and_force)
{
	struct gen_stats st;
	struct gen_opts force = { .force = 1 }, dry = { .dry_run = 1, .force = 1 };
	struct op_rec rec;

	ck_assert_int_eq(run(NULL, &st), 0);
	op_time_set_fake(PKI_NOW + 3 * PKI_DAY - 1);
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.signed_count, 0);
	/* A dry run decides and signs, then writes nothing. */
	ck_assert_int_eq(run(&dry, &st), 0);
	ck_assert_uint_eq(st.signed_count, N);
	ck_assert_int_eq(generation(), 1);
	ck_assert_int_eq(run(&force, &st), 0);
	ck_assert_uint_eq(st.signed_count, N);
	ck_assert_int_eq(lookup(0x1001, &rec), 0);
	ck_assert_int_eq(rec.this_update, PKI_NOW + 3 * PKI_DAY - 1);
}
END_TEST

/* Replace the first from with to in the suite's ocsp-gen.conf. */
static void conf_edit(const char *from, const char *to)
{
	char text[2048], *at;
	size_t n;
	FILE *f = pki_open(&p, "ocsp-gen.conf", "r");

	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(at = strstr(text, from));
	f = pki_open(&p, "ocsp-gen.conf", "w");
	fprintf(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	fclose(f);
}

START_TEST(refused_before_writing)
{
	struct gen_stats st;
	struct gen_opts o = { .only_ca = "nosuch" };
	char path[PATH_MAX];
	FILE *f;

	ck_assert_int_eq(run(&o, &st), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "--ca nosuch"));
	/* A schedule slower than refresh cannot keep responses fresh. */
	pki_conf(&p, "validity = 7d\nrefresh = 3d\nrun_interval = 4d", "");
	pki_path(&p, "ocsp-gen.conf", path, sizeof(path));
	{
		struct gen_conf conf;

		ck_assert_int_eq(gen_conf_load(path, &conf), OP_E_CONFIG);
		ck_assert_ptr_nonnull(strstr(op_err_detail(), "run_interval"));
	}
	/* [ocsp_gen]'s output may be left out only if every authority
	 * names its own. */
	pki_conf(&p, NULL, "");
	conf_edit("output = out.lmdb\n", "");
	{
		struct gen_conf conf;

		ck_assert_int_eq(gen_conf_load(path, &conf), OP_E_CONFIG);
		ck_assert_ptr_nonnull(strstr(op_err_detail(), "'output' is required"));
		conf_edit("[a]\n", "[a]\noutput = own.lmdb\n");
		ck_assert_int_eq(gen_conf_load(path, &conf), 0);
		ck_assert_ptr_null(conf.output);
		ck_assert_ptr_nonnull(strstr(conf.auths[0].output, "/own.lmdb"));
		gen_conf_free(&conf);
	}
	pki_conf(&p, NULL, "");
	/* A broken CRL stops the run before the working copy exists. */
	f = pki_open(&p, "ca.crl", "w");
	fputs("not a CRL\n", f);
	fclose(f);
	ck_assert_int_ne(run(NULL, &st), 0);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "authority a"));
	pki_path(&p, "out.lmdb.work", path, sizeof(path));
	ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

/* What one run left in the published file: responses, the oldest
 * thisUpdate, and in how many runs of neighbouring keys (key order) lie
 * the responses signed at now. */
struct survey {
	size_t n, fresh, ranges;
	int64_t oldest;
};

static void survey(int64_t now, struct survey *sv)
{
	char path[PATH_MAX];
	struct op_db db;
	struct op_walk w;
	MDB_txn *txn;
	int rc, prev = 0;

	memset(sv, 0, sizeof(*sv));
	sv->oldest = INT64_MAX;
	pki_path(&p, "out.lmdb", path, sizeof(path));
	ck_assert_int_eq(op_db_open(path, &db), 0);
	ck_assert_int_eq(mdb_txn_begin(db.env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(op_walk_begin(&w, txn, db.dbi, OP_WALK_RESPONSES), 0);
	while ((rc = op_walk_next(&w)) > 0) {
		int fresh = w.rec.this_update == now;

		sv->n++;
		sv->fresh += fresh;
		sv->ranges += fresh && !prev;
		prev = fresh;
		if (w.rec.this_update < sv->oldest)
			sv->oldest = w.rec.this_update;
	}
	ck_assert_int_eq(rc, 0);
	op_walk_end(&w);
	mdb_txn_abort(txn);
	op_db_close(&db);
}

/*
 * A schedule at run_interval 1h (with jitter) and refresh 12h over 3000
 * serials for three refresh periods on the fake clock: after the first run no run
 * re-signs more than its share (the largest at most 1.5x the average
 * after the first period), shares are contiguous key ranges (at most two:
 * the sweep may wrap), and no response ever gets older than refresh.
 */
#define SN 3000
#define RUNS 36
START_TEST(even_refresh)
{
	size_t count[RUNS + 1], sum = 0, max = 0, early = 0;
	struct gen_stats st;
	struct survey sv;

	pki_serials(&p, 0x100000, SN);
	pki_conf(&p, "validity = 2d\nrefresh = 12h\nrun_interval = 1h", "");
	for (int k = 0; k <= RUNS; k++) {
		/* A timer's randomised delay: some runs start up to 7 min
		 * late, some on time. */
		int64_t now = PKI_NOW + k * 3600LL + (k % 3) * 200 * (k > 0);

		op_time_set_fake(now);
		ck_assert_int_eq(run(NULL, &st), 0);
		count[k] = st.signed_count;
		if (getenv("CHECK_RUN_VERBOSE"))
			fprintf(stderr, "run %d: signed %zu, early %zu\n", k,
				st.signed_count, st.early);
		survey(now, &sv);
		ck_assert_uint_eq(sv.n, SN);
		ck_assert_uint_eq(sv.fresh, st.signed_count);
		ck_assert_int_gt(sv.oldest, now - 12 * 3600LL);
		if (k == 0) {
			ck_assert_uint_eq(st.signed_count, SN);
			continue;
		}
		ck_assert_uint_le(sv.ranges, 2);
		ck_assert_uint_lt(st.signed_count, SN / 4);
		early += st.early;
		if (k > 12) {
			sum += count[k];
			max = count[k] > max ? count[k] : max;
		}
	}
	/* Each share is about 3000 / 12 = 250. */
	ck_assert_uint_le(max * 2, 3 * sum / (RUNS - 12));
	ck_assert_uint_ge(sum / (RUNS - 12), 240);
	ck_assert_uint_le(sum / (RUNS - 12), 260);
	/* The first period is all early re-signing. */
	ck_assert_uint_ge(early, 11 * 240);
}
END_TEST

/* Back-to-back runs (closer than run_interval) earn a share in
 * proportion, so a run right after another re-signs nothing. */
START_TEST(frequent_runs_earn_less)
{
	struct gen_stats st;

	pki_conf(&p, "validity = 2d\nrefresh = 12h\nrun_interval = 1h", "");
	ck_assert_int_eq(run(NULL, &st), 0);
	op_time_set_fake(PKI_NOW + 60);
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.signed_count, 0);
	/* 40 x 1h / 12h = 3.3: three now, the fraction carries. */
	op_time_set_fake(PKI_NOW + 3600);
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.early, 3);
	ck_assert_uint_eq(st.signed_count, 3);
	/* A schedule that stopped for a day makes up one interval's share;
	 * what aged meanwhile is due anyway and counts against it. */
	op_time_set_fake(PKI_NOW + 3600 + 86400);
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.signed_count, N);
	ck_assert_uint_eq(st.early, 0);
}
END_TEST

/* More serials than one batch: the walk flushes in the middle and comes
 * back to its place, while it deletes, inserts and replaces. */
START_TEST(walk_across_batches)
{
	struct gen_opts force = { .force = 1 };
	struct gen_stats st;
	struct survey sv;
	struct op_rec rec;
	FILE *f;

	pki_serials(&p, 0x100000, 3000);
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.signed_count, 3000);
	/* Every third serial goes; 500 new ones before and 500 after. */
	f = pki_open(&p, "serials", "w");
	for (long i = 0; i < 500; i++)
		fprintf(f, "%lX\n", 0x0F0000 + i);
	for (long i = 0; i < 3000; i++)
		if (i % 3)
			fprintf(f, "%lX\n", 0x100000 + i);
	for (long i = 0; i < 500; i++)
		fprintf(f, "%lX\n", 0x200000 + i);
	fclose(f);
	op_time_set_fake(PKI_NOW + 60);
	ck_assert_msg(run(&force, &st) == 0, "%s", op_err_detail());
	ck_assert_uint_eq(st.signed_count, 3000);
	ck_assert_uint_eq(st.removed, 1000);
	survey(PKI_NOW + 60, &sv);
	ck_assert_uint_eq(sv.n, 3000);
	ck_assert_uint_eq(sv.fresh, 3000);
	ck_assert_int_eq(lookup(0x0F0000, &rec), 0);
	ck_assert_int_eq(lookup(0x100000, &rec), MDB_NOTFOUND);
	ck_assert_int_eq(lookup(0x100001, &rec), 0);
	ck_assert_int_eq(lookup(0x2001F3, &rec), 0);
	/* Two minutes of a 3-day refresh over 3000: one early, nothing else. */
	op_time_set_fake(PKI_NOW + 120);
	ck_assert_int_eq(run(NULL, &st), 0);
	ck_assert_uint_eq(st.signed_count, 1);
	ck_assert_uint_eq(st.early, 1);
	ck_assert_uint_eq(st.kept, 2999);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gen_run");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sign_keep_revoke_remove);
	tcase_add_test(tc, refresh_and_force);
	tcase_add_test(tc, refused_before_writing);
	suite_add_tcase(s, tc);
	tc = tcase_create("refresh");
	tcase_set_timeout(tc, 240);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, even_refresh);
	tcase_add_test(tc, frequent_runs_earn_less);
	tcase_add_test(tc, walk_across_batches);
	suite_add_tcase(s, tc);
	return check_run(s);
}
