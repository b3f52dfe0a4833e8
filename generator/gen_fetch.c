#include "gen_fetch.h"
#include "op_err.h"
#include "op_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/x509v3.h>

#define HEAD_MAX 8192

/*
 * OpenSSL's client (3.0) keeps the response headers to itself and treats
 * 304 as an error.  A filter BIO pushed on each connection (through the
 * client's bio_update_fn) sees the octets go by and notes the status line
 * and the validators; it changes nothing.
 */
struct snoop {
	char head[HEAD_MAX];
	size_t n;
	int done;		/* blank line seen */
	int status;
	char etag[256];
	char last_modified[64];
};

static BIO_METHOD *snoop_method;

static void snoop_header(struct snoop *s, const char *name, char *dst,
			 size_t size)
{
	size_t nl = strlen(name);

	for (char *p = s->head; (p = strstr(p, "\r\n")) != NULL; p += 2) {
		size_t n;

		if (strncasecmp(p + 2, name, nl) != 0 || p[2 + nl] != ':')
			continue;
		p += 3 + nl;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "\r\n");
		if (n < size) {
			memcpy(dst, p, n);
			dst[n] = '\0';
		}
		return;
	}
}

static void snoop_feed(struct snoop *s, const char *buf, int len)
{
	char *end;

	if (s->done || len <= 0)
		return;
	if ((size_t)len > sizeof(s->head) - 1 - s->n)
		len = (int)(sizeof(s->head) - 1 - s->n);
	memcpy(s->head + s->n, buf, (size_t)len);
	s->n += (size_t)len;
	s->head[s->n] = '\0';
	/* The client stops reading after a status line it does not take. */
	if (!s->status && strstr(s->head, "\r\n") &&
	    strncmp(s->head, "HTTP/1.", 7) == 0 && s->n > 12)
		s->status = atoi(s->head + 9);
	if (!(end = strstr(s->head, "\r\n\r\n")) && s->n < sizeof(s->head) - 1)
		return;
	if (end)
		end[2] = '\0';
	s->done = 1;
	snoop_header(s, "ETag", s->etag, sizeof(s->etag));
	snoop_header(s, "Last-Modified", s->last_modified,
		     sizeof(s->last_modified));
}

static int snoop_read(BIO *b, char *buf, int len)
{
	int n = BIO_read(BIO_next(b), buf, len);

	BIO_clear_retry_flags(b);
	BIO_copy_next_retry(b);
	snoop_feed(BIO_get_data(b), buf, n);
	return n;
}

static int snoop_gets(BIO *b, char *buf, int len)
{
	int n = BIO_gets(BIO_next(b), buf, len);

	BIO_clear_retry_flags(b);
	BIO_copy_next_retry(b);
	snoop_feed(BIO_get_data(b), buf, n);
	return n;
}

static int snoop_write(BIO *b, const char *buf, int len)
{
	int n = BIO_write(BIO_next(b), buf, len);

	BIO_clear_retry_flags(b);
	BIO_copy_next_retry(b);
	return n;
}

static int snoop_puts(BIO *b, const char *s)
{
	return snoop_write(b, s, (int)strlen(s));
}

static long snoop_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	return BIO_next(b) ? BIO_ctrl(BIO_next(b), cmd, num, ptr) : 0;
}

static int snoop_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *snoop_meth(void)
{
	BIO_METHOD *m;

	if (snoop_method)
		return snoop_method;
	m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_FILTER, "ocsp-gen snoop");
	if (!m || !BIO_meth_set_read(m, snoop_read) ||
	    !BIO_meth_set_gets(m, snoop_gets) ||
	    !BIO_meth_set_write(m, snoop_write) ||
	    !BIO_meth_set_puts(m, snoop_puts) ||
	    !BIO_meth_set_ctrl(m, snoop_ctrl) ||
	    !BIO_meth_set_create(m, snoop_create)) {
		BIO_meth_free(m);
		return NULL;
	}
	return snoop_method = m;	/* one per process, never freed */
}

/* bio_update_fn: on every new connection (redirects too), start afresh. */
static BIO *snoop_push(BIO *conn, void *arg, int connect, int detail)
{
	struct snoop *s = arg;
	BIO *f;

	(void)detail;
	if (!connect)
		return conn;
	memset(s, 0, sizeof(*s));
	if (!snoop_meth() || !(f = BIO_new(snoop_meth())))
		return NULL;
	BIO_set_data(f, s);
	return BIO_push(f, conn);
}

