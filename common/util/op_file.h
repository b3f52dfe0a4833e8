/*
 * op_file: replace a file atomically, and the directory part of a path.
 *
 * Every file the generator writes for others or for its next run (the
 * published responses, the working copy rebuilt from them, the metrics
 * file) is written the same way:
 * a temporary file ".BASE.tmp.PID" in the target's own directory (so the
 * rename stays within one filesystem), written through its descriptor,
 * fsynced, renamed over the target, and the directory fsynced so the rename
 * survives a crash.  A reader sees the old file or the new one, never a
 * mix; on error the target is untouched and the temporary file is gone.
 *
 *	struct op_file f;
 *	if ((rc = op_file_begin(&f, path, 0644)) != 0) return rc;
 *	... write(f.fd, ...) or mdb_env_copyfd2(env, f.fd, flags) ...
 *	if (failed) { op_file_abort(&f); return rc; }
 *	return op_file_commit(&f);
 *
 * Temporary names start with "." and end in ".tmp.PID": rsync filters that
 * pick "*.lmdb" never see them, and op_file_cleanup() removes the ones a
 * killed process left.
 */
#ifndef OP_FILE_H
#define OP_FILE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct op_file {
	int fd;				/* the temporary file; write here */
	char path[PATH_MAX];		/* the target */
	char tmp[PATH_MAX];		/* the temporary file's name */
};

/* Create the temporary file for path with mode less the umask (O_EXCL and
 * O_NOFOLLOW: a planted symlink is never followed).  A stale temporary of a
 * dead process with our pid is replaced.  On error nothing needs undoing. */
int op_file_begin(struct op_file *f, const char *path, mode_t mode);

/* fsync and close the temporary file, rename it over the target, fsync the
 * directory.  On error the temporary file is removed and the target is as
 * it was (except when only the directory fsync failed: then the new file
 * is in place but may not survive a crash; the error says so).  f is
 * finished either way. */
int op_file_commit(struct op_file *f);

/* Give up: close and remove the temporary file.  f is finished. */
void op_file_abort(struct op_file *f);

/* Write all of buf to fd, retrying short writes and EINTR.  0 or OP_E_SYS
 * (errno in the detail, which names what). */
int op_file_write_all(int fd, const void *buf, size_t len, const char *what);

/* Copy the file from to to through op_file (so to is replaced atomically
 * and durably), creating it with mode; by cloning (op_file_clone) where
 * the filesystem can. */
int op_file_copy(const char *from, const char *to, mode_t mode);

/*
 * Make the first len octets of the file at fd to a clone of those of the
 * file at fd from (FICLONERANGE: XFS with reflink, btrfs): the copy shares
 * the source's blocks until either is written, so it costs metadata, not
 * data.  len 0 clones the whole file.  to must be empty.  0, or OP_E_SYS
 * with errno kept (EOPNOTSUPP, EXDEV, EINVAL where the filesystem cannot
 * or the range is not block-aligned), to is then empty again: copy.
 */
int op_file_clone(int from, int to, off_t len);

/* Remove the temporary files that killed processes left for path (any
 * pid).  Call only while holding the lock that excludes other writers of
 * path. */
void op_file_cleanup(const char *path);

/* The whole regular file at path into *data (caller frees), *len octets;
 * one extra octet is allocated past the end.  OP_E_NOTFOUND when it does
 * not exist, OP_E_SYS otherwise; the detail names path. */
int op_file_read(const char *path, unsigned char **data, size_t *len);

/* The directory of path into dir: "." for a bare name, "/" for "/x",
 * "a" for "a/b" and "a/" (a trailing slash names no file).  OP_E_RANGE if
 * it does not fit in size. */
int op_file_dir(const char *path, char *dir, size_t size);

/* The last component of path (points into path). */
const char *op_file_base(const char *path);

#endif
