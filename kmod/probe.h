/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the probe enumeration behind torfw_policy_probe(): probe.c
 * (the core), probe_local.c (loopback, the namespaces' services) and
 * probe_net.c (through a device). The walk's state over two policies,
 * the sorted runs it sweeps, and the helpers the files share.
 */
#ifndef _TORFW_PROBE_H
#define _TORFW_PROBE_H

#include <linux/types.h>

#include "policy.h"

#define PORT_END (1ULL << 16)
#define IP4_END (1ULL << 32)
#define PEER_PORT 40000

/* A sorted run of disjoint ranges (ports or addresses), swept in order. */
enum run_kind {
	RUN_SVC,	/* struct torfw_svc: port_lo..port_hi */
	RUN_PORT,	/* struct torfw_portrange: lo..hi */
	RUN_LAN,	/* struct torfw_range4: lo..hi */
};

struct run {
	const void *v;
	u32 n;
	u32 i;		/* the first range not below the sweep */
	u8 kind;
};

/* An allow-list entry of one of the policies that covers the probe. */
struct covering {
	const struct torfw_policy *p;
	const struct torfw_svc *s;
};

/*
 * One walk over policies a and b: the uids and namespaces that stand for
 * classes of them, and the probe being filled.
 */
struct walk {
	const struct torfw_policy *p[2];	/* a, b */
	int (*fn)(const struct torfw_facts *f, void *arg);
	void *arg;
	u32 nobody;		/* a uid that neither policy names */
	u64 no_ns;		/* a namespace that neither names */
	/* Off loopback a uid counts by its roles: one per combination. */
	u32 role_uid[16];	/* bits: Tor in a, in b, clearnet in a, in b */
	u16 role_have;
	u32 packet_uid[4];	/* bits: packet role in a, in b */
	u8 packet_have;
	/* On IPv4 loopback, Tor role holders by membership (bits as above). */
	u32 *tor[4];
	u32 n_tor[4];
	/* Off loopback: an address per LAN class, a port per refusal class. */
	u32 lan_addr[4];	/* bits: in a's LAN, in b's */
	u8 lan_have;
	u16 port[2][8];		/* bits: refused by a, by b, port 53 */
	u8 port_have[2];
	/* The cgroup names of a probe's socket (facts.cg). */
	const char *cg_names[TORFW_CG_DEPTH_MAX];
	/* The allow-list entries of both policies covering the probe. */
	struct covering cov[4];
	u32 n_cov;
	struct torfw_facts f;
};

/* A probe's owner: a user's socket, a kernel-made one, or none. */
enum who { WHO_UID, WHO_KERNEL, WHO_NONE };

/* probe.c: the sweep, and the facts of a probe and its owner. */
bool torfw_run_covers(const struct run *r, u64 x);
int torfw_sweep(struct walk *w, struct run *runs, u32 n, u32 gate, u64 end,
		int (*fn)(struct walk *w, u64 lo, u64 hi, void *arg),
		void *arg);
struct torfw_facts *torfw_probe_facts(struct walk *w, u8 hook, u8 family,
				      u8 proto, u16 dport);
int torfw_probe_as(struct walk *w, struct torfw_facts *f, u8 who, u32 uid);

/* probe_local.c: loopback services, their namespaces, loopback ICMP. */
int torfw_walk_services(struct walk *w);
int torfw_walk_lo_icmp(struct walk *w);

/* probe_net.c: off loopback, forwarded from namespaces, raw frames. */
int torfw_walk_off_loopback(struct walk *w);
int torfw_walk_forward(struct walk *w);
int torfw_walk_frames(struct walk *w);

#endif /* _TORFW_PROBE_H */
