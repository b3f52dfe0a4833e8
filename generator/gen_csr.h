/*
 * gen_csr: a PKCS#10 certificate request for a signer's key, made where
 * the key lives (the token, through the keystore), so that no other tool
 * needs a PKCS#11 engine or provider.
 *
 * The request asks for what gen_signer_check() wants of a delegated
 * signer: keyUsage digitalSignature (critical), extendedKeyUsage
 * OCSPSigning, and id-pkix-ocsp-nocheck.  Nothing here creates, changes or
 * deletes a key.
 */
#ifndef GEN_CSR_H
#define GEN_CSR_H

#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "gen_conf.h"

/* Common name of the default subject, placed under the CA's subject. */
#define GEN_CSR_DEFAULT_CN "OCSP Responder"

/*
 * Parse a subject in OpenSSL's one-line form, "/O=Example/CN=OCSP 2027":
 * RDNs separated by '/', a '+' joins an attribute to the same RDN, a
 * backslash escapes the next character.  *out is the caller's
 * (X509_NAME_free).  OP_E_CONFIG with a detail on a malformed subject.
 */
int gen_csr_subject_parse(const char *s, X509_NAME **out);

/*
 * Build and sign a request for key with subject (not taken over).  The
 * signature is SHA-256 (SHA-384/512 for larger EC keys); RSA and EC keys
 * only.  *out is the caller's (X509_REQ_free).
 */
int gen_csr_make(EVP_PKEY *key, const X509_NAME *subject, X509_REQ **out);

/*
 * The whole of `ocsp-gen --csr SIGNER`: find signer section `signer` among
 * the authorities' signers, take its subject (or the default under the
 * CA's subject), load its key without a certificate, write the PEM request
 * to out.  Errors name the signer; a key that does not exist is reported
 * with its URI (never a PIN).
 */
int gen_csr_write(const struct gen_conf *conf, const char *signer, FILE *out);

#endif
