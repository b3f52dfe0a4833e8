/*
 * db_verify: check a stored response end to end, as a client would and
 * more: what ocsp-db verify runs over every record of a file.
 *
 * One response passes when its octets are a DER OCSPResponse (successful,
 * basic) with exactly one SingleResponse whose CertID builds the record's
 * key; its status, reason and times equal the record header; the header's
 * ETag and signer id match; the signature verifies with the responder's
 * certificate; a delegated responder is issued by the issuer and allowed
 * to sign OCSP (when the issuer's certificate is known); and, unless
 * expired responses are allowed, thisUpdate <= now < nextUpdate.
 *
 * What is learnt about a signer (which certificate, whether the issuer
 * authorised it) is cached for a bounded number of signers, so a file of
 * millions of responses costs one parse and one signature check each.
 */
#ifndef DB_VERIFY_H
#define DB_VERIFY_H

#include "op_rec.h"

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

struct db_verifier;

/*
 * certs: issuer and responder certificates that responses do not carry
 * (may be NULL); the verifier takes its own references.  now: the time
 * the validity window is checked against; allow_expired skips that check.
 * Caller frees *out with db_verify_free.
 */
int db_verify_new(STACK_OF(X509) *certs, int64_t now, int allow_expired,
		    struct db_verifier **out);
void db_verify_free(struct db_verifier *v);

/* The format of the file checked (op_db.format; 3 unless said): format 2
 * stored SHA-2 CertIDs with NULL parameters under the other form's key. */
void db_verify_set_format(struct db_verifier *v, int format);

/*
 * Check one response stored under key with header rec; der/len are the
 * octets a client receives.  0 when it passes; otherwise OP_E_FORMAT
 * (structure, key or header mismatch), OP_E_SIGNER (signature or
 * responder), OP_E_RANGE (outside its validity window) or OP_E_NOMEM, with
 * a one-line detail saying what is wrong.
 */
int db_verify_response(struct db_verifier *v, const uint8_t *key, size_t klen,
		       const struct op_rec *rec, const uint8_t *der, size_t len);

/* Signers seen so far that could not be checked against their issuer's
 * certificate (none given and none in the responses): their responses
 * were checked by signature only. */
size_t db_verify_unanchored(const struct db_verifier *v);

#endif
