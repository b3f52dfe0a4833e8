/*
 * gen_ext: the singleExtensions ocsp-gen puts in a response, encoded.
 *
 * id-pkix-ocsp-crl (RFC 6960 4.4.2): the CRL the status came from, as
 * CrlID { crlUrl [0] IA5String, crlNum [1] INTEGER, crlTime [2]
 * GeneralizedTime }, each field when known.  id-pkix-ocsp-archive-cutoff
 * (RFC 6960 4.4.4): a GeneralizedTime.  Neither is critical (the DEFAULT
 * FALSE is left out, as DER wants).  gen_resp encodes a CRL reference
 * once per CRL and an archive cutoff per response (it may move with
 * producedAt), and puts them in this order.
 */
#ifndef GEN_EXT_H
#define GEN_EXT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ocsp.h>

#include "op_der.h"

/* Extension { OID (11), OCTET STRING { GeneralizedTime } } */
#define GEN_EXT_CUTOFF_LEN (2 + 11 + 2 + OP_DER_TIME_LEN)

/* A CRL as a response cites it. */
struct gen_ext_crlid {
	const char *url;	/* crlUrl; NULL: left out */
	int has_num;		/* crlNum present */
	const uint8_t *num;	/* CRL number, unsigned big-endian, no leading
				 * zero octets (0 has length 0) */
	size_t num_len;		/* at most 20 (RFC 5280) */
	int64_t time;		/* crlTime: the CRL's thisUpdate */
};

/* The whole Extension for c in a fresh buffer (caller frees with free()).
 * OP_E_RANGE for a URL that is not printable ASCII or too long. */
int gen_ext_crlid(const struct gen_ext_crlid *c, uint8_t **der, size_t *len);

/* The archive cutoff Extension for t at *pp (GEN_EXT_CUTOFF_LEN octets),
 * advanced; OP_E_RANGE as op_der_put_time. */
int gen_ext_cutoff(uint8_t **pp, int64_t t);

/*
 * The same Extensions added to single through OpenSSL's own API
 * (OCSP_crlID_new, for a crlNum that fits a long; the archive cutoff when
 * cutoff is set, at cutoff_at): the reference gen_resp_sign_ref() signs
 * and the tests compare with.  0, or -1 with OpenSSL's error queue.
 */
int gen_ext_add_ref(OCSP_SINGLERESP *single, const struct gen_ext_crlid *c,
		    int cutoff, int64_t cutoff_at);

#endif
