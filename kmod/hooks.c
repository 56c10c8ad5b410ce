// SPDX-License-Identifier: GPL-2.0
/*
 * The filter hooks: packet -> facts -> decision -> verdict.
 *
 * Registered in every network namespace (pernet ops) for IPv4 and IPv6 at
 * LOCAL_OUT, LOCAL_IN and FORWARD, at filter priority: after conntrack and
 * the NAT redirects, so the decision sees rewritten destinations.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_socket.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

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
	case IPPROTO_UDPLITE: {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
		if (!uh)
			return;
		f->sport = ntohs(uh->source);
		f->dport = ntohs(uh->dest);
		f->ports = true;
		break;
	}
	}
}

static void facts_ip4(struct torfw_facts *f, const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	f->family = AF_INET;
	f->proto = iph->protocol;
	f->saddr.ip = iph->saddr;
	f->daddr.ip = iph->daddr;
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

static void facts_ct(struct torfw_facts *f, const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct) {
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
	} else if (ctinfo != IP_CT_UNTRACKED && f->init_net &&
		   f->family == AF_INET) {
		/* nat.c tracks or untracks every IPv4 packet of init_net. */
		f->ct = TORFW_CT_INVALID;
	} else {
		f->ct = TORFW_CT_UNTRACKED;
	}
}

