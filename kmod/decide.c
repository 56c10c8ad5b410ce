// SPDX-License-Identifier: GPL-2.0
/*
 * The decision: what passes. A pure function from plain facts about a
 * packet (struct torfw_facts, filled by facts.c or by KUnit) and the
 * compiled policy to a reason, and from the reason to a verdict. Nothing
 * here touches an skb or takes a lock; the lookups are binary searches
 * over compile.c's sorted arrays, so the cost grows with the logarithm of
 * the policy's size, never linearly.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <net/ipv6.h>

#include "policy.h"

/* The enum follows the list's order, so plain initializers line up. */
#define REASON_NAME(e, name, kind) name,
const char *const torfw_reason_names[__TORFW_R_MAX] = {
	TORFW_REASONS(REASON_NAME)
};

#define REASON_KIND(e, name, kind) TORFW_RK_##kind,
const u8 torfw_reason_kind[__TORFW_R_MAX] = {
	TORFW_REASONS(REASON_KIND)
};

bool torfw_uid_in(const u32 *set, u32 n, u32 uid)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (set[mid] == uid)
			return true;
		if (set[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool torfw_has_role(const struct torfw_policy *p, u8 kind, u32 uid)
{
	return torfw_uid_in(p->role[kind], p->n_role[kind], uid);
}

/*
 * Whether the facts' cgroup is c or below it: its ancestor at c's level
 * has c's path. The deepest name first, the one that tells most apart.
 */
bool torfw_cg_at(const struct torfw_cgroup *c, const struct torfw_facts *f)
{
	int i;

	if (c->level > f->cg_n)
		return false;
	for (i = c->level - 1; i >= 0; i--)
		if (strcmp(f->cg[i], c->names + c->off[i]))
			return false;
	return true;
}

/* Whether the facts' cgroup is one of set's cgroups or below one. */
bool torfw_cg_in(const struct torfw_policy *p, const u16 *set, u32 n,
		 const struct torfw_facts *f)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (torfw_cg_at(&p->cg[set[i]], f))
			return true;
	return false;
}

/*
 * A cgroup principal asked about: without the socket's cgroup in the
 * facts, the answer is no and the caller decides again with it
 * (torfw_decision.cgroup), so that only these packets read it.
 */
static bool cg_match(const struct torfw_policy *p, const u16 *set, u32 n,
		     const struct torfw_facts *f, struct torfw_decision *d)
{
	if (!n)
		return false;
	if (!f->cg_known) {
		d->cgroup = true;
		return false;
	}
	return torfw_cg_in(p, set, n, f);
}

static bool cg_role(const struct torfw_policy *p, u8 kind,
		    const struct torfw_facts *f, struct torfw_decision *d)
{
	return cg_match(p, p->role_cg[kind], p->n_role_cg[kind], f, d);
}

/* A role by uid or by cgroup. */
static bool has_role(const struct torfw_policy *p, u8 kind,
		     const struct torfw_facts *f, struct torfw_decision *d)
{
	return torfw_has_role(p, kind, f->uid) || cg_role(p, kind, f, d);
}

const struct torfw_svc *torfw_svc_find_exact(const struct torfw_policy *p,
					     u8 family, u8 proto,
					     const union nf_inet_addr *addr,
					     u16 port)
{
	u32 lo = 0, hi = p->n_svc;
	const struct torfw_svc *s;

	/* Find the last entry whose (key, port_lo) is <= (key, port). */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c;

		s = &p->svc[mid];
		c = torfw_svc_key_cmp(family, proto, addr, s);
		if (c > 0 || (!c && s->port_lo <= port))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &p->svc[lo - 1];
	if (torfw_svc_key_cmp(family, proto, addr, s) || port > s->port_hi)
		return NULL;
	return s;
}

const struct torfw_svc *torfw_svc_find(const struct torfw_policy *p,
				       u8 family, u8 proto,
				       const union nf_inet_addr *addr,
				       u16 port)
{
	static const union nf_inet_addr any;
	const struct torfw_svc *s;

	s = torfw_svc_find_exact(p, family, proto, addr, port);
	if (!s && !torfw_addr_is_zero(addr))
		s = torfw_svc_find_exact(p, family, proto, &any, port);
	return s;
}

bool torfw_svc_has_ns(const struct torfw_policy *p,
		      const struct torfw_svc *s, u64 cookie)
{
	u32 i;

	for (i = 0; i < s->n_ns; i++)
		if (p->svc_ns[s->ns_off + i].cookie == cookie)
			return true;
	return false;
}

bool torfw_ns_granted(const struct torfw_policy *p, u64 cookie)
{
	u32 lo = 0, hi = p->n_grant;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (p->grant[mid].cookie == cookie)
			return true;
		if (p->grant[mid].cookie < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool torfw_ns_served(const struct torfw_policy *p, u64 cookie)
{
	u32 lo = 0, hi = p->n_served;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (p->served[mid] == cookie)
			return true;
		if (p->served[mid] < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool torfw_in_lan(const struct torfw_policy *p, __be32 addr)
{
	u32 a = ntohl(addr), lo = 0, hi = p->n_lan;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (a < p->lan[mid].lo)
			hi = mid;
		else if (a > p->lan[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool torfw_lan_refused(const struct torfw_policy *p, u8 proto, u16 port)
{
	u32 lo = 0, hi = p->n_refuse;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct torfw_portrange *r = &p->refuse[mid];

		if (proto < r->proto || (proto == r->proto && port < r->lo))
			hi = mid;
		else if (proto > r->proto || port > r->hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool redir_hit(const struct torfw_redir *r, __be32 addr, u16 port)
{
	return (addr & r->mask) == r->addr && (!r->port || r->port == port);
}

const struct torfw_redir *torfw_redir_match(const struct torfw_policy *p,
					    u8 proto, __be32 daddr,
					    u16 dport)
{
	u32 i;

	for (i = 0; i < p->n_redir; i++) {
		const struct torfw_redir *r = &p->redir[i];

		if (r->proto == proto && redir_hit(r, daddr, dport))
			return r;
	}
	return NULL;
}

/* Whether a loopback packet belongs to a flow that a redirect rewrites. */
bool torfw_redir_involves(const struct torfw_policy *p, u8 proto,
			  __be32 saddr, __be32 daddr, u16 sport, u16 dport)
{
	u32 i;

	for (i = 0; i < p->n_redir; i++) {
		const struct torfw_redir *r = &p->redir[i];

		if (r->proto != proto)
			continue;
		if (redir_hit(r, daddr, dport) || redir_hit(r, saddr, sport) ||
		    sport == r->to_port || dport == r->to_port)
			return true;
	}
	return false;
}

static bool is_icmp(const struct torfw_facts *f)
{
	return f->proto == (f->family == AF_INET ? IPPROTO_ICMP :
			    IPPROTO_ICMPV6);
}

/* Rule 2: destination on the loopback device. */
static u8 decide_loopback(const struct torfw_policy *p,
			  const struct torfw_facts *f,
			  struct torfw_decision *d)
{
	const struct torfw_svc *s = NULL;

	if (f->ports)
		s = torfw_svc_find(p, f->family, f->proto, &f->daddr, f->dport);
	if (s) {
		const u32 *u = p->uids + s->uid_off;
		const u16 *c = p->svc_cg + s->cg_off;

		d->service = s - p->svc;
		if (torfw_uid_in(u, s->n_allow, f->uid) ||
		    cg_match(p, c, s->n_allow_cg, f, d))
			return TORFW_R_SERVICE;
		if (torfw_uid_in(u + s->n_allow, s->n_drop, f->uid) ||
		    cg_match(p, c + s->n_allow_cg, s->n_drop_cg, f, d))
			return TORFW_R_SERVICE_DROP;
	}
	/*
	 * Rule 4, loopback part: Tor reaches every IPv4 loopback port, also
	 * one whose entry names only others (an onion service's target).
	 */
	if (f->family == AF_INET && has_role(p, TORFW_ROLE_TOR, f, d))
		return TORFW_R_TOR_LOOPBACK;
	return TORFW_R_LOOPBACK;
}

/*
 * Out of a veth into another namespace of this machine: never a way out,
 * only a host TCP service answering a namespace that its entry names.
 * TCP only: without a connection no socket sends a segment other than a
 * SYN (TCP_REPAIR aside, which needs CAP_NET_ADMIN), while any uid could
 * send a datagram from a free UDP port; UDP replies are the tracked
 * flows' (these namespaces' flows are tracked, torfw_decide_track()).
 */
static u8 decide_to_netns(const struct torfw_policy *p,
			  const struct torfw_facts *f,
			  struct torfw_decision *d)
{
	const struct torfw_svc *s;

	if (f->proto != IPPROTO_TCP || !f->ports || f->tcp_syn)
		return TORFW_R_NETNS_LOCAL;
	s = torfw_svc_find(p, f->family, f->proto, &f->saddr, f->sport);
	if (!s || !torfw_svc_has_ns(p, s, f->to_ns))
		return TORFW_R_NETNS_LOCAL;
	d->service = s - p->svc;
	return TORFW_R_GRANT_REPLY;
}

/*
 * LAN refusals name tcp or udp; the protocols that carry the same ports
 * follow them (DNS over UDP-Lite, SCTP or DCCP is refused as well).
 */
static u8 lan_proto(u8 proto)
{
	switch (proto) {
	case IPPROTO_UDPLITE:
		return IPPROTO_UDP;
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return IPPROTO_TCP;
	default:
		return proto;
	}
}

/* Rule 5 for IPv4 through a device: the LAN ranges, minus refused ports. */
static u8 decide_lan(const struct torfw_policy *p,
		     const struct torfw_facts *f)
{
	if (!torfw_in_lan(p, f->daddr.ip))
		return TORFW_R_NONE;
	/* LAN DNS could reveal the public address. */
	if (f->ports && torfw_lan_refused(p, lan_proto(f->proto), f->dport))
		return TORFW_R_LAN_REFUSED;
	return TORFW_R_LAN;
}

/*
 * A socket the kernel made that opens connections (not its control
 * sockets answering with RSTs, ACKs and ICMP): SMC's TCP socket, in-kernel
 * clients, tunnels. Not linked to a process the module can name, so only
 * what the kernel-sockets option allows.
 */
static bool kernel_opens(const struct torfw_facts *f)
{
	return f->kernel_sock &&
	       (f->stream || (f->proto != IPPROTO_TCP && !is_icmp(f)));
}

static u8 decide_kernel(const struct torfw_policy *p,
			const struct torfw_facts *f)
{
	if (p->opt.kernel != TORFW_KERNEL_LAN || f->lo || f->to_ns ||
	    f->fragment || f->family != AF_INET || f->srr)
		return TORFW_R_KERNEL;
	return decide_lan(p, f) == TORFW_R_LAN ? TORFW_R_KERNEL_ALLOWED :
						 TORFW_R_KERNEL;
}

/* What the kernel sends to answer: TCP segments without SYN, and ICMP. */
static bool kernel_answers(const struct torfw_facts *f)
{
	return (f->proto == IPPROTO_TCP && !f->tcp_syn) || is_icmp(f);
}

static u8 decide_out(const struct torfw_policy *p,
		     const struct torfw_facts *f, struct torfw_decision *d)
{
	bool tcp = f->proto == IPPROTO_TCP;
	bool dns = f->ports && f->proto == IPPROTO_UDP && f->dport == 53;
	u8 lan;

	if (!p)
		return f->lo ? TORFW_R_NOPOLICY_LOOPBACK : TORFW_R_NO_POLICY;
	switch (f->ct) {
	case TORFW_CT_INVALID:
		/* Untranslated packets of a NAT'd flow: the classic leak. */
		return TORFW_R_INVALID;
	case TORFW_CT_ESTABLISHED:
		/* Its own direction is its owner's again (see the header). */
		if (f->ct_reply)
			return TORFW_R_ESTABLISHED;
		break;
	case TORFW_CT_RELATED:
		/* Only so that a refused local connect fails fast. */
		return f->lo && is_icmp(f) ? TORFW_R_RELATED_LOOPBACK :
					     TORFW_R_RELATED;
	default:
		break;
	}
	/*
	 * Established on loopback (policy.h). Off loopback every segment
	 * meets the policy again, as its owner's: a TCP_REPAIR socket sends
	 * data with no SYN at all, and still does once closed (its owner is
	 * still in the socket).
	 */
	if (torfw_lo_established(f))
		return TORFW_R_ESTABLISHED;
	if (f->closing)
		return TORFW_R_CLOSING;
	if (kernel_opens(f))
		return decide_kernel(p, f);
	if (!f->has_uid) {
		if (f->lo)
			return TORFW_R_NOSOCK_LOOPBACK;
		if (p->opt.nosock == TORFW_NOSOCK_ACCEPT && kernel_answers(f))
			return TORFW_R_NOSOCK_ACCEPT;
		return TORFW_R_NOSOCK;
	}
	if (f->fragment)
		return TORFW_R_FRAGMENT;
	if (f->lo)
		return decide_loopback(p, f, d);
	if (f->to_ns)
		return decide_to_netns(p, f, d);
	if (f->family != AF_INET)
		return TORFW_R_IPV6;
	if (f->srr)
		return TORFW_R_SOURCE_ROUTE;
	if (tcp || dns) {
		/*
		 * By uid first: the two roles allow the same here, and Tor's
		 * own traffic then never reads a cgroup.
		 */
		if (torfw_has_role(p, TORFW_ROLE_CLEARNET, f->uid))
			return TORFW_R_CLEARNET;
		if (torfw_has_role(p, TORFW_ROLE_TOR, f->uid))
			return TORFW_R_TOR;
		if (cg_role(p, TORFW_ROLE_CLEARNET, f, d))
			return TORFW_R_CLEARNET;
		if (cg_role(p, TORFW_ROLE_TOR, f, d))
			return TORFW_R_TOR;
	}
	lan = decide_lan(p, f);
	if (lan != TORFW_R_NONE)
		return lan;
	return tcp ? TORFW_R_INTERNET_TCP : TORFW_R_INTERNET_NON_TCP;
}

/* Inbound and forwarded, a tracked flow's state decides first. */
static u8 decide_ct(const struct torfw_facts *f)
{
	switch (f->ct) {
	case TORFW_CT_INVALID:
		return TORFW_R_INVALID;
	case TORFW_CT_ESTABLISHED:
		return TORFW_R_ESTABLISHED;
	case TORFW_CT_RELATED:
		return TORFW_R_RELATED;
	default:
		return TORFW_R_NONE;
	}
}

static u8 decide_in(const struct torfw_policy *p,
		    const struct torfw_facts *f, struct torfw_decision *d)
{
	const struct torfw_svc *s;
	u8 ct;

	/* The outbound allow-list already decided what reaches loopback. */
	if (f->lo)
		return TORFW_R_INBOUND_LOOPBACK;
	if (!p)
		return TORFW_R_NO_POLICY;
	ct = decide_ct(f);
	if (ct != TORFW_R_NONE)
		return ct;
	if (f->sock_match)
		return TORFW_R_ESTABLISHED;
	if (f->from_ns && f->ports && !f->fragment) {
		s = torfw_svc_find(p, f->family, f->proto, &f->daddr, f->dport);
		if (s && torfw_svc_has_ns(p, s, f->from_ns)) {
			d->service = s - p->svc;
			return TORFW_R_GRANT_SERVICE;
		}
	}
	return TORFW_R_INBOUND;
}

static u8 decide_forward(const struct torfw_policy *p,
			 const struct torfw_facts *f)
{
	u8 ct;

	if (!p)
		return TORFW_R_NO_POLICY;
	/*
	 * Never from one namespace of this machine into another, whatever
	 * the state: a namespace could make its own flow's reply direction
	 * lead into a sibling (a source address of the sibling's).
	 */
	if (f->from_ns && f->to_ns)
		return TORFW_R_FORWARD;
	/* Only flows of local namespaces are tracked here. */
	ct = decide_ct(f);
	if (ct != TORFW_R_NONE)
		return ct;
	/*
	 * A granted namespace's new flows leave through a way out, never
	 * into another namespace of this machine (to_ns): the unsafe
	 * browser must not reach a sibling's services.
	 */
	if (f->ct == TORFW_CT_NEW && f->family == AF_INET && f->from_ns &&
	    !f->to_ns && (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) &&
	    !ipv4_is_loopback(f->daddr.ip) &&
	    torfw_ns_granted(p, f->from_ns))
		return TORFW_R_GRANT_FORWARD;
	return TORFW_R_FORWARD;
}

/*
 * Frames leaving a device: those of the IP stack already passed LOCAL_OUT
 * or FORWARD (and ARP carries nothing of ours); a packet socket could
 * send anything, so only the uids with the packet role may (DHCP).
 */
static u8 decide_frame(const struct torfw_policy *p,
		       const struct torfw_facts *f, struct torfw_decision *d)
{
	if (f->packet_sock)
		return p && f->has_uid &&
		       has_role(p, TORFW_ROLE_PACKET, f, d) ?
		       TORFW_R_PACKET_ROLE : TORFW_R_PACKET;
	return f->frame_ip ? TORFW_R_FRAME_IP : TORFW_R_PACKET;
}

static u8 decide(const struct torfw_policy *p, const struct torfw_facts *f,
		 struct torfw_decision *d)
{
	/*
	 * Other namespaces reach the world only through a veth into the
	 * initial one, whose hooks apply the policy; a physical device moved
	 * into a namespace would bypass that, so nothing else passes there.
	 */
	if (!f->init_net)
		return f->link_ok ? TORFW_R_NETNS_LINK : TORFW_R_NETNS_DEVICE;
	switch (f->hook) {
	case TORFW_HOOK_OUT:
		return decide_out(p, f, d);
	case TORFW_HOOK_IN:
		return decide_in(p, f, d);
	case TORFW_HOOK_FRAME:
		return decide_frame(p, f, d);
	default:
		return decide_forward(p, f);
	}
}

/*
 * The whole policy of DESIGN.md section 2 as a function of facts. p is
 * NULL when no policy is loaded: then only loopback passes. The reason
 * determines the verdict: refusals of locally generated packets are
 * rejected (the program learns at once), other refusals dropped.
 */
void torfw_decide(const struct torfw_policy *p, const struct torfw_facts *f,
		  struct torfw_decision *d)
{
	d->service = -1;
	d->cgroup = false;
	d->reason = decide(p, f, d);
	switch (torfw_reason_kind[d->reason]) {
	case TORFW_RK_ACCEPT:
		d->verdict = TORFW_ACCEPT;
		break;
	case TORFW_RK_REFUSE:
		d->verdict = f->hook == TORFW_HOOK_OUT ? TORFW_REJECT :
							 TORFW_DROP;
		break;
	default:
		d->verdict = TORFW_DROP;
		break;
	}
}

/* Granted namespaces, and those a service names (for UDP replies). */
static bool local_ns_tracked(const struct torfw_policy *p, u64 cookie)
{
	return torfw_ns_granted(p, cookie) || torfw_ns_served(p, cookie);
}

/*
 * Which flows conntrack sees (nat.c asks, before it runs conntrack itself
 * for them, and facts.c asks again, to tell torfw's tracked flows from
 * the states another ruleset's conntrack gives the rest). Only those that
 * need it: loopback flows that a redirect rewrites and ICMP errors about
 * them (so that they are RELATED and translated back); locally generated
 * packets leaving through a device other than TCP and UDP (replies to
 * pings are what only conntrack tells from unsolicited packets; TCP and
 * UDP replies are matched to their local socket, or for an unconnected
 * UDP socket to what it sent, udp.c); flows of granted namespaces and of
 * those a service names. Inbound, replies of tracked flows: those
 * conntrack knows (TCP and UDP only when namespaces' flows may be
 * forwarded).
 */
u8 torfw_decide_track(const struct torfw_policy *p,
		      const struct torfw_facts *f)
{
	bool redirected;

	if (!p)
		return TORFW_TRACK_NO;
	if (f->lo) {
		if (!p->n_redir)
			return TORFW_TRACK_NO;
		if (f->icmp_err)
			redirected = torfw_redir_involves(p, f->inner_proto,
							  f->inner_saddr,
							  f->inner_daddr,
							  f->inner_sport,
							  f->inner_dport);
		else
			redirected = f->ports &&
				     torfw_redir_involves(p, f->proto,
							  f->saddr.ip,
							  f->daddr.ip,
							  f->sport, f->dport);
		return redirected ? TORFW_TRACK_YES : TORFW_TRACK_NO;
	}
	if (f->hook == TORFW_HOOK_OUT) {
		if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
			return TORFW_TRACK_YES;
		return local_ns_tracked(p, f->to_ns) ? TORFW_TRACK_YES :
						       TORFW_TRACK_NO;
	}
	if (local_ns_tracked(p, f->from_ns))
		return TORFW_TRACK_YES;
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return TORFW_TRACK_KNOWN;
	return p->n_grant ? TORFW_TRACK_KNOWN : TORFW_TRACK_NO;
}
