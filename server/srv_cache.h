/*
 * srv_cache: the HTTP caching headers of a signed answer (ocsp-serve(8)):
 * max-age = min(nextUpdate - now, --max-age), Last-Modified = thisUpdate,
 * Expires = nextUpdate, ETag from the stored digest.
 */
#ifndef SRV_CACHE_H
#define SRV_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "op_rec.h"

struct srv_cache_hdrs {
	char cache_control[96];
	char last_modified[40];
	char expires[40];
	char etag[2 * OP_REC_ETAG + 3];	/* quoted */
};

void srv_cache_headers(const struct op_rec *rec, int64_t now, int64_t max_age,
		       struct srv_cache_hdrs *h);

/* Does an If-None-Match header value name etag (a list, or "*")? */
int srv_etag_match(const char *if_none_match, const char *etag);

/* 9999-12-31T23:59:59Z, the last instant an IMF-fixdate can name. */
#define SRV_HTTP_DATE_MAX 253402300799LL

/* RFC 7231 IMF-fixdate; buf >= 30.  t is clamped to 1970..9999. */
void srv_http_date(int64_t t, char *buf, size_t size);

#endif
