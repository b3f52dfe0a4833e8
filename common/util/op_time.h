/*
 * op_time: the clock, durations and the time formats our inputs use.
 *
 * All times are seconds since the epoch (int64_t, UTC).
 *
 * The test clock: in a build made with `make TEST_CLOCK=1` (what make
 * check and the benches build; OP_TEST_CLOCK defined), op_time_init()
 * takes OCSP_PRESIGN_NOW=UNIX-SECONDS from the environment, so that tests
 * can run the real programs at a chosen instant.  A production build
 * refuses to start when the variable is set: one stray variable in a unit
 * file must never make an edge serve expired responses as fresh.
 * op_time_set_fake() pins the clock from code (unit tests, fuzz targets).
 */
#ifndef OP_TIME_H
#define OP_TIME_H

#include <stdint.h>
#include <openssl/asn1.h>

/* The environment variable of the test clock. */
#define OP_TIME_ENV "OCSP_PRESIGN_NOW"

/*
 * Read the clock's source once, in main() before any thread starts
 * (op_time_now() never reads the environment, so threads do not race on
 * it).  Test build: OCSP_PRESIGN_NOW, when set, pins the clock (OP_E_CONFIG
 * if it is not a number of seconds).  Production build: OP_E_CONFIG, with
 * a message naming the variable, when it is set at all.
 */
int op_time_init(void);

/* 1 in a TEST_CLOCK build (the variable is honoured), 0 in production. */
int op_time_test_build(void);

int64_t op_time_now(void);

/* Pin the clock to t (t < 0 returns to the real clock). */
void op_time_set_fake(int64_t t);

/* Parse "90", "30s", "15m", "12h", "7d" into seconds (> 0). */
int op_time_dur_parse(const char *s, int64_t *secs);

/* Format secs back in the largest exact unit ("7d", "90m"); buf >= 24. */
void op_time_dur_format(int64_t secs, char *buf, size_t size);

/* Parse GeneralizedTime "YYYYMMDDHHMMSSZ" (local revocations). */
int op_time_parse_gt(const char *s, int64_t *t);

/* Parse UTCTime "YYMMDDHHMMSSZ" (OpenSSL index.txt). */
int op_time_parse_utc(const char *s, int64_t *t);

/* ASN1_TIME (UTCTime or GeneralizedTime) to epoch seconds. */
int op_time_from_asn1(const ASN1_TIME *a, int64_t *t);

/* "2026-11-21T18:51:49Z"; buf >= 21. */
void op_time_iso(int64_t t, char *buf, size_t size);

#endif
