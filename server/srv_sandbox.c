#include "srv_sandbox.h"
#include "op_err.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define SB_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SB_ARCH AUDIT_ARCH_AARCH64
#endif

/* Sanitizer builds: LeakSanitizer stops the world at exit with a tracer
 * (clone without CLONE_THREAD, ptrace, waitpid) that reads /proc. */
#if defined(__SANITIZE_ADDRESS__)
#define SB_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_SANITIZER 1
#endif
#endif

/* ---- Landlock, with its ABI spelled out here: the kernel's, not the
 * headers', decides what is handled (Debian's headers lag). */

#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_NET_ALL 3ULL			/* BIND_TCP, CONNECT_TCP (ABI 4) */
#define LL_SCOPE_ALL 3ULL		/* abstract UNIX sockets, signals (ABI 6) */
#define LL_RULE_PATH_BENEATH 1
#define LL_CREATE_RULESET_VERSION 1U

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;	/* ABI 4 */
	uint64_t scoped;		/* ABI 6 */
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* Every filesystem right the kernel's ABI knows: all are denied unless a
 * rule grants them. */
static uint64_t ll_fs_rights(int abi)
{
	uint64_t all = (1ULL << 13) - 1;	/* ABI 1: EXECUTE .. MAKE_SYM */

	if (abi >= 2)
		all |= 1ULL << 13;		/* REFER */
	if (abi >= 3)
		all |= 1ULL << 14;		/* TRUNCATE */
	if (abi >= 5)
		all |= 1ULL << 15;		/* IOCTL_DEV */
	return all;
}

#ifdef SYS_landlock_create_ruleset
/* Grant rights beneath the directory of path (and of where it leads, for a
 * symlink).  A directory that does not exist grants nothing. */
static int ll_allow_dir_of(int ruleset, const char *path, uint64_t rights)
{
	char buf[PATH_MAX], real[PATH_MAX];
	const char *dirs[2];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	dirs[n++] = dirname(buf);
	if (realpath(path, real))
		dirs[n++] = dirname(real);
	for (int i = 0; i < n; i++) {
		struct ll_path_beneath pb = { rights, -1 };

		if ((pb.parent_fd = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH,
			    &pb, 0) != 0) {
			int e = errno;

			close(pb.parent_fd);
			return op_err_set(OP_E_SYS, "landlock rule for %s: %s",
					  dirs[i], strerror(e));
		}
		close(pb.parent_fd);
	}
	return 0;
}

static int landlock(const struct srv_sandbox_paths *p, int *abi_out)
{
	struct ll_ruleset_attr attr = { 0 };
	size_t attr_size = sizeof(attr.handled_access_fs);
	int abi, fd, rc = 0;

	*abi_out = 0;
	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LL_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0;	/* not built in, or disabled at boot */
	attr.handled_access_fs = ll_fs_rights(abi);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_ALL;
		attr_size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ALL;
		attr_size = sizeof(attr);
	}
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (fd < 0)
		return op_err_set(OP_E_SYS, "landlock: %s", strerror(errno));
	for (int i = 0; i < p->nread && rc == 0; i++)
		rc = ll_allow_dir_of(fd, p->read_files[i], LL_FS_READ_FILE);
	if (rc == 0 && p->append_file)
		rc = ll_allow_dir_of(fd, p->append_file,
				     LL_FS_WRITE_FILE | LL_FS_MAKE_REG);
#ifdef SB_SANITIZER
	if (rc == 0)
		rc = ll_allow_dir_of(fd, "/proc/self", LL_FS_READ_FILE | LL_FS_READ_DIR);
#endif
	if (rc == 0 && syscall(SYS_landlock_restrict_self, fd, 0) != 0)
		rc = op_err_set(OP_E_SYS, "landlock: %s", strerror(errno));
	close(fd);
	if (rc == 0)
		*abi_out = abi;
	return rc;
}
#else
static int landlock(const struct srv_sandbox_paths *p, int *abi_out)
{
	(void)p;
	(void)ll_fs_rights;
	*abi_out = 0;
	return 0;
}
#endif

