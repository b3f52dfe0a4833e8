/* srv_req: OCSPRequest DER to key, GET path decoding, base64. */
#include <check.h>
#include <openssl/ocsp.h>
#include <string.h>

#include "check_run.h"
#include "op_key.h"
#include "srv_req.h"

/* Build a DER OCSPRequest with n CertIDs (md, serial + i) via OpenSSL. */
static int make_req(const EVP_MD *md, int n, int nonce, uint8_t *out,
		    OCSP_CERTID **first)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	X509_NAME *nm = X509_NAME_new();
	ASN1_BIT_STRING *pub = ASN1_BIT_STRING_new();
	unsigned char *p = out;
	int len;

	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
				   (const unsigned char *)"Test CA", -1, -1, 0);
	ASN1_BIT_STRING_set(pub, (unsigned char *)"key bits", 8);
	for (int i = 0; i < n; i++) {
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		OCSP_CERTID *cid;

		ASN1_INTEGER_set(sn, 0x1080 + i);	/* 0x80: needs a 00 */
		cid = OCSP_cert_id_new(md, nm, pub, sn);
		if (i == 0 && first)
			*first = OCSP_CERTID_dup(cid);
		OCSP_request_add0_id(req, cid);
		ASN1_INTEGER_free(sn);
	}
	if (nonce)
		OCSP_request_add1_nonce(req, NULL, 16);
	len = i2d_OCSP_REQUEST(req, &p);
	OCSP_REQUEST_free(req);
	X509_NAME_free(nm);
	ASN1_BIT_STRING_free(pub);
	return len;
}

