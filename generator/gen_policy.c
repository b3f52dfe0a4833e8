#include "gen_policy.h"
#include "op_err.h"
#include "op_log.h"
#include "op_time.h"

#include <stdio.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

/* The longest age a response reaches before a run re-signs it. */
static int64_t worst_age(const struct gen_auth_conf *a, int64_t run_interval)
{
	return a->refresh + run_interval;
}

/* The first BR rule the times break, written to why; 0 if none. */
static int cabf_times(const struct gen_auth_conf *a, int64_t run_interval,
		      char *why, size_t size)
{
	char v[24], r[24], i[24];
	int64_t age = worst_age(a, run_interval), margin = a->validity - age;

	op_time_dur_format(a->validity, v, sizeof(v));
	op_time_dur_format(a->refresh, r, sizeof(r));
	op_time_dur_format(run_interval, i, sizeof(i));
	if (a->validity < GEN_CABF_VALIDITY_MIN || a->validity > GEN_CABF_VALIDITY_MAX) {
		snprintf(why, size, "validity %s is outside 8 hours .. 10 days "
			 "(BR 4.9.10: the validity interval of an OCSP response)", v);
		return 1;
	}
	if (a->validity < 16 * GEN_HOUR && 2 * margin < a->validity) {
		snprintf(why, size, "refresh %s + run_interval %s leaves less than "
			 "half of validity %s before nextUpdate (BR 4.9.10: below "
			 "16 hours, a new response one-half of the validity "
			 "before nextUpdate)", r, i, v);
		return 1;
	}
	if (a->validity >= 16 * GEN_HOUR && age > GEN_CABF_AGE_MAX) {
		snprintf(why, size, "refresh %s + run_interval %s lets a response "
			 "age past 4 days (BR 4.9.10: a new response no later "
			 "than four days after thisUpdate)", r, i);
		return 1;
	}
	if (a->validity >= 16 * GEN_HOUR && margin < GEN_CABF_MARGIN_MIN) {
		snprintf(why, size, "refresh %s + run_interval %s leaves less than "
			 "8 hours of validity %s (BR 4.9.10: a new response at "
			 "least eight hours before nextUpdate)", r, i, v);
		return 1;
	}
	return 0;
}

int gen_policy_times(const char *conf_path, const struct gen_auth_conf *a,
		     int64_t run_interval)
{
	char why[400], v[24], m[24];
	int64_t margin = a->validity - worst_age(a, run_interval);

	if (a->archive_cutoff != GEN_CUTOFF_NONE && a->retain == 0)
		op_warn("%s: [%s]: archive_cutoff without retain_expired: responses "
			"state an archive cutoff, but a serial that leaves the "
			"inputs is not answered any more", conf_path, a->name);
	if (a->profile == GEN_PROFILE_CABF) {
		if (a->this_update_crl || a->cap_crl)
			return op_err_set(OP_E_CONFIG, "%s: [%s]: profile = cabf: "
					  "%s = crl lets the CRL set the validity "
					  "interval, which BR 4.9.10 bounds to 8 "
					  "hours .. 10 days", conf_path, a->name,
					  a->this_update_crl ? "this_update" :
					  "next_update_cap");
		if (cabf_times(a, run_interval, why, sizeof(why)))
			return op_err_set(OP_E_CONFIG, "%s: [%s]: profile = cabf: %s",
					  conf_path, a->name, why);
		return 0;
	}
	/* Far outside what any profile asks: likely a slip of the unit. */
	op_time_dur_format(a->validity, v, sizeof(v));
	if (a->validity < GEN_HOUR || a->validity > 31 * GEN_DAY)
		op_warn("%s: [%s]: validity %s is far outside the usual 8 hours .. "
			"10 days (profile = cabf would refuse it)", conf_path,
			a->name, v);
	if (margin < 2 * run_interval) {
		op_time_dur_format(margin > 0 ? margin : 0, m, sizeof(m));
		op_warn("%s: [%s]: responses are re-signed only %s before they "
			"expire: one missed run of the schedule leaves clients "
			"without an answer (lower refresh)", conf_path, a->name, m);
	}
	return 0;
}

/* Whether x is signed with SHA-1. */
static int sha1_signed(X509 *x)
{
	int md = NID_undef, pk;

	if (!OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, &pk))
		return 0;
	return md == NID_sha1;
}

int gen_policy_signer(const struct gen_auth_conf *a, const char *name,
		      X509 *signer, X509 *ca)
{
	int delegate = X509_cmp(signer, ca) != 0;

	if (a->profile != GEN_PROFILE_CABF)
		return 0;
	if (delegate && X509_get_ext_by_NID(signer, NID_id_pkix_OCSP_noCheck, -1) < 0)
		return op_err_set(OP_E_SIGNER, "signer %s: profile = cabf: a "
				  "delegated responder's certificate needs "
				  "id-pkix-ocsp-nocheck (BR 4.9.9, 7.3)", name);
	/* Responses are never signed with SHA-1 (gen_resp_sig_md); the
	 * delegate's certificate must not be either. */
	if (delegate && sha1_signed(signer))
		return op_err_set(OP_E_SIGNER, "signer %s: profile = cabf: its "
				  "certificate is signed with SHA-1 (BR 7.1.3.2)",
				  name);
	return 0;
}
