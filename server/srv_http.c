#include "srv_http.h"

#include <string.h>
#include <strings.h>
#include <time.h>

/* RFC 9110 5.6.2 tchar: what a method or a field name is made of. */
static int tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int ows(char c)
{
	return c == ' ' || c == '\t';
}

static int token_in(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	for (size_t i = 0; i + tl <= n; i++)
		if (strncasecmp(v + i, tok, tl) == 0)
			return 1;
	return 0;
}

/*
 * Find the head in buf[0..lim): *start after any empty lines that precede
 * the request line (RFC 9112 2.2), *end after the blank line that ends it.
 * Every line must end in CRLF: a bare CR or LF, or a NUL, is refused the
 * moment it is seen, so the verdict does not depend on how the octets
 * arrived (found by the fuzz target), nor on what follows the head.
 */
static int head_scan(const char *buf, size_t lim, size_t *start, size_t *end)
{
	size_t line = 0;

	*start = 0;
	for (size_t i = 0; i < lim; i++) {
		if (buf[i] == '\0' || buf[i] == '\n')
			return SRV_HTTP_BAD;
		if (buf[i] != '\r')
			continue;
		if (i + 1 == lim)
			return SRV_HTTP_NEED_MORE;
		if (buf[i + 1] != '\n')
			return SRV_HTTP_BAD;
		if (i == line && line == *start) {
			*start = line = i + 2;	/* empty line before the request */
		} else if (i == line) {
			*end = i + 2;
			return SRV_HTTP_DONE;
		} else {
			line = i + 2;
		}
		i++;
	}
	return SRV_HTTP_NEED_MORE;
}

/* The absolute form (RFC 9112 3.2.2) "http://host/path": point the target
 * at the path, which the server reads as it reads the origin form. */
static void absolute_form(struct srv_http_req *r)
{
	const char *t = r->target, *e = t + r->target_len, *p;
	size_t skip;

	if (r->target_len >= 7 && strncasecmp(t, "http://", 7) == 0)
		skip = 7;
	else if (r->target_len >= 8 && strncasecmp(t, "https://", 8) == 0)
		skip = 8;
	else
		return;
	for (p = t + skip; p < e && *p != '/' && *p != '?'; p++)
		;
	r->target = p;
	r->target_len = (size_t)(e - p);
}

/* "METHOD SP TARGET SP HTTP/1.D" at p[0..n), nothing more. */
static int request_line(const char *p, size_t n, struct srv_http_req *r)
{
	const char *e = p + n, *sp1, *sp2;

	for (sp1 = p; sp1 < e && tchar((unsigned char)*sp1); sp1++)
		;
	if (sp1 == p || sp1 == e || *sp1 != ' ')
		return SRV_HTTP_BAD;
	/* The target: visible ASCII only, so it never hides a blank. */
	for (sp2 = sp1 + 1; sp2 < e && *sp2 > ' ' && *sp2 < 127; sp2++)
		;
	if (sp2 == sp1 + 1 || e - sp2 != 9 || memcmp(sp2, " HTTP/1.", 8) != 0 ||
	    sp2[8] < '0' || sp2[8] > '9')
		return SRV_HTTP_BAD;
	r->keep_alive = sp2[8] != '0';
	if (sp1 - p == 3 && memcmp(p, "GET", 3) == 0)
		r->method = SRV_HTTP_GET;
	else if (sp1 - p == 4 && memcmp(p, "POST", 4) == 0)
		r->method = SRV_HTTP_POST;
	else if (sp1 - p == 4 && memcmp(p, "HEAD", 4) == 0)
		r->method = SRV_HTTP_HEAD;
	else
		r->method = SRV_HTTP_OTHER;
	r->target = sp1 + 1;
	r->target_len = (size_t)(sp2 - sp1 - 1);
	absolute_form(r);
	return SRV_HTTP_DONE;
}

/* Content-Length: a list of equal decimal values (RFC 9112 6.3: "42, 42"
 * from a proxy that merged two), equal to any earlier one too. */
