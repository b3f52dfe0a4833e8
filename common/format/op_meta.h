/*
 * op_meta: the meta records of a responses file, in one table, and the one
 * builder of their keys.
 *
 * A meta record's key is "\0" + name (tag 0 is never a response's, op_key.h)
 * and, for most, a suffix: an issuer key prefix, a signer id.  Every writer
 * and reader (ocsp-gen, ocsp-serve, ocsp-db, the tests) makes the key
 * through op_meta_key(), and the table says which records belong to an
 * issuer, so that the generator's removal of an authority that left the
 * configuration finds them all.  docs/db-format.txt lists the same
 * records in the same order (tests/unit/check_db.c compares the two).
 */
#ifndef OP_META_H
#define OP_META_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "op_key.h"

enum op_meta_kind {
	OP_META_K_FORMAT,	/* "ocsp-presign-db 3" */
	OP_META_K_GENERATED,	/* time of the run that last changed the file */
	OP_META_K_GENERATION,	/* counter, +1 per run that changed it */
	OP_META_K_ISSUER,	/* + issuer prefix -> "name\tsubject" */
	OP_META_K_SUMMARY,	/* + issuer prefix -> op_sum */
	OP_META_K_CERTS,	/* + signer id -> certs field */
	OP_META_K_CRL,		/* + SHA-256 issuer prefix -> CRL numbers seen */
	OP_META_K_RETAIN,	/* + SHA-256 issuer prefix + serial -> when it left */
	OP_META_K_SWEEP,	/* + issuer prefix -> even refresh state */
	OP_META_NKINDS
};

/* What follows the name in a key. */
#define OP_META_F_ISSUER 0x1	/* an issuer prefix: the record is that
				   issuer's, and goes when it leaves */
#define OP_META_F_SHA256 0x2	/* ... always its SHA-256 prefix (tag 2),
				   whatever cert_ids says */
#define OP_META_F_SERIAL 0x4	/* ... then a serial (1..OP_SERIAL_MAX) */
#define OP_META_F_SIGNER 0x8	/* a signer id (OP_REC_SIGNER_ID octets) */

struct op_meta_def {
	const char *key;	/* "\0name", the start of every key */
	size_t len;		/* octets of key, the 0 included */
	unsigned flags;		/* OP_META_F_*; 0: the key is key alone */
};

/* Indexed by enum op_meta_kind; static, never freed. */
extern const struct op_meta_def op_meta_table[OP_META_NKINDS];

/* Longest name plus the longest suffix (issuer prefix and serial). */
#define OP_META_NAME_MAX 11
#define OP_META_KEY_MAX (OP_META_NAME_MAX + OP_KEY_MAX)

/*
 * Write kind's name then suffix (slen octets; NULL and 0 for the records
 * without one, or to get the name alone: the start of a cursor walk over
 * that kind) into buf.  Returns the key's length, or 0 when it does not
 * fit in cap or kind is out of range.
 */
size_t op_meta_key(uint8_t *buf, size_t cap, enum op_meta_kind kind,
		   const uint8_t *suffix, size_t slen);

/*
 * The key of a record kept under the CA's SHA-256 issuer prefix
 * (OP_META_F_SHA256: the CRL numbers, the start of its retention records).
 * buf has room for OP_META_KEY_MAX.  OP_E_CRYPTO if hashing fails.
 */
int op_meta_ca_key(uint8_t *buf, enum op_meta_kind kind, X509 *ca,
		   size_t *len);

/*
 * The kind of a meta key (its name followed by a suffix when the kind has
 * one, and by nothing otherwise), or -1 for a response key or a name not in
 * the table.
 */
int op_meta_kind(const uint8_t *key, size_t klen);

/*
 * For a key of a per-issuer kind (OP_META_F_ISSUER): the issuer prefix it
 * holds (pointing into key) and its length in *plen, the kind in *kind.
 * NULL for other keys, and for a per-issuer key whose suffix is not an
 * issuer prefix (with a serial, for OP_META_F_SERIAL).
 */
const uint8_t *op_meta_issuer(const uint8_t *key, size_t klen, int *kind,
			      size_t *plen);

#endif
