#include "gen_metrics.h"
#include "op_err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int gen_metrics_write(const char *path, const struct gen_metrics *m)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return op_err_set(OP_E_RANGE, "metrics_file: path too long");
	/* A stale file of a killed run with our pid goes; a planted symlink
	 * is refused (O_EXCL | O_NOFOLLOW). */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return op_err_set(OP_E_SYS, "metrics_file %s: %s", tmp, strerror(errno));
	}
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
	family(f, "ocsp_gen_crl_cache_used", "gauge",
	       "CRLs read from cache_dir because their URL could not be fetched.");
	for (size_t i = 0; i < m->nauths; i++) {
		const struct gen_metrics_auth *a = &m->auths[i];

		fprintf(f, "ocsp_gen_crl_cache_used{authority=\"%s\"} %d\n",
			a->name, a->crl_cache_used);

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
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = op_err_set(OP_E_SYS, "metrics_file %s: %s", tmp, strerror(errno));
	if (fclose(f) != 0 && !rc)
		rc = op_err_set(OP_E_SYS, "metrics_file %s: %s", tmp, strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = op_err_set(OP_E_SYS, "metrics_file %s: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}
