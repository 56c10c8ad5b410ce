// SPDX-License-Identifier: GPL-2.0
/*
 * bench-rr ADDR COUNT [WARMUP]
 *
 * TCP request/response rate over one established loopback connection:
 * listens on ADDR, connects to it, then COUNT times the client writes one
 * byte, the server reads it and writes one byte back, the client reads
 * it (TCP_NODELAY on both ends). Every segment after the handshake is an
 * ESTABLISHED packet.
 *
 * Prints: rate=<transactions/s> n=<COUNT> secs=<guest seconds>
 */
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static void xfer(int from, int to)
{
	char b = 'x';

	if (write(from, &b, 1) != 1)
		die("write");
	if (read(to, &b, 1) != 1)
		die("read");
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	unsigned long n, warm = 0, i;
	int lfd, c, s, one = 1;
	double t0, t1;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s ADDR COUNT [WARMUP]\n", argv[0]);
		return 2;
	}
	a = parse_addr(argv[1]);
	n = parse_count(argv[2], "count");
	if (argc == 4)
		warm = strtoul(argv[3], NULL, 10);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind %s", argv[1]);
	if (listen(lfd, 1) < 0)
		die("listen");
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect %s", argv[1]);
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		die("accept");
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	for (i = 0; i < warm; i++) {
		xfer(c, s);
		xfer(s, c);
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		xfer(c, s);
		xfer(s, c);
	}
	t1 = now_s();
	printf("rate=%.1f n=%lu secs=%.6f\n", n / (t1 - t0), n, t1 - t0);
	return 0;
}
