#include "srv_cache.h"
#include "op_key.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* By hand rather than strftime(): it is on every answer, and strftime
 * consults the locale and time zone each call. */
void srv_http_date(int64_t t, char *buf, size_t size)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t tt;
	struct tm tm;

	if (size < 30)
		return;
	/* An IMF-fixdate has a four-digit year; a record's time outside
	 * 1970..9999 (a damaged file) must not index past the tables. */
	if (t < 0)
		t = 0;
	if (t > SRV_HTTP_DATE_MAX)
		t = SRV_HTTP_DATE_MAX;
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, size, "Thu, 01 Jan 1970 00:00:00 GMT");
		return;
	}
	memcpy(buf, days + 3 * tm.tm_wday, 3);
	buf[3] = ',';
	buf[4] = ' ';
	buf[5] = (char)('0' + tm.tm_mday / 10);
	buf[6] = (char)('0' + tm.tm_mday % 10);
	buf[7] = ' ';
	memcpy(buf + 8, months + 3 * tm.tm_mon, 3);
	buf[11] = ' ';
	snprintf(buf + 12, size - 12, "%04d %02d:%02d:%02d GMT",
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void srv_cache_headers(const struct op_rec *rec, int64_t now, int64_t max_age,
		       struct srv_cache_hdrs *h)
{
	int64_t m = rec->next_update - now;

	if (m > max_age)
		m = max_age;
	if (m < 0)
		m = 0;
	snprintf(h->cache_control, sizeof(h->cache_control),
		 "max-age=%lld, public, no-transform, must-revalidate", (long long)m);
	srv_http_date(rec->this_update, h->last_modified, sizeof(h->last_modified));
	srv_http_date(rec->next_update, h->expires, sizeof(h->expires));
	h->etag[0] = '"';
	op_serial_hex(rec->etag, OP_REC_ETAG, h->etag + 1);
	h->etag[1 + 2 * OP_REC_ETAG] = '"';
	h->etag[2 + 2 * OP_REC_ETAG] = '\0';
}

int srv_etag_match(const char *inm, const char *etag)
{
	size_t el = strlen(etag);
	const char *p = inm;

	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, el) == 0 &&
		    (p[el] == '\0' || p[el] == ',' || p[el] == ' '))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}
