/*
 * gen_run: one ocsp-gen run, from configuration to published file.
 *
 * Steps: make the plan (gen_plan: authorities by output file); take each
 * output's lock and open its working copy (gen_work), where the output's
 * history is read, failing closed; prepare every authority against it
 * (gen_auth: inputs, CRL rollback, kept revocations, signer, key; any
 * failure stops the run before anything is written); then, per output,
 * in one write transaction, re-sign what changed or aged, keep the rest,
 * drop what is no longer listed (gen_diff, signing through gen_batch);
 * commit; publish if the working copy differs from the published file.
 */
#ifndef GEN_RUN_H
#define GEN_RUN_H

#include <stddef.h>

#include "gen_batch.h"
#include "gen_conf.h"
#include "gen_input.h"

struct gen_opts {
	int force;		/* re-sign everything */
	int dry_run;		/* decide, sign, then abort: nothing written */
	const char *only_ca;	/* NULL: all authorities */
	/* Called as responses are stored (gen_batch.h); NULL: none.  The
	 * run prints nothing itself: main() draws the line. */
	gen_batch_progress_fn progress;
	void *progress_arg;
	/* Serials whose remembered permanent revocation the operator
	 * releases (--release, with only_ca); NULL: none.  gen_stick.h. */
	const struct gen_list *release;
};

struct gen_stats {
	size_t signed_count, kept, removed;
	size_t early;		/* of signed_count, re-signed before refresh */
	int published;		/* a new file was renamed into place */
	const char *output;	/* the run's one output file; NULL if several
				   (points into the configuration) */
	size_t outputs;		/* output files the run went through */
};

int gen_run(const struct gen_conf *conf, const struct gen_opts *opts,
	    struct gen_stats *stats);

#endif
