/*
 * op_cert: certificates from PEM files, for the generator (CA and signer
 * certificates) and ocsp-db (issuers named on its command line).
 */
#ifndef OP_CERT_H
#define OP_CERT_H

#include <openssl/x509.h>

/*
 * The first certificate of a PEM file.  On success the caller owns *out
 * (X509_free); on failure *out is NULL and the detail names the file.
 */
int op_cert_load(const char *path, X509 **out);

/*
 * Append every certificate of a PEM file to into (which takes ownership).
 * OP_E_PARSE when the file holds none or cannot be read.
 */
int op_cert_load_all(const char *path, STACK_OF(X509) *into);

#endif
