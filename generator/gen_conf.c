#include "gen_conf.h"
#include "gen_conf_profile.h"
#include "gen_confkey.h"
#include "op_err.h"
#include "op_file.h"
#include "op_key.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/conf.h>

static const char *const main_keys[] = {
	"output", "cert_ids", "workers",
	"pkcs11_module", "authorities", "metrics_file", "include_signer_cert",
	"responder_id", "run_interval", "cache_dir", "audit_log", "audit_syslog",
	GEN_CONF_FAULT_KEYS, GEN_CONF_PROFILE_KEYS, NULL
};
static const char *const auth_keys[] = {
	"ca_cert", "crl", "delta_crl", "issued", "local_revocations", "signers", "output",
	"include_signer_cert", "responder_id", "distribution_points",
	"user_certs_only", "crl_issuer", GEN_CONF_PROFILE_KEYS, NULL
};
static const char *const signer_keys[] = { "cert", "key", "subject", NULL };

struct hash_ctx {
	const struct gen_confkey *l;
	struct gen_conf *c;
};

static int add_hash(void *arg, const char *name)
{
	struct hash_ctx *h = arg;
	int tag = op_hash_from_name(name);

	if (tag == OP_HASH_NONE)
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: cert_ids: unknown "
				  "hash '%s' (sha1, sha256, sha384, sha512)",
				  h->l->path, name);
	for (size_t i = 0; i < h->c->nhashes; i++)
		if (h->c->hashes[i] == tag)
			return 0;
	if (h->c->nhashes == GEN_MAX_HASHES)
		return op_err_set(OP_E_CONFIG, "%s: cert_ids: too many", h->l->path);
	h->c->hashes[h->c->nhashes++] = tag;
	return 0;
}

struct signer_ctx {
	const struct gen_confkey *l;
	struct gen_auth_conf *a;
};

static int add_signer(void *arg, const char *section)
{
	struct signer_ctx *s = arg;
	struct gen_signer_conf *sc, *v;
	const char *subject;
	int rc;

	v = realloc(s->a->signers, (s->a->nsigners + 1) * sizeof(*v));
	if (!v)
		return OP_E_NOMEM;
	s->a->signers = v;
	sc = &v[s->a->nsigners];
	memset(sc, 0, sizeof(*sc));
	s->a->nsigners++;
	if (!(sc->name = strdup(section)))
		return OP_E_NOMEM;
	if (!NCONF_get_section(s->l->nconf, section))
		return op_err_set(OP_E_CONFIG, "%s: [%s]: signers names [%s], "
				  "which is not in the file", s->l->path,
				  s->a->name, section);
	if ((rc = gen_confkey_unknown(s->l, section, signer_keys)) != 0 ||
	    (rc = gen_confkey_need_path(s->l, section, "cert",
					&sc->cert)) != 0 ||
	    (rc = gen_confkey_need_path(s->l, section, "key", &sc->key)) != 0)
		return rc;
	if ((subject = gen_confkey_get(s->l, section, "subject")) &&
	    !(sc->subject = strdup(subject)))
		return OP_E_NOMEM;
	return 0;
}

struct auth_ctx {
	const struct gen_confkey *l;
	struct gen_conf *c;
};

/*
 * distribution_points: names separated by commas only, since a directory
 * name in one-line form ("/O=Test Certificates 2011/CN=CRL1") has spaces.
 */
