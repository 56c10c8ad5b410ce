// SPDX-License-Identifier: GPL-2.0
/*
 * bench-echo PORT
 *
 * The LAN host's end of bench-udprr: a UDP socket bound to PORT on every
 * address that sends each datagram back to where it came from. Runs until
 * killed.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, from;
	socklen_t len;
	char buf[2048];
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PORT\n", argv[0]);
		return 2;
	}
	a.sin_port = htons((unsigned short)parse_count(argv[1], "port"));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind");
	for (;;) {
		len = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &len);
		if (n >= 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
			       len);
	}
}
