/* op_meta: the table of meta records against the format's text, the key
 * builder, and which record (and issuer) a key is. */
#include <check.h>

#include "check_pki.h"
#include "check_run.h"
#include "op_key.h"
#include "op_meta.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* The table is the format: the names and what follows them, pinned. */
START_TEST(meta_table_pinned)
{
	static const struct { const char *key; unsigned flags; } want[] = {
		{ "\0format", 0 }, { "\0generated", 0 }, { "\0generation", 0 },
		{ "\0issuer", OP_META_F_ISSUER }, { "\0summary", OP_META_F_ISSUER },
		{ "\0certs", OP_META_F_SIGNER },
		{ "\0crl", OP_META_F_ISSUER | OP_META_F_SHA256 },
		{ "\0retain", OP_META_F_ISSUER | OP_META_F_SHA256 |
			      OP_META_F_SERIAL },
		{ "\0sweep", OP_META_F_ISSUER },
	};

	ck_assert_uint_eq(OP_META_NKINDS, sizeof(want) / sizeof(want[0]));
	for (int i = 0; i < OP_META_NKINDS; i++) {
		const struct op_meta_def *d = &op_meta_table[i];

		ck_assert_uint_eq(d->len, 1 + strlen(want[i].key + 1));
		ck_assert_uint_le(d->len, OP_META_NAME_MAX);
		ck_assert_int_eq(memcmp(d->key, want[i].key, d->len), 0);
		ck_assert_uint_eq(d->flags, want[i].flags);
	}
}
END_TEST

/* docs/db-format.txt lists the table's records, in its order, each with
 * the suffix its flags say: `"\0name" | ...` lines of "Meta records". */
START_TEST(meta_table_matches_docs)
{
	FILE *f = fopen("docs/db-format.txt", "r");
	char line[256];
	int in = 0, n = 0;

	ck_assert_msg(f != NULL, "run from the top of the tree");
	while (fgets(line, sizeof(line), f)) {
		const struct op_meta_def *d;
		size_t len = 0;
		unsigned fl;

		if (strncmp(line, "Meta records", 12) == 0 || strncmp(line,
		    "Pages and publication", 21) == 0)
			in = line[0] == 'M';
		if (!in || strncmp(line, "\"\\0", 3) != 0)
			continue;
		while (islower((unsigned char)line[3 + len]))
			len++;
		ck_assert_int_lt(n, OP_META_NKINDS);
		d = &op_meta_table[n++];
		fl = d->flags;
		ck_assert_msg(len == d->len - 1 && line[3 + len] == '"' &&
			      memcmp(line + 3, d->key + 1, len) == 0,
			      "docs list %.*s where the table has %s", (int)len,
			      line + 3, d->key + 1);
		ck_assert_int_eq(strchr(line, '|') != NULL, fl != 0);
		ck_assert_int_eq(strstr(line, "nameHash") != NULL ||
				 strstr(line, "(issuer name)") != NULL,
				 (fl & OP_META_F_ISSUER) != 0);
		ck_assert_int_eq(strstr(line, "SHA-256(issuer name)") != NULL,
				 (fl & OP_META_F_SHA256) != 0);
		ck_assert_int_eq(strstr(line, "| serial") != NULL,
				 (fl & OP_META_F_SERIAL) != 0);
		ck_assert_int_eq(strstr(line, "signer id") != NULL,
				 (fl & OP_META_F_SIGNER) != 0);
	}
	fclose(f);
	ck_assert_int_eq(n, OP_META_NKINDS);
}
END_TEST

START_TEST(meta_keys)
{
	uint8_t k[OP_META_KEY_MAX], p[OP_KEY_MAX], s[OP_SERIAL_MAX + 1];
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *ca = pki_cert("Meta CA", key, NULL, key, 1);
	size_t len, pl;
	int kind;

	/* The builder: name then suffix, or 0 when it does not fit. */
	ck_assert_uint_eq(op_meta_key(k, sizeof(k), OP_META_K_GENERATION,
				      NULL, 0), 11);
	ck_assert_int_eq(memcmp(k, "\0generation", 11), 0);
	ck_assert_uint_eq(op_meta_key(k, 10, OP_META_K_GENERATION, NULL, 0), 0);
	ck_assert_uint_eq(op_meta_key(k, 10, OP_META_K_SWEEP, p, 4), 10);
	ck_assert_uint_eq(op_meta_key(k, 10, OP_META_K_SWEEP, p, 5), 0);
	ck_assert_uint_eq(op_meta_key(k, sizeof(k), OP_META_NKINDS, NULL, 0), 0);
	/* Which record a key is: the longest name of the right shape. */
	ck_assert_int_eq(op_meta_kind((const uint8_t *)"\0generated", 10),
			 OP_META_K_GENERATED);
	ck_assert_int_eq(op_meta_kind((const uint8_t *)"\0generation", 11),
			 OP_META_K_GENERATION);
	ck_assert_int_eq(op_meta_kind((const uint8_t *)"\0format!", 8), -1);
	ck_assert_int_eq(op_meta_kind((const uint8_t *)"\0summary", 8), -1);
	ck_assert_int_eq(op_meta_kind((const uint8_t *)"\0other\1", 7), -1);
	ck_assert_int_eq(op_meta_kind((const uint8_t *)"\1summary", 8), -1);
	/* The CRL numbers' key: the SHA-256 prefix, as the generator has
	 * always written it (X509_NAME_digest, X509_pubkey_digest). */
	ck_assert_int_eq(op_meta_ca_key(k, OP_META_K_CRL, ca, &len), 0);
	ck_assert_uint_eq(len, 4 + 65);
	ck_assert_int_eq(memcmp(k, "\0crl\2", 5), 0);
	ck_assert_int_eq(X509_NAME_digest(X509_get_subject_name(ca),
					  EVP_sha256(), p, NULL), 1);
	ck_assert_int_eq(X509_pubkey_digest(ca, EVP_sha256(), p + 32, NULL), 1);
	ck_assert_int_eq(memcmp(k + 5, p, 64), 0);
	/* The issuer a per-issuer key belongs to. */
	ck_assert_ptr_eq(op_meta_issuer(k, len, &kind, &pl), k + 4);
	ck_assert_int_eq(kind, OP_META_K_CRL);
	ck_assert_uint_eq(pl, 65);
	ck_assert_ptr_null(op_meta_issuer(k, len - 1, &kind, &pl));
	ck_assert_int_eq(op_meta_ca_key(k, OP_META_K_RETAIN, ca, &len), 0);
	ck_assert_ptr_null(op_meta_issuer(k, len, &kind, &pl));	/* no serial */
	memset(s, 0x42, sizeof(s));
	memcpy(k + len, s, OP_SERIAL_MAX);
	ck_assert_ptr_eq(op_meta_issuer(k, len + OP_SERIAL_MAX, &kind, &pl),
			 k + 7);
	ck_assert_uint_eq(pl, 65);
	ck_assert_ptr_null(op_meta_issuer(k, len + OP_SERIAL_MAX + 1, &kind, &pl));
	ck_assert_int_eq(op_key_issuer_prefix(ca, OP_HASH_SHA1, p, &pl), 0);
	len = op_meta_key(k, sizeof(k), OP_META_K_CERTS, p, pl);
	ck_assert_ptr_null(op_meta_issuer(k, len, &kind, &pl));
	ck_assert_int_eq(kind, OP_META_K_CERTS);
	X509_free(ca);
	EVP_PKEY_free(key);
}
END_TEST

CHECK_MAIN("meta", NULL, NULL, meta_table_pinned, meta_table_matches_docs,
	   meta_keys)
