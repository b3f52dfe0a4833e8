/*
 * op_time: the clock, durations and the time formats our inputs use.
 *
 * All times are seconds since the epoch (int64_t, UTC).  op_time_now() reads
 * the environment variable OCSP_PRESIGN_NOW once, if set, so that tests can
 * run the real programs at a chosen instant; op_time_set_fake() does the same
 * for unit tests.  Production never sets either.
 */
#ifndef OP_TIME_H
#define OP_TIME_H

#include <stdint.h>
#include <openssl/asn1.h>

int64_t op_time_now(void);

/* Pin the clock to t (t < 0 returns to the real clock). */
void op_time_set_fake(int64_t t);

/* Parse "90", "30s", "15m", "12h", "7d" into seconds (> 0). */
int op_dur_parse(const char *s, int64_t *secs);

/* Format secs back in the largest exact unit ("7d", "90m"); buf >= 24. */
void op_dur_format(int64_t secs, char *buf, size_t size);

/* Parse GeneralizedTime "YYYYMMDDHHMMSSZ" (local revocations). */
int op_time_parse_gt(const char *s, int64_t *t);

/* Parse UTCTime "YYMMDDHHMMSSZ" (OpenSSL index.txt). */
int op_time_parse_utc(const char *s, int64_t *t);

/* ASN1_TIME (UTCTime or GeneralizedTime) to epoch seconds. */
int op_time_from_asn1(const ASN1_TIME *a, int64_t *t);

/* "2026-11-21T18:51:49Z"; buf >= 21. */
void op_time_iso(int64_t t, char *buf, size_t size);

#endif
