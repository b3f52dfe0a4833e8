/*
 * gen_auth: one authority (issuing CA) made ready for a run.
 *
 * gen_auth_prepare() does everything that can fail before anything is
 * written: it loads the CA certificate, reads and merges the CRL, the
 * issued list and local revocations into one sorted entry list, chooses
 * the signer (gen_signer), loads its key (gen_keystore) and sets the
 * response profile.  A run prepares all its authorities first, so a bad
 * input stops the run with the working copy and the published file
 * untouched.
 *
 * The struct is the seam between preparation and the rest of the run,
 * which only reads it: the diff reads entries, the CRLs and the signer
 * (rs, keys, signer_id); what the run did is counted by the run itself
 * (gen_diff_count), not here.
 */
#ifndef GEN_AUTH_H
#define GEN_AUTH_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "gen_conf.h"
#include "gen_crlset.h"
#include "gen_input.h"
#include "gen_keystore.h"
#include "gen_resp.h"
#include "gen_retain.h"
#include "gen_stick.h"
#include "op_key.h"
#include "op_rec.h"

struct gen_auth {
	const struct gen_auth_conf *c;	/* its section; outlives the auth */
	X509 *ca;
	struct gen_resp_signer *rs;	/* response template, per-worker
					 * signing contexts */
	EVP_PKEY **keys;		/* the signer's key, one per worker */
	int nkeys;
	uint8_t signer_id[OP_REC_SIGNER_ID];	/* stored in each record */
	const char *signer_name;	/* points into c */
	int64_t signer_not_after;
	int64_t crl_next;		/* the CRLs' nextUpdate; 0 if none */
	struct gen_crlset crls;		/* CRL numbers accepted, cache use */
	struct gen_stick stick;		/* revocations kept, released */
	struct gen_retain retain;	/* serials answered after leaving the
					   inputs; records to write */
	struct gen_list entries;	/* merged, sorted by serial */
	char subject[256];		/* the CA's subject, one line */
};

/* What preparing an authority needs besides its section. */
struct gen_auth_in {
	const struct gen_hist *hist;	/* its output's history (gen_work) */
	const char *cache_dir;		/* CRLs fetched from URLs; NULL: none,
					 * see gen_crlset_load */
	const struct gen_list *release;	/* --release serials, or NULL */
	int64_t now;
	int64_t validity;		/* of the responses to sign */
	int workers;			/* key handles to open */
};

/*
 * Prepare a for the authority c with keys from ks: CRLs judged against
 * the history (gen_crlset), the output's permanent revocations folded in
 * (gen_stick), then the serials retained after leaving the inputs
 * (gen_retain), the signer chosen.  On error the detail starts with
 * "authority NAME" and a needs no gen_auth_free(); on success the caller
 * frees it with gen_auth_free().
 */
int gen_auth_prepare(struct gen_auth *a, const struct gen_auth_conf *c,
		     struct gen_keystore *ks, const struct gen_auth_in *in);

/*
 * Why signer section i of a's authority was not chosen, into why: -1 when
 * it is the chosen one.  For --check's report and the audit trail.
 */
int gen_auth_why_not(const struct gen_auth *a, size_t i, int64_t now,
		     char *why, size_t size);

/* Free what a holds; a zeroed struct is fine. */
void gen_auth_free(struct gen_auth *a);

/*
 * Write the issuer record ("\0issuer" + prefix -> "NAME\tSUBJECT",
 * docs/db-format.txt) that lets readers name a's responses under the
 * CertID hash whose key prefix is prefix/plen (op_key_issuer_prefix()).
 */
int gen_auth_put_issuer(MDB_txn *txn, MDB_dbi dbi, const struct gen_auth *a,
			const uint8_t *prefix, size_t plen);

#endif
