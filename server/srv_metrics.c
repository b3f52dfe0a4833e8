#include "srv_metrics.h"

#include "op_err.h"
#include "op_time.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

static const char *const method_name[] = { "GET", "POST", "HEAD" };
/* Upper bounds of the latency buckets, microseconds (the last is +Inf). */
static const long bucket_us[SRV_NBUCKET - 1] = {
	50, 100, 250, 500, 1000, 2500, 10000, 100000
};

#define READ(c) atomic_load_explicit(&(c), memory_order_relaxed)

void srv_metrics_request(struct srv_counters *c, enum srv_http_method m,
			 enum srv_result r, long us)
{
	size_t b = 0;

	srv_counter_add(&c->requests[m][r], 1);
	srv_counter_add(&c->lat_sum_us, us);
	while (b < SRV_NBUCKET - 1 && us > bucket_us[b])
		b++;
	srv_counter_add(&c->hist[b], 1);
}

static uint64_t sum(struct srv_counters *const *w, int n, size_t offset)
{
	uint64_t s = 0;

	for (int i = 0; i < n; i++)
		s += atomic_load_explicit((srv_counter *)((char *)w[i] + offset),
					  memory_order_relaxed);
	return s;
}

#define SUM(field) sum(w, n, offsetof(struct srv_counters, field))

void srv_metrics_render(struct evbuffer *out, struct srv_counters *const *w,
			int n, struct srv_slot *slots, int nslots)
{
	uint64_t cum = 0;

	evbuffer_add_printf(out, "# HELP ocsp_serve_requests_total OCSP requests "
			    "by method and result.\n"
			    "# TYPE ocsp_serve_requests_total counter\n");
	for (int m = 0; m < SRV_HTTP_OTHER; m++)
		for (int r = 0; r < SRV_R_COUNT; r++)
			evbuffer_add_printf(out, "ocsp_serve_requests_total{method=\"%s\","
					    "result=\"%s\"} %llu\n", method_name[m],
					    srv_result_name((enum srv_result)r),
					    (unsigned long long)SUM(requests[m][r]));
	evbuffer_add_printf(out, "# HELP ocsp_serve_request_duration_seconds Time "
			    "to answer a request in the server.\n"
			    "# TYPE ocsp_serve_request_duration_seconds histogram\n");
	for (size_t b = 0; b < SRV_NBUCKET; b++) {
		cum += SUM(hist[b]);
		if (b < SRV_NBUCKET - 1)
			evbuffer_add_printf(out, "ocsp_serve_request_duration_seconds_"
					    "bucket{le=\"%g\"} %llu\n", bucket_us[b] / 1e6,
					    (unsigned long long)cum);
		else
			evbuffer_add_printf(out, "ocsp_serve_request_duration_seconds_"
					    "bucket{le=\"+Inf\"} %llu\n",
					    (unsigned long long)cum);
	}
	evbuffer_add_printf(out, "ocsp_serve_request_duration_seconds_sum %g\n"
			    "ocsp_serve_request_duration_seconds_count %llu\n",
			    SUM(lat_sum_us) / 1e6, (unsigned long long)cum);
	evbuffer_add_printf(out, "# TYPE ocsp_serve_connections_total counter\n"
			    "ocsp_serve_connections_total %llu\n"
			    "# TYPE ocsp_serve_connections_rejected_total counter\n"
			    "ocsp_serve_connections_rejected_total %llu\n"
			    "# TYPE ocsp_serve_connections_timed_out_total counter\n"
			    "ocsp_serve_connections_timed_out_total %llu\n"
			    "# TYPE ocsp_serve_connections gauge\n"
			    "ocsp_serve_connections %llu\n",
			    (unsigned long long)SUM(conns_open),
			    (unsigned long long)SUM(conns_rejected),
			    (unsigned long long)SUM(conns_timed_out),
			    (unsigned long long)SUM(conns));
	evbuffer_add_printf(out, "# TYPE ocsp_serve_db_responses gauge\n"
			    "# TYPE ocsp_serve_db_generated_timestamp_seconds gauge\n"
			    "# TYPE ocsp_serve_db_oldest_this_update_timestamp_seconds gauge\n"
			    "# TYPE ocsp_serve_db_nearest_next_update_timestamp_seconds gauge\n"
			    "# TYPE ocsp_serve_db_swaps_total counter\n"
			    "# TYPE ocsp_serve_db_swaps_refused_total counter\n"
			    "# TYPE ocsp_serve_db_rollbacks_refused_total counter\n"
			    "# TYPE ocsp_serve_db_missing gauge\n");
	for (int i = 0; i < nslots; i++) {
		struct srv_slot *s = &slots[i];
		struct srv_dbfile *f;

		pthread_mutex_lock(&s->mu);
		f = s->cur;
		evbuffer_add_printf(out,
			"ocsp_serve_db_responses{db=\"%s\"} %llu\n"
			"ocsp_serve_db_generated_timestamp_seconds{db=\"%s\"} %lld\n"
			"ocsp_serve_db_oldest_this_update_timestamp_seconds{db=\"%s\"} %lld\n"
			"ocsp_serve_db_nearest_next_update_timestamp_seconds{db=\"%s\"} %lld\n"
			"ocsp_serve_db_swaps_total{db=\"%s\"} %lu\n"
			"ocsp_serve_db_swaps_refused_total{db=\"%s\"} %lu\n"
			"ocsp_serve_db_rollbacks_refused_total{db=\"%s\"} %lu\n"
			"ocsp_serve_db_missing{db=\"%s\"} %d\n",
			s->path, (unsigned long long)f->responses,
			s->path, (long long)f->db.generated,
			s->path, (long long)(f->responses ? f->oldest_this : 0),
			s->path, (long long)(f->responses ? f->nearest_next : 0),
			s->path, atomic_load(&s->swaps), s->path,
			atomic_load(&s->refused), s->path, atomic_load(&s->rollbacks),
			s->path, atomic_load(&s->missing));
		pthread_mutex_unlock(&s->mu);
	}
}

