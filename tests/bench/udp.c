// SPDX-License-Identifier: GPL-2.0
/*
 * bench-udp DEST COUNT [SIZE] [WARMUP]
 *
 * Small UDP datagrams per second: a connected UDP socket sends COUNT
 * datagrams of SIZE bytes (default 1) to DEST. A send that fails (the
 * policy refused it) ends the run with an error. The receiving end is
 * bench-sink in the LAN namespace.
 *
 * Prints: rate=<datagrams/s> n=<COUNT> secs=<guest seconds>
 */
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static void burst(int fd, const char *buf, size_t size, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (send(fd, buf, size, 0) != (ssize_t)size)
			die("send (datagram %lu)", i);
}

int main(int argc, char **argv)
{
	static char buf[1472];
	struct sockaddr_in a;
	unsigned long n, size = 1, warm = 0;
	double t0, t1;
	int fd;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: %s DEST COUNT [SIZE] [WARMUP]\n",
			argv[0]);
		return 2;
	}
	a = parse_addr(argv[1]);
	n = parse_count(argv[2], "count");
	if (argc >= 4)
		size = parse_count(argv[3], "size");
	if (argc == 5)
		warm = strtoul(argv[4], NULL, 10);
	if (size > sizeof(buf)) {
		fprintf(stderr, "size at most %zu\n", sizeof(buf));
		return 2;
	}

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect %s", argv[1]);
	burst(fd, buf, size, warm);
	t0 = now_s();
	burst(fd, buf, size, n);
	t1 = now_s();
	printf("rate=%.1f n=%lu secs=%.6f\n", n / (t1 - t0), n, t1 - t0);
	return 0;
}
