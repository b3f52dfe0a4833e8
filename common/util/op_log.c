#include "op_log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *prog_name = "ocsp-presign";
static enum op_log_level max_level = OP_LOG_INFO;
static op_log_hook_fn hook;
static void *hook_arg;

void op_log_init(const char *prog, enum op_log_level max)
{
	prog_name = prog;
	max_level = max;
}

void op_log_set_hook(op_log_hook_fn fn, void *arg)
{
	hook = fn;
	hook_arg = arg;
}

void op_log(enum op_log_level level, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	char line[2048];
	va_list ap;

	if (level > max_level && !hook)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if ((hook && hook(level, line, hook_arg)) || level > max_level)
		return;
	/* One fprintf per line so lines from threads do not interleave. */
	fprintf(stderr, "%s: %s%s\n", prog_name, tag[level], line);
}
