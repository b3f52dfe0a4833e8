/*
 * ocsp-gen: pre-sign every OCSP response of the configured authorities
 * into an LMDB file and publish it atomically.  See ocsp-gen(8).
 */
#include "gen_check.h"
#include "gen_conf.h"
#include "gen_csr.h"
#include "gen_run.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_time.h"
#include "op_version.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static const char synopsis[] =
	"usage: ocsp-gen -c FILE [--force] [--dry-run] [--ca NAME] [-q|-v]\n"
	"       ocsp-gen -c FILE --ca NAME --release SERIAL[,SERIAL...]\n"
	"       ocsp-gen -c FILE --check [--ca NAME]\n"
	"       ocsp-gen -c FILE --csr SIGNER > SIGNER.csr\n"
	"       ocsp-gen --version\n";

/* A usage error: what is wrong, the synopsis, exit status 2. */
static int usage_error(const char *what)
{
	if (what)
		fprintf(stderr, "ocsp-gen: %s\n", what);
	fputs(synopsis, stderr);
	fputs("(ocsp-gen --help for every option)\n", stderr);
	return 2;
}

static void usage(FILE *f)
{
	fputs(synopsis, f);
	fputs("\n"
	      "Pre-sign OCSP responses for every configured authority and publish\n"
	      "them atomically to the LMDB file named by 'output'.\n"
	      "\n"
	      "  -c, --config FILE  configuration (OpenSSL config syntax)\n"
	      "      --force        re-sign every response\n"
	      "  -n, --dry-run      read inputs, sign, report; publish nothing\n"
	      "      --ca NAME      only this authority (others are kept as they are)\n"
	      "      --check        readiness report: read every input, choose every\n"
	      "                     signer, sign one test response per authority;\n"
	      "                     writes nothing\n"
	      "      --release SERIALS  (with --ca) forget the remembered permanent\n"
	      "                     revocations of these hex serials in this run:\n"
	      "                     for an operator's own mistaken revocation;\n"
	      "                     one the inputs still list stays revoked\n"
	      "      --csr SIGNER   write a PEM certificate request for the key of\n"
	      "                     signer section SIGNER, signed in the token\n"
	      "  -q, --quiet        errors only\n"
	      "  -v, --verbose      more detail\n"
	      "  -h, --help         this text\n"
	      "      --version      print the version and exit\n"
	      "\n"
	      "Exit status: 0 published (or nothing needed re-signing); 1 error,\n"
	      "nothing published; 2 usage; 3 another run holds the lock.\n", f);
}

/* The run's progress line on a terminal (gen_batch_progress_fn): a count
 * rewritten in place, ended when an output is done. */
static void progress(void *arg, size_t done, int end)
{
	(void)arg;
	if (end)
		fputc('\n', stderr);
	else
		fprintf(stderr, "\rocsp-gen: signed %zu", done);
}

/* What the command line asks for. */
struct cli {
	struct gen_opts opts;
	const char *config, *csr, *release;
	int check;
	enum op_log_level level;
};

/* Parse argv into cli.  -1 when the command line is good; otherwise the
 * exit status (--help, --version or a usage error). */
