/*
 * The server's request parser alone (srv_req_parse: DER walk + key), over
 * requests as clients send them: SHA-1 and SHA-256 CertIDs, with and
 * without a nonce.  Prints nanoseconds per request, the best of R rounds
 * of N requests each, so a change to the walker can be compared before
 * and after on the same machine.
 *
 *   req_parse [N [R]]     (default 1000000 x 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <openssl/ocsp.h>

#include "srv_req.h"

/* One DER OCSPRequest for a made-up CA, via OpenSSL. */
static int make_req(const EVP_MD *md, int nonce, uint8_t *out)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	X509_NAME *nm = X509_NAME_new();
	ASN1_BIT_STRING *pub = ASN1_BIT_STRING_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	unsigned char *p = out;
	int len;

	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
				   (const unsigned char *)"Bench CA", -1, -1, 0);
	ASN1_BIT_STRING_set(pub, (unsigned char *)"key bits", 8);
	ASN1_INTEGER_set(sn, 0x12345678);
	OCSP_request_add0_id(req, OCSP_cert_id_new(md, nm, pub, sn));
	if (nonce)
		OCSP_request_add1_nonce(req, NULL, 16);
	len = i2d_OCSP_REQUEST(req, &p);
	OCSP_REQUEST_free(req);
	X509_NAME_free(nm);
	ASN1_BIT_STRING_free(pub);
	ASN1_INTEGER_free(sn);
	return len;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, rounds = argc > 2 ? atol(argv[2]) : 5;
	uint8_t der[4][512], key[OP_KEY_MAX];
	size_t len[4], keylen, sum = 0;
	double best = 0;

	for (int i = 0; i < 4; i++) {
		int l = make_req(i & 1 ? EVP_sha256() : EVP_sha1(), i >> 1, der[i]);

		if (l <= 0 || srv_req_parse(der[i], (size_t)l, key, &keylen) != SRV_REQ_OK) {
			fprintf(stderr, "req_parse: request %d does not parse\n", i);
			return 1;
		}
		len[i] = (size_t)l;
	}
	for (long r = 0; r < rounds; r++) {
		struct timespec t0, t1;
		double ns;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++) {
			srv_req_parse(der[i & 3], len[i & 3], key, &keylen);
			sum += keylen + key[keylen - 1];
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		      (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n;
		if (r == 0 || ns < best)
			best = ns;
	}
	printf("srv_req_parse: %.1f ns per request (best of %ld x %ld; %zu)\n",
	       best, rounds, n, sum & 1);
	return 0;
}
