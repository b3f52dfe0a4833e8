/*
 * libp11fault: a PKCS#11 module for tests that forwards every call to a
 * real module (SoftHSM by default) and fails chosen calls, as a network
 * HSM does when it drops sessions, times out or fails over.
 *
 * C_GetFunctionList hands out a copy of the real module's function list
 * with C_OpenSession, C_Login, C_SignInit and C_Sign wrapped (and the
 * session calls a signer makes, for the lock below); every other entry is
 * the real one.  Driven by the environment, read once:
 *
 *   P11FAULT_MODULE    the real module (/usr/lib/softhsm/libsofthsm2.so)
 *   P11FAULT           rules separated by ';', each FUNC:ERROR:WHEN[:OPT]...
 *                        FUNC   C_Sign | C_SignInit | C_OpenSession | C_Login
 *                        ERROR  CKR_DEVICE_ERROR | CKR_SESSION_HANDLE_INVALID |
 *                               CKR_SESSION_CLOSED | CKR_USER_NOT_LOGGED_IN |
 *                               CKR_DEVICE_REMOVED (the CKR_ prefix optional)
 *                        WHEN   every=N (each Nth call), at=N (the Nth call;
 *                               with count=K the K calls from it), from=N
 *                               (every call from the Nth on: a fault that
 *                               persists)
 *                        after=N  count FUNC's calls only once C_Sign has
 *                               been called N times (a fault mid-run)
 *   P11FAULT_SIGN_DELAY_US  microseconds added to every C_Sign (the round
 *                      trip to a network HSM)
 *   P11FAULT_LOG       a file that gets one line per injected fault
 *
 * Calls are counted per function from 1, over all threads; a C_Sign that
 * only asks for the signature's length is forwarded and not counted.
 * The fault's consequence is made real in the real module, so a client
 * that merely retries the same handle fails again: a session error
 * closes the session, CKR_USER_NOT_LOGGED_IN logs the application out,
 * CKR_DEVICE_REMOVED closes every session of the slot (which logs out
 * too); a failed C_Sign ends the signing operation, as PKCS#11 says.
 * SoftHSM frees a session's state under a call in flight on it in another
 * thread, so the calls a signer makes while signing run under a shared
 * lock and a consequence under the exclusive one: to the other threads
 * the fault happens between two of their calls, as a failover does.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <p11-kit/pkcs11.h>

#define DEFAULT_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define MAX_RULES 8

enum func { F_SIGN, F_SIGNINIT, F_OPENSESSION, F_LOGIN, F_N };
static const char *const func_name[F_N] = {
	"C_Sign", "C_SignInit", "C_OpenSession", "C_Login"
};

static const struct {
	const char *name;
	CK_RV rv;
} errors[] = {
	{ "CKR_DEVICE_ERROR", CKR_DEVICE_ERROR },
	{ "CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID },
	{ "CKR_SESSION_CLOSED", CKR_SESSION_CLOSED },
	{ "CKR_USER_NOT_LOGGED_IN", CKR_USER_NOT_LOGGED_IN },
	{ "CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED },
};

enum when { W_EVERY, W_AT, W_FROM };

struct rule {
	enum func func;
	CK_RV rv;
	const char *rv_name;
	enum when when;
	unsigned long n, count, after;
	unsigned long calls;	/* counted calls, atomically */
};

static struct rule rules[MAX_RULES];
static int nrules;
static unsigned long sign_calls;	/* C_Sign calls, atomically */
static long sign_delay_us;
static int log_fd = -1;
static void *real_handle;
static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST ours;
static CK_RV load_rv = CKR_GENERAL_ERROR;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_rwlock_t gate = PTHREAD_RWLOCK_INITIALIZER;

#define SHARED(call) do { \
		CK_RV rv_; \
		pthread_rwlock_rdlock(&gate); \
		rv_ = (call); \
		pthread_rwlock_unlock(&gate); \
		return rv_; \
	} while (0)

static int parse_func(const char *s, size_t n, enum func *f)
{
	for (int i = 0; i < F_N; i++)
		if (strlen(func_name[i]) == n && memcmp(s, func_name[i], n) == 0) {
			*f = (enum func)i;
			return 0;
		}
	return -1;
}

