// SPDX-License-Identifier: GPL-2.0
/*
 * The lock's question: does a new policy accept a packet that the active
 * one refuses? Answered on verdicts, through the decision function itself
 * (decide.c), so that the lock cannot disagree with the policy it
 * protects: a removed entry is as visible as an added one.
 *
 * torfw_decide() reads a fact only through a few lookups: the allow-list
 * entry that covers (family, proto, address, port), a uid's membership in
 * that entry's lists and in the roles, a namespace in an entry or among
 * the grants, an address in the LAN, a port among the LAN refusals, the
 * options. Two policies therefore split the packets into finitely many
 * classes on which both decide the same way throughout, and
 * torfw_policy_probe() visits each class that either policy can tell
 * apart, with facts that stand for it:
 *
 *  - ports of an allow-list key (family, proto, address): the pieces of
 *    0..65535 that no entry of either policy starts or ends inside, on
 *    that key and on the any-address key, probed at both ends (an entry's
 *    port_lo, port_hi and the ports just outside). An address that no
 *    exact entry of either uses stands for all such addresses, and for
 *    the ports of an exact address that no exact entry covers: there
 *    both policies fall back to their any-address entries alike.
 *  - uids on loopback: those the covering entries of either policy name,
 *    a Tor role holder of each (new, old) membership the entries do not
 *    name, one uid that neither policy names anywhere, a kernel-made
 *    socket, no owner. Off loopback a uid counts only by its roles: one
 *    holder of each combination of roles.
 *  - namespaces: those the covering entries name, the granted ones, one
 *    that neither policy names.
 *  - off loopback: the pieces of the IPv4 space that LAN ranges start
 *    and end, each against one port of every class (refused by new, by
 *    old, 53), and the pieces of the port space that refusals (and port
 *    53) start and end, each against one address of every class (in the
 *    LAN of new, of old), for tcp, udp and the protocols that follow
 *    their refusals. Either half alone meets every combination of the
 *    two; together they probe every edge of both without their product.
 *
 * If decide.c ever reads a fact in a new way, this list must follow; the
 * KUnit suite (tests/compare_test.c) compares it against a brute-force
 * walk over the facts.
 */

#include <linux/bitmap.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/socket.h>

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

static void run_range(const struct run *r, u32 i, u64 *lo, u64 *hi)
{
	const struct torfw_svc *s = r->v;
	const struct torfw_portrange *p = r->v;
	const struct torfw_range4 *l = r->v;

	switch (r->kind) {
	case RUN_SVC:
		*lo = s[i].port_lo;
		*hi = s[i].port_hi;
		break;
	case RUN_PORT:
		*lo = p[i].lo;
		*hi = p[i].hi;
		break;
	default:
		*lo = l[i].lo;
		*hi = l[i].hi;
		break;
	}
}

