// SPDX-License-Identifier: GPL-2.0
/*
 * Packet -> facts: the only place that reads an skb for the policy. The
 * hooks (hooks.c, nat.c, egress.c) fill a plain struct torfw_facts here
 * and hand it to the pure decision functions of decide.c. Headers are
 * read only through skb_header_pointer().
 */

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netfilter.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/inet_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/mptcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_socket.h>

#include "torfw.h"

static bool dev_is_lo(const struct net_device *dev)
{
	return dev && (dev->flags & IFF_LOOPBACK);
}

static bool dev_link_ok(const struct net_device *dev)
{
	return !dev || dev_is_lo(dev) || torfw_dev_is_veth(dev);
}

static void facts_l4(struct torfw_facts *f, const struct sk_buff *skb,
		     unsigned int thoff)
{
	switch (f->proto) {
	case IPPROTO_TCP: {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th)
			return;
		f->sport = ntohs(th->source);
		f->dport = ntohs(th->dest);
		f->tcp_syn = th->syn && !th->ack;
		f->ports = true;
		break;
	}
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP: {
		/* Their headers all start with the two ports. */
		__be16 _pt[2];
		const __be16 *pt;

		pt = skb_header_pointer(skb, thoff, sizeof(_pt), _pt);
		if (!pt)
			return;
		f->sport = ntohs(pt[0]);
		f->dport = ntohs(pt[1]);
		f->ports = true;
		break;
	}
	}
}

/*
 * Loose or strict source routing: the header's destination is only the
 * first hop (a LAN router, say) and the option names the real one.
 * Unreadable or malformed options count as a source route.
 */
static bool ip4_source_route(const struct sk_buff *skb,
			     const struct iphdr *iph)
{
	unsigned int len = iph->ihl * 4 - sizeof(*iph), i = 0;
	u8 _opt[MAX_IPOPTLEN];
	const u8 *opt;

	if (!len)
		return false;
	opt = skb_header_pointer(skb, skb_network_offset(skb) + sizeof(*iph),
				 len, _opt);
	if (!opt)
		return true;
	while (i < len) {
		if (opt[i] == IPOPT_END)
			return false;
		if (opt[i] == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (opt[i] == IPOPT_LSRR || opt[i] == IPOPT_SSRR ||
		    i + 1 >= len || opt[i + 1] < 2)
			return true;
		i += opt[i + 1];
	}
	return false;
}

/* Addresses and protocol of an IPv4 packet, nothing read beyond. */
void torfw_facts_ip4_l3(struct torfw_facts *f, const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	f->family = AF_INET;
	f->proto = iph->protocol;
	f->saddr.ip = iph->saddr;
	f->daddr.ip = iph->daddr;
}

static void facts_ip4(struct torfw_facts *f, const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	torfw_facts_ip4_l3(f, skb);
	f->srr = iph->ihl > 5 && ip4_source_route(skb, iph);
	if (ntohs(iph->frag_off) & IP_OFFSET) {
		f->fragment = true;
		return;
	}
	facts_l4(f, skb, skb_network_offset(skb) + ip_hdrlen(skb));
}

static void facts_ip6(struct torfw_facts *f, struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned short fragoff = 0;
	unsigned int thoff = 0;
	int proto;

	f->family = AF_INET6;
	f->saddr.in6 = ip6h->saddr;
	f->daddr.in6 = ip6h->daddr;
	proto = ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL);
	if (proto < 0) {
		/* Unparsable extension headers: no L4 facts at all. */
		f->proto = IPPROTO_RAW;
		f->fragment = true;
		return;
	}
	f->proto = proto;
	if (fragoff) {
		f->fragment = true;
		return;
	}
	facts_l4(f, skb, thoff);
}

