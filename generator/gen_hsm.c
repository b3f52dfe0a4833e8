/*
 * The RSA_METHOD and EC_KEY_METHOD interfaces are deprecated in OpenSSL 3,
 * but they are how a key whose private half lives elsewhere signs through
 * EVP_PKEY_sign() without writing a provider, and what libp11 itself uses.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "gen_hsm.h"
#include "gen_p11rv.h"
#include "gen_p11sess.h"
#include "op_err.h"
#include "op_log.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <p11-kit/pkcs11.h>

#define BACKOFF_CAP_MS 60000

/* One token: where it is, how to log in, a session per signing thread. */
struct tok {
	struct gen_hsm *hsm;
	struct tok *next;
	CK_SLOT_ID slot;
	char label[33];
	int login;		/* the token wants a login */
	char pin[256];
	int n;
	struct gen_p11sess *s;	/* one per signing thread, shared by every
				   signer's key on the token (authorities
				   are signed one after the other) */
};

/* One signer's key on a token, and what happened to it. */
struct key {
	struct tok *t;
	struct key *next;
	char signer[128];
	struct gen_p11_uri u;
	size_t ec_field;	/* EC: octets per coordinate; 0 for RSA */
	unsigned long retries, reopened;	/* atomic */
	int failed;				/* atomic; sticky */
	pthread_mutex_t mu;			/* guards why */
	char why[512];
	int n;
	struct handle *hd;
};

/* One signing thread's handle on a key: what the OpenSSL key points to. */
struct handle {
	struct key *k;
	int w;			/* the thread's session, t->s[w] */
	CK_OBJECT_HANDLE obj;	/* the key, as found in session ... */
	unsigned long gen;	/* ... of this generation (0: none) */
};

struct gen_hsm {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	struct gen_hsm_limits lim;
	RSA_METHOD *rsa;
	EC_KEY_METHOD *ec;
	struct tok *toks;
	struct key *keys;
};

/* ex_data slots that tie an OpenSSL key to its session: process-wide. */
static int rsa_idx = -1, ec_idx = -1;
static pthread_once_t idx_once = PTHREAD_ONCE_INIT;

