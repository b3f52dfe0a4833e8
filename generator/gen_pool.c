#include "gen_pool.h"
#include "op_err.h"

#include <pthread.h>
#include <stdlib.h>
#include <openssl/crypto.h>

struct thread {
	pthread_t id;
	struct gen_pool *pool;
	int index;
};

struct gen_pool {
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	struct thread *threads;
	int nthreads;
	gen_pool_fn fn;
	void *arg;
	char *jobs;
	size_t njobs, size, next, finished;
	unsigned long round;	/* bumped per batch, so threads see new work */
	int quit;
};

static void *worker(void *arg)
{
	struct thread *t = arg;
	struct gen_pool *p = t->pool;
	unsigned long seen = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->round == seen)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit)
			break;
		seen = p->round;
		while (p->next < p->njobs) {
			void *job = p->jobs + p->next++ * p->size;

			pthread_mutex_unlock(&p->mu);
			p->fn(job, p->arg, t->index);
			pthread_mutex_lock(&p->mu);
			if (++p->finished == p->njobs)
				pthread_cond_signal(&p->done);
		}
	}
	pthread_mutex_unlock(&p->mu);
	/* OpenSSL keeps per-thread error state; release it. */
	OPENSSL_thread_stop();
	return NULL;
}

int gen_pool_start(int nthreads, gen_pool_fn fn, void *arg, struct gen_pool **out)
{
	struct gen_pool *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p || !(p->threads = calloc((size_t)nthreads, sizeof(*p->threads)))) {
		free(p);
		return OP_E_NOMEM;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	p->fn = fn;
	p->arg = arg;
	for (; p->nthreads < nthreads; p->nthreads++) {
		struct thread *t = &p->threads[p->nthreads];

		t->pool = p;
		t->index = p->nthreads;
		if (pthread_create(&t->id, NULL, worker, t) != 0) {
			gen_pool_stop(p);
			return op_err_set(OP_E_SYS, "cannot start signing threads");
		}
	}
	*out = p;
	return 0;
}

void gen_pool_submit(struct gen_pool *p, void *jobs, size_t n, size_t size)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&p->mu);
	p->jobs = jobs;
	p->njobs = n;
	p->size = size;
	p->next = p->finished = 0;
	p->round++;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
}

void gen_pool_wait(struct gen_pool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->finished < p->njobs)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void gen_pool_run(struct gen_pool *p, void *jobs, size_t n, size_t size)
{
	gen_pool_submit(p, jobs, n, size);
	gen_pool_wait(p);
}

void gen_pool_stop(struct gen_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i].id, NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->go);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p);
}
