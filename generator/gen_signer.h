/*
 * gen_signer: checking and choosing an authority's OCSP signer.
 *
 * Certificates are checked without touching keys (gen_signer_check,
 * gen_signer_choose); only the chosen signer's key is then loaded, through
 * gen_keystore (included here for the callers that do both).
 */
#ifndef GEN_SIGNER_H
#define GEN_SIGNER_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "gen_keystore.h"
#include "op_rec.h"

#define GEN_SIGNER_W_NOCHECK 0x01	/* delegate without id-pkix-ocsp-nocheck */
#define GEN_SIGNER_W_EXPIRING 0x02	/* expires within 2 x validity */

/*
 * Is signer usable for responses made at now and valid for `validity`
 * seconds on behalf of ca?  Its key must sign by the rules
 * (gen_resp_sig_md: RSA, or ECDSA on P-256, P-384, P-521).  0 if so, with *warn holding GEN_SIGNER_W_*
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

#endif