static int parse_error(const char *s, size_t n, struct rule *r)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		const char *name = errors[i].name;

		if ((strlen(name) == n && memcmp(s, name, n) == 0) ||
		    (strlen(name) - 4 == n && memcmp(s, name + 4, n) == 0)) {
			r->rv = errors[i].rv;
			r->rv_name = name;
			return 0;
		}
	}
	return -1;
}

/* "key=N" at s (n octets) into the rule. */
static int parse_opt(const char *s, size_t n, struct rule *r, int *has_when)
{
	static const char *const keys[] = { "every", "at", "from", "count", "after" };
	const char *eq = memchr(s, '=', n);
	char num[32], *end;
	unsigned long v;
	size_t k;

	if (!eq || (size_t)(s + n - eq - 1) >= sizeof(num) || eq + 1 == s + n)
		return -1;
	memcpy(num, eq + 1, (size_t)(s + n - eq - 1));
	num[s + n - eq - 1] = '\0';
	v = strtoul(num, &end, 10);
	if (*end)
		return -1;
	for (k = 0; k < 5; k++)
		if (strlen(keys[k]) == (size_t)(eq - s) &&
		    memcmp(s, keys[k], (size_t)(eq - s)) == 0)
			break;
	if (k < 3) {
		if (v == 0 || (*has_when)++)
			return -1;
		r->when = (enum when)k;
		r->n = v;
	} else if (k == 3) {
		r->count = v;
	} else if (k == 4) {
		r->after = v;
	} else {
		return -1;
	}
	return 0;
}

/* One rule, "FUNC:ERROR:WHEN[:OPT]...", s n octets long. */
static int parse_rule(const char *s, size_t n, struct rule *r)
{
	const char *end = s + n;
	int field = 0, has_when = 0;

	memset(r, 0, sizeof(*r));
	r->count = 1;
	while (s < end) {
		const char *colon = memchr(s, ':', (size_t)(end - s));
		size_t len = colon ? (size_t)(colon - s) : (size_t)(end - s);
		int rc = field == 0 ? parse_func(s, len, &r->func) :
			 field == 1 ? parse_error(s, len, r) :
			 parse_opt(s, len, r, &has_when);

		if (rc)
			return -1;
		field++;
		s += len + (colon != NULL);
	}
	return field >= 3 && has_when ? 0 : -1;
}

static int parse_rules(const char *spec)
{
	const char *p = spec;

	while (*p) {
		size_t len = strcspn(p, ";");

		if (len && (nrules == MAX_RULES ||
			    parse_rule(p, len, &rules[nrules++]) != 0)) {
			fprintf(stderr, "libp11fault: bad rule '%.*s' in P11FAULT\n",
				(int)len, p);
			return -1;
		}
		p += len + (p[len] == ';');
	}
	return 0;
}

static void load(void)
{
	const char *module = getenv("P11FAULT_MODULE"), *v;
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);

	if ((v = getenv("P11FAULT")) && parse_rules(v) != 0) {
		load_rv = CKR_ARGUMENTS_BAD;
		return;
	}
	if ((v = getenv("P11FAULT_SIGN_DELAY_US")))
		sign_delay_us = strtol(v, NULL, 10);
	if ((v = getenv("P11FAULT_LOG")) &&
	    (log_fd = open(v, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0)
		fprintf(stderr, "libp11fault: %s: %s\n", v, strerror(errno));
	if (!(real_handle = dlopen(module ? module : DEFAULT_MODULE,
				   RTLD_NOW | RTLD_LOCAL))) {
		fprintf(stderr, "libp11fault: %s\n", dlerror());
		return;
	}
	*(void **)&get = dlsym(real_handle, "C_GetFunctionList");
	if (!get || get(&real) != CKR_OK)
		return;
	ours = *real;
	load_rv = CKR_OK;
}

/* The rule that fails this call of f, if any. */
static struct rule *fault(enum func f)
{
	unsigned long signs = __atomic_load_n(&sign_calls, __ATOMIC_RELAXED);

	for (int i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];
		unsigned long c;
		int hit;

		if (r->func != f || signs < r->after)
			continue;
		c = __atomic_add_fetch(&r->calls, 1, __ATOMIC_RELAXED);
		hit = r->when == W_EVERY ? c % r->n == 0 :
		      r->when == W_AT ? c >= r->n && c < r->n + r->count :
		      c >= r->n;
		if (!hit)
			continue;
		if (log_fd >= 0)
			dprintf(log_fd, "%s call %lu: %s\n", func_name[f], c,
				r->rv_name);
		return r;
	}
	return NULL;
}

