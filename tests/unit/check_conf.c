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
	/* No certificate where the CA signs, unless asked (Go's x/crypto). */
	ck_assert_int_eq(c.auths[0].include_signer_cert, 0);
	ck_assert_int_eq(c.auths[1].include_signer_cert, 1);
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

/* A configuration with [ocsp_gen] extra and authority a's own lines. */
static int load_with(const char *name, const char *main_extra,
		     const char *auth_extra, struct gen_conf *c)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "[ocsp_gen]\noutput = o\nauthorities = a, b\n%s\n"
		 "[a]\nca_cert = c\ncrl = r\nissued = s\nsigners = x\n%s\n"
		 "[b]\nca_cert = c\ncrl = r\nissued = s\nsigners = x\n"
		 "[x]\ncert = x.pem\nkey = x.key\n", main_extra, auth_extra);
	return gen_conf_load(tmpdir_file(name, buf), c);
}

/* validity, refresh, certid_sha2_params, profile: [ocsp_gen] gives the
 * default, the authority's section wins. */
START_TEST(regulated_keys)
{
	struct gen_conf c;

	ck_assert_int_eq(load_with("r1.conf", "validity = 4d\nrefresh = 1d\n"
				   "certid_sha2_params = both\nprofile = cabf",
				   "validity = 1d\nrefresh = 8h\n"
				   "certid_sha2_params = absent\nprofile = none", &c), 0);
	ck_assert_int_eq(c.auths[0].validity, 86400);
	ck_assert_int_eq(c.auths[0].refresh, 8 * 3600);
	ck_assert_int_eq(c.auths[0].certid_null, 0);
	ck_assert_int_eq(c.auths[0].profile, GEN_PROFILE_NONE);
	ck_assert_int_eq(c.auths[1].validity, 4 * 86400);
	ck_assert_int_eq(c.auths[1].refresh, 86400);
	ck_assert_int_eq(c.auths[1].certid_null, 1);
	ck_assert_int_eq(c.auths[1].profile, GEN_PROFILE_CABF);
	gen_conf_free(&c);
	/* Defaults. */
	ck_assert_int_eq(load_with("r2.conf", "", "", &c), 0);
	ck_assert_int_eq(c.auths[0].validity, 7 * 86400);
	ck_assert_int_eq(c.auths[0].certid_null, 0);
	ck_assert_int_eq(c.auths[0].profile, GEN_PROFILE_NONE);
	gen_conf_free(&c);
	ck_assert_int_eq(load_with("r3.conf", "", "refresh = 8d", &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "[a]: refresh must be shorter"));
	ck_assert_int_eq(load_with("r4.conf", "", "certid_sha2_params = null", &c),
			 OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "certid_sha2_params 'null'"));
	ck_assert_int_eq(load_with("r5.conf", "", "profile = etsi", &c), OP_E_CONFIG);
}
END_TEST

/* retain_expired, archive_cutoff, this_update, next_update_cap,
 * crl_references: defaults, inherited, the authority's winning, bad
 * values and combinations named. */
START_TEST(lifetime_keys)
{
	struct gen_conf c;

	ck_assert_int_eq(load_with("l1.conf", "retain_expired = forever\n"
				   "archive_cutoff = ca_notbefore\nthis_update = crl\n"
				   "next_update_cap = crl\ncrl_references = yes",
				   "retain_expired = 400d\narchive_cutoff = retain\n"
				   "this_update = run\nnext_update_cap = none\n"
				   "crl_references = no", &c), 0);
	ck_assert_int_eq(c.auths[0].retain, 400 * 86400);
	ck_assert_int_eq(c.auths[0].archive_cutoff, GEN_CUTOFF_RETAIN);
	ck_assert_int_eq(c.auths[0].this_update_crl, 0);
	ck_assert_int_eq(c.auths[0].cap_crl, 0);
	ck_assert_int_eq(c.auths[0].crl_refs, 0);
	ck_assert_int_eq(c.auths[1].retain, GEN_RETAIN_FOREVER);
	ck_assert_int_eq(c.auths[1].archive_cutoff, GEN_CUTOFF_CA);
	ck_assert_int_eq(c.auths[1].this_update_crl, 1);
	ck_assert_int_eq(c.auths[1].cap_crl, 1);
	ck_assert_int_eq(c.auths[1].crl_refs, 1);
	gen_conf_free(&c);
	ck_assert_int_eq(load_with("l2.conf", "", "retain_expired = 0", &c), 0);
	ck_assert_int_eq(c.auths[0].retain, 0);
	ck_assert_int_eq(c.auths[1].retain, 0);
	ck_assert_int_eq(c.auths[1].archive_cutoff, GEN_CUTOFF_NONE);
	gen_conf_free(&c);
	ck_assert_int_eq(load_with("l3.conf", "", "retain_expired = always", &c),
			 OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "[a]: retain_expired"));
	ck_assert_int_eq(load_with("l4.conf", "archive_cutoff = notbefore", "", &c),
			 OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "[ocsp_gen]: archive_cutoff "
				     "'notbefore' must be none, ca_notbefore or "
				     "retain"));
	ck_assert_int_eq(load_with("l5.conf", "retain_expired = forever",
				   "archive_cutoff = retain", &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "archive_cutoff = retain "
				     "needs a retain_expired duration"));
	ck_assert_int_eq(load_with("l6.conf", "", "this_update = crl\n"
				   "profile = cabf", &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "[a]: profile = cabf: "
				     "this_update = crl"));
	ck_assert_int_eq(load_with("l7.conf", "next_update_cap = crl\n"
				   "profile = cabf", "", &c), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "next_update_cap = crl lets "
				     "the CRL set the validity interval"));
}
END_TEST

