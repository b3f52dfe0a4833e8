#include "op_version.h"

#ifndef OP_VERSION
#error "OP_VERSION is set by the Makefile (VERSION := ...)"
#endif

const char *op_version(void)
{
	return OP_VERSION;
}

int op_version_print(FILE *f, const char *prog)
{
	if (fprintf(f, "%s %s\n", prog, OP_VERSION) < 0 || fflush(f) != 0)
		return -1;
	return 0;
}
