/*
 * gen_p11rv: PKCS#11 return values, named for messages and sorted by what
 * a failed call calls for (gen_hsm's retries).
 */
#ifndef GEN_P11RV_H
#define GEN_P11RV_H

#include <stddef.h>

enum gen_p11rv_fault {
	GEN_P11RV_FATAL,	/* not retried: a wrong PIN, a refused
				   mechanism (retries would lock the PIN) */
	GEN_P11RV_TRANSIENT,	/* the same call again: the device hiccuped */
	GEN_P11RV_LOST,		/* a new session: the old one, its login or
				   its key handle is gone */
};

/* "CKR_DEVICE_ERROR", or "CKR 0x..." formatted into buf for others. */
const char *gen_p11rv_name(unsigned long rv, char *buf, size_t size);

/* What a call that failed with rv calls for; a vendor-defined code (a
 * network HSM's own) counts as transient. */
enum gen_p11rv_fault gen_p11rv_classify(unsigned long rv);

#endif
