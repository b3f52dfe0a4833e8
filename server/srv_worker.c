#include "srv_worker.h"
#include "op_err.h"
#include "op_time.h"
#include "srv_cache.h"
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

int srv_worker_lookup(struct srv_worker *w, const uint8_t *key, size_t keylen,
		      struct op_rec *rec)
{
	int failed = 0;

	/* A file that fails does not hide the others: the key may be in a
	 * later one (shards).  Failures are counted and logged below us. */
	for (int i = 0; i < w->cfg->nslots; i++) {
		int rc;

		if (srv_view_sync(&w->views[i], &w->cfg->slots[i]) != 0) {
			failed = 1;
			continue;
		}
		rc = srv_view_get(&w->views[i], &w->cfg->slots[i], key, keylen, rec);
		if (rc == 0)
			return SRV_LOOKUP_FOUND;
		if (rc != MDB_NOTFOUND)
			failed = 1;
	}
	return failed ? SRV_LOOKUP_FAILED : SRV_LOOKUP_NOT_FOUND;
}

const char *srv_worker_date(struct srv_worker *w)
{
	int64_t now = op_time_now();

	if (now != w->date_sec) {
		w->date_sec = now;
		srv_http_date(now, w->date, sizeof(w->date));
	}
	return w->date;
}

static void conn_free(struct srv_conn *c)
{
	struct srv_worker *w = c->w;

	event_del(c->ev);
	evutil_closesocket(c->fd);
	srv_conn_reset(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->open_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next_free = w->free_conns;
	w->free_conns = c;
	w->nconns--;
	srv_counter_add(&w->stats.conns, -1);
}

static void on_io(evutil_socket_t fd, short what, void *arg);

/*
 * Wait for what the connection can use: input only while there is room
 * for it and the connection is not closing (level-triggered readiness
 * would otherwise spin), output only while some is queued.
 */
static void watch(struct srv_conn *c, int writing)
{
	struct timeval tv = { SRV_TIMEOUT_SECS, 0 };
	short events = (short)((writing ? EV_WRITE : 0) |
			       (!c->closing && c->in_len < SRV_IN_CAP ? EV_READ : 0));

	if (events == c->events)
		return;
	event_del(c->ev);
	event_assign(c->ev, c->w->base, c->fd, events | EV_PERSIST, on_io, c);
	event_add(c->ev, &tv);
	c->events = events;
}

/* Read what the socket has; 0, or -1 when the connection is to go. */
static int fill(struct srv_conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, SRV_IN_CAP - c->in_len, 0);
	int64_t now;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
		return -1;	/* closed, or half-closed: nothing to answer */
	if (n < 0)
		return 0;
	now = op_time_now();
	if (c->in_len == 0)
		c->head_started = now;
	c->in_len += (size_t)n;
	/* Slowloris: a request must arrive whole within the timeout,
	 * however it trickles. */
	if (now - c->head_started > SRV_TIMEOUT_SECS) {
		srv_counter_add(&c->w->stats.conns_timed_out, 1);
		return -1;
	}
	return 0;
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct srv_conn *c = arg;
	int fr;

	(void)fd;
	if (what & EV_TIMEOUT) {
		/* Idle, or a client too slow to send a request or read its
		 * answer: it costs only its own connection. */
		srv_counter_add(&c->w->stats.conns_timed_out, 1);
		conn_free(c);
		return;
	}
	if ((what & EV_READ) && !c->closing && c->in_len < SRV_IN_CAP &&
	    fill(c) != 0) {
		conn_free(c);
		return;
	}
	/* Output drained at once may leave requests that were held back by
	 * SRV_OUT_HIGH; no event would bring us back for them. */
	do
		fr = srv_conn_flush(c);
	while (srv_conn_process(c) > 0 && fr == 0);
	fr = srv_conn_flush(c);
	if (fr < 0 || (fr == 0 && c->closing)) {
		conn_free(c);
		return;
	}
	watch(c, fr == 1);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct srv_worker *w = arg;
	struct srv_conn *c;
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
	srv_conn_start(c, w, fd);
	if (w->alog_buf.data)
		srv_alog_client(sa, w->cfg->alog_ip, c->client, sizeof(c->client));
	c->events = EV_READ;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	event_assign(c->ev, w->base, fd, EV_READ | EV_PERSIST, on_io, c);
	event_add(c->ev, &tv);
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
		srv_view_sync(&w->views[i], &w->cfg->slots[i]);
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
		struct srv_conn *c = w->free_conns;

		w->free_conns = c->next_free;
		event_free(c->ev);
		free(c);
	}
	for (int i = 0; i < w->cfg->nslots; i++)
		srv_view_release(&w->views[i]);
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
