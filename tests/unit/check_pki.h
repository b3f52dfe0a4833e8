/*
 * A small PKI on disk for the generator's suites: a P-256 CA, a delegated
 * OCSP signer with its PEM key, a CRL, a list of issued serials and an
 * ocsp-gen.conf naming them, all in a temporary directory, all dated
 * around PKI_NOW (the suites run on op_time's fake clock).
 */
#ifndef CHECK_PKI_H
#define CHECK_PKI_H

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <lmdb.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define PKI_NOW 1800000000LL
#define PKI_DAY 86400LL

struct pki {
	char dir[64];
	EVP_PKEY *ca_key, *signer_key;
	X509 *ca, *signer;
};

static inline void pki_path(const struct pki *p, const char *name, char *out,
			    size_t size)
{
	ck_assert_int_lt(snprintf(out, size, "%s/%s", p->dir, name), (int)size);
}

/* An empty LMDB file NAME in the PKI's directory, its main database open
 * (committed): what a run's working copy starts as.  mapsize 0 keeps
 * LMDB's default. */
static inline void pki_lmdb(const struct pki *p, const char *name,
			    size_t mapsize, MDB_env **env, MDB_dbi *dbi)
{
	char path[PATH_MAX];
	MDB_txn *txn;

	pki_path(p, name, path, sizeof(path));
	ck_assert_int_eq(mdb_env_create(env), 0);
	if (mapsize)
		ck_assert_int_eq(mdb_env_set_mapsize(*env, mapsize), 0);
	ck_assert_int_eq(mdb_env_open(*env, path, MDB_NOSUBDIR, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(*env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, dbi), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
}

static inline FILE *pki_open(const struct pki *p, const char *name,
			     const char *mode)
{
	char path[PATH_MAX];
	FILE *f;

	pki_path(p, name, path, sizeof(path));
	ck_assert_ptr_nonnull(f = fopen(path, mode));
	return f;
}

static inline void pki_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ck_assert_ptr_nonnull(e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value));
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

static inline X509 *pki_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
			     EVP_PKEY *issuer_key, long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_get_subject_name(x);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(PKI_NOW - 365 * PKI_DAY));
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(PKI_NOW + 3650 * PKI_DAY));
	X509_set_pubkey(x, key);
	if (!issuer) {
		pki_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
	} else {
		pki_ext(x, issuer, NID_ext_key_usage, "OCSPSigning");
		pki_ext(x, issuer, NID_id_pkix_OCSP_noCheck, "ignored");
	}
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
	return x;
}

/* The CA's CRL revoking the serials given (keyCompromise), valid from
 * PKI_NOW - 1 day for 400 days (the suites move the clock forward). */
static inline void pki_crl(const struct pki *p, const long *revoked, size_t n)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	FILE *f;

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(p->ca));
	ASN1_TIME_set(t, (time_t)(PKI_NOW - PKI_DAY));
	X509_CRL_set1_lastUpdate(crl, t);
	ASN1_TIME_set(t, (time_t)(PKI_NOW + 400 * PKI_DAY));
	X509_CRL_set1_nextUpdate(crl, t);
	for (size_t i = 0; i < n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();

		ASN1_INTEGER_set(sn, revoked[i]);
		X509_REVOKED_set_serialNumber(r, sn);
		ASN1_TIME_set(t, (time_t)(PKI_NOW - 2 * PKI_DAY));
		X509_REVOKED_set_revocationDate(r, t);
		ASN1_ENUMERATED_set(reason, 1);
		X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, reason, 0, 0);
		X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(sn);
		ASN1_ENUMERATED_free(reason);
	}
	X509_CRL_sort(crl);
	ck_assert_int_gt(X509_CRL_sign(crl, p->ca_key, EVP_sha256()), 0);
	f = pki_open(p, "ca.crl", "w");
	PEM_write_X509_CRL(f, crl);
	fclose(f);
	X509_CRL_free(crl);
	ASN1_TIME_free(t);
}

/* Serials first .. first + n - 1 (hex), one a line. */
static inline void pki_serials(const struct pki *p, long first, long n)
{
	FILE *f = pki_open(p, "serials", "w");

	for (long i = 0; i < n; i++)
		fprintf(f, "%lX\n", first + i);
	fclose(f);
}

/* ocsp-gen.conf with [ocsp_gen] keys times (NULL: validity 7d, refresh
 * 3d) and extra (lines, may be "") and one authority "a" signed by the
 * delegate. */
static inline void pki_conf(const struct pki *p, const char *times,
			    const char *extra)
{
	FILE *f = pki_open(p, "ocsp-gen.conf", "w");

	fprintf(f, "[ocsp_gen]\noutput = out.lmdb\n%s\n"
		"cert_ids = sha1\nworkers = 2\n"
		"authorities = a\n%s\n"
		"[a]\nca_cert = ca.pem\ncrl = ca.crl\nissued = serials\n"
		"signers = s\n[s]\ncert = signer.pem\nkey = signer.key\n",
		times ? times : "validity = 7d\nrefresh = 3d", extra);
	fclose(f);
}

/* Everything above with n serials from 0x1000 and none revoked. */
static inline void pki_make(struct pki *p, long n)
{
	char path[PATH_MAX];
	FILE *f;

	strcpy(p->dir, "/tmp/check_pki.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(p->dir));
	p->ca_key = EVP_EC_gen("P-256");
	p->signer_key = EVP_EC_gen("P-256");
	p->ca = pki_cert("Test CA", p->ca_key, NULL, p->ca_key, 1);
	p->signer = pki_cert("Test OCSP", p->signer_key, p->ca, p->ca_key, 2);
	f = pki_open(p, "ca.pem", "w");
	PEM_write_X509(f, p->ca);
	fclose(f);
	f = pki_open(p, "signer.pem", "w");
	PEM_write_X509(f, p->signer);
	fclose(f);
	f = pki_open(p, "signer.key", "w");
	PEM_write_PrivateKey(f, p->signer_key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	pki_path(p, "signer.key", path, sizeof(path));
	chmod(path, 0600);
	pki_crl(p, NULL, 0);
	pki_serials(p, 0x1000, n);
	pki_conf(p, NULL, "");
}

static inline void pki_free(struct pki *p)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
	ck_assert_int_eq(system(cmd), 0);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->signer_key);
	X509_free(p->ca);
	X509_free(p->signer);
}

#endif
