#include "op_walk.h"
#include "op_db.h"
#include "op_err.h"
#include "op_key.h"

#include <string.h>

#define ISSUER_LEN (sizeof(OP_META_ISSUER) - 1)

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
		w->key.mv_data = OP_META_ISSUER;
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
	if (n > ISSUER_LEN && memcmp(k, OP_META_ISSUER, ISSUER_LEN) == 0) {
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
