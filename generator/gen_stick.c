#include "gen_stick.h"
#include "gen_audit.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"
#include "op_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_HOLD 6	/* certificateHold: the one reason that is released */

static int permanent(uint8_t status, uint8_t reason)
{
	return status == OP_STATUS_REVOKED && reason != REASON_HOLD;
}

struct collect {
	const char *file;
	struct gen_list *out;
};

/* One stored response of the CA: appended to the memory if it states a
 * permanent revocation. */
static int collect_rec(int tag, const uint8_t *serial, size_t slen,
		       const MDB_val *v, void *arg)
{
	struct collect *c = arg;
	struct op_rec r;
	struct gen_entry *e;
	char hex[2 * OP_SERIAL_MAX + 1];

	(void)tag;
	if (slen > OP_SERIAL_MAX)
		return 0;	/* not a response key */
	if (op_rec_decode(v->mv_data, v->mv_size, &r) != 0) {
		op_serial_hex(serial, slen, hex);
		return op_err_prefix(OP_E_HISTORY, "%s: the response of serial "
				     "%s cannot be read, so whether it was "
				     "revoked is unknown", c->file, hex);
	}
	if (!permanent(r.status, r.reason))
		return 0;
	if (!(e = gen_input_list_add(c->out)))
		return op_err_set(OP_E_NOMEM, "out of memory");
	memcpy(e->serial, serial, slen);
	e->serial_len = (uint8_t)slen;
	e->status = OP_STATUS_REVOKED;
	e->reason = r.reason;
	e->rev_time = r.rev_time;
	e->src = GEN_SRC_KEPT;
	return 0;
}

/* The permanent revocations stored for the CA, one per serial. */
static int collect(MDB_txn *txn, MDB_dbi dbi, const char *file, X509 *ca,
		   struct gen_list *out)
{
	struct collect c = { file, out };
	int rc = op_walk_issuer(txn, dbi, ca, collect_rec, &c);

	if (rc == OP_E_DB)
		return op_err_prefix(OP_E_HISTORY, "%s", file);
	if (rc == 0)
		gen_input_list_uniq(out);
	return rc;
}

static void name_kept(struct gen_stick *out, const char *auth,
		      const struct gen_entry *e)
{
	char hex[2 * OP_SERIAL_MAX + 1];

	gen_audit_kept(auth, e);
	if (out->kept < GEN_STICK_NAMED) {
		op_serial_hex(e->serial, e->serial_len, hex);
		snprintf(out->named[out->kept], sizeof(out->named[0]), "%s (%s)",
			 hex, e->reason == OP_REASON_NONE ? "no reason" :
			 op_rec_reason_name(e->reason));
	}
	out->kept++;
}

static void log_release(const struct gen_entry *m, const struct gen_entry *now)
{
	char hex[2 * OP_SERIAL_MAX + 1], t[32];

	op_serial_hex(m->serial, m->serial_len, hex);
	op_time_iso(m->rev_time, t, sizeof(t));
	if (now && permanent(now->status, now->reason))
		op_warn("--release %s: the inputs still list it revoked; it "
			"stays revoked", hex);
	else
		op_warn("--release %s: forgot its revocation (%s, %s) at the "
			"operator's request", hex, m->reason == OP_REASON_NONE ?
			"no reason" : op_rec_reason_name(m->reason), t);
}

/*
 * Merge remembered m into entries e (both sorted) into out: the
 * remembered revocation replaces an entry that is good or on hold, and is
 * added where the inputs no longer list the serial.
 */
static void fold(const char *auth, const struct gen_list *m,
		 const struct gen_list *e, const struct gen_list *release,
		 struct gen_list *out, struct gen_stick *st)
{
	size_t i = 0, j = 0;

	while (i < m->n || j < e->n) {
		int c = i == m->n ? 1 : j == e->n ? -1 :
			gen_input_entry_cmp(&m->v[i], &e->v[j]);
		const struct gen_entry *cur = c > 0 ? NULL : &m->v[i];
		const struct gen_entry *in = c < 0 ? NULL : &e->v[j];

		if (cur && gen_input_list_has(release, cur)) {
			st->released++;
			log_release(cur, in);
			if (!in || !permanent(in->status, in->reason))
				gen_audit_released(auth, cur);
			cur = NULL;
		}
		if (cur && (!in || !permanent(in->status, in->reason))) {
			out->v[out->n++] = *cur;
			name_kept(st, auth, cur);
		} else if (in) {
			out->v[out->n++] = *in;
		}
		i += c <= 0;
		j += c >= 0;
	}
}

int gen_stick_apply(MDB_txn *txn, MDB_dbi dbi, const char *file,
		    const char *auth, X509 *ca, const struct gen_list *release,
		    struct gen_list *entries, struct gen_stick *out)
{
	struct gen_list mem = { 0 }, merged = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!txn)
		return 0;
	if ((rc = collect(txn, dbi, file, ca, &mem)) != 0 || mem.n == 0)
		goto out;
	merged.cap = mem.n + entries->n;
	if (!(merged.v = malloc(merged.cap * sizeof(*merged.v)))) {
		rc = op_err_set(OP_E_NOMEM, "out of memory");
		goto out;
	}
	fold(auth, &mem, entries, release, &merged, out);
	gen_input_list_free(entries);
	*entries = merged;
out:
	if (!rc && release && out->released < release->n)
		op_warn("--release: %zu of the %zu serials given are not among "
			"the permanent revocations %s remembers for this CA",
			release->n - out->released, release->n, file);
	gen_input_list_free(&mem);
	return rc;
}
