/*
 * gen_pool: a fixed set of threads that run one function over a batch of
 * jobs and return when all are done.  ocsp-gen signs in parallel this way
 * while the calling thread alone owns the LMDB write transaction.
 */
#ifndef GEN_POOL_H
#define GEN_POOL_H

#include <stddef.h>

struct gen_pool;

/* Called on a pool thread for one job; arg is gen_pool_start()'s, worker
 * the thread's index (0..nthreads-1), so per-thread state needs no lock. */
typedef void (*gen_pool_fn)(void *job, void *arg, int worker);

/* Start nthreads threads.  The caller stops them with gen_pool_stop(). */
int gen_pool_start(int nthreads, gen_pool_fn fn, void *arg, struct gen_pool **out);

/* Run fn on each of the n jobs of size octets at jobs; returns when all
 * are done.  Jobs are handed out one at a time, so uneven costs balance. */
void gen_pool_run(struct gen_pool *p, void *jobs, size_t n, size_t size);

/*
 * The same in two halves, so the caller can work while the threads do
 * (e.g. store one batch while the next is signed): gen_pool_submit()
 * hands the jobs over and returns at once; gen_pool_wait() returns when
 * they are all done.  One batch at a time: wait before the next submit;
 * the jobs must stay put until then.
 */
void gen_pool_submit(struct gen_pool *p, void *jobs, size_t n, size_t size);
void gen_pool_wait(struct gen_pool *p);

/* Join the threads and free the pool; NULL is fine. */
void gen_pool_stop(struct gen_pool *p);

#endif
