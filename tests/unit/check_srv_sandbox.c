/*
 * srv_sandbox: inside the sandbox what the server needs still works and
 * what it must never do is refused.  Each case runs in a child of its
 * own (the sandbox cannot be left), which reports by its exit status.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_run.h"
#include "srv_sandbox.h"

static char dir[] = "/tmp/check_srv_sandbox.XXXXXX";
static char served[128], logdir[128], logfile[160], outside[128];

static void setup(void)
{
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(served, sizeof(served), "%s/responses.lmdb", dir);
	snprintf(logdir, sizeof(logdir), "%s.log", dir);
	snprintf(logfile, sizeof(logfile), "%s/access.log", logdir);
	snprintf(outside, sizeof(outside), "%s.outside", dir);
	ck_assert_int_eq(mkdir(logdir, 0700), 0);
	ck_assert_ptr_nonnull(f = fopen(served, "w"));
	fputs("db\n", f);
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(outside, "w"));
	fputs("secret\n", f);
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(logfile, "w"));
	fclose(f);
}

static void teardown(void)
{
	char next[160];

	snprintf(next, sizeof(next), "%s/next.lmdb", dir);
	unlink(next);
	unlink(logfile);
	unlink(served);
	unlink(outside);
	rmdir(logdir);
	rmdir(dir);
}

static int landlock_abi;

/* Run fn in a sandboxed child: its exit status (0: every check held). */
static int sandboxed(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct srv_sandbox_paths p = { { served }, 1, logfile };
		struct srv_sandbox_state st;

		if (srv_sandbox_enter(&p, &st) != 0)
			_exit(100);
		if (!st.seccomp || srv_sandbox_probe(&st) != 0)
			_exit(101);
		landlock_abi = st.landlock_abi;
		/* _exit: no exit handlers (sanitizers') inside the sandbox. */
		_exit(fn());
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "child died: signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

static void *thread_body(void *arg)
{
	return arg;
}

/* What the server does after entering: open the files beside the --db
 * path (hot swap), append to the log and create it anew (logrotate),
 * start threads, map memory, read the clock. */
static int allowed_calls(void)
{
	char next[160];
	pthread_t t;
	void *ret, *m;
	int fd;

	if ((fd = open(served, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;
	close(fd);
	snprintf(next, sizeof(next), "%s/next.lmdb", dir);
	/* Creating it beside the --db file is refused: read only there. */
	if (landlock_abi && open(next, O_WRONLY | O_CREAT, 0600) >= 0)
		return 2;
	if ((fd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0 ||
	    write(fd, "line\n", 5) != 5)
		return 3;
	close(fd);
	if (pthread_create(&t, NULL, thread_body, &fd) != 0 ||
	    pthread_join(t, &ret) != 0 || ret != &fd)
		return 4;
	m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || munmap(m, 65536) != 0)
		return 5;
	return time(NULL) > 0 ? 0 : 6;
}

START_TEST(needs_still_met)
{
	ck_assert_int_eq(sandboxed(allowed_calls), 0);
}
END_TEST

/* What a parser bug turned into code would try next. */
static int forbidden_calls(void)
{
	char *const argv[] = { "/bin/sh", "-c", "true", NULL };
	int fds[2], fd;
	void *m;

	if (execve("/bin/sh", argv, argv) == 0 || errno != EPERM)
		return 1;
	if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return 2;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0 || errno != EPERM)
		return 3;
	if (fork() >= 0 || errno != EPERM)
		return 4;
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED || errno != EPERM)
		return 5;
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m, 4096, PROT_READ | PROT_EXEC) == 0 ||
	    errno != EPERM)
		return 6;
	if (ioctl(0, TIOCSTI, "x") == 0 || errno != EPERM)
		return 7;
	if (setuid(getuid()) == 0 || errno != EPERM)
		return 8;
	/* Landlock: nothing outside the served files' and the log's
	 * directories, even a file the user could read before. */
	if (landlock_abi) {
		if ((fd = open(outside, O_RDONLY)) >= 0 || errno != EACCES)
			return 9;
		if ((fd = open("/etc/passwd", O_RDONLY)) >= 0 || errno != EACCES)
			return 10;
		if ((fd = open(logfile, O_RDONLY)) >= 0 || errno != EACCES)
			return 11;	/* the log is append only */
	}
	return 0;
}

START_TEST(forbidden_refused)
{
	ck_assert_int_eq(sandboxed(forbidden_calls), 0);
}
END_TEST

CHECK_MAIN("srv_sandbox", setup, teardown,
	   needs_still_met, forbidden_refused)
