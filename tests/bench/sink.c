// SPDX-License-Identifier: GPL-2.0
/*
 * bench-sink PORT
 *
 * The LAN host's end of bench-udp: a UDP socket bound to PORT on every
 * address, with the smallest receive buffer, that never reads. Once the
 * buffer is full each datagram is dropped on arrival, at the same cost
 * for every contender, and no ICMP port-unreachable ever comes back (it
 * would turn the sender's next send() into ECONNREFUSED). Runs until
 * killed.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, small = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PORT\n", argv[0]);
		return 2;
	}
	a.sin_port = htons((unsigned short)parse_count(argv[1], "port"));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind");
	for (;;)
		pause();
}
