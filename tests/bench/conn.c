// SPDX-License-Identifier: GPL-2.0
/*
 * bench-conn LISTEN CONNECT COUNT [WARMUP [MAXSECS [HOLD]]]
 *
 * TCP connection rate: listens on LISTEN, then COUNT times connects to
 * CONNECT (LISTEN itself, or an address a NAT redirect sends there),
 * accepts, closes the server end first and then the client end: a full
 * handshake and teardown per iteration. The server closes first so that
 * TIME_WAIT stays on the listener's side and never exhausts the client's
 * ephemeral ports. WARMUP iterations run untimed first. When CONNECT is
 * not LISTEN, the first accepted connection must report CONNECT as its
 * original destination (SO_ORIGINAL_DST): proof that the redirect, not
 * something else, took the packets there. With MAXSECS, the timed part
 * also stops after that many guest seconds (checked every 16
 * connections): a bounded window for the slow cases (a 10,000-rule
 * linear chain), the same count for the others. With HOLD, that many
 * connections are opened first and stay open during the whole run: the
 * cost of the connections a busy machine has open (a tracking table
 * holds them, a stateless filter does not care).
 *
 * Prints: rate=<conn/s> n=<connections timed> secs=<guest seconds>
 *         max_ms=<slowest connection> slow=<connections over 10 ms>
 * (a stall, such as a SYN retransmitted after a drop, shows there).
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

/* linux/netfilter_ipv4.h, which clashes with netinet/in.h */
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif

/* Opens a connection to dst and accepts it: *c the client, *s the server. */
static void open_pair(int lfd, const struct sockaddr_in *dst, int *c, int *s)
{
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (*c < 0)
		die("socket");
	if (connect(*c, (const struct sockaddr *)dst, sizeof(*dst)) < 0)
		die("connect (held)");
	*s = accept(lfd, NULL, NULL);
	if (*s < 0)
		die("accept (held)");
}

/* HOLD connections, open until exit; the descriptors are raised to fit. */
static void hold(int lfd, const struct sockaddr_in *dst, unsigned long n)
{
	struct rlimit r;
	unsigned long i;
	int c, s;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < 2 * n + 16) {
		r.rlim_cur = 2 * n + 16 < r.rlim_max ? 2 * n + 16 : r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
	for (i = 0; i < n; i++)
		open_pair(lfd, dst, &c, &s);
}

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
	unsigned long n, warm = 0, held = 0, i, slow = 0;
	int lfd, one_ = 1, redirected;
	double t0, t1, maxsecs = 0, max = 0;

	if (argc < 4 || argc > 7) {
		fprintf(stderr,
			"usage: %s LISTEN CONNECT COUNT [WARMUP [MAXSECS [HOLD]]]\n",
			argv[0]);
		return 2;
	}
	la = parse_addr(argv[1]);
	ca = parse_addr(argv[2]);
	n = parse_count(argv[3], "count");
	if (argc >= 5)
		warm = strtoul(argv[4], NULL, 10);
	if (argc >= 6)
		maxsecs = strtod(argv[5], NULL);
	if (argc == 7)
		held = strtoul(argv[6], NULL, 10);
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
	hold(lfd, &ca, held);

	for (i = 0; i < warm; i++)
		one(lfd, &ca, redirected && i == 0);
	t0 = now_s();
	t1 = t0;
	for (i = 0; i < n; i++) {
		double t = t1;

		one(lfd, &ca, redirected && warm == 0 && i == 0);
		t1 = now_s();
		if (t1 - t > max)
			max = t1 - t;
		if (t1 - t > 0.01)
			slow++;
		if (maxsecs > 0 && t1 - t0 > maxsecs) {
			i++;
			break;
		}
	}
	printf("rate=%.1f n=%lu secs=%.6f max_ms=%.3f slow=%lu\n",
	       i / (t1 - t0), i, t1 - t0, max * 1e3, slow);
	return 0;
}
