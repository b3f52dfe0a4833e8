/*
 * srv_conn: one client connection's buffers and its request state
 * machine, apart from sockets and events (srv_worker drives those), so
 * that the unit suite and the fuzz target can feed it bytes directly.
 *
 * Input is a fixed buffer that holds one request head plus body;
 * pipelined requests wait their turn in it.  Output is a growable buffer
 * of whole responses, written by srv_conn_flush().
 */
#ifndef SRV_CONN_H
#define SRV_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "srv_answer.h"

#define SRV_MAX_BODY 10240
#define SRV_MAX_HEAD 8192
#define SRV_TIMEOUT_SECS 10
/* One request head plus body fits; pipelined requests wait their turn. */
#define SRV_IN_CAP (SRV_MAX_HEAD + SRV_MAX_BODY)
/* Stop handling a connection's requests while this much output waits. */
#define SRV_OUT_HIGH (64 * 1024)

struct srv_worker;
struct event;

struct srv_conn {
	struct srv_worker *w;
	int fd;
	struct event *ev;	/* allocated once, re-assigned per use */
	short events;		/* what ev waits for now (EV_READ|EV_WRITE) */
	int closing;		/* close once output is written */
	int continued;		/* "100 Continue" sent for this request */
	int64_t head_started;	/* first octet of the pending request */
	size_t in_len;
	char *out;		/* owned; freed by srv_conn_reset */
	size_t out_len, out_off, out_cap;
	struct srv_conn *next_free;
	struct srv_conn *prev, *next;	/* the worker's open connections */
	char client[48];	/* peer address, for the access log */
	char in[SRV_IN_CAP];
};

/* Clear everything before in[] (keeping ev) for a new client on fd. */
void srv_conn_start(struct srv_conn *c, struct srv_worker *w, int fd);

/* Free the output buffer. */
void srv_conn_reset(struct srv_conn *c);

/*
 * Handle the complete requests at the front of c->in, queueing their
 * answers.  Returns the number handled; stops when the input holds no
 * complete request, the connection is to close (c->closing), or
 * SRV_OUT_HIGH octets of output are queued.
 */
int srv_conn_process(struct srv_conn *c);

/* Write what is queued to c->fd: 0 when all is out, 1 when the socket is
 * full, -1 on error. */
int srv_conn_flush(struct srv_conn *c);

/* Octets of output queued and not yet written. */
static inline size_t srv_conn_pending(const struct srv_conn *c)
{
	return c->out_len - c->out_off;
}

#endif
