/*
 * gen_crl: an authority's CRLs, base and delta, as the CA published them.
 *
 * The CRL's DER is walked in place rather than decoded into OpenSSL's
 * X509_CRL: that structure allocates several objects per revoked entry,
 * which for a CRL of a million entries costs hundreds of megabytes.  Here
 * an entry costs one struct gen_entry; OpenSSL still decodes the issuer,
 * the times and the CRL extensions, and verifies the signature over the
 * tbsCertList octets as they were signed.
 *
 * A CRL is taken as the complete list of the CA's revocations only when
 * nothing in it says otherwise: a delta CRL (DeltaCRLIndicator) given as
 * the base, or an IssuingDistributionPoint that limits the CRL's scope
 * (onlySomeReasons, indirectCRL, onlyContainsCACerts,
 * onlyContainsAttributeCerts) is refused, and so is a CRL signed with a
 * key whose certificate's keyUsage lacks cRLSign.  What depends on the
 * authority's configuration (a CRL scoped to distribution points, or to
 * end-entity certificates) is judged by gen_scope.
 */
#ifndef GEN_CRL_H
#define GEN_CRL_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gen_input.h"

#define GEN_CRLNUM_MAX 20	/* RFC 5280: CRL numbers fit 20 octets */

/* A CRL number: unsigned big-endian, no leading zero octets (0 is len 0). */
struct gen_crlnum {
	uint8_t len;
	uint8_t v[GEN_CRLNUM_MAX];
};

enum gen_crl_kind { GEN_CRL_BASE = 0, GEN_CRL_DELTA = 1 };

/* What a CRL says about its own scope (struct gen_crl's scope). */
#define GEN_CRL_S_SOME_REASONS 0x01	/* IDP onlySomeReasons */
#define GEN_CRL_S_INDIRECT 0x02		/* IDP indirectCRL */
#define GEN_CRL_S_CA_ONLY 0x04		/* IDP onlyContainsCACerts */
#define GEN_CRL_S_ATTR_ONLY 0x08	/* IDP onlyContainsAttributeCerts */
#define GEN_CRL_S_USER_ONLY 0x10	/* IDP onlyContainsUserCerts */
#define GEN_CRL_S_ENTRY_ISSUER 0x20	/* an entry names another issuer */

struct gen_crl {
	int64_t this_update;
	int64_t next_update;		/* 0: the CRL has none */
	int has_number;
	struct gen_crlnum number;	/* CRLNumber */
	int is_delta;
	struct gen_crlnum base;		/* DeltaCRLIndicator's BaseCRLNumber */
	int scope;			/* GEN_CRL_S_* */
	uint8_t sha256[32];		/* of the octets as read (PEM or DER),
					 * for the audit trail */
	DIST_POINT_NAME *idp_dp;	/* IDP distributionPoint, owned; NULL
					 * when the CRL names none */
	X509_NAME *issuer;		/* owned */
	X509_ALGOR *alg;		/* signatureAlgorithm, owned */
	ASN1_BIT_STRING *sig;		/* signatureValue, owned */
	const uint8_t *tbs;		/* tbsCertList as signed: points into */
	size_t tbs_len;			/* the parsed data (see gen_crl_parse) */
	/*
	 * Entries, status OP_STATUS_REVOKED, src GEN_SRC_CRL.  A delta's
	 * removeFromCRL entries are kept with reason 8 (they release a hold
	 * when applied); a base CRL's are dropped.  Owned; gen_crl_free().
	 */
	struct gen_list entries;
};

void gen_crl_free(struct gen_crl *c);

/*
 * Decode a CRL in PEM or DER from data (len octets) without judging it:
 * structure, times, CRL number, delta indicator, scope, entries.  name
 * (file or URL) prefixes error details.  On success the caller frees out
 * with gen_crl_free(); out->tbs points into data (DER input) or into
 * *pem_der, which receives the decoded PEM body (caller frees with
 * OPENSSL_free; NULL for DER input): keep it until gen_crl_check() is done.
 * On error out is left empty.
 */
int gen_crl_parse(const uint8_t *data, size_t len, const char *name,
		  struct gen_crl *out, unsigned char **pem_der);

/*
 * Judge a parsed CRL as what `kind` says it is: issued by ca's subject,
 * signature verified with ca's key (ca: the CA certificate, or a separate
 * CRL-signing certificate of the same name), ca allowed to sign CRLs,
 * nextUpdate not passed at now, not limited in scope (see the top of this
 * file), a delta where a delta is expected and only there.  OP_E_CRL with
 * a detail naming name and the reason.
 */
int gen_crl_check(const struct gen_crl *c, const char *name,
		  enum gen_crl_kind kind, X509 *ca, int64_t now);

/*
 * gen_crl_parse() plus gen_crl_check().  On success the caller
 * frees out with gen_crl_free() (out->tbs is then no longer valid).
 */
int gen_crl_load_mem(const uint8_t *data, size_t len, const char *name,
		     enum gen_crl_kind kind, X509 *ca, int64_t now,
		     struct gen_crl *out);

/* gen_crl_load_mem() on the contents of the file at path. */
int gen_crl_load(const char *path, enum gen_crl_kind kind, X509 *ca,
		 int64_t now, struct gen_crl *out);

/*
 * Compare numbers: <0, 0, >0.  gen_crl_num_str() formats one in decimal
 * (hex with 0x beyond 64 bits) into buf (>= 48 octets) and returns buf.
 */
int gen_crl_num_cmp(const struct gen_crlnum *a, const struct gen_crlnum *b);
const char *gen_crl_num_str(const struct gen_crlnum *n, char *buf, size_t size);

/*
 * Apply delta (checked with kind GEN_CRL_DELTA) over base.  Returns 0 and
 * sets *applied to 1 when it was applied: delta entries replace the base's
 * for the same serial; removeFromCRL removes the serial.  A delta whose
 * number is not above the base's carries nothing newer: *applied = 0 and
 * the caller warns.  A delta whose BaseCRLNumber is above the base's
 * number needs a newer base: OP_E_CRL with a detail naming dname.  A base
 * without a CRL number cannot take a delta: OP_E_CRL too.
 */
int gen_crl_apply_delta(struct gen_crl *base, const struct gen_crl *delta,
			const char *bname, const char *dname, int *applied);

#endif
