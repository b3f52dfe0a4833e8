/* gen_auth: one authority prepared from a real PKI on disk (CA, CRL,
 * issued list, PEM signer keys) against a real LMDB history: the merged
 * entries with the CRL's revocations, the signer chosen and its key
 * handles; inputs that must stop the run are refused, naming the
 * authority and the file. */
#include <check.h>

#include "check_pki.h"
#include "check_run.h"
#include <lmdb.h>
#include <unistd.h>

#include "gen_auth.h"
#include "gen_conf.h"
#include "gen_keystore.h"
#include "gen_signer.h"
#include "op_err.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#define N 12

static struct pki p;
static MDB_env *env;
static MDB_dbi dbi;

static void setup(void)
{
	op_log_init("check_auth", OP_LOG_ERR);
	op_time_set_fake(PKI_NOW);
	pki_make(&p, N);
	pki_lmdb(&p, "h.lmdb", 0, &env, &dbi);
}

static void teardown(void)
{
	mdb_env_close(env);
	pki_free(&p);
	op_time_set_fake(-1);
}

/*
 * Prepare the suite's authority "a" from ocsp-gen.conf with an empty
 * history, as a run does.  Returns gen_auth_prepare's code; *conf and
 * *ks are the caller's either way, *a on success only (done() frees all
 * three).
 */
static int prepare(struct gen_auth *a, struct gen_conf *conf,
		   struct gen_keystore **ks)
{
	char path[PATH_MAX];
	MDB_txn *txn;
	int rc;

