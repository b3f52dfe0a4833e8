/*
 * gen_policy: the rules a response profile is audited against.
 *
 * `profile = cabf` (an authority's section or [ocsp_gen]) holds an
 * authority to the CA/Browser Forum Baseline Requirements' OCSP rules
 * (4.9.9, 4.9.10, 7.1.3.2, 7.3); a configuration or signer outside them
 * stops the run with the rule named.  Without a profile, values far
 * outside the usual ranges are warned about and the run goes on.
 *
 * The rules on times are checked when the configuration is read
 * (gen_policy_times; this_update = crl and next_update_cap = crl leave
 * the validity interval to the CRL and are refused under cabf); those on
 * the signer when it is chosen (gen_policy_signer), before its key is
 * used.
 */
#ifndef GEN_POLICY_H
#define GEN_POLICY_H

#include <stdint.h>
#include <openssl/x509.h>

#include "gen_conf.h"

#define GEN_HOUR 3600
#define GEN_DAY 86400
/* BR 4.9.10: validity 8 hours .. 10 days; subscriber responses replaced
 * at most 4 days after thisUpdate and at least 8 hours before nextUpdate
 * (half the validity below 16 hours). */
#define GEN_CABF_VALIDITY_MIN (8 * GEN_HOUR)
#define GEN_CABF_VALIDITY_MAX (10 * GEN_DAY)
#define GEN_CABF_AGE_MAX (4 * GEN_DAY)
#define GEN_CABF_MARGIN_MIN (8 * GEN_HOUR)

/*
 * a's validity and refresh (its own or [ocsp_gen]'s) against its profile,
 * with run_interval (a response is re-signed at the latest refresh +
 * run_interval after its thisUpdate).  0, possibly after warnings; or
 * OP_E_CONFIG naming conf_path, the section and the rule.
 */
int gen_policy_times(const char *conf_path, const struct gen_auth_conf *a,
		     int64_t run_interval);

/*
 * The chosen signer of a against its profile: under cabf a delegate needs
 * id-pkix-ocsp-nocheck (BR 4.9.9, 7.3) and a certificate not signed with
 * SHA-1 (BR 7.1.3.2; responses themselves never are, gen_resp_sig_md).  0 or OP_E_SIGNER naming the signer
 * and the rule.
 */
int gen_policy_signer(const struct gen_auth_conf *a, const char *name,
		      X509 *signer, X509 *ca);

#endif
