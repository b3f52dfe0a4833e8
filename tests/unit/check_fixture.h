/*
 * Fixtures shared by the server suites: a real OCSPRequest made by
 * OpenSSL and a real LMDB responses file in the published format.
 */
#ifndef CHECK_FIXTURE_H
#define CHECK_FIXTURE_H

#include <check.h>
#include <lmdb.h>
#include <openssl/ocsp.h>
#include <stdio.h>
#include <string.h>

#include "op_db.h"
#include "op_key.h"
#include "op_rec.h"
#include "op_sum.h"
#include "test_db.h"

/* DER OCSPRequest for serial under a fixed issuer ("Test CA"); its key. */
static inline int fx_request(const EVP_MD *md, long serial, uint8_t *out,
			     uint8_t key[OP_KEY_MAX], size_t *keylen)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	X509_NAME *nm = X509_NAME_new();
	ASN1_BIT_STRING *pub = ASN1_BIT_STRING_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	OCSP_CERTID *cid;
	unsigned char *p = out;
	int len;

	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
				   (const unsigned char *)"Test CA", -1, -1, 0);
	ASN1_BIT_STRING_set(pub, (unsigned char *)"key bits", 8);
	ASN1_INTEGER_set(sn, serial);
	cid = OCSP_cert_id_new(md, nm, pub, sn);
	ck_assert_int_eq(op_key_from_certid(cid, key, keylen), 0);
	OCSP_request_add0_id(req, cid);
	len = i2d_OCSP_REQUEST(req, &p);
	OCSP_REQUEST_free(req);
	X509_NAME_free(nm);
	ASN1_BIT_STRING_free(pub);
	ASN1_INTEGER_free(sn);
	return len;
}

/* A responses file (test_db.h); fails the test if it cannot be written. */
static inline void fx_db(const char *path, int64_t generated,
			 const struct test_resp *r, int n)
{
	ck_assert_int_eq(test_db_write(path, generated, r, n), 0);
}

#endif
