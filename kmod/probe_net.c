// SPDX-License-Identifier: GPL-2.0
/*
 * The probes through a device (the list is at the top of probe.c):
 * locally generated packets by role class, against the pieces of the LAN
 * ranges and of the port refusals; source routes and IPv6; packets
 * forwarded from namespaces; raw frames of packet sockets.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>

#include "probe.h"

/* Protocols off loopback and the refusals they meet (decide.c). */
static const struct {
	u8 proto;
	u8 cls;		/* 0: tcp's refusals, 1: udp's */
} off_protos[] = {
	{ IPPROTO_TCP, 0 }, { IPPROTO_SCTP, 0 }, { IPPROTO_DCCP, 0 },
	{ IPPROTO_UDP, 1 }, { IPPROTO_UDPLITE, 1 },
};

static const u8 cls_proto[2] = { IPPROTO_TCP, IPPROTO_UDP };

/* The LAN refusals of one protocol, in port order. */
static struct run refuse_run(const struct torfw_policy *p, u8 proto)
{
	u32 first = 0, end;

	while (first < p->n_refuse && p->refuse[first].proto < proto)
		first++;
	for (end = first; end < p->n_refuse && p->refuse[end].proto == proto;)
		end++;
	return (struct run){ .kind = RUN_PORT, .v = p->refuse + first,
			     .n = end - first };
}

/* Off loopback and out of a namespace: each role class, kernel, none. */
static int probe_off_owners(struct walk *w, struct torfw_facts *f)
{
	u32 c;
	int ret;

	for (c = 0; c < 16; c++) {
		if (!(w->role_have & BIT(c)))
			continue;
		ret = torfw_probe_as(w, f, WHO_UID, w->role_uid[c]);
		if (ret)
			return ret;
	}
	ret = torfw_probe_as(w, f, WHO_KERNEL, 0);
	if (!ret)
		ret = torfw_probe_as(w, f, WHO_NONE, 0);
	return ret;
}

static int probe_off(struct walk *w, u32 addr, u8 proto, u16 port, bool srr)
{
	struct torfw_facts *f;

	f = torfw_probe_facts(w, TORFW_HOOK_OUT, AF_INET, proto, port);
	f->daddr.ip = htonl(addr);
	f->srr = srr;
	return probe_off_owners(w, f);
}

static u8 lan_class(const struct walk *w, u32 addr)
{
	return torfw_in_lan(w->p[0], htonl(addr)) |
	       torfw_in_lan(w->p[1], htonl(addr)) << 1;
}

static u8 port_class(const struct walk *w, u8 cls, u16 port)
{
	return torfw_lan_refused(w->p[0], cls_proto[cls], port) |
	       torfw_lan_refused(w->p[1], cls_proto[cls], port) << 1 |
	       (port == 53) << 2;
}

static int lan_rep_piece(struct walk *w, u64 lo, u64 hi, void *arg)
{
	u8 c = lan_class(w, lo);

	if (!(w->lan_have & BIT(c))) {
		w->lan_have |= BIT(c);
		w->lan_addr[c] = lo;
	}
	return 0;
}

static int port_rep_piece(struct walk *w, u64 lo, u64 hi, void *arg)
{
	u8 cls = *(u8 *)arg, c = port_class(w, cls, lo);

	if (!(w->port_have[cls] & BIT(c))) {
		w->port_have[cls] |= BIT(c);
		w->port[cls][c] = lo;
	}
	return 0;
}

/* An address of the LAN pieces: every protocol, every class of ports. */
static int probe_lan_addr(struct walk *w, u32 addr)
{
	u32 i, c;
	int ret;

	for (i = 0; i < ARRAY_SIZE(off_protos); i++) {
		u8 cls = off_protos[i].cls;

		for (c = 0; c < 8; c++) {
			if (!(w->port_have[cls] & BIT(c)))
				continue;
			ret = probe_off(w, addr, off_protos[i].proto,
					w->port[cls][c], false);
			if (ret)
				return ret;
		}
	}
	/* Without ports: ICMP (no kernel socket opens with it), GRE. */
	ret = probe_off(w, addr, IPPROTO_ICMP, 0, false);
	if (!ret)
		ret = probe_off(w, addr, IPPROTO_GRE, 0, false);
	return ret;
}

static int lan_piece(struct walk *w, u64 lo, u64 hi, void *arg)
{
	int ret = probe_lan_addr(w, lo);

	if (!ret && hi != lo)
		ret = probe_lan_addr(w, hi);
	return ret;
}

