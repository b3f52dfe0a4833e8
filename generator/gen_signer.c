#include "gen_signer.h"
#include "gen_resp.h"
#include "op_err.h"
#include "op_time.h"

#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

int gen_signer_id(X509 *cert, uint8_t id[OP_REC_SIGNER_ID])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len;

	if (!X509_digest(cert, EVP_sha256(), md, &len))
		return op_err_ssl(OP_E_CRYPTO, "certificate digest");
	memcpy(id, md, OP_REC_SIGNER_ID);
	return 0;
}

static int cert_times(X509 *x, int64_t *nb, int64_t *na)
{
	if (op_time_from_asn1(X509_get0_notBefore(x), nb) ||
	    op_time_from_asn1(X509_get0_notAfter(x), na))
		return -1;
	return 0;
}

int gen_signer_check(X509 *signer, X509 *ca, int64_t now, int64_t validity,
		     int *warn, char *why, size_t whysize)
{
	int64_t nb, na;
	char t[32];
	const char *md;
	int is_ca = X509_cmp(signer, ca) == 0;

	*warn = 0;
	/* Judged from the certificate, before its key is ever used. */
	if (gen_resp_sig_md(X509_get0_pubkey(signer), &md, why, whysize) != 0)
		return OP_E_SIGNER;
	if (cert_times(signer, &nb, &na)) {
		snprintf(why, whysize, "unreadable validity dates");
		return OP_E_SIGNER;
	}
	if (nb > now) {
		op_time_iso(nb, t, sizeof(t));
		snprintf(why, whysize, "not valid before %s", t);
		return OP_E_SIGNER;
	}
	if (na < now + validity) {
		op_time_iso(na, t, sizeof(t));
		snprintf(why, whysize, "%s %s, before responses signed now "
			 "would expire", na < now ? "expired" : "expires", t);
		return OP_E_SIGNER;
	}
	if (!is_ca) {
		EVP_PKEY *capub = X509_get0_pubkey(ca);

		if (X509_check_issued(ca, signer) != X509_V_OK ||
		    !capub || X509_verify(signer, capub) != 1) {
			ERR_clear_error();
			snprintf(why, whysize, "not issued by this CA's key");
			return OP_E_SIGNER;
		}
		if (!(X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) ||
		    !(X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN)) {
			snprintf(why, whysize, "no OCSPSigning extended key usage");
			return OP_E_SIGNER;
		}
		if (X509_get_ext_by_NID(signer, NID_id_pkix_OCSP_noCheck, -1) < 0)
			*warn |= GEN_SIGNER_W_NOCHECK;
	}
	if (na < now + 2 * validity)
		*warn |= GEN_SIGNER_W_EXPIRING;
	return 0;
}

int gen_signer_choose(X509 *const *certs, const char *const *names, size_t n,
		      X509 *ca, int64_t now, int64_t validity, size_t *chosen,
		      int *warn)
{
	char msg[1024] = "", why[200];
	int64_t best_nb = INT64_MIN, nb, na;
	size_t len;
	int w, found = 0;

	for (size_t i = 0; i < n; i++) {
		if (gen_signer_check(certs[i], ca, now, validity, &w, why,
				     sizeof(why)) != 0) {
			len = strlen(msg);
			snprintf(msg + len, sizeof(msg) - len, "%s%s: %s",
				 len ? "; " : "", names[i], why);
			continue;
		}
		cert_times(certs[i], &nb, &na);
		if (!found || nb > best_nb) {
			best_nb = nb;
			*chosen = i;
			*warn = w;
			found = 1;
		}
	}
	if (!found)
		return op_err_set(OP_E_SIGNER, "no usable signer: %s", msg);
	return 0;
}
