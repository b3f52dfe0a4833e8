#include "gen_plan.h"
#include "op_err.h"

#include <stdlib.h>
#include <string.h>

static int taken(const struct gen_auth_conf *c, const char *only_ca)
{
	return !only_ca || strcmp(c->name, only_ca) == 0;
}

int gen_plan_make(const struct gen_conf *conf, const char *only_ca,
		  struct gen_plan *p)
{
	size_t n = conf->nauths;

	memset(p, 0, sizeof(*p));
	p->outputs = calloc(n + 1, sizeof(*p->outputs));
	p->auths = calloc(n + 1, sizeof(*p->auths));
	p->group = calloc(n + 1, sizeof(*p->group));
	if (!p->outputs || !p->auths || !p->group)
		return OP_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (!taken(&conf->auths[i], only_ca))
			continue;
		while (k < p->nout && strcmp(p->outputs[k], conf->auths[i].output))
			k++;
		if (k == p->nout)
			p->outputs[p->nout++] = conf->auths[i].output;
	}
	if (p->nout == 0)
		return op_err_set(OP_E_CONFIG, "--ca %s: no such authority in %s",
				  only_ca, conf->path);
	for (size_t k = 0; k < p->nout; k++) {
		p->group[k] = p->nauths;
		for (size_t i = 0; i < n; i++)
			if (taken(&conf->auths[i], only_ca) &&
			    strcmp(conf->auths[i].output, p->outputs[k]) == 0)
				p->auths[p->nauths++] = &conf->auths[i];
	}
	p->group[p->nout] = p->nauths;
	return 0;
}

void gen_plan_free(struct gen_plan *p)
{
	free(p->outputs);
	free(p->auths);
	free(p->group);
	memset(p, 0, sizeof(*p));
}
