/* gen_input and gen_conf: issued formats, local revocations, merging,
 * configuration errors. */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen_conf.h"
#include "gen_input.h"
#include "op_err.h"
#include "op_log.h"
#include "op_rec.h"

static char dir[] = "/tmp/check_input.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	op_log_init("check_input", OP_LOG_ERR);
}

static void teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

START_TEST(hex_list)
{
	struct gen_list is = { 0 }, rv = { 0 };
	const char *p = write_file("serials", "# issued\n1000\n\n  1001  \n0A # trailing\n");

	ck_assert_int_eq(gen_issued_load(p, &is, &rv), 0);
	ck_assert_uint_eq(is.n, 3);
	ck_assert_uint_eq(rv.n, 0);
	ck_assert_uint_eq(is.v[2].serial_len, 1);
	ck_assert_uint_eq(is.v[2].serial[0], 0x0a);
	ck_assert_uint_eq(is.v[0].status, OP_STATUS_GOOD);
	gen_list_free(&is);
}
END_TEST

START_TEST(hex_list_malformed)
{
	struct gen_list is = { 0 }, rv = { 0 };
	const char *p = write_file("bad", "1000\n1001\nzz12\n");

	ck_assert_int_eq(gen_issued_load(p, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "bad:3:"));
	gen_list_free(&is);
	p = write_file("bad2", "1000 1001\n");
	ck_assert_int_eq(gen_issued_load(p, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "bad2:1:"));
	gen_list_free(&is);
}
END_TEST

START_TEST(index_txt)
{
	struct gen_list is = { 0 }, rv = { 0 };
	const char *p = write_file("index.txt",
		"V\t351231235959Z\t\t2000\tunknown\t/CN=a\n"
		"R\t351231235959Z\t261101120000Z,keyCompromise\t2001\tunknown\t/CN=b\n"
		"E\t201231235959Z\t\t2002\tunknown\t/CN=c\n"
		"R\t351231235959Z\t261101120000Z\t2003\tunknown\t/CN=d\n");

	ck_assert_int_eq(gen_issued_load(p, &is, &rv), 0);
	ck_assert_uint_eq(is.n, 1);
	ck_assert_uint_eq(rv.n, 2);
	ck_assert_uint_eq(rv.v[0].reason, 1);
	ck_assert_uint_eq(rv.v[1].reason, OP_REASON_NONE);
	ck_assert_int_eq(rv.v[0].rev_time, 1793534400);
	gen_list_free(&is);
	gen_list_free(&rv);
	p = write_file("index2.txt",
		"V\t351231235959Z\t\t2000\tunknown\t/CN=a\n"
		"R\t351231235959Z\t2611011200Z,keyCompromise\t2001\tunknown\t/CN=b\n");
	ck_assert_int_eq(gen_issued_load(p, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "index2.txt:2:"));
	gen_list_free(&is);
	gen_list_free(&rv);
	p = write_file("index3.txt", "V\t351231235959Z\t\t2000\tunknown\t/CN=a\nX\tfoo\n");
	ck_assert_int_eq(gen_issued_load(p, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "index3.txt:2:"));
	gen_list_free(&is);
	gen_list_free(&rv);
}
END_TEST

START_TEST(serial_directory)
{
	struct gen_list is = { 0 }, rv = { 0 };
	char d[600], f[700];

	snprintf(d, sizeof(d), "%s/issued", dir);
	ck_assert_int_eq(mkdir(d, 0700), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s/%X", d, 0x3000 + i);
		fclose(fopen(f, "w"));
	}
	snprintf(f, sizeof(f), "%s/.hidden", d);
	fclose(fopen(f, "w"));
	ck_assert_int_eq(gen_issued_load(d, &is, &rv), 0);
	ck_assert_uint_eq(is.n, 3);
	gen_list_free(&is);
	snprintf(f, sizeof(f), "%s/not-a-serial", d);
	fclose(fopen(f, "w"));
	ck_assert_int_eq(gen_issued_load(d, &is, &rv), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "not-a-serial"));
	gen_list_free(&is);
}
END_TEST

START_TEST(local_revocations)
{
	struct gen_list l = { 0 };
	const char *p = write_file("local",
		"# local\n1007 20261101120000Z keyCompromise\n1008\n1009 20261101120000Z\n");

	ck_assert_int_eq(gen_local_load(p, &l), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.v[0].reason, 1);
	ck_assert_int_eq(l.v[0].rev_time, 1793534400);
	ck_assert_int_eq(l.v[1].rev_time, 0);
	ck_assert_uint_eq(l.v[2].reason, OP_REASON_NONE);
	gen_list_free(&l);
	p = write_file("local2", "1007 2026-11-01 keyCompromise\n");
	ck_assert_int_eq(gen_local_load(p, &l), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "local2:1:"));
	gen_list_free(&l);
	p = write_file("local3", "\n1007 20261101120000Z notAReason\n");
	ck_assert_int_eq(gen_local_load(p, &l), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "local3:2:"));
	gen_list_free(&l);
}
END_TEST

