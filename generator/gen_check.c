#include "gen_check.h"
#include "gen_auth.h"
#include "gen_plan.h"
#include "gen_work.h"
#include "gen_resp.h"
#include "gen_signer.h"
#include "op_cert.h"
#include "op_db.h"
#include "op_err.h"
#include "op_file.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>

#define MAX_WARNINGS 16
#define DAY 86400

/* The warnings a run would print, gathered for the report instead. */
struct warnings {
	char line[MAX_WARNINGS][512];
	size_t n, dropped;
};

static int collect(enum op_log_level level, const char *line, void *arg)
{
	struct warnings *w = arg;

	if (level != OP_LOG_WARN)
		return 0;
	if (w->n < MAX_WARNINGS)
		snprintf(w->line[w->n++], sizeof(w->line[0]), "%s", line);
	else
		w->dropped++;
	return 1;
}

/* "2026-12-01T00:00:00Z (in 9 days)" */
static const char *when(int64_t t, int64_t now, char *buf, size_t size)
{
	char iso[32];
	int64_t days = (t - now) / DAY;

	op_time_iso(t, iso, sizeof(iso));
	if (t >= now)
		snprintf(buf, size, "%s (in %lld day%s)", iso, (long long)days,
			 days == 1 ? "" : "s");
	else
		snprintf(buf, size, "%s (%lld days ago)", iso, (long long)-days);
	return buf;
}

/* The certificate of a's chosen signer, loaded again (the run keeps only
 * what signing needs); *out is the caller's. */
static int chosen_cert(const struct gen_auth *a, X509 **out)
{
	for (size_t i = 0; i < a->c->nsigners; i++)
		if (strcmp(a->c->signers[i].name, a->signer_name) == 0)
			return op_cert_load(a->c->signers[i].cert, out);
	return op_err_set(OP_E_SIGNER, "signer %s vanished", a->signer_name);
}

/* Sign one response for a's first serial (or serial 01 when it has none)
 * as a run does, and verify it with the signer's certificate. */
