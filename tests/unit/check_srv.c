/* srv_req and srv_cache: request parsing, GET decoding, cache headers. */
#include <check.h>

#include "check_run.h"
#include <string.h>
#include <openssl/ocsp.h>

#include "op_key.h"
#include "op_rec.h"
#include "srv_cache.h"
#include "srv_http.h"
#include "srv_metrics.h"

#include <event2/buffer.h>
#include <stdlib.h>
#include "srv_req.h"

/* Build a DER OCSPRequest with n CertIDs (md, serial + i) via OpenSSL. */
static int make_req(const EVP_MD *md, int n, int nonce, uint8_t *out,
		    OCSP_CERTID **first)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	X509_NAME *nm = X509_NAME_new();
	ASN1_BIT_STRING *pub = ASN1_BIT_STRING_new();
	unsigned char *p = out;
	int len;

	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
				   (const unsigned char *)"Test CA", -1, -1, 0);
	ASN1_BIT_STRING_set(pub, (unsigned char *)"key bits", 8);
	for (int i = 0; i < n; i++) {
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		OCSP_CERTID *cid;

		ASN1_INTEGER_set(sn, 0x1080 + i);	/* 0x80: needs a 00 */
		cid = OCSP_cert_id_new(md, nm, pub, sn);
		if (i == 0 && first)
			*first = OCSP_CERTID_dup(cid);
		OCSP_request_add0_id(req, cid);
		ASN1_INTEGER_free(sn);
	}
	if (nonce)
		OCSP_request_add1_nonce(req, NULL, 16);
	len = i2d_OCSP_REQUEST(req, &p);
	OCSP_REQUEST_free(req);
	X509_NAME_free(nm);
	ASN1_BIT_STRING_free(pub);
	return len;
}

START_TEST(parse_matches_openssl_key)
{
	const EVP_MD *mds[] = { EVP_sha1(), EVP_sha256() };

	for (int m = 0; m < 2; m++) {
		for (int nonce = 0; nonce < 2; nonce++) {
			uint8_t der[2048], k1[OP_KEY_MAX], k2[OP_KEY_MAX];
			size_t n1, n2;
			OCSP_CERTID *cid;
			int len = make_req(mds[m], 1, nonce, der, &cid);

			ck_assert_int_gt(len, 0);
			ck_assert_int_eq(srv_req_parse(der, (size_t)len, k1, &n1), SRV_REQ_OK);
			ck_assert_int_eq(op_key_from_certid(cid, k2, &n2), 0);
			ck_assert_int_eq(n1 == n2 && memcmp(k1, k2, n1) == 0, 1);
			OCSP_CERTID_free(cid);
		}
	}
}
END_TEST

START_TEST(parse_rejects)
{
	uint8_t der[4096], key[OP_KEY_MAX];
	size_t n;
	int len = make_req(EVP_sha1(), 2, 0, der, NULL);

	ck_assert_int_eq(srv_req_parse(der, (size_t)len, key, &n), SRV_REQ_MALFORMED);
	len = make_req(EVP_sha1(), 1, 0, der, NULL);
	/* Every truncation is malformed, never a crash or a key. */
	for (int cut = 0; cut < len; cut++)
		ck_assert_int_eq(srv_req_parse(der, (size_t)cut, key, &n), SRV_REQ_MALFORMED);
	/* Trailing garbage. */
	der[len] = 0;
	ck_assert_int_eq(srv_req_parse(der, (size_t)len + 1, key, &n), SRV_REQ_MALFORMED);
	ck_assert_int_eq(srv_req_parse((const uint8_t *)"", 0, key, &n), SRV_REQ_MALFORMED);
	/* MD5 CertID: well-formed but never signed by us. */
	len = make_req(EVP_md5(), 1, 0, der, NULL);
	ck_assert_int_eq(srv_req_parse(der, (size_t)len, key, &n), SRV_REQ_UNKNOWN_HASH);
}
END_TEST

