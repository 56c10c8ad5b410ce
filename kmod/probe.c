// SPDX-License-Identifier: GPL-2.0
/*
 * The probes of the lock's comparison (compare.c): facts that stand for
 * every class of packets that either of two policies can tell apart.
 *
 * torfw_decide() reads a fact only through a few lookups: the allow-list
 * entry that covers (family, proto, address, port), a uid's or a cgroup's
 * membership in that entry's lists and in the roles, a namespace in an entry or among
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
 *  - cgroups: every probe of a user's socket once in no cgroup either
 *    policy names, and once right in each cgroup that the probe's
 *    covering entries or roles name in either policy (with that cgroup's
 *    ancestors, so a named cgroup below another is in both). Principals
 *    combine by OR, so the uid classes times these are every combination.
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
 *
 * This file is the walk's core: the sweeps over sorted runs, the facts of
 * a probe and its owner, the uids and namespaces that stand for the
 * others. probe_local.c walks loopback and the namespaces' services,
 * probe_net.c what goes through a device.
 */

#include <linux/bitmap.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/socket.h>

#include "probe.h"

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
bool torfw_run_covers(const struct run *r, u64 x)
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

/*
 * Calls fn for each piece [lo, hi] of 0..end-1 inside which no range of
 * the runs starts or ends. With gate, only for pieces that one of the
 * first gate runs covers; the others are skipped without a step each.
 */
int torfw_sweep(struct walk *w, struct run *runs, u32 n, u32 gate, u64 end,
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
				if (torfw_run_covers(&runs[k], x))
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
struct torfw_facts *torfw_probe_facts(struct walk *w, u8 hook, u8 family,
				      u8 proto, u16 dport)
{
	struct torfw_facts *f = &w->f;

	memset(f, 0, sizeof(*f));
	f->cg_known = true;
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

/* Marks in *mask (bit: index in p->cg) the cgroups of a list. */
static void cg_mark(u64 *mask, const u16 *set, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		*mask |= BIT_ULL(set[i]);
}

/*
 * The cgroups that decide.c may consult for f in policy p (as cg_match()
 * does): on loopback the covering entry's and the Tor role's, off
 * loopback the two roles', for raw frames the packet role's.
 */
static u64 cg_relevant(const struct torfw_policy *p,
		       const struct torfw_facts *f)
{
	const struct torfw_svc *s;
	u64 mask = 0;

	BUILD_BUG_ON(TORFW_MAX_CGROUPS > 64);
	if (!p->n_cg)
		return 0;
	switch (f->hook) {
	case TORFW_HOOK_FRAME:
		cg_mark(&mask, p->role_cg[TORFW_ROLE_PACKET],
			p->n_role_cg[TORFW_ROLE_PACKET]);
		break;
	case TORFW_HOOK_OUT:
		if (f->to_ns)
			break;
		cg_mark(&mask, p->role_cg[TORFW_ROLE_TOR],
			p->n_role_cg[TORFW_ROLE_TOR]);
		if (!f->lo) {
			cg_mark(&mask, p->role_cg[TORFW_ROLE_CLEARNET],
				p->n_role_cg[TORFW_ROLE_CLEARNET]);
			break;
		}
		s = f->ports ? torfw_svc_find(p, f->family, f->proto,
					      &f->daddr, f->dport) : NULL;
		if (s)
			cg_mark(&mask, p->svc_cg + s->cg_off,
				s->n_allow_cg + s->n_drop_cg);
		break;
	}
	return mask;
}

static int probe_in_cgroup(struct walk *w, struct torfw_facts *f,
			   const struct torfw_cgroup *c)
{
	u32 i;

	f->cg_n = c->level;
	for (i = 0; i < c->level; i++)
		w->cg_names[i] = c->names + c->off[i];
	f->cg = w->cg_names;
	return w->fn(f, w->arg);
}

/*
 * Locally generated by a user's socket, a kernel-made one, or none. A
 * user's socket is in no cgroup either policy names, or right in one of
 * those that decide.c may consult for this probe: it sees of a cgroup
 * only whether such a one is among its ancestors, and a socket right in
 * it stands for every one below it down to the next such one (whose
 * ancestors, with it, the chain of the deeper one holds). Cgroups are
 * compared by path; one named by both policies is probed once.
 */
int torfw_probe_as(struct walk *w, struct torfw_facts *f, u8 who, u32 uid)
{
	u64 m0, m1;
	u32 i, j;
	int ret;

	f->has_uid = who == WHO_UID;
	f->kernel_sock = who == WHO_KERNEL;
	f->uid = who == WHO_UID ? uid : 0;
	f->stream = f->proto == IPPROTO_TCP && who != WHO_NONE;
	f->cg_n = 0;
	ret = w->fn(f, w->arg);
	if (ret || who != WHO_UID)
		return ret;
	m0 = cg_relevant(w->p[0], f);
	m1 = cg_relevant(w->p[1], f);
	for (i = 0; !ret && i < w->p[0]->n_cg; i++)
		if (m0 & BIT_ULL(i))
			ret = probe_in_cgroup(w, f, &w->p[0]->cg[i]);
	for (i = 0; !ret && i < w->p[1]->n_cg; i++) {
		const struct torfw_cgroup *c = &w->p[1]->cg[i];

		if (!(m1 & BIT_ULL(i)))
			continue;
		for (j = 0; j < w->p[0]->n_cg; j++)
			if (m0 & BIT_ULL(j) &&
			    !strcmp(w->p[0]->cg[j].path, c->path))
				break;
		if (j == w->p[0]->n_cg)
			ret = probe_in_cgroup(w, f, c);
	}
	f->cg_n = 0;
	return ret;
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
		ret = torfw_walk_frames(w);
	if (!ret)
		ret = torfw_walk_off_loopback(w);
	if (!ret)
		ret = torfw_walk_forward(w);
	if (!ret)
		ret = torfw_walk_services(w);
	if (!ret)
		ret = torfw_walk_lo_icmp(w);
	kvfree(w->tor[1]);
	kfree(w);
	return ret;
}
