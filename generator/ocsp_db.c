/*
 * ocsp-db: inspect a published responses file, extract one response (for
 * stapling), or check that none is about to expire.  See ocsp-db(1).
 */
#include "op_cert.h"
#include "op_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"
#include "op_version.h"
#include "op_walk.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ISSUERS 256

struct issuer {
	uint8_t prefix[OP_KEY_MAX];
	size_t plen;
	char name[600];
	size_t good, revoked;
	int64_t oldest_this, nearest_next;
};

struct reader {
	struct op_db db;
	MDB_txn *txn;
	struct issuer iss[MAX_ISSUERS];
	size_t niss;
};

static void usage(FILE *f)
{
	fputs("usage: ocsp-db stats FILE\n"
	      "       ocsp-db dump FILE\n"
	      "       ocsp-db get FILE --issuer CA.pem --serial HEX [--hash sha1|sha256]\n"
	      "       ocsp-db check FILE --min-remaining DURATION\n"
	      "       ocsp-db --version\n"
	      "\n"
	      "get writes the DER response to standard output (for stapling).\n"
	      "check exits 2 and names each response whose nextUpdate is nearer\n"
	      "than DURATION (e.g. 1d), for Nagios-style monitoring.\n", f);
}

static int open_reader(const char *path, struct reader *r)
{
	struct op_walk w;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = op_db_open(path, &r->db)) != 0)
		return rc;
	if ((rc = mdb_txn_begin(r->db.env, NULL, MDB_RDONLY, &r->txn)) != 0)
		return op_err_set(OP_E_DB, "%s: %s", path, mdb_strerror(rc));
	if ((rc = op_walk_begin(&w, r->txn, r->db.dbi, OP_WALK_ISSUERS)) != 0)
		return rc;
	while (r->niss < MAX_ISSUERS && (rc = op_walk_next(&w)) > 0) {
		struct issuer *i = &r->iss[r->niss];

		if (w.plen > OP_KEY_MAX)
			continue;
		i->plen = w.plen;
		memcpy(i->prefix, w.prefix, w.plen);
		snprintf(i->name, sizeof(i->name), "%.*s", (int)w.val.mv_size,
			 (char *)w.val.mv_data);
		i->oldest_this = INT64_MAX;
		i->nearest_next = INT64_MAX;
		r->niss++;
	}
	op_walk_end(&w);
	return rc < 0 ? rc : 0;
}

static void close_reader(struct reader *r)
{
	if (r->txn)
		mdb_txn_abort(r->txn);
	op_db_close(&r->db);
}

static struct issuer *issuer_of(struct reader *r, const uint8_t *key, size_t klen)
{
	size_t plen = op_key_issuer_len(key, klen);

	for (size_t i = 0; i < r->niss; i++)
		if (r->iss[i].plen == plen && memcmp(r->iss[i].prefix, key, plen) == 0)
			return &r->iss[i];
	return NULL;
}

struct each {
	struct reader *r;
	int (*fn)(struct reader *, const MDB_val *, const struct op_rec *, void *);
	void *arg;
};

static int each_one(const struct op_walk *w, void *arg)
{
	struct each *e = arg;

	return e->fn(e->r, &w->key, &w->rec, e->arg);
}

/*
 * Call fn for every response record.  Stops at the first non-zero return,
 * a record that does not decode or a failing cursor.
 */
static int each_response(struct reader *r,
			 int (*fn)(struct reader *, const MDB_val *,
				   const struct op_rec *, void *), void *arg)
{
	struct each e = { r, fn, arg };

	return op_walk(r->txn, r->db.dbi, OP_WALK_RESPONSES, each_one, &e);
}