static void idx_init(void)
{
	rsa_idx = RSA_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ec_idx = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static double mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- sessions ---- */

static void sess_close(struct tok *t, struct gen_p11sess *s)
{
	gen_p11sess_close(t->hsm->f, s);
}

/* Open session s of t, logged in when the token wants it. */
static CK_RV sess_open(struct tok *t, struct gen_p11sess *s, const char **fn)
{
	return gen_p11sess_open(t->hsm->f, t->slot, t->login ? t->pin : NULL,
				s, fn);
}

/* d's key as its thread's session sees it: found again after the session
 * was (re)opened. */
static CK_RV find_key(struct handle *d, struct gen_p11sess *s, const char **fn)
{
	CK_RV rv;

	if (d->gen == s->gen)
		return CKR_OK;
	rv = gen_p11sess_find_key(d->k->t->hsm->f, s, &d->k->u, &d->obj, fn);
	if (rv == CKR_OK)
		d->gen = s->gen;
	return rv;
}

/* Record why k failed for good (the first thread to get here) and make
 * every later signature on k fail at once. */
static void give_up(struct key *k, const char *fn, CK_RV rv, enum gen_p11rv_fault kind,
		    int retries, double seconds)
{
	char buf[32];
	const char *name = gen_p11rv_name(rv, buf, sizeof(buf));

	pthread_mutex_lock(&k->mu);
	if (!k->why[0] && kind == GEN_P11RV_FATAL)
		snprintf(k->why, sizeof(k->why), "signer %s, token '%s': %s "
			 "failed with %s, which no retry mends", k->signer,
			 k->t->label, fn, name);
	else if (!k->why[0])
		snprintf(k->why, sizeof(k->why), "signer %s, token '%s': %s "
			 "failed with %s, still after %d retries over %.1f s "
			 "(sign_retries, sign_retry_backoff)", k->signer,
			 k->t->label, fn, name, retries, seconds);
	pthread_mutex_unlock(&k->mu);
	__atomic_store_n(&k->failed, 1, __ATOMIC_RELEASE);
}

/*
 * One signature with mechanism mech over in, into out (*outlen octets of
 * room in, of signature out), with d's key in its thread's session:
 * retried, the session reopened, as gen_hsm.h says.  0 or -1.
 */
static int sign(struct handle *d, CK_MECHANISM_TYPE mech,
		const unsigned char *in, size_t inlen, unsigned char *out,
		CK_ULONG *outlen)
{
	struct key *k = d->k;
	struct tok *t = k->t;
	struct gen_p11sess *s = &t->s[d->w];
	CK_FUNCTION_LIST_PTR f = t->hsm->f;
	const struct gen_hsm_limits *lim = &t->hsm->lim;
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_ULONG room = *outlen;
	int64_t wait = lim->backoff_ms;
	double t0 = 0;
	char buf[32];

	for (int attempt = 0;; attempt++) {
		const char *fn = "C_SignInit";
		enum gen_p11rv_fault kind;
		CK_RV rv = CKR_OK;

		if (__atomic_load_n(&k->failed, __ATOMIC_ACQUIRE))
			return -1;
		if (!s->open && (rv = sess_open(t, s, &fn)) == CKR_OK && attempt)
			__atomic_add_fetch(&k->reopened, 1, __ATOMIC_RELAXED);
		if (rv == CKR_OK && (rv = find_key(d, s, &fn)) == CKR_OK &&
		    (fn = "C_SignInit",
		     rv = f->C_SignInit(s->h, &m, d->obj)) == CKR_OK) {
			fn = "C_Sign";
			*outlen = room;
			rv = f->C_Sign(s->h, (CK_BYTE_PTR)in, inlen, out, outlen);
		}
		if (rv == CKR_OK)
			return 0;
		if (attempt == 0)
			t0 = mono();
		kind = gen_p11rv_classify(rv);
		if (kind == GEN_P11RV_FATAL || attempt >= lim->retries) {
			give_up(k, fn, rv, kind, attempt, mono() - t0);
			return -1;
		}
		__atomic_add_fetch(&k->retries, 1, __ATOMIC_RELAXED);
		op_debug("signer %s, token '%s': %s failed with %s; retry %d of "
			 "%d in %lld ms%s", k->signer, t->label, fn,
			 gen_p11rv_name(rv, buf, sizeof(buf)), attempt + 1,
			 lim->retries, (long long)wait,
			 kind == GEN_P11RV_LOST || attempt ? " in a new session" : "");
		/* A session that failed twice in a row is not trusted again. */
		if (kind == GEN_P11RV_LOST || attempt > 0)
			sess_close(t, s);
		sleep_ms(wait);
		wait = wait * 2 > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : wait * 2;
	}
}

/* ---- the key methods ---- */

static int rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to,
			RSA *rsa, int padding)
{
	struct handle *d = RSA_get_ex_data(rsa, rsa_idx);
	CK_ULONG len = (CK_ULONG)RSA_size(rsa);

	/* OpenSSL hands over the DigestInfo; CKM_RSA_PKCS pads it. */
	if (!d || padding != RSA_PKCS1_PADDING || flen < 0 ||
	    sign(d, CKM_RSA_PKCS, from, (size_t)flen, to, &len) != 0)
		return -1;
	return (int)len;
}

static ECDSA_SIG *ec_sign_sig(const unsigned char *dgst, int dlen,
			      const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
	struct handle *d = EC_KEY_get_ex_data(ec, ec_idx);
	unsigned char raw[2 * 66];	/* r || s, P-521 at most */
	CK_ULONG len = sizeof(raw);
	ECDSA_SIG *sig;
	BIGNUM *br, *bs;

	(void)kinv;
	(void)r;
	if (!d || dlen < 0 || sign(d, CKM_ECDSA, dgst, (size_t)dlen, raw, &len) != 0 ||
	    len != 2 * d->k->ec_field)
		return NULL;
	sig = ECDSA_SIG_new();
	br = BN_bin2bn(raw, (int)(len / 2), NULL);
	bs = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	if (!sig || !br || !bs || ECDSA_SIG_set0(sig, br, bs) != 1) {
		ECDSA_SIG_free(sig);
		BN_free(br);
		BN_free(bs);
		return NULL;
	}
	return sig;
}

static int methods(struct gen_hsm *h)
{
	int (*ec_sign)(int, const unsigned char *, int, unsigned char *,
		       unsigned int *, const BIGNUM *, const BIGNUM *, EC_KEY *);
	int (*ec_setup)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **);

	pthread_once(&idx_once, idx_init);
	if (rsa_idx < 0 || ec_idx < 0 ||
	    !(h->rsa = RSA_meth_dup(RSA_PKCS1_OpenSSL())) ||
	    RSA_meth_set1_name(h->rsa, "ocsp-gen PKCS#11 session") != 1 ||
	    RSA_meth_set_priv_enc(h->rsa, rsa_priv_enc) != 1 ||
	    !(h->ec = EC_KEY_METHOD_new(EC_KEY_OpenSSL())))
		return OP_E_NOMEM;
	/* OpenSSL's own ECDSA_sign() encodes what sign_sig returns. */
	EC_KEY_METHOD_get_sign(EC_KEY_OpenSSL(), &ec_sign, &ec_setup, NULL);
	EC_KEY_METHOD_set_sign(h->ec, ec_sign, ec_setup, ec_sign_sig);
	return 0;
}

