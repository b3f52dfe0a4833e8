/* gen_keystore: PKCS#11 URIs, PIN files, loading PEM keys with and
 * without a certificate to match. */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/pem.h>

#include "gen_keystore.h"
#include "gen_p11sess.h"
#include "op_err.h"

START_TEST(pkcs11_uri)
{
	struct gen_p11_uri u;

	ck_assert_int_eq(gen_keystore_uri_parse("pkcs11:token=my%20token;object=ocsp-rsa-2026;"
					   "pin-source=file:/etc/pin", &u), 0);
	ck_assert_str_eq(u.token, "my token");
	ck_assert_str_eq(u.object, "ocsp-rsa-2026");
	ck_assert_str_eq(u.pin_source, "file:/etc/pin");
	ck_assert_int_eq(gen_keystore_uri_parse("pkcs11:token=t;id=%01%A0;type=private"
					   "?pin-value=1234", &u), 0);
	ck_assert_uint_eq(u.id_len, 2);
	ck_assert_uint_eq(u.id[1], 0xa0);
	ck_assert_str_eq(u.pin_value, "1234");
	ck_assert_int_ne(gen_keystore_uri_parse("pkcs11:token=t", &u), 0);
	ck_assert_int_ne(gen_keystore_uri_parse("pkcs11:object=%zz", &u), 0);
	ck_assert_int_ne(gen_keystore_uri_parse("pkcs11:object", &u), 0);
	ck_assert_int_ne(gen_keystore_uri_parse("file:/x", &u), 0);
}
END_TEST

START_TEST(pin_file_mode)
{
	char path[] = "/tmp/check_pin.XXXXXX", pin[64];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "4711\n", 5), 5);
	close(fd);
	chmod(path, 0600);
	ck_assert_int_eq(gen_keystore_pin_read(path, pin, sizeof(pin)), 0);
	ck_assert_str_eq(pin, "4711");
	chmod(path, 0644);
	ck_assert_int_eq(gen_keystore_pin_read(path, pin, sizeof(pin)), OP_E_PKCS11);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "chmod 600"));
	unlink(path);
}
END_TEST

/* Write key as PEM to a fresh temp file; path receives its name. */
static void write_key(EVP_PKEY *key, char *path)
{
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
}

/* A self-signed certificate for key. */
static X509 *self_cert(EVP_PKEY *key)
{
	X509 *x = X509_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"k", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	return x;
}

START_TEST(pem_keys)
{
	EVP_PKEY *k1 = EVP_EC_gen("P-256"), *k2 = EVP_EC_gen("P-256"), *got;
	X509 *c1 = self_cert(k1), *c2 = self_cert(k2);
	char path[] = "/tmp/check_key.XXXXXX";
	struct gen_keystore *ks;

	write_key(k1, path);
	ck_assert_int_eq(gen_keystore_open(NULL, &ks), 0);
	/* With its certificate. */
	ck_assert_int_eq(gen_keystore_load(ks, "s", path, c1, &got), 0);
	ck_assert_int_eq(EVP_PKEY_eq(got, k1), 1);
	EVP_PKEY_free(got);
	/* Without a certificate: the key alone (what --csr needs). */
	ck_assert_int_eq(gen_keystore_load(ks, "s", path, NULL, &got), 0);
	ck_assert_int_eq(EVP_PKEY_eq(got, k1), 1);
	EVP_PKEY_free(got);
	/* Another key's certificate is refused, and nothing is handed out. */
	ck_assert_int_eq(gen_keystore_load(ks, "s", path, c2, &got), OP_E_SIGNER);
	ck_assert_ptr_null(got);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "does not match"));
	/* Not a key. */
	ck_assert_int_eq(gen_keystore_load(ks, "s", "/nonexistent/key.pem", NULL,
				      &got), OP_E_PARSE);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "signer s"));
	/* A PKCS#11 URI without a module says what to configure. */
	ck_assert_int_eq(gen_keystore_load(ks, "s", "pkcs11:object=x", NULL, &got),
			 OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "pkcs11_module"));
	gen_keystore_close(ks);
	unlink(path);
	X509_free(c1);
	X509_free(c2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}
END_TEST

START_TEST(session_limit)
{
	/* No limit, unknown counts, and enough room pass. */
	ck_assert_int_eq(gen_p11sess_room("s", "t", 0, 3, 64), 0);
	ck_assert_int_eq(gen_p11sess_room("s", "t", ~0UL, 3, 64), 0);
	ck_assert_int_eq(gen_p11sess_room("s", "t", 16, ~0UL, 64), 0);
	ck_assert_int_eq(gen_p11sess_room("s", "t", 16, 1, 15), 0);
	/* Too few: say which token, how many, and what to change. */
	ck_assert_int_eq(gen_p11sess_room("s", "hsm", 16, 2, 15), OP_E_PKCS11);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "token 'hsm' allows 16"));
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "lower workers"));
	ck_assert_int_eq(gen_p11sess_room("s", "hsm", 4, 9, 1), OP_E_PKCS11);
}
END_TEST

START_TEST(pem_handles_per_worker)
{
	EVP_PKEY *k = EVP_EC_gen("P-256"), *keys[3];
	char path[] = "/tmp/check_key.XXXXXX";
	struct gen_keystore *ks;

	write_key(k, path);
	ck_assert_int_eq(gen_keystore_open(NULL, &ks), 0);
	ck_assert_int_eq(gen_keystore_load_workers(ks, "s", path, NULL, 3, keys), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(EVP_PKEY_eq(keys[i], k), 1);
		EVP_PKEY_free(keys[i]);
	}
	ck_assert_int_eq(gen_keystore_load_workers(ks, "s", "/nonexistent", NULL, 3,
					      keys), OP_E_PARSE);
	ck_assert_ptr_null(keys[0]);
	gen_keystore_close(ks);
	unlink(path);
	EVP_PKEY_free(k);
}
END_TEST

CHECK_MAIN("gen_keystore", NULL, NULL,
	   pkcs11_uri, pin_file_mode, pem_keys, session_limit,
	   pem_handles_per_worker)
