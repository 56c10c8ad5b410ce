// SPDX-License-Identifier: GPL-2.0
/*
 * What the module defines outside the shared files (report.c, the
 * kernel's init_net) for the userspace build of its policy code.
 */
#include <time.h>

#include "kshim.h"

#include "policy.h"

/* Cookies of torfwctl's namespace table start at 2: 1 is the host's. */
struct net init_net = { .net_cookie = 1 };
atomic_t torfw_objects;

u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}
