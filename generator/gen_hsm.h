/*
 * gen_hsm: signing sessions on a PKCS#11 token that outlive its faults.
 *
 * A network HSM drops sessions, times out and fails over.  libp11 (0.4.12)
 * keeps a failed session in its pool, remembers a login the token has
 * forgotten, and waits forever when C_OpenSession fails, so the signing
 * threads do not sign through it.  gen_hsm_keys() gives each thread an
 * EVP_PKEY of its own whose private operation (an RSA or EC key method,
 * the way libp11 plugs into OpenSSL) runs C_SignInit + C_Sign in a
 * PKCS#11 session that this module opens, logs in and finds the key in,
 * on the module libp11 has already loaded and initialised.  Thread i has
 * session i on each token, shared by every signer's key on that token
 * (authorities are signed one after the other), so a run opens as many
 * sessions per token as it has workers.
 *
 * A failed signature is retried up to limits.retries times, waiting
 * limits.backoff_ms before the first retry and twice as long before each
 * next one (at most 60 s); a lost session (closed, invalid, logged out,
 * device removed, key handle gone) is closed and a new one opened, logged
 * in and the key found again, as is a session that failed twice in a row.
 * Errors that no retry mends (a wrong PIN, a refused mechanism) are not
 * retried.  Once one signature has failed for good, every later one on
 * that key fails at once (sticky), so a run stops without waiting out the
 * retries of every queued response.
 */
#ifndef GEN_HSM_H
#define GEN_HSM_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "gen_p11uri.h"

struct gen_hsm_limits {
	int retries;		/* further attempts after a failed signature */
	int64_t backoff_ms;	/* first wait; doubled per retry */
};

/* What a key's sessions went through. */
struct gen_hsm_stats {
	unsigned long retries;		/* signatures attempted again */
	unsigned long reopened;		/* sessions opened anew after a fault */
};

struct gen_hsm;

/*
 * The PKCS#11 module at path, already loaded and initialised by libp11
 * (it is never finalised here).  Caller frees with gen_hsm_close(), after
 * freeing every key it handed out and before libp11 unloads the module.
 */
int gen_hsm_open(const char *path, const struct gen_hsm_limits *lim,
		 struct gen_hsm **out);
void gen_hsm_close(struct gen_hsm *h);

/*
 * n handles on the private key that u names, handle i signing in session
 * i of its token (for n signing threads, one handle per thread), logged
 * in with pin (the first signer's on a token is kept for logging in again).
 * pub is the key's public half (the signer's certificate's key): RSA or
 * EC.  signer names the key in messages.  OP_E_PKCS11 with advice when
 * the token allows fewer sessions than n.  On error none is handed out;
 * else each keys[i] is the caller's (EVP_PKEY_free), usable until
 * gen_hsm_close().
 */
int gen_hsm_keys(struct gen_hsm *h, const char *signer,
		 const struct gen_p11_uri *u, const char *pin, EVP_PKEY *pub,
		 int n, EVP_PKEY **keys);

/*
 * For a key from gen_hsm_keys(): its counters (summed over every handle of
 * its signer) into *st, and 1; 0 for any other key.  If the key has failed
 * for good and why is not NULL, why gets the message (naming signer,
 * token, call and PKCS#11 error), else "".
 */
int gen_hsm_key_stats(EVP_PKEY *key, struct gen_hsm_stats *st, char *why,
		      size_t whysize);

#endif
