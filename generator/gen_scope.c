#include "gen_scope.h"
#include "op_err.h"

#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/* "/C=US/O=Test Certificates 2011/CN=CRL1" as an X509_NAME; NULL if the
 * text is not in that form.  The caller frees the result. */
static X509_NAME *name_from_line(const char *line)
{
	X509_NAME *n = X509_NAME_new();
	char buf[1024], *p = buf, *next, *eq;

	if (!n || line[0] != '/' || strlen(line) >= sizeof(buf))
		goto bad;
	strcpy(buf, line + 1);
	for (; p; p = next) {
		if ((next = strchr(p, '/')) != NULL)
			*next++ = '\0';
		if (!(eq = strchr(p, '=')) || eq == p || !eq[1])
			goto bad;
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(n, p, MBSTRING_UTF8,
						(const unsigned char *)eq + 1,
						-1, -1, 0))
			goto bad;
	}
	return n;
bad:
	X509_NAME_free(n);
	ERR_clear_error();
	return NULL;
}

/* Whether the operator's name conf (a URI, or a one-line directory name)
 * is the general name g. */
static int names_same(const char *conf, const GENERAL_NAME *g, int *bad_conf)
{
	X509_NAME *n;
	int same;

	if (conf[0] != '/') {
		const ASN1_IA5STRING *u = g->d.uniformResourceIdentifier;

		return g->type == GEN_URI &&
		       (size_t)ASN1_STRING_length(u) == strlen(conf) &&
		       memcmp(ASN1_STRING_get0_data(u), conf, strlen(conf)) == 0;
	}
	if (g->type != GEN_DIRNAME)
		return 0;
	if (!(n = name_from_line(conf))) {
		*bad_conf = 1;
		return 0;
	}
	same = X509_NAME_cmp(n, g->d.directoryName) == 0;
	X509_NAME_free(n);
	return same;
}

/* The names of the IDP's distribution point, whole (a name relative to
 * the CRL issuer was made whole by gen_crl_parse), as one dirName. */
static GENERAL_NAMES *dp_names(const DIST_POINT_NAME *dp)
{
	GENERAL_NAMES *all;
	GENERAL_NAME *g;

	if (dp->type == 0)
		return sk_GENERAL_NAME_deep_copy(dp->name.fullname, GENERAL_NAME_dup,
						 GENERAL_NAME_free);
	if (!(all = sk_GENERAL_NAME_new_null()) || !(g = GENERAL_NAME_new()))
		goto fail;
	if (!(g->d.directoryName = X509_NAME_dup(dp->dpname)) ||
	    !sk_GENERAL_NAME_push(all, g)) {
		GENERAL_NAME_free(g);
		goto fail;
	}
	g->type = GEN_DIRNAME;
	return all;
fail:
	sk_GENERAL_NAME_free(all);
	return NULL;
}

/* "URI:http://..., DirName:/C=US/..." into buf. */
static void describe(const GENERAL_NAMES *names, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < sk_GENERAL_NAME_num(names) && o + 1 < size; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		char one[512] = "(a name of another kind)";

		if (g->type == GEN_URI)
			snprintf(one, sizeof(one), "%.*s",
				 ASN1_STRING_length(g->d.uniformResourceIdentifier),
				 (const char *)ASN1_STRING_get0_data(
					 g->d.uniformResourceIdentifier));
		else if (g->type == GEN_DIRNAME)
			X509_NAME_oneline(g->d.directoryName, one, sizeof(one));
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", one);
	}
}

/* Whether a configured name, or the fetch URL, is one of names. */
static int covered(const GENERAL_NAMES *names, const char *url,
		   const struct gen_auth_conf *a, const char **bad)
{
	for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		int bad_conf = 0;

		if (url && names_same(url, g, &bad_conf))
			return 1;
		for (size_t k = 0; k < a->ndist_points; k++) {
			if (names_same(a->dist_points[k], g, &bad_conf))
				return 1;
			if (bad_conf && !*bad)
				*bad = a->dist_points[k];
			bad_conf = 0;
		}
	}
	return 0;
}

static int check_dp(const struct gen_crl *c, const char *name, const char *url,
		    const struct gen_auth_conf *a)
{
	GENERAL_NAMES *names = dp_names(c->idp_dp);
	const char *bad = NULL;
	char list[1024];
	int ok;

	if (!names)
		return op_err_set(OP_E_NOMEM, "%s: out of memory", name);
	ok = covered(names, url, a, &bad);
	describe(names, list, sizeof(list));
	GENERAL_NAMES_free(names);
	if (ok)
		return 0;
	if (bad)
		return op_err_set(OP_E_CONFIG, "[%s]: distribution_points: '%s' "
				  "is neither a URI nor a name in one-line form "
				  "(/C=../O=../CN=..)", a->name, bad);
	return op_err_set(OP_E_CRL, "%s: covers only the certificates of the "
			  "distribution point %s (IssuingDistributionPoint), "
			  "which the authority's distribution_points does not "
			  "list: if every certificate in `issued` names it in "
			  "its CRLDistributionPoints, add it there; otherwise "
			  "give the CA's complete CRL", name, list);
}

int gen_scope_check(const struct gen_crl *c, const char *name, const char *url,
		    const struct gen_auth_conf *a)
{
	if ((c->scope & GEN_CRL_S_USER_ONLY) && !a->user_certs_only)
		return op_err_set(OP_E_CRL, "%s: covers only end-entity "
				  "certificates (IssuingDistributionPoint "
				  "onlyContainsUserCerts), not those the CA issued "
				  "to other CAs: if `issued` holds no CA "
				  "certificate, say so with user_certs_only = yes "
				  "in [%s]", name, a->name);
	if (c->idp_dp)
		return check_dp(c, name, url, a);
	return 0;
}

/* The DER of a distribution point name, or length 0 for none. */
static int dp_der(const DIST_POINT_NAME *dp, unsigned char **der)
{
	*der = NULL;
	return dp ? i2d_DIST_POINT_NAME(dp, der) : 0;
}

int gen_scope_same(const struct gen_crl *base, const struct gen_crl *delta,
		   const char *dname)
{
	unsigned char *a = NULL, *b = NULL;
	int la = dp_der(base->idp_dp, &a), lb = dp_der(delta->idp_dp, &b);
	int same = la >= 0 && la == lb && (la == 0 || memcmp(a, b, (size_t)la) == 0);

	OPENSSL_free(a);
	OPENSSL_free(b);
	if (same && base->scope == delta->scope)
		return 0;
	return op_err_set(OP_E_CRL, "%s: its IssuingDistributionPoint differs "
			  "from the base CRL's: a delta CRL must have its base's "
			  "scope (RFC 5280 5.2.4)", dname);
}
