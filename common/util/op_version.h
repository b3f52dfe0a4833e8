/*
 * op_version: the release of ocsp-presign, for every program's --version.
 *
 * The string is defined once, as VERSION in the Makefile, and compiled into
 * this module only; the Debian package takes its version from the same
 * place (see the Makefile's deb target).  `make static` compiles it once
 * more with OP_STATIC defined.
 */
#ifndef OP_VERSION_H
#define OP_VERSION_H

#include <stdio.h>

/* Static string such as "0.1.0". */
const char *op_version(void);

/* Print "PROG VERSION" and a newline to f (--version); 0, or -1 when the
 * write fails (a closed stdout must not pass as success). */
int op_version_print(FILE *f, const char *prog);

/* 1 in the `make static` build (then --version adds "(static: ...)" with
 * the libraries built in), 0 otherwise. */
int op_version_static(void);

#endif
