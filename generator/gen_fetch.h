/*
 * gen_fetch: a CRL from the CA's CDP (an http:// URL), with the last good
 * copy kept in cache_dir.
 *
 * The download uses OpenSSL's own HTTP client with a size cap, a timeout
 * and the usual redirects.  It is conditional (If-None-Match with the
 * ETag, If-Modified-Since with the Last-Modified the server sent for the
 * cached copy), so an hourly run does not download an unchanged CRL again.
 * A copy is kept only once the caller has verified it (gen_fetch_keep).
 *
 * Cache layout: the copy as served at CACHE, its validators at CACHE.http
 * ("url", "etag", "last-modified" lines); both written atomically.
 */
#ifndef GEN_FETCH_H
#define GEN_FETCH_H

#include <stddef.h>
#include <stdint.h>

#define GEN_FETCH_MAX_SIZE ((size_t)256 << 20)	/* octets */
#define GEN_FETCH_TIMEOUT 30			/* seconds, whole transfer */

enum gen_fetch_how {
	GEN_FETCH_NEW = 1,	/* a body fresh from the server */
	GEN_FETCH_SAME = 2,	/* 304: the cached copy is current */
	GEN_FETCH_CACHED = 3,	/* read from the cache only */
};

struct gen_fetch {
	uint8_t *data;		/* owned; gen_fetch_free() */
	size_t len;
	int how;		/* enum gen_fetch_how */
	char etag[256];		/* validators the server sent ("" if none) */
	char last_modified[64];
};

/* 1 if s names an http:// URL (what gen_fetch_get takes). */
int gen_fetch_is_url(const char *s);

/*
 * Download url into f, conditionally when cache holds a copy from the same
 * URL (then a 304 yields that copy with how = GEN_FETCH_SAME).  Non-zero
 * with a detail naming the URL when the server cannot be reached, answers
 * an error status, times out or sends more than GEN_FETCH_MAX_SIZE
 * octets; the caller may then fall back to gen_fetch_cached().
 */
int gen_fetch_get(const char *url, const char *cache, struct gen_fetch *f);

/* The cached copy (how = GEN_FETCH_CACHED); OP_E_NOTFOUND if none. */
int gen_fetch_cached(const char *cache, struct gen_fetch *f);

/* Keep f (a verified GEN_FETCH_NEW body) as the cache's copy of url. */
int gen_fetch_keep(const char *cache, const char *url, const struct gen_fetch *f);

void gen_fetch_free(struct gen_fetch *f);

#endif
