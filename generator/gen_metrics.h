/*
 * gen_metrics: ocsp-gen's run metrics for node_exporter's textfile
 * collector (metrics_file in [ocsp_gen]).  Written only after a successful
 * run, atomically (op_file), so a failing generator shows as a last-success
 * time that stops moving.
 */
#ifndef GEN_METRICS_H
#define GEN_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct gen_metrics_auth {
	const char *name;
	const char *signer;
	size_t serials, signed_count, kept, removed;
	size_t early;			/* of signed_count, before refresh */
	int64_t signer_not_after;
	int64_t crl_next_update;	/* 0: the CRL has none */
	int crl_cache_used;		/* CRL URLs that failed: cached copy used */
	size_t revocations_kept;	/* gen_stick: dropped by the inputs */
	unsigned long sign_retries;	/* signatures tried again (gen_hsm) */
	unsigned long sessions_reopened; /* PKCS#11 sessions opened anew */
};

struct gen_metrics {
	int64_t finished;		/* epoch seconds */
	double duration;		/* seconds */
	int published;
	struct gen_metrics_auth *auths;
	size_t nauths;
};

int gen_metrics_write(const char *path, const struct gen_metrics *m);

#endif
