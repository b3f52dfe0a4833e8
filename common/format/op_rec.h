/*
 * op_rec: the value stored under a response key, and the meta records.
 *
 * Fixed 56-octet header, big-endian integers, then the response's body
 * (docs/db-format.txt).  The server reads thisUpdate, nextUpdate and the
 * ETag from the header without touching ASN.1; the generator reads status,
 * revocation and signer to decide whether to re-sign.
 *
 * The body is the content of the BasicOCSPResponse SEQUENCE: tbsResponseData,
 * signatureAlgorithm, signature and, unless it is stored once per signer
 * (OP_REC_F_CERTS), the certs field.  The fixed wrapping (OCSPResponse,
 * responseBytes, the OCTET STRING) is not stored: op_rec_emit() rebuilds
 * it, recomputing the lengths, and splices the signer's certs field in, so
 * the served octets are exactly the DER OpenSSL produced when signing.
 */
#ifndef OP_REC_H
#define OP_REC_H

#include <stddef.h>
#include <stdint.h>

#define OP_REC_VERSION 2
#define OP_REC_HDR 56
#define OP_REC_ETAG 16
#define OP_REC_SIGNER_ID 8

/* Value of the "\0format" meta record.  Readers also take format 2 (its
 * SHA-2 responses carry NULL parameters under the key of the other form,
 * docs/db-format.txt) and refuse anything else; ocsp-gen upgrades a
 * working copy of format 2 (gen_format). */
#define OP_DB_FORMAT "ocsp-presign-db 3"
#define OP_DB_FORMAT_2 "ocsp-presign-db 2"

enum op_status { OP_STATUS_GOOD = 0, OP_STATUS_REVOKED = 1 };

#define OP_REASON_NONE 0xff	/* revoked without a reasonCode */
#define OP_REC_F_REVTIME_SEEN 0x01	/* revocation time = first publication */
#define OP_REC_F_CERTS 0x02	/* certs field = the signer's "\0certs" record */

struct op_rec {
	uint8_t status;		/* enum op_status */
	uint8_t reason;		/* CRLReason 0..10 or OP_REASON_NONE */
	uint8_t flags;		/* OP_REC_F_* */
	int64_t this_update;
	int64_t next_update;
	int64_t rev_time;	/* 0 when good */
	uint8_t signer_id[OP_REC_SIGNER_ID];	/* SHA-256 of signer cert, cut */
	uint8_t etag[OP_REC_ETAG];	/* SHA-256 of the served DER, cut */
	const uint8_t *body;	/* BasicOCSPResponse content (see above) */
	size_t body_len;
	const uint8_t *certs;	/* certs field spliced after body, or NULL */
	size_t certs_len;
};

/*
 * Point rec->body and rec->certs into der, a complete OCSPResponse
 * (successful, id-pkix-ocsp-basic), and set rec->etag over der.  body
 * excludes the certs field; certs is the whole field ([0] tag included) or
 * NULL when the response carries none.  OP_E_FORMAT for anything else.
 */
int op_rec_from_der(const uint8_t *der, size_t len, struct op_rec *rec);

/* Octets op_rec_encode() writes: the header, the body, and the certs
 * field unless OP_REC_F_CERTS says it is stored once elsewhere. */
size_t op_rec_size(const struct op_rec *rec);

/* Write rec's header and stored octets into buf of op_rec_size(rec). */
void op_rec_encode(const struct op_rec *rec, uint8_t *buf);

/*
 * Read a stored value.  rec->body points into val (for the server: into
 * the map, valid while the read transaction lives); rec->certs is NULL,
 * to be set by the caller from the signer's record when OP_REC_F_CERTS is
 * set (op_db_rec_certs).  OP_E_FORMAT for a value that is short, of
 * another version, or whose lengths disagree.
 */
int op_rec_decode(const void *val, size_t len, struct op_rec *rec);

/* Length of the OCSPResponse DER that op_rec_emit() writes. */
size_t op_rec_served_len(const struct op_rec *rec);

/* Write the served OCSPResponse DER (op_rec_served_len octets) to out.
 * No allocation: this is the server's hot path.  Returns the length. */
size_t op_rec_emit(const struct op_rec *rec, uint8_t *out);

/*
 * The fixed wrapping around basic octets of BasicOCSPResponse content:
 * OCSPResponse { successful, [0] { id-pkix-ocsp-basic, OCTET STRING {
 * SEQUENCE header } } }.  op_rec_wrap_len() is its length; op_rec_wrap()
 * writes it at out and returns where the content goes.  Shared by
 * op_rec_emit() and the generator's encoder, so both write one form.
 */
size_t op_rec_wrap_len(size_t basic);
uint8_t *op_rec_wrap(uint8_t *out, size_t basic);

/* Big-endian helpers for meta records. */
void op_rec_put_i64(uint8_t *p, int64_t v);
int64_t op_rec_get_i64(const uint8_t *p);

/* CRLReason name ("keyCompromise") <-> code; -1 if unknown. */
int op_rec_reason_from_name(const char *name);
const char *op_rec_reason_name(int code);

#endif
