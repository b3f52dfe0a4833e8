/*
 * gen_retain: status beyond expiry (retain_expired).
 *
 * A certificate that expires leaves `issued` (or becomes an index.txt E
 * line), and AD CS drops it from its CRLs; by default its serial is then
 * no longer answered ("unauthorized").  Signature validators (PAdES/XAdES
 * long-term validation) ask about certificates that expired long ago, and
 * ETSI EN 319 411-2 wants their status kept.  With retain_expired, a
 * serial that no input lists any more (not `issued`, not in a CRL, not
 * local, not a revocation gen_stick keeps) is answered with the status
 * its last response stated (good, or on hold: permanent revocations stay
 * forever through gen_stick anyway) for that long after it left, or
 * forever; then its responses are removed.  A serial the inputs list
 * again is answered as they say, and its clock starts afresh if it leaves
 * again.
 *
 * The memory is the output: the responses it holds say what a serial
 * stated last, and a meta record per serial says when it left (key
 * "\0retain" | 2 | SHA-256(issuer name) | SHA-256(issuer key) |
 * serial; docs/db-format.txt), written in the run that noticed.  It is
 * read from the locked working copy before the run changes anything, and
 * fails closed: a record that cannot be read stops the run (OP_E_HISTORY
 * naming the file and serial), as gen_stick's memory does.
 */
#ifndef GEN_RETAIN_H
#define GEN_RETAIN_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "gen_input.h"

#define GEN_RETAIN_VAL 18	/* left(8) status(1) reason(1) rev_time(8) */

struct gen_retain {
	size_t retained;	/* serials answered after leaving the inputs */
	size_t left;		/* of those, left in this run */
	size_t ended;		/* whose retention ended: responses removed */
	int64_t now;		/* the run's time: when the new ones left */
	/* Records to write in the run's transaction (gen_retain_store):
	 * the serials that left now (status, reason, rev_time), and those
	 * whose record goes (retention ended, listed again, or
	 * retain_expired = 0).  Owned; gen_retain_free(). */
	struct gen_list put, del;
};

/*
 * Fold into *entries (sorted by gen_input_entry_cmp, stays sorted; after
 * gen_stick_apply) the serials the output in txn (NULL: never published;
 * file names it) still answers for the CA ca although no input lists
 * them, while retain (seconds, GEN_RETAIN_FOREVER, or 0: none) runs from
 * when they left; as entries of src GEN_SRC_RETAINED with the status they
 * last had.  Serials in release (may be NULL; --release) are not
 * retained.  Fills *out; free it with gen_retain_free() in every case.
 */
int gen_retain_apply(MDB_txn *txn, MDB_dbi dbi, const char *file, X509 *ca,
		     int64_t retain, int64_t now, const struct gen_list *release,
		     struct gen_list *entries, struct gen_retain *out);

/* Write r's records into a write transaction of the same output; sets
 * *changed to 1 if it wrote or deleted any. */
int gen_retain_store(MDB_txn *txn, MDB_dbi dbi, X509 *ca,
		     const struct gen_retain *r, int *changed);

void gen_retain_free(struct gen_retain *r);

#endif
