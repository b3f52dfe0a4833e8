/*
 * A temporary directory per test (a checked fixture) and a helper that
 * writes a small file into it, for suites that feed real files to the
 * code under test.
 */
#ifndef CHECK_TMPDIR_H
#define CHECK_TMPDIR_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "op_log.h"

static char tmpdir[] = "/tmp/check_tmpdir.XXXXXX";

/* Write text to tmpdir/name; the path returned is static (valid until
 * the next call). */
static inline const char *tmpdir_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static inline void tmpdir_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	op_log_init("check", OP_LOG_ERR);
}

static inline void tmpdir_teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
}

#endif
