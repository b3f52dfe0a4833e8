/* op_db, op_walk, op_cert and the issuer prefix of op_key, on real LMDB
 * files written here. */
#include <check.h>

#include "check_run.h"
#include "op_cert.h"
#include "op_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_meta.h"
#include "op_rec.h"
#include "op_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>

#define NRESP 2000	/* enough for several leaf pages and a branch page */
#define ISSUER_A 0xa1
#define ISSUER_B 0xb2

static char dir[] = "/tmp/check_db.XXXXXX";
static char path[256];

static void key_of(uint8_t who, unsigned n, uint8_t *key, size_t *klen)
{
	uint8_t h[20], s[2] = { (uint8_t)(0x10 | (n >> 8)), (uint8_t)n };

	memset(h, who, sizeof(h));
	ck_assert_int_eq(op_key_make(key, klen, OP_HASH_SHA1, h, 20, h, 20, s, 2), 0);
}

static void put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kl,
		const void *v, size_t vl)
{
	MDB_val mk = { kl, (void *)k }, mv = { vl, (void *)v };

	ck_assert_int_eq(mdb_put(txn, dbi, &mk, &mv, 0), 0);
}

/* A published-like file: format, times, issuer A's record, NRESP
 * responses split between issuers A and B; response bad_at (if < NRESP)
 * gets a value of an unknown record version. */
static void write_file(const char *p, const char *format, unsigned bad_at)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t buf[8], der[300], val[OP_REC_HDR + 300], key[OP_KEY_MAX];
	size_t klen;

	unlink(p);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_mapsize(env, 64 << 20), 0);
	ck_assert_int_eq(mdb_env_open(env, p, MDB_NOSUBDIR | MDB_NOLOCK, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	ck_assert_int_eq(op_db_meta_put(txn, dbi, OP_META_K_FORMAT, NULL, 0,
					format, strlen(format), NULL), 0);
	op_rec_put_i64(buf, 1700000000);
	ck_assert_int_eq(op_db_meta_put(txn, dbi, OP_META_K_GENERATED, NULL, 0,
					buf, 8, NULL), 0);
	op_rec_put_i64(buf, 7);
	ck_assert_int_eq(op_db_meta_put(txn, dbi, OP_META_K_GENERATION, NULL, 0,
					buf, 8, NULL), 0);
	key_of(ISSUER_A, 0, key, &klen);
	ck_assert_int_eq(op_db_meta_put(txn, dbi, OP_META_K_ISSUER, key, 41,
					"a\tCN=A", 6, NULL), 0);
	memset(der, 0x30, sizeof(der));
	for (unsigned n = 0; n < NRESP; n++) {
		struct op_rec r = { .status = n % 7 == 0, .this_update = n,
				    .next_update = 1000 + n, .body = der,
				    .body_len = sizeof(der) };

		key_of(n % 2 ? ISSUER_B : ISSUER_A, n, key, &klen);
		op_rec_encode(&r, val);
		if (n == bad_at)
			val[0] = 9;
		put(txn, dbi, key, klen, val, sizeof(val));
	}
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/responses.lmdb", dir);
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

static MDB_txn *rdtxn(struct op_db *db)
{
	MDB_txn *txn;

	ck_assert_int_eq(op_db_open(path, db), 0);
	ck_assert_int_eq(mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn), 0);
	return txn;
}

START_TEST(open_reads_meta_and_refuses_others)
{
	struct op_db db;
	FILE *f;

	write_file(path, OP_DB_FORMAT, NRESP);
	ck_assert_int_eq(op_db_open(path, &db), 0);
	ck_assert_int_eq(db.generated, 1700000000);
	ck_assert_int_eq(db.generation, 7);
	op_db_close(&db);
	write_file(path, "ocsp-presign-db 0", NRESP);
	ck_assert_int_eq(op_db_open(path, &db), OP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "ocsp-presign-db 0"));
	/* Truncated: LMDB's meta pages pass, the pages past EOF must not. */
	write_file(path, OP_DB_FORMAT, NRESP);
	ck_assert_int_eq(truncate(path, 8192 * 4), 0);
	ck_assert_int_eq(op_db_open(path, &db), OP_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "truncated"));
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("not lmdb", f);
	fclose(f);
	ck_assert_int_ne(op_db_open(path, &db), 0);
}
END_TEST

static unsigned count(MDB_txn *txn, MDB_dbi dbi, unsigned what, unsigned *kinds)
{
	struct op_walk w;
	unsigned n = 0;
	int rc;

	*kinds = 0;
	ck_assert_int_eq(op_walk_begin(&w, txn, dbi, what), 0);
	while ((rc = op_walk_next(&w)) > 0) {
		n++;
		*kinds |= w.kind;
		ck_assert_uint_ne(w.kind & what, 0);
		if (w.kind != OP_WALK_META)
			ck_assert_uint_eq(w.plen, 41);
	}
	ck_assert_int_eq(rc, 0);
	op_walk_end(&w);
	return n;
}

