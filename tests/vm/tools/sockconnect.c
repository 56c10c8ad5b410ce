// SPDX-License-Identifier: GPL-2.0
/*
 * sockconnect [-e] [-k SECS] [-m PROCS] [-n] [-r HOP] [-t SECS] [-u UID:GID]
 *             [-w FILE] KIND ADDR PORT
 * sockconnect -l KIND ADDR PORT
 *
 * Opens one IPv4 socket of KIND and connects it to ADDR:PORT, the way a
 * program would, to see what the policy does with sockets other than
 * plain TCP and UDP (DESIGN.md section 3: kernel-made sockets):
 *   tcp      socket(AF_INET, SOCK_STREAM, 0)
 *   mptcp    socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP): the kernel makes
 *            the TCP subflows
 *   smc      socket(AF_SMC, SOCK_STREAM, 0): without an SMC peer it falls
 *            back to TCP over a TCP socket the kernel made (no file)
 *   sctp     socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)
 *   dccp     socket(AF_INET, SOCK_DCCP, IPPROTO_DCCP)
 *   udp      socket(AF_INET, SOCK_DGRAM, 0), connect(), one datagram
 *   udplite  socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE), the same
 * For the datagram kinds "connected" means the datagram was sent
 * ("torfw-probe\n"; send() fails at once when the policy rejects it).
 *
 *   -e        then one exchange: "torfw-probe\n" must come back (an echo
 *             server; for the datagram kinds the datagram sent is it)
 *   -w FILE   after connecting (and the exchange), wait until FILE exists
 *             (at most 120 s), then send once more (with -e: exchange
 *             once more): a flow established before a change
 *   -k SECS   keep the connection open SECS seconds before closing it
 *             (MPTCP: time for the subflows the kernel adds later)
 *   -t SECS   how long to wait for a reply (default 3)
 *   -r HOP    an IP_OPTIONS loose source route (LSRR): the packets go to
 *             HOP first, ADDR is the final destination (Linux 6.1 wants
 *             CAP_NET_RAW for it: ip_options_get)
 *   -u U:G    (as root) become uid U, gid G, no groups, keeping only
 *             CAP_NET_RAW, as a program with the file capability
 *             cap_net_raw (ping) runs for a user
 *   -m PROCS  after socket() and before connect(), move this process
 *             into another cgroup (write its pid to the cgroup.procs file
 *             PROCS): a socket keeps the cgroup it was made in
 *   -n        only socket(): does this kernel have KIND?
 *   -l        the other end instead: listen on ADDR:PORT (stream kinds)
 *             and echo what each connection sends, for ever (a process
 *             per connection); prints one line once it listens
 *
 * Prints one line per step: what it did and how it ended, with the errno
 * (strerror text and name: the harness reads "Connection refused") and
 * how long connect() (or the send) took. Exit status: 0 every step
 * succeeded, 1 a step failed, 2 usage, 4 socket() failed because the
 * kernel lacks KIND (EAFNOSUPPORT, EPROTONOSUPPORT, ESOCKTNOSUPPORT).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef AF_SMC
#define AF_SMC 43
#endif

static const char probe[] = "torfw-probe\n";

struct kind {
	const char *name;
	int family, type, proto;
	int dgram;
};

static const struct kind kinds[] = {
	{ "tcp", AF_INET, SOCK_STREAM, 0, 0 },
	{ "mptcp", AF_INET, SOCK_STREAM, IPPROTO_MPTCP, 0 },
	{ "smc", AF_SMC, SOCK_STREAM, 0, 0 },
	{ "sctp", AF_INET, SOCK_STREAM, IPPROTO_SCTP, 0 },
	{ "dccp", AF_INET, SOCK_DCCP, IPPROTO_DCCP, 0 },
	{ "udp", AF_INET, SOCK_DGRAM, 0, 1 },
	{ "udplite", AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, 1 },
};

static char what[160];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say_errno(const char *step, int err, double t)
{
	const char *name = strerrorname_np(err);

	if (t >= 0)
		printf("sockconnect: %s: %s: %s (%s) after %.3fs\n", what, step,
		       strerror(err), name ? name : "?", t);
	else
		printf("sockconnect: %s: %s: %s (%s)\n", what, step,
		       strerror(err), name ? name : "?");
	fflush(stdout);
}

/* Keeps CAP_NET_RAW (permitted and effective) across the uid change. */
static int become(const char *spec)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	unsigned int uid, gid;

	if (sscanf(spec, "%u:%u", &uid, &gid) != 2) {
		fprintf(stderr, "sockconnect: bad -u %s\n", spec);
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) || setgroups(0, NULL) ||
	    setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		say_errno("become uid", errno, -1);
		return -1;
	}
	memset(d, 0, sizeof(d));
	d[0].permitted = d[0].effective = 1U << CAP_NET_RAW;
	if (syscall(SYS_capset, &h, d)) {
		say_errno("capset CAP_NET_RAW", errno, -1);
		return -1;
	}
	return 0;
}

/* The LSRR option: type, length 7, pointer 4, the first hop, padding. */
static int source_route(int fd, const char *hop)
{
	unsigned char opt[8] = { IPOPT_LSRR, 7, 4, 0, 0, 0, 0, IPOPT_END };

	if (inet_pton(AF_INET, hop, opt + 3) != 1) {
		fprintf(stderr, "sockconnect: bad hop %s\n", hop);
		return -1;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, opt, sizeof(opt))) {
		say_errno("setsockopt IP_OPTIONS (LSRR)", errno, -1);
		return -1;
	}
	return 0;
}

