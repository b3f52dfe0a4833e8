#include "gen_ext.h"
#include "op_der.h"
#include "op_err.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#define URL_MAX 4096

/* id-pkix-ocsp 3 and 6, with tag and length. */
static const uint8_t crl_oid[] = {
	0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x03
};
static const uint8_t cutoff_oid[] = {
	0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x06
};

/* Extension { oid, OCTET STRING { value } } around value/vlen at p. */
static uint8_t *wrap(uint8_t *p, const uint8_t *oid, size_t olen, size_t vlen)
{
	p = op_der_hdr(p, OP_DER_SEQUENCE, olen + op_der_tlv_len(vlen));
	p = op_der_put(p, oid, olen);
	return op_der_hdr(p, OP_DER_OCTET_STRING, vlen);
}

int gen_ext_cutoff(uint8_t **pp, int64_t t)
{
	uint8_t *p = wrap(*pp, cutoff_oid, sizeof(cutoff_oid), OP_DER_TIME_LEN);
	int rc = op_der_put_time(&p, t);

	if (rc == 0)
		*pp = p;
	return rc;
}

/* The INTEGER's content: a zero octet before a set high bit, 00 for 0. */
static size_t int_len(const struct gen_ext_crlid *c)
{
	return c->num_len == 0 ? 1 : c->num_len + (c->num[0] & 0x80 ? 1 : 0);
}

int gen_ext_crlid(const struct gen_ext_crlid *c, uint8_t **der, size_t *len)
{
	size_t ulen = c->url ? strlen(c->url) : 0, nlen = int_len(c), body = 0;
	size_t u = 0, n = 0, seq, total;
	uint8_t *p;

	*der = NULL;
	for (size_t i = 0; i < ulen; i++)
		if (c->url[i] < 0x20 || c->url[i] > 0x7e)
			return op_err_set(OP_E_RANGE, "CRL URL is not printable ASCII");
	if (ulen > URL_MAX || c->num_len > 20)
		return op_err_set(OP_E_RANGE, "CRL URL or number too long");
	if (c->url)	/* [0] EXPLICIT IA5String */
		body += u = op_der_tlv_len(op_der_tlv_len(ulen));
	if (c->has_num)	/* [1] EXPLICIT INTEGER */
		body += n = 2 + op_der_tlv_len(nlen);
	body += 2 + OP_DER_TIME_LEN;	/* [2] EXPLICIT GeneralizedTime */
	seq = op_der_tlv_len(body);
	total = op_der_tlv_len(sizeof(crl_oid) + op_der_tlv_len(seq));
	if (!(*der = malloc(total)))
		return OP_E_NOMEM;
	p = wrap(*der, crl_oid, sizeof(crl_oid), seq);
	p = op_der_hdr(p, OP_DER_SEQUENCE, body);
	if (u) {
		p = op_der_hdr(p, OP_DER_CTX(0), op_der_tlv_len(ulen));
		p = op_der_put(op_der_hdr(p, V_ASN1_IA5STRING, ulen), c->url, ulen);
	}
	if (n) {
		p = op_der_hdr(op_der_hdr(p, OP_DER_CTX(1), n - 2), OP_DER_INTEGER, nlen);
		if (nlen > c->num_len)
			*p++ = 0;
		p = op_der_put(p, c->num, c->num_len);
	}
	p = op_der_hdr(p, OP_DER_CTX(2), OP_DER_TIME_LEN);
	if (op_der_put_time(&p, c->time) != 0) {
		free(*der);
		*der = NULL;
		return OP_E_RANGE;
	}
	*len = (size_t)(p - *der);
	return 0;
}

int gen_ext_add_ref(OCSP_SINGLERESP *single, const struct gen_ext_crlid *c,
		    int cutoff, int64_t cutoff_at)
{
	ASN1_GENERALIZEDTIME *t = NULL;
	X509_EXTENSION *id = NULL;
	long num = 0;
	int ok = 1;

	if (c) {
		for (size_t i = 0; i < c->num_len; i++)
			num = num << 8 | c->num[i];
		ok = (t = ASN1_GENERALIZEDTIME_set(NULL, (time_t)c->time)) &&
		     (id = OCSP_crlID_new(c->url, c->has_num ? &num : NULL,
					  (char *)ASN1_STRING_get0_data(t))) &&
		     OCSP_SINGLERESP_add_ext(single, id, -1) == 1;
		ASN1_GENERALIZEDTIME_free(t);
		t = NULL;
	}
	if (ok && cutoff)
		ok = (t = ASN1_GENERALIZEDTIME_set(NULL, (time_t)cutoff_at)) &&
		     OCSP_SINGLERESP_add1_ext_i2d(single,
						  NID_id_pkix_OCSP_archiveCutoff,
						  t, 0, 0) == 1;
	X509_EXTENSION_free(id);
	ASN1_GENERALIZEDTIME_free(t);
	return ok ? 0 : -1;
}
