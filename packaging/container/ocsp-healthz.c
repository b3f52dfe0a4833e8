/*
 * ocsp-healthz: the container image's health check.  A FROM scratch image
 * has no curl or shell, so this asks ocsp-serve's metrics listener for
 * /healthz itself: exit 0 on "200", 1 on any other answer or failure.
 *
 *     ocsp-healthz [ADDR:PORT]      (default 127.0.0.1:9090; [::1]:9090)
 *
 * Numeric addresses only (no resolver, so no NSS in a static binary); the
 * whole exchange is bounded by alarm(), whose default action ends the
 * process with a failure status.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* "A.B.C.D:P" or "[V6]:P" into ss; 0 or -1. */
static int parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *colon = strrchr(spec, ':');
	int port;
	size_t n;

	if (!colon || sscanf(colon + 1, "%d", &port) != 1 || port < 1 || port > 65535)
		return -1;
	n = (size_t)(colon - spec);
	if (n >= sizeof(host))
		return -1;
	memcpy(host, spec, n);
	host[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*v6);
		return inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1 ? 0 : -1;
	}
	v4->sin_family = AF_INET;
	v4->sin_port = htons((unsigned short)port);
	*len = sizeof(*v4);
	return inet_pton(AF_INET, host, &v4->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const char req[] = "GET /healthz HTTP/1.0\r\n\r\n";
	const char *spec = argc > 1 ? argv[1] : "127.0.0.1:9090";
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[512];
	size_t got = 0;
	ssize_t r;
	int fd;

	if (argc > 2 || parse_addr(spec, &ss, &len) != 0) {
		fprintf(stderr, "usage: ocsp-healthz [ADDR:PORT] (numeric)\n");
		return 2;
	}
	alarm(3);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0 ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		perror("ocsp-healthz");
		return 1;
	}
	while (got < sizeof(buf) - 1 && (r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(fd);
	/* The body says why (stale, refused files): pass it on to the log. */
	fputs(strstr(buf, "\r\n\r\n") ? strstr(buf, "\r\n\r\n") + 4 : buf, stdout);
	return strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 8, " 200 ", 5) == 0 ? 0 : 1;
}