/* Make the fault real for session h (0: none) of slot (if known). */
static void consequence(CK_RV rv, CK_SESSION_HANDLE h, CK_SLOT_ID slot,
			int has_slot)
{
	CK_SESSION_INFO info;

	pthread_rwlock_wrlock(&gate);
	if (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED) {
		if (h)
			real->C_CloseSession(h);
	} else if (rv == CKR_USER_NOT_LOGGED_IN) {
		if (h)
			real->C_Logout(h);
	} else if (rv == CKR_DEVICE_REMOVED) {
		if (!has_slot && h && real->C_GetSessionInfo(h, &info) == CKR_OK) {
			slot = info.slotID;
			has_slot = 1;
		}
		if (has_slot)
			real->C_CloseAllSessions(slot);
	}
	pthread_rwlock_unlock(&gate);
}

/* Forwarded under the shared lock: what a signer calls while signing. */
static CK_RV w_close_session(CK_SESSION_HANDLE h)
{
	SHARED(real->C_CloseSession(h));
}

static CK_RV w_session_info(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	SHARED(real->C_GetSessionInfo(h, info));
}

static CK_RV w_find_init(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	SHARED(real->C_FindObjectsInit(h, t, n));
}

static CK_RV w_find(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG max,
		    CK_ULONG_PTR n)
{
	SHARED(real->C_FindObjects(h, o, max, n));
}

static CK_RV w_find_final(CK_SESSION_HANDLE h)
{
	SHARED(real->C_FindObjectsFinal(h));
}

static CK_RV w_sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len,
		    CK_BYTE_PTR sig, CK_ULONG_PTR siglen)
{
	struct rule *r;

	if (!sig)		/* a length query: no signature made */
		SHARED(real->C_Sign(h, data, len, sig, siglen));
	if (sign_delay_us > 0) {
		struct timespec ts = { sign_delay_us / 1000000,
				       sign_delay_us % 1000000 * 1000 };

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	__atomic_add_fetch(&sign_calls, 1, __ATOMIC_RELAXED);
	if (!(r = fault(F_SIGN)))
		SHARED(real->C_Sign(h, data, len, sig, siglen));
	/* A failed C_Sign ends the operation: finish the real one. */
	pthread_rwlock_rdlock(&gate);
	real->C_Sign(h, data, len, sig, siglen);
	pthread_rwlock_unlock(&gate);
	consequence(r->rv, h, 0, 0);
	return r->rv;
}

static CK_RV w_sign_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech,
			 CK_OBJECT_HANDLE key)
{
	struct rule *r = fault(F_SIGNINIT);

	if (!r)
		SHARED(real->C_SignInit(h, mech, key));
	consequence(r->rv, h, 0, 0);
	return r->rv;
}

static CK_RV w_open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app,
			    CK_NOTIFY notify, CK_SESSION_HANDLE_PTR h)
{
	struct rule *r = fault(F_OPENSESSION);

	if (!r)
		SHARED(real->C_OpenSession(slot, flags, app, notify, h));
	consequence(r->rv, 0, slot, 1);
	return r->rv;
}

static CK_RV w_login(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin,
		     CK_ULONG len)
{
	struct rule *r = fault(F_LOGIN);

	if (!r)
		SHARED(real->C_Login(h, type, pin, len));
	consequence(r->rv, h, 0, 0);
	return r->rv;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	pthread_once(&once, load);
	if (load_rv != CKR_OK)
		return load_rv;
	ours.C_GetFunctionList = C_GetFunctionList;
	ours.C_Sign = w_sign;
	ours.C_SignInit = w_sign_init;
	ours.C_OpenSession = w_open_session;
	ours.C_Login = w_login;
	ours.C_CloseSession = w_close_session;
	ours.C_GetSessionInfo = w_session_info;
	ours.C_FindObjectsInit = w_find_init;
	ours.C_FindObjects = w_find;
	ours.C_FindObjectsFinal = w_find_final;
	*list = &ours;
	return CKR_OK;
}