START_TEST(walk_kinds)
{
	struct op_db db;
	MDB_txn *txn;
	unsigned kinds;

	write_file(path, OP_DB_FORMAT, NRESP);
	txn = rdtxn(&db);
	ck_assert_uint_eq(count(txn, db.dbi, OP_WALK_RESPONSES, &kinds), NRESP);
	ck_assert_uint_eq(kinds, OP_WALK_RESPONSES);
	ck_assert_uint_eq(count(txn, db.dbi, OP_WALK_ISSUERS, &kinds), 1);
	ck_assert_uint_eq(count(txn, db.dbi, OP_WALK_META, &kinds), 3);
	ck_assert_uint_eq(kinds, OP_WALK_META);
	ck_assert_uint_eq(count(txn, db.dbi, OP_WALK_ISSUERS | OP_WALK_RESPONSES,
				&kinds), NRESP + 1);
	ck_assert_uint_eq(count(txn, db.dbi, OP_WALK_META | OP_WALK_ISSUERS |
				OP_WALK_RESPONSES, &kinds), NRESP + 4);
	mdb_txn_abort(txn);
	op_db_close(&db);
}
END_TEST

static int revoked_of_b(const struct op_walk *w, void *arg)
{
	unsigned *n = arg;

	if (w->prefix[1] == ISSUER_B && w->rec.status == OP_STATUS_REVOKED)
		(*n)++;
	return *n == 50 ? 42 : 0;	/* a callback's stop is returned */
}

START_TEST(walk_callback_and_bad_record)
{
	struct op_db db;
	struct op_walk w;
	MDB_txn *txn;
	unsigned n = 0, seen = 0;
	int rc;

	write_file(path, OP_DB_FORMAT, NRESP);
	txn = rdtxn(&db);
	ck_assert_int_eq(op_walk(txn, db.dbi, OP_WALK_RESPONSES, revoked_of_b, &n), 42);
	mdb_txn_abort(txn);
	op_db_close(&db);

	write_file(path, OP_DB_FORMAT, 10);
	txn = rdtxn(&db);
	n = 0;
	ck_assert_int_eq(op_walk(txn, db.dbi, OP_WALK_RESPONSES, revoked_of_b, &n),
			 OP_E_FORMAT);
	/* The iterator names the bad record and goes on past it. */
	ck_assert_int_eq(op_walk_begin(&w, txn, db.dbi, OP_WALK_RESPONSES), 0);
	while ((rc = op_walk_next(&w)) != 0) {
		if (rc == OP_E_FORMAT) {
			uint8_t key[OP_KEY_MAX];
			size_t klen;

			key_of(ISSUER_A, 10, key, &klen);
			ck_assert_uint_eq(w.key.mv_size, klen);
			ck_assert_int_eq(memcmp(w.key.mv_data, key, klen), 0);
			continue;
		}
		ck_assert_int_eq(rc, 1);
		seen++;
	}
	ck_assert_uint_eq(seen, NRESP - 1);
	op_walk_end(&w);
	mdb_txn_abort(txn);
	op_db_close(&db);
}
END_TEST

START_TEST(walk_delete)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	struct op_walk w;
	unsigned kinds;
	int rc;

	write_file(path, OP_DB_FORMAT, NRESP);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	ck_assert_int_eq(op_walk_begin(&w, txn, dbi, OP_WALK_ISSUERS |
				       OP_WALK_RESPONSES), 0);
	while ((rc = op_walk_next(&w)) > 0)
		if (w.prefix[1] == ISSUER_A)
			ck_assert_int_eq(op_walk_del(&w), 0);
	ck_assert_int_eq(rc, 0);
	op_walk_end(&w);
	ck_assert_uint_eq(count(txn, dbi, OP_WALK_RESPONSES, &kinds), NRESP / 2);
	ck_assert_uint_eq(count(txn, dbi, OP_WALK_ISSUERS, &kinds), 0);
	ck_assert_uint_eq(count(txn, dbi, OP_WALK_META, &kinds), 3);
	mdb_txn_abort(txn);
	mdb_env_close(env);
}
END_TEST

/* Point the second child of the first branch page past the file's end, as
 * a flipped bit on disk would: the walk must fail, not end quietly. */
