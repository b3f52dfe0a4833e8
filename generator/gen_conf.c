#include "gen_conf.h"
#include "gen_policy.h"
#include "gen_keystore.h"
#include "op_err.h"
#include "op_file.h"
#include "op_key.h"
#include "op_log.h"
#include "op_time.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/conf.h>
#include <openssl/err.h>

/* The regulated profile's keys, in [ocsp_gen] or an authority's section. */
#define PROFILE_KEYS "validity", "refresh", "certid_sha2_params", "profile", \
	"retain_expired", "archive_cutoff", "this_update", "next_update_cap", \
	"crl_references"

static const char *const main_keys[] = {
	"output", "cert_ids", "workers",
	"pkcs11_module", "authorities", "metrics_file", "include_signer_cert",
	"responder_id", "run_interval", "cache_dir", "audit_log", "audit_syslog",
	/* token faults (gen_hsm), runs that resume (gen_batch) */
	"sign_retries", "sign_retry_backoff", "commit_every", "commit_interval",
	PROFILE_KEYS, NULL
};
static const char *const auth_keys[] = {
	"ca_cert", "crl", "delta_crl", "issued", "local_revocations", "signers", "output",
	"include_signer_cert", "responder_id", "distribution_points",
	"user_certs_only", "crl_issuer", PROFILE_KEYS, NULL
};
static const char *const signer_keys[] = { "cert", "key", "subject", NULL };

struct loader {
	CONF *nconf;
	const char *path;
	char dir[4096];		/* directory of path, for relative names */
};

static const char *get(struct loader *l, const char *section, const char *key)
{
	const char *v = NCONF_get_string(l->nconf, section, key);

	ERR_clear_error();	/* a missing key queues an error we don't want */
	return v && *v ? v : NULL;
}

static int warn_unknown(struct loader *l, const char *section,
			const char *const *known)
{
	STACK_OF(CONF_VALUE) *sk = NCONF_get_section(l->nconf, section);

	if (!sk)
		return op_err_set(OP_E_CONFIG, "%s: section [%s] is missing",
				  l->path, section);
	for (int i = 0; i < sk_CONF_VALUE_num(sk); i++) {
		const char *name = sk_CONF_VALUE_value(sk, i)->name;
		int ok = 0;

		for (const char *const *k = known; *k; k++)
			ok |= strcmp(*k, name) == 0;
		if (!ok)
			op_warn("%s: [%s]: unknown key '%s' ignored", l->path,
				section, name);
	}
	return 0;
}

/* A file name from the config; relative ones are anchored at its dir. */
static int path_dup(struct loader *l, const char *v, char **out)
{
	size_t n;

	if (v[0] == '/' || strncmp(v, "pkcs11:", 7) == 0 ||
	    strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0) {
		*out = strdup(v);
	} else {
		const char *sep = strcmp(l->dir, "/") ? "/" : "";

		n = strlen(l->dir) + strlen(v) + 2;
		if ((*out = malloc(n)) != NULL)
			snprintf(*out, n, "%s%s%s", l->dir, sep, v);
	}
	return *out ? 0 : OP_E_NOMEM;
}

static int need_path(struct loader *l, const char *section, const char *key,
		     char **out)
{
	const char *v = get(l, section, key);

	if (!v)
		return op_err_set(OP_E_CONFIG, "%s: [%s]: '%s' is required",
				  l->path, section, key);
	return path_dup(l, v, out);
}

static int opt_path(struct loader *l, const char *section, const char *key,
		    char **out)
{
	const char *v = get(l, section, key);

	*out = NULL;
	return v ? path_dup(l, v, out) : 0;
}

/*
 * Split a comma/space separated list in place-free fashion: calls fn for
 * each item.  Items are at most 255 octets.
 */
static int each_item(const char *list, int (*fn)(void *, const char *), void *arg)
{
	char item[256];
	const char *p = list;
	int rc;

	while (*p) {
		size_t n;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (n = 0; p[n] && p[n] != ',' && !isspace((unsigned char)p[n]); n++)
			;
		if (n >= sizeof(item))
			return op_err_set(OP_E_RANGE, "list item too long");
		memcpy(item, p, n);
		item[n] = '\0';
		if ((rc = fn(arg, item)) != 0)
			return rc;
		p += n;
	}
	return 0;
}

