#include "gen_unknown.h"
#include "op_err.h"
#include "op_key.h"
#include "op_meta.h"
#include "op_walk.h"

#include <stdlib.h>
#include <string.h>

#define PREFIX256 (1 + 2 * 32)	/* a SHA-256 issuer prefix: tag, two hashes */

/* The issuer prefix that the key k/klen belongs to: a response's, or a
 * per-issuer meta record's (op_meta_table); NULL for other meta records.
 * *sha256: a record kept under the SHA-256 prefix whatever cert_ids says. */
static const uint8_t *key_issuer(const uint8_t *k, size_t klen, size_t *plen,
				 int *meta, int *sha256)
{
	const uint8_t *p;
	int kind;

	*meta = *sha256 = 0;
	if (klen && k[0] != 0) {
		*plen = op_key_issuer_len(k, klen);
		return k;
	}
	if (!(p = op_meta_issuer(k, klen, &kind, plen)))
		return NULL;
	*meta = 1;
	*sha256 = (op_meta_table[kind].flags & OP_META_F_SHA256) != 0;
	return p;
}

/* Whether an authority has the issuer prefix p/plen: among keep (the
 * configured hashes), or, for sha256, among their SHA-256 prefixes
 * (ca256: nca of them, PREFIX256 octets each). */
static int known_issuer(const uint8_t *p, size_t plen, int sha256,
			const struct gen_unknown_key *keep, size_t n,
			const uint8_t *ca256, size_t nca)
{
	for (size_t i = 0; !sha256 && i < n; i++)
		if (plen == keep[i].len && memcmp(p, keep[i].prefix, plen) == 0)
			return 1;
	for (size_t i = 0; sha256 && i < nca; i++)
		if (plen == PREFIX256 &&
		    memcmp(p, ca256 + PREFIX256 * i, PREFIX256) == 0)
			return 1;
	return 0;
}

int gen_unknown_drop(MDB_txn *txn, MDB_dbi dbi, const struct gen_auth *auths,
		     size_t nauths, const struct gen_unknown_key *keep, size_t n,
		     size_t *removed)
{
	uint8_t *ca256 = calloc(nauths + 1, PREFIX256), p[OP_KEY_MAX];
	struct op_walk w;
	size_t plen;
	int rc = ca256 ? 0 : OP_E_NOMEM;

	for (size_t i = 0; !rc && i < nauths; i++)
		if ((rc = op_key_issuer_prefix(auths[i].ca, OP_HASH_SHA256, p,
					       &plen)) == 0)
			memcpy(ca256 + PREFIX256 * i, p, PREFIX256);
	if (rc || (rc = op_walk_begin(&w, txn, dbi, OP_WALK_RESPONSES |
				      OP_WALK_ISSUERS | OP_WALK_META)) != 0) {
		free(ca256);
		return rc;
	}
	/* A response that does not decode still belongs to its issuer. */
	while ((rc = op_walk_next(&w)) > 0 || rc == OP_E_FORMAT) {
		int meta, sha256;
		const uint8_t *key = key_issuer(w.key.mv_data, w.key.mv_size,
						&plen, &meta, &sha256);

		if (!key || known_issuer(key, plen, sha256, keep, n, ca256,
					 nauths))
			continue;	/* not an issuer's, or still configured */
		if ((rc = op_walk_del(&w)) != 0)
			break;
		*removed += !meta;
	}
	op_walk_end(&w);
	free(ca256);
	return rc;
}
