/*
 * op_log: one line per event on stderr, which systemd's journal collects.
 * No timestamps: the journal and cron mail add their own.
 */
#ifndef OP_LOG_H
#define OP_LOG_H

enum op_log_level { OP_LOG_ERR, OP_LOG_WARN, OP_LOG_INFO, OP_LOG_DEBUG };

/* Program name prefixed to each line, and the most verbose level shown.
 * prog must outlive all logging (a string literal or argv[0]). */
void op_log_init(const char *prog, enum op_log_level max);

/*
 * Hand every line to fn first, whatever the level filter (without the
 * program name or level tag); when fn returns non-zero the line is not
 * printed.  fn NULL removes the hook.  For `ocsp-gen --check`, which puts
 * a run's warnings into its report; set it from one thread only.
 */
typedef int (*op_log_hook_fn)(enum op_log_level level, const char *line,
			      void *arg);
void op_log_set_hook(op_log_hook_fn fn, void *arg);

void op_log(enum op_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define op_log_err(...) op_log(OP_LOG_ERR, __VA_ARGS__)
#define op_warn(...) op_log(OP_LOG_WARN, __VA_ARGS__)
#define op_info(...) op_log(OP_LOG_INFO, __VA_ARGS__)
#define op_debug(...) op_log(OP_LOG_DEBUG, __VA_ARGS__)

#endif
