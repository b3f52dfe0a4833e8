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

/* The statuses of srv_counters.rejected, the last what any other counts
 * as. */
static const int reject_status[SRV_NREJECT] = { 400, 405, 411, 413, 431, 500 };

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

void srv_metrics_rejected(struct srv_counters *c, int status)
{
	size_t i = 0;

	while (i < SRV_NREJECT - 1 && reject_status[i] != status)
		i++;
	srv_counter_add(&c->rejected[i], 1);
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

static void family(struct evbuffer *out, const char *name, const char *type,
		   const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
			    name, type);
}

/* A label value as the text format wants it: \\, \" and \n escaped. */
static void label_value(struct evbuffer *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(out, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, v, 1);
	}
}

/* The per-file families, one sample per --db path (label db). */
enum { DB_RESPONSES, DB_GENERATED, DB_OLDEST, DB_NEAREST, DB_SWAPS, DB_REFUSED,
	DB_ROLLBACKS, DB_MISSING, DB_CHECKS, DB_NFAMILY };
static const struct {
	const char *name, *type, *help;
} db_family[DB_NFAMILY] = {
	{ "ocsp_serve_db_responses", "gauge", "Responses in the file served." },
	{ "ocsp_serve_db_generated_timestamp_seconds", "gauge",
	  "When ocsp-gen published the file served." },
	{ "ocsp_serve_db_oldest_this_update_timestamp_seconds", "gauge",
	  "Oldest thisUpdate in the file served (0 if empty)." },
	{ "ocsp_serve_db_nearest_next_update_timestamp_seconds", "gauge",
	  "Nearest nextUpdate in the file served (0 if empty)." },
	{ "ocsp_serve_db_swaps_total", "counter",
	  "New files switched to since start." },
	{ "ocsp_serve_db_swaps_refused_total", "counter",
	  "New files refused as unreadable, not ours, or of another format." },
	{ "ocsp_serve_db_rollbacks_refused_total", "counter",
	  "New files refused as published before the file served." },
	{ "ocsp_serve_db_missing", "gauge",
	  "1 while the path is deleted and the mapped copy is served." },
	{ "ocsp_serve_db_checks_total", "counter",
	  "Looks at the path for a new file since start (twice a second)." },
};

static long long db_value(struct srv_slot *s, int family_index)
{
	long long v = 0;

	pthread_mutex_lock(&s->mu);
	switch (family_index) {
	case DB_RESPONSES: v = (long long)s->cur->responses; break;
	case DB_GENERATED: v = s->cur->db.generated; break;
	case DB_OLDEST: v = s->cur->responses ? s->cur->oldest_this : 0; break;
	case DB_NEAREST: v = s->cur->responses ? s->cur->nearest_next : 0; break;
	case DB_SWAPS: v = (long long)atomic_load(&s->swaps); break;
	case DB_REFUSED: v = (long long)atomic_load(&s->refused); break;
	case DB_ROLLBACKS: v = (long long)atomic_load(&s->rollbacks); break;
	case DB_CHECKS: v = (long long)atomic_load(&s->checks); break;
	default: v = atomic_load(&s->missing); break;
	}
	pthread_mutex_unlock(&s->mu);
	return v;
}

void srv_metrics_render(struct evbuffer *out, struct srv_counters *const *w,
			int n, struct srv_slot *slots, int nslots)
{
	uint64_t cum = 0;

	family(out, "ocsp_serve_requests_total", "counter",
	       "OCSP requests answered, by method and result.");
	for (int m = 0; m < SRV_HTTP_OTHER; m++)
		for (int r = 0; r < SRV_R_COUNT; r++)
			evbuffer_add_printf(out, "ocsp_serve_requests_total{method=\"%s\","
					    "result=\"%s\"} %llu\n", method_name[m],
					    srv_answer_result_name((enum srv_result)r),
					    (unsigned long long)SUM(requests[m][r]));
	family(out, "ocsp_serve_requests_rejected_total", "counter",
	       "Requests refused at the HTTP level (answered in plain text, the "
	       "connection closed), by HTTP status.");
	for (int i = 0; i < SRV_NREJECT; i++)
		evbuffer_add_printf(out, "ocsp_serve_requests_rejected_total{status=\"%d\"} "
				    "%llu\n", reject_status[i],
				    (unsigned long long)SUM(rejected[i]));
	family(out, "ocsp_serve_request_duration_seconds", "histogram",
	       "Time to answer a request in the server.");
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
	family(out, "ocsp_serve_connections_total", "counter",
	       "Client connections accepted.");
	evbuffer_add_printf(out, "ocsp_serve_connections_total %llu\n",
			    (unsigned long long)SUM(conns_open));
	family(out, "ocsp_serve_connections_rejected_total", "counter",
	       "Client connections closed at once by the --max-connections cap.");
	evbuffer_add_printf(out, "ocsp_serve_connections_rejected_total %llu\n",
			    (unsigned long long)SUM(conns_rejected));
	family(out, "ocsp_serve_connections_timed_out_total", "counter",
	       "Client connections closed by the request or idle timeout.");
	evbuffer_add_printf(out, "ocsp_serve_connections_timed_out_total %llu\n",
			    (unsigned long long)SUM(conns_timed_out));
	family(out, "ocsp_serve_open_connections", "gauge",
	       "Client connections open now.");
	evbuffer_add_printf(out, "ocsp_serve_open_connections %llu\n",
			    (unsigned long long)SUM(conns));
	for (int m = 0; m < DB_NFAMILY; m++) {
		family(out, db_family[m].name, db_family[m].type, db_family[m].help);
		for (int i = 0; i < nslots; i++) {
			evbuffer_add_printf(out, "%s{db=\"", db_family[m].name);
			label_value(out, slots[i].path);
			evbuffer_add_printf(out, "\"} %lld\n", db_value(&slots[i], m));
		}
	}
	family(out, "ocsp_serve_lookup_failures_total", "counter",
	       "Lookups that failed other than by not finding the key (answered "
	       "internalError), by file and cause.");
	for (int i = 0; i < nslots; i++)
		for (int f = 0; f < SRV_FAIL_COUNT; f++) {
			evbuffer_add_printf(out, "ocsp_serve_lookup_failures_total{db=\"");
			label_value(out, slots[i].path);
			evbuffer_add_printf(out, "\",cause=\"%s\"} %llu\n",
					    srv_db_fail_name((enum srv_fail)f),
					    (unsigned long long)atomic_load(&slots[i].failures[f]));
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
