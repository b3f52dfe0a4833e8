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
#include "db_verify.h"
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
	      "       ocsp-db get FILE --issuer CA.pem --serial HEX [--hash sha1|sha256|sha384|sha512]\n"
	      "       ocsp-db check FILE --min-remaining DURATION\n"
	      "       ocsp-db verify FILE [--issuer CERT.pem ...] [--allow-expired]\n"
	      "       ocsp-db --version\n"
	      "\n"
	      "get writes the DER response to standard output (for stapling).\n"
	      "check exits 2 and names each response whose nextUpdate is nearer\n"
	      "than DURATION (e.g. 1d), for Nagios-style monitoring.\n"
	      "verify checks every response (DER, key, header, ETag, signature,\n"
	      "validity); exits 2 and names each bad one.\n", f);
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
	printf("file       %s\nformat     %s\ngenerated  %s\n", path,
	       r->db.format == 2 ? OP_DB_FORMAT_2 : OP_DB_FORMAT, t1);
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
		       op_rec_reason_name(rec->reason), t1, t2, op_rec_served_len(rec), etag);
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

/* The DER a client is served for rec (what the server writes), in *buf
 * of *cap octets, grown as needed (owned by the caller). */
static int served(const struct op_rec *rec, uint8_t **buf, size_t *cap,
		  size_t *len)
{
	uint8_t *p;

	*len = op_rec_served_len(rec);
	if (*len > *cap) {
		if (!(p = realloc(*buf, *len)))
			return OP_E_NOMEM;
		*buf = p;
		*cap = *len;
	}
	op_rec_emit(rec, *buf);
	return 0;
}

static int cmd_get(struct reader *r, const char *issuer, const char *serial,
		   const char *hash)
{
	uint8_t s[OP_SERIAL_MAX], key[OP_KEY_MAX];
	size_t slen, klen;
	X509 *ca;
	struct op_rec rec;
	uint8_t *der = NULL;
	size_t cap = 0, len;
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
	if ((rc = served(&rec, &der, &cap, &len)) != 0)
		return rc;
	if (fwrite(der, 1, len, stdout) != len || fflush(stdout) != 0)
		rc = op_err_set(OP_E_SYS, "writing standard output");
	free(der);
	return rc;
}

#define MAX_CERT_FILES 32

struct opts {
	const char *issuer[MAX_CERT_FILES];	/* --issuer, in order given */
	size_t nissuer;
	const char *serial, *hash, *minrem;
	int allow_expired;
};

/* Exit status of check and verify: 0 all good, 2 some bad (Nagios). */
static int cmd_check(struct reader *r, const struct opts *o, int *verdict)
{
	struct check_arg ca = { 0 };
	int64_t d;
	int rc;

	if ((rc = op_time_dur_parse(o->minrem, &d)) != 0)
		return rc;
	ca.limit = op_time_now() + d;
	if ((rc = each_response(r, check_one, &ca)) != 0)
		return rc;
	if (ca.bad)
		printf("CRITICAL: %zu of %zu responses expire within %s\n",
		       ca.bad, ca.total, o->minrem);
	else
		printf("OK: %zu responses, none expires within %s\n", ca.total,
		       o->minrem);
	*verdict = ca.bad ? 2 : 0;
	return 0;
}

static int load_certs(const struct opts *o, STACK_OF(X509) **out)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	int rc = 0;

	if (!sk)
		return OP_E_NOMEM;
	for (size_t i = 0; i < o->nissuer && rc == 0; i++)
		rc = op_cert_load_all(o->issuer[i], sk);
	if (rc) {
		sk_X509_pop_free(sk, X509_free);
		return rc;
	}
	*out = sk;
	return 0;
}

static void progress(size_t done, size_t all, int last)
{
	fprintf(stderr, "\rverify: %zu of about %zu responses%s", done, all,
		last ? "\n" : "");
}

static void bad_line(struct reader *r, const MDB_val *k, const char *why)
{
	char d[256];

	describe(r, k, d, sizeof(d));
	printf("BAD: %s: %s\n", d, why);
}

