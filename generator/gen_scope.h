/*
 * gen_scope: whether a CRL is complete for the certificates an authority
 * answers for, where that depends on what the operator knows of them
 * (RFC 5280 section 6.3.3, as NIST PKITS 4.14 tests it).
 *
 * ocsp-gen never sees the certificates, only their serials, so a CRL that
 * limits itself to some of them is taken only on the operator's word:
 *
 *  - an IssuingDistributionPoint that names a distribution point covers
 *    only certificates whose CRLDistributionPoints name that point.  It is
 *    accepted when one of its names is the URL the CRL was fetched from,
 *    or is listed in the authority's distribution_points (the names every
 *    certificate in `issued` carries);
 *  - onlyContainsUserCerts covers no CA certificate: accepted only with
 *    user_certs_only = yes (`issued` holds no CA certificate).
 *
 * Anything else stops the run and says which names the CRL covers.  What
 * no configuration can make complete (onlySomeReasons, indirect CRLs, CA-
 * or attribute-only CRLs) is refused earlier, by gen_crl_check().
 */
#ifndef GEN_SCOPE_H
#define GEN_SCOPE_H

#include "gen_conf.h"
#include "gen_crl.h"

/*
 * Judge c (already checked by gen_crl_check) for authority a.  name is
 * the file or URL it came from, for messages; url is the URL it was
 * fetched from (NULL for a file).  OP_E_CRL with a detail naming name,
 * the CRL's scope and the key that would accept it; OP_E_CONFIG for a
 * distribution_points entry that is neither a URI nor a one-line name.
 */
int gen_scope_check(const struct gen_crl *c, const char *name, const char *url,
		    const struct gen_auth_conf *a);

/*
 * A delta CRL must have the scope of its base (RFC 5280 5.2.4: the same
 * IssuingDistributionPoint).  OP_E_CRL naming dname when it differs.
 */
int gen_scope_same(const struct gen_crl *base, const struct gen_crl *delta,
		   const char *dname);

#endif