struct hash_ctx {
	struct loader *l;
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
	struct loader *l;
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
	if ((rc = warn_unknown(s->l, section, signer_keys)) != 0 ||
	    (rc = need_path(s->l, section, "cert", &sc->cert)) != 0 ||
	    (rc = need_path(s->l, section, "key", &sc->key)) != 0)
		return rc;
	if ((subject = get(s->l, section, "subject")) &&
	    !(sc->subject = strdup(subject)))
		return OP_E_NOMEM;
	return 0;
}

struct auth_ctx {
	struct loader *l;
	struct gen_conf *c;
};

/*
 * distribution_points: names separated by commas only, since a directory
 * name in one-line form ("/O=Test Certificates 2011/CN=CRL1") has spaces.
 */
static int dist_points(struct loader *l, const char *section,
		       struct gen_auth_conf *a)
{
	const char *p = get(l, section, "distribution_points");

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

/* A key of the authority's section, else of [ocsp_gen]; *where names the
 * section it came from.  NULL when in neither. */
static const char *inherited(struct loader *l, const char *section,
			     const char *key, const char **where)
{
	const char *v = get(l, section, key);

	*where = section;
	if (!v) {
		v = get(l, "ocsp_gen", key);
		*where = "ocsp_gen";
	}
	return v;
}

/*
 * A key taking one of the words (NULL-terminated; the index is the value),
 * set in the authority's section or else in [ocsp_gen]; def when in
 * neither.
 */
static int pick(struct loader *l, const char *section, const char *key,
		const char *const *words, int def, int *out)
{
	const char *where, *v = inherited(l, section, key, &where);
	char list[128] = "";
	size_t o = 0;

	*out = def;
	if (!v)
		return 0;
	for (int i = 0; words[i]; i++)
		if (strcasecmp(v, words[i]) == 0) {
			*out = i;
			return 0;
		}
	for (int i = 0; words[i] && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
				      i == 0 ? "" : words[i + 1] ? ", " : " or ",
				      words[i]);
	return op_err_set(OP_E_CONFIG, "%s: [%s]: %s '%s' must be %s", l->path,
			  where, key, v, list);
}

/* A key taking one of two words (no: 0, yes: 1), as pick(). */
static int choice(struct loader *l, const char *section, const char *key,
		  const char *no, const char *yes, int def, int *out)
{
	const char *const words[] = { no, yes, NULL };

	return pick(l, section, key, words, def, out);
}

/* ---- the regulated profile (gen_policy) ---- */

/* A duration set in the authority's section, else [ocsp_gen]'s value. */
static int auth_duration(struct loader *l, const char *section,
			 const char *key, int64_t def, int64_t *out)
{
	const char *v = get(l, section, key);

	*out = def;
	if (v && op_dur_parse(v, out) != 0)
		return op_err_prefix(OP_E_CONFIG, "%s: [%s]: %s", l->path,
				     section, key);
	return 0;
}

/* retain_expired = 0 | DURATION | forever, inherited from [ocsp_gen]. */
static int retain(struct loader *l, const char *section, int64_t *out)
{
	const char *where, *v = inherited(l, section, "retain_expired", &where);

	*out = 0;
	if (!v || strcmp(v, "0") == 0)
		return 0;
	if (strcasecmp(v, "forever") == 0) {
		*out = GEN_RETAIN_FOREVER;
		return 0;
	}
	if (op_dur_parse(v, out) != 0)
		return op_err_prefix(OP_E_CONFIG, "%s: [%s]: retain_expired (0, "
				     "a duration or forever)", l->path, where);
	return 0;
}

/* Status beyond expiry, and the times and extensions of the responses. */
static int auth_lifetime(struct loader *l, struct gen_auth_conf *a)
{
	static const char *const cutoff[] = { "none", "ca_notbefore", "retain",
					      NULL };
	int rc;

	if ((rc = retain(l, a->name, &a->retain)) != 0 ||
	    (rc = pick(l, a->name, "archive_cutoff", cutoff, GEN_CUTOFF_NONE,
		       &a->archive_cutoff)) != 0 ||
	    (rc = choice(l, a->name, "this_update", "run", "crl", 0,
			 &a->this_update_crl)) != 0 ||
	    (rc = choice(l, a->name, "next_update_cap", "none", "crl", 0,
			 &a->cap_crl)) != 0 ||
	    (rc = choice(l, a->name, "crl_references", "no", "yes", 0,
			 &a->crl_refs)) != 0)
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

static int auth_profile(struct loader *l, const struct gen_conf *c,
			struct gen_auth_conf *a)
{
	int rc;

	if ((rc = auth_duration(l, a->name, "validity", c->validity,
				&a->validity)) != 0 ||
	    (rc = auth_duration(l, a->name, "refresh", c->refresh,
				&a->refresh)) != 0 ||
	    (rc = choice(l, a->name, "certid_sha2_params", "absent", "both", 0,
			 &a->certid_null)) != 0 ||
	    (rc = choice(l, a->name, "profile", "none", "cabf", GEN_PROFILE_NONE,
			 &a->profile)) != 0 ||
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

static int add_auth(void *arg, const char *section)
{
	struct auth_ctx *x = arg;
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
	if ((rc = warn_unknown(x->l, section, auth_keys)) != 0 ||
	    (rc = need_path(x->l, section, "ca_cert", &a->ca_cert)) != 0 ||
	    (rc = need_path(x->l, section, "crl", &a->crl)) != 0 ||
	    (rc = opt_path(x->l, section, "delta_crl", &a->delta_crl)) != 0 ||
	    (rc = need_path(x->l, section, "issued", &a->issued)) != 0 ||
	    (rc = opt_path(x->l, section, "local_revocations",
			   &a->local_revocations)) != 0 ||
	    (rc = opt_path(x->l, section, "output", &a->output)) != 0 ||
	    (rc = choice(x->l, section, "include_signer_cert", "no", "yes", 0,
			 &a->include_signer_cert)) != 0 ||
	    (rc = choice(x->l, section, "responder_id", "key", "name", 0,
			 &a->responder_by_name)) != 0 ||
	    (rc = dist_points(x->l, section, a)) != 0 ||
	    (rc = choice(x->l, section, "user_certs_only", "no", "yes", 0,
			 &a->user_certs_only)) != 0 ||
	    (rc = opt_path(x->l, section, "crl_issuer", &a->crl_issuer)) != 0 ||
	    (rc = auth_profile(x->l, x->c, a)) != 0)
		return rc;
	if (!(signers = get(x->l, section, "signers")))
		return op_err_set(OP_E_CONFIG, "%s: [%s]: 'signers' is required",
				  x->l->path, section);
	sctx.l = x->l;
	sctx.a = a;
	if ((rc = each_item(signers, add_signer, &sctx)) != 0)
		return rc;
	if (a->nsigners == 0)
		return op_err_set(OP_E_CONFIG, "%s: [%s]: 'signers' is empty",
				  x->l->path, section);
	return 0;
}

static int duration(struct loader *l, const char *key, const char *def,
		    int64_t *out)
{
	const char *v = get(l, "ocsp_gen", key);

	if (op_dur_parse(v ? v : def, out) != 0)
		return op_err_prefix(OP_E_CONFIG, "%s: [ocsp_gen]: %s", l->path,
				     key);
	return 0;
}

/* ---- token faults and resumable runs ---- */

/* A whole number key in [ocsp_gen] within lo..hi, def when absent. */
static int number(struct loader *l, const char *key, long lo, long hi,
		  long def, long *out)
{
	const char *v = get(l, "ocsp_gen", key);
	char *end;

	*out = def;
	if (!v)
		return 0;
	*out = strtol(v, &end, 10);
	if (*end || end == v || *out < lo || *out > hi)
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: %s '%s' must be "
				  "a number from %ld to %ld", l->path, key, v,
				  lo, hi);
	return 0;
}

/* sign_retry_backoff: "250ms", or a duration (s, m suffixes) */
static int backoff(struct loader *l, int64_t *ms)
{
	const char *v = get(l, "ocsp_gen", "sign_retry_backoff");
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
	} else if (op_dur_parse(v, &secs) == 0 && secs <= 60) {
		*ms = secs * 1000;
		return 0;
	}
	op_err_clear();
	return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: sign_retry_backoff '%s' "
			  "must be 1ms to 60s (ms or s suffix)", l->path, v);
}

/* Token faults and resumable runs: sign_retries, sign_retry_backoff,
 * commit_every, commit_interval. */
static int load_faults(struct loader *l, struct gen_conf *c)
{
	const char *v = get(l, "ocsp_gen", "commit_interval");
	long retries, every;
	int rc;

	if ((rc = number(l, "sign_retries", 0, 100, GEN_SIGN_RETRIES,
			 &retries)) != 0 ||
	    (rc = backoff(l, &c->sign_retry_backoff_ms)) != 0 ||
	    (rc = number(l, "commit_every", 0, 100000000, 100000, &every)) != 0)
		return rc;
	c->sign_retries = (int)retries;
	c->commit_every = (size_t)every;
	c->commit_interval = 60;
	if (v && strcmp(v, "0") == 0)
		c->commit_interval = 0;
	else if (v && op_dur_parse(v, &c->commit_interval) != 0)
		return op_err_prefix(OP_E_CONFIG, "%s: [ocsp_gen]: commit_interval",
				     l->path);
	return 0;
}

static int load(struct loader *l, struct gen_conf *c)
{
	const char *v;
	struct hash_ctx hctx = { l, c };
	struct auth_ctx actx = { l, c };
	int rc;

	if ((rc = warn_unknown(l, "ocsp_gen", main_keys)) != 0 ||
	    (rc = opt_path(l, "ocsp_gen", "output", &c->output)) != 0 ||
	    (rc = opt_path(l, "ocsp_gen", "metrics_file", &c->metrics_file)) != 0 ||
	    (rc = opt_path(l, "ocsp_gen", "audit_log", &c->audit_log)) != 0 ||
	    (rc = choice(l, "ocsp_gen", "audit_syslog", "no", "yes", 1,
			 &c->audit_syslog)) != 0 ||
	    (rc = opt_path(l, "ocsp_gen", "pkcs11_module", &c->pkcs11_module)) != 0 ||
	    (rc = path_dup(l, (v = get(l, "ocsp_gen", "cache_dir")) ? v :
			   GEN_CACHE_DIR, &c->cache_dir)) != 0 ||
	    (rc = duration(l, "validity", "7d", &c->validity)) != 0 ||
	    (rc = duration(l, "refresh", "3d", &c->refresh)) != 0 ||
	    (rc = duration(l, "run_interval", "1h", &c->run_interval)) != 0 ||
	    (rc = load_faults(l, c)) != 0)
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
	if ((rc = each_item((v = get(l, "ocsp_gen", "cert_ids")) ? v : "sha1, sha256",
			    add_hash, &hctx)) != 0)
		return rc;
	if (c->nhashes == 0)
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: cert_ids is empty",
				  l->path);
	c->workers = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if ((v = get(l, "ocsp_gen", "workers")) != NULL) {
		char *end;
		long w = strtol(v, &end, 10);

		if (*end || w < 1 || w > 256)
			return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: workers "
					  "'%s' must be 1..256", l->path, v);
		c->workers = (int)w;
	}
	if (c->workers < 1)
		c->workers = 1;
	if (!(v = get(l, "ocsp_gen", "authorities")))
		return op_err_set(OP_E_CONFIG, "%s: [ocsp_gen]: 'authorities' is "
				  "required", l->path);
	if ((rc = each_item(v, add_auth, &actx)) != 0)
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
	struct loader l = { 0 };
	long errline = -1;
	struct stat st;
	int rc;

	memset(conf, 0, sizeof(*conf));
	l.path = path;
	if ((rc = op_path_dir(path, l.dir, sizeof(l.dir))) != 0)
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
