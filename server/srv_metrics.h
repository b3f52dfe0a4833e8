/*
 * srv_metrics: ocsp-serve's counters and their Prometheus text, and the
 * /healthz verdict.
 *
 * Each worker thread owns one struct srv_counters and is its only writer;
 * the metrics listener reads all of them with relaxed atomic loads, so
 * counting a request takes no lock and no locked instruction.
 */
#ifndef SRV_METRICS_H
#define SRV_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "srv_answer.h"
#include "srv_db.h"
#include "srv_http.h"

struct evbuffer;
struct event_base;
struct evhttp;
#define SRV_NBUCKET 9		/* latency buckets, the last one +Inf */
#define SRV_NREJECT 6		/* 400, 405, 411, 413, 431, 500 */

typedef _Atomic uint64_t srv_counter;

struct srv_counters {
	/* GET, POST, HEAD: the methods answered (others get 405) */
	srv_counter requests[SRV_HTTP_OTHER][SRV_R_COUNT];
	/* refused at the HTTP level, by status (srv_metrics.c's table) */
	srv_counter rejected[SRV_NREJECT];
	srv_counter hist[SRV_NBUCKET];
	srv_counter lat_sum_us;
	srv_counter conns_open, conns_rejected, conns_timed_out;
	srv_counter conns;		/* gauge: open now */
};

/* Add n to a counter owned by the calling thread. */
static inline void srv_counter_add(srv_counter *c, int64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) +
			      (uint64_t)n, memory_order_relaxed);
}

/* Count one answered request that took us microseconds. */
void srv_metrics_request(struct srv_counters *c, enum srv_http_method m,
			 enum srv_result r, long us);

/* Count one request refused at the HTTP level with status (one of the
 * SRV_NREJECT; any other counts as 500). */
void srv_metrics_rejected(struct srv_counters *c, int status);

/* Append the Prometheus text exposition for n workers' counters and the
 * files served. */
void srv_metrics_render(struct evbuffer *out, struct srv_counters *const *w,
			int n, struct srv_slot *slots, int nslots);

/* Append the /healthz text; returns 1 when healthy (no file holds
 * responses past nextUpdate at now). */
int srv_metrics_health(struct evbuffer *out, struct srv_slot *slots, int nslots,
		       int64_t now);

/* What the metrics listener reports on: pointers owned by the caller,
 * valid while the listener runs. */
struct srv_metrics_src {
	struct srv_counters *const *workers;
	int nworkers;
	struct srv_slot *slots;
	int nslots;
};

/*
 * Serve /metrics and /healthz on the listening socket fd from base
 * (evhttp: this traffic is light).  Takes fd.  On success *out is the
 * listener, to evhttp_free() after the loop.
 */
int srv_metrics_listen(struct event_base *base, int fd,
		       const struct srv_metrics_src *src, struct evhttp **out);

#endif
