/* srv_worker: a worker thread on a real loopback socket: accept, pipelined
 * answers over TCP, the connection cap, the access log, stopping. */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "check_fixture.h"
#include "check_run.h"
#include "op_time.h"
#include "srv_worker.h"

#define T0 1795287488

static char dir[] = "/tmp/check_worker.XXXXXX", path[64], logpath[64];
static struct srv_cfg cfg;
static struct srv_worker w;
static int lfd, port;
static uint8_t req[256];
static int reqlen;

static void setup(void)
{
	uint8_t key[OP_KEY_MAX];
	size_t keylen;
	struct test_resp r;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	snprintf(logpath, sizeof(logpath), "%s/access.log", dir);
	reqlen = fx_request(EVP_sha1(), 0x1001, req, key, &keylen);
	r = (struct test_resp){ key, keylen, OP_STATUS_GOOD, T0, T0 + 86400, "GOOD-DER" };
	fx_db(path, T0, &r, 1);
	op_time_set_fake(T0 + 60);
	ck_assert_int_eq(srv_db_slot_init(&cfg.slots[0], path), 0);
	cfg.nslots = 1;
	cfg.prefix = "";
	cfg.max_age = 3600;
	ck_assert_int_eq(srv_alog_open(&cfg.alog, logpath), 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 16), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
}

static void teardown(void)
{
	char cmd[128];

	close(lfd);
	srv_db_slot_destroy(&cfg.slots[0]);
	srv_alog_close(&cfg.alog);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	op_time_set_fake(-1);
}

static int client(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Occurrences of what in buf[0..n) (answers hold NUL octets). */
static int count(const char *buf, size_t n, const char *what)
{
	size_t wl = strlen(what);
	int c = 0;

	for (const char *p = buf; (p = memmem(p, n - (size_t)(p - buf), what, wl)) != NULL; p++)
		c++;
	return c;
}

/* Read until the peer closes or `want` answers have come. */
static size_t read_all(int fd, char *buf, size_t cap, int want)
{
	size_t n = 0;

	for (int i = 0; i < 1000 && n + 1 < cap; i++) {
		ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);

		if (k <= 0)
			break;
		n += (size_t)k;
		if (want && count(buf, n, "GOOD-DER") >= want)
			break;
	}
	buf[n] = '\0';
	return n;
}

static void stop(pthread_t t)
{
	atomic_store(&cfg.stopping, 1);	/* seen on the next tick */
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	srv_worker_destroy(&w);
}

START_TEST(pipelined_over_tcp)
{
	char one[512], *many, answer[65536];
	pthread_t t;
	size_t n, len;
	FILE *f;
	int fd, lines = 0, ch;

	ck_assert_int_eq(srv_worker_init(&w, &cfg, &lfd, 1, 4), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, srv_worker_main, &w), 0);
	n = (size_t)sprintf(one, "POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n", reqlen);
	memcpy(one + n, req, (size_t)reqlen);
	n += (size_t)reqlen;
	many = malloc(n * 20);
	for (int i = 0; i < 20; i++)
		memcpy(many + i * n, one, n);
	fd = client();
	ck_assert_int_eq(send(fd, many, n * 20, 0), (ssize_t)(n * 20));
	len = read_all(fd, answer, sizeof(answer), 20);
	ck_assert_int_eq(count(answer, len, "HTTP/1.1 200 OK\r\n"), 20);
	close(fd);
	stop(t);
	ck_assert_uint_eq(w.stats.requests[SRV_HTTP_POST][SRV_R_GOOD], 20);
	/* The worker wrote its access log buffer when it stopped. */
	ck_assert_ptr_nonnull(f = fopen(logpath, "r"));
	while ((ch = fgetc(f)) != EOF)
		lines += ch == '\n';
	fclose(f);
	ck_assert_int_eq(lines, 20);
	free(many);
}
END_TEST

START_TEST(connection_cap)
{
	char buf[256];
	pthread_t t;
	int fds[3];

	ck_assert_int_eq(srv_worker_init(&w, &cfg, &lfd, 1, 2), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, srv_worker_main, &w), 0);
	for (int i = 0; i < 3; i++)
		fds[i] = client();
	/* The third is closed at once: it reads end of file. */
	ck_assert_int_eq(recv(fds[2], buf, sizeof(buf), 0), 0);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	stop(t);
	ck_assert_uint_eq(w.stats.conns_rejected, 1);
	ck_assert_uint_eq(w.stats.conns_open, 2);
}
END_TEST

/* Wait until the worker has n connections open (it alone writes the
 * gauge; a relaxed read sees it settle). */
static int wait_conns(uint64_t n)
{
	for (int i = 0; i < 500; i++) {
		if (atomic_load(&w.stats.conns) == n)
			return 1;
		usleep(10000);
	}
	return 0;
}

static void ask(int fd)
{
	char one[512], answer[4096];
	size_t n = (size_t)sprintf(one, "POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n",
				   reqlen);

	memcpy(one + n, req, (size_t)reqlen);
	ck_assert_int_eq(send(fd, one, n + (size_t)reqlen, 0), (ssize_t)(n + (size_t)reqlen));
	ck_assert_int_eq(count(answer, read_all(fd, answer, sizeof(answer), 1), "GOOD-DER"), 1);
}

/* Connections are reused from the free list: one that was the older of
 * two, reused while the other stays open, must not carry its old place in
 * the open list (stopping would then never end). */
START_TEST(connections_reused)
{
	pthread_t t;
	int a, b, c;

	ck_assert_int_eq(srv_worker_init(&w, &cfg, &lfd, 1, 4), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, srv_worker_main, &w), 0);
	a = client();
	ask(a);
	b = client();
	ask(b);
	close(a);
	ck_assert(wait_conns(1));
	c = client();		/* a's connection, reused */
	ask(c);
	ask(b);
	close(c);
	ck_assert(wait_conns(1));
	ask(b);
	close(b);
	ck_assert(wait_conns(0));
	stop(t);
	ck_assert_uint_eq(w.stats.conns_open, 3);
	ck_assert_uint_eq(w.stats.requests[SRV_HTTP_POST][SRV_R_GOOD], 5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("srv_worker");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pipelined_over_tcp);
	tcase_add_test(tc, connection_cap);
	tcase_add_test(tc, connections_reused);
	suite_add_tcase(s, tc);
	return check_run(s);
}
