#include "op_hex.h"

int op_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int op_hex_octet(const char *s)
{
	int hi = op_hex_digit((unsigned char)s[0]), lo;

	/* A '\0' first stops before s[1] is read. */
	if (hi < 0 || (lo = op_hex_digit((unsigned char)s[1])) < 0)
		return -1;
	return hi << 4 | lo;
}
