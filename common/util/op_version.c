#include "op_version.h"

#ifdef OP_STATIC
/* A static binary carries its libraries: name them, since Debian's
 * security updates of the shared ones do not reach it.  Header macros
 * only, so ocsp-db (no libevent) links this too. */
#include <event2/event-config.h>
#include <lmdb.h>
#include <openssl/opensslv.h>
#define OP_STR_(x) #x
#define OP_STR(x) OP_STR_(x)
#define OP_BUILD " (static: OpenSSL " OPENSSL_FULL_VERSION_STR ", libevent " \
	EVENT__VERSION ", LMDB " OP_STR(MDB_VERSION_MAJOR) "." \
	OP_STR(MDB_VERSION_MINOR) "." OP_STR(MDB_VERSION_PATCH) ")"
#else
#define OP_BUILD ""
#endif

#ifndef OP_VERSION
#error "OP_VERSION is set by the Makefile (VERSION := ...)"
#endif

const char *op_version(void)
{
	return OP_VERSION;
}

int op_version_print(FILE *f, const char *prog)
{
	if (fprintf(f, "%s %s%s\n", prog, OP_VERSION, OP_BUILD) < 0 || fflush(f) != 0)
		return -1;
	return 0;
}

int op_version_static(void)
{
#ifdef OP_STATIC
	return 1;
#else
	return 0;
#endif
}
