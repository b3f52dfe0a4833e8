/*
 * gen_resp: OCSP responses, encoded once per constant part and signed per
 * serial.
 *
 * The responses of one authority under one signer differ only in the
 * CertID's hash and serial, the status, the times and the extensions.
 * gen_resp_signer_new() encodes everything else once (responderID,
 * signatureAlgorithm, the certs field, each CertID hash's issuer part, each
 * CRL reference), taking the signature algorithm
 * from a response that OpenSSL's OCSP API signs with the same key.
 * gen_resp_make() writes only the changing fields around those octets,
 * digests tbsResponseData with an algorithm fetched once and signs the
 * digest with a signing context kept per worker thread.  The output is
 * byte for byte what OCSP_basic_sign_ctx() makes for the same inputs
 * (gen_resp_sign_ref(), compared in tests/unit/check_resp.c).
 */
#ifndef GEN_RESP_H
#define GEN_RESP_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "gen_ext.h"

/* The per-serial inputs of one response. */
struct gen_resp_in {
	int hash;		/* CertID hash and form: a tag (op_key.h) */
	const uint8_t *serial;	/* INTEGER content octets (op_serial_*) */
	size_t serial_len;
	int status;		/* OP_STATUS_* */
	int reason;		/* CRLReason or OP_REASON_NONE */
	int64_t rev_time;	/* revoked only */
	int64_t produced_at, this_update, next_update;
	int crl;		/* the CRL to cite: 1 or 2 (the profile's
				   crlid[crl - 1]), 0 none */
};

enum { GEN_RESP_CUTOFF_NONE = 0, GEN_RESP_CUTOFF_AT, GEN_RESP_CUTOFF_RETAIN };

/* The signer's profile. */
struct gen_resp_profile {
	int include_cert;	/* put the signer's certificate into certs */
	int by_name;		/* responderID byName, else byKey */
	/* singleExtensions (gen_ext): a CRL reference where the response's
	 * crl names one that is set here (NULL: none), then the archive
	 * cutoff. */
	const struct gen_ext_crlid *crlid[2];	/* read by signer_new only */
	int cutoff;		/* GEN_RESP_CUTOFF_* */
	int64_t cutoff_at;	/* AT: the archive cutoff */
	int64_t retain;		/* RETAIN: the cutoff is producedAt - retain */
};

struct gen_resp_signer;

/*
 * Prepare responses for ca signed by cert with keys[0..nworkers-1] (one
 * handle per worker thread, which may all be the same key; the caller keeps
 * them alive until gen_resp_signer_free).  A certificate whose key cannot
 * sign by the rules (gen_resp_sig_md) is refused before the key is used.
 * Signs one response through OpenSSL to learn the signature algorithm's
 * encoding, so it also proves the key works.  Caller frees *out with
 * gen_resp_signer_free().
 */
int gen_resp_signer_new(X509 *ca, X509 *cert, EVP_PKEY *const *keys,
			int nworkers, const struct gen_resp_profile *prof,
			struct gen_resp_signer **out);
void gen_resp_signer_free(struct gen_resp_signer *s);

/*
 * Build and sign one OCSPResponse on worker thread `worker` (0..nworkers-1;
 * one thread per worker index at a time, any number of workers at once).
 * *der is the caller's (OPENSSL_free).
 */
int gen_resp_make(struct gen_resp_signer *s, int worker,
		  const struct gen_resp_in *in, unsigned char **der,
		  size_t *der_len);

/*
 * The same response through OpenSSL's OCSP API (OCSP_basic_sign_ctx,
 * OCSP_crlID_new: a crlNum that fits a long).  OpenSSL sets producedAt to
 * the current time, not in->produced_at (which an archive cutoff of
 * GEN_RESP_CUTOFF_RETAIN is computed from all the same).
 * *der is the caller's (OPENSSL_free).
 */
int gen_resp_sign_ref(X509 *ca, X509 *cert, EVP_PKEY *key,
		      const struct gen_resp_profile *prof,
		      const struct gen_resp_in *in, unsigned char **der,
		      int *der_len);

/*
 * The digest that signs responses with the key pub (a signer certificate's
 * public key): RSA of 2048 bits or more, PKCS#1 v1.5 with SHA-256;
 * P-256, P-384, P-521 with SHA-256, SHA-384, SHA-512 (BR 7.1.3.2).  0 with
 * *md its OpenSSL name, or OP_E_SIGNER with why saying what cannot be
 * signed correctly (Ed25519, RSA-PSS-only keys, other curves...).
 */
int gen_resp_sig_md(EVP_PKEY *pub, const char **md, char *why, size_t whysize);

/* CertID for serial under ca with tag (op_key.h: SHA-2 parameters absent,
 * or NULL in the NULL form); caller frees (OCSP_CERTID_free). */
OCSP_CERTID *gen_resp_certid(X509 *ca, int tag, const uint8_t *serial,
			     size_t serial_len);

#endif
