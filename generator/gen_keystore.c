#include "gen_keystore.h"
#include "gen_hsm.h"
#include "op_err.h"
#include "op_hex.h"
#include "op_log.h"

#include <errno.h>
#include <libp11.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>

/* ---- PKCS#11 URI ---- */

static int pct_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		      size_t *outlen)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)in[i];

		if (c == '%') {
			if (i + 2 >= n || (c = op_hex_octet(in + i + 1)) < 0)
				return -1;
			i += 2;
		}
		if (j + 1 >= cap)
			return -1;
		out[j++] = (uint8_t)c;
	}
	out[j] = '\0';
	*outlen = j;
	return 0;
}

int gen_keystore_uri_parse(const char *uri, struct gen_p11_uri *u)
{
	const char *p;

	memset(u, 0, sizeof(*u));
	if (strncmp(uri, "pkcs11:", 7) != 0)
		return op_err_set(OP_E_PARSE, "not a pkcs11: URI");
	p = uri + 7;
	while (*p) {
		const char *end = p + strcspn(p, ";?&"), *eq = memchr(p, '=', (size_t)(end - p));
		size_t nlen, vlen, outlen;
		const char *v;
		uint8_t buf[512];

		if (!eq)
			return op_err_set(OP_E_PARSE, "PKCS#11 URI attribute "
					  "'%.*s' has no value", (int)(end - p), p);
		nlen = (size_t)(eq - p);
		v = eq + 1;
		vlen = (size_t)(end - v);
		if (pct_decode(v, vlen, buf, sizeof(buf), &outlen) != 0)
			return op_err_set(OP_E_PARSE, "PKCS#11 URI attribute "
					  "'%.*s': bad value", (int)nlen, p);
#define ATTR(name) (nlen == sizeof(name) - 1 && memcmp(p, name, nlen) == 0)
#define COPY(field, flag) do { \
		if (outlen >= sizeof(u->field)) \
			return op_err_set(OP_E_RANGE, "PKCS#11 URI: %.*s too long", \
					  (int)nlen, p); \
		memcpy(u->field, buf, outlen + 1); flag; } while (0)
		if (ATTR("token"))
			COPY(token, u->has_token = 1);
		else if (ATTR("serial"))
			COPY(serial, u->has_serial = 1);
		else if (ATTR("object"))
			COPY(object, u->has_object = 1);
		else if (ATTR("pin-source"))
			COPY(pin_source, (void)0);
		else if (ATTR("pin-value"))
			COPY(pin_value, u->has_pin_value = 1);
		else if (ATTR("id")) {
			if (outlen > sizeof(u->id))
				return op_err_set(OP_E_RANGE, "PKCS#11 URI: id too long");
			memcpy(u->id, buf, outlen);
			u->id_len = outlen;
			u->has_id = 1;
		}
		/* type, module-path, manufacturer, ...: not needed to find a key. */
#undef COPY
#undef ATTR
		p = *end ? end + 1 : end;
	}
	if (!u->has_object && !u->has_id)
		return op_err_set(OP_E_PARSE, "PKCS#11 URI names no key: give "
				  "object= or id=");
	return 0;
}

void gen_keystore_uri_redact(const char *uri, char *out, size_t size)
{
	const char *p = uri;
	size_t n;

	if (size == 0)
		return;
	out[0] = '\0';
	if (strncmp(p, "pkcs11:", 7) == 0) {
		snprintf(out, size, "pkcs11:");
		p += 7;
	}
	/* Each attribute with the separator before it, except a PIN. */
	while (*p) {
		size_t sep = strchr(";?&", *p) != NULL;
		size_t len = sep + strcspn(p + sep, ";?&");

		if (strncmp(p + sep, "pin-value=", 10) != 0) {
			/* No separator right after "pkcs11:". */
			size_t skip = sep && (!out[0] || out[strlen(out) - 1] == ':');

			n = strlen(out);
			snprintf(out + n, size - n, "%.*s", (int)(len - skip),
				 p + skip);
		}
		p += len;
	}
	/* "...?pin-value=x" leaves a "?" behind. */
	n = strlen(out);
	while (n > 0 && strchr(";?&", out[n - 1]))
		out[--n] = '\0';
}

