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

START_TEST(refused_before_writing)
{
	struct gen_stats st;
	struct gen_opts o = { .only_ca = "nosuch" };
	char path[PATH_MAX];
	FILE *f;

	ck_assert_int_eq(run(&o, &st), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "--ca nosuch"));
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
	return check_run(s);
}
