/* gen_conf: defaults, syntax and value errors, the response profile. */
#include <check.h>

#include "check_run.h"
#include "check_tmpdir.h"
#include <string.h>

#include "gen_conf.h"
#include "op_err.h"
#include "op_key.h"

START_TEST(config_errors)
{
	struct gen_conf c;
	const char *p;

	p = tmpdir_file("ok.conf", "[ocsp_gen]\noutput = out.lmdb\nauthorities = a\n"
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

	p = tmpdir_file("syntax.conf", "[ocsp_gen]\noutput = x\n[broken\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "syntax.conf:3"));

	p = tmpdir_file("noissued.conf", "[ocsp_gen]\noutput = o\nauthorities = a\n"
		       "[a]\nca_cert = c\ncrl = r\nsigners = x\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "[a]: 'issued' is required"));

	p = tmpdir_file("dur.conf", "[ocsp_gen]\noutput = o\nvalidity = 7x\nauthorities = a\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "validity"));

	p = tmpdir_file("refresh.conf", "[ocsp_gen]\noutput = o\nvalidity = 1d\nrefresh = 2d\nauthorities = a\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "refresh"));

	p = tmpdir_file("hash.conf", "[ocsp_gen]\noutput = o\ncert_ids = md5\nauthorities = a\n");
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
	ck_assert_int_eq(gen_conf_load(tmpdir_file("p1.conf", buf), &c), 0);
	ck_assert_int_eq(c.auths[0].include_signer_cert, 1);
	ck_assert_int_eq(c.auths[0].responder_by_name, 0);
	gen_conf_free(&c);

	snprintf(buf, sizeof(buf), "[ocsp_gen]\noutput = o\nauthorities = a, b\n"
		 "include_signer_cert = no\nresponder_id = name\n"
		 "cert_ids = sha384, sha512, sha1, sha256\n%s", auth);
	ck_assert_int_eq(gen_conf_load(tmpdir_file("p2.conf", buf), &c), 0);
	ck_assert_int_eq(c.auths[0].include_signer_cert, 0);
	ck_assert_int_eq(c.auths[0].responder_by_name, 1);
	ck_assert_int_eq(c.auths[1].include_signer_cert, 1);
	ck_assert_int_eq(c.auths[1].responder_by_name, 0);
	ck_assert_uint_eq(c.nhashes, 4);
	ck_assert_int_eq(c.hashes[0], OP_HASH_SHA384);
	ck_assert_int_eq(c.hashes[1], OP_HASH_SHA512);
	gen_conf_free(&c);

	p = tmpdir_file("p3.conf", "[ocsp_gen]\noutput = o\nauthorities = a\n"
		       "[a]\nca_cert = c\ncrl = r\nissued = s\nsigners = x\n"
		       "responder_id = hash\n[x]\ncert = x\nkey = k\n");
	ck_assert_int_eq(gen_conf_load(p, &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "[a]: responder_id 'hash'"));
}
END_TEST

/* sign_retries and sign_retry_backoff: defaults, units, bounds. */
START_TEST(config_token_faults)
{
	static const struct {
		const char *lines;
		int rc, retries;
		long long backoff_ms;
	} cases[] = {
		{ "", 0, 6, 250 },
		{ "sign_retries = 0\nsign_retry_backoff = 10ms\n", 0, 0, 10 },
		{ "sign_retries = 100\nsign_retry_backoff = 2s\n", 0, 100, 2000 },
		{ "sign_retry_backoff = 1m\n", 0, 6, 60000 },
		{ "sign_retries = 101\n", OP_E_CONFIG, 0, 0 },
		{ "sign_retries = -1\n", OP_E_CONFIG, 0, 0 },
		{ "sign_retries = many\n", OP_E_CONFIG, 0, 0 },
		{ "sign_retry_backoff = 0ms\n", OP_E_CONFIG, 0, 0 },
		{ "sign_retry_backoff = 61s\n", OP_E_CONFIG, 0, 0 },
		{ "sign_retry_backoff = 5us\n", OP_E_CONFIG, 0, 0 },
	};
	char buf[512];
	struct gen_conf c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "[ocsp_gen]\noutput = o\n%s"
			 "authorities = a\n[a]\nca_cert = c\ncrl = r\n"
			 "issued = s\nsigners = x\n[x]\ncert = x\nkey = k\n",
			 cases[i].lines);
		ck_assert_int_eq(gen_conf_load(tmpdir_file("f.conf", buf), &c),
				 cases[i].rc);
		if (cases[i].rc) {
			ck_assert_ptr_nonnull(strstr(op_err_detail(), "sign_retr"));
			continue;
		}
		ck_assert_int_eq(c.sign_retries, cases[i].retries);
		ck_assert_int_eq(c.sign_retry_backoff_ms, cases[i].backoff_ms);
		gen_conf_free(&c);
	}
}
END_TEST

/* commit_every and commit_interval: defaults, 0 for off, bounds. */
START_TEST(config_commits)
{
	static const struct {
		const char *lines;
		int rc;
		size_t every;
		long long interval;
	} cases[] = {
		{ "", 0, 100000, 60 },
		{ "commit_every = 0\ncommit_interval = 0\n", 0, 0, 0 },
		{ "commit_every = 2000\ncommit_interval = 5m\n", 0, 2000, 300 },
		{ "commit_every = -5\n", OP_E_CONFIG, 0, 0 },
		{ "commit_every = 1e6\n", OP_E_CONFIG, 0, 0 },
		{ "commit_interval = soon\n", OP_E_CONFIG, 0, 0 },
	};
	char buf[512];
	struct gen_conf c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "[ocsp_gen]\noutput = o\n%s"
			 "authorities = a\n[a]\nca_cert = c\ncrl = r\n"
			 "issued = s\nsigners = x\n[x]\ncert = x\nkey = k\n",
			 cases[i].lines);
		ck_assert_int_eq(gen_conf_load(tmpdir_file("c.conf", buf), &c),
				 cases[i].rc);
		if (cases[i].rc) {
			ck_assert_ptr_nonnull(strstr(op_err_detail(), "commit_"));
			continue;
		}
		ck_assert_uint_eq(c.commit_every, cases[i].every);
		ck_assert_int_eq(c.commit_interval, cases[i].interval);
		gen_conf_free(&c);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gen_conf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, config_profile);
	tcase_add_test(tc, config_token_faults);
	tcase_add_test(tc, config_commits);
	suite_add_tcase(s, tc);
	return check_run(s);
}