/*
 * The owner of a locally generated packet; the rule is in the UAPI header
 * (enum torfw_nosock). A user's socket: sk_uid, which the kernel sets from
 * the socket's inode when it is created (the creator's fsuid, as xt_owner
 * reads it from the file) or accepted (the acceptor's), and which stays
 * when the file is closed.
 */
void torfw_facts_owner(struct torfw_facts *f, const struct sk_buff *skb,
		       const struct net *net)
{
	struct sock *sk = skb_to_full_sk(skb);
	const struct socket *sock;

	/* A request or TIME_WAIT socket has no owner fields to read. */
	if (!sk || !sk_fullsock(sk) || !net_eq(net, sock_net(sk)))
		return;
	f->stream = sk->sk_type == SOCK_STREAM &&
		    sk->sk_protocol == IPPROTO_TCP;
	/* Established TCP on loopback passes whoever owns it. */
	if (torfw_lo_established(f))
		return;
	if (f->stream && sk_is_mptcp(sk)) {
		/*
		 * A subflow, made by the kernel (for additional subflows by
		 * its worker, as root); the kernel sets its inode to the
		 * MPTCP socket's user (mptcp_subflow_create_socket()).
		 */
		sock = READ_ONCE(sk->sk_socket);
		f->has_uid = true;
		f->sk = sk;
		f->uid = __kuid_val(sock ? SOCK_INODE((struct socket *)sock)->i_uid :
				    sk->sk_uid);
		return;
	}
	if (sk->sk_kern_sock) {
		f->kernel_sock = true;
		return;
	}
	f->has_uid = true;
	f->uid = __kuid_val(sk->sk_uid);
	f->sk = sk;
}

/*
 * A TCP segment without an owner leaving through a device: the kernel's
 * control socket answering for a local socket (the ACK of a TIME_WAIT
 * socket, a RST). A TIME_WAIT socket's connection passed the policy on
 * its way there; a full socket's segment is decided as its owner's.
 */
static void facts_closing(struct torfw_facts *f, struct net *net,
			  const struct net_device *out, const char **cg_names)
{
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct sock *sk;

	if (f->family == AF_INET)
		sk = __inet_lookup_established(net, h, f->daddr.ip,
					       htons(f->dport), f->saddr.ip,
					       f->sport, out->ifindex, 0);
	else
		sk = __inet6_lookup_established(net, h, &f->daddr.in6,
						htons(f->dport),
						&f->saddr.in6, f->sport,
						out->ifindex, 0);
	if (!sk)
		return;
	if (sk->sk_state == TCP_TIME_WAIT) {
		f->closing = true;
	} else if (sk_fullsock(sk) && !sk->sk_kern_sock) {
		f->kernel_sock = false;
		f->has_uid = true;
		f->uid = __kuid_val(sk->sk_uid);
		/*
		 * Read now, before the reference goes: the names stay, as
		 * the hook's RCU section holds off freeing the cgroup
		 * (css_free_rwork_fn() runs after a grace period).
		 */
		if (cg_names) {
			f->sk = sk;
			torfw_facts_cgroup(f, cg_names);
			f->sk = NULL;
		}
	}
	sock_gen_put(sk);
}

static bool sk_wants_it(const struct sock *sk, const struct torfw_facts *f)
{
	/* A SYN for a TIME_WAIT socket would reach the listener as new. */
	if (sk->sk_state == TCP_TIME_WAIT)
		return !f->tcp_syn;
	/* The rest of a handshake whose SYN passed. */
	if (sk->sk_state == TCP_NEW_SYN_RECV)
		return true;
	if (sk->sk_protocol == IPPROTO_TCP)
		return sk->sk_state != TCP_LISTEN;
	/* A connected UDP socket matched the peer's address and port. */
	return sk->sk_protocol == IPPROTO_UDP &&
	       sk->sk_state == TCP_ESTABLISHED;
}

/*
 * Replies of locally generated flows, matched to their local socket
 * instead of to a conntrack entry: the early demux result if any, else a
 * socket lookup, as xt_socket does.
 */