static int content_length(const char *v, size_t vlen, struct srv_http_req *r)
{
	const char *e = v + vlen;

	while (v < e) {
		long long cl = 0;
		size_t digits = 0;

		for (; v < e && *v >= '0' && *v <= '9' && digits <= 12; v++, digits++)
			cl = cl * 10 + (*v - '0');
		if (digits == 0 || digits > 12 ||
		    (r->content_length >= 0 && cl != r->content_length))
			return SRV_HTTP_BAD;
		r->content_length = cl;
		while (v < e && ows(*v))
			v++;
		if (v == e)
			break;
		if (*v++ != ',')
			return SRV_HTTP_BAD;
		while (v < e && ows(*v))
			v++;
		if (v == e)
			return SRV_HTTP_BAD;	/* "5," */
	}
	return r->content_length >= 0 ? SRV_HTTP_DONE : SRV_HTTP_BAD;
}

static int name_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp(name, want, n) == 0;
}

/*
 * One field line p[0..n) (no CRLF): "NAME: VALUE".  The name is a token
 * right against the colon (RFC 9112 5.1: whitespace before it is a 400),
 * the line does not start with a blank (obs-fold) and the value holds no
 * control character.  Fields we do not use are checked and skipped.
 */
static int header_line(const char *p, size_t n, struct srv_http_req *r,
		       int *hosts)
{
	const char *colon = memchr(p, ':', n), *v, *e = p + n;
	size_t nlen, vlen;

	if (!colon || colon == p)
		return SRV_HTTP_BAD;
	nlen = (size_t)(colon - p);
	for (size_t i = 0; i < nlen; i++)
		if (!tchar((unsigned char)p[i]))
			return SRV_HTTP_BAD;
	for (v = colon + 1; v < e; v++)
		if (((unsigned char)*v < ' ' && *v != '\t') || *v == 127)
			return SRV_HTTP_BAD;
	for (v = colon + 1; v < e && ows(*v); v++)
		;
	while (e > v && ows(e[-1]))
		e--;
	vlen = (size_t)(e - v);
	if (name_is(p, nlen, "content-length"))
		return content_length(v, vlen, r);
	if (name_is(p, nlen, "transfer-encoding")) {
		r->chunked = 1;
	} else if (name_is(p, nlen, "host")) {
		if (++*hosts > 1)
			return SRV_HTTP_BAD;	/* RFC 9112 3.2 */
	} else if (name_is(p, nlen, "connection")) {
		if (token_in(v, vlen, "close"))
			r->keep_alive = 0;
		else if (token_in(v, vlen, "keep-alive"))
			r->keep_alive = 1;
	} else if (name_is(p, nlen, "if-none-match")) {
		r->if_none_match = v;
		r->if_none_match_len = vlen;
	} else if (name_is(p, nlen, "expect")) {
		r->expect_continue = token_in(v, vlen, "100-continue");
	}
	return SRV_HTTP_DONE;
}

int srv_http_parse(const char *buf, size_t len, size_t max_head,
		   struct srv_http_req *r)
{
	size_t lim = len < max_head ? len : max_head, start, end, eol;
	int rc, hosts = 0;

	/* Find the blank line first: until it arrives nothing is parsed. */
	rc = head_scan(buf, lim, &start, &end);
	if (rc == SRV_HTTP_NEED_MORE)
		return len >= max_head ? SRV_HTTP_TOO_LARGE : SRV_HTTP_NEED_MORE;
	if (rc != SRV_HTTP_DONE)
		return rc;
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	r->head_len = end;
	/* Every CR in buf[0..end) starts a CRLF (head_scan). */
	eol = start + (size_t)((const char *)memchr(buf + start, '\r', end - start) -
			       (buf + start));
	if ((rc = request_line(buf + start, eol - start, r)) != SRV_HTTP_DONE)
		return rc;
	for (size_t p = eol + 2; p < end - 2; p = eol + 2) {
		eol = p + (size_t)((const char *)memchr(buf + p, '\r', end - p) - (buf + p));
		if (buf[p] == ' ' || buf[p] == '\t')
			return SRV_HTTP_BAD;	/* obsolete line folding */
		if ((rc = header_line(buf + p, eol - p, r, &hosts)) != SRV_HTTP_DONE)
			return rc;
	}
	/* Two framings: which one a proxy in front believed is unknowable
	 * (request smuggling), so neither is trusted (RFC 9112 6.1). */
	if (r->chunked && r->content_length >= 0)
		return SRV_HTTP_BAD;
	return SRV_HTTP_DONE;
}

