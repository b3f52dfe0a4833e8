#include "srv_cache.h"
#include "op_key.h"

#include <string.h>

int64_t srv_cache_max_age(const struct op_rec *rec, int64_t now, int64_t max_age)
{
	int64_t m = rec->next_update - now;

	if (m > max_age)
		m = max_age;
	return m < 0 ? 0 : m;
}

void srv_cache_etag(const struct op_rec *rec, char *buf)
{
	buf[0] = '"';
	op_serial_hex(rec->etag, OP_REC_ETAG, buf + 1);
	buf[1 + 2 * OP_REC_ETAG] = '"';
	buf[2 + 2 * OP_REC_ETAG] = '\0';
}

#define PUTS(h, s) srv_http_head_put((h), (s), sizeof(s) - 1)

void srv_cache_fields(struct srv_http_head *h, const struct op_rec *rec,
		      int64_t secs)
{
	char etag[SRV_CACHE_ETAG_LEN + 1];

	PUTS(h, "Cache-Control: max-age=");
	srv_http_head_num(h, (unsigned long long)(secs < 0 ? 0 : secs));
	PUTS(h, SRV_CACHE_CONTROL_TAIL "\r\nLast-Modified: ");
	srv_http_head_date(h, rec->this_update);
	PUTS(h, "\r\nExpires: ");
	srv_http_head_date(h, rec->next_update);
	PUTS(h, "\r\nETag: ");
	srv_cache_etag(rec, etag);
	srv_http_head_put(h, etag, SRV_CACHE_ETAG_LEN);
	PUTS(h, "\r\n");
}

int srv_cache_etag_match(const char *inm, size_t len, const char *etag)
{
	size_t el = strlen(etag);
	const char *p = inm, *e = inm + len;

	while (p < e) {
		while (p < e && (*p == ' ' || *p == ',' || *p == '\t'))
			p++;
		if (p < e && *p == '*')
			return 1;
		if ((size_t)(e - p) >= 2 && memcmp(p, "W/", 2) == 0)
			p += 2;
		if ((size_t)(e - p) >= el && memcmp(p, etag, el) == 0 &&
		    (p + el == e || p[el] == ',' || p[el] == ' '))
			return 1;
		while (p < e && *p != ',')
			p++;
	}
	return 0;
}