/* ---------------- files ---------------- */

int gen_fetch_is_url(const char *s)
{
	return s && strncmp(s, "http://", 7) == 0;
}

void gen_fetch_free(struct gen_fetch *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* The validators kept with the cached copy, if it came from url. */
static void read_validators(const char *cache, const char *url,
			    struct gen_fetch *f)
{
	char path[PATH_MAX], line[512];
	int same_url = 0;
	FILE *in;

	f->etag[0] = f->last_modified[0] = '\0';
	if (snprintf(path, sizeof(path), "%s.http", cache) >= (int)sizeof(path) ||
	    !(in = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "url ", 4) == 0)
			same_url = strcmp(line + 4, url) == 0;
		else if (strncmp(line, "etag ", 5) == 0)
			snprintf(f->etag, sizeof(f->etag), "%.255s", line + 5);
		else if (strncmp(line, "last-modified ", 14) == 0)
			snprintf(f->last_modified, sizeof(f->last_modified),
				 "%.63s", line + 14);
	}
	fclose(in);
	if (!same_url)
		f->etag[0] = f->last_modified[0] = '\0';
}

static int write_atomic(const char *path, const void *data, size_t len)
{
	struct op_file f;
	int rc;

	if ((rc = op_file_begin(&f, path, 0644)) != 0)
		return rc;
	if ((rc = op_file_write_all(f.fd, data, len, path)) != 0) {
		op_file_abort(&f);
		return rc;
	}
	return op_file_commit(&f);
}

int gen_fetch_cached(const char *cache, struct gen_fetch *f)
{
	memset(f, 0, sizeof(*f));
	if (op_file_read(cache, &f->data, &f->len) != 0)
		return op_err_set(OP_E_NOTFOUND, "%s: no cached copy", cache);
	f->how = GEN_FETCH_CACHED;
	return 0;
}

int gen_fetch_keep(const char *cache, const char *url, const struct gen_fetch *f)
{
	char path[PATH_MAX], v[1024], dir[PATH_MAX];
	int n, rc;

	/* The default directory may not exist yet. */
	if ((rc = op_file_dir(cache, dir, sizeof(dir))) != 0)
		return rc;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return op_err_set(OP_E_SYS, "cache_dir %s: %s", dir,
				  strerror(errno));
	n = snprintf(v, sizeof(v), "url %s\netag %s\nlast-modified %s\n", url,
		     f->etag, f->last_modified);
	if (n >= (int)sizeof(v) ||
	    snprintf(path, sizeof(path), "%s.http", cache) >= (int)sizeof(path))
		return op_err_set(OP_E_RANGE, "%s: too long", cache);
	/* The copy first: validators naming an older copy would only cost a
	 * download, never pass an old CRL off as current. */
	unlink(path);
	op_file_cleanup(cache);
	op_file_cleanup(path);
	if ((rc = write_atomic(cache, f->data, f->len)) != 0 ||
	    (rc = write_atomic(path, v, (size_t)n)) != 0)
		return op_err_prefix(rc, "keeping a copy of %s", url);
	return 0;
}

/* ---------------- HTTP ---------------- */

static int add_header(STACK_OF(CONF_VALUE) **h, const char *name,
		      const char *value)
{
	return !value[0] || X509V3_add_value(name, value, h);
}

/*
 * One connection attempt.  The client retries a refused connection until
 * its timeout, for servers that are starting; a CDP that is down should
 * cost a run nothing, the cached copy is there for that.  Through a proxy
 * (http_proxy) the origin is not ours to probe.
 */
static int probe(const char *url, time_t deadline)
{
	char *host = NULL, *port = NULL;
	BIO *c = NULL;
	int rc = 0, r;

	if (getenv("http_proxy") || getenv("HTTP_PROXY") ||
	    !OSSL_parse_url(url, NULL, NULL, &host, &port, NULL, NULL, NULL, NULL))
		goto out;	/* OSSL_HTTP_get() reports a bad URL itself */
	if (!(c = BIO_new(BIO_s_connect())) || !BIO_set_conn_hostname(c, host) ||
	    !BIO_set_conn_port(c, port) || !BIO_set_nbio(c, 1)) {
		rc = op_err_ssl(OP_E_NOMEM, "%s: cannot fetch", url);
		goto out;
	}
	while ((r = BIO_do_connect(c)) <= 0) {
		if (!BIO_should_retry(c) || BIO_wait(c, deadline, 100) <= 0) {
			rc = op_err_ssl(OP_E_CRL, "%s: cannot fetch: cannot connect "
					"to %s port %s", url, host, port);
			break;
		}
	}
out:
	BIO_free_all(c);
	OPENSSL_free(host);
	OPENSSL_free(port);
	return rc;
}

