#include "gen_retain.h"
#include "gen_conf.h"
#include "op_err.h"
#include "op_key.h"
#include "op_meta.h"
#include "op_rec.h"
#include "op_walk.h"

#include <stdlib.h>
#include <string.h>

#define HOLD 6

static void encode(const struct gen_entry *e, int64_t left, uint8_t *v)
{
	op_rec_put_i64(v, left);
	v[8] = e->status;
	v[9] = e->reason;
	op_rec_put_i64(v + 10, e->rev_time);
}

static void fill(struct gen_entry *e, const uint8_t *serial, size_t len,
		 const struct op_rec *r)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->serial, serial, len);
	e->serial_len = (uint8_t)len;
	e->status = r->status;
	e->reason = r->reason;
	e->rev_time = r->status == OP_STATUS_REVOKED ? r->rev_time : 0;
	e->src = GEN_SRC_RETAINED;
}

static int add(struct gen_list *l, const uint8_t *serial, size_t len,
	       const struct op_rec *r)
{
	struct gen_entry *e = gen_input_list_add(l);

	if (!e)
		return op_err_set(OP_E_NOMEM, "out of memory");
	fill(e, serial, len, r);
	return 0;
}

/* The remembered serials: the entry each stands for, and when it left. */
struct mem {
	struct gen_entry e;
	int64_t left;
};

struct mems {
	struct mem *v;
	size_t n, cap;
};

static int mem_add(struct mems *m, const uint8_t *serial, size_t len,
		   const uint8_t *val)
{
	struct op_rec r = { .status = val[8], .reason = val[9],
			    .rev_time = op_rec_get_i64(val + 10) };

	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct mem *nv = realloc(m->v, cap * sizeof(*nv));

		if (!nv)
			return op_err_set(OP_E_NOMEM, "out of memory");
		m->v = nv;
		m->cap = cap;
	}
	fill(&m->v[m->n].e, serial, len, &r);
	m->v[m->n++].left = op_rec_get_i64(val);
	return 0;
}

struct reading {
	const char *file;
	struct mems *mems;		/* read_records() */
	const struct gen_list *entries;	/* unlisted() */
	struct gen_list *out;
	int tag;			/* the prefix being walked */
	size_t j;			/* entries before the serial */
};

/* One retention record: remembered, or OP_E_HISTORY. */
static int record(const uint8_t *s, size_t slen, const MDB_val *v, void *arg)
{
	struct reading *rd = arg;
	const uint8_t *b = v->mv_data;
	char hex[2 * OP_SERIAL_MAX + 1];

	if (slen > OP_SERIAL_MAX || v->mv_size != GEN_RETAIN_VAL ||
	    b[8] > OP_STATUS_REVOKED) {
		op_serial_hex(s, slen > OP_SERIAL_MAX ? OP_SERIAL_MAX : slen, hex);
		return op_err_set(OP_E_HISTORY, "%s: the retention record of "
				  "serial %s cannot be read, so how long it is "
				  "still answered is unknown", rd->file, hex);
	}
	return mem_add(rd->mems, s, slen, b);
}

/* The retention records of the CA, in serial order (the keys'). */
static int read_records(MDB_txn *txn, MDB_dbi dbi, const char *file, X509 *ca,
			struct mems *out)
{
	uint8_t k0[OP_META_KEY_MAX];
	size_t plen;
	struct reading rd = { .file = file, .mems = out };
	int rc;

	if ((rc = op_meta_ca_key(k0, OP_META_K_RETAIN, ca, &plen)) != 0)
		return rc;
	rc = op_walk_prefix(txn, dbi, k0, plen, record, &rd);
	return rc == OP_E_DB ? op_err_prefix(OP_E_HISTORY, "%s", file) : rc;
}

/*
 * One response of the CA: appended to rd->out with the status it states
 * when the sorted entries do not list its serial (walked beside them, one
 * prefix after the other).  A response that cannot be read is
 * OP_E_HISTORY: what it said is unknown.
 */
static int unlisted_rec(int tag, const uint8_t *serial, size_t slen,
			const MDB_val *v, void *arg)
{
	struct reading *rd = arg;
	const struct gen_list *entries = rd->entries;
	struct gen_entry probe;
	struct op_rec r;
	char hex[2 * OP_SERIAL_MAX + 1];
	int c = 1;

	if (slen > OP_SERIAL_MAX)
		return 0;	/* not a response key */
	if (tag != rd->tag) {
		rd->tag = tag;
		rd->j = 0;
	}
	probe.serial_len = (uint8_t)slen;
	memcpy(probe.serial, serial, slen);
	while (rd->j < entries->n &&
	       (c = gen_input_entry_cmp(&entries->v[rd->j], &probe)) < 0)
		rd->j++;
	if (rd->j < entries->n && c == 0)
		return 0;
	if (op_rec_decode(v->mv_data, v->mv_size, &r) != 0) {
		op_serial_hex(serial, slen, hex);
		return op_err_set(OP_E_HISTORY, "%s: the response of serial %s "
				  "cannot be read, so the status to retain is "
				  "unknown", rd->file, hex);
	}
	return add(rd->out, serial, slen, &r);
}

