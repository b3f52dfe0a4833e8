/*
 * gen_resp: build and sign one OCSP response with OpenSSL's OCSP API.
 */
#ifndef GEN_RESP_H
#define GEN_RESP_H

#include <stdint.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "gen_input.h"

struct gen_resp_signer {
	X509 *cert;		/* the responder's certificate */
	EVP_PKEY *key;
	int include_cert;	/* put cert into the response's certs */
	int by_name;		/* responderID byName, else byKey */
};

/* CertID for serial under ca with hash tag; caller frees (OCSP_CERTID_free). */
OCSP_CERTID *gen_resp_certid(X509 *ca, int hash, const uint8_t *serial,
			     size_t serial_len);

/*
 * Sign a response for cid.  status/reason/rev_time as in struct op_rec.
 * On success *der is the OCSPResponse (caller frees with OPENSSL_free).
 * Safe to call from several threads with the same signer.
 */
int gen_resp_sign(const struct gen_resp_signer *s, OCSP_CERTID *cid,
		  int status, int reason, int64_t rev_time, int64_t this_update,
		  int64_t next_update, unsigned char **der, int *der_len);

#endif
