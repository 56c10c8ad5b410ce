/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the load generators of tests/bench. Each one runs in ONE
 * thread: client and server ends of a loopback connection live in the
 * same process and are driven in turn, so that no scheduling decision
 * enters the measurement. Under qemu -icount the guest's clock counts
 * instructions: the rates printed are CPU work, whatever the host does.
 *
 * Output: one line of key=value words on stdout, "rate=" first; errors
 * on stderr and exit status 1 (the policy refused what it must accept).
 */
#ifndef TORFW_BENCH_COMMON_H
#define TORFW_BENCH_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noreturn, format(printf, 1, 2)))
static inline void die(const char *fmt, ...);

#include <stdarg.h>
static inline void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

/* "A.B.C.D:PORT" -> sockaddr_in; exits on a malformed argument. */
static inline struct sockaddr_in parse_addr(const char *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host)) {
		fprintf(stderr, "bad address '%s' (want A.B.C.D:PORT)\n", s);
		exit(2);
	}
	memcpy(host, s, colon - s);
	host[colon - s] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "bad address '%s' (want A.B.C.D:PORT)\n", s);
		exit(2);
	}
	a.sin_port = htons((unsigned short)port);
	return a;
}

static inline unsigned long parse_count(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || v == 0) {
		fprintf(stderr, "bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

#endif
