#include "gen_confkey.h"
#include "op_err.h"
#include "op_log.h"
#include "op_time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>

const char *gen_confkey_get(const struct gen_confkey *l, const char *section,
			    const char *key)
{
	const char *v = NCONF_get_string(l->nconf, section, key);

	ERR_clear_error();	/* a missing key queues an error we don't want */
	return v && *v ? v : NULL;
}

int gen_confkey_unknown(const struct gen_confkey *l, const char *section,
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

int gen_confkey_path(const struct gen_confkey *l, const char *v, char **out)
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

int gen_confkey_need_path(const struct gen_confkey *l, const char *section,
			  const char *key, char **out)
{
	const char *v = gen_confkey_get(l, section, key);

	if (!v)
		return op_err_set(OP_E_CONFIG, "%s: [%s]: '%s' is required",
				  l->path, section, key);
	return gen_confkey_path(l, v, out);
}

int gen_confkey_opt_path(const struct gen_confkey *l, const char *section,
			 const char *key, char **out)
{
	const char *v = gen_confkey_get(l, section, key);

	*out = NULL;
	return v ? gen_confkey_path(l, v, out) : 0;
}

int gen_confkey_items(const char *list, int (*fn)(void *, const char *),
		      void *arg)
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
		for (n = 0; p[n] && p[n] != ',' &&
		     !isspace((unsigned char)p[n]); n++)
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

const char *gen_confkey_inherited(const struct gen_confkey *l,
				  const char *section, const char *key,
				  const char **where)
{
	const char *v = gen_confkey_get(l, section, key);

	*where = section;
	if (!v) {
		v = gen_confkey_get(l, "ocsp_gen", key);
		*where = "ocsp_gen";
	}
	return v;
}

int gen_confkey_pick(const struct gen_confkey *l, const char *section,
		     const char *key, const char *const *words, int def,
		     int *out)
{
	const char *where, *v = gen_confkey_inherited(l, section, key, &where);
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

int gen_confkey_choice(const struct gen_confkey *l, const char *section,
		       const char *key, const char *no, const char *yes,
		       int def, int *out)
{
	const char *const words[] = { no, yes, NULL };

	return gen_confkey_pick(l, section, key, words, def, out);
}

int gen_confkey_duration(const struct gen_confkey *l, const char *key,
			 const char *def, int64_t *out)
{
	const char *v = gen_confkey_get(l, "ocsp_gen", key);

	if (op_time_dur_parse(v ? v : def, out) != 0)
		return op_err_prefix(OP_E_CONFIG, "%s: [ocsp_gen]: %s", l->path,
				     key);
	return 0;
}

int gen_confkey_number(const struct gen_confkey *l, const char *key, long lo,
		       long hi, long def, long *out)
{
	const char *v = gen_confkey_get(l, "ocsp_gen", key);
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

