// SPDX-License-Identifier: GPL-2.0
/*
 * bench-bulk ADDR MBYTES [WARMUP_MBYTES]
 *
 * Loopback TCP bulk throughput: listens on ADDR, connects to it, then
 * moves MBYTES MiB from the client to the server in 64 KiB writes. Both
 * ends are non-blocking and driven in turn by one thread (write until
 * the socket is full, read until it is empty), so the flow control of
 * TCP alone paces the transfer.
 *
 * Prints: rate=<MiB/s> n=<MBYTES> secs=<guest seconds> segs=<received
 * segments, from the server's TCP_INFO>
 */
#include <fcntl.h>
#include <linux/tcp.h>	/* tcpi_segs_in, newer than glibc's */
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

#define CHUNK 65536

static char buf[CHUNK];

static void nonblock(int fd)
{
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		die("fcntl");
}

static void move(int c, int s, unsigned long long total)
{
	unsigned long long sent = 0, got = 0;
	ssize_t r;

	while (got < total) {
		while (sent < total) {
			size_t len = total - sent < CHUNK ? total - sent : CHUNK;

			r = write(c, buf, len);
			if (r < 0) {
				if (errno == EAGAIN)
					break;
				die("write");
			}
			sent += r;
		}
		for (;;) {
			r = read(s, buf, CHUNK);
			if (r < 0) {
				if (errno == EAGAIN)
					break;
				die("read");
			}
			if (r == 0) {
				errno = EPIPE;
				die("read: early EOF");
			}
			got += r;
		}
	}
}

static unsigned int segs_in(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_segs_in;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	unsigned long mb, warm = 0;
	unsigned int segs0;
	int lfd, c, s, one = 1;
	double t0, t1;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s ADDR MBYTES [WARMUP_MBYTES]\n",
			argv[0]);
		return 2;
	}
	a = parse_addr(argv[1]);
	mb = parse_count(argv[2], "MiB count");
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
	nonblock(c);
	nonblock(s);
	memset(buf, 'x', sizeof(buf));

	if (warm)
		move(c, s, (unsigned long long)warm << 20);
	segs0 = segs_in(s);
	t0 = now_s();
	move(c, s, (unsigned long long)mb << 20);
	t1 = now_s();
	printf("rate=%.2f n=%lu secs=%.6f segs=%u\n", mb / (t1 - t0), mb,
	       t1 - t0, segs_in(s) - segs0);
	return 0;
}