int gen_keystore_pin_read(const char *path, char *pin, size_t size)
{
	struct stat st;
	FILE *f;
	size_t n;

	if (strncmp(path, "file:", 5) == 0)
		path += 5;
	if (!(f = fopen(path, "r")))
		return op_err_set(OP_E_PKCS11, "PIN file %s: %s", path,
				  strerror(errno));
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077 & ~011)) {
		fclose(f);
		return op_err_set(OP_E_PKCS11, "PIN file %s is readable or "
				  "writable by group or others (mode %03o); "
				  "chmod 600 it", path, st.st_mode & 0777);
	}
	if (!fgets(pin, (int)size, f)) {
		fclose(f);
		return op_err_set(OP_E_PKCS11, "PIN file %s is empty", path);
	}
	fclose(f);
	n = strcspn(pin, "\r\n");
	pin[n] = '\0';
	return 0;
}

/* ---- keystore ---- */

/* One libp11 context: the module, its slots, and (inside libp11) a pool of
 * sessions per slot.  Signing threads get a context each, so each signs
 * in a session of its own and no lock is shared between them. */
struct p11_ctx {
	PKCS11_CTX *ctx;
	PKCS11_SLOT *slots;
	unsigned int nslots;
};

struct gen_keystore {
	char *module;
	struct p11_ctx *p11;	/* [0] loads, logs in, checks keys */
	size_t np11;
	struct gen_hsm *hsm;	/* the signing threads' sessions */
	struct gen_hsm_limits lim;
};

int gen_keystore_open(const char *module, struct gen_keystore **out)
{
	struct gen_keystore *ks = calloc(1, sizeof(*ks));

	if (!ks || (module && !(ks->module = strdup(module)))) {
		free(ks);
		return OP_E_NOMEM;
	}
	ks->lim = (struct gen_hsm_limits){ GEN_SIGN_RETRIES, GEN_SIGN_BACKOFF_MS };
	*out = ks;
	return 0;
}

void gen_keystore_close(struct gen_keystore *ks)
{
	if (!ks)
		return;
	/* Our sessions go before libp11 finalizes the module. */
	gen_hsm_close(ks->hsm);
	/* The first unload finalizes the module for all; later ones find it
	 * finalized, which libp11 ignores. */
	for (size_t i = ks->np11; i-- > 0;) {
		struct p11_ctx *c = &ks->p11[i];

		if (c->slots)
			PKCS11_release_all_slots(c->ctx, c->slots, c->nslots);
		PKCS11_CTX_unload(c->ctx);
		PKCS11_CTX_free(c->ctx);
	}
	free(ks->p11);
	free(ks->module);
	free(ks);
}

void gen_keystore_set_limits(struct gen_keystore *ks, int retries,
			     int64_t backoff_ms)
{
	ks->lim.retries = retries;
	ks->lim.backoff_ms = backoff_ms;
}

/* A new libp11 context on ks->module, appended to ks->p11. */
static int p11_add(struct gen_keystore *ks, const char *signer,
		   struct p11_ctx **out)
{
	struct p11_ctx *v, *c;

	if (!ks->module)
		return op_err_set(OP_E_CONFIG, "signer %s: a PKCS#11 key needs "
				  "pkcs11_module in [ocsp_gen]", signer);
	/* Said here, or libp11 prints dlopen's words on stderr itself. */
	if (access(ks->module, R_OK) != 0)
		return op_err_set(OP_E_PKCS11, "signer %s: pkcs11_module %s: %s",
				  signer, ks->module, strerror(errno));
	if (!(v = realloc(ks->p11, (ks->np11 + 1) * sizeof(*v))))
		return OP_E_NOMEM;
	ks->p11 = v;
	c = &v[ks->np11];
	memset(c, 0, sizeof(*c));
	if (!(c->ctx = PKCS11_CTX_new()))
		return OP_E_NOMEM;
	if (PKCS11_CTX_load(c->ctx, ks->module) != 0) {
		PKCS11_CTX_free(c->ctx);
		return op_err_ssl(OP_E_PKCS11, "signer %s: cannot load PKCS#11 "
				  "module %s", signer, ks->module);
	}
	ks->np11++;
	if (PKCS11_enumerate_slots(c->ctx, &c->slots, &c->nslots) != 0)
		return op_err_ssl(OP_E_PKCS11, "signer %s: cannot list slots of "
				  "%s", signer, ks->module);
	*out = c;
	return 0;
}

static PKCS11_SLOT *p11_find_slot(struct p11_ctx *c, const struct gen_p11_uri *u)
{
	for (unsigned int i = 0; i < c->nslots; i++) {
		PKCS11_TOKEN *t = c->slots[i].token;

		if (!t || !t->initialized)
			continue;
		if (u->has_token && strcmp(t->label, u->token) != 0)
			continue;
		if (u->has_serial && strcmp(t->serialnr, u->serial) != 0)
			continue;
		return &c->slots[i];
	}
	return NULL;
}

