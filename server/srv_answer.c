#include "srv_answer.h"

#include <string.h>

/* Unsigned OCSPResponses: SEQUENCE { ENUMERATED status } */
static const uint8_t resp_malformed[] = { 0x30, 0x03, 0x0a, 0x01, 0x01 };
static const uint8_t resp_internal[] = { 0x30, 0x03, 0x0a, 0x01, 0x02 };
static const uint8_t resp_trylater[] = { 0x30, 0x03, 0x0a, 0x01, 0x03 };
static const uint8_t resp_unauthorized[] = { 0x30, 0x03, 0x0a, 0x01, 0x06 };

#define TEXT_TYPE "text/plain"
#define ALLOW "GET, POST, HEAD"

/* SRV_ANSWER_HEAD_MAX counts the longest of each part. */
_Static_assert(sizeof(TEXT_TYPE) <= sizeof(SRV_OCSP_TYPE), "content type");
_Static_assert(SRV_HTTP_FIELD("Cache-Control", sizeof("no-cache") - 1) <=
	       SRV_CACHE_FIELDS_MAX, "no-cache field");
_Static_assert(SRV_HTTP_FIELD("Allow", sizeof(ALLOW) - 1) <=
	       SRV_CACHE_FIELDS_MAX, "Allow field");

static const char *const result_name[SRV_R_COUNT + 1] = { "good", "revoked",
	"unauthorized", "malformed", "tryLater", "not_modified", "not_found",
	"internalError", "rejected" };

const char *srv_answer_result_name(enum srv_result r)
{
	return r <= SRV_R_REJECTED ? result_name[r] : "error";
}

void srv_answer_error(enum srv_result r, struct srv_answer *a)
{
	a->result = r;
	a->status = 200;
	a->content_type = SRV_OCSP_TYPE;
	a->has_rec = 0;
	a->cache = SRV_ANSWER_CACHE_NO;
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
}

void srv_answer_make(const struct op_rec *rec, int64_t now, int64_t max_age,
		     const char *if_none_match, size_t inm_len,
		     struct srv_answer *a)
{
	char etag[SRV_CACHE_ETAG_LEN + 1];

	if (!rec) {
		srv_answer_error(SRV_R_UNAUTHORIZED, a);
		return;
	}
	/* A stale answer is worse than none. */
	if (rec->next_update <= now) {
		srv_answer_error(SRV_R_TRYLATER, a);
		return;
	}
	a->rec = *rec;
	a->cache = SRV_ANSWER_CACHE_STORED;
	a->max_age = srv_cache_max_age(rec, now, max_age);
	if (if_none_match) {
		srv_cache_etag(rec, etag);
		if (srv_cache_etag_match(if_none_match, inm_len, etag)) {
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
}

static const struct {
	int status;
	const char *text;
} texts[] = {
	{ 500, "internal error\n" },	/* first: what any other status gets */
	{ 404, "not found\n" },
	{ 400, "bad request\n" },
	{ 405, "method not allowed\n" },
	{ 411, "send Content-Length\n" },
	{ 413, "request too large\n" },
	{ 431, "header too large\n" },
};

void srv_answer_text(int status, struct srv_answer *a)
{
	size_t i = sizeof(texts) / sizeof(texts[0]);

	while (--i > 0 && texts[i].status != status)
		;
	a->status = texts[i].status;
	a->result = a->status == 404 ? SRV_R_NOT_FOUND : SRV_R_REJECTED;
	a->content_type = TEXT_TYPE;
	a->body = (const uint8_t *)texts[i].text;
	a->body_len = strlen(texts[i].text);
	a->has_rec = 0;
	a->cache = SRV_ANSWER_CACHE_NONE;
}

size_t srv_answer_head(const struct srv_answer *a, const char *date, int close,
		       char *out, size_t cap)
{
	struct srv_http_head h;

	srv_http_head_start(&h, out, cap, a->status, date);
	if (a->content_type)
		srv_http_head_field(&h, "Content-Type", a->content_type);
	if (a->status != 304) {
		srv_http_head_put(&h, "Content-Length: ", 16);
		srv_http_head_num(&h, a->body_len);
		srv_http_head_put(&h, "\r\n", 2);
	}
	if (a->cache == SRV_ANSWER_CACHE_NO)
		srv_http_head_field(&h, "Cache-Control", "no-cache");
	else if (a->cache == SRV_ANSWER_CACHE_STORED)
		srv_cache_fields(&h, &a->rec, a->max_age);
	if (a->status == 405)
		srv_http_head_field(&h, "Allow", ALLOW);
	return srv_http_head_end(&h, close);
}

size_t srv_answer_write(const struct srv_answer *a, int head_only,
			const char *date, int close, char *out)
{
	size_t n = srv_answer_head(a, date, close, out, SRV_ANSWER_HEAD_MAX);

	if (n == 0 || head_only || a->status == 304)
		return n;
	/* Copied, not referenced: the map may be swapped out while a slow
	 * client still has the answer queued.  A stored response is rebuilt
	 * in place (op_rec_emit: one copy, no allocation). */
	if (a->has_rec)
		return n + op_rec_emit(&a->rec, (uint8_t *)out + n);
	memcpy(out + n, a->body, a->body_len);
	return n + a->body_len;
}
