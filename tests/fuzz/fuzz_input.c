/*
 * libFuzzer targets for ocsp-gen's input parsers, one binary per target
 * (FUZZ_TARGET chosen at compile time): the `issued` parsers (hex list and
 * index.txt, detected), local revocations, CRL loading (parse, issuer and
 * signature checks, scope), delta CRLs (parsed, judged as a delta, applied
 * over a base made of their own entries), and the record decoder the server
 * runs on stored values.  The parsers read files, so the input goes through one in
 * /dev/shm (or TMPDIR).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "gen_crl.h"
#include "gen_input.h"
#include "op_log.h"
#include "op_rec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256];
static X509 *ca;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509_NAME *n = X509_NAME_new();

	(void)argc;
	(void)argv;
	op_log_init("fuzz", OP_LOG_ERR);
	snprintf(path, sizeof(path), "%s/ocsp-fuzz.%ld",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
	/* A CA whose name matches the seed CRLs' issuer, so fuzzing reaches the
	 * signature check (which then fails: we do not hold that key). */
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
				   (const unsigned char *)"Demo PKI", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"Demo Issuing RSA", -1, -1, 0);
	ca = X509_new();
	X509_set_subject_name(ca, n);
	X509_set_issuer_name(ca, n);
	X509_set_pubkey(ca, k);
	X509_sign(ca, k, EVP_sha256());
	X509_NAME_free(n);
	EVP_PKEY_free(k);
	return 0;
}

static int write_input(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fwrite(data, 1, size, f);
	fclose(f);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gen_list a = { 0 }, b = { 0 };
	struct gen_crl c = { 0 };

#if FUZZ_TARGET == 5
	struct gen_crl base = { 0 };
	unsigned char *pem = NULL;
	int applied;

	if (gen_crl_parse(data, size, "fuzz", &c, &pem) == 0) {
		gen_crl_check(&c, "fuzz", GEN_CRL_DELTA, ca, 0);
		base.has_number = 1;
		base.number = c.base;
		for (size_t i = 0; i < c.entries.n; i++) {
			struct gen_entry *e = gen_input_list_add(&base.entries);

			if (!e)
				break;
			*e = c.entries.v[i];
			e->reason = 1;	/* the base's word, overridden */
		}
		if (gen_crl_apply_delta(&base, &c, "base", "fuzz", &applied) == 0 &&
		    applied)
			for (size_t i = 0; i < base.entries.n; i++)
				if (base.entries.v[i].reason == 8 ||
				    base.entries.v[i].serial_len == 0)
					__builtin_trap();
		gen_crl_free(&base);
		gen_crl_free(&c);
		OPENSSL_free(pem);
	}
	(void)a;
	(void)b;
	(void)write_input;
	return 0;
#elif FUZZ_TARGET == 4
	struct op_rec rec;
	uint8_t out[4096];

	if (op_rec_decode(data, size, &rec) == 0 &&
	    (rec.body + rec.body_len != data + size || rec.status > 1))
		__builtin_trap();
	/* A response the splitter accepts is served back octet for octet. */
	if (op_rec_from_der(data, size, &rec) == 0 &&
	    (op_rec_served_len(&rec) != size ||
	     (size <= sizeof(out) && (op_rec_emit(&rec, out) != size ||
				      memcmp(out, data, size) != 0))))
		__builtin_trap();
	(void)a;
	(void)b;
	(void)c;
	(void)write_input;
	return 0;
#else
	if (write_input(data, size) != 0)
		return 0;
#if FUZZ_TARGET == 1
	gen_input_issued_load(path, &a, &b);
#elif FUZZ_TARGET == 2
	gen_input_local_load(path, &a);
#elif FUZZ_TARGET == 3
	if (gen_crl_load(path, GEN_CRL_BASE, ca, 0, &c) == 0)
		a = c.entries;	/* freed below */
	else
		(void)c;
#endif
	for (size_t i = 0; i < a.n; i++)
		if (a.v[i].serial_len == 0 || a.v[i].serial_len > OP_SERIAL_MAX)
			__builtin_trap();
	gen_input_list_free(&a);
	gen_input_list_free(&b);
	unlink(path);
	return 0;
#endif
}
