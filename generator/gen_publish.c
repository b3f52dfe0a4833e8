#include "gen_publish.h"
#include "op_err.h"
#include "op_file.h"
#include "op_log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int gen_publish_lock(const char *output, int *fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s.lock", output);
	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0 && errno == ENOENT)
		return op_err_set(OP_E_SYS, "output %s: its directory does not "
				  "exist", output);
	if (*fd < 0)
		return op_err_set(OP_E_SYS, "lock %s: %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return op_err_set(OP_E_LOCKED, "another ocsp-gen run holds "
					  "%s", path);
		return op_err_set(OP_E_SYS, "lock %s: %s", path, strerror(e));
	}
	return 0;
}

void gen_publish_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/*
 * Give the new file a modification time in a later second than the file
 * it replaces.  Page-stable copies often keep the size, and rsync skips a
 * file whose size and whole-second mtime match the edge's copy, so two
 * publications within one second (a run right after another, or a clock
 * stepped back) would otherwise leave edges on the older file.
 */
static int later_mtime(struct op_file *f)
{
	struct stat old, cur;
	struct timespec ts[2];

	if (stat(f->path, &old) != 0)
		return 0;		/* first publication */
	if (fstat(f->fd, &cur) != 0)
		return op_err_set(OP_E_SYS, "stat %s: %s", f->tmp, strerror(errno));
	if (cur.st_mtim.tv_sec > old.st_mtim.tv_sec)
		return 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = old.st_mtim.tv_sec + 1;
	ts[1].tv_nsec = 0;
	if (futimens(f->fd, ts) != 0)
		return op_err_set(OP_E_SYS, "set the time of %s: %s", f->tmp,
				  strerror(errno));
	return 0;
}

/*
 * The working copy's pages into f: cloned where the filesystem can (the
 * copy shares the working copy's blocks, so publishing costs the metadata
 * of what changed), else written out.  Either way the octets are those of
 * a plain copy: the two meta pages and every page up to the last one in
 * use, each at its number.
 */
static int write_pages(MDB_env *env, struct op_file *f)
{
	MDB_envinfo info;
	MDB_stat st;
	off_t len;
	int fd, rc;

	if (mdb_env_get_fd(env, &fd) == 0 && mdb_env_info(env, &info) == 0 &&
	    mdb_env_stat(env, &st) == 0) {
		len = (off_t)(info.me_last_pgno + 1) * st.ms_psize;
		if (op_file_clone(fd, f->fd, len) == 0) {
			op_debug("%s: published by cloning %lld octets of the "
				 "working copy (FICLONERANGE)", f->path,
				 (long long)len);
			return 0;
		}
		op_debug("%s: published by copying the working copy (%s)",
			 f->path, op_err_detail());
		op_err_clear();
	}
	/* A plain copy, not MDB_CP_COMPACT: pages keep their numbers and
	 * octets from run to run, so rsync's delta transfer finds every page
	 * a run did not touch (compaction renumbers all pages after the
	 * first that moved; docs/db-format.txt). */
	if ((rc = mdb_env_copyfd2(env, f->fd, 0)) != 0)
		return op_err_set(OP_E_DB, "write %s: %s", f->tmp, mdb_strerror(rc));
	return 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int gen_publish(MDB_env *env, const char *output)
{
	struct timespec t0;
	struct op_file f;
	int rc;

	if ((rc = op_file_begin(&f, output, 0644)) != 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = write_pages(env, &f)) != 0) {
		op_file_abort(&f);
		return rc;
	}
	if ((rc = later_mtime(&f)) != 0) {
		op_file_abort(&f);
		return rc;
	}
	if ((rc = op_file_commit(&f)) == 0)
		op_debug("%s: publication took %.3f s (copy or clone, fsync, "
			 "rename, fsync of the directory)", output,
			 seconds_since(&t0));
	return rc;
}