int gen_hsm_open(const char *path, const struct gen_hsm_limits *lim,
		 struct gen_hsm **out)
{
	struct gen_hsm *h = calloc(1, sizeof(*h));
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	int rc;

	*out = NULL;
	if (!h)
		return OP_E_NOMEM;
	h->lim = *lim;
	if (!(h->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		rc = op_err_set(OP_E_PKCS11, "PKCS#11 module %s: %s", path, dlerror());
		goto err;
	}
	*(void **)&get = dlsym(h->dl, "C_GetFunctionList");
	if (!get || get(&h->f) != CKR_OK) {
		rc = op_err_set(OP_E_PKCS11, "PKCS#11 module %s: no function "
				"list", path);
		goto err;
	}
	if ((rc = methods(h)) != 0)
		goto err;
	*out = h;
	return 0;
err:
	gen_hsm_close(h);
	return rc;
}

void gen_hsm_close(struct gen_hsm *h)
{
	if (!h)
		return;
	while (h->keys) {
		struct key *k = h->keys;

		h->keys = k->next;
		pthread_mutex_destroy(&k->mu);
		free(k->hd);
		free(k);
	}
	while (h->toks) {
		struct tok *t = h->toks;

		h->toks = t->next;
		for (int i = 0; i < t->n; i++)
			sess_close(t, &t->s[i]);
		free(t->s);
		OPENSSL_cleanse(t->pin, sizeof(t->pin));
		free(t);
	}
	RSA_meth_free(h->rsa);
	EC_KEY_METHOD_free(h->ec);
	if (h->dl)
		dlclose(h->dl);
	free(h);
}

/* The token u names with n sessions open, shared with the signers before
 * on it; a token that cannot give the sessions still needed is refused. */
static int token(struct gen_hsm *h, const char *signer,
		 const struct gen_p11_uri *u, const char *pin, int n,
		 struct tok **out)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slot = 0;
	struct tok *t;
	struct gen_p11sess *v;
	const char *fn;
	char buf[32];
	int rc;
	CK_RV rv;

	if ((rc = gen_p11sess_slot(h->f, signer, u, &slot, &ti)) != 0)
		return rc;
	for (t = h->toks; t && t->slot != slot; t = t->next)
		;
	if (!t) {
		if (!(t = calloc(1, sizeof(*t))))
			return OP_E_NOMEM;
		t->hsm = h;
		t->slot = slot;
		t->login = (ti.flags & CKF_LOGIN_REQUIRED) != 0;
		snprintf(t->pin, sizeof(t->pin), "%s", pin ? pin : "");
		snprintf(t->label, sizeof(t->label), "%.32s", (const char *)ti.label);
		for (size_t e = strlen(t->label); e > 0 && t->label[e - 1] == ' ';)
			t->label[--e] = '\0';
		t->next = h->toks;
		h->toks = t;
	}
	*out = t;
	op_debug("signer %s: %d signing sessions; token '%s' has %lu open, "
		 "limit %lu (0: none)%s", signer, n, t->label,
		 (unsigned long)ti.ulSessionCount,
		 (unsigned long)ti.ulMaxSessionCount,
		 n <= t->n ? ", shared with the signers before" : "");
	if (n <= t->n)
		return 0;
	if ((rc = gen_p11sess_room(signer, t->label, ti.ulMaxSessionCount,
				   ti.ulSessionCount, n - t->n)) != 0)
		return rc;
	if (!(v = realloc(t->s, (size_t)n * sizeof(*v))))
		return OP_E_NOMEM;
	t->s = v;
	memset(v + t->n, 0, (size_t)(n - t->n) * sizeof(*v));
	/* Opened now, so a token that cannot stops the run before it signs
	 * anything. */
	for (; t->n < n; t->n++)
		if ((rv = sess_open(t, &t->s[t->n], &fn)) != CKR_OK)
			return op_err_set(OP_E_PKCS11, "signer %s, token '%s': %s "
					  "failed with %s", signer, t->label, fn,
					  gen_p11rv_name(rv, buf, sizeof(buf)));
	return 0;
}