static bool sock_match(struct net *net, struct sk_buff *skb,
		       const struct torfw_facts *f,
		       const struct net_device *in)
{
	struct sock *sk = skb->sk;
	bool ret;

	if (!f->ports || f->fragment)
		return false;
	/* An unconnected socket's: what it sent (udp.c). */
	if (f->family == AF_INET && f->proto == IPPROTO_UDP &&
	    torfw_udp_reply(f->saddr.ip, f->sport, f->daddr.ip, f->dport))
		return true;
	if (sk)
		return sk_wants_it(sk, f);
	if (f->family == AF_INET)
		sk = nf_sk_lookup_slow_v4(net, skb, in);
	else
		sk = nf_sk_lookup_slow_v6(net, skb, in);
	if (!sk)
		return false;
	ret = sk_wants_it(sk, f);
	sock_gen_put(sk);
	return ret;
}

/*
 * Whether a packet is on the side of torfw's entry of namespace owner (0:
 * the host's own flow): out of or into that namespace, or the host's.
 * Forwarded, only a namespace's flow between it and a way out: its own
 * direction from the namespace, the reply into it.
 */
static bool ct_side(const struct torfw_facts *f, u64 owner, bool reply)
{
	switch (f->hook) {
	case TORFW_HOOK_OUT:
		return owner == f->to_ns;
	case TORFW_HOOK_IN:
		return owner == f->from_ns;
	default:
		if (!owner)
			return false;
		return reply ? f->to_ns == owner && !f->from_ns :
			       f->from_ns == owner && !f->to_ns;
	}
}

/*
 * The conntrack state of an entry torfw made (nat.c), for a packet on its
 * flow's own side (ct_side()); any other
 * packet is UNTRACKED whatever another ruleset's conntrack made of it:
 * that state is not ours (its reply direction would pass as ESTABLISHED,
 * a channel both ways for a socket that only received). nat.c refused
 * the packets conntrack found INVALID and sets that state itself.
 */
static void facts_ct(struct torfw_facts *f, const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;
	u64 owner;

	if (f->ct == TORFW_CT_INVALID)
		return;
	/* torfw decides IPv4's tracking only. */
	if (f->family != AF_INET)
		return;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || !torfw_ct_owner(ct, &owner) ||
	    !ct_side(f, owner, CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY))
		return;
	switch (ctinfo) {
	case IP_CT_NEW:
		f->ct = TORFW_CT_NEW;
		break;
	case IP_CT_RELATED:
	case IP_CT_RELATED_REPLY:
		f->ct = TORFW_CT_RELATED;
		break;
	default:
		f->ct = TORFW_CT_ESTABLISHED;
		break;
	}
	f->ct_reply = CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY;
}

/* The L3 and L4 facts of an IPv4 or IPv6 packet. */
void torfw_facts_ip(struct torfw_facts *f, struct sk_buff *skb, u8 pf)
{
	if (pf == NFPROTO_IPV4)
		facts_ip4(f, skb);
	else
		facts_ip6(f, skb);
}

/*
 * Everything the filter hooks (hooks.c) decide on. cg_names: room for the
 * cgroup names of a closing segment's owner (NULL: not read).
 */
