/*
 * srv_sandbox: confine ocsp-serve once it has bound its sockets, dropped
 * privileges and opened its files, before it reads a single request (as
 * OpenBSD's ocspcheck pledges before it parses).  Whatever a parser bug
 * lets an attacker run then meets two walls:
 *
 *  - a seccomp filter (built here as plain BPF: no library) that allows
 *    the system calls the worker loop, hot swap and logging make and
 *    refuses every other one with EPERM: no exec, no new socket (accept
 *    only), no fork, no ptrace, no executable mapping, ioctl FIONREAD only;
 *  - Landlock, where the kernel has it: files may be opened for reading
 *    only in the directories of the served files (where hot swap finds the
 *    next one), for appending or creating only in the access log's
 *    directory (logrotate), nothing else; no TCP bind or connect.
 *
 * The systemd unit's hardening covers much of this too, but only under
 * systemd; this goes wherever the binary goes.
 */
#ifndef SRV_SANDBOX_H
#define SRV_SANDBOX_H

#include <stddef.h>

#define SRV_SANDBOX_MAX_DIRS 18

/* What the sandboxed process may still open.  Paths are borrowed. */
struct srv_sandbox_paths {
	const char *read_files[SRV_SANDBOX_MAX_DIRS];	/* --db paths */
	int nread;
	const char *append_file;	/* --access-log path, or NULL */
};

/* What srv_sandbox_enter() put in place, for the log line. */
struct srv_sandbox_state {
	int seccomp;		/* 1: the filter is on */
	int nallowed;		/* system calls it allows (with conditions) */
	int landlock_abi;	/* 0: no Landlock (kernel without it) */
};

/*
 * Enter the sandbox for this thread and the threads it starts from now
 * on.  Landlock missing from the kernel is not an error (the state says
 * so); any other failure is, and leaves the process unusable for serving
 * (the caller exits).
 */
int srv_sandbox_enter(const struct srv_sandbox_paths *p,
		      struct srv_sandbox_state *st);

/*
 * Check from inside that forbidden calls are refused: exec, a new
 * socket, and (with Landlock) opening "/".  0, or OP_E_SYS naming the
 * call that went through.
 */
int srv_sandbox_probe(const struct srv_sandbox_state *st);

#endif