static void describe(struct reader *r, const MDB_val *k, char *buf, size_t size)
{
	const uint8_t *key = k->mv_data;
	size_t plen = op_key_issuer_len(key, k->mv_size);
	struct issuer *i = issuer_of(r, key, k->mv_size);
	char serial[2 * OP_SERIAL_MAX + 1], name[64];

	op_serial_hex(key + plen, k->mv_size - plen, serial);
	/* The section name: the issuer record's text up to its tab. */
	snprintf(name, sizeof(name), "%.*s", i ? (int)strcspn(i->name, "\t") : 1,
		 i ? i->name : "?");
	snprintf(buf, size, "%s %s %s", name, op_hash_name(key[0]), serial);
}

/* Summaries, not records: stats reads a few pages at any size. */
static int stats_one(const uint8_t *prefix, size_t plen, const struct op_sum *s,
		     void *arg)
{
	struct reader *r = arg;

	for (size_t n = 0; n < r->niss; n++) {
		struct issuer *i = &r->iss[n];

		if (i->plen != plen || memcmp(i->prefix, prefix, plen) != 0)
			continue;
		i->good = s->good;
		i->revoked = s->revoked;
		i->oldest_this = s->oldest_this;
		i->nearest_next = s->nearest_next;
	}
	return 0;
}

static int cmd_stats(struct reader *r, const char *path)
{
	size_t unknown = 0, total = 0;
	char t1[32], t2[32];
	int rc = op_db_sums(r->txn, r->db.dbi, stats_one, r);

	if (rc)
		return rc;
	op_time_iso(r->db.generated, t1, sizeof(t1));
	printf("file       %s\nformat     %s\ngenerated  %s\n", path, OP_DB_FORMAT, t1);
	for (size_t n = 0; n < r->niss; n++) {
		struct issuer *i = &r->iss[n];
		char name[600], *tab;

		/* "section\tsubject"; an older or odd file may lack the tab. */
		snprintf(name, sizeof(name), "%s", i->name);
		if ((tab = strchr(name, '\t')) != NULL)
			*tab = ' ';
		total += i->good + i->revoked;
		if (i->good + i->revoked == 0)
			continue;
		op_time_iso(i->oldest_this, t1, sizeof(t1));
		op_time_iso(i->nearest_next, t2, sizeof(t2));
		printf("issuer     %s [%s]\n  good %zu  revoked %zu  oldest "
		       "thisUpdate %s  nearest nextUpdate %s\n", name,
		       op_hash_name(i->prefix[0]), i->good, i->revoked, t1, t2);
	}
	printf("responses  %zu\n", total + unknown);
	return 0;
}

static int dump_one(struct reader *r, const MDB_val *k, const struct op_rec *rec,
		    void *arg)
{
	char d[256], t1[32], t2[32], t3[32], etag[2 * OP_REC_ETAG + 1];

	(void)arg;
	describe(r, k, d, sizeof(d));
	op_time_iso(rec->this_update, t1, sizeof(t1));
	op_time_iso(rec->next_update, t2, sizeof(t2));
	op_serial_hex(rec->etag, OP_REC_ETAG, etag);
	if (rec->status == OP_STATUS_REVOKED) {
		op_time_iso(rec->rev_time, t3, sizeof(t3));
		printf("%s revoked %s %s %s %s %zu %s\n", d, t3,
		       op_reason_name(rec->reason), t1, t2, op_rec_served_len(rec), etag);
	} else {
		printf("%s good %s %s %zu %s\n", d, t1, t2, op_rec_served_len(rec), etag);
	}
	return 0;
}

struct check_arg {
	int64_t limit;
	size_t bad, total;
};

static int check_one(struct reader *r, const MDB_val *k,
		     const struct op_rec *rec, void *arg)
{
	struct check_arg *c = arg;
	char d[256], t[32];

	c->total++;
	if (rec->next_update >= c->limit)
		return 0;
	describe(r, k, d, sizeof(d));
	op_time_iso(rec->next_update, t, sizeof(t));
	if (c->bad++ < 20)
		printf("CRITICAL: %s expires %s\n", d, t);
	return 0;
}

