/* op_file: atomic replacement, the temporary-name scheme, cleanup of
 * leftovers, the path helpers. */
#include <check.h>

#include "check_run.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "op_err.h"
#include "op_file.h"

static char dir[PATH_MAX];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_file.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	umask(022);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void expect(const char *path, const char *text)
{
	char buf[256] = { 0 };
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	ck_assert_str_eq(buf, text);
}

/* Entries of dir other than . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

START_TEST(path_helpers)
{
	char d[16];

	ck_assert_int_eq(op_file_dir("a/b/c.lmdb", d, sizeof(d)), 0);
	ck_assert_str_eq(d, "a/b");
	ck_assert_int_eq(op_file_dir("c.lmdb", d, sizeof(d)), 0);
	ck_assert_str_eq(d, ".");
	ck_assert_int_eq(op_file_dir("/c.lmdb", d, sizeof(d)), 0);
	ck_assert_str_eq(d, "/");
	ck_assert_int_eq(op_file_dir("/var/x/", d, sizeof(d)), 0);
	ck_assert_str_eq(d, "/var/x");
	ck_assert_int_eq(op_file_dir("/a/very/long/directory/x", d, sizeof(d)),
			 OP_E_RANGE);
	ck_assert_str_eq(op_file_base("a/b/c.lmdb"), "c.lmdb");
	ck_assert_str_eq(op_file_base("c.lmdb"), "c.lmdb");
	ck_assert_str_eq(op_file_base("a/"), "");
}
END_TEST

START_TEST(replace_commits_whole_file)
{
	char path[PATH_MAX + 8], tmpname[PATH_MAX + 64];
	struct op_file f;
	struct stat st;

	snprintf(path, sizeof(path), "%s/out", dir);
	put(path, "old");
	ck_assert_int_eq(op_file_begin(&f, path, 0600), 0);
	/* The temporary name: hidden, in the same directory, with our pid. */
	snprintf(tmpname, sizeof(tmpname), "%s/.out.tmp.%ld", dir, (long)getpid());
	ck_assert_str_eq(f.tmp, tmpname);
	ck_assert_int_eq(op_file_write_all(f.fd, "new", 3, f.tmp), 0);
	expect(path, "old");		/* untouched until the commit */
	ck_assert_int_eq(op_file_commit(&f), 0);
	expect(path, "new");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(abort_leaves_target)
{
	char path[PATH_MAX + 8];
	struct op_file f;

	snprintf(path, sizeof(path), "%s/out", dir);
	put(path, "old");
	ck_assert_int_eq(op_file_begin(&f, path, 0644), 0);
	ck_assert_int_eq(op_file_write_all(f.fd, "partial", 7, f.tmp), 0);
	op_file_abort(&f);
	expect(path, "old");
	ck_assert_int_eq(entries(), 1);
	/* A rename that cannot happen (the target is a non-empty directory)
	 * fails, removes the temporary, and says which step failed. */
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/x", dir);
	put(path, "x");
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(op_file_begin(&f, path, 0644), 0);
	ck_assert_int_eq(op_file_commit(&f), OP_E_SYS);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "rename"));
	ck_assert_int_eq(entries(), 2);	/* out and sub */
}
END_TEST

START_TEST(symlink_refused_and_leftovers_cleaned)
{
	char path[PATH_MAX + 8], tmp[PATH_MAX + 64], other[PATH_MAX + 64];
	struct op_file f;

	snprintf(path, sizeof(path), "%s/out", dir);
	/* A killed run's leftover with another pid, and one of a different
	 * file whose name starts alike: only the first goes. */
	snprintf(tmp, sizeof(tmp), "%s/.out.tmp.999999", dir);
	put(tmp, "stale");
	snprintf(other, sizeof(other), "%s/.out.work.tmp.999999", dir);
	put(other, "other");
	op_file_cleanup(path);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	ck_assert_int_eq(access(other, F_OK), 0);
	/* Our own pid's stale temporary is replaced, but a symlink planted
	 * at that name is never followed: it is removed, not written. */
	snprintf(tmp, sizeof(tmp), "%s/.out.tmp.%ld", dir, (long)getpid());
	ck_assert_int_eq(symlink(other, tmp), 0);
	ck_assert_int_eq(op_file_begin(&f, path, 0644), 0);
	ck_assert_int_eq(op_file_write_all(f.fd, "mine", 4, f.tmp), 0);
	ck_assert_int_eq(op_file_commit(&f), 0);
	expect(path, "mine");
	expect(other, "other");
}
END_TEST

START_TEST(copy)
{
	char from[PATH_MAX + 8], to[PATH_MAX + 8], *big;
	size_t n = 300000;
	FILE *f;
	struct stat st;

	snprintf(from, sizeof(from), "%s/from", dir);
	snprintf(to, sizeof(to), "%s/to", dir);
	big = malloc(n);
	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 7);
	f = fopen(from, "w");
	ck_assert_uint_eq(fwrite(big, 1, n, f), n);
	fclose(f);
	put(to, "old");
	ck_assert_int_eq(op_file_copy(from, to, 0600), 0);
	ck_assert_int_eq(stat(to, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)n);
	ck_assert_uint_eq(st.st_mode & 077, 0);
	f = fopen(to, "r");
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(fgetc(f), (unsigned char)(i * 7));
	fclose(f);
	free(big);
	snprintf(from, sizeof(from), "%s/missing", dir);
	ck_assert_int_eq(op_file_copy(from, to, 0600), OP_E_SYS);
	ck_assert_int_eq(entries(), 2);
}
END_TEST

/* A clone is the source's octets, or a refusal that leaves the target
 * empty (what gen_publish relies on to fall back to copying); a range that
 * is not block-aligned and stops short of the source's end is refused. */
START_TEST(clone_or_refuse)
{
	char path[PATH_MAX + 8], buf[8192];
	int from, to, rc;
	struct stat st;

	snprintf(path, sizeof(path), "%s/src", dir);
	from = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 13);
	ck_assert_int_eq(write(from, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	snprintf(path, sizeof(path), "%s/dst", dir);
	to = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	rc = op_file_clone(from, to, 0);
	ck_assert_int_eq(fstat(to, &st), 0);
	if (rc == 0) {
		char got[sizeof(buf)];

		ck_assert_int_eq(st.st_size, (off_t)sizeof(buf));
		ck_assert_int_eq(pread(to, got, sizeof(got), 0), (ssize_t)sizeof(got));
		ck_assert_int_eq(memcmp(got, buf, sizeof(buf)), 0);
	} else {
		ck_assert_int_eq(rc, OP_E_SYS);
		ck_assert_ptr_nonnull(strstr(op_err_detail(), "clone: "));
		ck_assert_int_eq(st.st_size, 0);
	}
	ck_assert_int_eq(ftruncate(to, 0), 0);
	ck_assert_int_eq(op_file_clone(from, to, 100), OP_E_SYS);
	ck_assert_int_eq(fstat(to, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	close(from);
	close(to);
}
END_TEST

CHECK_MAIN("op_file", setup, teardown,
	   path_helpers, replace_commits_whole_file, abort_leaves_target,
	   symlink_refused_and_leftovers_cleaned, copy, clone_or_refuse)
