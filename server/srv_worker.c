#include "srv_worker.h"
#include "op_err.h"
#include "op_time.h"
#include "srv_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A connection as the worker drives it: its socket and event around the
 * protocol state, which knows neither. */
struct srv_wconn {
	struct srv_worker *w;
	int fd;
	struct event *ev;	/* allocated once, re-assigned per use */
	short events;		/* what ev waits for now (EV_READ|EV_WRITE) */
	struct srv_wconn *next_free;
	struct srv_wconn *prev, *next;	/* the worker's open connections */
	struct srv_conn c;	/* last: its input buffer is large */
};

int srv_worker_lookup(void *arg, const uint8_t *key, size_t keylen,
		      struct op_rec *rec)
{
	struct srv_worker *w = arg;
	int failed = 0;

	/* A file that fails does not hide the others: the key may be in a
	 * later one (shards).  Failures are counted and logged below us. */
	for (int i = 0; i < w->cfg->nslots; i++) {
		int rc;

		if (srv_db_view_sync(&w->views[i], &w->cfg->slots[i]) != 0) {
			failed = 1;
			continue;
		}
		rc = srv_db_view_get(&w->views[i], &w->cfg->slots[i], key, keylen, rec);
		if (rc == 0)
			return SRV_LOOKUP_FOUND;
		if (rc != MDB_NOTFOUND)
			failed = 1;
	}
	return failed ? SRV_LOOKUP_FAILED : SRV_LOOKUP_NOT_FOUND;
}

static void conn_free(struct srv_wconn *wc)
{
	struct srv_worker *w = wc->w;

	event_del(wc->ev);
	evutil_closesocket(wc->fd);
	srv_conn_reset(&wc->c);
	if (wc->prev)
		wc->prev->next = wc->next;
	else
		w->open_conns = wc->next;
	if (wc->next)
		wc->next->prev = wc->prev;
	wc->next_free = w->free_conns;
	w->free_conns = wc;
	w->nconns--;
	srv_counter_add(&w->stats.conns, -1);
}

static void on_io(evutil_socket_t fd, short what, void *arg);

/*
 * Wait for what the connection can use: input only while there is room
 * for it and the connection is not closing (level-triggered readiness
 * would otherwise spin), output only while some is queued.
 */
static void watch(struct srv_wconn *wc, int writing)
{
	struct timeval tv = { SRV_TIMEOUT_SECS, 0 };
	short events = (short)((writing ? EV_WRITE : 0) |
			       (!wc->c.closing && wc->c.in_len < SRV_IN_CAP ?
				EV_READ : 0));

	if (events == wc->events)
		return;
	event_del(wc->ev);
	event_assign(wc->ev, wc->w->base, wc->fd, events | EV_PERSIST, on_io, wc);
	event_add(wc->ev, &tv);
	wc->events = events;
}

/* Read what the socket has; 0, or -1 when the connection is to go. */
static int fill(struct srv_wconn *wc)
{
	size_t room;
	char *p = srv_conn_in_room(&wc->c, &room);
	ssize_t n = recv(wc->fd, p, room, 0);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
		return -1;	/* closed, or half-closed: nothing to answer */
	if (n < 0)
		return 0;
	if (srv_conn_received(&wc->c, (size_t)n, op_time_now()) != 0) {
		srv_counter_add(&wc->w->stats.conns_timed_out, 1);
		return -1;
	}
	return 0;
}

/* Send what is queued: 0 when all is out, 1 when the socket is full, -1
 * on error. */
