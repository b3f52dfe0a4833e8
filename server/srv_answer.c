#include "srv_answer.h"
#include "srv_cache.h"

#include <stdio.h>
#include <string.h>

/* Unsigned OCSPResponses: SEQUENCE { ENUMERATED status } */
static const uint8_t resp_malformed[] = { 0x30, 0x03, 0x0a, 0x01, 0x01 };
static const uint8_t resp_internal[] = { 0x30, 0x03, 0x0a, 0x01, 0x02 };
static const uint8_t resp_trylater[] = { 0x30, 0x03, 0x0a, 0x01, 0x03 };
static const uint8_t resp_unauthorized[] = { 0x30, 0x03, 0x0a, 0x01, 0x06 };

#define NO_CACHE "Cache-Control: no-cache\r\n"

static const char *const result_name[SRV_R_COUNT] = { "good", "revoked",
	"unauthorized", "malformed", "tryLater", "not_modified", "not_found", "internalError" };

const char *srv_result_name(enum srv_result r)
{
	return r < SRV_R_COUNT ? result_name[r] : "error";
}

void srv_answer_error(enum srv_result r, struct srv_answer *a)
{
	a->result = r;
	a->status = 200;
	a->content_type = SRV_OCSP_TYPE;
	a->has_rec = 0;
	switch (r) {
	case SRV_R_UNAUTHORIZED:
		a->body = resp_unauthorized;
		a->body_len = sizeof(resp_unauthorized);
		break;
	case SRV_R_TRYLATER:
		a->body = resp_trylater;
		a->body_len = sizeof(resp_trylater);
		break;
	case SRV_R_INTERNAL:
		a->body = resp_internal;
		a->body_len = sizeof(resp_internal);
		break;
	default:
		a->result = SRV_R_MALFORMED;
		a->body = resp_malformed;
		a->body_len = sizeof(resp_malformed);
		break;
	}
	memcpy(a->headers, NO_CACHE, sizeof(NO_CACHE));
}

void srv_answer_make(const struct op_rec *rec, int64_t now, int64_t max_age,
		     const char *if_none_match, size_t inm_len,
		     struct srv_answer *a)
{
	struct srv_cache_hdrs ch;

	if (!rec) {
		srv_answer_error(SRV_R_UNAUTHORIZED, a);
		return;
	}
	/* A stale answer is worse than none. */
	if (rec->next_update <= now) {
		srv_answer_error(SRV_R_TRYLATER, a);
		return;
	}
	srv_cache_headers(rec, now, max_age, &ch);
	snprintf(a->headers, sizeof(a->headers), "Cache-Control: %s\r\n"
		 "Last-Modified: %s\r\nExpires: %s\r\nETag: %s\r\n",
		 ch.cache_control, ch.last_modified, ch.expires, ch.etag);
	if (if_none_match) {
		char inm[256];

		snprintf(inm, sizeof(inm), "%.*s", (int)inm_len, if_none_match);
		if (srv_etag_match(inm, ch.etag)) {
			a->result = SRV_R_NOT_MODIFIED;
			a->status = 304;
			a->content_type = NULL;
			a->body = NULL;
			a->body_len = 0;
			a->has_rec = 0;
			return;
		}
	}
	a->result = rec->status == OP_STATUS_REVOKED ? SRV_R_REVOKED : SRV_R_GOOD;
	a->status = 200;
	a->content_type = SRV_OCSP_TYPE;
	a->body = NULL;
	a->body_len = op_rec_served_len(rec);
	a->has_rec = 1;
	a->rec = *rec;
}