/* A port of the refusal pieces: its protocols, every class of address. */
static int probe_lan_port(struct walk *w, u8 cls, u16 port)
{
	u32 i, c;
	int ret;

	for (i = 0; i < ARRAY_SIZE(off_protos); i++) {
		if (off_protos[i].cls != cls)
			continue;
		for (c = 0; c < 4; c++) {
			if (!(w->lan_have & BIT(c)))
				continue;
			ret = probe_off(w, w->lan_addr[c], off_protos[i].proto,
					port, false);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int port_piece(struct walk *w, u64 lo, u64 hi, void *arg)
{
	u8 cls = *(u8 *)arg;
	int ret = probe_lan_port(w, cls, lo);

	if (!ret && hi != lo)
		ret = probe_lan_port(w, cls, hi);
	return ret;
}

static void lan_runs(const struct walk *w, struct run *r)
{
	u32 k;

	for (k = 0; k < 2; k++)
		r[k] = (struct run){ .kind = RUN_LAN, .v = w->p[k]->lan,
				     .n = w->p[k]->n_lan };
}

static void port_runs(const struct walk *w, u8 cls, struct run *r)
{
	static const struct torfw_portrange dns = {
		.proto = IPPROTO_UDP, .lo = 53, .hi = 53,
	};

	r[0] = refuse_run(w->p[0], cls_proto[cls]);
	r[1] = refuse_run(w->p[1], cls_proto[cls]);
	r[2] = (struct run){ .kind = RUN_PORT, .v = &dns, .n = 1 };
}

/* Locally generated, through a device: the roles, the LAN, the refusals. */
int torfw_walk_off_loopback(struct walk *w)
{
	struct run r[3];
	struct torfw_facts *f;
	u8 cls, c;
	int ret;

	lan_runs(w, r);
	torfw_sweep(w, r, 2, 0, IP4_END, lan_rep_piece, NULL);
	for (cls = 0; cls < 2; cls++) {
		port_runs(w, cls, r);
		torfw_sweep(w, r, 3, 0, PORT_END, port_rep_piece, &cls);
	}
	lan_runs(w, r);
	ret = torfw_sweep(w, r, 2, 0, IP4_END, lan_piece, NULL);
	for (cls = 0; !ret && cls < 2; cls++) {
		port_runs(w, cls, r);
		ret = torfw_sweep(w, r, 3, 0, PORT_END, port_piece, &cls);
	}
	/* Source-routed, and IPv6: refused, whatever the destination. */
	for (c = 0; !ret && c < 4; c++) {
		if (!(w->lan_have & BIT(c)))
			continue;
		ret = probe_off(w, w->lan_addr[c], IPPROTO_TCP, 80, true);
		if (!ret)
			ret = probe_off(w, w->lan_addr[c], IPPROTO_UDP, 53,
					true);
	}
	if (!ret) {
		f = torfw_probe_facts(w, TORFW_HOOK_OUT, AF_INET6, IPPROTO_TCP,
				      443);
		ret = probe_off_owners(w, f);
	}
	if (!ret) {
		f = torfw_probe_facts(w, TORFW_HOOK_OUT, AF_INET6, IPPROTO_UDP,
				      53);
		ret = probe_off_owners(w, f);
	}
	if (!ret) {
		f = torfw_probe_facts(w, TORFW_HOOK_OUT, AF_INET6,
				      IPPROTO_ICMPV6, 0);
		ret = probe_off_owners(w, f);
	}
	return ret;
}

/* Forwarded from a namespace: to the uplink, to another namespace. */
static int probe_forward(struct walk *w, u64 ns)
{
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct torfw_facts *f;
	u32 i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		f = torfw_probe_facts(w, TORFW_HOOK_FORWARD, AF_INET, protos[i],
				      443);
		f->ct = TORFW_CT_NEW;
		f->from_ns = ns;
		f->daddr.ip = htonl(0xc0000201);	/* 192.0.2.1 */
		ret = w->fn(f, w->arg);
		if (ret)
			return ret;
		if (ns == w->no_ns)
			continue;
		f->to_ns = w->no_ns;
		ret = w->fn(f, w->arg);
		if (ret)
			return ret;
	}
	return 0;
}

int torfw_walk_forward(struct walk *w)
{
	u32 k, i;
	int ret;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < w->p[k]->n_grant; i++) {
			u64 ns = w->p[k]->grant[i].cookie;

			if (k && torfw_ns_granted(w->p[0], ns))
				continue;
			ret = probe_forward(w, ns);
			if (ret)
				return ret;
		}
	}
	return probe_forward(w, w->no_ns);
}

/* Raw frames of packet sockets: one uid per packet role membership. */
int torfw_walk_frames(struct walk *w)
{
	struct torfw_facts *f;
	u32 c;
	int ret;

	for (c = 0; c < 4; c++) {
		if (!(w->packet_have & BIT(c)))
			continue;
		f = torfw_probe_facts(w, TORFW_HOOK_FRAME, 0, 0, 0);
		f->packet_sock = true;
		ret = torfw_probe_as(w, f, WHO_UID, w->packet_uid[c]);
		if (ret)
			return ret;
	}
	return 0;
}
