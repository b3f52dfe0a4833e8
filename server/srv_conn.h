/*
 * srv_conn: one client connection's buffers and its requests, from the
 * octets received to the octets to send, without sockets or events: the
 * driver (srv_worker) receives into the input and sends the output, so
 * that the unit suite and the fuzz target feed it bytes directly.
 *
 * One request, top to bottom (srv_conn_process): parse the head
 * (srv_http), refuse what we will not handle, parse the OCSP request
 * (srv_req), look it up (the driver's callback), choose the answer
 * (srv_answer), write it into the output, count it (srv_metrics) and log
 * it (srv_alog).  What the connection needs from the driver comes through
 * a narrow context, as Unbound's comm_point gets its callback.
 *
 * Input is a fixed buffer that holds one request head plus body;
 * pipelined requests wait their turn in it.  Output is a growable buffer
 * of whole responses.
 */
#ifndef SRV_CONN_H
#define SRV_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "op_rec.h"
#include "srv_alog.h"
#include "srv_http.h"
#include "srv_metrics.h"

#define SRV_MAX_BODY 10240
#define SRV_MAX_HEAD 8192
#define SRV_TIMEOUT_SECS 10
/* One request head plus body fits; pipelined requests wait their turn. */
#define SRV_IN_CAP (SRV_MAX_HEAD + SRV_MAX_BODY)
/* Stop handling a connection's requests while this much output waits. */
#define SRV_OUT_HIGH (64 * 1024)

enum { SRV_LOOKUP_FOUND = 0, SRV_LOOKUP_NOT_FOUND = -1, SRV_LOOKUP_FAILED = -2 };

/*
 * Find key: SRV_LOOKUP_FOUND and *rec (pointing into the map, valid until
 * the driver next lets go of maps); NOT_FOUND when no file holds it;
 * FAILED when one that could hold it failed (the callee counts and logs).
 */
typedef int srv_conn_lookup_fn(void *arg, const uint8_t *key, size_t keylen,
			       struct op_rec *rec);

/* What connections need from their driver; owned by the driver, shared by
 * its connections, used from the driver's thread only. */
struct srv_conn_ctx {
	srv_conn_lookup_fn *lookup;
	void *lookup_arg;
	const char *prefix;		/* GET path prefix, no trailing '/' */
	int64_t max_age;		/* --max-age */
	struct srv_http_clock clock;	/* the Date header, once a second */
	struct srv_counters *stats;	/* not owned */
	struct srv_alog_buf *alog_buf;	/* NULL or data NULL: no access log */
	const struct srv_alog *alog;
};

struct srv_conn {
	struct srv_conn_ctx *ctx;	/* not owned */
	int closing;		/* close once output is written */
	int continued;		/* "100 Continue" sent for this request */
	int64_t head_started;	/* first octet of the pending request */
	size_t in_len;
	char *out;		/* owned; freed by srv_conn_reset */
	size_t out_len, out_off, out_cap;
	char client[48];	/* peer address, for the access log */
	char in[SRV_IN_CAP];
};

/* Clear everything before in[] for a new client served with ctx. */
void srv_conn_start(struct srv_conn *c, struct srv_conn_ctx *ctx);

/* Free the output buffer. */
void srv_conn_reset(struct srv_conn *c);

/* Room for input: *room octets at the returned pointer (0: full). */
static inline char *srv_conn_in_room(struct srv_conn *c, size_t *room)
{
	*room = SRV_IN_CAP - c->in_len;
	return c->in + c->in_len;
}

/*
 * n octets were received into the room at now.  Returns -1 when the
 * pending request has taken longer than SRV_TIMEOUT_SECS to arrive
 * (slowloris: however it trickles), and the connection is to go.
 */
int srv_conn_received(struct srv_conn *c, size_t n, int64_t now);

/*
 * Handle the complete requests at the front of the input, queueing their
 * answers.  Returns the number handled; stops when the input holds no
 * complete request, the connection is to close (c->closing), or
 * SRV_OUT_HIGH octets of output are queued.
 */
int srv_conn_process(struct srv_conn *c);

/* Octets of output queued and not yet sent. */
static inline size_t srv_conn_pending(const struct srv_conn *c)
{
	return c->out_len - c->out_off;
}

/* The first of them (srv_conn_pending() octets). */
static inline const char *srv_conn_out(const struct srv_conn *c)
{
	return c->out + c->out_off;
}

/* n octets of the pending output were sent. */
void srv_conn_sent(struct srv_conn *c, size_t n);

#endif