/* ---- seccomp */

#ifdef SB_ARCH
/* Allowed outright, the ones every request makes first: the filter tries
 * them in this order.  (Under #ifdef: architectures lack some of them,
 * aarch64 has no open, stat or poll.) */
static const int allowed[] = {
	SYS_recvfrom, SYS_sendto, SYS_epoll_pwait,
#ifdef SYS_epoll_wait
	SYS_epoll_wait,
#endif
	SYS_epoll_ctl, SYS_accept4, SYS_close, SYS_setsockopt,
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64,
	SYS_lseek, SYS_fstat, SYS_newfstatat, SYS_statx, SYS_openat,
	SYS_fstatfs,	/* LMDB, opening a file on hot swap */
#ifdef SYS_open
	SYS_open, SYS_stat, SYS_lstat,
#endif
	SYS_fcntl, SYS_dup, SYS_dup3, SYS_uname,
#ifdef SYS_dup2
	SYS_dup2,
#endif
	SYS_munmap, SYS_mremap, SYS_madvise, SYS_brk,
	SYS_futex, SYS_set_robust_list, SYS_rseq, SYS_sched_yield,
	SYS_sched_getaffinity, SYS_getrandom, SYS_gettid, SYS_getpid, SYS_tgkill,
	SYS_exit, SYS_exit_group, SYS_rt_sigreturn, SYS_rt_sigprocmask,
	SYS_rt_sigaction,	/* glibc's first pthread_create sets one */
	SYS_sigaltstack, SYS_restart_syscall,
#ifdef SYS_epoll_pwait2
	SYS_epoll_pwait2,
#endif
#ifdef SYS_poll
	SYS_poll,
#endif
	SYS_ppoll,
	SYS_accept, SYS_recvmsg, SYS_sendmsg, SYS_shutdown, SYS_getsockopt,
	SYS_getsockname, SYS_getpeername,
	SYS_clock_gettime, SYS_clock_getres, SYS_gettimeofday,
	SYS_clock_nanosleep, SYS_nanosleep,
#ifdef SB_SANITIZER
	SYS_ptrace, SYS_wait4, SYS_prctl, SYS_getdents64, SYS_readlinkat,
	SYS_getppid, SYS_kill, SYS_sched_getparam, SYS_getrlimit,
	SYS_prlimit64, SYS_unlinkat,
#ifdef SYS_readlink
	SYS_readlink, SYS_getdents,	/* the sanitizers' own x86_64 calls */
#endif
#endif
};

#define NALLOWED (int)(sizeof(allowed) / sizeof(allowed[0]))
/* A jump's offset is one octet. */
_Static_assert(sizeof(allowed) / sizeof(allowed[0]) + 32 < 255, "allow list too long");
#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))
#define RET_ALLOW STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define RET_ERRNO(e) STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))

/* Room for the fixed part, the list and the tail. */
#define PROG_MAX (8 + NALLOWED + 32)

/*
 * "If the call is nr: load argument arg (low 32 bits: both architectures
 * are little-endian) and allow it when (arg & mask) == want, else EPERM."
 * Six instructions.
 */
static int cond(struct sock_filter *f, int n, int nr, int arg, uint32_t mask,
		uint32_t want)
{
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 5);
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)ARG_LO(arg));
	f[n++] = STMT(BPF_ALU | BPF_AND | BPF_K, mask);
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, want, 0, 1);
	f[n++] = RET_ALLOW;
	f[n++] = RET_ERRNO(EPERM);
	return n;	/* not nr: A still holds the number */
}

/* The calls allowed on a condition, and the verdict for the rest: after
 * the list, so that the hot calls are decided first. */
