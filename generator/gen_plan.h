/*
 * gen_plan: which authorities a run (or --check) takes, grouped by the
 * output file they are published in.
 *
 * One plan for both, so that --check reads the same history, and takes
 * the same authorities, as the run it predicts.
 */
#ifndef GEN_PLAN_H
#define GEN_PLAN_H

#include <stddef.h>

#include "gen_conf.h"

struct gen_plan {
	/* Each output once, in the order the configuration names them. */
	const char **outputs;		/* point into the gen_conf */
	size_t nout;
	/* auths[group[k]] .. auths[group[k + 1] - 1] publish in outputs[k]. */
	const struct gen_auth_conf **auths;
	size_t *group;
	size_t nauths;
};

/*
 * The plan for conf: every authority, or only_ca's (OP_E_CONFIG naming
 * the file when there is none of that name).  The plan points into conf;
 * free it with gen_plan_free() in every case.
 */
int gen_plan_make(const struct gen_conf *conf, const char *only_ca,
		  struct gen_plan *p);
void gen_plan_free(struct gen_plan *p);

#endif
