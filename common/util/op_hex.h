/*
 * op_hex: hex digits, read the one way everywhere (serials given as hex,
 * percent-encoded URLs and PKCS#11 URIs).  Either case; nothing else.
 */
#ifndef OP_HEX_H
#define OP_HEX_H

/* The value of a hex digit c (0..15), or -1. */
int op_hex_digit(int c);

/* The octet that the two hex digits at s spell (0..255), or -1; s must
 * hold two characters (the first not being '\0' is enough). */
int op_hex_octet(const char *s);

#endif
