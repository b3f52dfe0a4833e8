/* gen_audit: one JSON object per line, appended whole at the end; the
 * status lines capped per authority with the total; nothing without a
 * path; the run's failure recorded. */
#include <check.h>

#include "check_run.h"
#include "check_tmpdir.h"
#include <stdio.h>
#include <string.h>

#include "gen_audit.h"
#include "op_err.h"
#include "op_rec.h"

static char log_path[600];

static char *slurp(void)
{
	static char buf[1 << 20];
	FILE *f = fopen(log_path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void setup(void)
{
	tmpdir_setup();
	snprintf(log_path, sizeof(log_path), "%s/audit.log", tmpdir);
}

START_TEST(records_appended_whole)
{
	const char *conf = tmpdir_file("c.conf", "[ocsp_gen]\n");
	struct gen_entry e = { .serial = { 0x1a, 0x2b }, .serial_len = 2,
			       .status = OP_STATUS_REVOKED, .reason = 1,
			       .src = GEN_SRC_CRL, .rev_time = 1735689600 };
	const char *others[] = { "old \"signer\"" }, *why[] = { "expired" };
	char *text;

	ck_assert_int_eq(gen_audit_begin(log_path, conf, 0, 1800000000), 0);
	gen_audit_signer("ca", "new", others, why, 1);
	gen_audit_status("ca", e.serial, 2, OP_STATUS_GOOD, 0, &e, e.rev_time);
	gen_audit_kept("ca", &e);
	gen_audit_publish("out.lmdb", 7, 1);
	/* Nothing reaches the file before the end. */
	ck_assert_int_ne(access(log_path, F_OK), 0);
	ck_assert_int_eq(gen_audit_end(0, ""), 0);
	text = slurp();
	ck_assert_uint_eq(count(text, "\n"), 6);
	ck_assert_ptr_nonnull(strstr(text, "{\"id\":\"OCSPGEN_RUN\""));
	ck_assert_ptr_nonnull(strstr(text, "\"run_time\":\"2027-01-15T08:00:00Z\""));
	ck_assert_ptr_nonnull(strstr(text, "\"signer\":\"old \\\"signer\\\"\",\"why\":\"expired\""));
	ck_assert_ptr_nonnull(strstr(text, "\"serial\":\"1A2B\",\"old\":\"good\",\"old_reason\":\"\",\"new\":\"revoked\",\"reason\":\"keyCompromise\",\"revocation_time\":\"2025-01-01T00:00:00Z\",\"decided_by\":\"crl\""));
	ck_assert_ptr_nonnull(strstr(text, "{\"id\":\"OCSPGEN_KEPT\""));
	ck_assert_ptr_nonnull(strstr(text, "\"file\":\"out.lmdb\",\"generation\":7,\"published\":true"));
	ck_assert_ptr_nonnull(strstr(text, "\"result\":\"ok\""));
	/* A second run appends. */
	ck_assert_int_eq(gen_audit_begin(log_path, conf, 0, 1800000000), 0);
	ck_assert_int_eq(gen_audit_end(OP_E_CRL, "x.crl: \"bad\"\n"), 0);
	text = slurp();
	ck_assert_uint_eq(count(text, "OCSPGEN_RUN"), 2);
	ck_assert_ptr_nonnull(strstr(text, "\"result\":\"failed\",\"error\":\"x.crl: \\\"bad\\\"\\u000a\""));
}
END_TEST

START_TEST(status_lines_capped)
{
	const char *conf = tmpdir_file("c.conf", "x");
	struct gen_entry e = { .serial = { 1 }, .serial_len = 1 };
	char *text;

	ck_assert_int_eq(gen_audit_begin(log_path, conf, 0, 1800000000), 0);
	for (int i = 0; i < GEN_AUDIT_MAX_CHANGES + 5; i++)
		gen_audit_status("ca", e.serial, 1, -1, 0, &e, 0);
	gen_audit_status("other", e.serial, 1, -1, 0, &e, 0);
	ck_assert_int_eq(gen_audit_end(0, ""), 0);
	text = slurp();
	ck_assert_uint_eq(count(text, "\"authority\":\"ca\",\"serial\""),
			  GEN_AUDIT_MAX_CHANGES);
	ck_assert_uint_eq(count(text, "\"authority\":\"other\",\"serial\""), 1);
	ck_assert_ptr_nonnull(strstr(text, "\"id\":\"OCSPGEN_TRUNCATED\""));
	ck_assert_ptr_nonnull(strstr(text, "\"shown\":1000,\"total\":1005"));
}
END_TEST

START_TEST(no_path_no_trail)
{
	struct gen_entry e = { .serial = { 1 }, .serial_len = 1 };

	ck_assert_int_eq(gen_audit_begin(NULL, "unused", 0, 1), 0);
	gen_audit_status("ca", e.serial, 1, -1, 0, &e, 0);
	ck_assert_int_eq(gen_audit_end(0, ""), 0);
	ck_assert_int_ne(access(log_path, F_OK), 0);
	/* A configuration that cannot be read cannot be digested. */
	ck_assert_int_ne(gen_audit_begin(log_path, "/nonexistent/c.conf", 0, 1), 0);
}
END_TEST

CHECK_MAIN("gen_audit", setup, tmpdir_teardown,
	   records_appended_whole, status_lines_capped, no_path_no_trail)
