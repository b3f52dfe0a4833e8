#include "gen_publish.h"
#include "op_err.h"
#include "op_file.h"

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

void gen_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int gen_publish(MDB_env *env, const char *output)
{
	struct op_file f;
	int rc;

	if ((rc = op_file_begin(&f, output, 0644)) != 0)
		return rc;
	/* A plain copy, not MDB_CP_COMPACT: pages keep their numbers and
	 * octets from run to run, so rsync's delta transfer finds every page
	 * a run did not touch (compaction renumbers all pages after the
	 * first that moved; docs/db-format.txt). */
	if ((rc = mdb_env_copyfd2(env, f.fd, 0)) != 0) {
		rc = op_err_set(OP_E_DB, "write %s: %s", f.tmp, mdb_strerror(rc));
		op_file_abort(&f);
		return rc;
	}
	return op_file_commit(&f);
}
