/*
 * gen_keystore: private keys behind one small interface.
 *
 * A key is named by a spec: a PKCS#11 URI (RFC 7512, "pkcs11:...") is
 * loaded through libp11 from the module given to gen_keystore_open(); any
 * other spec is the path of an unencrypted PEM private key.  The backends
 * sit in one table in gen_keystore.c, the first whose prefix matches the
 * spec is used.  A PIN is read from a file (or the URI's pin-value) and
 * never logged.  Only the generator touches keys.
 */
#ifndef GEN_KEYSTORE_H
#define GEN_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "gen_p11uri.h"

/* Parse "pkcs11:token=...;object=...;pin-source=file:..."; OP_E_PARSE or
 * OP_E_RANGE with a detail if malformed or naming no key. */
int gen_keystore_uri_parse(const char *uri, struct gen_p11_uri *out);

/*
 * Copy uri to out without its pin-value attribute, for messages: a URI may
 * be printed, a PIN never.  Truncates to size (always terminated).
 */
void gen_keystore_uri_redact(const char *uri, char *out, size_t size);

/*
 * Read a PIN from a file ("file:" prefix optional): the first line, without
 * its newline.  The file must not be readable by group or others.
 */
int gen_keystore_pin_read(const char *path, char *pin, size_t size);

struct gen_keystore;

/* module may be NULL if no PKCS#11 key is used (then it is an error to
 * load one).  Nothing is loaded until a PKCS#11 key is asked for.  Caller
 * closes with gen_keystore_close(), after freeing the keys it loaded. */
int gen_keystore_open(const char *module, struct gen_keystore **ks);
void gen_keystore_close(struct gen_keystore *ks);

/* Defaults of sign_retries and sign_retry_backoff ([ocsp_gen]). */
#define GEN_SIGN_RETRIES 6
#define GEN_SIGN_BACKOFF_MS 250

/*
 * How the signing handles of gen_keystore_load_workers() loaded after this
 * call bear a token's faults: retries further attempts per signature, the
 * first after backoff_ms, each next after twice the wait before.
 */
void gen_keystore_set_limits(struct gen_keystore *ks, int retries,
			     int64_t backoff_ms);

/*
 * Load the private key named by spec.  If cert is not NULL, the key must
 * match it (OP_E_SIGNER otherwise); with cert NULL the key is loaded alone
 * (e.g. to sign a certificate request).  label names the key in error
 * details ("signer LABEL: ...").  *key is the caller's (EVP_PKEY_free), but
 * a PKCS#11 key needs ks open to sign.
 */
int gen_keystore_load(struct gen_keystore *ks, const char *label,
		      const char *spec, X509 *cert, EVP_PKEY **key);

/*
 * n handles on one key, one per signing thread.  For a PKCS#11 key each
 * signs in a PKCS#11 session of its own that survives the token's faults
 * (gen_hsm.h: retried with backoff, reopened and logged in again, within
 * the limits of gen_keystore_set_limits()); for a PEM key they are the
 * key gen_keystore_load() gives, again.  OP_E_PKCS11 saying so when the token
 * allows fewer sessions than n.  On error none is handed out.  The caller
 * frees each (EVP_PKEY_free), then closes ks.
 */
int gen_keystore_load_workers(struct gen_keystore *ks, const char *label,
			      const char *spec, X509 *cert, int n, EVP_PKEY **keys);

#endif