/* Moves the cursor to the first range that ends at x or above. */
static void run_seek(struct run *r, u64 x)
{
	u32 lo = r->i, hi = r->n;
	u64 a, b;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		run_range(r, mid, &a, &b);
		if (b < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	r->i = lo;
}

/* Whether x is in a range of r (after run_seek(x): range r->i). */
static bool run_covers(const struct run *r, u64 x)
{
	u64 lo, hi;

	if (r->i == r->n)
		return false;
	run_range(r, r->i, &lo, &hi);
	return lo <= x;
}

/* The least boundary above x: where a range starts, or just after one. */
static u64 runs_next(struct run *runs, u32 n, u64 x, u64 end)
{
	u64 next = end, lo, hi;
	u32 k;

	for (k = 0; k < n; k++) {
		run_seek(&runs[k], x);
		if (runs[k].i == runs[k].n)
			continue;
		run_range(&runs[k], runs[k].i, &lo, &hi);
		next = min(next, lo > x ? lo : hi + 1);
	}
	return next;
}

struct walk;

/*
 * Calls fn for each piece [lo, hi] of 0..end-1 inside which no range of
 * the runs starts or ends. With gate, only for pieces that one of the
 * first gate runs covers; the others are skipped without a step each.
 */
static int sweep(struct walk *w, struct run *runs, u32 n, u32 gate, u64 end,
		 int (*fn)(struct walk *w, u64 lo, u64 hi, void *arg),
		 void *arg)
{
	u64 x, next;
	u32 k;
	int ret;

	for (x = 0; x < end; x = next) {
		if (gate) {
			for (k = 0; k < gate; k++) {
				run_seek(&runs[k], x);
				if (run_covers(&runs[k], x))
					break;
			}
			if (k == gate) {
				next = runs_next(runs, gate, x, end);
				continue;
			}
		}
		next = runs_next(runs, n, x, end);
		ret = fn(w, x, next - 1, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/* The entries of one allow-list key, in port order. */
static struct run svc_run(const struct torfw_policy *p, u8 family, u8 proto,
			  const union nf_inet_addr *addr)
{
	u32 lo = 0, hi = p->n_svc, first;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (torfw_svc_key_cmp(family, proto, addr, &p->svc[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	hi = p->n_svc;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (torfw_svc_key_cmp(family, proto, addr, &p->svc[mid]) >= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (struct run){ .kind = RUN_SVC, .v = p->svc + first,
			     .n = lo - first };
}

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

struct covering {
	const struct torfw_policy *p;
	const struct torfw_svc *s;
};

/* Protocols off loopback and the refusals they meet (decide.c). */
static const struct {
	u8 proto;
	u8 cls;		/* 0: tcp's refusals, 1: udp's */
} off_protos[] = {
	{ IPPROTO_TCP, 0 }, { IPPROTO_SCTP, 0 }, { IPPROTO_DCCP, 0 },
	{ IPPROTO_UDP, 1 }, { IPPROTO_UDPLITE, 1 },
};

static const u8 cls_proto[2] = { IPPROTO_TCP, IPPROTO_UDP };

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
	/* The allow-list entries of both policies covering the probe. */
	struct covering cov[4];
	u32 n_cov;
	struct torfw_facts f;
};

static bool ports_proto(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

static void peer_addr(union nf_inet_addr *a, u8 family)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->ip = htonl(0xc0000202);	/* 192.0.2.2 */
	} else {
		a->ip6[0] = htonl(0x20010db8);	/* 2001:db8::2 */
		a->ip6[3] = htonl(2);
	}
}

/* A packet of the initial namespace at hook, to (family, proto, port). */
static struct torfw_facts *probe_facts(struct walk *w, u8 hook, u8 family,
				       u8 proto, u16 dport)
{
	struct torfw_facts *f = &w->f;

	memset(f, 0, sizeof(*f));
	f->hook = hook;
	f->init_net = true;
	f->family = family;
	f->proto = proto;
	f->ports = ports_proto(proto);
	f->dport = f->ports ? dport : 0;
	f->sport = f->ports ? PEER_PORT : 0;
	f->tcp_syn = proto == IPPROTO_TCP;
	peer_addr(&f->saddr, family);
	peer_addr(&f->daddr, family);
	return f;
}

enum who { WHO_UID, WHO_KERNEL, WHO_NONE };

/* Locally generated by a user's socket, a kernel-made one, or none. */
static int probe_as(struct walk *w, struct torfw_facts *f, u8 who, u32 uid)
{
	f->has_uid = who == WHO_UID;
	f->kernel_sock = who == WHO_KERNEL;
	f->uid = who == WHO_UID ? uid : 0;
	f->stream = f->proto == IPPROTO_TCP && who != WHO_NONE;
	return w->fn(f, w->arg);
}

static bool cov_names_uid(const struct walk *w, u32 n, u32 uid)
{
	u32 k;

	for (k = 0; k < n; k++) {
		const struct torfw_svc *s = w->cov[k].s;
		const u32 *u = w->cov[k].p->uids + s->uid_off;

		if (torfw_uid_in(u, s->n_allow, uid) ||
		    torfw_uid_in(u + s->n_allow, s->n_drop, uid))
			return true;
	}
	return false;
}

static bool cov_names_ns(const struct walk *w, u32 n, u64 cookie)
{
	u32 k;

	for (k = 0; k < n; k++)
		if (torfw_svc_has_ns(w->cov[k].p, w->cov[k].s, cookie))
			return true;
	return false;
}

/* The principals of a loopback probe (w->cov: the covering entries). */
static int probe_lo_owners(struct walk *w, struct torfw_facts *f)
{
	u32 k, j, c;
	int ret;

	for (k = 0; k < w->n_cov; k++) {
		const struct torfw_svc *s = w->cov[k].s;
		const u32 *u = w->cov[k].p->uids + s->uid_off;

		for (j = 0; j < s->n_allow + s->n_drop; j++) {
			if (cov_names_uid(w, k, u[j]))
				continue;
			ret = probe_as(w, f, WHO_UID, u[j]);
			if (ret)
				return ret;
		}
	}
	/* The Tor role reaches IPv4 loopback ports the entries leave out. */
	for (c = 1; c < 4; c++) {
		for (j = 0; j < w->n_tor[c]; j++) {
			if (cov_names_uid(w, w->n_cov, w->tor[c][j]))
				continue;
			ret = probe_as(w, f, WHO_UID, w->tor[c][j]);
			if (ret)
				return ret;
			break;
		}
	}
	ret = probe_as(w, f, WHO_UID, w->nobody);
	if (!ret)
		ret = probe_as(w, f, WHO_KERNEL, 0);
	if (!ret)
		ret = probe_as(w, f, WHO_NONE, 0);
	return ret;
}

/* The namespaces of a service probe: the covering entries' and another. */
static int probe_ns(struct walk *w, u8 family, u8 proto,
		    const union nf_inet_addr *addr, u16 port, u64 ns)
{
	struct torfw_facts *f;
	int ret;

	/* From the namespace's veth to the host service. */
	f = probe_facts(w, TORFW_HOOK_IN, family, proto, port);
	f->daddr = *addr;
	f->from_ns = ns;
	ret = w->fn(f, w->arg);
	if (ret)
		return ret;
	/* The service's answer, out of the veth into the namespace. */
	f = probe_facts(w, TORFW_HOOK_OUT, family, proto, PEER_PORT);
	f->saddr = *addr;
	f->sport = port;
	f->to_ns = ns;
	f->tcp_syn = false;
	return probe_as(w, f, WHO_UID, w->nobody);
}

static int probe_service(struct walk *w, u8 family, u8 proto,
			 const union nf_inet_addr *addr, u16 port)
{
	struct torfw_facts *f;
	u32 k, j;
	int ret;

	for (k = 0; k < w->n_cov; k++) {
		const struct torfw_svc *s = w->cov[k].s;
		const struct torfw_ns *ns = w->cov[k].p->svc_ns + s->ns_off;

		for (j = 0; j < s->n_ns; j++) {
			if (cov_names_ns(w, k, ns[j].cookie))
				continue;
			ret = probe_ns(w, family, proto, addr, port,
				       ns[j].cookie);
			if (ret)
				return ret;
		}
	}
	ret = probe_ns(w, family, proto, addr, port, w->no_ns);
	if (ret)
		return ret;
	f = probe_facts(w, TORFW_HOOK_OUT, family, proto, port);
	f->lo = true;
	f->daddr = *addr;
	return probe_lo_owners(w, f);
}

struct svc_key {
	struct run runs[4];	/* a's and b's exact entries, then any */
	u32 n;
	u8 family;
	u8 proto;
	union nf_inet_addr addr;
};

static int key_piece(struct walk *w, u64 lo, u64 hi, void *arg)
{
	struct svc_key *k = arg;
	const struct torfw_svc *s;
	u32 i;
	int ret;

	w->n_cov = 0;
	for (i = 0; i < k->n; i++) {
		if (!run_covers(&k->runs[i], lo))
			continue;
		s = k->runs[i].v;
		w->cov[w->n_cov].p = w->p[i & 1];
		w->cov[w->n_cov].s = s + k->runs[i].i;
		w->n_cov++;
	}
	ret = probe_service(w, k->family, k->proto, &k->addr, lo);
	if (!ret && hi != lo)
		ret = probe_service(w, k->family, k->proto, &k->addr, hi);
	return ret;
}

/*
 * One allow-list key. For an exact address, only ports that an exact
 * entry of either policy covers: elsewhere the address is like one that
 * no exact entry uses (exact is false), which is probed once.
 */
static int walk_key(struct walk *w, u8 family, u8 proto,
		    const union nf_inet_addr *addr, bool exact)
{
	static const union nf_inet_addr any;
	struct svc_key k = { .family = family, .proto = proto, .addr = *addr };

	if (exact) {
		k.runs[k.n++] = svc_run(w->p[0], family, proto, addr);
		k.runs[k.n++] = svc_run(w->p[1], family, proto, addr);
	}
	k.runs[k.n++] = svc_run(w->p[0], family, proto, &any);
	k.runs[k.n++] = svc_run(w->p[1], family, proto, &any);
	return sweep(w, k.runs, k.n, exact ? 2 : 0, PORT_END, key_piece, &k);
}

/* A loopback address that no exact entry of either policy uses. */
static void unused_addr(const struct walk *w, u8 family, u8 proto,
			union nf_inet_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET)
		a->ip = htonl(INADDR_LOOPBACK);
	else
		a->ip6[3] = htonl(1);
	while (svc_run(w->p[0], family, proto, a).n ||
	       svc_run(w->p[1], family, proto, a).n) {
		if (family == AF_INET)
			a->ip = htonl(ntohl(a->ip) + 1);
		else
			a->ip6[3] = htonl(ntohl(a->ip6[3]) + 1);
	}
}

/* Every allow-list key of either policy, then the unused addresses. */
static int walk_services(struct walk *w)
{
	static const u8 fams[] = { AF_INET, AF_INET6 };
	const struct torfw_policy *a = w->p[0], *b = w->p[1];
	union nf_inet_addr addr;
	u32 i = 0, j = 0, k;
	u8 family, proto;
	int ret = 0;

	while (!ret && (i < a->n_svc || j < b->n_svc)) {
		const struct torfw_svc *s = &b->svc[j];

		if (j == b->n_svc ||
		    (i < a->n_svc && torfw_svc_key_cmp(a->svc[i].family,
						       a->svc[i].proto,
						       &a->svc[i].addr, s) <= 0))
			s = &a->svc[i];
		family = s->family;
		proto = s->proto;
		addr = s->addr;
		while (i < a->n_svc &&
		       !torfw_svc_key_cmp(family, proto, &addr, &a->svc[i]))
			i++;
		while (j < b->n_svc &&
		       !torfw_svc_key_cmp(family, proto, &addr, &b->svc[j]))
			j++;
		if (!torfw_addr_is_zero(&addr))
			ret = walk_key(w, family, proto, &addr, true);
	}
	for (k = 0; !ret && k < 4; k++) {
		family = fams[k / 2];
		proto = k & 1 ? IPPROTO_UDP : IPPROTO_TCP;
		unused_addr(w, family, proto, &addr);
		ret = walk_key(w, family, proto, &addr, false);
	}
	return ret;
}

/* Loopback without ports: ICMP; only the Tor role can tell it apart. */
static int walk_lo_icmp(struct walk *w)
{
	struct torfw_facts *f;
	int ret;

	w->n_cov = 0;
	f = probe_facts(w, TORFW_HOOK_OUT, AF_INET, IPPROTO_ICMP, 0);
	f->lo = true;
	f->daddr.ip = htonl(INADDR_LOOPBACK);
	ret = probe_lo_owners(w, f);
	if (ret)
		return ret;
	f = probe_facts(w, TORFW_HOOK_OUT, AF_INET6, IPPROTO_ICMPV6, 0);
	f->lo = true;
	f->daddr.ip6[3] = htonl(1);
	return probe_lo_owners(w, f);
}

/* Off loopback and out of a namespace: each role class, kernel, none. */
static int probe_off_owners(struct walk *w, struct torfw_facts *f)
{
	u32 c;
	int ret;

	for (c = 0; c < 16; c++) {
		if (!(w->role_have & BIT(c)))
			continue;
		ret = probe_as(w, f, WHO_UID, w->role_uid[c]);
		if (ret)
			return ret;
	}
	ret = probe_as(w, f, WHO_KERNEL, 0);
	if (!ret)
		ret = probe_as(w, f, WHO_NONE, 0);
	return ret;
}

static int probe_off(struct walk *w, u32 addr, u8 proto, u16 port, bool srr)
{
	struct torfw_facts *f = probe_facts(w, TORFW_HOOK_OUT, AF_INET, proto, port);

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
static int walk_off_loopback(struct walk *w)
{
	struct run r[3];
	struct torfw_facts *f;
	u8 cls, c;
	int ret;

	lan_runs(w, r);
	sweep(w, r, 2, 0, IP4_END, lan_rep_piece, NULL);
	for (cls = 0; cls < 2; cls++) {
		port_runs(w, cls, r);
		sweep(w, r, 3, 0, PORT_END, port_rep_piece, &cls);
	}
	lan_runs(w, r);
	ret = sweep(w, r, 2, 0, IP4_END, lan_piece, NULL);
	for (cls = 0; !ret && cls < 2; cls++) {
		port_runs(w, cls, r);
		ret = sweep(w, r, 3, 0, PORT_END, port_piece, &cls);
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
		f = probe_facts(w, TORFW_HOOK_OUT, AF_INET6, IPPROTO_TCP, 443);
		ret = probe_off_owners(w, f);
	}
	if (!ret) {
		f = probe_facts(w, TORFW_HOOK_OUT, AF_INET6, IPPROTO_UDP, 53);
		ret = probe_off_owners(w, f);
	}
	if (!ret) {
		f = probe_facts(w, TORFW_HOOK_OUT, AF_INET6, IPPROTO_ICMPV6, 0);
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
		f = probe_facts(w, TORFW_HOOK_FORWARD, AF_INET, protos[i], 443);
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

static int walk_forward(struct walk *w)
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
static int walk_frames(struct walk *w)
{
	struct torfw_facts *f;
	u32 c;
	int ret;

	for (c = 0; c < 4; c++) {
		if (!(w->packet_have & BIT(c)))
			continue;
		f = probe_facts(w, TORFW_HOOK_FRAME, 0, 0, 0);
		f->packet_sock = true;
		f->has_uid = true;
		f->uid = w->packet_uid[c];
		ret = w->fn(f, w->arg);
		if (ret)
			return ret;
	}
	return 0;
}

/* The least of base..base + n that nothing marked: one of them is free. */
struct unnamed {
	unsigned long *map;
	u64 base;
	u64 n;
};

static int unnamed_init(struct unnamed *u, u64 base, u64 n)
{
	u->base = base;
	u->n = n;
	u->map = kvcalloc(BITS_TO_LONGS(n + 1), sizeof(long), TORFW_GFP_LOAD);
	return u->map ? 0 : -ENOMEM;
}

static void unnamed_mark(struct unnamed *u, u64 v)
{
	if (v >= u->base && v - u->base <= u->n)
		__set_bit(v - u->base, u->map);
}

static u64 unnamed_pick(struct unnamed *u)
{
	u64 v = u->base + find_first_zero_bit(u->map, u->n + 1);

	kvfree(u->map);
	return v;
}

static int pick_nobody(struct walk *w)
{
	struct unnamed u;
	u64 n = 0;
	u32 k, r, i;
	int ret;

	for (k = 0; k < 2; k++) {
		n += w->p[k]->n_uids;
		for (r = 1; r < __TORFW_ROLE_KIND_MAX; r++)
			n += w->p[k]->n_role[r];
	}
	ret = unnamed_init(&u, 0, n);
	if (ret)
		return ret;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < w->p[k]->n_uids; i++)
			unnamed_mark(&u, w->p[k]->uids[i]);
		for (r = 1; r < __TORFW_ROLE_KIND_MAX; r++)
			for (i = 0; i < w->p[k]->n_role[r]; i++)
				unnamed_mark(&u, w->p[k]->role[r][i]);
	}
	w->nobody = unnamed_pick(&u);
	return 0;
}

static int pick_no_ns(struct walk *w)
{
	struct unnamed u;
	u32 k, i;
	int ret;

	ret = unnamed_init(&u, 1, w->p[0]->n_svc_ns + w->p[0]->n_grant +
			   w->p[1]->n_svc_ns + w->p[1]->n_grant);
	if (ret)
		return ret;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < w->p[k]->n_svc_ns; i++)
			unnamed_mark(&u, w->p[k]->svc_ns[i].cookie);
		for (i = 0; i < w->p[k]->n_grant; i++)
			unnamed_mark(&u, w->p[k]->grant[i].cookie);
	}
	w->no_ns = unnamed_pick(&u);
	return 0;
}

static u8 membership(const struct walk *w, u8 kind, u32 uid)
{
	return torfw_has_role(w->p[0], kind, uid) |
	       torfw_has_role(w->p[1], kind, uid) << 1;
}

/* One uid per combination of roles, and the Tor role holders by class. */
static int pick_roles(struct walk *w)
{
	u32 n = w->p[0]->n_role[TORFW_ROLE_TOR] +
		w->p[1]->n_role[TORFW_ROLE_TOR];
	u32 k, i, c, uid, *mem;
	u8 r;

	w->role_uid[0] = w->nobody;
	w->role_have = BIT(0);
	w->packet_uid[0] = w->nobody;
	w->packet_have = BIT(0);
	for (k = 0; k < 2; k++) {
		for (r = 1; r < __TORFW_ROLE_KIND_MAX; r++) {
			for (i = 0; i < w->p[k]->n_role[r]; i++) {
				uid = w->p[k]->role[r][i];
				c = membership(w, TORFW_ROLE_TOR, uid) |
				    membership(w, TORFW_ROLE_CLEARNET, uid) << 2;
				if (!(w->role_have & BIT(c))) {
					w->role_have |= BIT(c);
					w->role_uid[c] = uid;
				}
				c = membership(w, TORFW_ROLE_PACKET, uid);
				if (!(w->packet_have & BIT(c))) {
					w->packet_have |= BIT(c);
					w->packet_uid[c] = uid;
				}
			}
		}
	}
	mem = kvmalloc_array(max(n, 1U), sizeof(u32), TORFW_GFP_LOAD);
	if (!mem)
		return -ENOMEM;
	for (c = 1; c < 4; c++) {
		w->tor[c] = mem;
		for (k = 0; k < 2; k++) {
			for (i = 0; i < w->p[k]->n_role[TORFW_ROLE_TOR]; i++) {
				uid = w->p[k]->role[TORFW_ROLE_TOR][i];
				if (membership(w, TORFW_ROLE_TOR, uid) != c ||
				    (k && c == 3))
					continue;
				*mem++ = uid;
			}
		}
		w->n_tor[c] = mem - w->tor[c];
	}
	return 0;
}

/*
 * Calls fn once per probe: facts that stand for one class of packets
 * that a or b can tell apart, every class at least once (the list is at
 * the top of this file). Stops at fn's first non-zero return, which it
 * returns; -ENOMEM if the walk's own memory cannot be had.
 */
int torfw_policy_probe(const struct torfw_policy *a,
		       const struct torfw_policy *b,
		       int (*fn)(const struct torfw_facts *f, void *arg),
		       void *arg)
{
	struct walk *w;
	int ret;

	w = kzalloc(sizeof(*w), TORFW_GFP_LOAD);
	if (!w)
		return -ENOMEM;
	w->p[0] = a;
	w->p[1] = b;
	w->fn = fn;
	w->arg = arg;
	ret = pick_nobody(w);
	if (!ret)
		ret = pick_no_ns(w);
	if (!ret)
		ret = pick_roles(w);
	/* The widest openings first: that is what extack names. */
	if (!ret)
		ret = walk_frames(w);
	if (!ret)
		ret = walk_off_loopback(w);
	if (!ret)
		ret = walk_forward(w);
	if (!ret)
		ret = walk_services(w);
	if (!ret)
		ret = walk_lo_icmp(w);
	kvfree(w->tor[1]);
	kfree(w);
	return ret;
}

/* Rewriting happens before the decision: the probes assume the same. */
static bool redirects_equal(const struct torfw_policy *new,
			    const struct torfw_policy *old)
{
	u32 i, j;

	if (new->n_redir != old->n_redir)
		return false;
	for (i = 0; i < new->n_redir; i++) {
		const struct torfw_redir *a = &new->redir[i];

		for (j = 0; j < old->n_redir; j++) {
			const struct torfw_redir *b = &old->redir[j];

			if (a->kind == b->kind && a->addr == b->addr &&
			    a->mask == b->mask && a->port == b->port &&
			    a->to_port == b->to_port)
				break;
		}
		if (j == old->n_redir)
			return false;
	}
	return true;
}

struct compare {
	const struct torfw_policy *new;
	const struct torfw_policy *old;
	u32 budget;
	u32 probes;
	u32 decisions;
	u8 reason;	/* new's, where it accepts and old refuses */
};

static int compare_probe(const struct torfw_facts *f, void *arg)
{
	struct compare *c = arg;
	struct torfw_decision d;

	if (c->probes == c->budget)
		return -E2BIG;
	if (!(++c->probes % 4096))
		cond_resched();
	c->decisions++;
	torfw_decide(c->new, f, &d);
	if (d.verdict != TORFW_ACCEPT)
		return 0;
	c->reason = d.reason;
	c->decisions++;
	torfw_decide(c->old, f, &d);
	return d.verdict == TORFW_ACCEPT ? 0 : -EPERM;
}

/* What would open, by the reason the new policy would accept it for. */
static void looser_msg(struct netlink_ext_ack *extack, u8 reason)
{
	switch (reason) {
	case TORFW_R_SERVICE:
	case TORFW_R_TOR_LOOPBACK:
		NL_SET_ERR_MSG(extack, "locked: a loopback service would open to a uid the active policy refuses");
		break;
	case TORFW_R_TOR:
	case TORFW_R_CLEARNET:
		NL_SET_ERR_MSG(extack, "locked: a role would open the Internet to a uid the active policy refuses");
		break;
	case TORFW_R_LAN:
		NL_SET_ERR_MSG(extack, "locked: a LAN destination would open that the active policy refuses");
		break;
	case TORFW_R_GRANT_FORWARD:
		NL_SET_ERR_MSG(extack, "locked: a namespace would be forwarded where the active policy refuses");
		break;
	case TORFW_R_GRANT_SERVICE:
	case TORFW_R_GRANT_REPLY:
		NL_SET_ERR_MSG(extack, "locked: a host service would open to a namespace the active policy refuses");
		break;
	case TORFW_R_NOSOCK_ACCEPT:
		NL_SET_ERR_MSG(extack, "locked: packets without a socket would pass where the active policy refuses");
		break;
	case TORFW_R_KERNEL_ALLOWED:
		NL_SET_ERR_MSG(extack, "locked: kernel-made sockets would pass where the active policy refuses");
		break;
	case TORFW_R_PACKET_ROLE:
		NL_SET_ERR_MSG(extack, "locked: raw frames would open to a uid the active policy refuses");
		break;
	default:
		NL_SET_ERR_MSG(extack, "locked: a packet would pass that the active policy refuses");
		break;
	}
}

/*
 * 0 if new accepts no packet that old refuses; -EPERM if it does (extack
 * says what kind of access would open); -E2BIG if that takes more than
 * budget probes. *decisions (if not NULL): decisions made.
 */
int torfw_policy_compare(const struct torfw_policy *new,
			 const struct torfw_policy *old, u32 budget,
			 u32 *decisions, struct netlink_ext_ack *extack)
{
	struct compare c = { .new = new, .old = old, .budget = budget };
	int ret;

	if (!redirects_equal(new, old)) {
		NL_SET_ERR_MSG(extack, "locked: the redirects differ from the active policy's");
		return -EPERM;
	}
	ret = torfw_policy_probe(new, old, compare_probe, &c);
	if (decisions)
		*decisions = c.decisions;
	if (ret == -EPERM)
		looser_msg(extack, c.reason);
	else if (ret == -E2BIG)
		NL_SET_ERR_MSG(extack, "locked: the policies are too large to compare");
	return ret;
}

/* Used while locked, where only policies no looser may replace it. */
int torfw_policy_no_looser(const struct torfw_policy *new,
			   const struct torfw_policy *old,
			   struct netlink_ext_ack *extack)
{
	return torfw_policy_compare(new, old, TORFW_COMPARE_MAX, NULL, extack);
}