/* Walk every response through db_verify; one line per bad one. */
static int verify_all(struct reader *r, struct db_verifier *v, size_t *total,
		      size_t *bad)
{
	int tty = isatty(STDERR_FILENO), rc;
	struct op_walk w;
	MDB_stat ms;
	uint8_t *der = NULL;
	size_t cap = 0, len;

	if (mdb_stat(r->txn, r->db.dbi, &ms) != 0)
		ms.ms_entries = 0;
	if ((rc = op_walk_begin(&w, r->txn, r->db.dbi, OP_WALK_RESPONSES)) != 0)
		return rc;
	while ((rc = op_walk_next(&w)) != 0) {
		if (rc == OP_E_DB)
			break;
		(*total)++;
		if (rc == OP_E_FORMAT) {
			bad_line(r, &w.key, "the record does not decode");
			(*bad)++;
		} else if ((rc = served(&w.rec, &der, &cap, &len)) != 0) {
			break;
		} else if (db_verify_response(v, w.key.mv_data, w.key.mv_size,
					      &w.rec, der, len)) {
			bad_line(r, &w.key, op_err_detail());
			(*bad)++;
		}
		if (tty && *total % 4096 == 0)
			progress(*total, ms.ms_entries, 0);
	}
	op_walk_end(&w);
	free(der);
	if (tty)
		progress(*total, *total, 1);
	return rc;
}

static int cmd_verify(struct reader *r, const char *path, const struct opts *o,
		      int *verdict)
{
	STACK_OF(X509) *certs = NULL;
	struct db_verifier *v = NULL;
	size_t total = 0, bad = 0;
	int rc;

	if ((rc = load_certs(o, &certs)) != 0 ||
	    (rc = db_verify_new(certs, op_time_now(), o->allow_expired, &v)) != 0)
		goto out;
	db_verify_set_format(v, r->db.format);
	rc = verify_all(r, v, &total, &bad);
	if (rc == OP_E_DB) {
		/* A file LMDB cannot walk is a bad file, not a failed tool. */
		printf("BAD: %s: %s after %zu responses\n", path, op_err_detail(),
		       total);
		bad++;
		rc = 0;
	}
	if (rc)
		goto out;
	if (db_verify_unanchored(v))
		op_warn("delegated responders of %zu issuer key(s) checked by "
			"signature only: give the issuer's certificate with "
			"--issuer to check that it authorised them",
			db_verify_unanchored(v));
	if (bad)
		printf("BAD: %zu of %zu responses failed verification\n", bad, total);
	else
		printf("OK: %zu responses verified\n", total);
	*verdict = bad ? 2 : 0;
out:
	db_verify_free(v);
	sk_X509_pop_free(certs, X509_free);
	return rc;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "serial", required_argument, NULL, 's' },
		{ "hash", required_argument, NULL, 'H' },
		{ "min-remaining", required_argument, NULL, 'm' },
		{ "allow-expired", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->hash = "sha1";
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->nissuer == MAX_CERT_FILES)
				return 64;
			o->issuer[o->nissuer++] = optarg;
			break;
		case 's': o->serial = optarg; break;
		case 'H': o->hash = optarg; break;
		case 'm': o->minrem = optarg; break;
		case 'x': o->allow_expired = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': return op_version_print(stdout, "ocsp-db") ? 1 : 0;
		default: return 64;
		}
	}
	return argc - optind == 2 ? -1 : 64;
}

int main(int argc, char **argv)
{
	const char *cmd, *path;
	struct opts o;
	struct reader r;
	int rc, verdict = 0;

	op_log_init("ocsp-db", OP_LOG_INFO);
	if (op_time_init() != 0) {
		op_log_err("%s", op_err_detail());
		return 1;
	}
	if ((rc = parse_args(argc, argv, &o)) >= 0) {
		if (rc == 64)
			usage(stderr);
		return rc;
	}
	cmd = argv[optind];
	path = argv[optind + 1];
	if ((strcmp(cmd, "stats") && strcmp(cmd, "dump") && strcmp(cmd, "get") &&
	     strcmp(cmd, "check") && strcmp(cmd, "verify")) ||
	    (!strcmp(cmd, "get") && (!o.nissuer || !o.serial)) ||
	    (!strcmp(cmd, "check") && !o.minrem)) {
		usage(stderr);
		return 64;
	}
	if ((rc = open_reader(path, &r)) != 0)
		goto fail;
	if (!strcmp(cmd, "stats"))
		rc = cmd_stats(&r, path);
	else if (!strcmp(cmd, "dump"))
		rc = each_response(&r, dump_one, NULL);
	else if (!strcmp(cmd, "get"))
		rc = cmd_get(&r, o.issuer[o.nissuer - 1], o.serial, o.hash);
	else if (!strcmp(cmd, "check"))
		rc = cmd_check(&r, &o, &verdict);
	else
		rc = cmd_verify(&r, path, &o, &verdict);
	close_reader(&r);
	if (rc == 0)
		return verdict;
fail:
	op_log_err("%s %s: %s%s%s", cmd, path, op_err_str(rc),
		   *op_err_detail() ? ": " : "", op_err_detail());
	return rc == OP_E_NOTFOUND ? 1 : 3;
}
