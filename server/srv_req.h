/*
 * srv_req: from request bytes to the LMDB key, without allocating.
 *
 * A small DER walker over OCSPRequest (RFC 6960 4.1.1) instead of
 * d2i_OCSP_REQUEST: the server only needs the one CertID, and the walker
 * does no allocation per request.  It checks the structure it walks, and
 * skips requestorName, extensions and optionalSignature (nonces are
 * ignored: pre-signed responses cannot echo them).
 */
#ifndef SRV_REQ_H
#define SRV_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "op_key.h"

enum srv_req_result {
	SRV_REQ_OK = 0,
	SRV_REQ_MALFORMED = 1,	/* not DER OCSPRequest, or != 1 Request */
	SRV_REQ_UNKNOWN_HASH = 2,	/* well-formed, hash we never sign */
};

/* Parse der and build the key of its single CertID. */
int srv_req_parse(const uint8_t *der, size_t len, uint8_t key[OP_KEY_MAX],
		  size_t *keylen);

/*
 * Decode a GET request's path: everything after prefix + "/" is the
 * percent-encoded base64 (standard or URL alphabet, padding optional) of
 * the DER request.  '+' stays '+', and "//" is not collapsed, since both
 * are base64.  Returns 0 and the DER in out (cap octets), -1 if the path
 * is not under prefix, -2 if it does not decode.
 */
int srv_req_get_decode(const char *path, size_t pathlen, const char *prefix,
		       uint8_t *out, size_t cap, size_t *outlen);

/* Base64 (both alphabets, optional padding, no whitespace).  0 or -1. */
int srv_req_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
		       size_t *outlen);

#endif