START_TEST(merge_priority)
{
	struct gen_list is = { 0 }, rv = { 0 }, crl = { 0 }, loc = { 0 }, out;
	struct gen_list *lists[] = { &is, &rv, &crl, &loc };

	ck_assert_int_eq(gen_issued_load(write_file("s", "1\n2\n3\n"), &is, &rv), 0);
	/* CRL says 2 superseded, local says 2 keyCompromise and 9 (not issued). */
	ck_assert_int_eq(gen_local_load(write_file("c", "2 20260101000000Z superseded\n"), &crl), 0);
	for (size_t i = 0; i < crl.n; i++)
		crl.v[i].src = GEN_SRC_CRL;
	ck_assert_int_eq(gen_local_load(write_file("l", "2 20260202000000Z keyCompromise\n9\n"), &loc), 0);
	ck_assert_int_eq(gen_merge(lists, 4, &out), 0);
	ck_assert_uint_eq(out.n, 4);
	ck_assert_uint_eq(out.v[1].serial[0], 2);
	ck_assert_uint_eq(out.v[1].status, OP_STATUS_REVOKED);
	ck_assert_uint_eq(out.v[1].reason, 1);
	ck_assert_uint_eq(out.v[3].serial[0], 9);
	ck_assert_uint_eq(out.v[3].status, OP_STATUS_REVOKED);
	ck_assert_uint_eq(out.v[0].status, OP_STATUS_GOOD);
	for (size_t i = 0; i < 4; i++)
		gen_list_free(lists[i]);
	gen_list_free(&out);
}
END_TEST

START_TEST(config_errors)
{
	struct gen_conf c;
	const char *p;

	p = write_file("ok.conf", "[ocsp_gen]\noutput = out.lmdb\nauthorities = a\n"
		       "[a]\nca_cert = ca.pem\ncrl = ca.crl\nissued = s\nsigners = x\n"
		       "[x]\ncert = x.pem\nkey = pkcs11:token=t;object=o\n");
	ck_assert_int_eq(gen_conf_load(p, &c), 0);
	ck_assert_int_eq(c.validity, 7 * 86400);
	ck_assert_int_eq(c.refresh, 3 * 86400);
	ck_assert_uint_eq(c.nhashes, 2);
	ck_assert_uint_eq(c.nauths, 1);
	ck_assert_ptr_nonnull(strstr(c.auths[0].ca_cert, "/ca.pem"));
	ck_assert_str_eq(c.auths[0].signers[0].key, "pkcs11:token=t;object=o");
	gen_conf_free(&c);

	p = write_file("syntax.conf", "[ocsp_gen]\noutput = x\n[broken\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "syntax.conf:3"));

	p = write_file("noissued.conf", "[ocsp_gen]\noutput = o\nauthorities = a\n"
		       "[a]\nca_cert = c\ncrl = r\nsigners = x\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "[a]: 'issued' is required"));

	p = write_file("dur.conf", "[ocsp_gen]\noutput = o\nvalidity = 7x\nauthorities = a\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "validity"));

	p = write_file("refresh.conf", "[ocsp_gen]\noutput = o\nvalidity = 1d\nrefresh = 2d\nauthorities = a\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "refresh"));

	p = write_file("hash.conf", "[ocsp_gen]\noutput = o\ncert_ids = md5\nauthorities = a\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "md5"));
}
END_TEST

/* include_signer_cert and responder_id: defaults, [ocsp_gen], per
 * authority override; all four CertID hashes. */
START_TEST(config_profile)
{
	struct gen_conf c;
	const char *p, *auth = "[a]\nca_cert = c\ncrl = r\nissued = s\nsigners = x\n"
			      "[b]\nca_cert = c\ncrl = r\nissued = s\nsigners = x\n"
			      "include_signer_cert = yes\nresponder_id = key\n"
			      "[x]\ncert = x.pem\nkey = x.key\n";
	char buf[1024];

	snprintf(buf, sizeof(buf), "[ocsp_gen]\noutput = o\nauthorities = a, b\n%s", auth);
	ck_assert_int_eq(gen_conf_load(write_file("p1.conf", buf), &c), 0);
	ck_assert_int_eq(c.auths[0].include_signer_cert, 1);
	ck_assert_int_eq(c.auths[0].responder_by_name, 0);
	gen_conf_free(&c);

	snprintf(buf, sizeof(buf), "[ocsp_gen]\noutput = o\nauthorities = a, b\n"
		 "include_signer_cert = no\nresponder_id = name\n"
		 "cert_ids = sha384, sha512, sha1, sha256\n%s", auth);
	ck_assert_int_eq(gen_conf_load(write_file("p2.conf", buf), &c), 0);
	ck_assert_int_eq(c.auths[0].include_signer_cert, 0);
	ck_assert_int_eq(c.auths[0].responder_by_name, 1);
	ck_assert_int_eq(c.auths[1].include_signer_cert, 1);
	ck_assert_int_eq(c.auths[1].responder_by_name, 0);
	ck_assert_uint_eq(c.nhashes, 4);
	ck_assert_int_eq(c.hashes[0], OP_HASH_SHA384);
	ck_assert_int_eq(c.hashes[1], OP_HASH_SHA512);
	gen_conf_free(&c);

	p = write_file("p3.conf", "[ocsp_gen]\noutput = o\nauthorities = a\n"
		       "[a]\nca_cert = c\ncrl = r\nissued = s\nsigners = x\n"
		       "responder_id = hash\n[x]\ncert = x\nkey = k\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "[a]: responder_id 'hash'"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gen_input");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hex_list);
	tcase_add_test(tc, hex_list_malformed);
	tcase_add_test(tc, index_txt);
	tcase_add_test(tc, serial_directory);
	tcase_add_test(tc, local_revocations);
	tcase_add_test(tc, merge_priority);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, config_profile);
	suite_add_tcase(s, tc);
	return check_run(s);
}
