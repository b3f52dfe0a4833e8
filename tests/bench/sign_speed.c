/*
 * sign_speed: the signing rate of one key, for `make bench`.
 *
 *   sign_speed raw  SECONDS KEY [MODULE]
 *   sign_speed resp SECONDS KEY CERT CA [MODULE]
 *
 * KEY is a PEM file or a PKCS#11 URI (then MODULE is the PKCS#11 module).
 * raw signs a SHA-256 (SHA-384 for EC keys above P-256) digest in a loop:
 * the signer's own rate, the limit ocsp-gen is measured against (run it
 * in two processes for two cores or token sessions).  resp builds and
 * signs whole responses through gen_resp, one thread, varying the serial:
 * raw minus resp is our cost per response (with SIGN_SPEED_EXT set, with
 * a CRL reference and an archive cutoff in each).  Prints "N signatures in S s =
 * R/s" and the CPU time per signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "gen_keystore.h"
#include "gen_resp.h"
#include "op_cert.h"
#include "op_err.h"
#include "op_key.h"
#include "op_rec.h"

static double now(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int raw(EVP_PKEY *key, double seconds, long *n)
{
	const char *md = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
			 EVP_PKEY_get_bits(key) > 256 ? "SHA384" : "SHA256";
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(key, NULL);
	unsigned char dgst[48] = { 1 }, sig[1024];
	double end = now(CLOCK_MONOTONIC) + seconds;
	size_t len;

	if (!c || EVP_PKEY_sign_init(c) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(c, EVP_get_digestbyname(md)) != 1 ||
	    (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) != 1))
		return 1;
	for (*n = 0; now(CLOCK_MONOTONIC) < end; (*n)++) {
		dgst[0] = (unsigned char)*n;
		len = sizeof(sig);
		if (EVP_PKEY_sign(c, sig, &len, dgst, strcmp(md, "SHA256") ? 48 : 32) != 1)
			return 1;
	}
	EVP_PKEY_CTX_free(c);
	return 0;
}

static int resp(EVP_PKEY *key, X509 *cert, X509 *ca, double seconds, long *n)
{
	static const uint8_t num[] = { 0x01, 0x2c };
	static const struct gen_ext_crlid crl = {
		.url = "http://pki.example.com/CA+.crl", .has_num = 1,
		.num = num, .num_len = 2 };
	struct gen_resp_profile prof = { .include_cert = 1 };
	struct gen_resp_signer *s;
	uint8_t serial[3] = { 0x10, 0, 0 };
	struct gen_resp_in in = { .hash = OP_HASH_SHA256, .serial = serial,
				  .serial_len = 3, .status = OP_STATUS_GOOD,
				  .reason = OP_REASON_NONE };
	double end = now(CLOCK_MONOTONIC) + seconds;
	unsigned char *der;
	size_t len;

	in.produced_at = in.this_update = time(NULL);
	in.next_update = in.this_update + 7 * 86400;
	if (getenv("SIGN_SPEED_EXT")) {	/* both singleExtensions */
		prof.crlid[0] = &crl;
		prof.cutoff = GEN_RESP_CUTOFF_RETAIN;
		prof.retain = 3650LL * 86400;
		in.crl = 1;
	}
	if (gen_resp_signer_new(ca, cert, &key, 1, &prof, &s) != 0)
		return 1;
	for (*n = 0; now(CLOCK_MONOTONIC) < end; (*n)++) {
		serial[1] = (uint8_t)(*n >> 8);
		serial[2] = (uint8_t)*n;
		if (gen_resp_make(s, 0, &in, &der, &len) != 0)
			return 1;
		OPENSSL_free(der);
	}
	gen_resp_signer_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	int is_resp = argc >= 6 && strcmp(argv[1], "resp") == 0;
	int is_raw = argc >= 4 && strcmp(argv[1], "raw") == 0;
	const char *module = is_resp ? (argc > 6 ? argv[6] : NULL)
				     : (argc > 4 ? argv[4] : NULL);
	struct gen_keystore *ks = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL, *ca = NULL;
	double t0, c0, seconds;
	long n = 0;
	int rc = 1;

	if (!is_resp && !is_raw) {
		fprintf(stderr, "usage: sign_speed raw SECONDS KEY [MODULE]\n"
			"       sign_speed resp SECONDS KEY CERT CA [MODULE]\n");
		return 2;
	}
	seconds = atof(argv[2]);
	if (gen_keystore_open(module, &ks) != 0 ||
	    gen_keystore_load(ks, "bench", argv[3], NULL, &key) != 0 ||
	    (is_resp && (op_cert_load(argv[4], &cert) != 0 ||
			 op_cert_load(argv[5], &ca) != 0)))
		goto out;
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	if ((is_resp ? resp(key, cert, ca, seconds, &n) : raw(key, seconds, &n)) != 0)
		goto out;
	t0 = now(CLOCK_MONOTONIC) - t0;
	c0 = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("%ld signatures in %.2f s = %.0f/s; %.1f us CPU each\n", n, t0,
	       (double)n / t0, c0 * 1e6 / (double)n);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "sign_speed: %s\n", op_err_detail());
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(key);
	gen_keystore_close(ks);
	return rc;
}
