// SPDX-License-Identifier: GPL-2.0
/*
 * origdst ADDR PORT [COUNT]: a stand-in for Tor's TransPort in the VM.
 *
 * Listens on ADDR:PORT (IPv4), accepts COUNT connections (default: for
 * ever) and for each asks conntrack through getsockopt(SO_ORIGINAL_DST)
 * which address and port the client dialed before the NAT redirect. The
 * answer, "A.B.C.D:PORT" or "none:ERRNO-NAME", is printed on stdout (one
 * line, flushed) and written back to the client, so that a probe run as
 * another uid learns it through its own connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter_ipv4.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void answer(int fd)
{
	struct sockaddr_in dst;
	socklen_t len = sizeof(dst);
	char addr[INET_ADDRSTRLEN], line[64];
	ssize_t n;

	memset(&dst, 0, sizeof(dst));
	if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &dst, &len) == 0 &&
	    inet_ntop(AF_INET, &dst.sin_addr, addr, sizeof(addr)))
		snprintf(line, sizeof(line), "%s:%u\n", addr,
			 ntohs(dst.sin_port));
	else
		snprintf(line, sizeof(line), "none:%s\n", strerrorname_np(errno));
	fputs(line, stdout);
	fflush(stdout);
	n = write(fd, line, strlen(line));
	(void)n;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long count = -1;
	int one = 1, lfd, fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s ADDR PORT [COUNT]\n", argv[0]);
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "origdst: bad address %s\n", argv[1]);
		return 2;
	}
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	if (argc == 4)
		count = atol(argv[3]);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 16)) {
		perror("origdst: listen");
		return 1;
	}
	while (count < 0 || count-- > 0) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			perror("origdst: accept");
			return 1;
		}
		answer(fd);
		close(fd);
	}
	close(lfd);
	return 0;
}
