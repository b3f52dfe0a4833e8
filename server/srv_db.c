#include "srv_db.h"
#include "op_err.h"
#include "op_key.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The counts and time range for /metrics and /healthz come from the
 * file's summary records (read by op_db_open), never from a walk over
 * the responses: opening a file of millions reads a few pages. */
static void survey(struct srv_dbfile *f)
{
	f->responses = op_sum_count(&f->db.sum);
	f->oldest_this = f->db.sum.oldest_this;
	f->nearest_next = f->db.sum.nearest_next;
}

static int open_file(const char *path, struct srv_dbfile **out)
{
	struct srv_dbfile *f = calloc(1, sizeof(*f));
	int rc;

	if (!f)
		return OP_E_NOMEM;
	if ((rc = op_db_open(path, &f->db)) != 0) {
		free(f);
		return rc;
	}
	atomic_init(&f->refs, 1);
	survey(f);
	*out = f;
	return 0;
}

static void unref(struct srv_dbfile *f)
{
	if (f && atomic_fetch_sub(&f->refs, 1) == 1) {
		op_db_close(&f->db);
		free(f);
	}
}

int srv_db_slot_init(struct srv_slot *s, const char *path)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->path = path;
	pthread_mutex_init(&s->mu, NULL);
	if ((rc = open_file(path, &s->cur)) != 0)
		pthread_mutex_destroy(&s->mu);
	return rc;
}

void srv_db_slot_destroy(struct srv_slot *s)
{
	unref(s->cur);
	s->cur = NULL;
	pthread_mutex_destroy(&s->mu);
}

