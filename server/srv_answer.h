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
 * OCSPResponses and carry "Cache-Control: no-cache".  What is not an OCSP
 * request gets a plain-text answer: 404 outside the path prefix, and the
 * HTTP-level refusals (400, 405, 411, 413, 431).
 *
 * An answer is chosen first (a value: no I/O, nothing formatted) and then
 * written whole, head and body, by srv_answer_write().
 */
#ifndef SRV_ANSWER_H
#define SRV_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "op_rec.h"
#include "srv_cache.h"
#include "srv_http.h"

enum srv_result {
	SRV_R_GOOD, SRV_R_REVOKED, SRV_R_UNAUTHORIZED, SRV_R_MALFORMED,
	SRV_R_TRYLATER, SRV_R_NOT_MODIFIED, SRV_R_NOT_FOUND, SRV_R_INTERNAL,
	SRV_R_COUNT,			/* results of a request answered (by method) */
	SRV_R_REJECTED = SRV_R_COUNT	/* refused at the HTTP level (by status) */
};

#define SRV_OCSP_TYPE "application/ocsp-response"

/* What goes with the answer for caches. */
enum srv_answer_cache {
	SRV_ANSWER_CACHE_NONE,		/* nothing (plain-text answers) */
	SRV_ANSWER_CACHE_NO,		/* "Cache-Control: no-cache" */
	SRV_ANSWER_CACHE_STORED		/* rec's fields with max_age (200, 304) */
};

struct srv_answer {
	enum srv_result result;
	int status;			/* HTTP status */
	const char *content_type;	/* NULL for 304 */
	const uint8_t *body;		/* static, or NULL with has_rec */
	size_t body_len;		/* of body, or of rec's served DER */
	/* The stored response; its pointers are into the map.  With
	 * has_rec its DER is the body, rebuilt by op_rec_emit() straight
	 * into the output. */
	int has_rec;
	struct op_rec rec;
	enum srv_answer_cache cache;
	int64_t max_age;		/* with SRV_ANSWER_CACHE_STORED */
};

/*
 * The most octets any answer's head takes: the longest Content-Type (the
 * OCSP one) with the longest fields (a stored response's caching fields;
 * srv_answer.c asserts that no-cache and Allow are shorter).  The writer
 * needs no more room than this plus the body.
 */
#define SRV_ANSWER_HEAD_MAX \
	SRV_HTTP_HEAD_MAX(sizeof(SRV_OCSP_TYPE) - 1, SRV_CACHE_FIELDS_MAX)

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

/*
 * A plain-text answer for what is not OCSP: 404 (SRV_R_NOT_FOUND), or
 * an HTTP-level refusal, 400, 405 (with Allow), 411, 413, 431, or 500
 * (SRV_R_REJECTED).  Any other status is answered 500.
 */
void srv_answer_text(int status, struct srv_answer *a);

/* The answer's head alone into out (cap octets): its length, or 0 when
 * it does not fit. */
size_t srv_answer_head(const struct srv_answer *a, const char *date, int close,
		       char *out, size_t cap);

/*
 * Write the answer at out, which has room for SRV_ANSWER_HEAD_MAX octets
 * plus a->body_len: the head (with the IMF-fixdate date, and
 * "Connection: close" if close), then the body unless head_only (HEAD)
 * or 304.  Returns the octets written, or 0 when the head did not fit
 * (not expected: SRV_ANSWER_HEAD_MAX bounds them all).
 */
size_t srv_answer_write(const struct srv_answer *a, int head_only,
			const char *date, int close, char *out);

/* "good", "revoked", ..., "internalError", "rejected" as in /metrics and
 * the access log. */
const char *srv_answer_result_name(enum srv_result r);

#endif
