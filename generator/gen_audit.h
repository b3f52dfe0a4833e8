/*
 * gen_audit: the audit trail of a run (audit_log = FILE in [ocsp_gen]).
 *
 * Auditors ask which status the responder asserted for which certificate,
 * when, and on what evidence.  Each run appends JSON lines, one per event,
 * each with a stable "id" (also the syslog message's first word):
 *
 *   OCSPGEN_RUN       the run: time, configuration file and its SHA-256
 *   OCSPGEN_CRL       a CRL accepted or refused: authority, base/delta,
 *                     source, number, thisUpdate, nextUpdate, SHA-256
 *   OCSPGEN_SIGNER    the signer chosen, and why each other was not
 *   OCSPGEN_STATUS    a status change: authority, serial, old and new
 *                     status, reason, revocation time, what decided it
 *   OCSPGEN_KEPT      a revocation kept although the inputs dropped it
 *   OCSPGEN_RELEASED  a revocation forgotten by --release
 *   OCSPGEN_TRUNCATED status changes past GEN_AUDIT_MAX_CHANGES for an
 *                     authority: the count left out
 *   OCSPGEN_PUBLISH   the file published (or left unchanged), generation
 *   OCSPGEN_END       the outcome: ok, or the error
 *
 * Records are gathered in memory and appended in one write(2) on an
 * O_APPEND descriptor at the end of the run, then fsynced: a reader never
 * sees half a run, and logrotate may move the file between runs (each run
 * opens it anew).  A failed run writes its records too.  With
 * audit_syslog = yes (default when audit_log is set) each record also
 * goes to syslog (LOG_AUTHPRIV | LOG_NOTICE).
 *
 * The trail is process-wide, like the log: gen_audit_begin() once, the
 * event functions from the run's thread only (they do nothing when no
 * audit_log is configured), gen_audit_end() last.
 */
#ifndef GEN_AUDIT_H
#define GEN_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "gen_crl.h"
#include "gen_input.h"

#define GEN_AUDIT_MAX_CHANGES 1000	/* status lines per authority and run */

/* Start the trail to path (NULL: no trail) for the configuration file
 * config, at now; with to_syslog, records also go to syslog.  OP_E_SYS /
 * OP_E_NOMEM with detail (the configuration cannot be read). */
int gen_audit_begin(const char *path, const char *config, int to_syslog,
		    int64_t now);

/* A CRL accepted (refused NULL) or refused (the reason); c may be NULL
 * when it could not be read.  kind: "base" or "delta". */
void gen_audit_crl(const char *auth, const char *kind, const char *source,
		   const struct gen_crl *c, const uint8_t sha256[32],
		   const char *refused);

/* The signer chosen; others[i] was not, because why[i]. */
void gen_audit_signer(const char *auth, const char *chosen,
		      const char *const *others, const char *const *why,
		      size_t n);

/* A status change of serial: old_status -1 when it had no response;
 * e NULL when its response is removed (no longer listed). */
void gen_audit_status(const char *auth, const uint8_t *serial, size_t len,
		      int old_status, int old_reason, const struct gen_entry *e,
		      int64_t rev_time);

void gen_audit_kept(const char *auth, const struct gen_entry *e);
void gen_audit_released(const char *auth, const struct gen_entry *e);

/* The output file's publication (published 0: unchanged). */
void gen_audit_publish(const char *file, int64_t generation, int published);

/* End the run's trail with its outcome (rc, and detail when rc != 0) and
 * append it.  Returns 0 or OP_E_SYS with detail (the run's outcome stands;
 * the caller warns). */
int gen_audit_end(int rc, const char *detail);

#endif
