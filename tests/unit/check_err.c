/* op_err: OpenSSL's queued errors become plain words, or nothing when they
 * only repeat the caller or trace the decoder. */
#include <check.h>

#include "check_run.h"
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "op_err.h"

START_TEST(system_errors_once)
{
	ck_assert_ptr_null(BIO_new_file("/nonexistent/x.pem", "r"));
	ck_assert_int_eq(op_err_ssl(OP_E_PARSE, "x.pem: cannot open"), OP_E_PARSE);
	ck_assert_str_eq(op_err_detail(), "x.pem: cannot open: No such file or directory");
	ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

START_TEST(decoder_traces_dropped)
{
	static const char junk[] = "garbage\n";
	static const unsigned char der[] = { 0x30, 0x82, 0x10, 0x00, 0x02, 0x01 };
	const unsigned char *p = der;
	BIO *b = BIO_new_mem_buf(junk, -1);

	ck_assert_ptr_null(PEM_read_bio_X509(b, NULL, NULL, NULL));
	BIO_free(b);
	op_err_ssl(OP_E_PARSE, "a.pem: not a PEM certificate");
	ck_assert_str_eq(op_err_detail(), "a.pem: not a PEM certificate");
	ck_assert_ptr_null(d2i_X509(NULL, &p, sizeof(der)));
	op_err_ssl(OP_E_PARSE, "a.der: truncated or corrupt");
	ck_assert_str_eq(op_err_detail(), "a.der: truncated or corrupt");
}
END_TEST

START_TEST(plain_words)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n";
	BIO *b = BIO_new_mem_buf(pem, -1);

	ck_assert_ptr_null(PEM_read_bio_X509(b, NULL, NULL, NULL));
	BIO_free(b);
	op_err_ssl(OP_E_PARSE, "c.pem");
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "damaged base64"));
	ck_assert_ptr_null(strstr(op_err_detail(), "unknown OpenSSL error"));
}
END_TEST

CHECK_MAIN("op_err", NULL, NULL,
	   system_errors_once, decoder_traces_dropped, plain_words)
