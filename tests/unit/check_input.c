/* gen_input: issued formats, local revocations, merging. */
#include <check.h>

#include "check_run.h"
#include "check_tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen_input.h"
#include "op_err.h"
#include "op_log.h"
#include "op_rec.h"

START_TEST(hex_list)
{
	struct gen_list is = { 0 }, rv = { 0 };
	const char *p = tmpdir_file("serials", "# issued\n1000\n\n  1001  \n0A # trailing\n");

	ck_assert_int_eq(gen_input_issued_load(p, &is, &rv), 0);
	ck_assert_uint_eq(is.n, 3);
	ck_assert_uint_eq(rv.n, 0);
	ck_assert_uint_eq(is.v[2].serial_len, 1);
	ck_assert_uint_eq(is.v[2].serial[0], 0x0a);
	ck_assert_uint_eq(is.v[0].status, OP_STATUS_GOOD);
	gen_input_list_free(&is);
}
END_TEST

START_TEST(hex_list_malformed)
{
	struct gen_list is = { 0 }, rv = { 0 };
	const char *p = tmpdir_file("bad", "1000\n1001\nzz12\n");

	ck_assert_int_eq(gen_input_issued_load(p, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "bad:3:"));
	gen_input_list_free(&is);
	p = tmpdir_file("bad2", "1000 1001\n");
	ck_assert_int_eq(gen_input_issued_load(p, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "bad2:1:"));
	gen_input_list_free(&is);
}
END_TEST

START_TEST(index_txt)
{
	struct gen_list is = { 0 }, rv = { 0 };
	const char *p = tmpdir_file("index.txt",
		"V\t351231235959Z\t\t2000\tunknown\t/CN=a\n"
		"R\t351231235959Z\t261101120000Z,keyCompromise\t2001\tunknown\t/CN=b\n"
		"E\t201231235959Z\t\t2002\tunknown\t/CN=c\n"
		"R\t351231235959Z\t261101120000Z\t2003\tunknown\t/CN=d\n");

	ck_assert_int_eq(gen_input_issued_load(p, &is, &rv), 0);
	ck_assert_uint_eq(is.n, 1);
	ck_assert_uint_eq(rv.n, 2);
	ck_assert_uint_eq(rv.v[0].reason, 1);
	ck_assert_uint_eq(rv.v[1].reason, OP_REASON_NONE);
	ck_assert_int_eq(rv.v[0].rev_time, 1793534400);
	gen_input_list_free(&is);
	gen_input_list_free(&rv);
	p = tmpdir_file("index2.txt",
		"V\t351231235959Z\t\t2000\tunknown\t/CN=a\n"
		"R\t351231235959Z\t2611011200Z,keyCompromise\t2001\tunknown\t/CN=b\n");
	ck_assert_int_eq(gen_input_issued_load(p, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "index2.txt:2:"));
	gen_input_list_free(&is);
	gen_input_list_free(&rv);
	p = tmpdir_file("index3.txt", "V\t351231235959Z\t\t2000\tunknown\t/CN=a\nX\tfoo\n");
	ck_assert_int_eq(gen_input_issued_load(p, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "index3.txt:2:"));
	gen_input_list_free(&is);
	gen_input_list_free(&rv);
}
END_TEST

START_TEST(serial_directory)
{
	struct gen_list is = { 0 }, rv = { 0 };
	char d[600], f[700];

	snprintf(d, sizeof(d), "%s/issued", tmpdir);
	ck_assert_int_eq(mkdir(d, 0700), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s/%X", d, 0x3000 + i);
		fclose(fopen(f, "w"));
	}
	snprintf(f, sizeof(f), "%s/.hidden", d);
	fclose(fopen(f, "w"));
	ck_assert_int_eq(gen_input_issued_load(d, &is, &rv), 0);
	ck_assert_uint_eq(is.n, 3);
	gen_input_list_free(&is);
	snprintf(f, sizeof(f), "%s/not-a-serial", d);
	fclose(fopen(f, "w"));
	ck_assert_int_eq(gen_input_issued_load(d, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "not-a-serial"));
	gen_input_list_free(&is);
}
END_TEST

START_TEST(local_revocations)
{
	struct gen_list l = { 0 };
	const char *p = tmpdir_file("local",
		"# local\n1007 20261101120000Z keyCompromise\n1008\n1009 20261101120000Z\n");

	ck_assert_int_eq(gen_input_local_load(p, &l), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.v[0].reason, 1);
	ck_assert_int_eq(l.v[0].rev_time, 1793534400);
	ck_assert_int_eq(l.v[1].rev_time, 0);
	ck_assert_uint_eq(l.v[2].reason, OP_REASON_NONE);
	gen_input_list_free(&l);
	p = tmpdir_file("local2", "1007 2026-11-01 keyCompromise\n");
	ck_assert_int_eq(gen_input_local_load(p, &l), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "local2:1:"));
	gen_input_list_free(&l);
	p = tmpdir_file("local3", "\n1007 20261101120000Z notAReason\n");
	ck_assert_int_eq(gen_input_local_load(p, &l), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "local3:2:"));
	gen_input_list_free(&l);
}
END_TEST

