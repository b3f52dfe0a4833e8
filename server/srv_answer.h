/*
 * srv_answer: what ocsp-serve says to one OCSP request, as a pure
 * function of the lookup's outcome, the clock and --max-age.
 *
 * The policy (ocsp-serve(8)): a request we cannot parse is "malformed";
 * a CertID hash we never sign, or an issuer/serial no file holds, is
 * "unauthorized"; a stored response past its nextUpdate is "tryLater" (a
 * stale answer is worse than none); a stored response that could not be
 * read (a corrupt record, a missing signer certificate record, a failed
 * read transaction) is "internalError", never passed off as unknown;
 * otherwise the stored response with
 * caching headers (max-age = min(nextUpdate - now, --max-age)), or 304
 * when If-None-Match names its ETag.  The error answers are unsigned
 * OCSPResponses and carry "Cache-Control: no-cache".
 */
#ifndef SRV_ANSWER_H
#define SRV_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "op_rec.h"

enum srv_result {
	SRV_R_GOOD, SRV_R_REVOKED, SRV_R_UNAUTHORIZED, SRV_R_MALFORMED,
	SRV_R_TRYLATER, SRV_R_NOT_MODIFIED, SRV_R_NOT_FOUND, SRV_R_INTERNAL,
	SRV_R_COUNT
};

#define SRV_OCSP_TYPE "application/ocsp-response"

struct srv_answer {
	enum srv_result result;
	int status;			/* HTTP status: 200 or 304 */
	const char *content_type;	/* NULL for 304 */
	const uint8_t *body;		/* static text, or NULL with rec */
	size_t body_len;		/* of body, or of rec's served DER */
	/* The stored response to send (body NULL): op_rec_emit() writes
	 * its DER straight into the output; rec's pointers are into the
	 * map.  Meaningful when has_rec. */
	int has_rec;
	struct op_rec rec;
	char headers[400];		/* complete "Name: value\r\n" lines */
};

/*
 * The answer for a request that ended in result r (SRV_R_MALFORMED,
 * SRV_R_UNAUTHORIZED, SRV_R_TRYLATER or SRV_R_INTERNAL): an unsigned
 * OCSPResponse with that status.
 */
void srv_answer_error(enum srv_result r, struct srv_answer *a);

/*
 * The answer when the lookup found rec (NULL: not found) at now.
 * if_none_match is the raw header value (inm_len octets, not
 * NUL-terminated) or NULL.  When the stored response is sent, a->rec is
 * a copy of *rec (its pointers into the map: valid as long as the map).
 */
void srv_answer_make(const struct op_rec *rec, int64_t now, int64_t max_age,
		     const char *if_none_match, size_t inm_len,
		     struct srv_answer *a);

/* "good", "revoked", ..., "internalError" as in /metrics and the access
 * log. */
const char *srv_result_name(enum srv_result r);

#endif