/* profile = cabf refuses each rule it checks, naming it; the same values
 * without the profile pass (far-out ones with a warning). */
START_TEST(cabf_rules)
{
	static const struct { const char *lines, *says; } bad[] = {
		{ "validity = 30d\nrefresh = 3d", "outside 8 hours .. 10 days" },
		{ "validity = 4h\nrefresh = 1h", "outside 8 hours .. 10 days" },
		{ "validity = 10d\nrefresh = 4d", "age past 4 days" },
		{ "validity = 3d\nrefresh = 65h", "at least eight hours before" },
		{ "validity = 12h\nrefresh = 6h", "one-half of the validity" },
	};
	struct gen_conf c;
	char lines[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(lines, sizeof(lines), "%s\nprofile = cabf", bad[i].lines);
		ck_assert_int_eq(load_with("cabf.conf", "", lines, &c), OP_E_CONFIG);
		ck_assert_msg(strstr(op_err_detail(), bad[i].says) &&
			      strstr(op_err_detail(), "[a]: profile = cabf") &&
			      strstr(op_err_detail(), "BR 4.9.10"), "%s: %s",
			      bad[i].lines, op_err_detail());
		ck_assert_int_eq(load_with("none.conf", "", bad[i].lines, &c), 0);
		gen_conf_free(&c);
	}
	/* The edges that pass: 8 hours with refresh 3h; 10 days, refresh 3d23h. */
	ck_assert_int_eq(load_with("ok1.conf", "", "validity = 8h\nrefresh = 3h\n"
				   "profile = cabf", &c), 0);
	gen_conf_free(&c);
	ck_assert_int_eq(load_with("ok2.conf", "", "validity = 10d\nrefresh = 95h\n"
				   "profile = cabf", &c), 0);
	gen_conf_free(&c);
}
END_TEST

/* The token-fault and resume keys of [ocsp_gen] (gen_conf_profile):
 * sign_retries, sign_retry_backoff, commit_every, commit_interval;
 * defaults, units, 0 for off, bounds.  Each case states all four. */
START_TEST(config_fault_keys)
{
	static const struct {
		const char *lines;
		int rc;			/* or OP_E_CONFIG naming the key */
		int retries;
		long long backoff_ms;
		size_t every;
		long long interval;
	} cases[] = {
		{ "", 0, 6, 250, 100000, 60 },
		{ "sign_retries = 0\nsign_retry_backoff = 10ms\n", 0, 0, 10,
		  100000, 60 },
		{ "sign_retries = 100\nsign_retry_backoff = 2s\n", 0, 100, 2000,
		  100000, 60 },
		{ "sign_retry_backoff = 1m\n", 0, 6, 60000, 100000, 60 },
		{ "commit_every = 0\ncommit_interval = 0\n", 0, 6, 250, 0, 0 },
		{ "commit_every = 2000\ncommit_interval = 5m\n", 0, 6, 250, 2000,
		  300 },
		{ "sign_retries = 101\n", OP_E_CONFIG, 0, 0, 0, 0 },
		{ "sign_retries = -1\n", OP_E_CONFIG, 0, 0, 0, 0 },
		{ "sign_retries = many\n", OP_E_CONFIG, 0, 0, 0, 0 },
		{ "sign_retry_backoff = 0ms\n", OP_E_CONFIG, 0, 0, 0, 0 },
		{ "sign_retry_backoff = 61s\n", OP_E_CONFIG, 0, 0, 0, 0 },
		{ "sign_retry_backoff = 5us\n", OP_E_CONFIG, 0, 0, 0, 0 },
		{ "commit_every = -5\n", OP_E_CONFIG, 0, 0, 0, 0 },
		{ "commit_every = 1e6\n", OP_E_CONFIG, 0, 0, 0, 0 },
		{ "commit_interval = soon\n", OP_E_CONFIG, 0, 0, 0, 0 },
	};
	char buf[512], key[32];
	struct gen_conf c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "[ocsp_gen]\noutput = o\n%s"
			 "authorities = a\n[a]\nca_cert = c\ncrl = r\n"
			 "issued = s\nsigners = x\n[x]\ncert = x\nkey = k\n",
			 cases[i].lines);
		ck_assert_int_eq(gen_conf_load(tmpdir_file("f.conf", buf), &c),
				 cases[i].rc);
		if (cases[i].rc) {
			/* The detail names the key of the case's line. */
			snprintf(key, sizeof(key), "%.*s",
				 (int)strcspn(cases[i].lines, " "),
				 cases[i].lines);
			ck_assert_msg(strstr(op_err_detail(), key) != NULL,
				      "case %zu: %s", i, op_err_detail());
			continue;
		}
		ck_assert_int_eq(c.sign_retries, cases[i].retries);
		ck_assert_int_eq(c.sign_retry_backoff_ms, cases[i].backoff_ms);
		ck_assert_uint_eq(c.commit_every, cases[i].every);
		ck_assert_int_eq(c.commit_interval, cases[i].interval);
		gen_conf_free(&c);
	}
}
END_TEST

CHECK_MAIN("gen_conf", tmpdir_setup, tmpdir_teardown,
	   config_errors, config_profile, regulated_keys, cabf_rules,
	   lifetime_keys, config_fault_keys)
