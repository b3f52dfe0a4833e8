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

#include "op_hash.h"
#include "op_serial.h"

#define OP_KEY_MAX (1 + 2 * OP_HASH_MAX + OP_SERIAL_MAX)


/*
 * LMDB's default order of keys (and of key parts: serials, prefixes):
 * octet by octet, then the shorter first.  The diff walks stored records
 * beside sorted entry lists and stores batches sorted, so every order the
 * generator keeps must be this one: <0, 0, >0.
 */
int op_key_cmp(const void *a, size_t alen, const void *b, size_t blen);

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
