#include "op_cert.h"
#include "op_err.h"

#include <openssl/err.h>
#include <openssl/pem.h>

int op_cert_load(const char *path, X509 **out)
{
	BIO *b = BIO_new_file(path, "r");

	*out = NULL;
	if (!b)
		return op_err_ssl(OP_E_PARSE, "%s: cannot open certificate", path);
	*out = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!*out)
		return op_err_ssl(OP_E_PARSE, "%s: not a PEM certificate", path);
	return 0;
}

int op_cert_load_all(const char *path, STACK_OF(X509) *into)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x;
	int n = 0, rc = 0;

	if (!b)
		return op_err_ssl(OP_E_PARSE, "%s: cannot open certificate", path);
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(into, x)) {
			X509_free(x);
			rc = OP_E_NOMEM;
			goto out;
		}
		n++;
	}
	/* The loop ends on "no start line" at the end of the file. */
	ERR_clear_error();
	if (n == 0)
		rc = op_err_set(OP_E_PARSE, "%s: no PEM certificate", path);
out:
	BIO_free(b);
	return rc;
}