/* A public-only copy of pub whose private operations go through d. */
static int handle(struct gen_hsm *h, EVP_PKEY *pub, struct handle *d,
		  EVP_PKEY **out)
{
	EVP_PKEY *pk = EVP_PKEY_new();
	int rc = OP_E_CRYPTO;

	if (!pk)
		return OP_E_NOMEM;
	if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
		const RSA *src = EVP_PKEY_get0_RSA(pub);
		const BIGNUM *n = NULL, *e = NULL;
		RSA *r = RSA_new();
		BIGNUM *n2 = NULL, *e2 = NULL;

		if (src)
			RSA_get0_key(src, &n, &e, NULL);
		if (!r || !n || !e || RSA_set_method(r, h->rsa) != 1 ||
		    !(n2 = BN_dup(n)) || !(e2 = BN_dup(e)) ||
		    RSA_set0_key(r, n2, e2, NULL) != 1) {
			BN_free(n2);
			BN_free(e2);
			RSA_free(r);
			goto err;
		}
		/* r owns n2 and e2 now. */
		if (RSA_set_ex_data(r, rsa_idx, d) != 1 ||
		    EVP_PKEY_assign_RSA(pk, r) != 1) {
			RSA_free(r);
			goto err;
		}
	} else if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC) {
		const EC_KEY *src = EVP_PKEY_get0_EC_KEY(pub);
		EC_KEY *ec = EC_KEY_new();

		if (!src || !ec || EC_KEY_set_method(ec, h->ec) != 1 ||
		    EC_KEY_set_group(ec, EC_KEY_get0_group(src)) != 1 ||
		    EC_KEY_set_public_key(ec, EC_KEY_get0_public_key(src)) != 1 ||
		    EC_KEY_set_ex_data(ec, ec_idx, d) != 1 ||
		    EVP_PKEY_assign_EC_KEY(pk, ec) != 1) {
			EC_KEY_free(ec);
			goto err;
		}
		d->k->ec_field = ((size_t)EC_GROUP_get_degree(EC_KEY_get0_group(src)) + 7) / 8;
	} else {
		rc = op_err_set(OP_E_SIGNER, "%s key: only RSA and EC keys sign "
				"responses", OBJ_nid2sn(EVP_PKEY_get_base_id(pub)));
		goto err;
	}
	*out = pk;
	return 0;
err:
	EVP_PKEY_free(pk);
	return rc == OP_E_CRYPTO ? op_err_ssl(rc, "a handle on the key") : rc;
}

int gen_hsm_keys(struct gen_hsm *h, const char *signer,
		 const struct gen_p11_uri *u, const char *pin, EVP_PKEY *pub,
		 int n, EVP_PKEY **keys)
{
	struct key *k = calloc(1, sizeof(*k));
	const char *fn;
	char buf[32];
	int rc = 0;

	memset(keys, 0, (size_t)n * sizeof(*keys));
	if (!k || !(k->hd = calloc((size_t)n, sizeof(*k->hd)))) {
		free(k);
		return OP_E_NOMEM;
	}
	pthread_mutex_init(&k->mu, NULL);
	k->n = n;
	k->u = *u;
	snprintf(k->signer, sizeof(k->signer), "%s", signer);
	k->next = h->keys;
	h->keys = k;		/* freed with h, whatever happens here */
	if ((rc = token(h, signer, u, pin, n, &k->t)) != 0)
		goto err;
	for (int i = 0; i < n; i++) {
		CK_RV rv;

		k->hd[i].k = k;
		k->hd[i].w = i;
		if ((rc = handle(h, pub, &k->hd[i], &keys[i])) != 0)
			goto err;
		if ((rv = find_key(&k->hd[i], &k->t->s[i], &fn)) != CKR_OK) {
			rc = op_err_set(OP_E_PKCS11, "signer %s, token '%s': %s "
					"failed with %s", signer, k->t->label, fn,
					gen_p11rv_name(rv, buf, sizeof(buf)));
			goto err;
		}
	}
	return 0;
err:
	for (int i = 0; i < n; i++) {
		EVP_PKEY_free(keys[i]);
		keys[i] = NULL;
	}
	return rc;
}

/* The handle behind key, if it is one of ours. */
static struct handle *handle_of(EVP_PKEY *key)
{
	pthread_once(&idx_once, idx_init);
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
		const RSA *r = EVP_PKEY_get0_RSA(key);

		return r ? RSA_get_ex_data(r, rsa_idx) : NULL;
	}
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
		const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(key);

		return ec ? EC_KEY_get_ex_data(ec, ec_idx) : NULL;
	}
	return NULL;
}

int gen_hsm_key_stats(EVP_PKEY *key, struct gen_hsm_stats *st, char *why,
		      size_t whysize)
{
	struct handle *d = key ? handle_of(key) : NULL;

	memset(st, 0, sizeof(*st));
	if (why && whysize)
		why[0] = '\0';
	if (!d)
		return 0;
	st->retries = __atomic_load_n(&d->k->retries, __ATOMIC_RELAXED);
	st->reopened = __atomic_load_n(&d->k->reopened, __ATOMIC_RELAXED);
	if (why && whysize && __atomic_load_n(&d->k->failed, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&d->k->mu);
		snprintf(why, whysize, "%s", d->k->why);
		pthread_mutex_unlock(&d->k->mu);
	}
	return 1;
}
