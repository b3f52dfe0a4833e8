#include "gen_p11sess.h"
#include "gen_p11rv.h"
#include "op_err.h"

#include <string.h>

/* A fixed-width, space-padded PKCS#11 field equals s. */
static int padded_eq(const unsigned char *field, size_t width, const char *s)
{
	size_t n = strlen(s);

	if (n > width || memcmp(field, s, n) != 0)
		return 0;
	while (n < width && field[n] == ' ')
		n++;
	return n == width;
}

int gen_p11sess_slot(CK_FUNCTION_LIST_PTR f, const char *signer,
		     const struct gen_p11_uri *u, CK_SLOT_ID *slot,
		     CK_TOKEN_INFO *ti)
{
	CK_SLOT_ID ids[64];
	CK_ULONG nids = 64;
	CK_RV rv;
	char buf[32];

	if ((rv = f->C_GetSlotList(CK_TRUE, ids, &nids)) != CKR_OK)
		return op_err_set(OP_E_PKCS11, "signer %s: C_GetSlotList failed "
				  "with %s", signer,
				  gen_p11rv_name(rv, buf, sizeof(buf)));
	for (CK_ULONG i = 0; i < nids; i++) {
		if (f->C_GetTokenInfo(ids[i], ti) != CKR_OK ||
		    !(ti->flags & CKF_TOKEN_INITIALIZED) ||
		    (u->has_token && !padded_eq(ti->label, 32, u->token)) ||
		    (u->has_serial && !padded_eq(ti->serialNumber, 16, u->serial)))
			continue;
		*slot = ids[i];
		return 0;
	}
	return op_err_set(OP_E_PKCS11, "signer %s: no token '%s'", signer,
			  u->has_token ? u->token : "(any)");
}

void gen_p11sess_close(CK_FUNCTION_LIST_PTR f, struct gen_p11sess *s)
{
	if (s->open)
		f->C_CloseSession(s->h);
	s->open = 0;
}

CK_RV gen_p11sess_open(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot,
		       const char *pin, struct gen_p11sess *s, const char **fn)
{
	CK_SESSION_INFO si;
	CK_RV rv;

	*fn = "C_OpenSession";
	if ((rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL,
				   &s->h)) != CKR_OK)
		return rv;
	s->open = 1;
	s->gen++;
	*fn = "C_GetSessionInfo";
	if ((rv = f->C_GetSessionInfo(s->h, &si)) == CKR_OK && pin &&
	    si.state == CKS_RO_PUBLIC_SESSION) {
		*fn = "C_Login";
		rv = f->C_Login(s->h, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
		if (rv == CKR_USER_ALREADY_LOGGED_IN)
			rv = CKR_OK;
	}
	if (rv != CKR_OK)
		gen_p11sess_close(f, s);
	return rv;
}

CK_RV gen_p11sess_find_key(CK_FUNCTION_LIST_PTR f, struct gen_p11sess *s,
			   const struct gen_p11_uri *u, CK_OBJECT_HANDLE *obj,
			   const char **fn)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[3] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_ULONG nt = 1, found = 0;
	CK_RV rv, rv2;

	if (u->has_object)
		t[nt++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)u->object,
					  strlen(u->object) };
	if (u->has_id)
		t[nt++] = (CK_ATTRIBUTE){ CKA_ID, (void *)u->id, u->id_len };
	*fn = "C_FindObjectsInit";
	if ((rv = f->C_FindObjectsInit(s->h, t, nt)) != CKR_OK)
		return rv;
	*fn = "C_FindObjects";
	rv = f->C_FindObjects(s->h, obj, 1, &found);
	rv2 = f->C_FindObjectsFinal(s->h);
	if (rv == CKR_OK && found != 1) {
		*fn = "C_FindObjects (the key is gone)";
		rv = CKR_KEY_HANDLE_INVALID;
	}
	return rv != CKR_OK ? rv : rv2;
}

int gen_p11sess_room(const char *signer, const char *token, unsigned long max,
		     unsigned long open, int need)
{
	/* 0 is CK_EFFECTIVELY_INFINITE, ~0 CK_UNAVAILABLE_INFORMATION. */
	if (max == 0 || max == ~0UL || open == ~0UL ||
	    (open <= max && max - open >= (unsigned long)need))
		return 0;
	return op_err_set(OP_E_PKCS11, "signer %s: token '%s' allows %lu "
			  "sessions and %lu are open, but %d more signing "
			  "threads need one each: lower workers in [ocsp_gen] "
			  "or raise the token's session limit", signer, token,
			  max, open, need);
}
