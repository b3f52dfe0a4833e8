/*
 * op_key: the LMDB key of a response, built from a CertID.
 *
 * This is the only place keys are made; ocsp-gen, ocsp-serve and ocsp-db
 * all call it, so a response stored by one is found by the others.  Layout
 * (docs/db-format.txt):
 *
 *   tag(1) | issuerNameHash(H) | issuerKeyHash(H) | serial content octets
 *
 * tag names the CertID hash (OP_HASH_*) and, for the SHA-2 hashes, the
 * encoding of its AlgorithmIdentifier: parameters absent (RFC 5754, the
 * form signed by default) or NULL (OP_TAG_NULL set; signed only with
 * certid_sha2_params = both).  Clients that compare CertIDs byte for byte
 * (Bouncy Castle) need the form they sent.  SHA-1 has one tag: it is
 * signed with NULL parameters, as OpenSSL writes it, whatever the request
 * says.  H is the hash's length, and the serial is the minimal
 * two's-complement DER content of the INTEGER, so "00 00 05" and "05" give
 * the same key.  Tag 0 is reserved for meta records.
 *
 * Functions taking a tag accept either form unless they say otherwise.
 */
#ifndef OP_KEY_H
#define OP_KEY_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ocsp.h>

#define OP_SERIAL_MAX 32	/* RFC 5280 says 20 octets; some CAs overshoot */
#define OP_HASH_MAX 64
#define OP_KEY_MAX (1 + 2 * OP_HASH_MAX + OP_SERIAL_MAX)

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
int op_key_tag(int hash, int null);
/* The OP_HASH_* of a tag (the form bit cleared); OP_HASH_NONE if unknown. */
int op_tag_hash(int tag);

/*
 * LMDB's default order of keys (and of key parts: serials, prefixes):
 * octet by octet, then the shorter first.  The diff walks stored records
 * beside sorted entry lists and stores batches sorted, so every order the
 * generator keeps must be this one: <0, 0, >0.
 */
int op_key_cmp(const void *a, size_t alen, const void *b, size_t blen);

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

/*
 * Minimal DER content octets of an INTEGER given as content octets (strips
 * redundant leading 0x00 / 0xFF).  out has room for OP_SERIAL_MAX.
 */
int op_serial_normalize(const uint8_t *in, size_t inlen,
			uint8_t *out, size_t *outlen);

/*
 * Content octets of the positive INTEGER written in hex (no prefix, any
 * case, leading zeros allowed).  Errors are OP_E_PARSE / OP_E_RANGE.
 */
int op_serial_from_hex(const char *hex, size_t n, uint8_t *out, size_t *outlen);

/* Minimal content octets of an OpenSSL INTEGER (out: OP_SERIAL_MAX). */
int op_serial_from_asn1(const ASN1_INTEGER *ai, uint8_t *out, size_t *outlen);

/* Upper-case hex of content octets, as `openssl` prints serials; buf must
 * hold 2 * len + 1. */
void op_serial_hex(const uint8_t *s, size_t len, char *buf);

/*
 * Build the key.  Hash lengths must match the tag; the serial is normalised
 * here.  Returns 0, or OP_E_PARSE / OP_E_RANGE for inconsistent input.
 */
int op_key_make(uint8_t key[OP_KEY_MAX], size_t *keylen, int tag,
		const uint8_t *name_hash, size_t name_len,
		const uint8_t *key_hash, size_t key_len,
		const uint8_t *serial, size_t serial_len);

/* The key of an OpenSSL CertID (what the generator signs); its
 * hashAlgorithm's parameters choose the form of a SHA-2 tag. */
int op_key_from_certid(const OCSP_CERTID *cid, uint8_t key[OP_KEY_MAX],
		       size_t *keylen);

/*
 * The issuer prefix of every key for certificates issued by ca under the
 * CertID hash tag: tag | hash(ca's subject DER) | hash(ca's public key
 * BIT STRING content).  prefix has room for OP_KEY_MAX; *len receives
 * 1 + 2 * op_hash_len(tag).  OP_E_PARSE for an unknown tag, OP_E_CRYPTO if
 * hashing fails.
 */
int op_key_issuer_prefix(X509 *ca, int tag, uint8_t prefix[OP_KEY_MAX],
			 size_t *len);

/* The key of serial (content octets, normalised here) issued by ca. */
int op_key_from_issuer(X509 *ca, int tag, const uint8_t *serial,
		       size_t serial_len, uint8_t key[OP_KEY_MAX], size_t *keylen);

/* Length of the issuer prefix (tag + both hashes) of a key; 0 if not a
 * response key. */
size_t op_key_issuer_len(const uint8_t *key, size_t keylen);

#endif
