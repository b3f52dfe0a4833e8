#include "gen_store.h"
#include "op_db.h"
#include "op_err.h"

#include <stdlib.h>
#include <string.h>

/* What the file holds as one signer's certs field. */
struct signer_certs {
	uint8_t id[OP_REC_SIGNER_ID];
	uint8_t *certs;		/* owned copy */
	size_t len;
};

struct gen_store {
	MDB_txn *txn;
	MDB_dbi dbi;
	struct signer_certs *v;
	size_t n;
};

int gen_store_new(MDB_txn *txn, MDB_dbi dbi, struct gen_store **st)
{
	if (!(*st = calloc(1, sizeof(**st))))
		return OP_E_NOMEM;
	(*st)->txn = txn;
	(*st)->dbi = dbi;
	return 0;
}

void gen_store_free(struct gen_store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		free(st->v[i].certs);
	free(st->v);
	free(st);
}

/* The signer's certs field in the file, recording certs as it when the
 * file has none yet.  Looked up once per signer and run. */
static int signer_certs(struct gen_store *st, const struct op_rec *rec,
			const struct signer_certs **out)
{
	MDB_val v;
	struct signer_certs *s, *nv;
	int rc;

	for (size_t i = 0; i < st->n; i++)
		if (memcmp(st->v[i].id, rec->signer_id, OP_REC_SIGNER_ID) == 0) {
			*out = &st->v[i];
			return 0;
		}
	rc = op_db_meta(st->txn, st->dbi, OP_META_K_CERTS, rec->signer_id,
			OP_REC_SIGNER_ID, &v);
	if (rc == MDB_NOTFOUND) {
		v.mv_size = rec->certs_len;
		v.mv_data = (void *)rec->certs;
		rc = op_db_meta_put(st->txn, st->dbi, OP_META_K_CERTS,
				    rec->signer_id, OP_REC_SIGNER_ID,
				    rec->certs, rec->certs_len, NULL);
	}
	if (rc)
		return op_err_set(OP_E_DB, "signer certificate record: %s",
				  mdb_strerror(rc));
	if (!(nv = realloc(st->v, (st->n + 1) * sizeof(*nv))))
		return OP_E_NOMEM;
	st->v = nv;
	s = &st->v[st->n];
	if (!(s->certs = malloc(v.mv_size)))
		return OP_E_NOMEM;
	memcpy(s->id, rec->signer_id, OP_REC_SIGNER_ID);
	memcpy(s->certs, v.mv_data, v.mv_size);
	s->len = v.mv_size;
	st->n++;
	*out = s;
	return 0;
}

int gen_store_put(struct gen_store *st, const uint8_t *key, size_t keylen,
		  struct op_rec *rec, const uint8_t *der, size_t der_len)
{
	return gen_store_put_at(st, NULL, 0, key, keylen, rec, der, der_len);
}

int gen_store_put_at(struct gen_store *st, MDB_cursor *cur, unsigned flags,
		     const uint8_t *key, size_t keylen, struct op_rec *rec,
		     const uint8_t *der, size_t der_len)
{
	const struct signer_certs *sc = NULL;
	MDB_val k = { keylen, (void *)key }, v;
	int rc;

	if ((rc = op_rec_from_der(der, der_len, rec)) != 0)
		return rc;
	rec->flags &= (uint8_t)~OP_REC_F_CERTS;
	if (rec->certs) {
		if ((rc = signer_certs(st, rec, &sc)) != 0)
			return rc;
		if (sc->len == rec->certs_len &&
		    memcmp(sc->certs, rec->certs, sc->len) == 0)
			rec->flags |= OP_REC_F_CERTS;
	}
	v.mv_size = op_rec_size(rec);
	rc = cur ? mdb_cursor_put(cur, &k, &v, MDB_RESERVE | flags) :
		   mdb_put(st->txn, st->dbi, &k, &v, MDB_RESERVE | flags);
	if (rc)
		return op_err_set(OP_E_DB, "storing a response: %s",
				  mdb_strerror(rc));
	op_rec_encode(rec, v.mv_data);
	return 0;
}

void gen_store_summary(const struct gen_list *entries,
		       const int64_t *this_update, const int64_t *next_update,
		       struct op_sum *s)
{
	op_sum_init(s);
	for (size_t i = 0; i < entries->n; i++) {
		if (entries->v[i].status == OP_STATUS_REVOKED)
			s->revoked++;
		else
			s->good++;
		if (this_update[i] < s->oldest_this)
			s->oldest_this = this_update[i];
		if (next_update[i] < s->nearest_next)
			s->nearest_next = next_update[i];
	}
}

int gen_store_put_sum(struct gen_store *st, const uint8_t *prefix,
		      size_t plen, const struct op_sum *sum)
{
	uint8_t b[OP_SUM_LEN];
	int rc;

	op_sum_encode(sum, b);
	if ((rc = op_db_meta_put(st->txn, st->dbi, OP_META_K_SUMMARY, prefix,
				 plen, b, sizeof(b), NULL)) != 0)
		return op_err_set(OP_E_DB, "summary record: %s", mdb_strerror(rc));
	return 0;
}

int gen_store_prune_certs(struct gen_store *st, const uint8_t *ids, size_t n)
{
	const struct op_meta_def *m = &op_meta_table[OP_META_K_CERTS];
	const size_t ml = m->len;
	MDB_cursor *cur;
	MDB_val k = { ml, (void *)m->key }, v;
	int mrc;

	if ((mrc = mdb_cursor_open(st->txn, st->dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		size_t i;

		if (k.mv_size != ml + OP_REC_SIGNER_ID ||
		    memcmp(k.mv_data, m->key, ml))
			break;
		for (i = 0; i < n; i++)
			if (memcmp((uint8_t *)k.mv_data + ml,
				   ids + i * OP_REC_SIGNER_ID, OP_REC_SIGNER_ID) == 0)
				break;
		if (i == n && (mrc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (mrc && mrc != MDB_NOTFOUND)
		return op_err_set(OP_E_DB, "removing old signer certificates: %s",
				  mdb_strerror(mrc));
	return 0;
}
