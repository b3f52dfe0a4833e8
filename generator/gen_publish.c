#include "gen_publish.h"
#include "op_err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int gen_lock(const char *output, int *fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s.lock", output);
	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
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

void gen_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Split output into its directory and base name. */
static void split_path(const char *output, char *dir, size_t dsize,
		       const char **base)
{
	const char *slash = strrchr(output, '/');

	if (slash) {
		snprintf(dir, dsize, "%.*s", (int)(slash - output), output);
		if (!dir[0])
			snprintf(dir, dsize, "/");
		*base = slash + 1;
	} else {
		snprintf(dir, dsize, ".");
		*base = output;
	}
}

void gen_publish_cleanup(const char *output)
{
	char dir[PATH_MAX], prefix[NAME_MAX + 1], path[PATH_MAX];
	const char *base;
	struct dirent *de;
	DIR *d;

	split_path(output, dir, sizeof(dir), &base);
	snprintf(prefix, sizeof(prefix), ".%s.tmp.", base);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
}

int gen_publish(MDB_env *env, const char *output)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	const char *base;
	int fd, dfd, rc;

	split_path(output, dir, sizeof(dir), &base);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%ld", dir, base,
		     (long)getpid()) >= (int)sizeof(tmp))
		return op_err_set(OP_E_RANGE, "%s: path too long", output);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return op_err_set(OP_E_SYS, "create %s: %s", tmp, strerror(errno));
	if ((rc = mdb_env_copyfd2(env, fd, 0)) != 0) {
		op_err_set(OP_E_DB, "write %s: %s", tmp, mdb_strerror(rc));
		goto unlink_tmp;
	}
	if (fsync(fd) != 0) {
		op_err_set(OP_E_SYS, "fsync %s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	if (close(fd) != 0) {
		fd = -1;
		op_err_set(OP_E_SYS, "close %s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	fd = -1;
	if (rename(tmp, output) != 0) {
		op_err_set(OP_E_SYS, "rename %s to %s: %s", tmp, output,
			   strerror(errno));
		goto unlink_tmp;
	}
	/* The rename is durable only once the directory is. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(dfd) != 0) {
		rc = op_err_set(OP_E_SYS, "fsync directory %s: %s", dir,
				strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return rc;
	}
	close(dfd);
	return 0;

unlink_tmp:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return OP_E_SYS;
}
