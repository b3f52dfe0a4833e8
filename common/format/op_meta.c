#include "op_meta.h"
#include "op_err.h"

#include <string.h>

#define NAME(s) s, sizeof(s) - 1

/* In docs/db-format.txt's order. */
const struct op_meta_def op_meta_table[OP_META_NKINDS] = {
	[OP_META_K_FORMAT] = { NAME("\0format"), 0 },
	[OP_META_K_GENERATED] = { NAME("\0generated"), 0 },
	[OP_META_K_GENERATION] = { NAME("\0generation"), 0 },
	[OP_META_K_ISSUER] = { NAME("\0issuer"), OP_META_F_ISSUER },
	[OP_META_K_SUMMARY] = { NAME("\0summary"), OP_META_F_ISSUER },
	[OP_META_K_CERTS] = { NAME("\0certs"), OP_META_F_SIGNER },
	[OP_META_K_CRL] = { NAME("\0crl"), OP_META_F_ISSUER | OP_META_F_SHA256 },
	[OP_META_K_RETAIN] = { NAME("\0retain"), OP_META_F_ISSUER |
			       OP_META_F_SHA256 | OP_META_F_SERIAL },
	[OP_META_K_SWEEP] = { NAME("\0sweep"), OP_META_F_ISSUER },
};

size_t op_meta_key(uint8_t *buf, size_t cap, enum op_meta_kind kind,
		   const uint8_t *suffix, size_t slen)
{
	const struct op_meta_def *d;

	if ((unsigned)kind >= OP_META_NKINDS)
		return 0;
	d = &op_meta_table[kind];
	if (d->len > cap || slen > cap - d->len)
		return 0;
	memcpy(buf, d->key, d->len);
	if (slen)
		memcpy(buf + d->len, suffix, slen);
	return d->len + slen;
}

int op_meta_ca_key(uint8_t *buf, enum op_meta_kind kind, X509 *ca,
		   size_t *len)
{
	uint8_t prefix[OP_KEY_MAX];
	size_t plen;
	int rc;

	if ((rc = op_key_issuer_prefix(ca, OP_HASH_SHA256, prefix, &plen)) != 0)
		return rc;
	if (!(*len = op_meta_key(buf, OP_META_KEY_MAX, kind, prefix, plen)))
		return op_err_set(OP_E_RANGE, "meta record key");
	return 0;
}

int op_meta_kind(const uint8_t *key, size_t klen)
{
	int best = -1;

	if (!klen || key[0] != 0)
		return -1;
	/* "\0generated" is a prefix of "\0generation": the longest name
	 * that fits the key's shape wins. */
	for (int i = 0; i < OP_META_NKINDS; i++) {
		const struct op_meta_def *d = &op_meta_table[i];

		if (klen < d->len || memcmp(key, d->key, d->len) != 0 ||
		    (klen == d->len) != (d->flags == 0))
			continue;
		if (best < 0 || d->len > op_meta_table[best].len)
			best = i;
	}
	return best;
}

const uint8_t *op_meta_issuer(const uint8_t *key, size_t klen, int *kind,
			      size_t *plen)
{
	const struct op_meta_def *d;
	const uint8_t *s;
	size_t slen, h;

	if ((*kind = op_meta_kind(key, klen)) < 0 ||
	    !((d = &op_meta_table[*kind])->flags & OP_META_F_ISSUER))
		return NULL;
	s = key + d->len;
	slen = klen - d->len;
	if (!(h = op_hash_len(s[0])))
		return NULL;
	*plen = 1 + 2 * h;
	if (d->flags & OP_META_F_SERIAL ?
	    slen <= *plen || slen - *plen > OP_SERIAL_MAX : slen != *plen)
		return NULL;
	return s;
}