/* Sends the probe; with expect, it must come back within secs. */
static int exchange(int fd, int expect, int secs, const char *step)
{
	char buf[64];
	size_t got = 0;
	double t0 = now();
	ssize_t n;
	int left;

	n = send(fd, probe, sizeof(probe) - 1, MSG_NOSIGNAL);
	if (n != (ssize_t)sizeof(probe) - 1) {
		say_errno(step, n < 0 ? errno : EIO, now() - t0);
		return -1;
	}
	if (!expect) {
		printf("sockconnect: %s: %s: sent after %.3fs\n", what, step,
		       now() - t0);
		return 0;
	}
	while (got < sizeof(probe) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		left = (int)((t0 + secs - now()) * 1000);
		if (left <= 0 || poll(&p, 1, left) == 0) {
			printf("sockconnect: %s: %s: no reply: timed out after %.3fs\n",
			       what, step, now() - t0);
			return -1;
		}
		n = recv(fd, buf + got, sizeof(buf) - got, 0);
		if (n <= 0) {
			say_errno(step, n < 0 ? errno : ECONNRESET, now() - t0);
			return -1;
		}
		got += (size_t)n;
	}
	if (got != sizeof(probe) - 1 || memcmp(buf, probe, got)) {
		printf("sockconnect: %s: %s: unexpected reply '%.*s'\n", what,
		       step, (int)got, buf);
		return -1;
	}
	printf("sockconnect: %s: %s: echoed after %.3fs\n", what, step,
	       now() - t0);
	return 0;
}

/* -l: an echo server of the stream kinds (an MPTCP peer: socat has none). */
static int serve(int fd, const struct sockaddr_in *sa)
{
	char buf[4096];
	ssize_t n;
	int one = 1, c;

	signal(SIGCHLD, SIG_IGN);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(fd, 64)) {
		say_errno("listen", errno, -1);
		return 1;
	}
	printf("sockconnect: %s: listening\n", what);
	fflush(stdout);
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			say_errno("accept", errno, -1);
			return 1;
		}
		if (fork() == 0) {
			close(fd);
			while ((n = recv(c, buf, sizeof(buf), 0)) > 0)
				if (send(c, buf, (size_t)n, MSG_NOSIGNAL) != n)
					break;
			_exit(0);
		}
		close(c);
	}
}

static int move_to(const char *procs)
{
	FILE *f = fopen(procs, "w");
	int ok = f && fprintf(f, "%d\n", (int)getpid()) > 0;

	if (f && fclose(f))
		ok = 0;
	if (!ok) {
		say_errno("move", errno, -1);
		return 1;
	}
	printf("sockconnect: %s: moved to %s\n", what, procs);
	return 0;
}

static int wait_file(const char *file)
{
	struct stat st;
	int i;

	for (i = 0; i < 120 * 20; i++) {
		if (!stat(file, &st))
			return 0;
		usleep(50000);
	}
	printf("sockconnect: %s: %s never appeared\n", what, file);
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *hop = NULL, *user = NULL, *file = NULL, *procs = NULL;
	const struct kind *k = NULL;
	int opt, fd, echo = 0, only = 0, listening = 0, secs = 3, keep = 0;
	int err;
	double t0, t;
	size_t i;

	while ((opt = getopt(argc, argv, "ek:lm:nr:t:u:w:")) != -1) {
		switch (opt) {
		case 'e':
			echo = 1;
			break;
		case 'k':
			keep = atoi(optarg);
			break;
		case 'l':
			listening = 1;
			break;
		case 'm':
			procs = optarg;
			break;
		case 'n':
			only = 1;
			break;
		case 'r':
			hop = optarg;
			break;
		case 't':
			secs = atoi(optarg);
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			file = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 3)
		goto usage;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[optind], kinds[i].name))
			k = &kinds[i];
	if (!k || inet_pton(AF_INET, argv[optind + 1], &sa.sin_addr) != 1)
		goto usage;
	sa.sin_port = htons((unsigned short)atoi(argv[optind + 2]));
	if (user && become(user))
		return 1;
	snprintf(what, sizeof(what), "%s %s:%s%s%s uid=%u", k->name,
		 argv[optind + 1], argv[optind + 2], hop ? " via " : "",
		 hop ? hop : "", getuid());

	fd = socket(k->family, k->type, k->proto);
	if (fd < 0) {
		err = errno;
		say_errno("socket", err, -1);
		return err == EAFNOSUPPORT || err == EPROTONOSUPPORT ||
		       err == ESOCKTNOSUPPORT ? 4 : 1;
	}
	if (only) {
		printf("sockconnect: %s: socket() works\n", what);
		return 0;
	}
	if (listening)
		return k->dgram ? 2 : serve(fd, &sa);
	if (hop && source_route(fd, hop))
		return 1;
	if (procs && move_to(procs))
		return 1;

	t0 = now();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		say_errno("connect", errno, now() - t0);
		return 1;
	}
	t = now() - t0;
	if (k->dgram) {
		if (exchange(fd, echo, secs, "send"))
			return 1;
	} else {
		printf("sockconnect: %s: connected after %.3fs\n", what, t);
		fflush(stdout);
		if (echo && exchange(fd, 1, secs, "exchange"))
			return 1;
	}
	fflush(stdout);
	if (file) {
		if (wait_file(file) ||
		    exchange(fd, echo, secs, "after the change"))
			return 1;
	}
	if (keep > 0)
		sleep((unsigned int)keep);
	close(fd);
	return 0;
usage:
	fprintf(stderr,
		"usage: %s [-e] [-k SECS] [-n] [-r HOP] [-t SECS] [-u UID:GID] [-w FILE] KIND ADDR PORT\n"
		"       %s -l KIND ADDR PORT\n"
		"KIND: tcp mptcp smc sctp dccp udp udplite\n",
		argv[0], argv[0]);
	return 2;
}