/* The owner of a locally generated packet, as xt_owner sees it. */
void torfw_facts_owner(struct torfw_facts *f, const struct sk_buff *skb,
		       const struct net *net)
{
	struct sock *sk = skb_to_full_sk(skb);
	const struct socket *sock;
	const struct file *filp;

	if (!sk || !net_eq(net, sock_net(sk)))
		return;
	f->stream = sk->sk_type == SOCK_STREAM &&
		    sk->sk_protocol == IPPROTO_TCP;
	/* Established TCP on loopback passes whoever owns it: no lock. */
	if (f->lo && f->stream && f->proto == IPPROTO_TCP && f->ports &&
	    !f->tcp_syn)
		return;
	read_lock_bh(&sk->sk_callback_lock);
	sock = READ_ONCE(sk->sk_socket);
	filp = sock ? READ_ONCE(sock->file) : NULL;
	/* Kernel sockets (ICMP errors, RSTs, tunnels) have no file. */
	if (filp) {
		f->has_uid = true;
		f->uid = __kuid_val(filp->f_cred->fsuid);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static bool sk_wants_it(const struct sock *sk)
{
	if (!sk_fullsock(sk))
		return true;	/* request or timewait: a known connection */
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
	if (sk)
		return sk_wants_it(sk);
	if (f->family == AF_INET)
		sk = nf_sk_lookup_slow_v4(net, skb, in);
	else
		sk = nf_sk_lookup_slow_v6(net, skb, in);
	if (!sk)
		return false;
	ret = sk_wants_it(sk);
	sock_gen_put(sk);
	return ret;
}

static void reject(const struct torfw_facts *f, struct sk_buff *skb,
		   const struct nf_hook_state *state)
{
	if (f->family == AF_INET)
		nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
	else
		nf_send_unreach6(state->net, skb, ICMPV6_PORT_UNREACH,
				 state->hook);
}

/* Decides, counts, reports and turns the decision into a verdict. */
unsigned int torfw_apply(const struct torfw_policy *p,
			 const struct torfw_facts *f, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	struct torfw_decision d;

	torfw_decide(p, f, &d);
	torfw_count(d.reason);
	if (p)
		torfw_policy_hit(p, d.service);
	if (d.verdict == TORFW_ACCEPT)
		return NF_ACCEPT;
	torfw_report(f, &d);
	if (d.verdict == TORFW_DROP)
		return NF_DROP;
	reject(f, skb, state);
	/*
	 * The error also reaches the sender synchronously: connect() would
	 * otherwise see the ICMP only as a soft error while it holds the
	 * socket lock, and retry its SYN instead of failing at once.
	 */
	return NF_DROP_ERR(-ECONNREFUSED);
}

static unsigned int torfw_filter(struct sk_buff *skb,
				 const struct nf_hook_state *state, u8 hook)
{
	const struct torfw_policy *p = rcu_dereference(torfw_active);
	struct torfw_facts f = {
		.hook = hook,
		.init_net = net_eq(state->net, &init_net),
	};

	if (state->pf == NFPROTO_IPV4)
		facts_ip4(&f, skb);
	else
		facts_ip6(&f, skb);
	switch (hook) {
	case TORFW_HOOK_OUT:
		f.lo = dev_is_lo(state->out);
		f.link_ok = dev_link_ok(state->out);
		break;
	case TORFW_HOOK_IN:
		f.lo = dev_is_lo(state->in);
		f.link_ok = dev_link_ok(state->in);
		break;
	default:
		f.link_ok = dev_link_ok(state->in) && dev_link_ok(state->out);
		break;
	}
	if (f.init_net) {
		facts_ct(&f, skb);
		if (hook == TORFW_HOOK_OUT) {
			torfw_facts_owner(&f, skb, state->net);
		} else if (!f.lo) {
			f.from_ns = torfw_nslink_peer(state->in->ifindex);
			if (hook == TORFW_HOOK_IN && p &&
			    (f.ct == TORFW_CT_UNTRACKED || f.ct == TORFW_CT_NEW))
				f.sock_match = sock_match(state->net, skb, &f,
							  state->in);
		}
	}

	return torfw_apply(p, &f, skb, state);
}

static unsigned int torfw_out(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return torfw_filter(skb, state, TORFW_HOOK_OUT);
}

static unsigned int torfw_in(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	return torfw_filter(skb, state, TORFW_HOOK_IN);
}

static unsigned int torfw_forward(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	return torfw_filter(skb, state, TORFW_HOOK_FORWARD);
}

#define TORFW_HOOK(fn, family, num, prio) {	\
	.hook = fn,				\
	.pf = family,				\
	.hooknum = num,				\
	.priority = prio,			\
}

static const struct nf_hook_ops torfw_filter_ops[] = {
	TORFW_HOOK(torfw_out, NFPROTO_IPV4, NF_INET_LOCAL_OUT,
		   NF_IP_PRI_FILTER),
	TORFW_HOOK(torfw_in, NFPROTO_IPV4, NF_INET_LOCAL_IN, NF_IP_PRI_FILTER),
	TORFW_HOOK(torfw_forward, NFPROTO_IPV4, NF_INET_FORWARD,
		   NF_IP_PRI_FILTER),
	TORFW_HOOK(torfw_out, NFPROTO_IPV6, NF_INET_LOCAL_OUT,
		   NF_IP6_PRI_FILTER),
	TORFW_HOOK(torfw_in, NFPROTO_IPV6, NF_INET_LOCAL_IN,
		   NF_IP6_PRI_FILTER),
	TORFW_HOOK(torfw_forward, NFPROTO_IPV6, NF_INET_FORWARD,
		   NF_IP6_PRI_FILTER),
};

static int __net_init torfw_net_init(struct net *net)
{
	return nf_register_net_hooks(net, torfw_filter_ops,
				     ARRAY_SIZE(torfw_filter_ops));
}

static void __net_exit torfw_net_pre_exit(struct net *net)
{
	nf_unregister_net_hooks(net, torfw_filter_ops,
				ARRAY_SIZE(torfw_filter_ops));
}

static struct pernet_operations torfw_net_ops = {
	.init = torfw_net_init,
	.pre_exit = torfw_net_pre_exit,
};

int torfw_hooks_init(void)
{
	return register_pernet_subsys(&torfw_net_ops);
}

void torfw_hooks_exit(void)
{
	unregister_pernet_subsys(&torfw_net_ops);
}
