/* srv_metrics: counters, the Prometheus text, /healthz. */
#include <check.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "check_fixture.h"
#include "check_run.h"
#include "srv_metrics.h"

#include <unistd.h>

#define T0 1795287488

static char *text_of(struct evbuffer *out)
{
	size_t n = evbuffer_get_length(out);
	char *text = malloc(n + 1);

	evbuffer_remove(out, text, n);
	text[n] = '\0';
	return text;
}

START_TEST(metrics_text)
{
	static struct srv_counters a, b;
	struct srv_counters *w[] = { &a, &b };
	struct evbuffer *out = evbuffer_new();
	char *text;
	size_t n;

	srv_metrics_request(&a, SRV_HTTP_POST, SRV_R_GOOD, 75);	/* <= 100 us */
	srv_metrics_request(&b, SRV_HTTP_POST, SRV_R_GOOD, 40);	/* <= 50 us */
	srv_metrics_request(&b, SRV_HTTP_GET, SRV_R_TRYLATER, 500000);	/* +Inf */
	srv_counter_add(&a.conns, 3);
	srv_counter_add(&a.conns, -1);
	srv_metrics_render(out, w, 2, NULL, 0);
	n = evbuffer_get_length(out);
	text = malloc(n + 1);
	evbuffer_remove(out, text, n);
	text[n] = '\0';
	ck_assert_ptr_nonnull(strstr(text, "ocsp_serve_requests_total{method=\"POST\",result=\"good\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "ocsp_serve_requests_total{method=\"GET\",result=\"tryLater\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "seconds_bucket{le=\"5e-05\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "seconds_bucket{le=\"0.0001\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "seconds_bucket{le=\"0.1\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "seconds_bucket{le=\"+Inf\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(text, "ocsp_serve_request_duration_seconds_count 3\n"));
	ck_assert_ptr_nonnull(strstr(text, "ocsp_serve_open_connections 2\n"));
	free(text);
	evbuffer_free(out);
}
END_TEST

/* Refusals: one line per status, apart from the OCSP results; a status
 * not in the table counts as 500. */
START_TEST(rejected_by_status)
{
	static struct srv_counters a;
	struct srv_counters *w[] = { &a };
	struct evbuffer *out = evbuffer_new();
	static const int statuses[] = { 400, 400, 405, 411, 413, 431, 431, 431, 418 };
	char *text;

	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		srv_metrics_rejected(&a, statuses[i]);
	srv_metrics_render(out, w, 1, NULL, 0);
	text = text_of(out);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE ocsp_serve_requests_rejected_total counter\n"
				     "ocsp_serve_requests_rejected_total{status=\"400\"} 2\n"
				     "ocsp_serve_requests_rejected_total{status=\"405\"} 1\n"
				     "ocsp_serve_requests_rejected_total{status=\"411\"} 1\n"
				     "ocsp_serve_requests_rejected_total{status=\"413\"} 1\n"
				     "ocsp_serve_requests_rejected_total{status=\"431\"} 3\n"
				     "ocsp_serve_requests_rejected_total{status=\"500\"} 1\n"));
	ck_assert_ptr_null(strstr(text, "result=\"rejected\""));
	ck_assert_ptr_nonnull(strstr(text, "ocsp_serve_request_duration_seconds_count 0\n"));
	free(text);
	evbuffer_free(out);
}
END_TEST

START_TEST(files_and_health)
{
	char dir[] = "/tmp/check_metrics.XXXXXX", path[64], want[128], *text;
	uint8_t key[2] = { 1, 1 };
	struct test_resp r = { key, 2, OP_STATUS_GOOD, T0, T0 + 86400, "DER" };
	struct srv_slot slot;
	struct evbuffer *out = evbuffer_new();

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	fx_db(path, T0 + 5, &r, 1);
	ck_assert_int_eq(srv_db_slot_init(&slot, path), 0);
	/* The same file twice: nothing to do, each look counted. */
	ck_assert_int_eq(srv_db_slot_check(&slot), 0);
	ck_assert_int_eq(srv_db_slot_check(&slot), 0);
	srv_metrics_render(out, NULL, 0, &slot, 1);
	text = text_of(out);
	snprintf(want, sizeof(want), "ocsp_serve_db_checks_total{db=\"%s\"} 2\n", path);
	ck_assert_ptr_nonnull(strstr(text, want));
	ck_assert_ptr_nonnull(strstr(text, "_generated_timestamp_seconds{db=\""));
	ck_assert_ptr_nonnull(strstr(text, "} 1795287493\n"));
	ck_assert_ptr_nonnull(strstr(text, "ocsp_serve_db_responses{db=\""));
	free(text);
	ck_assert_int_eq(srv_metrics_health(out, &slot, 1, T0 + 86399), 1);
	text = text_of(out);
	ck_assert_str_eq(text, "ok\n");
	free(text);
	/* At nextUpdate the file holds stale responses. */
	ck_assert_int_eq(srv_metrics_health(out, &slot, 1, T0 + 86400), 0);
	text = text_of(out);
	ck_assert_ptr_nonnull(strstr(text, "stale: "));
	ck_assert_ptr_nonnull(strstr(text, "unhealthy\n"));
	free(text);
	srv_db_slot_destroy(&slot);
	evbuffer_free(out);
	unlink(path);
	rmdir(dir);
}
END_TEST

CHECK_MAIN("srv_metrics", NULL, NULL, rejected_by_status,
	   metrics_text, files_and_health)
