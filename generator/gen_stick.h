/*
 * gen_stick: revocations stick.
 *
 * RFC 5280 revocation is permanent; only certificateHold can be released.
 * CAs still stop listing revoked certificates: AD CS and most others drop
 * an entry once the certificate has expired, a CA restored from a backup
 * has forgotten what it revoked since, an operator edits the local list.
 * None of that may turn a published "revoked" into "good".
 *
 * The memory is the output itself: every response it holds that says
 * revoked, for any reason but certificateHold, under any CertID hash.
 * Before the diff, those are folded into the authority's entries, so a
 * revocation the inputs no longer carry is signed again as it was (same
 * revocationTime and reason), whether the serial is still issued or not.
 * Where the inputs still say revoked for a permanent reason, they win (a
 * CA may correct a reason or a time); a hold never overrides a permanent
 * revocation.  Only the operator's explicit release (ocsp-gen --release)
 * forgets one.  The memory is as durable as the output: the working copy
 * is read, and gen_work refuses to start an output afresh while its
 * published file exists but cannot be read.
 */
#ifndef GEN_STICK_H
#define GEN_STICK_H

#include <lmdb.h>
#include <stddef.h>
#include <openssl/x509.h>

#include "gen_input.h"

#define GEN_STICK_NAMED 5	/* serials a warning names */

struct gen_stick {
	size_t kept;		/* revocations the inputs dropped, kept */
	size_t released;	/* forgotten at the operator's request */
	/* The first few kept, for the warning: "0A1B (keyCompromise)". */
	char named[GEN_STICK_NAMED][80];
};

/*
 * Fold the permanent revocations remembered in txn (NULL: none, the
 * output was never published) for the CA ca into *entries (sorted by
 * gen_input_entry_cmp, as gen_input_merge leaves it; it stays sorted).  Serials in
 * release (may be NULL) are not restored, and each is logged.  Kept and
 * released revocations go to the audit trail under auth's name.  A
 * remembered record that cannot be read is OP_E_HISTORY naming file,
 * issuer and serial: the memory fails closed.
 */
int gen_stick_apply(MDB_txn *txn, MDB_dbi dbi, const char *file,
		    const char *auth, X509 *ca, const struct gen_list *release,
		    struct gen_list *entries, struct gen_stick *out);

#endif