/* Under every CertID hash the file may hold, one per serial. */
static int unlisted(MDB_txn *txn, MDB_dbi dbi, const char *file, X509 *ca,
		    const struct gen_list *entries, struct gen_list *out)
{
	struct reading rd = { .file = file, .entries = entries, .out = out };
	int rc = op_walk_issuer(txn, dbi, ca, unlisted_rec, &rd);

	if (rc == OP_E_DB)
		return op_err_prefix(OP_E_HISTORY, "%s", file);
	if (rc == 0)
		gen_input_list_uniq(out);
	return rc;
}

static int push(struct gen_list *l, const struct gen_entry *e)
{
	struct gen_entry *n = gen_input_list_add(l);

	if (!n)
		return op_err_set(OP_E_NOMEM, "out of memory");
	*n = *e;
	return 0;
}

/*
 * Decide about each remembered serial (rec) and each unlisted one (un,
 * both sorted): retained into *keep, records into out->put and out->del.
 */
static int judge(const struct mems *rec, const struct gen_list *un,
		 const struct gen_list *entries, const struct gen_list *release,
		 int64_t retain, struct gen_list *keep, struct gen_retain *out)
{
	size_t i = 0, j = 0;
	int rc = 0;

	while (!rc && (i < rec->n || j < un->n)) {
		int c = i == rec->n ? 1 : j == un->n ? -1 :
			gen_input_entry_cmp(&rec->v[i].e, &un->v[j]);
		const struct gen_entry *e = c <= 0 ? &rec->v[i].e : &un->v[j];
		int64_t t = c <= 0 ? rec->v[i].left : out->now;

		i += c <= 0;
		j += c >= 0;
		if (c <= 0 && (retain == 0 || gen_input_list_has(entries, e))) {
			rc = push(&out->del, e);	/* back, or none kept */
			continue;
		}
		/* A permanent revocation unlisted is one the operator
		 * released (gen_stick keeps the others): not retained. */
		if (c > 0 && (gen_input_list_has(release, e) ||
			      (e->status == OP_STATUS_REVOKED &&
			       e->reason != HOLD)))
			continue;
		if (retain != GEN_RETAIN_FOREVER && out->now - t >= retain) {
			out->ended++;
			if (c <= 0)
				rc = push(&out->del, e);
			continue;
		}
		out->retained++;
		out->left += c > 0;
		if ((rc = push(keep, e)) == 0 && c > 0)
			rc = push(&out->put, e);
	}
	return rc;
}

/* Merge the sorted, disjoint keep into *entries. */
static int fold(struct gen_list *entries, const struct gen_list *keep)
{
	struct gen_list m = { 0 };
	size_t i = 0, j = 0;

	if (!keep->n)
		return 0;
	m.cap = entries->n + keep->n;
	if (!(m.v = malloc(m.cap * sizeof(*m.v))))
		return op_err_set(OP_E_NOMEM, "out of memory");
	while (i < entries->n || j < keep->n)
		m.v[m.n++] = j == keep->n || (i < entries->n &&
			     gen_input_entry_cmp(&entries->v[i], &keep->v[j]) < 0) ?
			     entries->v[i++] : keep->v[j++];
	gen_input_list_free(entries);
	*entries = m;
	return 0;
}

int gen_retain_apply(MDB_txn *txn, MDB_dbi dbi, const char *file, X509 *ca,
		     int64_t retain, int64_t now, const struct gen_list *release,
		     struct gen_list *entries, struct gen_retain *out)
{
	struct gen_list un = { 0 }, keep = { 0 };
	struct mems rec = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	out->now = now;
	if (!txn)
		return 0;
	if ((rc = read_records(txn, dbi, file, ca, &rec)) == 0 &&
	    (!retain || (rc = unlisted(txn, dbi, file, ca, entries, &un)) == 0) &&
	    (rc = judge(&rec, &un, entries, release, retain, &keep, out)) == 0)
		rc = fold(entries, &keep);
	free(rec.v);
	gen_input_list_free(&un);
	gen_input_list_free(&keep);
	return rc;
}

int gen_retain_store(MDB_txn *txn, MDB_dbi dbi, X509 *ca,
		     const struct gen_retain *r, int *changed)
{
	uint8_t k[OP_META_KEY_MAX], v[GEN_RETAIN_VAL];
	size_t plen;
	MDB_val mk = { 0, k }, mv = { sizeof(v), v };
	int rc;

	if (!r->put.n && !r->del.n)
		return 0;
	if ((rc = op_meta_ca_key(k, OP_META_K_RETAIN, ca, &plen)) != 0)
		return rc;
	for (size_t i = 0; i < r->put.n + r->del.n; i++) {
		const struct gen_entry *e = i < r->put.n ? &r->put.v[i] :
					    &r->del.v[i - r->put.n];

		memcpy(k + plen, e->serial, e->serial_len);
		mk.mv_size = plen + e->serial_len;
		if (i < r->put.n) {
			encode(e, r->now, v);
			rc = mdb_put(txn, dbi, &mk, &mv, 0);
		} else {
			rc = mdb_del(txn, dbi, &mk, NULL);
		}
		if (rc && rc != MDB_NOTFOUND)
			return op_err_set(OP_E_DB, "retention record: %s",
					  mdb_strerror(rc));
	}
	*changed = 1;
	return 0;
}

void gen_retain_free(struct gen_retain *r)
{
	gen_input_list_free(&r->put);
	gen_input_list_free(&r->del);
}
