/*
 * op_err: error codes shared by every module.
 *
 * Library functions return 0 on success or one of the OP_E_* codes below
 * (negative, in a range of their own so they never collide with errno or
 * LMDB's MDB_* codes).  A function that fails may also record a detail
 * message naming the file, line or field; main() prints both.
 */
#ifndef OP_ERR_H
#define OP_ERR_H

enum {
	OP_OK = 0,
	OP_E_FIRST = -31000,
	OP_E_SYS = OP_E_FIRST,	/* a system call failed; errno in detail */
	OP_E_NOMEM,
	OP_E_PARSE,		/* malformed input file or field */
	OP_E_CONFIG,		/* configuration missing or inconsistent */
	OP_E_CRL,		/* CRL unusable: signature, issuer, age */
	OP_E_SIGNER,		/* no usable signer */
	OP_E_PKCS11,		/* token, PIN or key object problem */
	OP_E_CRYPTO,		/* an OpenSSL operation failed */
	OP_E_DB,		/* LMDB operation failed */
	OP_E_FORMAT,		/* database format version not ours */
	OP_E_NOTFOUND,
	OP_E_LOCKED,		/* another run holds the lock */
	OP_E_RANGE,		/* value out of range or too long */
	OP_E_HISTORY,		/* an output's history (CRL numbers,
				   revocations) cannot be read */
	OP_E_LAST
};

/* Static string for a code; also handles errno values (> 0) and MDB codes. */
const char *op_err_str(int rc);

/*
 * Record a detail for the error being returned and return rc, so callers
 * write "return op_err_set(OP_E_PARSE, "%s:%zu: bad serial", f, n);".
 * The detail is per thread and replaced by the next call.
 */
int op_err_set(int rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append OpenSSL's queued error text to the detail and clear the queue. */
int op_err_ssl(int rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Put "PREFIX: " in front of the current detail and return rc, for a caller
 * that adds its context (file, section, authority) to a callee's error:
 * "return op_err_prefix(rc, "authority %s", name);".  The result is cut at
 * the same length as every other detail.
 */
int op_err_prefix(int rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append formatted text to the current detail and return rc. */
int op_err_append(int rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The detail of the last op_err_set() on this thread, or "" if none.
 * Points into thread-local storage, valid until the next op_err_* call. */
const char *op_err_detail(void);

/* Forget the detail. */
void op_err_clear(void);

#endif
