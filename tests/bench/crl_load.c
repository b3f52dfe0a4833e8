/*
 * make bench helper: load one CRL the way ocsp-gen does (gen_crl_load:
 * parse, verify, entries) or the way an X509_CRL user would (d2i_X509_CRL +
 * X509_CRL_verify), and print entries, milliseconds and peak RSS.  One mode
 * per process, so each peak is its own.
 *
 *   crl_load gen|openssl CRL CA.pem
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "gen_crl.h"
#include "op_err.h"
#include "op_file.h"
#include "op_log.h"
#include "op_time.h"

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
	struct timespec t0;
	struct rusage ru;
	FILE *f;
	X509 *ca;
	long n = -1;

	if (argc != 4 || !(f = fopen(argv[3], "r")) ||
	    !(ca = PEM_read_X509(f, NULL, NULL, NULL))) {
		fprintf(stderr, "usage: crl_load gen|openssl CRL CA.pem\n");
		return 2;
	}
	fclose(f);
	op_log_init("crl_load", OP_LOG_ERR);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(argv[1], "gen") == 0) {
		struct gen_crl c;

		if (gen_crl_load(argv[2], GEN_CRL_BASE, ca, op_time_now(), &c) == 0) {
			n = (long)c.entries.n;
			gen_crl_free(&c);
		} else {
			fprintf(stderr, "%s\n", op_err_detail());
		}
	} else {
		unsigned char *buf;
		const unsigned char *p;
		size_t len;
		X509_CRL *crl;

		if (op_file_read(argv[2], &buf, &len) == 0) {
			p = buf;
			if ((crl = d2i_X509_CRL(NULL, &p, (long)len)) != NULL &&
			    X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1)
				n = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
			X509_CRL_free(crl);
			free(buf);
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("%s: %ld entries in %.0f ms, peak RSS %ld MiB\n", argv[1], n,
	       ms_since(&t0), ru.ru_maxrss / 1024);
	X509_free(ca);
	return n < 0;
}
