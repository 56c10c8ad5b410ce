// SPDX-License-Identifier: GPL-2.0
/*
 * The probes on loopback (the list is at the top of probe.c): each
 * allow-list key of either policy cut into port pieces, each piece probed
 * at both ends by the uids and namespaces that its covering entries name
 * and by those they do not; an address that no exact entry uses; ICMP,
 * where only the Tor role tells packets apart.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>

#include "probe.h"

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
			ret = torfw_probe_as(w, f, WHO_UID, u[j]);
			if (ret)
				return ret;
		}
	}
	/* The Tor role reaches IPv4 loopback ports the entries leave out. */
	for (c = 1; c < 4; c++) {
		for (j = 0; j < w->n_tor[c]; j++) {
			if (cov_names_uid(w, w->n_cov, w->tor[c][j]))
				continue;
			ret = torfw_probe_as(w, f, WHO_UID, w->tor[c][j]);
			if (ret)
				return ret;
			break;
		}
	}
	ret = torfw_probe_as(w, f, WHO_UID, w->nobody);
	if (!ret)
		ret = torfw_probe_as(w, f, WHO_KERNEL, 0);
	if (!ret)
		ret = torfw_probe_as(w, f, WHO_NONE, 0);
	return ret;
}

/* The namespaces of a service probe: the covering entries' and another. */
static int probe_ns(struct walk *w, u8 family, u8 proto,
		    const union nf_inet_addr *addr, u16 port, u64 ns)
{
	struct torfw_facts *f;
	int ret;

	/* From the namespace's veth to the host service. */
	f = torfw_probe_facts(w, TORFW_HOOK_IN, family, proto, port);
	f->daddr = *addr;
	f->from_ns = ns;
	ret = w->fn(f, w->arg);
	if (ret)
		return ret;
	/* The service's answer, out of the veth into the namespace. */
	f = torfw_probe_facts(w, TORFW_HOOK_OUT, family, proto, PEER_PORT);
	f->saddr = *addr;
	f->sport = port;
	f->to_ns = ns;
	f->tcp_syn = false;
	return torfw_probe_as(w, f, WHO_UID, w->nobody);
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
	f = torfw_probe_facts(w, TORFW_HOOK_OUT, family, proto, port);
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
		if (!torfw_run_covers(&k->runs[i], lo))
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
	return torfw_sweep(w, k.runs, k.n, exact ? 2 : 0, PORT_END,
			   key_piece, &k);
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
int torfw_walk_services(struct walk *w)
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
int torfw_walk_lo_icmp(struct walk *w)
{
	struct torfw_facts *f;
	int ret;

	w->n_cov = 0;
	f = torfw_probe_facts(w, TORFW_HOOK_OUT, AF_INET, IPPROTO_ICMP, 0);
	f->lo = true;
	f->daddr.ip = htonl(INADDR_LOOPBACK);
	ret = probe_lo_owners(w, f);
	if (ret)
		return ret;
	f = torfw_probe_facts(w, TORFW_HOOK_OUT, AF_INET6, IPPROTO_ICMPV6, 0);
	f->lo = true;
	f->daddr.ip6[3] = htonl(1);
	return probe_lo_owners(w, f);
}
