/*
 * libFuzzer target: the server's request path, bytes -> key or error,
 * exactly the functions ocsp-serve runs (DER walker, key building), plus
 * the GET path decoder on the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "srv_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[OP_KEY_MAX], out[10240];
	size_t keylen, outlen;
	char path[12288];

	if (srv_req_parse(data, size, key, &keylen) == SRV_REQ_OK &&
	    (keylen < 1 + 2 * 20 + 1 || keylen > OP_KEY_MAX))
		__builtin_trap();
	if (size < sizeof(path) - 7) {
		memcpy(path, "/ocsp/", 6);
		memcpy(path + 6, data, size);
		if (srv_req_get_decode(path, size + 6, "/ocsp", out, sizeof(out),
				   &outlen) == 0)
			(void)srv_req_parse(out, outlen, key, &keylen);
	}
	return 0;
}
