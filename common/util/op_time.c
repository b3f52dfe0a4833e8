#include "op_time.h"
#include "op_err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Written before threads start (op_time_init, or a test's
 * op_time_set_fake), only read after. */
static int64_t fake = -1;

#ifdef OP_TEST_CLOCK
int op_time_test_build(void)
{
	return 1;
}

int op_time_init(void)
{
	const char *e = getenv(OP_TIME_ENV);
	char *end;
	long long v;

	if (!e || !*e)
		return 0;
	errno = 0;
	v = strtoll(e, &end, 10);
	if (errno || *end || v < 0)
		return op_err_set(OP_E_CONFIG, "%s='%s': expected seconds since "
				  "1970", OP_TIME_ENV, e);
	fake = v;
	return 0;
}
#else
int op_time_test_build(void)
{
	return 0;
}

int op_time_init(void)
{
	if (getenv(OP_TIME_ENV))
		return op_err_set(OP_E_CONFIG, "%s is set, but this is a production "
				  "build, which never runs on a fake clock: unset "
				  "it (only `make TEST_CLOCK=1` builds honour it)",
				  OP_TIME_ENV);
	return 0;
}
#endif

int64_t op_time_now(void)
{
	return fake >= 0 ? fake : (int64_t)time(NULL);
}

void op_time_set_fake(int64_t t)
{
	fake = t;
}

int op_time_dur_parse(const char *s, int64_t *secs)
{
	char *end;
	long long v;
	int64_t mult = 1;

	if (!s || !isdigit((unsigned char)*s))
		return op_err_set(OP_E_PARSE, "duration '%s': expected a number "
				  "with an optional s, m, h or d suffix",
				  s ? s : "");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v <= 0)
		return op_err_set(OP_E_RANGE, "duration '%s' must be positive", s);
	switch (*end) {
	case '\0': case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default:
		return op_err_set(OP_E_PARSE, "duration '%s': unknown unit '%c'",
				  s, *end);
	}
	if (*end && end[1] != '\0')
		return op_err_set(OP_E_PARSE, "duration '%s': trailing text", s);
	/* Ten years is already absurd for a response validity. */
	if (v > 3650LL * 86400 / mult)
		return op_err_set(OP_E_RANGE, "duration '%s' is too long", s);
	*secs = v * mult;
	return 0;
}

void op_time_dur_format(int64_t secs, char *buf, size_t size)
{
	if (secs % 86400 == 0)
		snprintf(buf, size, "%lldd", (long long)(secs / 86400));
	else if (secs % 3600 == 0)
		snprintf(buf, size, "%lldh", (long long)(secs / 3600));
	else if (secs % 60 == 0)
		snprintf(buf, size, "%lldm", (long long)(secs / 60));
	else
		snprintf(buf, size, "%llds", (long long)secs);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int fields_to_time(int year, const char *s, int64_t *t)
{
	struct tm tm = { 0 };
	int mon, mday, hour, min, sec;

	if (digits(s, 2, &mon) || digits(s + 2, 2, &mday) ||
	    digits(s + 4, 2, &hour) || digits(s + 6, 2, &min) ||
	    digits(s + 8, 2, &sec) || s[10] != 'Z' || s[11] != '\0')
		return -1;
	if (mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 ||
	    min > 59 || sec > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	*t = (int64_t)timegm(&tm);
	return 0;
}

int op_time_parse_gt(const char *s, int64_t *t)
{
	int year;

	if (strlen(s) != 15 || digits(s, 4, &year) || fields_to_time(year, s + 4, t))
		return op_err_set(OP_E_PARSE, "time '%s': expected YYYYMMDDHHMMSSZ", s);
	return 0;
}

int op_time_parse_utc(const char *s, int64_t *t)
{
	int yy;

	if (strlen(s) != 13 || digits(s, 2, &yy) ||
	    fields_to_time(yy < 50 ? 2000 + yy : 1900 + yy, s + 2, t))
		return op_err_set(OP_E_PARSE, "time '%s': expected YYMMDDHHMMSSZ", s);
	return 0;
}

int op_time_from_asn1(const ASN1_TIME *a, int64_t *t)
{
	struct tm tm;

	if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
		return op_err_set(OP_E_PARSE, "invalid ASN.1 time");
	*t = (int64_t)timegm(&tm);
	return 0;
}

void op_time_iso(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		snprintf(buf, size, "(time %lld)", (long long)t);
	else
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