static int drain(struct srv_wconn *wc)
{
	size_t n;

	while ((n = srv_conn_pending(&wc->c)) > 0) {
		ssize_t k = send(wc->fd, srv_conn_out(&wc->c), n, MSG_NOSIGNAL);

		if (k < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
		srv_conn_sent(&wc->c, (size_t)k);
	}
	return 0;
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct srv_wconn *wc = arg;
	int fr;

	(void)fd;
	if (what & EV_TIMEOUT) {
		/* Idle, or a client too slow to send a request or read its
		 * answer: it costs only its own connection. */
		srv_counter_add(&wc->w->stats.conns_timed_out, 1);
		conn_free(wc);
		return;
	}
	if ((what & EV_READ) && !wc->c.closing && wc->c.in_len < SRV_IN_CAP &&
	    fill(wc) != 0) {
		conn_free(wc);
		return;
	}
	/* Output drained at once may leave requests that were held back by
	 * SRV_OUT_HIGH; no event would bring us back for them. */
	do
		fr = drain(wc);
	while (srv_conn_process(&wc->c) > 0 && fr == 0);
	fr = drain(wc);
	if (fr < 0 || (fr == 0 && wc->c.closing)) {
		conn_free(wc);
		return;
	}
	watch(wc, fr == 1);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct srv_worker *w = arg;
	struct srv_wconn *c;
	struct timeval tv = { SRV_TIMEOUT_SECS, 0 };
	int one = 1;

	(void)l;
	(void)sa;
	(void)salen;
	if (w->nconns >= w->max_conns) {
		srv_counter_add(&w->stats.conns_rejected, 1);
		evutil_closesocket(fd);
		return;
	}
	if ((c = w->free_conns) != NULL) {
		w->free_conns = c->next_free;
	} else if (!(c = malloc(sizeof(*c))) ||
		   !(c->ev = event_new(w->base, -1, 0, NULL, NULL))) {
		free(c);
		evutil_closesocket(fd);
		return;
	}
	srv_conn_start(&c->c, &w->ctx);
	c->w = w;
	c->fd = fd;
	if (w->alog_buf.data)
		srv_alog_client(sa, w->cfg->alog_ip, c->c.client, sizeof(c->c.client));
	c->events = EV_READ;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	event_assign(c->ev, w->base, fd, EV_READ | EV_PERSIST, on_io, c);
	event_add(c->ev, &tv);
	/* A reused connection keeps its old links: set both. */
	c->prev = NULL;
	c->next = w->open_conns;
	if (c->next)
		c->next->prev = c;
	w->open_conns = c;
	w->nconns++;
	srv_counter_add(&w->stats.conns, 1);
	srv_counter_add(&w->stats.conns_open, 1);
}

/* Once a second: let go of swapped-out maps, write the access log
 * buffer, and stop when asked. */
static void on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct srv_worker *w = arg;

	(void)fd;
	(void)ev;
	for (int i = 0; i < w->cfg->nslots; i++)
		srv_db_view_sync(&w->views[i], &w->cfg->slots[i]);
	if (w->alog_buf.data)
		srv_alog_flush(&w->alog_buf, &w->cfg->alog);
	if (atomic_load(&w->cfg->stopping))
		event_base_loopexit(w->base, NULL);
}

int srv_worker_init(struct srv_worker *w, struct srv_cfg *cfg, const int *lfds,
		    int nlisten, int max_conns)
{
	struct event_config *ec;
	struct timeval one = { 1, 0 };
	int fd;

	w->cfg = cfg;
	w->max_conns = max_conns;
	if (cfg->alog.fd >= 0 && srv_alog_buf_init(&w->alog_buf) != 0)
		return OP_E_NOMEM;
	w->ctx = (struct srv_conn_ctx){
		.lookup = srv_worker_lookup, .lookup_arg = w,
		.prefix = cfg->prefix, .max_age = cfg->max_age,
		.stats = &w->stats, .alog_buf = &w->alog_buf, .alog = &cfg->alog,
	};
	/* Each base is used by its own thread only: no locking. */
	if ((ec = event_config_new()) != NULL)
		event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
	w->base = ec ? event_base_new_with_config(ec) : NULL;
	event_config_free(ec);
	if (!w->base)
		return OP_E_NOMEM;
	/* All threads accept from one socket per address: whichever is free
	 * takes the connection.  (SO_REUSEPORT's hash can load one thread
	 * with more connections and stretch the tail latency.) */
	for (; w->nlisten < nlisten; w->nlisten++) {
		if ((fd = dup(lfds[w->nlisten])) < 0)
			return op_err_set(OP_E_SYS, "dup: %s", strerror(errno));
		w->listeners[w->nlisten] = evconnlistener_new(w->base, on_accept, w,
							      LEV_OPT_CLOSE_ON_FREE, -1, fd);
		if (!w->listeners[w->nlisten]) {
			close(fd);
			return op_err_set(OP_E_SYS, "accept: %s", strerror(errno));
		}
	}
	if (!(w->tick = event_new(w->base, -1, EV_PERSIST, on_tick, w)) ||
	    event_add(w->tick, &one) != 0)
		return OP_E_NOMEM;
	return 0;
}

void *srv_worker_main(void *arg)
{
	struct srv_worker *w = arg;

	event_base_dispatch(w->base);
	while (w->open_conns)
		conn_free(w->open_conns);
	while (w->free_conns) {
		struct srv_wconn *c = w->free_conns;

		w->free_conns = c->next_free;
		event_free(c->ev);
		free(c);
	}
	for (int i = 0; i < w->cfg->nslots; i++)
		srv_db_view_release(&w->views[i]);
	if (w->alog_buf.data)
		srv_alog_flush(&w->alog_buf, &w->cfg->alog);
	return NULL;
}

void srv_worker_destroy(struct srv_worker *w)
{
	if (w->tick)
		event_free(w->tick);
	for (int l = 0; l < w->nlisten; l++)
		evconnlistener_free(w->listeners[l]);
	if (w->base)
		event_base_free(w->base);
	srv_alog_buf_free(&w->alog_buf);
	memset(w->listeners, 0, sizeof(w->listeners));
	w->tick = NULL;
	w->base = NULL;
	w->nlisten = 0;
}