START_TEST(parse_absent_params)
{
	uint8_t der[2048], k1[OP_KEY_MAX], k2[OP_KEY_MAX];
	size_t n1, n2;
	int len = make_req(EVP_sha256(), 1, 0, der, NULL);

	ck_assert_int_eq(srv_req_parse(der, (size_t)len, k1, &n1), SRV_REQ_OK);
	/* Drop the NULL parameters (05 00) and fix the five lengths above. */
	for (int j = 0; j + 1 < len; j++) {
		if (der[j] == 0x05 && der[j + 1] == 0x00) {
			memmove(der + j, der + j + 2, (size_t)(len - j - 2));
			len -= 2;
			break;
		}
	}
	for (int off = 1; off <= 11; off += 2)
		der[off] -= 2;	/* OCSPRequest, TBS, list, Request, CertID, AlgId */
	ck_assert_int_eq(srv_req_parse(der, (size_t)len, k2, &n2), SRV_REQ_OK);
	ck_assert_int_eq(n1 == n2 && memcmp(k1, k2, n1) == 0, 1);
}
END_TEST

START_TEST(b64_variants)
{
	uint8_t out[64];
	size_t n;

	ck_assert_int_eq(srv_b64_decode("TWFu", 4, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(out, "Man", 3), 0);
	ck_assert_int_eq(srv_b64_decode("TWE=", 4, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(srv_b64_decode("TWE", 3, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(srv_b64_decode("-_8", 3, out, sizeof(out), &n), 0);
	ck_assert_int_eq(srv_b64_decode("+/8", 3, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(out[0], 0xfb);
	ck_assert_int_ne(srv_b64_decode("T", 1, out, sizeof(out), &n), 0);
	ck_assert_int_ne(srv_b64_decode("TW u", 4, out, sizeof(out), &n), 0);
	ck_assert_int_ne(srv_b64_decode("TWFuTWFu", 8, out, 4, &n), 0);
}
END_TEST

START_TEST(get_paths)
{
	uint8_t out[64];
	size_t n;
	const char *p;

	p = "/ocsp/TWFu";
	ck_assert_int_eq(srv_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	/* '+' is base64, not a space; "//" is kept. */
	p = "/ocsp/+//8";
	ck_assert_int_eq(srv_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[0], 0xfb);
	ck_assert_uint_eq(out[1], 0xff);
	p = "/ocsp/%2B%2F%2F8";
	ck_assert_int_eq(srv_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), 0);
	ck_assert_uint_eq(out[1], 0xff);
	p = "/TWFu";
	ck_assert_int_eq(srv_get_decode(p, strlen(p), "", out, sizeof(out), &n), 0);
	p = "/other/TWFu";
	ck_assert_int_eq(srv_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), -1);
	p = "/ocspTWFu";
	ck_assert_int_eq(srv_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), -1);
	p = "/ocsp/TW%2";
	ck_assert_int_eq(srv_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), -2);
	p = "/ocsp/";
	ck_assert_int_eq(srv_get_decode(p, strlen(p), "/ocsp", out, sizeof(out), &n), -2);
}
END_TEST

START_TEST(cache_headers_fake_clock)
{
	struct op_rec rec = { 0 };
	struct srv_cache_hdrs h;

	rec.this_update = 1795287488;		/* Sat, 21 Nov 2026 18:58:08 */
	rec.next_update = rec.this_update + 7 * 86400;
	memset(rec.etag, 0xab, sizeof(rec.etag));
	srv_cache_headers(&rec, rec.this_update + 3600, 86400, &h);
	ck_assert_str_eq(h.cache_control, "max-age=86400, public, no-transform, must-revalidate");
	ck_assert_str_eq(h.last_modified, "Sat, 21 Nov 2026 18:58:08 GMT");
	ck_assert_str_eq(h.expires, "Sat, 28 Nov 2026 18:58:08 GMT");
	ck_assert_str_eq(h.etag, "\"ABABABABABABABABABABABABABABABAB\"");
	/* Near nextUpdate the remaining time wins over --max-age. */
	srv_cache_headers(&rec, rec.next_update - 120, 86400, &h);
	ck_assert_str_eq(h.cache_control, "max-age=120, public, no-transform, must-revalidate");
	ck_assert_int_eq(srv_etag_match("\"X\", \"ABABABABABABABABABABABABABABABAB\"", h.etag), 1);
	ck_assert_int_eq(srv_etag_match("W/\"ABABABABABABABABABABABABABABABAB\"", h.etag), 1);
	ck_assert_int_eq(srv_etag_match("*", h.etag), 1);
	ck_assert_int_eq(srv_etag_match("\"ABAB\"", h.etag), 0);
}
END_TEST

START_TEST(http_parse)
{
	struct srv_http_req r;
	const char *q;

	q = "POST /ocsp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
	    "application/ocsp-request\r\ncontent-length: 67\r\n\r\nBODY";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.method, SRV_HTTP_POST);
	ck_assert_int_eq(r.content_length, 67);
	ck_assert_int_eq(r.keep_alive, 1);
	ck_assert_uint_eq(r.head_len, strlen(q) - 4);
	ck_assert_int_eq(r.target_len == 5 && memcmp(r.target, "/ocsp", 5) == 0, 1);
	/* Every prefix of the head is "need more", never an error. */
	for (size_t n = 0; n < r.head_len; n++)
		ck_assert_int_eq(srv_http_parse(q, n, 8192, &r), SRV_HTTP_NEED_MORE);

	q = "GET /x HTTP/1.0\nIf-None-Match:  \"AB\" \n\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.keep_alive, 0);
	ck_assert_int_eq(r.if_none_match_len, 4);
	ck_assert_int_eq(memcmp(r.if_none_match, "\"AB\"", 4), 0);

	q = "HEAD / HTTP/1.1\r\nConnection: close\r\nExpect: 100-continue\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.method, SRV_HTTP_HEAD);
	ck_assert_int_eq(r.keep_alive, 0);
	ck_assert_int_eq(r.expect_continue, 1);

	q = "DELETE / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_DONE);
	ck_assert_int_eq(r.method, SRV_HTTP_OTHER);
	ck_assert_int_eq(r.chunked, 1);

	q = "GET / HTTP/2.0\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "garbage\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "GET / HTTP/1.1\r\nX: y\r\n folded\r\n\r\n";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 8192, &r), SRV_HTTP_BAD);
	q = "GET / HTTP/1.1\r\nX: yyyyyyyyyyyyyyyyyyyy";
	ck_assert_int_eq(srv_http_parse(q, strlen(q), 16, &r), SRV_HTTP_TOO_LARGE);
}
END_TEST

START_TEST(http_head)
{
	char out[512];
	size_t n;

	n = srv_http_head(out, sizeof(out), 200, "Sat, 21 Nov 2026 18:58:08 GMT",
			  "application/ocsp-response", 1337, "ETag: \"A\"\r\n", 0);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 200 OK\r\nDate: Sat, 21 Nov 2026 18:58:08 GMT\r\n"
			 "Content-Type: application/ocsp-response\r\n"
			 "Content-Length: 1337\r\nETag: \"A\"\r\n\r\n");
	n = srv_http_head(out, sizeof(out), 304, "D", NULL, -1, NULL, 1);
	out[n] = '\0';
	ck_assert_str_eq(out, "HTTP/1.1 304 Not Modified\r\nDate: D\r\n"
			 "Connection: close\r\n\r\n");
	ck_assert_uint_eq(srv_http_head(out, 20, 200, "D", "x", 1, NULL, 0), 0);
}
END_TEST

START_TEST(metrics_text)
{
	static struct srv_counters a, b;
	struct srv_counters *w[] = { &a, &b };
	struct evbuffer *out = evbuffer_new();
	char *text;
	size_t n;

	srv_metrics_request(&a, SRV_M_POST, SRV_R_GOOD, 75);	/* <= 100 us */
	srv_metrics_request(&b, SRV_M_POST, SRV_R_GOOD, 40);	/* <= 50 us */
	srv_metrics_request(&b, SRV_M_GET, SRV_R_TRYLATER, 500000);	/* +Inf */
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
	ck_assert_ptr_nonnull(strstr(text, "ocsp_serve_connections 2\n"));
	free(text);
	evbuffer_free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("srv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_matches_openssl_key);
	tcase_add_test(tc, parse_rejects);
	tcase_add_test(tc, parse_absent_params);
	tcase_add_test(tc, b64_variants);
	tcase_add_test(tc, get_paths);
	tcase_add_test(tc, cache_headers_fake_clock);
	tcase_add_test(tc, http_parse);
	tcase_add_test(tc, http_head);
	tcase_add_test(tc, metrics_text);
	suite_add_tcase(s, tc);
	return check_run(s);
}
