/*
 * op_hash: the CertID hash algorithms a key can carry, and their tags.
 *
 * A tag is the first octet of every response key (op_key.h): the hash
 * (OP_HASH_*) and, for the SHA-2 hashes, OP_TAG_NULL when the request's
 * AlgorithmIdentifier carried NULL parameters.  Everything that names,
 * sizes or encodes a hash goes through this table.
 */
#ifndef OP_HASH_H
#define OP_HASH_H

#include <stddef.h>
#include <stdint.h>

#define OP_HASH_MAX 64		/* the longest digest (SHA-512) */

enum op_hash {
	OP_HASH_NONE = 0,
	OP_HASH_SHA1 = 1,
	OP_HASH_SHA256 = 2,
	OP_HASH_SHA384 = 3,
	OP_HASH_SHA512 = 4,
};
/* How many CertID hashes there are: OP_HASH_SHA1 .. OP_HASH_COUNT.  A
 * table per hash (or per tag, twice this: the NULL forms) is sized by it. */
#define OP_HASH_COUNT OP_HASH_SHA512

/* Tag bit: a SHA-2 hashAlgorithm with NULL parameters. */
#define OP_TAG_NULL 0x80

/* The tag of hash (OP_HASH_*) in the form with NULL parameters (null
 * non-zero) or without; SHA-1 has only its one tag. */
int op_hash_tag(int hash, int null);
/* The OP_HASH_* of a tag (the form bit cleared); OP_HASH_NONE if unknown. */
int op_hash_of_tag(int tag);

/* Digest length for a tag, 0 for an unknown tag. */
size_t op_hash_len(int tag);
/* "sha1", "sha256", ..., "sha256-null" for the NULL form; "?" for an
 * unknown tag. */
const char *op_hash_name(int tag);
/* Inverse of op_hash_name (case-insensitive); OP_HASH_NONE if unknown. */
int op_hash_from_name(const char *name);
/* Content octets of the hash's OBJECT IDENTIFIER; *len receives their
 * count (0 and NULL for an unknown tag). */
const uint8_t *op_hash_oid(int tag, size_t *len);
/* Tag for an OBJECT IDENTIFIER's content octets; OP_HASH_NONE if unknown. */
int op_hash_from_oid(const uint8_t *oid, size_t len);
/* OpenSSL NID <-> tag. */
int op_hash_from_nid(int nid);
int op_hash_nid(int tag);

#endif
