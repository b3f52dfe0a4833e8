/*
 * gen_diff: bring the working copy in line with the authorities' entries.
 *
 * For each issuer prefix (an authority under one CertID hash), taken in
 * key order, one cursor walks the stored records beside the sorted entry
 * list: a serial with no record, or whose record is not right any more
 * (status, reason, revocation time, signer, validity changed; older than
 * refresh; --force), is queued for signing (gen_batch); a record whose
 * serial is no longer listed is deleted; the rest are kept.  Then the
 * sweep (gen_sweep) re-signs early the run's share of the oldest kept
 * responses.  Issuer records ("\0issuer") and summaries ("\0summary",
 * op_sum) are written for every prefix; signed responses are stored
 * through gen_store (the signer's certificates once per file).
 *
 * Everything happens in the caller's write transaction.  What the diff
 * did is counted per authority in the caller's gen_diff_count array; the
 * authorities (gen_auth) are only read.
 */
#ifndef GEN_DIFF_H
#define GEN_DIFF_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "gen_auth.h"
#include "gen_batch.h"
#include "gen_conf.h"

/* What one run did to one authority's responses: the run owns these
 * (gen_run sums them for the summary line, the metrics, the report). */
struct gen_diff_count {
	size_t nsigned, kept, removed;
	size_t aged;		/* of nsigned, those that had reached refresh */
	size_t early;		/* of nsigned, re-signed before refresh by the
				   sweep (gen_sweep.h) */
};

struct gen_diff {
	const struct gen_conf *conf;	/* validity, refresh, run_interval,
					   cert_ids */
	int force;			/* re-sign everything */
	int64_t now;
	struct gen_batch *batch;
	MDB_txn *txn;			/* when gen_batch commits, the run goes
					   on in the one it returns */
	MDB_dbi dbi;
	const struct gen_auth *auths;
	size_t nauths;
	struct gen_diff_count *counts;	/* one per authority, added to */
};

/*
 * Diff d's authorities against the records in d->txn.  With drop_unknown,
 * also delete the responses (and per-issuer records) of issuers that none
 * of them has under any configured hash, counting the responses in
 * *removed_unknown, and the certificate records of signers no authority
 * uses.  OP_E_DB / OP_E_NOMEM / a signing error with detail.
 */
int gen_diff_run(const struct gen_diff *d, int drop_unknown,
		 size_t *removed_unknown);

#endif
