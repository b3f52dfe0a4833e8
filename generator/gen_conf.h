/*
 * gen_conf: ocsp-gen's configuration, read with OpenSSL's NCONF.
 *
 * Keys are a contract (docs/ocsp-gen.conf.5).  Relative file names are taken
 * relative to the configuration file's directory.  Unknown keys are
 * warned about (a typo in "local_revocations" must not pass silently).
 * How one key is read is gen_confkey's; the regulated profile and the
 * token-fault keys are gen_conf_profile's.
 */
#ifndef GEN_CONF_H
#define GEN_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "op_key.h"

#define GEN_MAX_HASHES OP_HASH_COUNT	/* cert_ids names each hash once */
#define GEN_CACHE_DIR "/var/cache/ocsp-presign"

struct gen_signer_conf {
	char *name;		/* section name */
	char *cert;
	char *key;		/* "pkcs11:..." URI or PEM file */
	char *subject;		/* for --csr, "/O=.../CN=..."; NULL if not set */
};

struct gen_auth_conf {
	char *name;		/* section name */
	char *ca_cert;
	char *crl;		/* file or http:// URL */
	char *delta_crl;	/* file or http:// URL; NULL if not configured */
	char *issued;
	char *local_revocations;	/* NULL if not configured */
	char *output;		/* its own or [ocsp_gen]'s; never NULL */
	struct gen_signer_conf *signers;
	size_t nsigners;
	/* Response profile; the authority's section overrides [ocsp_gen]. */
	int include_signer_cert;	/* include_signer_cert = yes: also when
					   the CA signs (a delegate's always) */
	int responder_by_name;		/* responder_id = name (default key) */
	/* CRL scope (gen_scope.h): the distribution point names the
	 * authority's certificates carry, and whether `issued` holds only
	 * end-entity certificates (user_certs_only = yes). */
	char **dist_points;
	size_t ndist_points;
	int user_certs_only;
	char *crl_issuer;	/* separate CRL-signing certificate; NULL if none */
	/* Regulated profile (gen_policy); the authority's section overrides
	 * [ocsp_gen], whose values are the defaults. */
	int64_t validity, refresh;
	int certid_null;		/* certid_sha2_params = both: also sign
					   SHA-2 CertIDs with NULL parameters */
	int profile;			/* GEN_PROFILE_* */
	/* Status beyond expiry (gen_retain) and the response's times and
	 * extensions (gen_times, gen_resp). */
	int64_t retain;			/* retain_expired: 0 (default), seconds,
					   or GEN_RETAIN_FOREVER */
	int archive_cutoff;		/* GEN_CUTOFF_* */
	int this_update_crl;		/* this_update = crl */
	int cap_crl;			/* next_update_cap = crl */
	int crl_refs;			/* crl_references = yes */
};

enum { GEN_PROFILE_NONE = 0, GEN_PROFILE_CABF = 1 };
enum { GEN_CUTOFF_NONE = 0, GEN_CUTOFF_CA = 1, GEN_CUTOFF_RETAIN = 2 };
#define GEN_RETAIN_FOREVER INT64_MAX

struct gen_conf {
	char *path;
	char *output;		/* [ocsp_gen]'s; NULL if every authority
				   names its own */
	int64_t validity;	/* [ocsp_gen]'s; each authority's own in */
	int64_t refresh;	/* struct gen_auth_conf */
	int64_t run_interval;	/* how often the schedule runs ocsp-gen */
	int hashes[GEN_MAX_HASHES];	/* OP_HASH_* tags */
	size_t nhashes;
	int workers;
	char *pkcs11_module;	/* NULL if not set */
	char *metrics_file;	/* NULL if not set */
	char *audit_log;	/* gen_audit; NULL if not set */
	int audit_syslog;	/* audit records to syslog too (default yes) */
	char *cache_dir;	/* CRLs fetched from URLs; GEN_CACHE_DIR default */
	struct gen_auth_conf *auths;
	size_t nauths;
	/* Token faults (gen_hsm.h): further attempts per signature, and the
	 * first wait (doubled per retry). */
	int sign_retries;
	int64_t sign_retry_backoff_ms;
	/* Commits to the working copy as a run goes: every so many responses
	 * stored, or seconds passed (0: not by that measure). */
	size_t commit_every;
	int64_t commit_interval;
};

/*
 * Load path into conf.  On error returns OP_E_CONFIG / OP_E_PARSE with a
 * detail naming the file, line, section or key; conf is left empty.
 * On success the caller frees conf with gen_conf_free().
 */
int gen_conf_load(const char *path, struct gen_conf *conf);
void gen_conf_free(struct gen_conf *conf);

#endif
