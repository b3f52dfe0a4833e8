#include "op_err.h"

#include <lmdb.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char detail[1024];

static const char *const names[] = {
	[OP_E_SYS - OP_E_FIRST] = "system error",
	[OP_E_NOMEM - OP_E_FIRST] = "out of memory",
	[OP_E_PARSE - OP_E_FIRST] = "malformed input",
	[OP_E_CONFIG - OP_E_FIRST] = "configuration error",
	[OP_E_CRL - OP_E_FIRST] = "CRL rejected",
	[OP_E_SIGNER - OP_E_FIRST] = "no usable signer",
	[OP_E_PKCS11 - OP_E_FIRST] = "PKCS#11 error",
	[OP_E_CRYPTO - OP_E_FIRST] = "cryptographic operation failed",
	[OP_E_DB - OP_E_FIRST] = "database error",
	[OP_E_FORMAT - OP_E_FIRST] = "unsupported database format",
	[OP_E_NOTFOUND - OP_E_FIRST] = "not found",
	[OP_E_LOCKED - OP_E_FIRST] = "locked by another process",
	[OP_E_RANGE - OP_E_FIRST] = "value out of range",
	[OP_E_HISTORY - OP_E_FIRST] = "output history unreadable",
};

const char *op_err_str(int rc)
{
	if (rc == 0)
		return "success";
	if (rc >= OP_E_FIRST && rc < OP_E_LAST)
		return names[rc - OP_E_FIRST];
	/* mdb_strerror() covers both MDB_* codes and errno values. */
	return mdb_strerror(rc);
}

static void vset(const char *fmt, va_list ap)
{
	vsnprintf(detail, sizeof(detail), fmt, ap);
}

int op_err_set(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The words an operator should read for one queued OpenSSL error, or NULL
 * when it adds nothing to the caller's own words: decoder traces (the
 * caller already says "not a PEM certificate", "truncated or corrupt"),
 * the BIO errors that repeat the system error OpenSSL queues with them, strings that the
 * caller's detail already holds.
 */
static const char *plain_reason(unsigned long e)
{
	static const struct {
		const char *ssl, *plain;
	} map[] = {
		{ "bad base64 decode", "damaged base64 (edited or truncated?)" },
		{ "bad end line", "no END line (truncated?)" },
		{ "no start line", NULL },
		{ "unsupported", NULL },
		{ "key values mismatch", NULL },
		{ "no such file", NULL },
		{ "system lib", NULL },
		{ "Unable to load PKCS#11 module", NULL },
	};
	const char *r;

	if (ERR_SYSTEM_ERROR(e))
		return strerror(ERR_GET_REASON(e));
	if (ERR_GET_LIB(e) == ERR_LIB_ASN1 || ERR_GET_LIB(e) == ERR_LIB_OSSL_DECODER)
		return NULL;
	if (!(r = ERR_reason_error_string(e)) || strstr(detail, r))
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(r, map[i].ssl) == 0)
			return map[i].plain;
	return r;
}

int op_err_ssl(int rc, const char *fmt, ...)
{
	va_list ap;
	unsigned long e;
	const char *r;
	size_t len;

	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		len = strlen(detail);
		if (len + 3 >= sizeof(detail) || !(r = plain_reason(e)))
			continue;
		snprintf(detail + len, sizeof(detail) - len, ": %s", r);
	}
	return rc;
}

int op_err_prefix(int rc, const char *fmt, ...)
{
	char old[sizeof(detail)];
	va_list ap;
	size_t len;

	memcpy(old, detail, sizeof(old));
	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	len = strlen(detail);
	if (old[0] && len < sizeof(detail))
		snprintf(detail + len, sizeof(detail) - len, ": %s", old);
	return rc;
}

int op_err_append(int rc, const char *fmt, ...)
{
	va_list ap;
	size_t len = strlen(detail);

	va_start(ap, fmt);
	vsnprintf(detail + len, sizeof(detail) - len, fmt, ap);
	va_end(ap);
	return rc;
}

const char *op_err_detail(void)
{
	return detail;
}

void op_err_clear(void)
{
	detail[0] = '\0';
}
