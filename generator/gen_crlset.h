/*
 * gen_crlset: an authority's revocations as its CA publishes them, from
 * `crl` and the optional `delta_crl`, each a file or an http:// URL.
 *
 * Both CRLs are judged by gen_crl and, in the authority's scope, by
 * gen_scope; a URL goes through gen_fetch and its cache.  Then the
 * rollback check: the output remembers, per authority, the base and delta
 * CRL numbers it last accepted (the meta record "\0crl" + issuer,
 * docs/db-format.txt); a lower base number, or revocations older than
 * what was last accepted (base + delta), stop the run.  Equal numbers are
 * fine.  The history is read from the output's locked working copy
 * (gen_work), which fails closed, never from a file that may vanish.
 */
#ifndef GEN_CRLSET_H
#define GEN_CRLSET_H

#include <lmdb.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "gen_conf.h"
#include "gen_crl.h"
#include "gen_input.h"

/* The CRL numbers an output file accepted for an authority. */
struct gen_crlmark {
	int has_base, has_delta;
	struct gen_crlnum base, delta;
};

/* Where an output's history is read: an open transaction (NULL: the
 * output was never published) and the file's name for messages. */
struct gen_hist {
	MDB_txn *txn;
	MDB_dbi dbi;
	const char *name;
};

struct gen_crlset {
	int64_t next_update;		/* earliest of those used; 0 if none */
	struct gen_crlmark mark;	/* what this run accepted */
	int cache_used;			/* URLs that failed: cached copy used */
};

/*
 * Load a's CRLs (ca is its certificate, now the time, cache_dir where URL
 * copies are kept; NULL: fetch unconditionally, keep nothing, no cached
 * fallback, as a run that writes nothing needs), check them against what
 * the history h remembers, and append the effective revocations (base
 * with the delta applied) to *revoked.  Errors are OP_E_CRL (and others)
 * with a detail naming the file or URL and the reason; nothing is
 * appended then.  Warnings (a delta not newer than its base, a cached
 * copy used) are logged here.
 */
int gen_crlset_load(const struct gen_auth_conf *a, const struct gen_hist *h,
		    const char *cache_dir, X509 *ca, int64_t now,
		    struct gen_list *revoked, struct gen_crlset *out);

/*
 * Store m as the authority's record in a write transaction; *changed is
 * set to 1 when it differs from what was there (so the run publishes a
 * file that remembers it even when no response changed).
 */
int gen_crlset_put(MDB_txn *txn, MDB_dbi dbi, X509 *ca,
		   const struct gen_crlmark *m, int *changed);

/* Read the record from an open transaction; 0 and an empty m if absent. */
int gen_crlset_get(MDB_txn *txn, MDB_dbi dbi, X509 *ca, struct gen_crlmark *m);

#endif