/* A reason phrase longer than SRV_HTTP_REASON_MAX does not compile
 * (-Werror: initializer-string too long), which keeps
 * SRV_HTTP_HEAD_MAX an upper bound. */
static const struct {
	int status;
	char text[SRV_HTTP_REASON_MAX + 1];
} reasons[] = {
	{ 200, "OK" }, { 304, "Not Modified" }, { 400, "Bad Request" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 408, "Request Timeout" }, { 411, "Length Required" },
	{ 413, "Payload Too Large" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
};

static const char *reason(int status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	return "Error";
}

void srv_http_head_put(struct srv_http_head *h, const char *s, size_t n)
{
	if (h->overflow || h->cap - h->len < n) {
		h->overflow = 1;
		return;
	}
	memcpy(h->out + h->len, s, n);
	h->len += n;
}

#define PUTS(h, s) srv_http_head_put((h), (s), strlen(s))

void srv_http_head_num(struct srv_http_head *h, unsigned long long v)
{
	char d[SRV_HTTP_NUM_MAX];
	size_t n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	srv_http_head_put(h, d + sizeof(d) - n, n);
}

void srv_http_head_date(struct srv_http_head *h, int64_t t)
{
	char d[SRV_HTTP_DATE_LEN + 1];

	srv_http_date(t, d);
	srv_http_head_put(h, d, SRV_HTTP_DATE_LEN);
}

void srv_http_head_field(struct srv_http_head *h, const char *name,
			 const char *value)
{
	PUTS(h, name);
	srv_http_head_put(h, ": ", 2);
	PUTS(h, value);
	srv_http_head_put(h, "\r\n", 2);
}

void srv_http_head_start(struct srv_http_head *h, char *out, size_t cap,
			 int status, const char *date)
{
	h->out = out;
	h->cap = cap;
	h->len = 0;
	h->overflow = 0;
	srv_http_head_put(h, "HTTP/1.1 ", 9);
	srv_http_head_num(h, (unsigned)status % 1000);
	srv_http_head_put(h, " ", 1);
	PUTS(h, reason(status));
	srv_http_head_put(h, "\r\n", 2);
	srv_http_head_field(h, "Date", date);
}

size_t srv_http_head_end(struct srv_http_head *h, int close)
{
	if (close)
		PUTS(h, "Connection: close\r\n");
	srv_http_head_put(h, "\r\n", 2);
	return h->overflow ? 0 : h->len;
}

static void two(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* By hand rather than strftime(): it is on every answer, and strftime
 * consults the locale and time zone each call. */
void srv_http_date(int64_t t, char *buf)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t tt;
	struct tm tm;

	/* An IMF-fixdate has a four-digit year; a record's time outside
	 * 1970..9999 (a damaged file) must not index past the tables. */
	if (t < 0)
		t = 0;
	if (t > SRV_HTTP_DATE_MAX)
		t = SRV_HTTP_DATE_MAX;
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm)) {
		memcpy(buf, "Thu, 01 Jan 1970 00:00:00 GMT", SRV_HTTP_DATE_LEN + 1);
		return;
	}
	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	memcpy(buf, days + 3 * tm.tm_wday, 3);
	memcpy(buf + 3, ", ", 2);
	two(buf + 5, tm.tm_mday);
	buf[7] = ' ';
	memcpy(buf + 8, months + 3 * tm.tm_mon, 3);
	buf[11] = ' ';
	two(buf + 12, (tm.tm_year + 1900) / 100);
	two(buf + 14, (tm.tm_year + 1900) % 100);
	buf[16] = ' ';
	two(buf + 17, tm.tm_hour);
	buf[19] = ':';
	two(buf + 20, tm.tm_min);
	buf[22] = ':';
	two(buf + 23, tm.tm_sec);
	memcpy(buf + 25, " GMT", 5);
}

const char *srv_http_clock_date(struct srv_http_clock *k, int64_t now)
{
	if (now != k->sec || !k->date[0]) {
		k->sec = now;
		srv_http_date(now, k->date);
	}
	return k->date;
}
