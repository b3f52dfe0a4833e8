/* op_key: CertID -> key, serial normalisation, hash tags. */
#include <check.h>

#include "check_run.h"
#include <string.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include "op_key.h"

START_TEST(hex_serials)
{
	uint8_t s[OP_SERIAL_MAX];
	size_t n;

	ck_assert_int_eq(op_serial_from_hex("1003", 4, s, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s[0], 0x10);
	ck_assert_uint_eq(s[1], 0x03);
	/* Odd digit count and leading zeros. */
	ck_assert_int_eq(op_serial_from_hex("000abc", 6, s, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s[0], 0x0a);
	/* High bit set: a 00 keeps the INTEGER positive. */
	ck_assert_int_eq(op_serial_from_hex("FF", 2, s, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s[0], 0x00);
	ck_assert_uint_eq(s[1], 0xff);
	ck_assert_int_eq(op_serial_from_hex("0", 1, s, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(s[0], 0);
	ck_assert_int_ne(op_serial_from_hex("12G4", 4, s, &n), 0);
	ck_assert_int_ne(op_serial_from_hex("", 0, s, &n), 0);
	/* 21 octets: fine (we allow 32); 33: refused. */
	ck_assert_int_eq(op_serial_from_hex("7fffffffffffffffffffffffffffffffffffffffff", 42, s, &n), 0);
	ck_assert_int_ne(op_serial_from_hex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 66, s, &n), 0);
}
END_TEST

START_TEST(normalize)
{
	const uint8_t a[] = { 0x00, 0x00, 0x05 }, b[] = { 0x05 };
	const uint8_t neg[] = { 0xff, 0xff, 0x80 }, pos80[] = { 0x00, 0x80 };
	uint8_t out[OP_SERIAL_MAX];
	size_t n;

	ck_assert_int_eq(op_serial_normalize(a, 3, out, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(memcmp(out, b, 1), 0);
	ck_assert_int_eq(op_serial_normalize(neg, 3, out, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 0x80);
	ck_assert_int_eq(op_serial_normalize(pos80, 2, out, &n), 0);
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(key_layout)
{
	uint8_t nh[32], kh[32], key[OP_KEY_MAX], key2[OP_KEY_MAX];
	const uint8_t s1[] = { 0x00, 0x10, 0x03 }, s2[] = { 0x10, 0x03 };
	size_t n, n2;

	memset(nh, 0xaa, sizeof(nh));
	memset(kh, 0xbb, sizeof(kh));
	ck_assert_int_eq(op_key_make(key, &n, OP_HASH_SHA1, nh, 20, kh, 20, s1, 3), 0);
	ck_assert_uint_eq(n, 1 + 40 + 2);
	ck_assert_uint_eq(key[0], OP_HASH_SHA1);
	ck_assert_uint_eq(key[1], 0xaa);
	ck_assert_uint_eq(key[21], 0xbb);
	ck_assert_uint_eq(key[41], 0x10);
	ck_assert_int_eq(op_key_make(key2, &n2, OP_HASH_SHA1, nh, 20, kh, 20, s2, 2), 0);
	ck_assert_int_eq(n == n2 && memcmp(key, key2, n) == 0, 1);
	ck_assert_uint_eq(op_key_issuer_len(key, n), 41);
	ck_assert_int_eq(op_key_make(key, &n, OP_HASH_SHA256, nh, 32, kh, 32, s2, 2), 0);
	ck_assert_uint_eq(n, 1 + 64 + 2);
	/* Hash lengths that do not fit the tag. */
	ck_assert_int_ne(op_key_make(key, &n, OP_HASH_SHA256, nh, 20, kh, 20, s2, 2), 0);
	ck_assert_int_ne(op_key_make(key, &n, 99, nh, 20, kh, 20, s2, 2), 0);
}
END_TEST

/* Two CertIDs for the same certificate, one whose AlgorithmIdentifier has
 * NULL parameters (OpenSSL's default) and one with them absent: for SHA-1
 * the same key; for SHA-256 keys that differ in the tag only, the NULL
 * form's carrying OP_TAG_NULL (what lets the server answer each form). */
START_TEST(certid_param_encodings)
{
	static const char *names[] = { "sha1", "sha256" };

	for (int i = 0; i < 2; i++) {
		const EVP_MD *md = EVP_get_digestbyname(names[i]);
		X509_NAME *nm = X509_NAME_new();
		ASN1_BIT_STRING *pub = ASN1_BIT_STRING_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		OCSP_CERTID *cid;
		uint8_t k1[OP_KEY_MAX], k2[OP_KEY_MAX];
		size_t n1, n2;
		unsigned char *der = NULL;
		const unsigned char *p;
		int len;

		X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
					   (const unsigned char *)"Test CA", -1, -1, 0);
		ASN1_BIT_STRING_set(pub, (unsigned char *)"0123456789", 10);
		ASN1_INTEGER_set(sn, 0x1003);
		cid = OCSP_cert_id_new(md, nm, pub, sn);
		ck_assert_ptr_nonnull(cid);
		ck_assert_int_eq(op_key_from_certid(cid, k1, &n1), 0);
		ck_assert_uint_eq(k1[0], i == 0 ? OP_HASH_SHA1 :
				  OP_HASH_SHA256 | OP_TAG_NULL);
		/* Re-encode with the parameters removed (05 00 cut out). */
		len = i2d_OCSP_CERTID(cid, &der);
		for (int j = 0; j + 1 < len; j++) {
			if (der[j] == 0x05 && der[j + 1] == 0x00) {
				memmove(der + j, der + j + 2, (size_t)(len - j - 2));
				len -= 2;
				der[1] -= 2;	/* outer SEQUENCE */
				der[3] -= 2;	/* AlgorithmIdentifier */
				break;
			}
		}
		OCSP_CERTID_free(cid);
		p = der;
		cid = d2i_OCSP_CERTID(NULL, &p, len);
		ck_assert_ptr_nonnull(cid);
		ck_assert_int_eq(op_key_from_certid(cid, k2, &n2), 0);
		ck_assert_uint_eq(k2[0], i == 0 ? OP_HASH_SHA1 : OP_HASH_SHA256);
		ck_assert_int_eq(n1 == n2 && memcmp(k1 + 1, k2 + 1, n1 - 1) == 0, 1);
		OCSP_CERTID_free(cid);
		OPENSSL_free(der);
		X509_NAME_free(nm);
		ASN1_BIT_STRING_free(pub);
		ASN1_INTEGER_free(sn);
	}
}
END_TEST

/* The form bit: only on the SHA-2 hashes, named, parsed back. */
START_TEST(form_tags)
{
	size_t n;

	ck_assert_int_eq(op_hash_tag(OP_HASH_SHA256, 1), OP_HASH_SHA256 | OP_TAG_NULL);
	ck_assert_int_eq(op_hash_tag(OP_HASH_SHA256, 0), OP_HASH_SHA256);
	ck_assert_int_eq(op_hash_tag(OP_HASH_SHA1, 1), OP_HASH_SHA1);
	ck_assert_int_eq(op_hash_tag(OP_HASH_NONE, 1), OP_HASH_NONE);
	ck_assert_int_eq(op_hash_of_tag(OP_HASH_SHA512 | OP_TAG_NULL), OP_HASH_SHA512);
	ck_assert_int_eq(op_hash_of_tag(OP_HASH_SHA1 | OP_TAG_NULL), OP_HASH_NONE);
	ck_assert_int_eq(op_hash_of_tag(0x85), OP_HASH_NONE);
	ck_assert_uint_eq(op_hash_len(OP_HASH_SHA384 | OP_TAG_NULL), 48);
	ck_assert_uint_eq(op_hash_len(OP_HASH_SHA1 | OP_TAG_NULL), 0);
	ck_assert_str_eq(op_hash_name(OP_HASH_SHA256 | OP_TAG_NULL), "sha256-null");
	ck_assert_str_eq(op_hash_name(OP_HASH_SHA256), "sha256");
	ck_assert_int_eq(op_hash_from_name("SHA384-NULL"), OP_HASH_SHA384 | OP_TAG_NULL);
	ck_assert_int_eq(op_hash_from_name("sha1-null"), OP_HASH_NONE);
	ck_assert_int_eq(op_hash_nid(OP_HASH_SHA512 | OP_TAG_NULL), NID_sha512);
	ck_assert_ptr_nonnull(op_hash_oid(OP_HASH_SHA256 | OP_TAG_NULL, &n));
	ck_assert_uint_eq(n, 9);
	ck_assert_ptr_null(op_hash_oid(0x81, &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(hash_tags)
{
	static const uint8_t sha256_oid[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
					       0x04, 0x02, 0x01 };

	ck_assert_int_eq(op_hash_from_name("SHA256"), OP_HASH_SHA256);
	ck_assert_int_eq(op_hash_from_name("md5"), OP_HASH_NONE);
	ck_assert_int_eq(op_hash_from_oid(sha256_oid, sizeof(sha256_oid)), OP_HASH_SHA256);
	ck_assert_int_eq(op_hash_from_oid(sha256_oid, 5), OP_HASH_NONE);
	ck_assert_uint_eq(op_hash_len(OP_HASH_SHA384), 48);
	ck_assert_int_eq(op_hash_from_nid(op_hash_nid(OP_HASH_SHA512)), OP_HASH_SHA512);
}
END_TEST

/* op_key_cmp is LMDB's default order: octets, then the shorter first. */
START_TEST(key_order_is_lmdbs)
{
	const uint8_t a[] = { 1, 2 }, b[] = { 1, 2, 0 }, c[] = { 1, 3 };

	ck_assert_int_lt(op_key_cmp(a, 2, b, 3), 0);
	ck_assert_int_gt(op_key_cmp(b, 3, a, 2), 0);
	ck_assert_int_gt(op_key_cmp(c, 2, b, 3), 0);
	ck_assert_int_eq(op_key_cmp(a, 2, a, 2), 0);
	ck_assert_int_lt(op_key_cmp(a, 0, a, 1), 0);
}
END_TEST

CHECK_MAIN("op_key", NULL, NULL,
	   key_order_is_lmdbs, hex_serials, normalize, key_layout,
	   certid_param_encodings, hash_tags, form_tags)