static int cmd_get(struct reader *r, const char *issuer, const char *serial,
		   const char *hash)
{
	uint8_t s[OP_SERIAL_MAX], key[OP_KEY_MAX];
	size_t slen, klen;
	X509 *ca;
	struct op_rec rec;
	uint8_t *der;
	size_t len;
	int tag = op_hash_from_name(hash), rc;

	if (tag == OP_HASH_NONE)
		return op_err_set(OP_E_PARSE, "--hash %s: unknown hash", hash);
	if ((rc = op_serial_from_hex(serial, strlen(serial), s, &slen)) != 0 ||
	    (rc = op_cert_load(issuer, &ca)) != 0)
		return rc;
	rc = op_key_from_issuer(ca, tag, s, slen, key, &klen);
	X509_free(ca);
	if (rc)
		return rc;
	if ((rc = op_db_get_rec(r->txn, r->db.dbi, key, klen, &rec)) != 0)
		return rc != MDB_NOTFOUND ? rc :
		       op_err_set(OP_E_NOTFOUND, "no %s response for serial %s "
				  "of %s", hash, serial, issuer);
	if (rec.next_update < op_time_now())
		op_warn("this response's nextUpdate has passed");
	if (isatty(STDOUT_FILENO))
		return op_err_set(OP_E_RANGE, "refusing to write DER to a terminal; "
				  "redirect standard output");
	len = op_rec_served_len(&rec);
	if (!(der = malloc(len)))
		return OP_E_NOMEM;
	op_rec_emit(&rec, der);
	if (fwrite(der, 1, len, stdout) != len || fflush(stdout) != 0)
		rc = op_err_set(OP_E_SYS, "writing standard output");
	free(der);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "serial", required_argument, NULL, 's' },
		{ "hash", required_argument, NULL, 'H' },
		{ "min-remaining", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *issuer = NULL, *serial = NULL, *hash = "sha1", *minrem = NULL;
	const char *cmd, *path;
	struct reader r;
	int c, rc;

	op_log_init("ocsp-db", OP_LOG_INFO);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': issuer = optarg; break;
		case 's': serial = optarg; break;
		case 'H': hash = optarg; break;
		case 'm': minrem = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': return op_version_print(stdout, "ocsp-db") ? 1 : 0;
		default: usage(stderr); return 64;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 64;
	}
	cmd = argv[optind];
	path = argv[optind + 1];
	if (strcmp(cmd, "stats") && strcmp(cmd, "dump") && strcmp(cmd, "get") &&
	    strcmp(cmd, "check")) {
		usage(stderr);
		return 64;
	}
	if ((!strcmp(cmd, "get") && (!issuer || !serial)) ||
	    (!strcmp(cmd, "check") && !minrem)) {
		usage(stderr);
		return 64;
	}
	if ((rc = open_reader(path, &r)) != 0)
		goto fail;
	if (!strcmp(cmd, "stats")) {
		rc = cmd_stats(&r, path);
	} else if (!strcmp(cmd, "dump")) {
		rc = each_response(&r, dump_one, NULL);
	} else if (!strcmp(cmd, "get")) {
		rc = cmd_get(&r, issuer, serial, hash);
	} else {
		struct check_arg ca = { 0 };
		int64_t d;

		if ((rc = op_dur_parse(minrem, &d)) == 0) {
			ca.limit = op_time_now() + d;
			rc = each_response(&r, check_one, &ca);
		}
		if (rc == 0) {
			close_reader(&r);
			if (ca.bad) {
				printf("CRITICAL: %zu of %zu responses expire within "
				       "%s\n", ca.bad, ca.total, minrem);
				return 2;
			}
			printf("OK: %zu responses, none expires within %s\n",
			       ca.total, minrem);
			return 0;
		}
	}
	close_reader(&r);
	if (rc == 0)
		return 0;
fail:
	op_log_err("%s %s: %s%s%s", cmd, path, op_strerror(rc),
		   *op_err_detail() ? ": " : "", op_err_detail());
	return rc == OP_E_NOTFOUND ? 1 : 3;
}
