/*
 * srv_worker: one serving thread with its own event base, accepting from
 * the shared listening sockets and driving its connections (srv_conn).
 *
 * Everything a worker touches per request is its own: its event base
 * (created without locks), its views of the files, its counters.  The
 * only shared state is the configuration (read-only while workers run)
 * and the slots, which srv_db synchronises.
 */
#ifndef SRV_WORKER_H
#define SRV_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "srv_alog.h"
#include "srv_conn.h"
#include "srv_db.h"
#include "srv_metrics.h"

#define SRV_MAX_DB 16
#define SRV_MAX_LISTEN 8

struct event_base;
struct event;
struct evconnlistener;
struct srv_wconn;

/* What all workers share; set up by main before they start. */
struct srv_cfg {
	struct srv_slot slots[SRV_MAX_DB];
	int nslots;
	const char *prefix;		/* GET path prefix, no trailing '/' */
	int64_t max_age;		/* --max-age */
	struct srv_alog alog;		/* --access-log; fd -1 if none */
	enum srv_alog_ip alog_ip;	/* --access-log-ip */
	atomic_int stopping;		/* set by main; workers exit on their tick */
};

struct srv_worker {
	struct srv_cfg *cfg;
	pthread_t thread;
	struct event_base *base;
	struct evconnlistener *listeners[SRV_MAX_LISTEN];
	int nlisten;
	struct srv_view views[SRV_MAX_DB];
	struct srv_counters stats;	/* written by this thread only */
	struct event *tick;
	int nconns, max_conns;
	struct srv_wconn *free_conns;	/* reused, so accepting does not malloc */
	struct srv_wconn *open_conns;
	struct srv_alog_buf alog_buf;	/* data NULL: no access log */
	struct srv_conn_ctx ctx;	/* what its connections see of it */
};

/*
 * Set up w to accept from the listening sockets lfds (nlisten of them;
 * w takes a dup of each) with at most max_conns connections.  On failure
 * what was set up stays in w for srv_worker_destroy.
 */
int srv_worker_init(struct srv_worker *w, struct srv_cfg *cfg, const int *lfds,
		    int nlisten, int max_conns);

/* Thread body: run the loop until cfg->stopping, then close connections. */
void *srv_worker_main(void *arg);

/* Free the base and listeners (after the thread has been joined, or when
 * it never started).  Safe on a zeroed or partly set up w. */
void srv_worker_destroy(struct srv_worker *w);

/* Find key in the files, in --db order (the connections' lookup
 * callback; arg is the worker): see srv_conn_lookup_fn.  A key no file
 * that could be read holds, while some file failed, is FAILED (counted
 * and logged per file by srv_db). */
int srv_worker_lookup(void *arg, const uint8_t *key, size_t keylen,
		      struct op_rec *rec);

#endif
