#include "gen_audit.h"
#include "op_err.h"
#include "op_file.h"
#include "op_key.h"
#include "op_rec.h"
#include "op_time.h"
#include "op_version.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <openssl/evp.h>

/* Status changes counted per authority, for the cap. */
struct count {
	const char *auth;	/* the configuration's string */
	size_t n;
};

static struct {
	int on, to_syslog;
	char *path;
	FILE *mem;		/* the run's records */
	char *buf;
	size_t len;
	struct count *counts;
	size_t ncounts;
} au;

/* s as a JSON string, quotes included, into out (cut to fit). */
static const char *js(const char *s, char *out, size_t size)
{
	size_t o = 0;

	out[o++] = '"';
	for (; s && *s && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\%c", c);
		else if (c < 0x20)
			o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

static void iso(int64_t t, char *out, size_t size)
{
	char s[32];

	op_time_iso(t, s, sizeof(s));
	snprintf(out, size, "\"%s\"", s);
}

/* One record: {"id":ID, "time":..., the members fmt formats}. */
static void record(const char *id, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void record(const char *id, const char *fmt, ...)
{
	char line[4096], t[40];
	va_list ap;
	int n;

	if (!au.on)
		return;
	iso(op_time_now(), t, sizeof(t));
	n = snprintf(line, sizeof(line), "{\"id\":\"%s\",\"time\":%s,", id, t);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	fprintf(au.mem, "%s}\n", line);
	if (au.to_syslog)
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s %s}", id, line);
}

/* SHA-256 of a file, in hex; "" when it cannot be read. */
static int file_sha256(const char *path, char hex[65])
{
	unsigned char *data, md[32];
	unsigned int mdlen = 0;
	size_t len;

	hex[0] = '\0';
	if (op_file_read(path, &data, &len) != 0)
		return op_err_prefix(OP_E_SYS, "audit: configuration");
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	free(data);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int gen_audit_begin(const char *path, const char *config, int to_syslog,
		    int64_t now)
{
	char digest[65], c[1024], t[40];
	int rc;

	memset(&au, 0, sizeof(au));
	if (!path)
		return 0;
	if ((rc = file_sha256(config, digest)) != 0)
		return rc;
	if (!(au.path = strdup(path)) ||
	    !(au.mem = open_memstream(&au.buf, &au.len))) {
		free(au.path);
		return op_err_set(OP_E_NOMEM, "audit: out of memory");
	}
	au.on = 1;
	au.to_syslog = to_syslog;
	if (to_syslog)
		openlog("ocsp-gen", LOG_PID, LOG_AUTHPRIV);
	iso(now, t, sizeof(t));
	record("OCSPGEN_RUN", "\"run_time\":%s,\"version\":\"%s\",\"config\":%s,"
	       "\"config_sha256\":\"%s\"", t, op_version(), js(config, c, sizeof(c)),
	       digest);
	return 0;
}

void gen_audit_crl(const char *auth, const char *kind, const char *source,
		   const struct gen_crl *c, const uint8_t sha256[32],
		   const char *refused)
{
	char a[256], s[1024], why[1200], num[48], tu[40] = "null", nu[40] = "null";
	char hex[65] = "";

	if (!au.on)
		return;
	for (int i = 0; sha256 && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha256[i]);
	if (c) {
		iso(c->this_update, tu, sizeof(tu));
		if (c->next_update)
			iso(c->next_update, nu, sizeof(nu));
	}
	record("OCSPGEN_CRL", "\"authority\":%s,\"kind\":\"%s\",\"source\":%s,"
	       "\"accepted\":%s,\"number\":%s%s%s,\"this_update\":%s,"
	       "\"next_update\":%s,\"sha256\":\"%s\"%s%s",
	       js(auth, a, sizeof(a)), kind, js(source, s, sizeof(s)),
	       refused ? "false" : "true", c && c->has_number ? "\"" : "",
	       c && c->has_number ? gen_crl_num_str(&c->number, num, sizeof(num)) :
	       "null", c && c->has_number ? "\"" : "", tu, nu, hex,
	       refused ? ",\"reason\":" : "",
	       refused ? js(refused, why, sizeof(why)) : "");
}

void gen_audit_signer(const char *auth, const char *chosen,
		      const char *const *others, const char *const *why,
		      size_t n)
{
	char a[256], c[256], list[3000], o[256], w[600];
	size_t off = 0;

	if (!au.on)
		return;
	list[0] = '\0';
	for (size_t i = 0; i < n && off + 1 < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off,
					"%s{\"signer\":%s,\"why\":%s}", i ? "," : "",
					js(others[i], o, sizeof(o)),
					js(why[i], w, sizeof(w)));
	record("OCSPGEN_SIGNER", "\"authority\":%s,\"signer\":%s,\"not_chosen\":[%s]",
	       js(auth, a, sizeof(a)), js(chosen, c, sizeof(c)), list);
}

static const char *status_name(int status)
{
	return status < 0 ? "none" : status == OP_STATUS_REVOKED ? "revoked" : "good";
}

static const char *src_name(int src)
{
	static const char *const names[] = {
		[GEN_SRC_ISSUED] = "issued", [GEN_SRC_INDEX_REVOKED] = "index",
		[GEN_SRC_CRL] = "crl", [GEN_SRC_LOCAL] = "local_revocations",
		[GEN_SRC_KEPT] = "kept", [GEN_SRC_RETAINED] = "retained",
	};

	return src >= 0 && src <= GEN_SRC_RETAINED ? names[src] : "?";
}

/* Whether another status line of auth fits under the cap. */
static int under_cap(const char *auth)
{
	size_t i = 0;
	struct count *v;

	while (i < au.ncounts && au.counts[i].auth != auth)
		i++;
	if (i == au.ncounts) {
		if (!(v = realloc(au.counts, (i + 1) * sizeof(*v))))
			return 1;
		au.counts = v;
		au.counts[au.ncounts++] = (struct count){ auth, 0 };
	}
	return au.counts[i].n++ < GEN_AUDIT_MAX_CHANGES;
}

void gen_audit_status(const char *auth, const uint8_t *serial, size_t len,
		      int old_status, int old_reason, const struct gen_entry *e,
		      int64_t rev_time)
{
	char a[256], hex[2 * OP_SERIAL_MAX + 1], t[40] = "null";
	int revoked = e && e->status == OP_STATUS_REVOKED;

	if (!au.on || !under_cap(auth))
		return;
	op_serial_hex(serial, len, hex);
	if (revoked)
		iso(rev_time, t, sizeof(t));
	record("OCSPGEN_STATUS", "\"authority\":%s,\"serial\":\"%s\",\"old\":\"%s\","
	       "\"old_reason\":\"%s\",\"new\":\"%s\",\"reason\":\"%s\","
	       "\"revocation_time\":%s,\"decided_by\":\"%s\"",
	       js(auth, a, sizeof(a)), hex, status_name(old_status),
	       old_status == OP_STATUS_REVOKED && old_reason != OP_REASON_NONE ?
	       op_rec_reason_name(old_reason) : "", e ? status_name(e->status) : "none",
	       revoked && e->reason != OP_REASON_NONE ? op_rec_reason_name(e->reason) : "",
	       t, e ? src_name(e->src) : "not listed");
}

static void revocation(const char *id, const char *auth, const struct gen_entry *e)
{
	char a[256], hex[2 * OP_SERIAL_MAX + 1], t[40];

	if (!au.on)
		return;
	op_serial_hex(e->serial, e->serial_len, hex);
	iso(e->rev_time, t, sizeof(t));
	record(id, "\"authority\":%s,\"serial\":\"%s\",\"reason\":\"%s\","
	       "\"revocation_time\":%s", js(auth, a, sizeof(a)), hex,
	       e->reason == OP_REASON_NONE ? "" : op_rec_reason_name(e->reason), t);
}

void gen_audit_kept(const char *auth, const struct gen_entry *e)
{
	revocation("OCSPGEN_KEPT", auth, e);
}

void gen_audit_released(const char *auth, const struct gen_entry *e)
{
	revocation("OCSPGEN_RELEASED", auth, e);
}

void gen_audit_publish(const char *file, int64_t generation, int published)
{
	char f[1024];

	record("OCSPGEN_PUBLISH", "\"file\":%s,\"generation\":%lld,\"published\":%s",
	       js(file, f, sizeof(f)), (long long)generation,
	       published ? "true" : "false");
}

/* Append the run's records in one write: readers see whole runs. */
static int append(void)
{
	int fd = open(au.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	size_t off = 0;

	if (fd < 0)
		return op_err_set(OP_E_SYS, "audit_log %s: %s", au.path, strerror(errno));
	while (off < au.len) {
		ssize_t n = write(fd, au.buf + off, au.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return op_err_set(OP_E_SYS, "audit_log %s: %s", au.path,
					  strerror(errno));
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		close(fd);
		return op_err_set(OP_E_SYS, "audit_log %s: %s", au.path, strerror(errno));
	}
	return close(fd) == 0 ? 0 : op_err_set(OP_E_SYS, "audit_log %s: %s",
					       au.path, strerror(errno));
}

int gen_audit_end(int rc, const char *detail)
{
	char d[1200], a[256];
	int wrc;

	if (!au.on)
		return 0;
	for (size_t i = 0; i < au.ncounts; i++)
		if (au.counts[i].n > GEN_AUDIT_MAX_CHANGES)
			record("OCSPGEN_TRUNCATED", "\"authority\":%s,\"shown\":%d,"
			       "\"total\":%zu", js(au.counts[i].auth, a, sizeof(a)),
			       GEN_AUDIT_MAX_CHANGES, au.counts[i].n);
	record("OCSPGEN_END", "\"result\":\"%s\"%s%s", rc ? "failed" : "ok",
	       rc ? ",\"error\":" : "", rc ? js(detail, d, sizeof(d)) : "");
	fclose(au.mem);
	wrc = append();
	if (au.to_syslog)
		closelog();
	free(au.buf);
	free(au.path);
	free(au.counts);
	memset(&au, 0, sizeof(au));
	return wrc;
}
