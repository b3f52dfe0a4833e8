#include "gen_sweep.h"
#include "op_err.h"
#include "op_meta.h"
#include "op_rec.h"

#include <string.h>

/* value: clock(8) | serial(0..OP_SERIAL_MAX) */

static void meta_key(const uint8_t *prefix, size_t plen, uint8_t *k, MDB_val *mk)
{
	mk->mv_size = op_meta_key(k, OP_META_KEY_MAX, OP_META_K_SWEEP, prefix,
				  plen);
	mk->mv_data = k;
}

int gen_sweep_load(MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix,
		   size_t plen, struct gen_sweep *s)
{
	uint8_t k[OP_META_KEY_MAX];
	MDB_val mk, mv;
	int rc;

	memset(s, 0, sizeof(*s));
	meta_key(prefix, plen, k, &mk);
	rc = mdb_get(txn, dbi, &mk, &mv);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return op_err_set(OP_E_DB, "sweep record: %s", mdb_strerror(rc));
	if (mv.mv_size < 8 || mv.mv_size > 8 + OP_SERIAL_MAX)
		return 0;	/* start over rather than fail the run */
	s->clock = op_rec_get_i64(mv.mv_data);
	s->pos_len = mv.mv_size - 8;
	memcpy(s->pos, (uint8_t *)mv.mv_data + 8, s->pos_len);
	return 0;
}

int gen_sweep_store(MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix,
		    size_t plen, const struct gen_sweep *s)
{
	uint8_t k[OP_META_KEY_MAX], v[8 + OP_SERIAL_MAX];
	struct gen_sweep old;
	MDB_val mk, mv;
	int rc;

	if ((rc = gen_sweep_load(txn, dbi, prefix, plen, &old)) != 0)
		return rc;
	if (old.clock == s->clock && old.pos_len == s->pos_len &&
	    memcmp(old.pos, s->pos, s->pos_len) == 0)
		return 0;
	meta_key(prefix, plen, k, &mk);
	op_rec_put_i64(v, s->clock);
	memcpy(v + 8, s->pos, s->pos_len);
	mv.mv_size = 8 + s->pos_len;
	mv.mv_data = v;
	if ((rc = mdb_put(txn, dbi, &mk, &mv, 0)) != 0)
		return op_err_set(OP_E_DB, "sweep record: %s", mdb_strerror(rc));
	return 0;
}

size_t gen_sweep_budget(struct gen_sweep *s, size_t n, int64_t now,
			int64_t run_interval, int64_t refresh)
{
	int64_t elapsed;
	uint64_t budget;

	if (n == 0 || s->clock == 0 || now < s->clock || refresh <= 0) {
		s->clock = now;	/* nothing earned before this run */
		return 0;
	}
	elapsed = now - s->clock;
	if (elapsed > run_interval)
		elapsed = run_interval;
	budget = (uint64_t)n * (uint64_t)elapsed / (uint64_t)refresh;
	if (budget > n)
		budget = n;
	/* Spend only the time the whole responses used; the rest carries. */
	s->clock = now - elapsed +
		   (int64_t)(budget * (uint64_t)refresh / (uint64_t)n);
	return (size_t)budget;
}