static int corrupt_branch(const char *p)
{
	FILE *f = fopen(p, "r+b");
	uint8_t page[4096];
	int done = 0;

	ck_assert_ptr_nonnull(f);
	/* Pages 0 and 1 are LMDB's meta pages; the header of the others:
	 * pgno(8) pad(2) flags(2) lower(2) upper(2), then node offsets. */
	for (long pg = 2; !done && pg < 10000 && fseek(f, pg * 4096, SEEK_SET) == 0 &&
	     fread(page, 1, sizeof(page), f) == sizeof(page); pg++) {
		uint16_t flags, lower, ptr;

		memcpy(&flags, page + 10, 2);
		memcpy(&lower, page + 12, 2);
		if (!(flags & 0x01) || (lower - 16) / 2 < 3)
			continue;	/* not a branch page with 3+ children */
		memcpy(&ptr, page + 16 + 2, 2);
		page[ptr + 2] = 0xff;	/* high half of the child's page number */
		page[ptr + 3] = 0x7f;
		ck_assert_int_eq(fseek(f, pg * 4096, SEEK_SET), 0);
		ck_assert_uint_eq(fwrite(page, 1, sizeof(page), f), sizeof(page));
		done = 1;
	}
	fclose(f);
	return done;
}

START_TEST(walk_reports_cursor_errors)
{
	struct op_db db;
	struct op_walk w;
	MDB_txn *txn;
	unsigned n = 0;
	int rc;

	write_file(path, OP_DB_FORMAT, NRESP);
	ck_assert(corrupt_branch(path));
	txn = rdtxn(&db);
	ck_assert_int_eq(op_walk_begin(&w, txn, db.dbi, OP_WALK_RESPONSES), 0);
	while ((rc = op_walk_next(&w)) > 0)
		n++;
	ck_assert_int_eq(rc, OP_E_DB);
	ck_assert_uint_lt(n, NRESP);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "reading records"));
	op_walk_end(&w);
	mdb_txn_abort(txn);
	op_db_close(&db);
}
END_TEST

static X509 *make_ca(const char *cn)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *nm;

	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_nonnull(x);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn,
				   -1, -1, 0);
	X509_set_issuer_name(x, nm);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);
	EVP_PKEY_free(k);
	return x;
}

START_TEST(issuer_prefix_matches_openssl_certid)
{
	static const int tags[] = { OP_HASH_SHA1, OP_HASH_SHA256, OP_HASH_SHA384,
				    OP_HASH_SHA512 };
	static const uint8_t serial[] = { 0x00, 0x9f, 0x01 };
	X509 *ca = make_ca("Prefix CA");
	ASN1_INTEGER *ai = ASN1_INTEGER_new();

	ck_assert_int_eq(ASN1_INTEGER_set_uint64(ai, 0x9f01), 1);
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		OCSP_CERTID *cid = OCSP_cert_id_new(
			EVP_get_digestbynid(op_hash_nid(tags[i])),
			X509_get_subject_name(ca), X509_get0_pubkey_bitstr(ca), ai);
		uint8_t k1[OP_KEY_MAX], k2[OP_KEY_MAX], p[OP_KEY_MAX];
		size_t l1, l2, pl;

		ck_assert_ptr_nonnull(cid);
		ck_assert_int_eq(op_key_from_certid(cid, k1, &l1), 0);
		/* OpenSSL writes NULL parameters: the NULL form's key. */
		ck_assert_int_eq(op_key_from_issuer(ca, op_hash_tag(tags[i], 1),
						    serial, 3, k2, &l2), 0);
		ck_assert_uint_eq(l1, l2);
		ck_assert_int_eq(memcmp(k1, k2, l1), 0);
		ck_assert_int_eq(op_key_issuer_prefix(ca, op_hash_tag(tags[i], 1),
						      p, &pl), 0);
		ck_assert_uint_eq(pl, op_key_issuer_len(k1, l1));
		ck_assert_int_eq(memcmp(p, k1, pl), 0);
		OCSP_CERTID_free(cid);
	}
	ck_assert_int_eq(op_key_from_issuer(ca, 9, serial, 3, (uint8_t[OP_KEY_MAX]){ 0 },
					    &(size_t){ 0 }), OP_E_PARSE);
	ASN1_INTEGER_free(ai);
	X509_free(ca);
}
END_TEST

