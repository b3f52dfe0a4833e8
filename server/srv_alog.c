#include "srv_alog.h"
#include "op_err.h"
#include "op_key.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int srv_alog_open(struct srv_alog *l, const char *spec)
{
	l->fd = -1;
	l->path = NULL;
	if (strcmp(spec, "stderr") == 0) {
		l->fd = STDERR_FILENO;
		return 0;
	}
	l->fd = open(spec, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (l->fd < 0)
		return op_err_set(OP_E_SYS, "--access-log %s: %s", spec,
				  strerror(errno));
	l->path = spec;
	return 0;
}

int srv_alog_reopen(struct srv_alog *l)
{
	int fd, rc = 0;

	if (!l->path || l->fd < 0)
		return 0;
	fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return op_err_set(OP_E_SYS, "reopening %s: %s", l->path,
				  strerror(errno));
	/* Atomic for the workers: the descriptor number they write to now
	 * names the new file. */
	if (dup3(fd, l->fd, O_CLOEXEC) < 0)
		rc = op_err_set(OP_E_SYS, "reopening %s: %s", l->path,
				strerror(errno));
	close(fd);
	return rc;
}

void srv_alog_close(struct srv_alog *l)
{
	if (l->fd >= 0 && l->path)
		close(l->fd);
	l->fd = -1;
}

int srv_alog_ip_parse(const char *s, enum srv_alog_ip *mode)
{
	static const char *const names[] = { "full", "truncate", "none" };

	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*mode = (enum srv_alog_ip)i;
			return 0;
		}
	return -1;
}

void srv_alog_client(const struct sockaddr *sa, enum srv_alog_ip mode,
		     char *buf, size_t size)
{
	struct in_addr v4;
	struct in6_addr v6;
	int family = sa->sa_family;

	if (family == AF_INET) {
		v4 = ((const struct sockaddr_in *)sa)->sin_addr;
	} else if (family == AF_INET6) {
		v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (mode == SRV_ALOG_IP_TRUNCATE && IN6_IS_ADDR_V4MAPPED(&v6)) {
			family = AF_INET;
			memcpy(&v4, v6.s6_addr + 12, 4);
		}
	}
	if (mode == SRV_ALOG_IP_TRUNCATE && family == AF_INET)
		v4.s_addr &= htonl(0xffffff00u);
	else if (mode == SRV_ALOG_IP_TRUNCATE && family == AF_INET6)
		memset(v6.s6_addr + 6, 0, 10);
	if (mode == SRV_ALOG_IP_NONE || (family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, family == AF_INET ? (const void *)&v4 :
		       (const void *)&v6, buf, (socklen_t)size))
		snprintf(buf, size, "-");
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *put_uint(char *p, unsigned long long v, int width)
{
	char d[24];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n < width);
	while (n)
		*p++ = d[--n];
	return p;
}

static char *put_hex(char *p, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		*p++ = hex[s[i] >> 4];
		*p++ = hex[s[i] & 15];
	}
	return p;
}

/* Text that cannot break the line's fields (it comes from the caller's
 * own tables or inet_ntop, but a line must stay one line). */
static char *put_field(char *p, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max; i++)
		*p++ = s[i] > ' ' && s[i] < 127 ? s[i] : '?';
	if (i == 0)
		*p++ = '-';
	return p;
}

size_t srv_alog_format(char *out, const struct srv_alog_entry *e)
{
	time_t t = e->when.tv_sec;
	struct tm tm;
	char *p = out;
	size_t h;

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));	/* year 1900: visibly wrong */
	p = put_uint(p, (unsigned)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = put_uint(p, (unsigned)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_uint(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = put_uint(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = put_uint(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = put_uint(p, (unsigned)tm.tm_sec, 2);
	*p++ = '.';
	p = put_uint(p, (unsigned long long)e->when.tv_nsec / 1000000, 3);
	p = put_str(p, "Z ");
	p = put_field(p, e->client, 64);
	*p++ = ' ';
	p = put_field(p, e->method, 8);
	*p++ = ' ';
	/* key: tag | issuerNameHash(H) | issuerKeyHash(H) | serial */
	h = e->key && e->keylen ? op_hash_len(e->key[0]) : 0;
	if (h && e->keylen > 1 + 2 * h && e->keylen - 1 - 2 * h <= OP_SERIAL_MAX) {
		p = put_hex(p, e->key + 1 + h, h);
		*p++ = ' ';
		p = put_hex(p, e->key + 1 + 2 * h, e->keylen - 1 - 2 * h);
	} else {
		p = put_str(p, "- -");
	}
	*p++ = ' ';
	p = put_field(p, e->result, 16);
	*p++ = ' ';
	p = put_uint(p, (unsigned)e->status, 3);
	*p++ = ' ';
	p = put_uint(p, e->bytes, 1);
	*p++ = ' ';
	p = put_uint(p, e->micros > 0 ? (unsigned long long)e->micros : 0, 1);
	*p++ = '\n';
	return (size_t)(p - out);
}

int srv_alog_buf_init(struct srv_alog_buf *b)
{
	b->len = 0;
	return (b->data = malloc(SRV_ALOG_BUF)) ? 0 : OP_E_NOMEM;
}

void srv_alog_buf_free(struct srv_alog_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

void srv_alog_flush(struct srv_alog_buf *b, const struct srv_alog *l)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(l->fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	b->len = 0;
}

void srv_alog_add(struct srv_alog_buf *b, const struct srv_alog *l,
		  const struct srv_alog_entry *e)
{
	if (SRV_ALOG_BUF - b->len < SRV_ALOG_LINE_MAX)
		srv_alog_flush(b, l);
	b->len += srv_alog_format(b->data + b->len, e);
}
