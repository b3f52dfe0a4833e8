/*
 * srv_cache: the HTTP caching fields of a signed answer (ocsp-serve(8)):
 * max-age = min(nextUpdate - now, --max-age), Last-Modified = thisUpdate,
 * Expires = nextUpdate, ETag from the stored digest.
 */
#ifndef SRV_CACHE_H
#define SRV_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "op_rec.h"
#include "srv_http.h"

/* The quoted ETag: '"', the digest in hex, '"'. */
#define SRV_CACHE_ETAG_LEN (2 * OP_REC_ETAG + 2)

#define SRV_CACHE_CONTROL_TAIL ", public, no-transform, must-revalidate"

/* The octets srv_cache_fields() writes at most. */
#define SRV_CACHE_FIELDS_MAX \
	(SRV_HTTP_FIELD("Cache-Control", sizeof("max-age=") - 1 + SRV_HTTP_NUM_MAX + \
			sizeof(SRV_CACHE_CONTROL_TAIL) - 1) + \
	 SRV_HTTP_FIELD("Last-Modified", SRV_HTTP_DATE_LEN) + \
	 SRV_HTTP_FIELD("Expires", SRV_HTTP_DATE_LEN) + \
	 SRV_HTTP_FIELD("ETag", SRV_CACHE_ETAG_LEN))

/* max-age for rec answered at now: min(nextUpdate - now, max_age), >= 0. */
int64_t srv_cache_max_age(const struct op_rec *rec, int64_t now, int64_t max_age);

/* Append Cache-Control (with max-age secs), Last-Modified, Expires and
 * ETag for rec to h. */
void srv_cache_fields(struct srv_http_head *h, const struct op_rec *rec,
		      int64_t secs);

/* rec's quoted ETag into buf (SRV_CACHE_ETAG_LEN + 1 octets, with NUL). */
void srv_cache_etag(const struct op_rec *rec, char *buf);

/* Does an If-None-Match value inm[0..len) (a list, or "*"; not
 * NUL-terminated) name etag? */
int srv_cache_etag_match(const char *inm, size_t len, const char *etag);

#endif
