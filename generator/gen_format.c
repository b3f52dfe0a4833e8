#include "gen_format.h"
#include "op_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_walk.h"

#include <string.h>

int gen_format_upgrade(MDB_txn *txn, MDB_dbi dbi, size_t *deleted)
{
	struct op_walk w;
	int rc, format;

	*deleted = 0;
	if ((rc = op_db_format(txn, dbi, &format)) != 0 || format != 2)
		return rc;
	if ((rc = op_walk_begin(&w, txn, dbi, OP_WALK_RESPONSES)) != 0)
		return rc;
	/* A response that does not decode goes the same way. */
	while ((rc = op_walk_next(&w)) > 0 || rc == OP_E_FORMAT) {
		const uint8_t *key = w.key.mv_data;

		if (w.key.mv_size == 0 || op_hash_of_tag(key[0]) == OP_HASH_SHA1)
			continue;
		if ((rc = op_walk_del(&w)) != 0)
			break;
		(*deleted)++;
	}
	op_walk_end(&w);
	if (rc)
		return rc;
	if ((rc = op_db_meta_put(txn, dbi, OP_META_K_FORMAT, NULL, 0,
				 OP_DB_FORMAT, strlen(OP_DB_FORMAT), NULL)) != 0)
		return op_err_set(OP_E_DB, "format record: %s", mdb_strerror(rc));
	op_info("upgraded the working copy from %s to %s: %zu SHA-2 CertID "
		"responses are signed again without hashAlgorithm parameters "
		"(RFC 5754)", OP_DB_FORMAT_2, OP_DB_FORMAT, *deleted);
	return 0;
}
