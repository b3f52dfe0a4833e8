/*
 * gen_p11sess: the PKCS#11 calls under gen_hsm's signing sessions: find
 * the token a URI names, open a session on it and log in, find the
 * private key a URI names in it; whether a token has room for the
 * sessions a run needs.  No retries and no state beyond the session
 * itself: gen_hsm decides when to call again.
 */
#ifndef GEN_P11SESS_H
#define GEN_P11SESS_H

#include <p11-kit/pkcs11.h>

#include "gen_p11uri.h"

/* One session; zeroed: not open. */
struct gen_p11sess {
	CK_SESSION_HANDLE h;
	int open;
	unsigned long gen;	/* bumped at each open: a key handle found in
				   an older generation is stale */
};

/*
 * The slot of the first initialised token that u names (token label,
 * serial), with its information in *ti.  OP_E_PKCS11 with a detail
 * naming signer otherwise.
 */
int gen_p11sess_slot(CK_FUNCTION_LIST_PTR f, const char *signer,
		     const struct gen_p11_uri *u, CK_SLOT_ID *slot,
		     CK_TOKEN_INFO *ti);

/*
 * Open s on slot and, with pin not NULL, log in unless the application
 * is logged in already (login is per application, not per session).  On
 * failure *fn names the call that failed and s is closed.
 */
CK_RV gen_p11sess_open(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot,
		       const char *pin, struct gen_p11sess *s, const char **fn);

/* Close s if it is open. */
void gen_p11sess_close(CK_FUNCTION_LIST_PTR f, struct gen_p11sess *s);

/*
 * The private key that u names (label, id) as s sees it, into *obj.
 * CKR_KEY_HANDLE_INVALID when there is none; on failure *fn names the
 * call.
 */
CK_RV gen_p11sess_find_key(CK_FUNCTION_LIST_PTR f, struct gen_p11sess *s,
			   const struct gen_p11_uri *u, CK_OBJECT_HANDLE *obj,
			   const char **fn);

/*
 * 0 if a token allowing max sessions, open of them open, has need more
 * (max 0 means no limit, ~0 unknown: both pass); else OP_E_PKCS11 with
 * advice naming signer and token.
 */
int gen_p11sess_room(const char *signer, const char *token, unsigned long max,
		     unsigned long open, int need);

#endif
