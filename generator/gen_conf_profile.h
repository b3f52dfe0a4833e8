/*
 * gen_conf_profile: the keys of ocsp-gen.conf that shape the responses of
 * an authority (the regulated profile: validity, refresh, CertID forms,
 * profile, retention, times and extensions, checked by gen_policy) and
 * those that govern signing through a faulty token and resumable runs
 * (sign_retries, sign_retry_backoff, commit_every, commit_interval).
 * Loaded by gen_conf; docs/ocsp-gen.conf.5 is the contract.
 */
#ifndef GEN_CONF_PROFILE_H
#define GEN_CONF_PROFILE_H

#include "gen_conf.h"
#include "gen_confkey.h"

/* The profile's keys, in [ocsp_gen] (defaults) or an authority's section. */
#define GEN_CONF_PROFILE_KEYS "validity", "refresh", "certid_sha2_params", \
	"profile", "retain_expired", "archive_cutoff", "this_update", \
	"next_update_cap", "crl_references"
/* The token-fault and resume keys, in [ocsp_gen] only. */
#define GEN_CONF_FAULT_KEYS "sign_retries", "sign_retry_backoff", \
	"commit_every", "commit_interval"

/* Fill a's profile from its section over c's [ocsp_gen] values (validity,
 * refresh, run_interval: already loaded) and check it (gen_policy).
 * OP_E_CONFIG naming the file, section and key. */
int gen_conf_profile_auth(const struct gen_confkey *k, const struct gen_conf *c,
			  struct gen_auth_conf *a);

/* Fill c's token-fault and resume settings from [ocsp_gen]. */
int gen_conf_profile_faults(const struct gen_confkey *k, struct gen_conf *c);

#endif
