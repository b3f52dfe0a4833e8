/*
 * srv_alog: the access log, one line per request (ocsp-serve(8)):
 *
 *   TIME CLIENT METHOD ISSUER-KEY-HASH SERIAL RESULT STATUS BYTES MICROS
 *
 *   2026-11-22T05:30:00.123Z 192.0.2.7 POST 5F2A...C3 1003 revoked 200 1489 41
 *
 * TIME is UTC with milliseconds; CLIENT the peer's address, its network
 * or "-" (--access-log-ip full, truncate, none); METHOD GET,
 * POST, HEAD or "-" (not parsed or not one we answer); the issuer key hash
 * and serial in upper-case hex, "-" when the request named none we could
 * read; RESULT good, revoked, unauthorized, malformed, tryLater,
 * not_modified, not_found, or rejected (an HTTP-level refusal: 400, 405,
 * 411, 413, 431); STATUS the HTTP status; BYTES the octets of the answer
 * (head and body); MICROS the time from the whole request to its answer
 * being queued.  Fields never contain blanks.
 *
 * Costs little on the hot path: each worker formats into its own buffer
 * (no lock, no allocation), written with one write() when it is nearly
 * full and once a second.  Writers share one descriptor opened O_APPEND,
 * so whole buffers never interleave.  srv_alog_reopen() (SIGUSR1, for
 * logrotate) swaps the file under that descriptor number with dup2():
 * a buffer written before goes to the old file, after to the new one, and
 * none is lost.
 */
#ifndef SRV_ALOG_H
#define SRV_ALOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/* The log shared by all workers. */
struct srv_alog {
	int fd;			/* -1: no access log */
	const char *path;	/* NULL for stderr; not owned */
};

/*
 * Open spec: a file path (appended to, created 0640) or "stderr" (for
 * journald).  l->fd < 0 until this succeeds.
 */
int srv_alog_open(struct srv_alog *l, const char *spec);

/* Reopen the path (after logrotate renamed it); a no-op for stderr.
 * On failure the old file stays in use. */
int srv_alog_reopen(struct srv_alog *l);

void srv_alog_close(struct srv_alog *l);

/* --access-log-ip: what CLIENT shows.  The responder is where a client's
 * address meets the certificate it checks (a privacy concern; GDPR). */
enum srv_alog_ip {
	SRV_ALOG_IP_FULL,	/* the address */
	SRV_ALOG_IP_TRUNCATE,	/* its /24 (IPv4) or /48 (IPv6) network */
	SRV_ALOG_IP_NONE	/* "-" */
};

/* "full", "truncate", "none" to the mode: 0, or -1 for anything else. */
int srv_alog_ip_parse(const char *s, enum srv_alog_ip *mode);

/*
 * The CLIENT field for a peer at sa, as mode says, into buf (size >= 48):
 * truncate zeroes the host part (192.0.2.0, 2001:db8:1::); an IPv4
 * address mapped into IPv6 (::ffff:192.0.2.7, a dual-stack listener) is
 * cut as IPv4.  "-" for none or an address of another family.
 */
void srv_alog_client(const struct sockaddr *sa, enum srv_alog_ip mode,
		     char *buf, size_t size);

/* What one line says.  Pointers are borrowed for the call. */
struct srv_alog_entry {
	struct timespec when;		/* CLOCK_REALTIME */
	const char *client;		/* address text */
	const char *method;		/* "GET", ..., or "-" */
	const uint8_t *key;		/* op_key of the request, or NULL */
	size_t keylen;
	const char *result;
	int status;
	size_t bytes;
	long micros;
};

#define SRV_ALOG_LINE_MAX 512	/* a line never exceeds this */

/*
 * Format one line (with its newline) into out, which has room for
 * SRV_ALOG_LINE_MAX octets; returns its length.
 */
size_t srv_alog_format(char *out, const struct srv_alog_entry *e);

/* A worker's buffer. */
#define SRV_ALOG_BUF (64 * 1024)
struct srv_alog_buf {
	char *data;		/* SRV_ALOG_BUF octets, owned */
	size_t len;
};

int srv_alog_buf_init(struct srv_alog_buf *b);
void srv_alog_buf_free(struct srv_alog_buf *b);

/* Add a line, writing the buffer first if the line might not fit. */
void srv_alog_add(struct srv_alog_buf *b, const struct srv_alog *l,
		  const struct srv_alog_entry *e);

/* Write what is buffered (a write error drops it: the log never blocks
 * answers). */
void srv_alog_flush(struct srv_alog_buf *b, const struct srv_alog *l);

#endif
