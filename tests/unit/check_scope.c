/* gen_scope: a CRL scoped to a distribution point or to end-entity
 * certificates, taken only on the operator's word. */
#include <check.h>

#include "check_run.h"
#include <string.h>
#include <openssl/x509v3.h>

#include "gen_scope.h"
#include "op_err.h"

static const char *const ISSUER = "/C=US/O=Test Certificates 2011/CN=Good CA";

static X509_NAME *dn(const char *line)
{
	X509_NAME *n = X509_NAME_new();
	char buf[256], *p, *save = NULL;

	ck_assert_ptr_nonnull(n);
	snprintf(buf, sizeof(buf), "%s", line + 1);
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(p, '=');

		*eq = '\0';
		ck_assert(X509_NAME_add_entry_by_txt(n, p, MBSTRING_ASC,
			  (unsigned char *)eq + 1, -1, -1, 0));
	}
	return n;
}

/* A CRL of ISSUER whose IDP names one point: a URI, a directory name, or
 * (relative) a CN relative to the issuer. */
static void crl_with(struct gen_crl *c, const char *uri, const char *dirname,
		     const char *relative_cn)
{
	GENERAL_NAME *g;

	memset(c, 0, sizeof(*c));
	c->issuer = dn(ISSUER);
	ck_assert_ptr_nonnull(c->idp_dp = DIST_POINT_NAME_new());
	if (relative_cn) {
		X509_NAME *rdn = X509_NAME_new();

		X509_NAME_add_entry_by_txt(rdn, "CN", MBSTRING_ASC,
					   (const unsigned char *)relative_cn,
					   -1, -1, 0);
		c->idp_dp->type = 1;
		c->idp_dp->name.relativename = sk_X509_NAME_ENTRY_new_null();
		sk_X509_NAME_ENTRY_push(c->idp_dp->name.relativename,
					X509_NAME_ENTRY_dup(X509_NAME_get_entry(rdn, 0)));
		X509_NAME_free(rdn);
		ck_assert(DIST_POINT_set_dpname(c->idp_dp, c->issuer));
		return;
	}
	c->idp_dp->type = 0;
	c->idp_dp->name.fullname = sk_GENERAL_NAME_new_null();
	g = GENERAL_NAME_new();
	if (uri) {
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();

		ASN1_STRING_set(s, uri, -1);
		GENERAL_NAME_set0_value(g, GEN_URI, s);
	} else {
		GENERAL_NAME_set0_value(g, GEN_DIRNAME, dn(dirname));
	}
	sk_GENERAL_NAME_push(c->idp_dp->name.fullname, g);
}

static void conf_with(struct gen_auth_conf *a, char **dps, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->name = "ca";
	a->dist_points = dps;
	a->ndist_points = n;
}

START_TEST(no_idp_is_complete)
{
	struct gen_crl c = { 0 };
	struct gen_auth_conf a;

	conf_with(&a, NULL, 0);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), 0);
}
END_TEST

START_TEST(uri_point)
{
	char *dps[] = { "http://other/x.crl", "http://pki/CA.crl" };
	struct gen_crl c;
	struct gen_auth_conf a;

	crl_with(&c, "http://pki/CA.crl", NULL, NULL);
	conf_with(&a, NULL, 0);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), OP_E_CRL);
	ck_assert_ptr_nonnull(strstr(op_err_detail(),
				     "distribution point http://pki/CA.crl"));
	/* The URL it was fetched from names the point. */
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", "http://pki/CA.crl", &a), 0);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", "http://pki/CA2.crl", &a),
			 OP_E_CRL);
	conf_with(&a, dps, 2);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), 0);
	conf_with(&a, dps, 1);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), OP_E_CRL);
	gen_crl_free(&c);
}
END_TEST

START_TEST(directory_name_point)
{
	char *same[] = { "/C=US/O=Test Certificates 2011/CN=CRL1" };
	/* Names compare as RFC 5280 says: case and spaces folded. */
	char *folded[] = { "/C=us/O=test  certificates 2011/CN=crl1" };
	char *other[] = { "/C=US/O=Test Certificates 2011/CN=CRL2" };
	char *bad[] = { "/C=US/novalue" };
	struct gen_crl c;
	struct gen_auth_conf a;

	crl_with(&c, NULL, "/C=US/O=Test Certificates 2011/CN=CRL1", NULL);
	conf_with(&a, same, 1);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), 0);
	conf_with(&a, folded, 1);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), 0);
	conf_with(&a, other, 1);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), OP_E_CRL);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "CN=CRL1"));
	conf_with(&a, bad, 1);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "/C=US/novalue"));
	gen_crl_free(&c);
}
END_TEST

START_TEST(relative_point_written_in_full)
{
	char *full[] = { "/C=US/O=Test Certificates 2011/CN=Good CA/CN=CRL1" };
	char *bare[] = { "/CN=CRL1" };
	struct gen_crl c;
	struct gen_auth_conf a;

	crl_with(&c, NULL, NULL, "CRL1");
	conf_with(&a, full, 1);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), 0);
	conf_with(&a, bare, 1);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), OP_E_CRL);
	gen_crl_free(&c);
}
END_TEST

START_TEST(user_only_needs_the_operators_word)
{
	struct gen_crl c = { 0 };
	struct gen_auth_conf a;

	c.scope = GEN_CRL_S_USER_ONLY;
	conf_with(&a, NULL, 0);
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), OP_E_CRL);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "user_certs_only = yes"));
	a.user_certs_only = 1;
	ck_assert_int_eq(gen_scope_check(&c, "x.crl", NULL, &a), 0);
}
END_TEST

START_TEST(delta_shares_the_base_scope)
{
	struct gen_crl b, d, none = { 0 };

	crl_with(&b, "http://pki/CA.crl", NULL, NULL);
	crl_with(&d, "http://pki/CA.crl", NULL, NULL);
	ck_assert_int_eq(gen_scope_same(&b, &d, "d.crl"), 0);
	ck_assert_int_eq(gen_scope_same(&b, &none, "d.crl"), OP_E_CRL);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "d.crl"));
	gen_crl_free(&d);
	crl_with(&d, "http://pki/other.crl", NULL, NULL);
	ck_assert_int_eq(gen_scope_same(&b, &d, "d.crl"), OP_E_CRL);
	ck_assert_int_eq(gen_scope_same(&none, &none, "d.crl"), 0);
	gen_crl_free(&b);
	gen_crl_free(&d);
}
END_TEST

CHECK_MAIN("gen_scope", NULL, NULL,
	   no_idp_is_complete, uri_point, directory_name_point,
	   relative_point_written_in_full, user_only_needs_the_operators_word,
	   delta_shares_the_base_scope)
