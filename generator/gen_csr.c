#include "gen_csr.h"
#include "gen_keystore.h"
#include "gen_signer.h"
#include "op_cert.h"
#include "op_err.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* One "type=value" of a one-line subject: copies the type into type and
 * the unescaped value into val, returns the character that ended it
 * ('/', '+' or '\0') and advances *pp past it; -1 if malformed. */
static int next_attr(const char **pp, char *type, size_t tsize, char *val,
		     size_t vsize)
{
	const char *p = *pp, *eq = p + strcspn(p, "=/+");
	size_t n = 0;

	if (*eq != '=' || eq == p || (size_t)(eq - p) >= tsize)
		return -1;
	memcpy(type, p, (size_t)(eq - p));
	type[eq - p] = '\0';
	for (p = eq + 1; *p && *p != '/' && *p != '+'; p++) {
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 >= vsize)
			return -1;
		val[n++] = *p;
	}
	val[n] = '\0';
	if (n == 0)
		return -1;
	*pp = *p ? p + 1 : p;
	return (unsigned char)*p;
}

int gen_csr_subject_parse(const char *s, X509_NAME **out)
{
	char type[64], val[1024];
	const char *p = s;
	X509_NAME *name;
	int set = 0, end;

	*out = NULL;
	if (*p++ != '/' || !*p)
		return op_err_set(OP_E_CONFIG, "subject '%s': expected OpenSSL's "
				  "form, /O=Example/CN=OCSP Responder", s);
	if (!(name = X509_NAME_new()))
		return OP_E_NOMEM;
	while (*p) {
		if ((end = next_attr(&p, type, sizeof(type), val, sizeof(val))) < 0) {
			X509_NAME_free(name);
			return op_err_set(OP_E_CONFIG, "subject '%s': each part must "
					  "be TYPE=VALUE, with a value", s);
		}
		if (!X509_NAME_add_entry_by_txt(name, type, MBSTRING_UTF8,
						(const unsigned char *)val, -1,
						-1, set)) {
			ERR_clear_error();
			X509_NAME_free(name);
			return op_err_set(OP_E_CONFIG, "subject '%s': unknown "
					  "attribute type '%s' (C, ST, L, O, OU, "
					  "CN, ...)", s, type);
		}
		/* '+' puts the next attribute into this RDN. */
		set = end == '+' ? -1 : 0;
	}
	*out = name;
	return 0;
}

/* SHA-256, or a digest as strong as a larger EC key. */
static const EVP_MD *csr_md(EVP_PKEY *key)
{
	int bits = EVP_PKEY_get_bits(key);

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || bits <= 256)
		return EVP_sha256();
	return bits <= 384 ? EVP_sha384() : EVP_sha512();
}

/* keyUsage, extendedKeyUsage and nocheck, as a delegated signer needs. */
static int add_extensions(X509_REQ *req)
{
	static const struct {
		int nid;
		const char *value;
	} exts[] = {
		{ NID_key_usage, "critical,digitalSignature" },
		{ NID_ext_key_usage, "OCSPSigning" },
		{ NID_id_pkix_OCSP_noCheck, "ignored" },	/* value is NULL */
	};
	STACK_OF(X509_EXTENSION) *sk = sk_X509_EXTENSION_new_null();
	int ok = sk != NULL;

	for (size_t i = 0; ok && i < sizeof(exts) / sizeof(exts[0]); i++) {
		X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, NULL, exts[i].nid,
							   exts[i].value);

		ok = ext && sk_X509_EXTENSION_push(sk, ext) > 0;
		if (!ok)
			X509_EXTENSION_free(ext);
	}
	ok = ok && X509_REQ_add_extensions(req, sk);
	sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
	return ok ? 0 : op_err_ssl(OP_E_CRYPTO, "request extensions");
}