START_TEST(cert_files)
{
	X509 *a = make_ca("A"), *b = make_ca("B"), *x;
	STACK_OF(X509) *sk = sk_X509_new_null();
	char pem[300];
	FILE *f;

	snprintf(pem, sizeof(pem), "%s/two.pem", dir);
	ck_assert_ptr_nonnull(f = fopen(pem, "w"));
	PEM_write_X509(f, a);
	PEM_write_X509(f, b);
	fclose(f);
	ck_assert_int_eq(op_cert_load(pem, &x), 0);
	ck_assert_int_eq(X509_cmp(x, a), 0);
	X509_free(x);
	ck_assert_int_eq(op_cert_load_all(pem, sk), 0);
	ck_assert_int_eq(sk_X509_num(sk), 2);
	ck_assert_int_eq(X509_cmp(sk_X509_value(sk, 1), b), 0);
	ck_assert_int_eq(op_cert_load(path, &x), OP_E_PARSE);	/* absent */
	ck_assert_ptr_null(x);
	ck_assert_int_eq(op_cert_load_all(path, sk), OP_E_PARSE);
	ck_assert_ptr_nonnull(f = fopen(pem, "w"));
	fputs("no certificate here\n", f);
	fclose(f);
	ck_assert_int_eq(op_cert_load(pem, &x), OP_E_PARSE);
	ck_assert_int_eq(op_cert_load_all(pem, sk), OP_E_PARSE);
	ck_assert_int_eq(sk_X509_num(sk), 2);
	sk_X509_pop_free(sk, X509_free);
	X509_free(a);
	X509_free(b);
}
END_TEST

struct seen {
	unsigned n, stop_at;
	int tags[8];
	size_t rlen;
};

static int seen_rec(const uint8_t *rest, size_t rlen, const MDB_val *v,
		    void *arg)
{
	struct seen *s = arg;

	(void)rest;
	(void)v;
	s->rlen = rlen;
	return ++s->n == s->stop_at ? 77 : 0;
}

static int seen_tag(int tag, const uint8_t *serial, size_t slen,
		    const MDB_val *v, void *arg)
{
	struct seen *s = arg;

	ck_assert_uint_eq(slen, 1);
	ck_assert_uint_eq(serial[0], 0x10 + s->n);
	ck_assert_uint_eq(v->mv_size, 1);
	s->tags[s->n++] = tag;
	return 0;
}

/* The records under one prefix, and a CA's under every hash and form. */
START_TEST(walk_prefix)
{
	X509 *ca = make_ca("Walk CA");
	uint8_t p[OP_KEY_MAX], key[OP_KEY_MAX], serial;
	size_t klen;
	struct op_db db;
	struct seen s = { 0 };
	MDB_txn *txn;
	MDB_env *env;
	MDB_dbi dbi;

	write_file(path, OP_DB_FORMAT, NRESP);
	txn = rdtxn(&db);
	key_of(ISSUER_A, 0, p, &klen);
	ck_assert_int_eq(op_walk_prefix(txn, db.dbi, p, 41, seen_rec, &s), 0);
	ck_assert_uint_eq(s.n, NRESP / 2);
	ck_assert_uint_eq(s.rlen, 2);
	s = (struct seen){ .stop_at = 3 };
	ck_assert_int_eq(op_walk_prefix(txn, db.dbi, p, 41, seen_rec, &s), 77);
	ck_assert_uint_eq(s.n, 3);
	s = (struct seen){ 0 };
	klen = op_meta_key(p, sizeof(p), OP_META_K_ISSUER, NULL, 0);
	ck_assert_int_eq(op_walk_prefix(txn, db.dbi, p, klen, seen_rec, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.rlen, 41);
	mdb_txn_abort(txn);
	op_db_close(&db);

	/* One response of the CA under SHA-512, SHA-1 and SHA-256's NULL
	 * form, serials 10, 11, 12 in the order the walk goes. */
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	serial = 0x10;
	for (int tag = 1; tag < 256; tag++) {
		if (tag != OP_HASH_SHA1 && tag != OP_HASH_SHA512 &&
		    tag != op_hash_tag(OP_HASH_SHA256, 1))
			continue;
		ck_assert_int_eq(op_key_from_issuer(ca, tag, &serial, 1, key,
						    &klen), 0);
		put(txn, dbi, key, klen, "x", 1);
		serial++;
	}
	s = (struct seen){ 0 };
	ck_assert_int_eq(op_walk_issuer(txn, dbi, ca, seen_tag, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.tags[0], OP_HASH_SHA1);
	ck_assert_int_eq(s.tags[1], OP_HASH_SHA512);
	ck_assert_int_eq(s.tags[2], op_hash_tag(OP_HASH_SHA256, 1));
	mdb_txn_abort(txn);
	mdb_env_close(env);
	X509_free(ca);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, open_reads_meta_and_refuses_others);
	tcase_add_test(tc, walk_kinds);
	tcase_add_test(tc, walk_callback_and_bad_record);
	tcase_add_test(tc, walk_delete);
	tcase_add_test(tc, walk_reports_cursor_errors);
	tcase_add_test(tc, issuer_prefix_matches_openssl_certid);
	tcase_add_test(tc, cert_files);
	tcase_add_test(tc, walk_prefix);
	suite_add_tcase(s, tc);
	return check_run(s);
}