void torfw_facts_fill(struct torfw_facts *f, struct sk_buff *skb,
		      const struct nf_hook_state *state,
		      const struct torfw_policy *p, const char **cg_names)
{
	struct net_device *out = state->out;

	/* An earlier hook may have rerouted: judge the real device. */
	if (f->hook == TORFW_HOOK_OUT && skb_dst(skb))
		out = skb_dst(skb)->dev;
	torfw_facts_ip(f, skb, state->pf);
	switch (f->hook) {
	case TORFW_HOOK_OUT:
		f->lo = dev_is_lo(out);
		f->link_ok = dev_link_ok(out);
		break;
	case TORFW_HOOK_IN:
		f->lo = dev_is_lo(state->in);
		f->link_ok = dev_link_ok(state->in);
		break;
	default:
		f->link_ok = dev_link_ok(state->in) && dev_link_ok(out);
		break;
	}
	if (!f->init_net)
		return;
	switch (f->hook) {
	case TORFW_HOOK_OUT:
		torfw_facts_owner(f, skb, state->net);
		if (!f->lo)
			f->to_ns = torfw_link_ns(out);
		facts_ct(f, skb);
		if (f->lo)
			break;
		/* Control sockets and no socket: not a connection's own. */
		if (!f->has_uid && !f->stream && f->proto == IPPROTO_TCP &&
		    f->ports && !f->tcp_syn && !f->fragment)
			facts_closing(f, state->net, out,
				      p && p->n_cg ? cg_names : NULL);
		break;
	case TORFW_HOOK_IN:
		if (f->lo)
			break;
		f->from_ns = torfw_link_ns(state->in);
		facts_ct(f, skb);
		/*
		 * A local namespace's flows with the host are tracked; a
		 * socket match would let it answer any connected UDP socket
		 * of the host, and so open a channel both ways.
		 */
		if (p && !f->from_ns &&
		    (f->ct == TORFW_CT_UNTRACKED || f->ct == TORFW_CT_NEW))
			f->sock_match = sock_match(state->net, skb, f,
						   state->in);
		break;
	default:
		f->from_ns = torfw_link_ns(state->in);
		f->to_ns = torfw_link_ns(out);
		facts_ct(f, skb);
		break;
	}
}

/* An ICMPv4 error: the quoted packet's addresses and ports. */
static void facts_icmp_inner(struct torfw_facts *f, const struct sk_buff *skb)
{
	unsigned int off = skb_network_offset(skb) + ip_hdrlen(skb);
	struct {
		struct icmphdr icmp;
		struct iphdr ip;
	} _h;
	const typeof(_h) *h;
	__be16 _p[2];
	const __be16 *pt;

	if (f->family != AF_INET || f->proto != IPPROTO_ICMP || f->fragment)
		return;
	h = skb_header_pointer(skb, off, sizeof(_h), &_h);
	if (!h || !icmp_is_err(h->icmp.type) || h->ip.ihl < 5)
		return;
	pt = skb_header_pointer(skb, off + sizeof(h->icmp) + h->ip.ihl * 4,
				sizeof(_p), _p);
	if (!pt)
		return;
	f->icmp_err = true;
	f->inner_proto = h->ip.protocol;
	f->inner_saddr = h->ip.saddr;
	f->inner_daddr = h->ip.daddr;
	f->inner_sport = ntohs(pt[0]);
	f->inner_dport = ntohs(pt[1]);
}

/*
 * What the loopback track decision reads (nat.c): the ports, or an ICMP
 * error's quoted packet; less than torfw_facts_ip(), for every packet.
 */
void torfw_facts_ip4_track(struct torfw_facts *f, const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	__be16 _pt[2];
	const __be16 *pt;

	if (ntohs(iph->frag_off) & IP_OFFSET) {
		f->fragment = true;
		return;
	}
	if (f->proto == IPPROTO_ICMP) {
		facts_icmp_inner(f, skb);
		return;
	}
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return;
	pt = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
				sizeof(_pt), _pt);
	if (!pt)
		return;
	f->sport = ntohs(pt[0]);
	f->dport = ntohs(pt[1]);
	f->ports = true;
}

/* A connected UDP socket matches its own replies (sock_match()). */
void torfw_facts_udp_connected(struct torfw_facts *f,
			       const struct sk_buff *skb)
{
	const struct sock *sk = skb_to_full_sk(skb);

	f->udp_connected = f->proto == IPPROTO_UDP && sk &&
			   sk->sk_protocol == IPPROTO_UDP &&
			   sk->sk_state == TCP_ESTABLISHED;
}
