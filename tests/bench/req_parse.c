/*
 * The server's request parser alone (srv_req_parse: DER walk + key), over
 * DER requests as clients sent them (e.g. tests/fuzz/corpus/req/ *.der:
 * OpenSSL with SHA-1, SHA-256 with a nonce, SHA-384, GnuTLS, NSS), taken
 * in turn.  Prints nanoseconds per request, the best of R rounds of N
 * requests, so that a change to the walker can be compared before and
 * after on the same machine.
 *
 *   req_parse N R FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "op_file.h"
#include "srv_req.h"

#define FILES_MAX 16

int main(int argc, char **argv)
{
	unsigned char *der[FILES_MAX];
	size_t len[FILES_MAX], keylen, sum = 0;
	uint8_t key[OP_KEY_MAX];
	long n = argc > 1 ? atol(argv[1]) : 0, rounds = argc > 2 ? atol(argv[2]) : 0;
	int files = argc - 3;
	double best = 0;

	if (n <= 0 || rounds <= 0 || files < 1 || files > FILES_MAX) {
		fprintf(stderr, "usage: req_parse N R FILE... (1 to %d files)\n",
			FILES_MAX);
		return 2;
	}
	for (int i = 0; i < files; i++)
		if (op_file_read(argv[3 + i], &der[i], &len[i]) != 0 ||
		    srv_req_parse(der[i], len[i], key, &keylen) != SRV_REQ_OK) {
			fprintf(stderr, "req_parse: %s: not a request the server "
				"answers\n", argv[3 + i]);
			return 1;
		}
	for (long r = 0; r < rounds; r++) {
		struct timespec t0, t1;
		double ns;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++) {
			int f = (int)(i % files);

			srv_req_parse(der[f], len[f], key, &keylen);
			sum += keylen + key[keylen - 1];
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		      (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n;
		if (r == 0 || ns < best)
			best = ns;
	}
	printf("srv_req_parse: %.1f ns per request (best of %ld x %ld, %d "
	       "requests; %zu)\n", best, rounds, n, files, sum & 1);
	for (int i = 0; i < files; i++)
		free(der[i]);
	return 0;
}
