/*
 * gen_signer: choosing and loading an authority's OCSP signer.
 *
 * Certificates are checked without touching keys (gen_signer_check,
 * gen_signer_choose); only the chosen signer's key is then loaded, through
 * a keystore that holds a PEM-file backend and a PKCS#11 backend (libp11).
 * The PIN is read from a file or the URI and never logged.
 */
#ifndef GEN_SIGNER_H
#define GEN_SIGNER_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "op_rec.h"

#define GEN_SIGNER_W_NOCHECK 0x01	/* delegate without id-pkix-ocsp-nocheck */
#define GEN_SIGNER_W_EXPIRING 0x02	/* expires within 2 x validity */

/*
 * Is signer usable for responses made at now and valid for `validity`
 * seconds on behalf of ca?  0 if so, with *warn holding GEN_SIGNER_W_*
 * flags; OP_E_SIGNER otherwise, with the reason written to why.
 */
int gen_signer_check(X509 *signer, X509 *ca, int64_t now, int64_t validity,
		     int *warn, char *why, size_t whysize);

/*
 * Pick the most recent usable signer (latest notBefore) of n.  Sets
 * *chosen and returns 0, or returns OP_E_SIGNER with a detail listing why
 * each was refused; names[i] labels certs[i] in that message.
 */
int gen_signer_choose(X509 *const *certs, const char *const *names, size_t n,
		      X509 *ca, int64_t now, int64_t validity, size_t *chosen,
		      int *warn);

/* First OP_REC_SIGNER_ID octets of SHA-256 over the certificate's DER. */
int gen_signer_id(X509 *cert, uint8_t id[OP_REC_SIGNER_ID]);

/* op_cert_load(); callers move to it as gen_run.c is split. */
int gen_cert_load(const char *path, X509 **out);

/* Parsed RFC 7512 PKCS#11 URI (the attributes we use). */
struct gen_p11_uri {
	char token[64];
	char serial[32];
	char object[128];
	uint8_t id[64];
	size_t id_len;
	char pin_source[512];	/* "file:/path" or a path */
	char pin_value[128];
	int has_token, has_serial, has_object, has_id, has_pin_value;
};

/* Parse "pkcs11:token=...;object=...;pin-source=file:..." */
int gen_p11_uri_parse(const char *uri, struct gen_p11_uri *out);

/*
 * Read a PIN from a file: the first line, without its newline.  The file
 * must not be readable by group or others.
 */
int gen_pin_read(const char *path, char *pin, size_t size);

struct gen_keystore;

/* module may be NULL if no PKCS#11 key is used (then it is an error to
 * load one).  Caller closes with gen_keystore_close(). */
int gen_keystore_open(const char *module, struct gen_keystore **ks);
void gen_keystore_close(struct gen_keystore *ks);

/*
 * Load the private key named by spec (PKCS#11 URI or PEM file) and check it
 * matches cert.  *key is the caller's (EVP_PKEY_free) but a PKCS#11 key
 * needs ks alive to sign.  Errors name the signer.
 */
int gen_key_load(struct gen_keystore *ks, const char *signer, const char *spec,
		 X509 *cert, EVP_PKEY **key);

#endif