int gen_csr_make(EVP_PKEY *key, const X509_NAME *subject, X509_REQ **out)
{
	int type = EVP_PKEY_get_base_id(key), rc;
	X509_REQ *req;

	*out = NULL;
	if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC)
		return op_err_set(OP_E_CONFIG, "the key is neither RSA nor ECDSA");
	if (!(req = X509_REQ_new()))
		return OP_E_NOMEM;
	if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(req, subject) ||
	    !X509_REQ_set_pubkey(req, key)) {
		rc = op_err_ssl(OP_E_CRYPTO, "building the request");
		goto err;
	}
	if ((rc = add_extensions(req)) != 0)
		goto err;
	if (X509_REQ_sign(req, key, csr_md(key)) <= 0) {
		rc = op_err_ssl(OP_E_CRYPTO, "signing the request with the key");
		goto err;
	}
	/* Proves the token signed with the key whose public half we put in
	 * the request (a token may pair objects by id wrongly). */
	if (X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1) {
		rc = op_err_ssl(OP_E_CRYPTO, "the key's signature does not match "
				"its public key");
		goto err;
	}
	*out = req;
	return 0;
err:
	X509_REQ_free(req);
	return rc;
}

/* The authority and signer section named signer; NULL if not listed. */
static const struct gen_signer_conf *
find_signer(const struct gen_conf *conf, const char *signer,
	    const struct gen_auth_conf **auth)
{
	for (size_t i = 0; i < conf->nauths; i++)
		for (size_t j = 0; j < conf->auths[i].nsigners; j++)
			if (strcmp(conf->auths[i].signers[j].name, signer) == 0) {
				*auth = &conf->auths[i];
				return &conf->auths[i].signers[j];
			}
	return NULL;
}

/* The section's subject, or "OCSP Responder" under the CA's subject. */
static int subject_for(const struct gen_conf *conf,
		       const struct gen_auth_conf *a,
		       const struct gen_signer_conf *s, X509_NAME **out)
{
	char d[1024];
	X509 *ca;
	int rc;

	if (s->subject) {
		if ((rc = gen_csr_subject_parse(s->subject, out)) != 0) {
			snprintf(d, sizeof(d), "%s", op_err_detail());
			return op_err_set(rc, "%s: [%s]: %s", conf->path, s->name, d);
		}
		return 0;
	}
	if ((rc = op_cert_load(a->ca_cert, &ca)) != 0)
		return rc;
	*out = X509_NAME_dup(X509_get_subject_name(ca));
	X509_free(ca);
	if (!*out || !X509_NAME_add_entry_by_NID(*out, NID_commonName,
						  MBSTRING_UTF8,
						  (const unsigned char *)
						  GEN_CSR_DEFAULT_CN, -1, -1, 0)) {
		X509_NAME_free(*out);
		*out = NULL;
		return op_err_ssl(OP_E_NOMEM, "default subject");
	}
	return 0;
}

int gen_csr_write(const struct gen_conf *conf, const char *signer, FILE *out)
{
	const struct gen_auth_conf *a = NULL;
	const struct gen_signer_conf *s = find_signer(conf, signer, &a);
	struct gen_keystore *ks = NULL;
	X509_NAME *subject = NULL;
	EVP_PKEY *key = NULL;
	X509_REQ *req = NULL;
	char d[1024];
	int rc;

	if (!s)
		return op_err_set(OP_E_CONFIG, "%s: no authority lists '%s' in its "
				  "'signers': add it there first (runs skip a "
				  "signer until its certificate file exists)",
				  conf->path, signer);
	if ((rc = subject_for(conf, a, s, &subject)) != 0 ||
	    (rc = gen_keystore_open(conf->pkcs11_module, &ks)) != 0 ||
	    (rc = gen_keystore_load(ks, s->name, s->key, NULL, &key)) != 0 ||
	    (rc = gen_csr_make(key, subject, &req)) != 0)
		goto out;
	if (!PEM_write_X509_REQ(out, req) || fflush(out) != 0)
		rc = op_err_set(OP_E_SYS, "writing the request to standard output");
out:
	/* Key errors already name the signer; the others get its name. */
	if (rc && strncmp(op_err_detail(), "signer ", 7) != 0 &&
	    strncmp(op_err_detail(), conf->path, strlen(conf->path)) != 0) {
		snprintf(d, sizeof(d), "%s", op_err_detail());
		op_err_set(rc, "signer %s: %s", signer, d);
	}
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	gen_keystore_close(ks);
	X509_NAME_free(subject);
	return rc;
}
