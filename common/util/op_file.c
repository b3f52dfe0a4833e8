#include "op_file.h"
#include "op_err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TAG ".tmp."

const char *op_file_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int op_file_dir(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (!slash)
		n = snprintf(dir, size, ".");
	else if (slash == path)
		n = snprintf(dir, size, "/");
	else
		n = snprintf(dir, size, "%.*s", (int)(slash - path), path);
	if (n < 0 || (size_t)n >= size)
		return op_err_set(OP_E_RANGE, "%s: path too long", path);
	return 0;
}

/* ".BASE.tmp." in dir: the part of a temporary name before the pid. */
static int tmp_prefix(const char *path, char *dir, size_t dsize, char *prefix,
		      size_t psize)
{
	int rc, n;

	if ((rc = op_file_dir(path, dir, dsize)) != 0)
		return rc;
	n = snprintf(prefix, psize, ".%s" TMP_TAG, op_file_base(path));
	if (n < 0 || (size_t)n >= psize)
		return op_err_set(OP_E_RANGE, "%s: path too long", path);
	return 0;
}

int op_file_begin(struct op_file *f, const char *path, mode_t mode)
{
	char dir[PATH_MAX], prefix[PATH_MAX];
	int rc, n;

	f->fd = -1;
	f->tmp[0] = '\0';
	if ((rc = tmp_prefix(path, dir, sizeof(dir), prefix, sizeof(prefix))) != 0)
		return rc;
	n = snprintf(f->tmp, sizeof(f->tmp), "%s/%s%ld", dir, prefix,
		     (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(f->tmp) ||
	    snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path))
		return op_err_set(OP_E_RANGE, "%s: path too long", path);
	/* A file with our pid can only be a dead process's leftover. */
	unlink(f->tmp);
	f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     mode);
	if (f->fd < 0)
		return op_err_set(OP_E_SYS, "create %s: %s", f->tmp,
				  strerror(errno));
	return 0;
}

void op_file_abort(struct op_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp[0])
		unlink(f->tmp);
	f->tmp[0] = '\0';
}

static int fsync_dir(const char *path)
{
	char dir[PATH_MAX];
	int dfd, rc;

	if ((rc = op_file_dir(path, dir, sizeof(dir))) != 0)
		return rc;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return op_err_set(OP_E_SYS, "open directory %s: %s", dir,
				  strerror(errno));
	rc = fsync(dfd) != 0 ?
	     op_err_set(OP_E_SYS, "fsync directory %s: %s (%s is in place "
			"but may not survive a crash)", dir, strerror(errno),
			path) : 0;
	close(dfd);
	return rc;
}

int op_file_commit(struct op_file *f)
{
	int rc, fd = f->fd;

	f->fd = -1;
	if (fsync(fd) != 0) {
		rc = op_err_set(OP_E_SYS, "fsync %s: %s", f->tmp, strerror(errno));
		close(fd);
		goto abort;
	}
	/* close() can report a delayed write error (NFS). */
	if (close(fd) != 0) {
		rc = op_err_set(OP_E_SYS, "close %s: %s", f->tmp, strerror(errno));
		goto abort;
	}
	if (rename(f->tmp, f->path) != 0) {
		rc = op_err_set(OP_E_SYS, "rename %s to %s: %s", f->tmp, f->path,
				strerror(errno));
		goto abort;
	}
	f->tmp[0] = '\0';
	return fsync_dir(f->path);
abort:
	op_file_abort(f);
	return rc;
}

int op_file_write_all(int fd, const void *buf, size_t len, const char *what)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return op_err_set(OP_E_SYS, "write %s: %s", what,
					  n < 0 ? strerror(errno) : "no progress");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void op_file_cleanup(const char *path)
{
	char dir[PATH_MAX], prefix[PATH_MAX], tmp[PATH_MAX];
	size_t plen;
	struct dirent *de;
	DIR *d;

	if (tmp_prefix(path, dir, sizeof(dir), prefix, sizeof(prefix)) != 0 ||
	    !(d = opendir(dir)))
		return;
	plen = strlen(prefix);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		if (snprintf(tmp, sizeof(tmp), "%s/%s", dir, de->d_name) <
		    (int)sizeof(tmp))
			unlink(tmp);
	}
	closedir(d);
}

int op_file_clone(int from, int to, off_t len)
{
	struct file_clone_range r = { .src_fd = from, .src_length = (__u64)len };
	int e;

	if (ioctl(to, FICLONERANGE, &r) == 0)
		return 0;
	e = errno;
	/* A failed clone may have left part of the range behind. */
	if (ftruncate(to, 0) != 0 && e == 0)
		e = errno;
	errno = e;
	return op_err_set(OP_E_SYS, "clone: %s", strerror(e));
}

int op_file_copy(const char *from, const char *to, mode_t mode)
{
	struct op_file f;
	char buf[1 << 16];
	ssize_t n;
	int in, rc;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return op_err_set(OP_E_SYS, "%s: %s", from, strerror(errno));
	if ((rc = op_file_begin(&f, to, mode)) != 0)
		goto close_in;
	if (op_file_clone(in, f.fd, 0) == 0) {
		rc = op_file_commit(&f);
		goto close_in;
	}
	op_err_clear();
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = op_err_set(OP_E_SYS, "read %s: %s", from,
					strerror(errno));
			break;
		}
		if ((rc = op_file_write_all(f.fd, buf, (size_t)n, f.tmp)) != 0)
			break;
	}
	if (rc)
		op_file_abort(&f);
	else
		rc = op_file_commit(&f);
close_in:
	close(in);
	return rc;
}

int op_file_read(const char *path, unsigned char **data, size_t *len)
{
	struct stat st;
	size_t got = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return op_err_set(errno == ENOENT ? OP_E_NOTFOUND : OP_E_SYS,
				  "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return op_err_set(OP_E_SYS, "%s: not a regular file", path);
	}
	if (!(*data = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return op_err_set(OP_E_NOMEM, "%s: out of memory", path);
	}
	while (got < (size_t)st.st_size &&
	       ((n = read(fd, *data + got, (size_t)st.st_size - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	close(fd);
	if (got != (size_t)st.st_size) {
		free(*data);
		*data = NULL;
		return op_err_set(OP_E_SYS, "%s: %s", path,
				  n < 0 ? strerror(errno) : "changed while read");
	}
	*len = got;
	return 0;
}