/* The PIN for the token the URI names (label for messages). */
static int p11_pin(const struct gen_p11_uri *u, const char *signer,
		   const char *label, char *pin, size_t size)
{
	int rc;

	if (u->has_pin_value) {
		snprintf(pin, size, "%s", u->pin_value);
	} else if (u->pin_source[0]) {
		if ((rc = gen_keystore_pin_read(u->pin_source, pin, size)) != 0)
			return op_err_prefix(rc, "signer %s", signer);
	} else {
		return op_err_set(OP_E_PKCS11, "signer %s: token '%s' needs a PIN: "
				  "add pin-source=file:PATH to the URI", signer,
				  label);
	}
	return 0;
}

static int p11_login(PKCS11_SLOT *slot, const struct gen_p11_uri *u,
		     const char *signer)
{
	char pin[256];
	int logged = 0, rc;

	/* Login is per application: later contexts find it done. */
	if (!slot->token->loginRequired)
		return 0;
	if (PKCS11_is_logged_in(slot, 0, &logged) == 0 && logged)
		return 0;
	if ((rc = p11_pin(u, signer, slot->token->label, pin, sizeof(pin))) != 0)
		return rc;
	rc = PKCS11_login(slot, 0, pin);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (rc != 0)
		return op_err_ssl(OP_E_PKCS11, "signer %s: login to token '%s' "
				  "failed (PIN from %s)", signer,
				  slot->token->label, u->has_pin_value ?
				  "the URI" : u->pin_source);
	return 0;
}

/* The key u names, through context c. */
static int p11_key(struct gen_keystore *ks, struct p11_ctx *c,
		   const char *signer, const char *spec,
		   const struct gen_p11_uri *u, PKCS11_SLOT **slotp,
		   EVP_PKEY **key)
{
	PKCS11_SLOT *slot;
	PKCS11_KEY *keys;
	unsigned int nkeys;
	char shown[512];
	int rc;

	if (!(slot = p11_find_slot(c, u)))
		return op_err_set(OP_E_PKCS11, "signer %s: no token '%s' in %s",
				  signer, u->has_token ? u->token : "(any)",
				  ks->module);
	*slotp = slot;
	if ((rc = p11_login(slot, u, signer)) != 0)
		return rc;
	if (PKCS11_enumerate_keys(slot->token, &keys, &nkeys) != 0)
		return op_err_ssl(OP_E_PKCS11, "signer %s: cannot list keys on "
				  "token '%s'", signer, slot->token->label);
	for (unsigned int i = 0; i < nkeys; i++) {
		if (u->has_object && (!keys[i].label ||
				      strcmp(keys[i].label, u->object) != 0))
			continue;
		if (u->has_id && (keys[i].id_len != u->id_len ||
				  memcmp(keys[i].id, u->id, u->id_len) != 0))
			continue;
		if (!(*key = PKCS11_get_private_key(&keys[i])))
			return op_err_ssl(OP_E_PKCS11, "signer %s: cannot use key "
					  "'%s'", signer, u->object);
		return 0;
	}
	gen_keystore_uri_redact(spec, shown, sizeof(shown));
	return op_err_set(OP_E_PKCS11, "signer %s: token '%s' has no private key "
			  "that matches key = %s", signer, slot->token->label,
			  shown);
}

static int load_pkcs11(struct gen_keystore *ks, const char *signer,
		       const char *spec, EVP_PKEY **key)
{
	struct gen_p11_uri u;
	struct p11_ctx *c;
	PKCS11_SLOT *slot;
	int rc;

	if ((rc = gen_keystore_uri_parse(spec, &u)) != 0)
		return op_err_prefix(rc, "signer %s: key", signer);
	if (ks->np11 == 0 && (rc = p11_add(ks, signer, &c)) != 0)
		return rc;
	return p11_key(ks, &ks->p11[0], signer, spec, &u, &slot, key);
}

/* Handles for the signing threads: the key libp11 loaded (keys[0]) is
 * replaced by n handles each signing in a session of its own (gen_hsm),
 * which survive the token's faults. */
