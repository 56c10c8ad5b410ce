// SPDX-License-Identifier: GPL-2.0
/*
 * bench-conn LISTEN CONNECT COUNT [WARMUP]
 *
 * TCP connection rate: listens on LISTEN, then COUNT times connects to
 * CONNECT (LISTEN itself, or an address a NAT redirect sends there),
 * accepts, closes the server end first and then the client end: a full
 * handshake and teardown per iteration. The server closes first so that
 * TIME_WAIT stays on the listener's side and never exhausts the client's
 * ephemeral ports. WARMUP iterations run untimed first. When CONNECT is
 * not LISTEN, the first accepted connection must report CONNECT as its
 * original destination (SO_ORIGINAL_DST): proof that the redirect, not
 * something else, took the packets there.
 *
 * Prints: rate=<conn/s> n=<COUNT> secs=<guest seconds>
 */
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

/* linux/netfilter_ipv4.h, which clashes with netinet/in.h */
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif

static void one(int lfd, const struct sockaddr_in *dst, int check_orig)
{
	int c, s;

	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0)
		die("socket");
	if (connect(c, (const struct sockaddr *)dst, sizeof(*dst)) < 0)
		die("connect %s:%u", inet_ntoa(dst->sin_addr),
		    ntohs(dst->sin_port));
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		die("accept");
	if (check_orig) {
		struct sockaddr_in o;
		socklen_t len = sizeof(o);

		if (getsockopt(s, SOL_IP, SO_ORIGINAL_DST, &o, &len) < 0)
			die("SO_ORIGINAL_DST (no redirect?)");
		if (o.sin_addr.s_addr != dst->sin_addr.s_addr ||
		    o.sin_port != dst->sin_port) {
			errno = EPROTO;
			die("original destination %s:%u is not the one dialed",
			    inet_ntoa(o.sin_addr), ntohs(o.sin_port));
		}
	}
	close(s);
	close(c);
}

int main(int argc, char **argv)
{
	struct sockaddr_in la, ca;
	unsigned long n, warm = 0, i;
	int lfd, one_ = 1, redirected;
	double t0, t1;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s LISTEN CONNECT COUNT [WARMUP]\n",
			argv[0]);
		return 2;
	}
	la = parse_addr(argv[1]);
	ca = parse_addr(argv[2]);
	n = parse_count(argv[3], "count");
	if (argc == 5)
		warm = strtoul(argv[4], NULL, 10);
	redirected = la.sin_addr.s_addr != ca.sin_addr.s_addr ||
		     la.sin_port != ca.sin_port;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one_, sizeof(one_));
	if (bind(lfd, (struct sockaddr *)&la, sizeof(la)) < 0)
		die("bind %s", argv[1]);
	if (listen(lfd, 128) < 0)
		die("listen");

	for (i = 0; i < warm; i++)
		one(lfd, &ca, redirected && i == 0);
	t0 = now_s();
	for (i = 0; i < n; i++)
		one(lfd, &ca, redirected && warm == 0 && i == 0);
	t1 = now_s();
	printf("rate=%.1f n=%lu secs=%.6f\n", n / (t1 - t0), n, t1 - t0);
	return 0;
}
