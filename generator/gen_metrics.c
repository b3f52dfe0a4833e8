#include "gen_metrics.h"
#include "op_err.h"
#include "op_file.h"

#include <stdio.h>
#include <stdlib.h>

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The text, in node_exporter's textfile format. */
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
	family(f, "ocsp_gen_serials", "gauge", "Serials with a response, per authority.");
	family(f, "ocsp_gen_responses_signed", "gauge", "Responses signed by the last run.");
	family(f, "ocsp_gen_responses_kept", "gauge", "Responses kept by the last run.");
	family(f, "ocsp_gen_responses_removed", "gauge", "Responses removed by the last run.");
	family(f, "ocsp_gen_signer_not_after_timestamp_seconds", "gauge",
	       "Expiry of the signer in use.");
	family(f, "ocsp_gen_crl_next_update_timestamp_seconds", "gauge",
	       "nextUpdate of the CRL read (0 if absent).");
	for (size_t i = 0; i < m->nauths; i++) {
		const struct gen_metrics_auth *a = &m->auths[i];

		fprintf(f, "ocsp_gen_serials{authority=\"%s\"} %zu\n"
			"ocsp_gen_responses_signed{authority=\"%s\"} %zu\n"
			"ocsp_gen_responses_kept{authority=\"%s\"} %zu\n"
			"ocsp_gen_responses_removed{authority=\"%s\"} %zu\n"
			"ocsp_gen_signer_not_after_timestamp_seconds{authority=\"%s\","
			"signer=\"%s\"} %lld\n"
			"ocsp_gen_crl_next_update_timestamp_seconds{authority=\"%s\"} %lld\n",
			a->name, a->serials, a->name, a->signed_count, a->name, a->kept,
			a->name, a->removed, a->name, a->signer,
			(long long)a->signer_not_after, a->name,
			(long long)a->crl_next_update);
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