int srv_metrics_health(struct evbuffer *out, struct srv_slot *slots, int nslots,
		       int64_t now)
{
	int ok = 1;

	for (int i = 0; i < nslots; i++) {
		struct srv_slot *s = &slots[i];
		char older[24], served[24];
		int64_t refused;

		pthread_mutex_lock(&s->mu);
		if (s->cur->nearest_next <= now) {
			ok = 0;
			evbuffer_add_printf(out, "stale: %s has responses past "
					    "nextUpdate\n", s->path);
		}
		if ((refused = atomic_load(&s->rollback_generated)) != 0) {
			op_time_iso(refused, older, sizeof(older));
			op_time_iso(s->cur->db.generated, served, sizeof(served));
			evbuffer_add_printf(out, "warning: %s: refused a file generated "
					    "%s, older than the one served (%s)\n",
					    s->path, older, served);
		}
		if (atomic_load(&s->missing))
			evbuffer_add_printf(out, "warning: %s was deleted; serving "
					    "the mapped copy\n", s->path);
		pthread_mutex_unlock(&s->mu);
	}
	evbuffer_add_printf(out, ok ? "ok\n" : "unhealthy\n");
	return ok;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	const struct srv_metrics_src *src = arg;
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	const char *uri = evhttp_request_get_uri(req);

	if (strcmp(uri, "/healthz") == 0) {
		int ok = srv_metrics_health(out, src->slots, src->nslots,
					    op_time_now());

		evhttp_add_header(h, "Content-Type", "text/plain");
		evhttp_send_reply(req, ok ? HTTP_OK : 503, ok ? "OK" : "Unhealthy", NULL);
	} else if (strcmp(uri, "/metrics") == 0) {
		srv_metrics_render(out, src->workers, src->nworkers, src->slots,
				   src->nslots);
		evhttp_add_header(h, "Content-Type", "text/plain; version=0.0.4");
		evhttp_send_reply(req, HTTP_OK, "OK", NULL);
	} else {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
	}
}

int srv_metrics_listen(struct event_base *base, int fd,
		       const struct srv_metrics_src *src, struct evhttp **out)
{
	struct evhttp *h = evhttp_new(base);

	if (!h) {
		close(fd);
		return OP_E_NOMEM;
	}
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
				   EVHTTP_REQ_HEAD);
	evhttp_set_max_body_size(h, 10240);
	evhttp_set_max_headers_size(h, 16384);
	evhttp_set_timeout(h, 10);
	if (evhttp_accept_socket(h, fd) != 0) {
		evhttp_free(h);
		close(fd);
		return op_err_set(OP_E_SYS, "metrics listener");
	}
	evhttp_set_gencb(h, on_request, (void *)src);
	*out = h;
	return 0;
}