static int test_sign(const struct gen_conf *conf, const struct gen_auth *a,
		     int64_t now, char *what, size_t size)
{
	static const uint8_t one = 1;
	const struct gen_entry *e = a->entries.n ? &a->entries.v[0] : NULL;
	struct gen_resp_in in = {
		.hash = conf->hashes[0], .serial = e ? e->serial : &one,
		.serial_len = e ? e->serial_len : 1,
		.status = e ? e->status : OP_STATUS_GOOD,
		.reason = e ? e->reason : OP_REASON_NONE,
		.rev_time = e && e->rev_time ? e->rev_time : now,
		.produced_at = now, .this_update = now,
		.next_update = now + a->c->validity,
	};
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t der_len = 0;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	STACK_OF(X509) *certs = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	X509 *cert = NULL;
	char hex[65] = "";
	int rc;

	if (!certs || !store) {
		rc = OP_E_NOMEM;
		goto out;
	}
	if ((rc = chosen_cert(a, &cert)) != 0 ||
	    (rc = gen_resp_make(a->rs, 0, &in, &der, &der_len)) != 0)
		goto out;
	p = der;
	/* The signer's certificate is given, so a response without it
	 * (include_signer_cert = no) is checked too; NOVERIFY: the chain
	 * was judged when the signer was chosen. */
	if (!(resp = d2i_OCSP_RESPONSE(NULL, &p, (long)der_len)) ||
	    !(bs = OCSP_response_get1_basic(resp)) ||
	    !sk_X509_push(certs, cert) ||
	    OCSP_basic_verify(bs, certs, store, OCSP_NOVERIFY) != 1) {
		rc = op_err_ssl(OP_E_CRYPTO, "signer %s: the test response's "
				"signature does not verify", a->signer_name);
		goto out;
	}
	for (size_t i = 0; i < in.serial_len && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02X", in.serial[i]);
	snprintf(what, size, "signed with the key and verified (serial %s, "
		 "%s, %s CertID, %zu bytes)", hex, in.status == OP_STATUS_REVOKED ?
		 "revoked" : "good", op_hash_name(in.hash), der_len);
out:
	sk_X509_free(certs);
	X509_free(cert);
	X509_STORE_free(store);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	OPENSSL_free(der);
	return rc;
}

/* Why the signer sections other than the chosen one were not taken. */
/* CRL numbers (base, and the delta applied over it) and nextUpdate. */
static void report_crl(const struct gen_auth *a, int64_t now, FILE *out)
{
	const struct gen_crlmark *m = &a->crls.mark;
	char b[80], d[80], t[80];

	fprintf(out, "  CRL:          number %s", m->has_base ?
		gen_crl_num_str(&m->base, b, sizeof(b)) : "(none)");
	if (m->has_delta)
		fprintf(out, ", delta %s", gen_crl_num_str(&m->delta, d, sizeof(d)));
	if (a->crl_next)
		fprintf(out, "; nextUpdate %s\n", when(a->crl_next, now, t, sizeof(t)));
	else
		fprintf(out, "; no nextUpdate\n");
}

static void report_others(const struct gen_auth *a, int64_t now, FILE *out)
{
	char why[256];

	for (size_t i = 0; i < a->c->nsigners; i++)
		if (gen_auth_why_not(a, i, now, why, sizeof(why)) == 0)
			fprintf(out, "  not chosen:   %s: %s\n",
				a->c->signers[i].name, why);
}

static void report_ready(const struct gen_conf *conf, const struct gen_auth *a,
			 int64_t now, const char *tested, FILE *out)
{
	size_t revoked = 0;
	char t[80];

	for (size_t i = 0; i < a->entries.n; i++)
		revoked += a->entries.v[i].status == OP_STATUS_REVOKED;
	fprintf(out, "  CA:           %s\n", a->subject);
	fprintf(out, "  serials:      %zu (%zu revoked): %zu responses with %zu "
		"CertID hash%s\n", a->entries.n, revoked, a->entries.n *
		conf->nhashes, conf->nhashes, conf->nhashes == 1 ? "" : "es");
	report_crl(a, now, out);
	fprintf(out, "  signer:       %s, the newest usable; expires %s\n",
		a->signer_name, when(a->signer_not_after, now, t, sizeof(t)));
	report_others(a, now, out);
	fprintf(out, "  test response: %s\n", tested);
}

/* The output directory must take new files; the published file, if any,
 * is described (a run replaces it whatever it holds). */
static int check_output(const char *output, FILE *out)
{
	char dir[PATH_MAX], t[80];
	struct op_db db;
	int rc;

	if ((rc = op_file_dir(output, dir, sizeof(dir))) != 0)
		return rc;
	fprintf(out, "output %s\n", output);
	if (access(dir, W_OK | X_OK) != 0)
		return op_err_set(OP_E_SYS, "%s: directory %s: %s", output, dir,
				  strerror(errno));
	if ((rc = op_db_open(output, &db)) == 0) {
		op_time_iso(db.generated, t, sizeof(t));
		fprintf(out, "  published:    generation %lld, %s\n",
			(long long)db.generation, t);
		op_db_close(&db);
	} else if (rc == ENOENT) {
		fprintf(out, "  published:    not yet (the first run creates it)\n");
	} else {
		fprintf(out, "  published:    unreadable (%s); the next run "
			"replaces it\n", op_err_str(rc));
	}
	op_err_clear();
	return 0;
}

/* A CA that signs its own responses needs its key at every run; a
 * delegate keeps it offline and works with every client tested. */
static void warn_ca_signs(const struct gen_auth *a, struct warnings *w)
{
	X509 *cert = NULL;

	if (chosen_cert(a, &cert) == 0 && X509_cmp(cert, a->ca) == 0 &&
	    w->n < MAX_WARNINGS)
		snprintf(w->line[w->n++], sizeof(w->line[0]), "%s: signer %s is "
			 "the CA's own key, which must then be online for every "
			 "run; a delegated OCSP signer (ocsp-gen --csr) keeps it "
			 "offline", a->c->name, a->signer_name);
	op_err_clear();
	X509_free(cert);
}

/* Prepare, test and report one authority; its error is a run's. */
static int check_auth(const struct gen_conf *conf, const struct gen_auth_conf *c,
		      struct gen_keystore *ks, const struct gen_hist *h,
		      int64_t now, FILE *out)
{
	struct gen_auth_in in = { .hist = h, .now = now,
				  .validity = c->validity, .workers = 1 };
	struct warnings w = { 0 };
	struct gen_auth a;
	char tested[256];
	int rc;

	op_log_set_hook(collect, &w);
	rc = gen_auth_prepare(&a, c, ks, &in);
	op_log_set_hook(NULL, NULL);
	if (rc == 0 && (rc = test_sign(conf, &a, now, tested, sizeof(tested))) != 0)
		rc = op_err_prefix(rc, "authority %s", c->name);
	if (rc == 0)
		warn_ca_signs(&a, &w);
	fprintf(out, "%s: %s\n", c->name, rc ? "NOT READY" : "ready");
	if (rc)
		fprintf(out, "  error:        %s\n", *op_err_detail() ?
			op_err_detail() : op_err_str(rc));
	else
		report_ready(conf, &a, now, tested, out);
	for (size_t i = 0; i < w.n; i++)
		fprintf(out, "  warning:      %s\n", w.line[i]);
	if (w.dropped)
		fprintf(out, "  warning:      ... and %zu more\n", w.dropped);
	if (rc == 0)
		gen_auth_free(&a);
	return rc;
}

/* The first error of the report is the one --check returns. */
static void first_error(int rc, int *first_rc, char *first, size_t size)
{
	if (!rc || *first_rc)
		return;
	*first_rc = rc;
	snprintf(first, size, "%s", *op_err_detail() ? op_err_detail() :
		 op_err_str(rc));
}

/* One output of the plan: its history opened read-only, as the run that
 * follows would read it, then its authorities and the file itself. */
static void check_group(const struct gen_conf *conf, const struct gen_plan *p,
			size_t k, struct gen_keystore *ks, int64_t now,
			FILE *out, int *first_rc, char *first, size_t size)
{
	struct gen_work w;
	struct gen_hist h = { NULL, 0, p->outputs[k] };
	int rc = gen_work_lock_ro(&w, p->outputs[k]), busy = rc == OP_E_LOCKED;

	if (busy)
		fprintf(out, "output %s: a run holds its lock; its history is "
			"read from the published file\n", p->outputs[k]);
	if ((rc && !busy) || (rc = gen_work_open_ro(&w)) != 0) {
		fprintf(out, "output %s: NOT READY\n  error:        %s\n",
			p->outputs[k], op_err_detail());
		first_error(rc, first_rc, first, size);
		gen_work_close(&w);
		return;
	}
	h.txn = w.txn;
	h.dbi = w.dbi;
	h.name = w.hist;
	for (size_t i = p->group[k]; i < p->group[k + 1]; i++)
		first_error(check_auth(conf, p->auths[i], ks, &h, now, out),
			    first_rc, first, size);
	gen_work_close(&w);
	first_error(check_output(p->outputs[k], out), first_rc, first, size);
}

int gen_check(const struct gen_conf *conf, const char *only_ca, FILE *out)
{
	struct gen_keystore *ks = NULL;
	struct gen_plan p;
	char first[1024] = "";
	int64_t now = op_time_now();
	int rc, first_rc = 0;

	if ((rc = gen_plan_make(conf, only_ca, &p)) != 0 ||
	    (rc = gen_keystore_open(conf->pkcs11_module, &ks)) != 0) {
		gen_plan_free(&p);
		return rc;
	}
	for (size_t k = 0; k < p.nout; k++)
		check_group(conf, &p, k, ks, now, out, &first_rc, first,
			    sizeof(first));
	gen_keystore_close(ks);
	gen_plan_free(&p);
	fprintf(out, "%s\n", first_rc ? "NOT READY: a run would fail now" :
		"ready: a run would succeed now");
	fflush(out);
	return first_rc ? op_err_set(first_rc, "%s", first) : 0;
}
