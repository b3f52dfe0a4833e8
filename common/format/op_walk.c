#include "op_walk.h"
#include "op_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_meta.h"

#include <string.h>

#define ISSUER (op_meta_table[OP_META_K_ISSUER].key)
#define ISSUER_LEN (op_meta_table[OP_META_K_ISSUER].len)

int op_walk_begin(struct op_walk *w, MDB_txn *txn, MDB_dbi dbi, unsigned what)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->what = what;
	if ((rc = mdb_cursor_open(txn, dbi, &w->cur)) != 0) {
		w->cur = NULL;
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(rc));
	}
	return 0;
}

/* Position the cursor on the first record a walk can want: meta records
 * (tag 0) sort first, issuer records together among them. */
static int first(struct op_walk *w)
{
	static const uint8_t first_response = 1;

	if (w->what & OP_WALK_META)
		return mdb_cursor_get(w->cur, &w->key, &w->val, MDB_FIRST);
	if (w->what & OP_WALK_ISSUERS) {
		w->key.mv_size = ISSUER_LEN;
		w->key.mv_data = (void *)ISSUER;
	} else {
		w->key.mv_size = 1;
		w->key.mv_data = (void *)&first_response;
	}
	return mdb_cursor_get(w->cur, &w->key, &w->val, MDB_SET_RANGE);
}

static unsigned classify(struct op_walk *w)
{
	const uint8_t *k = w->key.mv_data;
	size_t n = w->key.mv_size;

	if (n > 0 && k[0] != 0) {
		w->prefix = k;
		w->plen = op_key_issuer_len(k, n);
		return OP_WALK_RESPONSES;
	}
	if (n > ISSUER_LEN && memcmp(k, ISSUER, ISSUER_LEN) == 0) {
		w->prefix = k + ISSUER_LEN;
		w->plen = n - ISSUER_LEN;
		return OP_WALK_ISSUERS;
	}
	w->prefix = NULL;
	w->plen = 0;
	return OP_WALK_META;
}

int op_walk_next(struct op_walk *w)
{
	int rc;

	for (;;) {
		rc = w->started ? mdb_cursor_get(w->cur, &w->key, &w->val, MDB_NEXT)
				: first(w);
		w->started = 1;
		if (rc == MDB_NOTFOUND)
			return 0;
		if (rc != 0)
			return op_err_set(OP_E_DB, "reading records: %s",
					  mdb_strerror(rc));
		w->kind = classify(w);
		if (!(w->what & w->kind)) {
			/* Responses sort last; issuer records together. */
			if (w->kind == OP_WALK_RESPONSES ||
			    !(w->what & (OP_WALK_RESPONSES | OP_WALK_META)))
				return 0;
			continue;
		}
		/* Records come ready for op_rec_emit(): with their signer's
		 * certs field when it is stored once. */
		if (w->kind == OP_WALK_RESPONSES &&
		    (op_rec_decode(w->val.mv_data, w->val.mv_size, &w->rec) != 0 ||
		     op_db_rec_certs(mdb_cursor_txn(w->cur), mdb_cursor_dbi(w->cur),
				     &w->rec) != 0))
			return op_err_set(OP_E_FORMAT, "a response record does "
					  "not decode");
		return 1;
	}
}

int op_walk_del(struct op_walk *w)
{
	int rc = mdb_cursor_del(w->cur, 0);

	if (rc != 0)
		return op_err_set(OP_E_DB, "deleting a record: %s", mdb_strerror(rc));
	return 0;
}

void op_walk_end(struct op_walk *w)
{
	if (w->cur)
		mdb_cursor_close(w->cur);
	w->cur = NULL;
}

int op_walk(MDB_txn *txn, MDB_dbi dbi, unsigned what,
	    int (*fn)(const struct op_walk *w, void *arg), void *arg)
{
	struct op_walk w;
	int rc;

	if ((rc = op_walk_begin(&w, txn, dbi, what)) != 0)
		return rc;
	while ((rc = op_walk_next(&w)) > 0)
		if ((rc = fn(&w, arg)) != 0)
			break;
	op_walk_end(&w);
	return rc;
}

int op_walk_prefix(MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix,
		   size_t plen,
		   int (*fn)(const uint8_t *rest, size_t rlen, const MDB_val *val,
			     void *arg), void *arg)
{
	MDB_cursor *cur;
	MDB_val k = { plen, (void *)prefix }, v;
	int mrc, rc = 0;

	if ((mrc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return op_err_set(OP_E_DB, "cursor: %s", mdb_strerror(mrc));
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	     mrc == 0 && k.mv_size >= plen && memcmp(k.mv_data, prefix, plen) == 0;
	     mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *rest = (const uint8_t *)k.mv_data + plen;

		if (k.mv_size > plen &&
		    (rc = fn(rest, k.mv_size - plen, &v, arg)) != 0)
			break;
	}
	if (!rc && mrc && mrc != MDB_NOTFOUND)
		rc = op_err_set(OP_E_DB, "reading records: %s", mdb_strerror(mrc));
	mdb_cursor_close(cur);
	return rc;
}

struct issuer_walk {
	int tag;
	int (*fn)(int tag, const uint8_t *serial, size_t slen,
		  const MDB_val *val, void *arg);
	void *arg;
};

static int issuer_rec(const uint8_t *rest, size_t rlen, const MDB_val *val,
		      void *arg)
{
	struct issuer_walk *iw = arg;

	return iw->fn(iw->tag, rest, rlen, val, iw->arg);
}

int op_walk_issuer(MDB_txn *txn, MDB_dbi dbi, X509 *ca,
		   int (*fn)(int tag, const uint8_t *serial, size_t slen,
			     const MDB_val *val, void *arg), void *arg)
{
	struct issuer_walk iw = { 0, fn, arg };
	uint8_t prefix[OP_KEY_MAX];
	size_t plen;
	int rc;

	for (iw.tag = 1; iw.tag < 256; iw.tag++) {
		if (!op_hash_len(iw.tag))
			continue;
		if ((rc = op_key_issuer_prefix(ca, iw.tag, prefix, &plen)) != 0 ||
		    (rc = op_walk_prefix(txn, dbi, prefix, plen, issuer_rec,
					 &iw)) != 0)
			return rc;
	}
	return 0;
}