static int workers_pkcs11(struct gen_keystore *ks, const char *signer,
			  const char *spec, X509 *cert, int n, EVP_PKEY **keys)
{
	EVP_PKEY *loaded = keys[0];
	struct gen_p11_uri u;
	PKCS11_SLOT *slot;
	char pin[256] = "";
	int rc;

	if ((rc = gen_keystore_uri_parse(spec, &u)) != 0)
		return op_err_prefix(rc, "signer %s: key", signer);
	if (!(slot = p11_find_slot(&ks->p11[0], &u)))
		return op_err_set(OP_E_PKCS11, "signer %s: token gone", signer);
	if (slot->token->loginRequired &&
	    (rc = p11_pin(&u, signer, slot->token->label, pin, sizeof(pin))) != 0)
		return rc;
	if (!ks->hsm)
		rc = gen_hsm_open(ks->module, &ks->lim, &ks->hsm);
	if (!rc)
		rc = gen_hsm_keys(ks->hsm, signer, &u, pin,
				  cert ? X509_get0_pubkey(cert) : loaded, n, keys);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (rc) {
		keys[0] = loaded;	/* the caller frees it */
		return rc;
	}
	EVP_PKEY_free(loaded);
	return 0;
}

static int load_pem(struct gen_keystore *ks, const char *signer,
		    const char *path, EVP_PKEY **key)
{
	(void)ks;
	BIO *b = BIO_new_file(path, "r");

	if (!b)
		return op_err_ssl(OP_E_PARSE, "signer %s: cannot open key %s",
				  signer, path);
	*key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!*key)
		return op_err_ssl(OP_E_PARSE, "signer %s: %s is not an "
				  "unencrypted PEM private key", signer, path);
	return 0;
}

/* Further handles on a PEM key: the same key (signing contexts are per
 * thread, the key is only read). */
static int workers_pem(struct gen_keystore *ks, const char *signer,
		       const char *spec, X509 *cert, int n, EVP_PKEY **keys)
{
	(void)ks;
	(void)signer;
	(void)spec;
	(void)cert;
	for (int i = 1; i < n; i++) {
		if (!EVP_PKEY_up_ref(keys[0]))
			return OP_E_CRYPTO;
		keys[i] = keys[0];
	}
	return 0;
}

/* The key backends; the first whose prefix matches the spec is used.
 * load gives the first handle on a key; workers, given it in keys[0],
 * makes keys[0..n-1], one per signing thread (and may replace keys[0]). */
static const struct key_backend {
	const char *prefix;
	int (*load)(struct gen_keystore *ks, const char *label,
		    const char *spec, EVP_PKEY **key);
	int (*workers)(struct gen_keystore *ks, const char *label,
		       const char *spec, X509 *cert, int n, EVP_PKEY **keys);
} backends[] = {
	{ "pkcs11:", load_pkcs11, workers_pkcs11 },
	{ "", load_pem, workers_pem },	/* anything else is a PEM file name */
};

static const struct key_backend *backend(const char *spec)
{
	size_t i = 0;

	while (strncmp(spec, backends[i].prefix, strlen(backends[i].prefix)) != 0)
		i++;		/* the last prefix, "", always matches */
	return &backends[i];
}

int gen_keystore_load(struct gen_keystore *ks, const char *label,
		      const char *spec, X509 *cert, EVP_PKEY **key)
{
	int rc;

	*key = NULL;
	ERR_clear_error();
	if ((rc = backend(spec)->load(ks, label, spec, key)) != 0)
		return rc;
	/* Said while the key (and the PIN) are held, so tests can see it. */
	op_debug("signer %s: key loaded; process %s", label,
		 prctl(PR_GET_DUMPABLE) == 0 ? "not dumpable" : "DUMPABLE");
	if (!cert)
		return 0;
	if (X509_check_private_key(cert, *key) != 1) {
		EVP_PKEY_free(*key);
		*key = NULL;
		return op_err_ssl(OP_E_SIGNER, "signer %s: key does not match its "
				  "certificate", label);
	}
	return 0;
}

int gen_keystore_load_workers(struct gen_keystore *ks, const char *label,
			      const char *spec, X509 *cert, int n, EVP_PKEY **keys)
{
	int rc;

	memset(keys, 0, (size_t)n * sizeof(*keys));
	if ((rc = gen_keystore_load(ks, label, spec, cert, &keys[0])) == 0)
		rc = backend(spec)->workers(ks, label, spec, cert, n, keys);
	if (rc) {
		for (int i = 0; i < n; i++) {
			EVP_PKEY_free(keys[i]);
			keys[i] = NULL;
		}
	}
	return rc;
}