static int dist_points(const struct gen_confkey *l, const char *section,
		       struct gen_auth_conf *a)
{
	const char *p = gen_confkey_get(l, section, "distribution_points");

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char **v;

		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n) {
			if (!(v = realloc(a->dist_points, (a->ndist_points + 1) *
					  sizeof(*v))))
				return OP_E_NOMEM;
			a->dist_points = v;
			if (!(v[a->ndist_points] = strndup(p, n)))
				return OP_E_NOMEM;
			a->ndist_points++;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int add_auth(void *arg, const char *section)
{
	struct auth_ctx *x = arg;
	const struct gen_confkey *k = x->l;
	struct gen_auth_conf *a, *v;
	struct signer_ctx sctx;
	const char *signers;
	int rc;

	for (size_t i = 0; i < x->c->nauths; i++)
		if (strcmp(x->c->auths[i].name, section) == 0)
			return op_err_set(OP_E_CONFIG, "%s: authority '%s' listed "
					  "twice", x->l->path, section);
	v = realloc(x->c->auths, (x->c->nauths + 1) * sizeof(*v));
	if (!v)
		return OP_E_NOMEM;
	x->c->auths = v;
	a = &v[x->c->nauths];
	memset(a, 0, sizeof(*a));
	x->c->nauths++;
	if (!(a->name = strdup(section)))
		return OP_E_NOMEM;
	if (!NCONF_get_section(x->l->nconf, section))
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: authorities names "
				  "[%s], which is not in the file", x->l->path,
				  section);
	if ((rc = gen_confkey_unknown(k, section, auth_keys)) != 0 ||
	    (rc = gen_confkey_need_path(k, section, "ca_cert",
					&a->ca_cert)) != 0 ||
	    (rc = gen_confkey_need_path(k, section, "crl", &a->crl)) != 0 ||
	    (rc = gen_confkey_opt_path(k, section, "delta_crl",
				       &a->delta_crl)) != 0 ||
	    (rc = gen_confkey_need_path(k, section, "issued",
					&a->issued)) != 0 ||
	    (rc = gen_confkey_opt_path(k, section, "local_revocations",
				       &a->local_revocations)) != 0 ||
	    (rc = gen_confkey_opt_path(k, section, "output",
				       &a->output)) != 0 ||
	    (rc = gen_confkey_choice(k, section, "include_signer_cert", "no",
				     "yes", 0, &a->include_signer_cert)) != 0 ||
	    (rc = gen_confkey_choice(k, section, "responder_id", "key", "name",
				     0, &a->responder_by_name)) != 0 ||
	    (rc = dist_points(k, section, a)) != 0 ||
	    (rc = gen_confkey_choice(k, section, "user_certs_only", "no", "yes",
				     0, &a->user_certs_only)) != 0 ||
	    (rc = gen_confkey_opt_path(k, section, "crl_issuer",
				       &a->crl_issuer)) != 0 ||
	    (rc = gen_conf_profile_auth(k, x->c, a)) != 0)
		return rc;
	if (!(signers = gen_confkey_get(x->l, section, "signers")))
		return op_err_set(OP_E_CONFIG, "%s: [%s]: 'signers' is required",
				  x->l->path, section);
	sctx.l = x->l;
	sctx.a = a;
	if ((rc = gen_confkey_items(signers, add_signer, &sctx)) != 0)
		return rc;
	if (a->nsigners == 0)
		return op_err_set(OP_E_CONFIG, "%s: [%s]: 'signers' is empty",
				  x->l->path, section);
	return 0;
}