START_TEST(merge_priority)
{
	struct gen_list is = { 0 }, rv = { 0 }, crl = { 0 }, loc = { 0 }, out;
	struct gen_list *lists[] = { &is, &rv, &crl, &loc };

	ck_assert_int_eq(gen_input_issued_load(tmpdir_file("s", "1\n2\n3\n"), &is, &rv), 0);
	/* CRL says 2 superseded, local says 2 keyCompromise and 9 (not issued). */
	ck_assert_int_eq(gen_input_local_load(tmpdir_file("c", "2 20260101000000Z superseded\n"), &crl), 0);
	for (size_t i = 0; i < crl.n; i++)
		crl.v[i].src = GEN_SRC_CRL;
	ck_assert_int_eq(gen_input_local_load(tmpdir_file("l", "2 20260202000000Z keyCompromise\n9\n"), &loc), 0);
	ck_assert_int_eq(gen_input_merge(lists, 4, &out), 0);
	ck_assert_uint_eq(out.n, 4);
	ck_assert_uint_eq(out.v[1].serial[0], 2);
	ck_assert_uint_eq(out.v[1].status, OP_STATUS_REVOKED);
	ck_assert_uint_eq(out.v[1].reason, 1);
	ck_assert_uint_eq(out.v[3].serial[0], 9);
	ck_assert_uint_eq(out.v[3].status, OP_STATUS_REVOKED);
	ck_assert_uint_eq(out.v[0].status, OP_STATUS_GOOD);
	for (size_t i = 0; i < 4; i++)
		gen_input_list_free(lists[i]);
	gen_input_list_free(&out);
}
END_TEST

/* removeFromCRL in the local list: never a revocation.  It releases a
 * hold (the serial reads as issued, or goes when never issued), and
 * leaves a revocation for another reason in place. */
START_TEST(local_remove_from_crl)
{
	struct gen_list is = { 0 }, rv = { 0 }, crl = { 0 }, loc = { 0 }, out;
	struct gen_list *lists[] = { &is, &rv, &crl, &loc };

	ck_assert_int_eq(gen_input_issued_load(tmpdir_file("s", "1\n2\n3\n4\n"), &is, &rv), 0);
	/* CRL: 1 and 5 (not issued) on hold, 2 keyCompromise. */
	ck_assert_int_eq(gen_input_local_load(tmpdir_file("c",
		"1 20260101000000Z certificateHold\n"
		"2 20260101000000Z keyCompromise\n"
		"5 20260101000000Z certificateHold\n"), &crl), 0);
	for (size_t i = 0; i < crl.n; i++)
		crl.v[i].src = GEN_SRC_CRL;
	/* Local: releases for 1, 2, 5, and 3 (not on any list). */
	ck_assert_int_eq(gen_input_local_load(tmpdir_file("l",
		"1 20260301000000Z removeFromCRL\n2 20260301000000Z removeFromCRL\n"
		"3 20260301000000Z removeFromCRL\n5 20260301000000Z removeFromCRL\n"),
		&loc), 0);
	ck_assert_uint_eq(loc.v[0].status, OP_STATUS_GOOD);
	ck_assert_int_eq(gen_input_merge(lists, 4, &out), 0);
	ck_assert_uint_eq(out.n, 4);		/* 5 is gone: never issued */
	for (size_t i = 0; i < out.n; i++) {
		ck_assert_uint_eq(out.v[i].serial[0], i + 1);
		ck_assert_uint_ne(out.v[i].reason, GEN_REASON_REMOVE);
		ck_assert_uint_eq(out.v[i].status, i == 1 ? OP_STATUS_REVOKED :
				  OP_STATUS_GOOD);
	}
	ck_assert_uint_eq(out.v[1].reason, 1);	/* keyCompromise stays */
	/* The hold is lifted by the local line, which decides the status. */
	ck_assert_uint_eq(out.v[0].src, GEN_SRC_LOCAL);
	for (size_t i = 0; i < 4; i++)
		gen_input_list_free(lists[i]);
	gen_input_list_free(&out);
}
END_TEST

CHECK_MAIN("gen_input", tmpdir_setup, tmpdir_teardown,
	   hex_list, hex_list_malformed, index_txt, serial_directory,
	   local_revocations, merge_priority, local_remove_from_crl)
