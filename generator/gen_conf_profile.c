#include "gen_conf_profile.h"
#include "gen_keystore.h"
#include "gen_policy.h"
#include "op_err.h"
#include "op_time.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the regulated profile (gen_policy) ---- */

/* A duration set in the authority's section, else [ocsp_gen]'s value. */
static int auth_duration(const struct gen_confkey *l, const char *section,
			 const char *key, int64_t def, int64_t *out)
{
	const char *v = gen_confkey_get(l, section, key);

	*out = def;
	if (v && op_time_dur_parse(v, out) != 0)
		return op_err_prefix(OP_E_CONFIG, "%s: [%s]: %s", l->path,
				     section, key);
	return 0;
}

/* retain_expired = 0 | DURATION | forever, inherited from [ocsp_gen]. */
static int retain(const struct gen_confkey *l, const char *section,
		  int64_t *out)
{
	const char *where, *v = gen_confkey_inherited(l, section,
						      "retain_expired", &where);

	*out = 0;
	if (!v || strcmp(v, "0") == 0)
		return 0;
	if (strcasecmp(v, "forever") == 0) {
		*out = GEN_RETAIN_FOREVER;
		return 0;
	}
	if (op_time_dur_parse(v, out) != 0)
		return op_err_prefix(OP_E_CONFIG, "%s: [%s]: retain_expired (0, "
				     "a duration or forever)", l->path, where);
	return 0;
}

/* Status beyond expiry, and the times and extensions of the responses. */
static int auth_lifetime(const struct gen_confkey *l, struct gen_auth_conf *a)
{
	static const char *const cutoff[] = { "none", "ca_notbefore", "retain",
					      NULL };
	int rc;

	if ((rc = retain(l, a->name, &a->retain)) != 0 ||
	    (rc = gen_confkey_pick(l, a->name, "archive_cutoff", cutoff,
				   GEN_CUTOFF_NONE, &a->archive_cutoff)) != 0 ||
	    (rc = gen_confkey_choice(l, a->name, "this_update", "run", "crl",
				     0, &a->this_update_crl)) != 0 ||
	    (rc = gen_confkey_choice(l, a->name, "next_update_cap", "none",
				     "crl", 0, &a->cap_crl)) != 0 ||
	    (rc = gen_confkey_choice(l, a->name, "crl_references", "no", "yes",
				     0, &a->crl_refs)) != 0)
		return rc;
	/* RFC 6960 4.4.4: the cutoff is producedAt minus the retention. */
	if (a->archive_cutoff == GEN_CUTOFF_RETAIN &&
	    (a->retain == 0 || a->retain == GEN_RETAIN_FOREVER))
		return op_err_set(OP_E_CONFIG, "%s: [%s]: archive_cutoff = retain "
				  "needs a retain_expired duration (the cutoff "
				  "is producedAt minus it; with 0 or forever use "
				  "ca_notbefore)", l->path, a->name);
	return 0;
}

int gen_conf_profile_auth(const struct gen_confkey *l, const struct gen_conf *c,
			  struct gen_auth_conf *a)
{
	int rc;

	if ((rc = auth_duration(l, a->name, "validity", c->validity,
				&a->validity)) != 0 ||
	    (rc = auth_duration(l, a->name, "refresh", c->refresh,
				&a->refresh)) != 0 ||
	    (rc = gen_confkey_choice(l, a->name, "certid_sha2_params", "absent",
				     "both", 0, &a->certid_null)) != 0 ||
	    (rc = gen_confkey_choice(l, a->name, "profile", "none", "cabf",
				     GEN_PROFILE_NONE, &a->profile)) != 0 ||
	    (rc = auth_lifetime(l, a)) != 0)
		return rc;
	if (a->refresh >= a->validity)
		return op_err_set(OP_E_CONFIG, "%s: [%s]: refresh must be shorter "
				  "than validity, or responses expire before "
				  "they are re-signed", l->path, a->name);
	if (c->run_interval > a->refresh)
		return op_err_set(OP_E_CONFIG, "%s: [%s]: run_interval must be at "
				  "most refresh: responses are re-signed only "
				  "when the schedule runs", l->path, a->name);
	return gen_policy_times(l->path, a, c->run_interval);
}

/* ---- token faults and resumable runs ---- */

/* sign_retry_backoff: "250ms", or a duration (s, m suffixes) */
static int backoff(const struct gen_confkey *l, int64_t *ms)
{
	const char *v = gen_confkey_get(l, "ocsp_gen", "sign_retry_backoff");
	size_t n = v ? strlen(v) : 0;
	int64_t secs;
	char *end;

	*ms = GEN_SIGN_BACKOFF_MS;
	if (!v)
		return 0;
	if (n > 2 && strcmp(v + n - 2, "ms") == 0) {
		*ms = strtoll(v, &end, 10);
		if (end == v + n - 2 && *ms >= 1 && *ms <= 60000)
			return 0;
	} else if (op_time_dur_parse(v, &secs) == 0 && secs <= 60) {
		*ms = secs * 1000;
		return 0;
	}
	op_err_clear();
	return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: sign_retry_backoff '%s' "
			  "must be 1ms to 60s (ms or s suffix)", l->path, v);
}

int gen_conf_profile_faults(const struct gen_confkey *l, struct gen_conf *c)
{
	const char *v = gen_confkey_get(l, "ocsp_gen", "commit_interval");
	long retries, every;
	int rc;

	if ((rc = gen_confkey_number(l, "sign_retries", 0, 100,
				     GEN_SIGN_RETRIES, &retries)) != 0 ||
	    (rc = backoff(l, &c->sign_retry_backoff_ms)) != 0 ||
	    (rc = gen_confkey_number(l, "commit_every", 0, 100000000, 100000,
				     &every)) != 0)
		return rc;
	c->sign_retries = (int)retries;
	c->commit_every = (size_t)every;
	c->commit_interval = 60;
	if (v && strcmp(v, "0") == 0)
		c->commit_interval = 0;
	else if (v && op_time_dur_parse(v, &c->commit_interval) != 0)
		return op_err_prefix(OP_E_CONFIG, "%s: [ocsp_gen]: commit_interval",
				     l->path);
	return 0;
}