START_TEST(parse_matches_openssl_key)
{
	const EVP_MD *mds[] = { EVP_sha1(), EVP_sha256() };

	for (int m = 0; m < 2; m++) {
		for (int nonce = 0; nonce < 2; nonce++) {
			uint8_t der[2048], k1[OP_KEY_MAX], k2[OP_KEY_MAX];
			size_t n1, n2;
			OCSP_CERTID *cid;
			int len = make_req(mds[m], 1, nonce, der, &cid);

			ck_assert_int_gt(len, 0);
			ck_assert_int_eq(srv_req_parse(der, (size_t)len, k1, &n1), SRV_REQ_OK);
			ck_assert_int_eq(op_key_from_certid(cid, k2, &n2), 0);
			ck_assert_int_eq(n1 == n2 && memcmp(k1, k2, n1) == 0, 1);
			OCSP_CERTID_free(cid);
		}
	}
}
END_TEST
START_TEST(parse_rejects)
{
	uint8_t der[4096], key[OP_KEY_MAX];
	size_t n;
	int len = make_req(EVP_sha1(), 2, 0, der, NULL);

	ck_assert_int_eq(srv_req_parse(der, (size_t)len, key, &n), SRV_REQ_MALFORMED);
	len = make_req(EVP_sha1(), 1, 0, der, NULL);
	/* Every truncation is malformed, never a crash or a key. */
	for (int cut = 0; cut < len; cut++)
		ck_assert_int_eq(srv_req_parse(der, (size_t)cut, key, &n), SRV_REQ_MALFORMED);
	/* Trailing garbage. */
	der[len] = 0;
	ck_assert_int_eq(srv_req_parse(der, (size_t)len + 1, key, &n), SRV_REQ_MALFORMED);
	ck_assert_int_eq(srv_req_parse((const uint8_t *)"", 0, key, &n), SRV_REQ_MALFORMED);
	/* MD5 CertID: well-formed but never signed by us. */
	len = make_req(EVP_md5(), 1, 0, der, NULL);
	ck_assert_int_eq(srv_req_parse(der, (size_t)len, key, &n), SRV_REQ_UNKNOWN_HASH);
}
END_TEST
START_TEST(parse_refuses_ber)
{
	uint8_t der[2048], ber[2048 + 4], key[OP_KEY_MAX];
	size_t n;
	int len = make_req(EVP_sha1(), 1, 0, der, NULL);

	ck_assert_int_gt(len, 2);
	ck_assert_uint_lt(der[1], 0x80);
	ck_assert_int_eq(srv_req_parse(der, (size_t)len, key, &n), SRV_REQ_OK);
	/* The outer length in a long form: BER, not DER. */
	ber[0] = 0x30;
	ber[1] = 0x81;
	memcpy(ber + 2, der + 1, (size_t)len - 1);
	ck_assert_int_eq(srv_req_parse(ber, (size_t)len + 1, key, &n), SRV_REQ_MALFORMED);
	/* An indefinite length with its end-of-contents octets. */
	ber[1] = 0x80;
	memcpy(ber + 2, der + 2, (size_t)len - 2);
	ber[len] = ber[len + 1] = 0;
	ck_assert_int_eq(srv_req_parse(ber, (size_t)len + 2, key, &n), SRV_REQ_MALFORMED);
}
END_TEST
START_TEST(parse_absent_params)
{
	uint8_t der[2048], k1[OP_KEY_MAX], k2[OP_KEY_MAX];
	size_t n1, n2;
	int len = make_req(EVP_sha256(), 1, 0, der, NULL);

	ck_assert_int_eq(srv_req_parse(der, (size_t)len, k1, &n1), SRV_REQ_OK);
	/* Drop the NULL parameters (05 00) and fix the five lengths above. */
	for (int j = 0; j + 1 < len; j++) {
		if (der[j] == 0x05 && der[j + 1] == 0x00) {
			memmove(der + j, der + j + 2, (size_t)(len - j - 2));
			len -= 2;
			break;
		}
	}
	for (int off = 1; off <= 11; off += 2)
		der[off] -= 2;	/* OCSPRequest, TBS, list, Request, CertID, AlgId */
	ck_assert_int_eq(srv_req_parse(der, (size_t)len, k2, &n2), SRV_REQ_OK);
	/* The same certificate; the key says which form was asked. */
	ck_assert_uint_eq(k1[0], OP_HASH_SHA256 | OP_TAG_NULL);
	ck_assert_uint_eq(k2[0], OP_HASH_SHA256);
	ck_assert_int_eq(n1 == n2 && memcmp(k1 + 1, k2 + 1, n1 - 1) == 0, 1);
}
END_TEST
START_TEST(b64_variants)
{
	uint8_t out[64];
	size_t n;

	ck_assert_int_eq(srv_req_b64_decode("TWFu", 4, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(out, "Man", 3), 0);
	ck_assert_int_eq(srv_req_b64_decode("TWE=", 4, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(srv_req_b64_decode("TWE", 3, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(srv_req_b64_decode("-_8", 3, out, sizeof(out), &n), 0);
	ck_assert_int_eq(srv_req_b64_decode("+/8", 3, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(out[0], 0xfb);
	ck_assert_int_ne(srv_req_b64_decode("T", 1, out, sizeof(out), &n), 0);
	ck_assert_int_ne(srv_req_b64_decode("TW u", 4, out, sizeof(out), &n), 0);
	ck_assert_int_ne(srv_req_b64_decode("TWFuTWFu", 8, out, 4, &n), 0);
}
END_TEST
START_TEST(get_paths)
{
	uint8_t out[64];
	size_t n;
	const char *p;

	p = "/ocsp/TWFu";
	ck_assert_int_eq(srv_req_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	/* '+' is base64, not a space; "//" is kept. */
	p = "/ocsp/+//8";
	ck_assert_int_eq(srv_req_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[0], 0xfb);
	ck_assert_uint_eq(out[1], 0xff);
	p = "/ocsp/%2B%2F%2F8";
	ck_assert_int_eq(srv_req_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(out[1], 0xff);
	p = "/TWFu";
	ck_assert_int_eq(srv_req_get_decode(p, strlen(p), "", out, sizeof(out), &n), 0);
	p = "/other/TWFu";
	ck_assert_int_eq(srv_req_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), -1);
	p = "/ocspTWFu";
	ck_assert_int_eq(srv_req_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), -1);
	p = "/ocsp/TW%2";
	ck_assert_int_eq(srv_req_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), -2);
	p = "/ocsp/";
	ck_assert_int_eq(srv_req_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), -2);
}
END_TEST

CHECK_MAIN("srv_req", NULL, NULL,
	   parse_matches_openssl_key, parse_rejects, parse_refuses_ber,
	   parse_absent_params,
	   b64_variants, get_paths)
