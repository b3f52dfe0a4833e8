/*
 * gen_confkey: reading one key of ocsp-gen.conf (OpenSSL NCONF).
 *
 * How a key is read is the same for every part of the configuration
 * (gen_conf, gen_conf_profile): empty means absent, an authority's key
 * may fall back to [ocsp_gen]'s, a word is one of a fixed list, a file
 * name is anchored at the configuration's directory, and errors name the
 * file, the section the value came from, and the key.
 */
#ifndef GEN_CONFKEY_H
#define GEN_CONFKEY_H

#include <stdint.h>
#include <openssl/conf.h>

struct gen_confkey {
	CONF *nconf;		/* the loaded file; owned by gen_conf_load() */
	const char *path;	/* its name, for messages */
	char dir[4096];		/* directory of path, for relative names */
};

/* The value of key in section; NULL when absent or empty.  Points into
 * k->nconf. */
const char *gen_confkey_get(const struct gen_confkey *k, const char *section,
			    const char *key);

/* Warn about keys of section not in known (NULL-terminated): a typo must
 * not pass silently.  OP_E_CONFIG when the section is missing. */
int gen_confkey_unknown(const struct gen_confkey *k, const char *section,
			const char *const *known);

/* A file name from the configuration in *out (caller frees): relative
 * names anchored at k->dir; URLs and pkcs11: URIs as given. */
int gen_confkey_path(const struct gen_confkey *k, const char *v, char **out);
/* The same for key of section: required (OP_E_CONFIG when absent), or
 * optional (*out NULL when absent). */
int gen_confkey_need_path(const struct gen_confkey *k, const char *section,
			  const char *key, char **out);
int gen_confkey_opt_path(const struct gen_confkey *k, const char *section,
			 const char *key, char **out);

/* Call fn for each item of a comma/space separated list (items of at most
 * 255 octets); fn's non-zero return stops and is returned. */
int gen_confkey_items(const char *list, int (*fn)(void *, const char *),
		      void *arg);

/* key of the authority's section, else of [ocsp_gen]; *where names the
 * section it came from.  NULL when in neither. */
const char *gen_confkey_inherited(const struct gen_confkey *k,
				  const char *section, const char *key,
				  const char **where);

/* A key taking one of words (NULL-terminated; the index is the value),
 * inherited as above; def when absent.  OP_E_CONFIG listing the words. */
int gen_confkey_pick(const struct gen_confkey *k, const char *section,
		     const char *key, const char *const *words, int def,
		     int *out);
/* A key taking one of two words (no: 0, yes: 1), as gen_confkey_pick(). */
int gen_confkey_choice(const struct gen_confkey *k, const char *section,
		       const char *key, const char *no, const char *yes,
		       int def, int *out);

/* A duration key of [ocsp_gen] (op_time_dur_parse), def (a duration) when
 * absent. */
int gen_confkey_duration(const struct gen_confkey *k, const char *key,
			 const char *def, int64_t *out);
/* A whole number key of [ocsp_gen] within lo..hi, def when absent. */
int gen_confkey_number(const struct gen_confkey *k, const char *key, long lo,
		       long hi, long def, long *out);

#endif