/* Is the file at the path the one judged last time (and not swapped to)? */
static int judged(const struct srv_slot *s, const struct stat *st)
{
	return s->judged.dev == st->st_dev && s->judged.ino == st->st_ino &&
	       s->judged.size == st->st_size &&
	       s->judged.mtime.tv_sec == st->st_mtim.tv_sec &&
	       s->judged.mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Order of two files by their publication: < 0 if a is older than b. */
static int publication_cmp(const struct op_db *a, const struct op_db *b)
{
	if (a->generated != b->generated)
		return a->generated < b->generated ? -1 : 1;
	if (a->generation != b->generation)
		return a->generation < b->generation ? -1 : 1;
	return 0;
}

/* Why f (opened from the path) is not to be served: 0 if it is newer, 1
 * for the file already served, -1 (logged, counted) for an older one. */
static int judge(struct srv_slot *s, struct srv_dbfile *f)
{
	const struct op_db *cur = &s->cur->db;
	char newt[24], curt[24];
	int c = publication_cmp(&f->db, cur);

	if (c > 0)
		return 0;
	if (c == 0)
		return 1;
	op_time_iso(f->db.generated, newt, sizeof(newt));
	op_time_iso(cur->generated, curt, sizeof(curt));
	op_log_err("%s: refused a file generated %s (generation %lld), older "
		   "than the one served, generated %s (generation %lld); keeping "
		   "it (a restart accepts the older file)", s->path, newt,
		   (long long)f->db.generation, curt, (long long)cur->generation);
	atomic_fetch_add(&s->rollbacks, 1);
	atomic_store(&s->rollback_generated, f->db.generated);
	return -1;
}

static int check_path(struct srv_slot *s)
{
	struct srv_dbfile *f, *old;
	struct stat st;
	int rc;

	if (stat(s->path, &st) != 0) {
		if (!atomic_exchange(&s->missing, 1))
			op_warn("%s: %s; still serving the file already mapped",
				s->path, strerror(errno));
		return 0;
	}
	if (atomic_exchange(&s->missing, 0))
		op_info("%s: present again", s->path);
	if (st.st_dev == s->cur->db.dev && st.st_ino == s->cur->db.ino)
		return 0;
	/* Judge a file once, not every half second: the verdict and its log
	 * line stand until another file is at the path. */
	if (judged(s, &st))
		return s->judged.verdict;
	s->judged.dev = st.st_dev;
	s->judged.ino = st.st_ino;
	s->judged.size = st.st_size;
	s->judged.mtime = st.st_mtim;
	if ((rc = open_file(s->path, &f)) != 0) {
		atomic_fetch_add(&s->refused, 1);
		op_log_err("%s: new file refused, keeping the old one: %s",
			   s->path, op_err_detail());
		return s->judged.verdict = -1;
	}
	if ((rc = judge(s, f)) != 0) {
		unref(f);
		return s->judged.verdict = rc < 0 ? -1 : 0;
	}
	pthread_mutex_lock(&s->mu);
	old = s->cur;
	s->cur = f;
	atomic_fetch_add(&s->gen, 1);
	pthread_mutex_unlock(&s->mu);
	unref(old);
	atomic_fetch_add(&s->swaps, 1);
	atomic_store(&s->rollback_generated, 0);
	op_info("%s: switched to new file (%llu responses)", s->path,
		(unsigned long long)f->responses);
	return 1;
}

int srv_db_slot_check(struct srv_slot *s)
{
	int rc = check_path(s);

	atomic_fetch_add(&s->checks, 1);
	return rc;
}

void srv_db_view_release(struct srv_view *v)
{
	if (v->txn)
		mdb_txn_abort(v->txn);
	v->txn = NULL;
	unref(v->f);
	v->f = NULL;
}

const char *srv_db_fail_name(enum srv_fail f)
{
	static const char *const names[SRV_FAIL_COUNT] = {
		"transaction", "read", "corrupt_record", "signer_certs"
	};

	return f < SRV_FAIL_COUNT ? names[f] : "other";
}

void srv_db_slot_fail(struct srv_slot *s, struct srv_dbfile *f,
		      enum srv_fail why)
{
	unsigned int bit = 1u << why;

	atomic_fetch_add(&s->failures[why], 1);
	if (atomic_fetch_or(&f->logged, bit) & bit)
		return;
	op_log_err("%s: lookup failed (%s): %s; answering internalError (logged "
		   "once per file; ocsp_serve_lookup_failures_total counts them)",
		   s->path, srv_db_fail_name(why), op_err_detail());
}

int srv_db_view_get(struct srv_view *v, struct srv_slot *s, const uint8_t *key,
		    size_t keylen, struct op_rec *rec)
{
	MDB_val val;
	int rc = op_db_find(v->txn, v->f->db.dbi, key, keylen, &val);
	enum srv_fail why;

	if (rc == MDB_NOTFOUND)
		return rc;
	if (rc != 0) {
		op_err_set(OP_E_DB, "%s", mdb_strerror(rc));
		why = SRV_FAIL_READ;
	} else if (op_rec_decode(val.mv_data, val.mv_size, rec) != 0) {
		why = SRV_FAIL_RECORD;
	} else if (op_db_rec_certs(v->txn, v->f->db.dbi, rec) != 0) {
		why = SRV_FAIL_CERTS;
	} else {
		return 0;
	}
	{
		size_t h = op_hash_len(key[0]);
		char serial[2 * OP_SERIAL_MAX + 1] = "?";

		if (h && keylen > 1 + 2 * h && keylen - 1 - 2 * h <= OP_SERIAL_MAX)
			op_serial_hex(key + 1 + 2 * h, keylen - 1 - 2 * h, serial);
		op_err_prefix(-1, "%s serial %s", op_hash_name(key[0]), serial);
	}
	srv_db_slot_fail(s, v->f, why);
	return -1;
}

int srv_db_view_sync(struct srv_view *v, struct srv_slot *s)
{
	unsigned int g = atomic_load_explicit(&s->gen, memory_order_acquire);
	int rc;

	if (v->f && v->gen == g)
		return 0;
	srv_db_view_release(v);
	pthread_mutex_lock(&s->mu);
	v->f = s->cur;
	atomic_fetch_add(&v->f->refs, 1);
	v->gen = atomic_load(&s->gen);
	pthread_mutex_unlock(&s->mu);
	/* The file never changes under us, so one read transaction can live
	 * as long as the view. */
	if ((rc = mdb_txn_begin(v->f->db.env, NULL, MDB_RDONLY, &v->txn)) != 0) {
		v->txn = NULL;
		rc = op_err_set(OP_E_DB, "read transaction: %s", mdb_strerror(rc));
		srv_db_slot_fail(s, v->f, SRV_FAIL_TXN);
		srv_db_view_release(v);
		return rc;
	}
	return 0;
}
