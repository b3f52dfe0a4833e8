#include "srv_http.h"

#include <string.h>
#include <strings.h>

static int hdr_is(const char *line, size_t n, const char *name, size_t nlen)
{
	return n > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0;
}

/* Value of a header line: after the colon, blanks trimmed on both sides. */
static const char *hdr_value(const char *line, size_t n, size_t nlen, size_t *vlen)
{
	const char *v = line + nlen + 1, *e = line + n;

	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*vlen = (size_t)(e - v);
	return v;
}

static int token_in(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	for (size_t i = 0; i + tl <= n; i++)
		if (strncasecmp(v + i, tok, tl) == 0)
			return 1;
	return 0;
}

/* The end of the head (after its blank line) within lim octets, or NULL.
 * The whole head must lie within lim, so the verdict does not depend on
 * how the octets arrived (found by the fuzz target). */
static const char *head_end(const char *buf, size_t lim)
{
	for (size_t i = 0; i < lim; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < lim && buf[i + 1] == '\n')
			return buf + i + 2;
		if (i + 2 < lim && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return buf + i + 3;
	}
	return NULL;
}

/* "METHOD TARGET HTTP/1.x" ending at eol. */
static int request_line(const char *p, const char *eol, struct srv_http_req *r)
{
	const char *sp1 = memchr(p, ' ', (size_t)(eol - p)), *sp2;

	if (!sp1)
		return SRV_HTTP_BAD;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1 || (size_t)(eol - sp2) < 9 ||
	    memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return SRV_HTTP_BAD;
	r->keep_alive = sp2[8] == '1';
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
	return SRV_HTTP_DONE;
}

/* Content-Length: digits only, at most once. */
static int content_length(const char *v, size_t vlen, struct srv_http_req *r)
{
	long long cl = 0;

	if (vlen == 0 || vlen > 12 || r->content_length >= 0)
		return SRV_HTTP_BAD;
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return SRV_HTTP_BAD;
		cl = cl * 10 + (v[i] - '0');
	}
	r->content_length = cl;
	return SRV_HTTP_DONE;
}

/* One header line p[0..n) (no line end); the headers we do not use are
 * skipped. */
static int header_line(const char *p, size_t n, struct srv_http_req *r)
{
	const char *v;
	size_t vlen;

	if (p[0] == ' ' || p[0] == '\t')
		return SRV_HTTP_BAD;	/* obsolete line folding */
	if (hdr_is(p, n, "content-length", 14)) {
		v = hdr_value(p, n, 14, &vlen);
		return content_length(v, vlen, r);
	}
	if (hdr_is(p, n, "transfer-encoding", 17)) {
		r->chunked = 1;
	} else if (hdr_is(p, n, "connection", 10)) {
		v = hdr_value(p, n, 10, &vlen);
		if (token_in(v, vlen, "close"))
			r->keep_alive = 0;
		else if (token_in(v, vlen, "keep-alive"))
			r->keep_alive = 1;
	} else if (hdr_is(p, n, "if-none-match", 13)) {
		r->if_none_match = hdr_value(p, n, 13, &r->if_none_match_len);
	} else if (hdr_is(p, n, "expect", 6)) {
		v = hdr_value(p, n, 6, &vlen);
		r->expect_continue = token_in(v, vlen, "100-continue");
	}
	return SRV_HTTP_DONE;
}

int srv_http_parse(const char *buf, size_t len, size_t max_head,
		   struct srv_http_req *r)
{
	const char *p, *end, *eol;
	int rc;

	/* Find the blank line first: until it arrives nothing is parsed. */
	end = head_end(buf, len < max_head ? len : max_head);
	if (!end)
		return len >= max_head ? SRV_HTTP_TOO_LARGE : SRV_HTTP_NEED_MORE;
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	r->head_len = (size_t)(end - buf);
	eol = memchr(buf, '\n', (size_t)(end - buf));
	if ((rc = request_line(buf, eol, r)) != SRV_HTTP_DONE)
		return rc;
	for (p = eol + 1; p < end; p = eol + 1) {
		size_t n;

		eol = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)(eol - p);
		if (n == 0 || (n == 1 && p[0] == '\r'))
			break;
		if ((rc = header_line(p, n, r)) != SRV_HTTP_DONE)
			return rc;
	}
	return SRV_HTTP_DONE;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

/* Append s to out at *o; 0 if it does not fit. */
static int put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (*o + n > cap)
		return 0;
	memcpy(out + *o, s, n);
	*o += n;
	return 1;
}

#define PUTS(s) put(out, cap, &o, (s), strlen(s))

static int put_num(char *out, size_t cap, size_t *o, unsigned long long v)
{
	char d[24];
	size_t n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return put(out, cap, o, d + sizeof(d) - n, n);
}

size_t srv_http_head(char *out, size_t cap, int status, const char *date,
		     const char *content_type, long long content_length,
		     const char *extra, int close)
{
	size_t o = 0;

	if (!PUTS("HTTP/1.1 ") || !put_num(out, cap, &o, (unsigned)status) ||
	    !PUTS(" ") || !PUTS(reason(status)) || !PUTS("\r\nDate: ") ||
	    !PUTS(date) || !PUTS("\r\n"))
		return 0;
	if (content_type && (!PUTS("Content-Type: ") || !PUTS(content_type) ||
			     !PUTS("\r\n")))
		return 0;
	if (content_length >= 0 &&
	    (!PUTS("Content-Length: ") ||
	     !put_num(out, cap, &o, (unsigned long long)content_length) ||
	     !PUTS("\r\n")))
		return 0;
	if (extra && !PUTS(extra))
		return 0;
	if (close && !PUTS("Connection: close\r\n"))
		return 0;
	if (!PUTS("\r\n"))
		return 0;
	return o;
}
