#include "op_hash.h"

#include <string.h>
#include <strings.h>
#include <openssl/obj_mac.h>

static const struct {
	const char *name, *null_name;
	size_t len;
	int nid;
	uint8_t oid[9];		/* content octets of the OID */
	uint8_t oid_len;
} hashes[OP_HASH_COUNT + 1] = {
	[OP_HASH_SHA1] = { "sha1", NULL, 20, NID_sha1,
		{ 0x2b, 0x0e, 0x03, 0x02, 0x1a }, 5 },
	[OP_HASH_SHA256] = { "sha256", "sha256-null", 32, NID_sha256,
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 9 },
	[OP_HASH_SHA384] = { "sha384", "sha384-null", 48, NID_sha384,
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 9 },
	[OP_HASH_SHA512] = { "sha512", "sha512-null", 64, NID_sha512,
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 9 },
};

int op_hash_of_tag(int tag)
{
	int h = tag & ~OP_TAG_NULL;

	/* The NULL form exists only for the hashes that have a name for it. */
	if (h <= 0 || h > OP_HASH_COUNT || tag & ~0xff ||
	    ((tag & OP_TAG_NULL) && !hashes[h].null_name))
		return OP_HASH_NONE;
	return h;
}

int op_hash_tag(int hash, int null)
{
	if (op_hash_of_tag(hash) == OP_HASH_NONE || (hash & OP_TAG_NULL))
		return OP_HASH_NONE;
	return null && hashes[hash].null_name ? hash | OP_TAG_NULL : hash;
}

size_t op_hash_len(int tag)
{
	int h = op_hash_of_tag(tag);

	return h ? hashes[h].len : 0;
}

const char *op_hash_name(int tag)
{
	int h = op_hash_of_tag(tag);

	return !h ? "?" : tag & OP_TAG_NULL ? hashes[h].null_name : hashes[h].name;
}

int op_hash_from_name(const char *name)
{
	for (int t = 1; t <= OP_HASH_COUNT; t++) {
		if (strcasecmp(name, hashes[t].name) == 0)
			return t;
		if (hashes[t].null_name && strcasecmp(name, hashes[t].null_name) == 0)
			return t | OP_TAG_NULL;
	}
	return OP_HASH_NONE;
}

const uint8_t *op_hash_oid(int tag, size_t *len)
{
	int h = op_hash_of_tag(tag);

	*len = h ? hashes[h].oid_len : 0;
	return h ? hashes[h].oid : NULL;
}

int op_hash_from_oid(const uint8_t *oid, size_t len)
{
	for (int t = 1; t <= OP_HASH_COUNT; t++)
		if (len == hashes[t].oid_len && memcmp(oid, hashes[t].oid, len) == 0)
			return t;
	return OP_HASH_NONE;
}

int op_hash_from_nid(int nid)
{
	for (int t = 1; t <= OP_HASH_COUNT; t++)
		if (hashes[t].nid == nid)
			return t;
	return OP_HASH_NONE;
}

int op_hash_nid(int tag)
{
	int h = op_hash_of_tag(tag);

	return h ? hashes[h].nid : NID_undef;
}