static int parse_args(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "ca", required_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "csr", required_argument, NULL, 'R' },
		{ "check", no_argument, NULL, 'K' },
		{ "release", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_opts *o = &cli->opts;
	int c;

	cli->level = OP_LOG_INFO;
	while ((c = getopt_long(argc, argv, "c:nqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': cli->config = optarg; break;
		case 'f': o->force = 1; break;
		case 'n': o->dry_run = 1; break;
		case 'C': o->only_ca = optarg; break;
		case 'R': cli->csr = optarg; break;
		case 'K': cli->check = 1; break;
		case 'L': cli->release = optarg; break;
		case 'q': cli->level = OP_LOG_ERR; break;
		case 'v': cli->level = OP_LOG_DEBUG; break;
		case 'h': usage(stdout); return 0;
		case 'V': return op_version_print(stdout, "ocsp-gen") ? 1 : 0;
		default: return usage_error(NULL);	/* getopt said why */
		}
	}
	if (!cli->config)
		return usage_error("-c FILE is required");
	if (optind != argc)
		return usage_error("unexpected argument");
	if (cli->csr && (o->force || o->dry_run || o->only_ca || cli->check))
		return usage_error("--csr goes with -c only");
	if (cli->check && (o->force || o->dry_run || cli->release))
		return usage_error("--check goes with -c and --ca only");
	if (cli->release && (!o->only_ca || cli->csr))
		return usage_error("--release needs --ca NAME: a release names "
				   "the authority whose serials it forgets");
	if (cli->level >= OP_LOG_INFO && isatty(STDERR_FILENO))
		o->progress = progress;
	return -1;
}

/* --release's list: hex serials separated by commas, sorted for
 * gen_stick's look-up. */
static int release_list(const char *arg, struct gen_list *out)
{
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ", ");
		struct gen_entry *e;
		size_t len;

		if (n) {
			if (!(e = gen_input_list_add(out)))
				return OP_E_NOMEM;
			if (op_serial_from_hex(p, n, e->serial, &len) != 0)
				return op_err_set(OP_E_CONFIG, "--release: '%.*s' is "
						  "not a hexadecimal serial",
						  (int)n, p);
			e->serial_len = (uint8_t)len;
		}
		p += n + (p[n] != '\0');
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), gen_input_entry_cmp);
	return 0;
}

/* One run, and its summary line. */
static int run(const struct gen_conf *conf, const struct gen_opts *opts)
{
	struct gen_stats st;
	struct timespec t0, t1;
	char files[32];
	int rc;

	/* The real time a run took, whatever the test clock says. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = gen_run(conf, opts, &st)) != 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	snprintf(files, sizeof(files), "%zu files", st.outputs);
	if (opts->dry_run)
		op_info("dry run: would sign %zu, keep %zu, remove %zu; "
			"nothing published", st.signed_count, st.kept, st.removed);
	else
		op_info("%s %s: signed %zu, kept %zu, removed %zu in %lds; "
			"%zu re-signed early", st.published ? "published" : "unchanged",
			st.output ? st.output : files, st.signed_count, st.kept,
			st.removed, (long)(t1.tv_sec - t0.tv_sec), st.early);
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct gen_conf conf;
	const char *act;
	int rc, run_failed;

	if ((rc = parse_args(argc, argv, &cli)) >= 0)
		return rc;
	op_log_init("ocsp-gen", cli.level);
	if ((rc = op_time_init()) != 0) {
		op_log_err("%s", op_err_detail());
		return 1;
	}
	/* The PIN passes through this process: keep it out of core dumps
	 * and away from ptrace by other users. */
	prctl(PR_SET_DUMPABLE, 0);

	act = "reading configuration";
	if ((rc = gen_conf_load(cli.config, &conf)) != 0)
		goto fail;
	if (cli.csr) {
		act = "certificate request";
		rc = gen_csr_write(&conf, cli.csr, stdout);
	} else if (cli.check) {
		act = "check";
		rc = gen_check(&conf, cli.opts.only_ca, stdout);
	} else {
		struct gen_list release = { 0 };

		act = "run";
		if (cli.release && (rc = release_list(cli.release, &release)) == 0)
			cli.opts.release = &release;
		if (rc == 0)
			rc = run(&conf, &cli.opts);
		gen_input_list_free(&release);
	}
	gen_conf_free(&conf);
	if (rc == 0)
		return 0;
fail:
	/* One line: the detail names file, section, authority or signer;
	 * the code's name only stands in when there is no detail. */
	run_failed = strcmp(act, "run") == 0 && rc != OP_E_LOCKED;
	if (*op_err_detail())
		op_log_err("%s%s", op_err_detail(), run_failed ? "; nothing was "
			   "published, the previous file is unchanged" : "");
	else
		op_log_err("%s: %s%s", act, op_err_str(rc), run_failed ? "; nothing "
			   "was published, the previous file is unchanged" : "");
	return rc == OP_E_LOCKED ? 3 : 1;
}