	pki_path(&p, "ocsp-gen.conf", path, sizeof(path));
	ck_assert_int_eq(gen_conf_load(path, conf), 0);
	ck_assert_int_eq(gen_keystore_open(NULL, ks), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	{
		struct gen_hist h = { txn, dbi, "h.lmdb" };
		struct gen_auth_in in = {
			.hist = &h, .now = op_time_now(),
			.validity = conf->auths[0].validity,
			.workers = conf->workers,
		};

		rc = gen_auth_prepare(a, &conf->auths[0], *ks, &in);
	}
	mdb_txn_abort(txn);
	return rc;
}

static void done(struct gen_auth *a, struct gen_conf *conf,
		 struct gen_keystore *ks)
{
	gen_auth_free(a);
	gen_keystore_close(ks);
	gen_conf_free(conf);
}

/* A refusal: prepare fails with code, the detail naming the authority
 * and what. */
static void refused(int code, const char *what)
{
	struct gen_keystore *ks;
	struct gen_conf conf;
	struct gen_auth a;

	ck_assert_int_eq(prepare(&a, &conf, &ks), code);
	ck_assert_msg(strncmp(op_err_detail(), "authority a", 11) == 0 &&
		      strstr(op_err_detail(), what) != NULL,
		      "detail '%s': want 'authority a' and '%s'",
		      op_err_detail(), what);
	gen_keystore_close(ks);
	gen_conf_free(&conf);
}

/* The issued list merged with the CRL: every serial once, in order, the
 * revoked one with the CRL's reason and date; the delegate's key opened
 * once per worker. */
START_TEST(prepared_from_the_inputs)
{
	long rev[] = { 0x1003 };
	struct gen_keystore *ks;
	struct gen_conf conf;
	struct gen_auth a;
	uint8_t id[OP_REC_SIGNER_ID];

	pki_crl(&p, rev, 1);
	ck_assert_msg(prepare(&a, &conf, &ks) == 0, "%s", op_err_detail());
	ck_assert_uint_eq(a.entries.n, N);
	for (size_t i = 0; i < a.entries.n; i++) {
		const struct gen_entry *e = &a.entries.v[i];
		unsigned serial = (unsigned)e->serial[0] << 8 | e->serial[1];

		ck_assert_uint_eq(e->serial_len, 2);
		ck_assert_uint_eq(serial, 0x1000 + i);
		if (serial != 0x1003) {
			ck_assert_int_eq(e->status, OP_STATUS_GOOD);
			continue;
		}
		ck_assert_int_eq(e->status, OP_STATUS_REVOKED);
		ck_assert_int_eq(e->reason, 1);	/* keyCompromise */
		ck_assert_int_eq(e->rev_time, PKI_NOW - 2 * PKI_DAY);
	}
	ck_assert_int_eq(a.crl_next, PKI_NOW + 400 * PKI_DAY);
	ck_assert_ptr_nonnull(strstr(a.subject, "CN=Test CA"));
	ck_assert_str_eq(a.signer_name, "s");
	ck_assert_int_eq(a.nkeys, 2);		/* workers = 2 */
	for (int i = 0; i < a.nkeys; i++)
		ck_assert_int_eq(EVP_PKEY_eq(a.keys[i], p.signer_key), 1);
	ck_assert_ptr_nonnull(a.rs);
	ck_assert_int_eq(gen_signer_id(p.signer, id), 0);
	ck_assert_mem_eq(a.signer_id, id, OP_REC_SIGNER_ID);
	done(&a, &conf, ks);
}
END_TEST

/* Of the signers listed, the newest usable one signs; one whose
 * certificate does not exist yet is passed over, not an error. */
START_TEST(newest_signer_chosen)
{
	EVP_PKEY *k2 = EVP_EC_gen("P-256");
	X509 *s2 = pki_cert("Test OCSP 2", k2, p.ca, p.ca_key, 3);
	ASN1_TIME *t = ASN1_TIME_new();
	struct gen_keystore *ks;
	struct gen_conf conf;
	struct gen_auth a;
	uint8_t id[OP_REC_SIGNER_ID];
	FILE *f;

	ASN1_TIME_set(t, (time_t)(PKI_NOW - 10 * PKI_DAY));
	X509_set1_notBefore(s2, t);
	ck_assert_int_gt(X509_sign(s2, p.ca_key, EVP_sha256()), 0);
	f = pki_open(&p, "s2.pem", "w");
	PEM_write_X509(f, s2);
	fclose(f);
	f = pki_open(&p, "s2.key", "w");
	PEM_write_PrivateKey(f, k2, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	f = pki_open(&p, "ocsp-gen.conf", "w");
	fprintf(f, "[ocsp_gen]\noutput = out.lmdb\nvalidity = 7d\n"
		"refresh = 3d\nworkers = 2\nauthorities = a\n"
		"[a]\nca_cert = ca.pem\ncrl = ca.crl\nissued = serials\n"
		"signers = s, s2, s3\n"
		"[s]\ncert = signer.pem\nkey = signer.key\n"
		"[s2]\ncert = s2.pem\nkey = s2.key\n"
		"[s3]\ncert = s3.pem\nkey = s3.key\n");
	fclose(f);
	ck_assert_msg(prepare(&a, &conf, &ks) == 0, "%s", op_err_detail());
	ck_assert_str_eq(a.signer_name, "s2");
	ck_assert_int_eq(EVP_PKEY_eq(a.keys[0], k2), 1);
	ck_assert_int_eq(gen_signer_id(s2, id), 0);
	ck_assert_mem_eq(a.signer_id, id, OP_REC_SIGNER_ID);
	done(&a, &conf, ks);
	ASN1_TIME_free(t);
	X509_free(s2);
	EVP_PKEY_free(k2);
}
END_TEST

/* A CRL that another CA signed is not this authority's revocations. */
START_TEST(crl_of_another_ca_refused)
{
	struct pki other = p;

	other.ca_key = EVP_EC_gen("P-256");
	other.ca = pki_cert("Other CA", other.ca_key, NULL, other.ca_key, 9);
	pki_crl(&other, NULL, 0);	/* over the suite's ca.crl */
	refused(OP_E_CRL, "ca.crl");
	X509_free(other.ca);
	EVP_PKEY_free(other.ca_key);
}
END_TEST

/* An issued list that is not there stops the run: an empty authority
 * would drop every response. */
START_TEST(missing_issued_refused)
{
	char path[PATH_MAX];

	pki_path(&p, "serials", path, sizeof(path));
	ck_assert_int_eq(unlink(path), 0);
	refused(OP_E_SYS, path);
}
END_TEST

/* A signer whose certificate the CA did not issue is never chosen. */
START_TEST(foreign_signer_refused)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = pki_cert("Stranger", k, NULL, k, 5);
	FILE *f = pki_open(&p, "signer.pem", "w");

	PEM_write_X509(f, x);
	fclose(f);
	refused(OP_E_SIGNER, "no usable signer: s:");
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

CHECK_MAIN("gen_auth", setup, teardown, prepared_from_the_inputs,
	   newest_signer_chosen, crl_of_another_ca_refused,
	   missing_issued_refused, foreign_signer_refused)
