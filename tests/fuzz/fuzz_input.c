/*
 * libFuzzer targets for ocsp-gen's input parsers, one binary per target
 * (FUZZ_TARGET chosen at compile time): the `issued` parsers (hex list and
 * index.txt, detected), local revocations, CRL loading (parse, issuer and
 * signature checks), and the record decoder the server runs on stored
 * values.  The parsers read files, so the input goes through one in
 * /dev/shm (or TMPDIR).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

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
	int64_t next;

#if FUZZ_TARGET == 4
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
	(void)next;
	return 0;
#else
	if (write_input(data, size) != 0)
		return 0;
#if FUZZ_TARGET == 1
	gen_issued_load(path, &a, &b);
#elif FUZZ_TARGET == 2
	gen_local_load(path, &a);
#elif FUZZ_TARGET == 3
	gen_crl_load(path, ca, 0, &a, &next);
#endif
	for (size_t i = 0; i < a.n; i++)
		if (a.v[i].serial_len == 0 || a.v[i].serial_len > OP_SERIAL_MAX)
			__builtin_trap();
	gen_list_free(&a);
	gen_list_free(&b);
	unlink(path);
	return 0;
#endif
}