static int load(const struct gen_confkey *l, struct gen_conf *c)
{
	const char *v;
	struct hash_ctx hctx = { l, c };
	struct auth_ctx actx = { l, c };
	int rc;

	if ((rc = gen_confkey_unknown(l, "ocsp_gen", main_keys)) != 0 ||
	    (rc = gen_confkey_opt_path(l, "ocsp_gen", "output",
				       &c->output)) != 0 ||
	    (rc = gen_confkey_opt_path(l, "ocsp_gen", "metrics_file",
				       &c->metrics_file)) != 0 ||
	    (rc = gen_confkey_opt_path(l, "ocsp_gen", "audit_log",
				       &c->audit_log)) != 0 ||
	    (rc = gen_confkey_choice(l, "ocsp_gen", "audit_syslog", "no", "yes",
				     1, &c->audit_syslog)) != 0 ||
	    (rc = gen_confkey_opt_path(l, "ocsp_gen", "pkcs11_module",
				       &c->pkcs11_module)) != 0 ||
	    (rc = gen_confkey_path(l, (v = gen_confkey_get(l, "ocsp_gen",
							  "cache_dir")) ? v :
				   GEN_CACHE_DIR, &c->cache_dir)) != 0 ||
	    (rc = gen_confkey_duration(l, "validity", "7d",
				       &c->validity)) != 0 ||
	    (rc = gen_confkey_duration(l, "refresh", "3d",
				       &c->refresh)) != 0 ||
	    (rc = gen_confkey_duration(l, "run_interval", "1h",
				       &c->run_interval)) != 0 ||
	    (rc = gen_conf_profile_faults(l, c)) != 0)
		return rc;
	if (c->refresh >= c->validity)
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: refresh must be "
				  "shorter than validity, or responses expire "
				  "before they are re-signed", l->path);
	if (c->run_interval <= 0 || c->run_interval > c->refresh)
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: run_interval must "
				  "be more than 0 and at most refresh: responses "
				  "are re-signed only when the schedule runs",
				  l->path);
	v = gen_confkey_get(l, "ocsp_gen", "cert_ids");
	if ((rc = gen_confkey_items(v ? v : "sha1, sha256", add_hash,
				    &hctx)) != 0)
		return rc;
	if (c->nhashes == 0)
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: cert_ids is empty",
				  l->path);
	c->workers = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if ((v = gen_confkey_get(l, "ocsp_gen", "workers")) != NULL) {
		char *end;
		long w = strtol(v, &end, 10);

		if (*end || w < 1 || w > 256)
			return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: workers "
					  "'%s' must be 1..256", l->path, v);
		c->workers = (int)w;
	}
	if (c->workers < 1)
		c->workers = 1;
	if (!(v = gen_confkey_get(l, "ocsp_gen", "authorities")))
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: 'authorities' is "
				  "required", l->path);
	if ((rc = gen_confkey_items(v, add_auth, &actx)) != 0)
		return rc;
	if (c->nauths == 0)
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: 'authorities' is "
				  "empty", l->path);
	for (size_t i = 0; i < c->nauths; i++) {
		struct gen_auth_conf *a = &c->auths[i];

		if (a->output)
			continue;
		if (!c->output)
			return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: 'output' "
					  "is required ([%s] names none)",
					  l->path, a->name);
		if (!(a->output = strdup(c->output)))
			return OP_E_NOMEM;
	}
	return 0;
}

int gen_conf_load(const char *path, struct gen_conf *conf)
{
	struct gen_confkey l = { 0 };
	long errline = -1;
	struct stat st;
	int rc;

	memset(conf, 0, sizeof(*conf));
	l.path = path;
	if ((rc = op_file_dir(path, l.dir, sizeof(l.dir))) != 0)
		return rc;
	/* NCONF reads a directory as an empty file. */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return op_err_set(OP_E_CONFIG, "%s: is a directory, not a "
				  "configuration file", path);
	if (!(l.nconf = NCONF_new(NULL)))
		return OP_E_NOMEM;
	if (NCONF_load(l.nconf, path, &errline) <= 0) {
		if (errline > 0)
			rc = op_err_ssl(OP_E_CONFIG, "%s:%ld: syntax error", path,
					errline);
		else
			rc = op_err_ssl(OP_E_CONFIG, "%s: cannot read the "
					"configuration", path);
		goto out;
	}
	if (!(conf->path = strdup(path))) {
		rc = OP_E_NOMEM;
		goto out;
	}
	rc = load(&l, conf);
out:
	NCONF_free(l.nconf);
	if (rc)
		gen_conf_free(conf);
	return rc;
}

void gen_conf_free(struct gen_conf *c)
{
	for (size_t i = 0; i < c->nauths; i++) {
		struct gen_auth_conf *a = &c->auths[i];

		for (size_t j = 0; j < a->nsigners; j++) {
			free(a->signers[j].name);
			free(a->signers[j].cert);
			free(a->signers[j].key);
			free(a->signers[j].subject);
		}
		free(a->signers);
		for (size_t j = 0; j < a->ndist_points; j++)
			free(a->dist_points[j]);
		free(a->dist_points);
		free(a->crl_issuer);
		free(a->name);
		free(a->ca_cert);
		free(a->crl);
		free(a->delta_crl);
		free(a->issued);
		free(a->local_revocations);
		free(a->output);
	}
	free(c->auths);
	free(c->path);
	free(c->output);
	free(c->pkcs11_module);
	free(c->metrics_file);
	free(c->audit_log);
	free(c->cache_dir);
	memset(c, 0, sizeof(*c));
}
