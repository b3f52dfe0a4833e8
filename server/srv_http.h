/*
 * srv_http: the little of HTTP/1.1 an OCSP responder needs, without
 * allocating: parse a request head in place, format a response head.
 *
 * Measured reason (README, Performance): with evhttp, allocation, printf
 * and scanf-based parsing and per-request epoll/mutex work took most of
 * the server's time while the OCSP lookup took under 3%.
 */
#ifndef SRV_HTTP_H
#define SRV_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* The methods we answer, then everything else (405). */
enum srv_http_method { SRV_HTTP_GET, SRV_HTTP_POST, SRV_HTTP_HEAD, SRV_HTTP_OTHER };

struct srv_http_req {
	int method;			/* enum srv_http_method */
	const char *target;		/* points into the buffer; the path of
					 * an absolute-form target */
	size_t target_len;
	int keep_alive;			/* 1.1 default, or "Connection: keep-alive" */
	long long content_length;	/* -1 if absent */
	int chunked;			/* Transfer-Encoding present */
	int expect_continue;
	const char *if_none_match;	/* NULL or into the buffer */
	size_t if_none_match_len;
	size_t head_len;		/* octets up to and including the blank line */
};

enum {
	SRV_HTTP_NEED_MORE = 0,
	SRV_HTTP_DONE = 1,
	SRV_HTTP_BAD = -1,		/* 400 */
	SRV_HTTP_TOO_LARGE = -2,	/* 431: the head is not within max_head */
};

/*
 * Parse the head at buf[0..len), strictly as RFC 9112 asks of a server
 * (request smuggling behind proxies lives in lenient parsers): lines end
 * in CRLF only; a bare CR or LF, a NUL, a control character in a value,
 * whitespace before a field's colon, obs-fold, a line without a colon,
 * two Host fields, Content-Length together with Transfer-Encoding, or
 * Content-Length values that differ are SRV_HTTP_BAD.  Empty lines before
 * the request line are skipped (and counted in head_len).  An absolute-form
 * target ("http://host/path") is reduced to its path.  Nothing is modified.
 */
int srv_http_parse(const char *buf, size_t len, size_t max_head,
		   struct srv_http_req *r);

/*
 * Format a response head into out (cap octets) and return its length, or
 * 0 if it does not fit.  extra is zero or more complete header lines
 * ("Name: value\r\n"), or NULL.  content_length < 0 omits the header
 * (304).  date is an IMF-fixdate.
 */
size_t srv_http_head(char *out, size_t cap, int status, const char *date,
		     const char *content_type, long long content_length,
		     const char *extra, int close);

#endif
