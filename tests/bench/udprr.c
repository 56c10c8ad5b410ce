// SPDX-License-Identifier: GPL-2.0
/*
 * bench-udprr DEST COUNT [WARMUP]
 *
 * UDP request/response from an unconnected socket (sendto/recvfrom, as a
 * resolver does): COUNT times one byte to DEST and the echo back from
 * bench-echo in the LAN namespace. Replies to an unconnected socket are
 * what a filter must tell from unsolicited datagrams. A reply that does
 * not come within a second ends the run with an error.
 *
 * Prints: rate=<transactions/s> n=<COUNT> secs=<guest seconds>
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common.h"

static void rr(int fd, const struct sockaddr_in *a, unsigned long n)
{
	unsigned long i;
	char b = 'x';

	for (i = 0; i < n; i++) {
		if (sendto(fd, &b, 1, 0, (const struct sockaddr *)a,
			   sizeof(*a)) != 1)
			die("sendto (transaction %lu)", i);
		if (recvfrom(fd, &b, 1, 0, NULL, NULL) != 1)
			die("recvfrom (transaction %lu)", i);
	}
}

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 1 };
	struct sockaddr_in a;
	unsigned long n, warm = 0;
	double t0, t1;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s DEST COUNT [WARMUP]\n", argv[0]);
		return 2;
	}
	a = parse_addr(argv[1]);
	n = parse_count(argv[2], "count");
	if (argc == 4)
		warm = strtoul(argv[3], NULL, 10);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	rr(fd, &a, warm);
	t0 = now_s();
	rr(fd, &a, n);
	t1 = now_s();
	printf("rate=%.1f n=%lu secs=%.6f\n", n / (t1 - t0), n, t1 - t0);
	return 0;
}
