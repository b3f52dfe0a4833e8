/*
 * gen_check: `ocsp-gen --check`, a run's preparation without its writes.
 *
 * Each authority is prepared by gen_auth_prepare(), as a run does it: the
 * same inputs read and judged, the same signer chosen, its key loaded from
 * the token.  Then one test response is signed with that key and verified
 * against the signer's certificate, proving key, PIN and token together.
 * Nothing is written: no lock file, no working copy, no temporary file, no
 * metrics file and no published file are created or changed (the output
 * directory is only tested for write permission, the published file only
 * opened read-only).  What the PKCS#11 module does for a login and a
 * signature (an HSM's audit log, a usage counter) is the module's.
 *
 * The report goes to out, one block per authority: the signer chosen and
 * why each other one was not, days until the signer expires, the CRL's
 * nextUpdate, the number of serials, and the warnings a run would print.
 */
#ifndef GEN_CHECK_H
#define GEN_CHECK_H

#include <stdio.h>

#include "gen_conf.h"

/*
 * Check every authority of conf (only only_ca unless NULL) and report to
 * out.  0 when a run would succeed.  Otherwise the code and detail of the
 * first authority that is not ready, as a run would have returned them;
 * the others are still checked and reported.
 */
int gen_check(const struct gen_conf *conf, const char *only_ca, FILE *out);

#endif