static int build_tail(struct sock_filter *f)
{
	int n = 0;

	/* clone3's flags are in memory, out of the filter's sight: ENOSYS
	 * sends glibc's pthread_create back to clone. */
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
	f[n++] = RET_ERRNO(ENOSYS);
#ifndef SB_SANITIZER
	/* Threads, not processes (flags are clone's first argument on both
	 * architectures). */
	n = cond(f, n, SYS_clone, 0, CLONE_THREAD, CLONE_THREAD);
#else
	/* LeakSanitizer's tracer shares our memory, a fork does not. */
	n = cond(f, n, SYS_clone, 0, CLONE_VM, CLONE_VM);
#endif
	/* Nothing becomes executable (mmap's and mprotect's prot). */
	n = cond(f, n, SYS_mmap, 2, PROT_EXEC, 0);
	n = cond(f, n, SYS_mprotect, 2, PROT_EXEC, 0);
	/* libevent asks how much a socket holds; no other ioctl. */
	n = cond(f, n, SYS_ioctl, 1, 0xffffffffu, FIONREAD);
	f[n++] = RET_ERRNO(EPERM);
	f[n++] = RET_ALLOW;
	return n;
}

static int build(struct sock_filter *f)
{
	struct sock_filter tail[32];
	int n = 0, nt = build_tail(tail);

	/* Another architecture's numbers mean other calls: kill. */
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SB_ARCH, 1, 0);
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF);
#ifdef __x86_64__
	/* x32 numbers alias x86_64 ones with bit 30 set. */
	f[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	f[n++] = RET_ERRNO(EPERM);
#endif
	/* Each listed call jumps to the tail's last instruction, ALLOW. */
	for (int i = 0; i < NALLOWED; i++)
		f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)allowed[i],
			      (uint8_t)(NALLOWED - 1 - i + nt - 1), 0);
	memcpy(f + n, tail, (size_t)nt * sizeof(*tail));
	return n + nt;
}

static int seccomp_filter(int *nallowed)
{
	struct sock_filter f[PROG_MAX];
	struct sock_fprog prog;

	prog.len = (unsigned short)build(f);
	prog.filter = f;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC,
		    &prog) != 0)
		return op_err_set(OP_E_SYS, "seccomp: %s", strerror(errno));
	/* The conditional ones: clone, mmap, mprotect, ioctl. */
	*nallowed = NALLOWED + 4;
	return 0;
}
#else
static int seccomp_filter(int *nallowed)
{
	*nallowed = 0;
	return op_err_set(OP_E_SYS, "seccomp: no filter for this architecture "
			  "(x86_64 and aarch64 have one); run with --no-sandbox");
}
#endif

int srv_sandbox_enter(const struct srv_sandbox_paths *p,
		      struct srv_sandbox_state *st)
{
	int rc;

	memset(st, 0, sizeof(*st));
	/* Both need it unprivileged, and it keeps setuid binaries from
	 * granting anything back. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return op_err_set(OP_E_SYS, "no_new_privs: %s", strerror(errno));
	/* Landlock first: its set-up opens directories and calls what the
	 * filter will refuse. */
	if ((rc = landlock(p, &st->landlock_abi)) != 0)
		return rc;
	if ((rc = seccomp_filter(&st->nallowed)) != 0)
		return rc;
	st->seccomp = 1;
	return 0;
}

int srv_sandbox_probe(const struct srv_sandbox_state *st)
{
	char *const argv[] = { "/", NULL };
	int fd;

	/* Refused before the path is looked at: EPERM, not EACCES. */
	if (st->seccomp && (execve("/", argv, argv) == 0 || errno != EPERM))
		return op_err_set(OP_E_SYS, "sandbox probe: execve was not refused "
				  "(%s)", strerror(errno));
	if (st->seccomp && (fd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0) {
		close(fd);
		return op_err_set(OP_E_SYS, "sandbox probe: socket() went through");
	}
	if (st->landlock_abi && (fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		close(fd);
		return op_err_set(OP_E_SYS, "sandbox probe: opening / went through");
	}
	return 0;
}