/* The body, from a memory BIO or streamed from the (non-blocking)
 * connection: at most GEN_FETCH_MAX_SIZE octets, by the deadline. */
static int read_body(BIO *resp, const char *url, time_t deadline,
		     struct gen_fetch *f)
{
	size_t cap = 1 << 16;
	int n;

	if (!(f->data = malloc(cap)))
		return op_err_set(OP_E_NOMEM, "%s: out of memory", url);
	for (;;) {
		if (f->len == cap) {
			uint8_t *d;

			if (cap > GEN_FETCH_MAX_SIZE)
				return op_err_set(OP_E_CRL, "%s: cannot fetch: "
						  "larger than %zu octets", url,
						  GEN_FETCH_MAX_SIZE);
			if (!(d = realloc(f->data, cap * 2)))
				return op_err_set(OP_E_NOMEM, "%s: out of memory",
						  url);
			f->data = d;
			cap *= 2;
		}
		n = BIO_read(resp, f->data + f->len, (int)(cap - f->len));
		if (n < 0 && BIO_should_retry(resp)) {
			if (BIO_wait(resp, deadline, 100) <= 0)
				return op_err_set(OP_E_CRL, "%s: cannot fetch: no "
						  "answer within %d s", url,
						  GEN_FETCH_TIMEOUT);
			continue;
		}
		if (n <= 0)
			break;
		f->len += (size_t)n;
	}
	if (f->len == 0 || f->len > GEN_FETCH_MAX_SIZE)
		return op_err_set(OP_E_CRL, "%s: cannot fetch: %s", url,
				  f->len ? "too large" : "empty answer");
	return 0;
}

int gen_fetch_get(const char *url, const char *cache, struct gen_fetch *f)
{
	STACK_OF(CONF_VALUE) *headers = NULL;
	struct snoop *s = calloc(1, sizeof(*s));
	BIO *resp = NULL;
	time_t deadline;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (!s)
		return op_err_set(OP_E_NOMEM, "%s: out of memory", url);
	read_validators(cache, url, f);
	if (access(cache, R_OK) != 0)
		f->etag[0] = f->last_modified[0] = '\0';
	if (!add_header(&headers, "If-None-Match", f->etag) ||
	    !add_header(&headers, "If-Modified-Since", f->last_modified)) {
		rc = op_err_set(OP_E_NOMEM, "%s: out of memory", url);
		goto out;
	}
	ERR_clear_error();
	deadline = time(NULL) + GEN_FETCH_TIMEOUT;
	if ((rc = probe(url, deadline)) != 0)
		goto out;
	resp = OSSL_HTTP_get(url, NULL, NULL, NULL, NULL, snoop_push, s, 0,
			     headers, NULL, 0, GEN_FETCH_MAX_SIZE,
			     GEN_FETCH_TIMEOUT);
	if (!resp && s->status == 304 && (f->etag[0] || f->last_modified[0])) {
		ERR_clear_error();
		if ((rc = gen_fetch_cached(cache, f)) == 0)
			f->how = GEN_FETCH_SAME;
		goto out;
	}
	if (!resp) {
		if (s->status && s->status != 200)
			rc = op_err_set(OP_E_CRL, "%s: cannot fetch: the server "
					"answered HTTP %d", url, s->status);
		else
			rc = op_err_ssl(OP_E_CRL, "%s: cannot fetch", url);
		goto out;
	}
	if ((rc = read_body(resp, url, deadline, f)) != 0)
		goto out;
	f->how = GEN_FETCH_NEW;
	snprintf(f->etag, sizeof(f->etag), "%s", s->etag);
	snprintf(f->last_modified, sizeof(f->last_modified), "%s",
		 s->last_modified);
out:
	BIO_free_all(resp);
	sk_CONF_VALUE_pop_free(headers, X509V3_conf_free);
	free(s);
	ERR_clear_error();
	return rc;
}
