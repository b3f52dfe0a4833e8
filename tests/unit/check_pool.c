/* gen_pool: every job runs exactly once, batch after batch. */
#include <check.h>

#include "check_run.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "gen_pool.h"

struct job {
	int in, out;
	int runs;
};

static atomic_int total;

/* Which thread ran each worker index: one thread per index, always. */
static pthread_mutex_t owner_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t owner[8];
static int owned[8];

static void square(void *job, void *arg, int worker)
{
	struct job *j = job;

	ck_assert_int_ge(worker, 0);
	ck_assert_int_lt(worker, 8);
	pthread_mutex_lock(&owner_mu);
	if (!owned[worker]) {
		owner[worker] = pthread_self();
		owned[worker] = 1;
	}
	ck_assert(pthread_equal(owner[worker], pthread_self()));
	pthread_mutex_unlock(&owner_mu);
	j->out = j->in * j->in + *(int *)arg;
	j->runs++;
	atomic_fetch_add(&total, 1);
}

START_TEST(runs_every_job_once)
{
	static struct job jobs[1000];
	struct gen_pool *p;
	int offset = 7;

	memset(owned, 0, sizeof(owned));
	ck_assert_int_eq(gen_pool_start(3, square, &offset, &p), 0);
	for (int round = 0; round < 5; round++) {
		size_t n = round == 4 ? 1 : 1000;	/* a short last batch */

		for (size_t i = 0; i < n; i++)
			jobs[i] = (struct job){ .in = (int)i + round };
		gen_pool_run(p, jobs, n, sizeof(jobs[0]));
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_eq(jobs[i].runs, 1);
			ck_assert_int_eq(jobs[i].out, jobs[i].in * jobs[i].in + 7);
		}
	}
	gen_pool_run(p, jobs, 0, sizeof(jobs[0]));	/* empty: returns */
	gen_pool_stop(p);
	ck_assert_int_eq(atomic_load(&total), 4 * 1000 + 1);
}
END_TEST

START_TEST(more_threads_than_jobs)
{
	struct job jobs[2] = { { .in = 3 }, { .in = 4 } };
	struct gen_pool *p;
	int zero = 0;

	memset(owned, 0, sizeof(owned));
	ck_assert_int_eq(gen_pool_start(8, square, &zero, &p), 0);
	gen_pool_run(p, jobs, 2, sizeof(jobs[0]));
	ck_assert_int_eq(jobs[0].out + jobs[1].out, 25);
	gen_pool_stop(p);
	gen_pool_stop(NULL);
}
END_TEST

START_TEST(submit_then_wait)
{
	static struct job a[500], b[500];
	struct gen_pool *p;
	int zero = 0;

	memset(owned, 0, sizeof(owned));
	ck_assert_int_eq(gen_pool_start(2, square, &zero, &p), 0);
	/* Two batches alternating, as a caller that stores one while the
	 * other is signed does. */
	for (int round = 0; round < 4; round++) {
		struct job *cur = round & 1 ? b : a;

		for (int i = 0; i < 500; i++)
			cur[i] = (struct job){ .in = i + round };
		gen_pool_submit(p, cur, 500, sizeof(cur[0]));
		gen_pool_wait(p);
		for (int i = 0; i < 500; i++)
			ck_assert_int_eq(cur[i].runs, 1);
	}
	gen_pool_submit(p, a, 0, sizeof(a[0]));	/* empty: wait returns */
	gen_pool_wait(p);
	gen_pool_stop(p);
}
END_TEST

CHECK_MAIN("gen_pool", NULL, NULL,
	   runs_every_job_once, more_threads_than_jobs, submit_then_wait)
