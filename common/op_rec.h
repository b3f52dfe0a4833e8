/*
 * op_rec: the value stored under a response key, and the meta records.
 *
 * Fixed 56-octet header, big-endian integers, then the OCSPResponse DER
 * (docs/db-format.txt).  The server reads thisUpdate, nextUpdate and the
 * ETag from the header without touching ASN.1; the generator reads status,
 * revocation and signer to decide whether to re-sign.
 */
#ifndef OP_REC_H
#define OP_REC_H

#include <stddef.h>
#include <stdint.h>

#define OP_REC_VERSION 1
#define OP_REC_HDR 56
#define OP_REC_ETAG 16
#define OP_REC_SIGNER_ID 8

/* Value of the "\0format" meta record; the server refuses anything else. */
#define OP_DB_FORMAT "ocsp-presign-db 1"

enum op_status { OP_STATUS_GOOD = 0, OP_STATUS_REVOKED = 1 };

#define OP_REASON_NONE 0xff	/* revoked without a reasonCode */
#define OP_REC_F_REVTIME_SEEN 0x01	/* revocation time = first publication */

struct op_rec {
	uint8_t status;		/* enum op_status */
	uint8_t reason;		/* CRLReason 0..10 or OP_REASON_NONE */
	uint8_t flags;		/* OP_REC_F_* */
	int64_t this_update;
	int64_t next_update;
	int64_t rev_time;	/* 0 when good */
	uint8_t signer_id[OP_REC_SIGNER_ID];	/* SHA-256 of signer cert, cut */
	uint8_t etag[OP_REC_ETAG];		/* SHA-256 of der, cut */
	const uint8_t *der;	/* OCSPResponse */
	size_t der_len;
};

/* Octets op_rec_encode() writes for a response of der_len octets. */
static inline size_t op_rec_size(size_t der_len)
{
	return OP_REC_HDR + der_len;
}

/*
 * Write rec (header and der) into buf of op_rec_size(rec->der_len) octets,
 * computing rec->etag from rec->der first.
 */
void op_rec_encode(struct op_rec *rec, uint8_t *buf);

/*
 * Read a stored value.  rec->der points into val (for the server: into the
 * map, valid while the read transaction lives).  OP_E_FORMAT for a value
 * that is short, of another version, or whose lengths disagree.
 */
int op_rec_decode(const void *val, size_t len, struct op_rec *rec);

/* Big-endian helpers for meta records. */
void op_put_i64(uint8_t *p, int64_t v);
int64_t op_get_i64(const uint8_t *p);

/* CRLReason name ("keyCompromise") <-> code; -1 if unknown. */
int op_reason_from_name(const char *name);
const char *op_reason_name(int code);

#endif
