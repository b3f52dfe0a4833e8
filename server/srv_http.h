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

/* The head of every response, built in one place: bounds-checked
 * appends into the caller's buffer.  Once an append does not fit the
 * builder is spent (sticky), and srv_http_head_end() returns 0. */
struct srv_http_head {
	char *out;		/* not owned */
	size_t cap, len;
	int overflow;
};

/* An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is always this long. */
#define SRV_HTTP_DATE_LEN 29
/* 9999-12-31T23:59:59Z, the last instant an IMF-fixdate can name. */
#define SRV_HTTP_DATE_MAX 253402300799LL
/* The longest reason phrase we send ("Request Header Fields Too Large");
 * srv_http.c's table does not compile with a longer one. */
#define SRV_HTTP_REASON_MAX 31
/* The longest number srv_http_head_num() writes (2^64 - 1). */
#define SRV_HTTP_NUM_MAX 20

/*
 * The octets a head takes at most, given the longest Content-Type and the
 * longest run of other fields (counted with SRV_HTTP_FIELD): status line,
 * Date, Content-Type, Content-Length, the fields, "Connection: close" and
 * the blank line.  A buffer this big cannot overflow (check_http proves
 * the sum against the builder).
 */
#define SRV_HTTP_FIELD(name, value_max) (sizeof(name ": \r\n") - 1 + (value_max))
#define SRV_HTTP_HEAD_MAX(type_max, fields_max) \
	(sizeof("HTTP/1.1 999 \r\n") - 1 + SRV_HTTP_REASON_MAX + \
	 SRV_HTTP_FIELD("Date", SRV_HTTP_DATE_LEN) + \
	 SRV_HTTP_FIELD("Content-Type", (type_max)) + \
	 SRV_HTTP_FIELD("Content-Length", SRV_HTTP_NUM_MAX) + (fields_max) + \
	 sizeof("Connection: close\r\n\r\n") - 1)

/* Start a head in out (cap octets): the status line and Date (an
 * IMF-fixdate). */
void srv_http_head_start(struct srv_http_head *h, char *out, size_t cap,
			 int status, const char *date);

/* Append n octets as they are (part of a field the caller composes). */
void srv_http_head_put(struct srv_http_head *h, const char *s, size_t n);

/* Append a decimal number / the IMF-fixdate of t (clamped as
 * srv_http_date says). */
void srv_http_head_num(struct srv_http_head *h, unsigned long long v);
void srv_http_head_date(struct srv_http_head *h, int64_t t);

/* Append the whole field "name: value\r\n". */
void srv_http_head_field(struct srv_http_head *h, const char *name,
			 const char *value);

/* Add "Connection: close" if close, and the blank line: the head's
 * length, or 0 if it did not fit. */
size_t srv_http_head_end(struct srv_http_head *h, int close);

/* The IMF-fixdate of t into buf (SRV_HTTP_DATE_LEN + 1 octets, with its
 * NUL); t is clamped to 1970..9999. */
void srv_http_date(int64_t t, char *buf);

/* The Date header's value, formatted once per second. */
struct srv_http_clock {
	int64_t sec;
	char date[SRV_HTTP_DATE_LEN + 1];
};

/* The date for now (seconds); points into k, valid until the next call. */
const char *srv_http_clock_date(struct srv_http_clock *k, int64_t now);

#endif
