/*
 * gen_p11uri: the parsed form of an RFC 7512 PKCS#11 URI, the one type
 * that gen_keystore (which parses it, gen_keystore_uri_parse), gen_hsm and
 * gen_p11sess (which find a token and a key by it) share.  A header of its
 * own so that none of them includes another for it.
 */
#ifndef GEN_P11URI_H
#define GEN_P11URI_H

#include <stddef.h>
#include <stdint.h>

/* Parsed RFC 7512 PKCS#11 URI (the attributes we use). */
struct gen_p11_uri {
	char token[64];
	char serial[32];
	char object[128];
	uint8_t id[64];
	size_t id_len;
	char pin_source[512];	/* "file:/path" or a path */
	char pin_value[128];
	int has_token, has_serial, has_object, has_id, has_pin_value;
};

#endif
