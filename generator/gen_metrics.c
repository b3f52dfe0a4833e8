#include "gen_metrics.h"
#include "op_err.h"
#include "op_file.h"

#include <stdio.h>
#include <stdlib.h>

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The per-authority families, one sample per authority. */
enum { A_SERIALS, A_SIGNED, A_KEPT, A_REMOVED, A_EARLY, A_SIGNER, A_CRL,
       A_CRL_CACHE, A_REV_KEPT, A_RETRIES, A_REOPENED, A_NFAMILY };
static const struct {
	const char *name, *help;
} auth_family[A_NFAMILY] = {
	{ "ocsp_gen_serials", "Serials with a response, per authority." },
	{ "ocsp_gen_responses_signed", "Responses signed by the last run." },
	{ "ocsp_gen_responses_kept", "Responses kept by the last run." },
	{ "ocsp_gen_responses_removed", "Responses removed by the last run." },
	{ "ocsp_gen_responses_resigned_early",
	  "Of the responses signed by the last run, those re-signed before "
	  "refresh to spread the load (run_interval)." },
	{ "ocsp_gen_signer_not_after_timestamp_seconds", "Expiry of the signer in use." },
	{ "ocsp_gen_crl_next_update_timestamp_seconds",
	  "nextUpdate of the CRL read (0 if absent)." },
	{ "ocsp_gen_crl_cache_used",
	  "CRLs read from cache_dir because their URL could not be fetched." },
	{ "ocsp_gen_revocations_kept",
	  "Permanent revocations the output remembers that the inputs of the "
	  "last run no longer carry (signed revoked all the same)." },
	{ "ocsp_gen_sign_retries",
	  "Signatures the last run tried again after a PKCS#11 fault "
	  "(sign_retries)." },
	{ "ocsp_gen_sessions_reopened",
	  "PKCS#11 sessions the last run opened and logged in anew after a "
	  "fault." },
};

static long long auth_value(const struct gen_metrics_auth *a, int family_index)
{
	switch (family_index) {
	case A_SERIALS: return (long long)a->serials;
	case A_SIGNED: return (long long)a->signed_count;
	case A_KEPT: return (long long)a->kept;
	case A_REMOVED: return (long long)a->removed;
	case A_EARLY: return (long long)a->early;
	case A_SIGNER: return a->signer_not_after;
	case A_CRL_CACHE: return a->crl_cache_used;
	case A_REV_KEPT: return (long long)a->revocations_kept;
	case A_RETRIES: return (long long)a->sign_retries;
	case A_REOPENED: return (long long)a->sessions_reopened;
	default: return a->crl_next_update;
	}
}

/* The text, in node_exporter's textfile format: each family's HELP and
 * TYPE, then all its samples (`promtool check metrics` clean). */
static void print(FILE *f, const struct gen_metrics *m)
{
	family(f, "ocsp_gen_last_success_timestamp_seconds", "gauge",
	       "End of the last successful run.");
	fprintf(f, "ocsp_gen_last_success_timestamp_seconds %lld\n",
		(long long)m->finished);
	family(f, "ocsp_gen_last_run_duration_seconds", "gauge",
	       "Duration of the last successful run.");
	fprintf(f, "ocsp_gen_last_run_duration_seconds %.3f\n", m->duration);
	family(f, "ocsp_gen_last_run_published", "gauge",
	       "1 if the last run published a new file.");
	fprintf(f, "ocsp_gen_last_run_published %d\n", m->published);
	for (int k = 0; k < A_NFAMILY; k++) {
		family(f, auth_family[k].name, "gauge", auth_family[k].help);
		for (size_t i = 0; i < m->nauths; i++) {
			const struct gen_metrics_auth *a = &m->auths[i];

			fprintf(f, "%s{authority=\"%s\"", auth_family[k].name, a->name);
			if (k == A_SIGNER)
				fprintf(f, ",signer=\"%s\"", a->signer);
			fprintf(f, "} %lld\n", auth_value(a, k));
		}
	}
}

int gen_metrics_write(const char *path, const struct gen_metrics *m)
{
	struct op_file out;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	/* Formatted in memory first: the file gets all of it or nothing. */
	if (!(f = open_memstream(&text, &len)))
		return OP_E_NOMEM;
	print(f, m);
	if (fclose(f) != 0) {
		free(text);
		return OP_E_NOMEM;
	}
	if ((rc = op_file_begin(&out, path, 0644)) != 0)
		goto out;
	if ((rc = op_file_write_all(out.fd, text, len, out.tmp)) != 0)
		op_file_abort(&out);
	else
		rc = op_file_commit(&out);
out:
	free(text);
	return rc ? op_err_prefix(rc, "metrics_file") : 0;
}
