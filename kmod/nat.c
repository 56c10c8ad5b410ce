// SPDX-License-Identifier: GPL-2.0
/*
 * Connection tracking only where it is needed, and the redirects.
 *
 * Conntrack costs most of what an iptables ruleset costs, and TCP flows do
 * not need it: the owning socket answers the policy's questions, and
 * replies are matched to their local socket (hooks.c). So a hook at raw
 * priority marks every IPv4 packet of the initial namespace untracked,
 * except:
 *  - loopback flows that a redirect rewrites (automap, system DNS), and
 *    ICMP errors about them, so that they are RELATED and translated back
 *    for the client;
 *  - locally generated non-TCP packets leaving through a real device (UDP
 *    and ICMP to the LAN, DNS of Tor and of the clearnet uid), except from
 *    connected UDP sockets: replies to unconnected sockets and to pings
 *    are what only conntrack can tell from unsolicited packets; inbound,
 *    the packets of those flows;
 *  - flows to and from veths of granted namespaces (forwarded clearnet
 *    traffic and its replies).
 * The redirects themselves go through the kernel's NAT core, so that
 * getsockopt(SO_ORIGINAL_DST) still reports the address the client dialed.
 */

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/inet_sock.h>
#include <net/tcp_states.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_redirect.h>

#include "torfw.h"

struct ports {
	u16 sport;
	u16 dport;
};

static bool read_ports(const struct sk_buff *skb, const struct iphdr *iph,
		       struct ports *pt)
{
	__be16 _p[2];
	const __be16 *p;

	if (ntohs(iph->frag_off) & IP_OFFSET ||
	    (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP))
		return false;
	p = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
			       sizeof(_p), _p);
	if (!p)
		return false;
	pt->sport = ntohs(p[0]);
	pt->dport = ntohs(p[1]);
	return true;
}

/* An ICMP error quoting a packet of a redirected flow. */
static bool icmp_error_of_redirect(const struct torfw_policy *p,
				   const struct sk_buff *skb)
{
	unsigned int off = skb_network_offset(skb) + ip_hdrlen(skb);
	struct {
		struct icmphdr icmp;
		struct iphdr ip;
	} _h;
	const typeof(_h) *h;
	__be16 _p[2];
	const __be16 *pt;

	h = skb_header_pointer(skb, off, sizeof(_h), &_h);
	if (!h || !icmp_is_err(h->icmp.type) || h->ip.ihl < 5)
		return false;
	pt = skb_header_pointer(skb, off + sizeof(h->icmp) + h->ip.ihl * 4,
				sizeof(_p), _p);
	return pt && torfw_redir_involves(p, h->ip.protocol, h->ip.saddr,
					  h->ip.daddr, ntohs(pt[0]),
					  ntohs(pt[1]));
}

static bool track_loopback(const struct sk_buff *skb)
{
	const struct torfw_policy *p = rcu_dereference(torfw_active);
	const struct iphdr *iph = ip_hdr(skb);
	struct ports pt;

	if (!p || !p->n_redir)
		return false;
	if (iph->protocol == IPPROTO_ICMP)
		return icmp_error_of_redirect(p, skb);
	return read_ports(skb, iph, &pt) &&
	       torfw_redir_involves(p, iph->protocol, iph->saddr, iph->daddr,
				    pt.sport, pt.dport);
}

static bool granted_link(const struct torfw_policy *p,
			 const struct net_device *dev)
{
	u64 peer = torfw_nslink_peer(dev->ifindex);

	return peer && torfw_ns_granted(p, peer);
}

static bool already_tracked(struct sk_buff *skb, struct net *net)
{
	const struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple tuple;

	if (!nf_ct_get_tuplepr(skb, skb_network_offset(skb), NFPROTO_IPV4,
			       net, &tuple))
		return false;
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &tuple);
	if (!h)
		return false;
	nf_ct_put(nf_ct_tuplehash_to_ctrack(h));
	return true;
}

/*
 * Tracked, or untracked on purpose. An ICMP error about an untracked
 * packet inherits "RELATED, no conntrack" from it (nf_ct_attach() in
 * icmp_send()), which is neither: that one is decided here again.
 */
static bool decided(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;

	return nf_ct_get(skb, &ctinfo) || ctinfo == IP_CT_UNTRACKED;
}

/* A connected UDP socket matches its own replies (hooks.c). */
static bool connected_udp(const struct sk_buff *skb)
{
	const struct sock *sk = skb_to_full_sk(skb);

	return ip_hdr(skb)->protocol == IPPROTO_UDP && sk &&
	       sk->sk_protocol == IPPROTO_UDP &&
	       sk->sk_state == TCP_ESTABLISHED;
}

static unsigned int torfw_raw_out(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct torfw_policy *p;
	bool track;

	if (decided(skb))
		return NF_ACCEPT;
	if (state->out->flags & IFF_LOOPBACK) {
		track = track_loopback(skb);
	} else {
		p = rcu_dereference(torfw_active);
		track = p && ((ip_hdr(skb)->protocol != IPPROTO_TCP &&
			       !connected_udp(skb)) ||
			      (p->n_grant && granted_link(p, state->out)));
	}
	if (!track)
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	return NF_ACCEPT;
}

static unsigned int torfw_raw_pre(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct torfw_policy *p;
	bool track;

	/* Looped-back packets keep the decision taken on output. */
	if (decided(skb))
		return NF_ACCEPT;
	if (state->in->flags & IFF_LOOPBACK) {
		track = track_loopback(skb);
	} else {
		p = rcu_dereference(torfw_active);
		/* Replies of tracked flows; TCP only for granted namespaces. */
		track = p && ((p->n_grant && granted_link(p, state->in)) ||
			      ((ip_hdr(skb)->protocol != IPPROTO_TCP ||
				p->n_grant) &&
			       already_tracked(skb, state->net)));
	}
	if (!track)
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	return NF_ACCEPT;
}

/* Called by the NAT core for the first packet of each tracked flow. */
static unsigned int torfw_nat_out(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct torfw_policy *p = rcu_dereference(torfw_active);
	const struct iphdr *iph = ip_hdr(skb);
	const struct torfw_redir *r;
	struct nf_nat_range2 range = {};
	struct ports pt;

	if (!p || !p->n_redir || !read_ports(skb, iph, &pt))
		return NF_ACCEPT;
	r = torfw_redir_match(p, iph->protocol, iph->daddr, pt.dport);
	if (!r)
		return NF_ACCEPT;
	range.flags = NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_proto.all = htons(r->to_port);
	range.max_proto.all = range.min_proto.all;
	return nf_nat_redirect_ipv4(skb, &range, state->hook);
}

static const struct nf_hook_ops torfw_raw_ops[] = {
	{
		.hook = torfw_raw_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_RAW,
	},
	{
		.hook = torfw_raw_pre,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_RAW,
	},
};

static const struct nf_hook_ops torfw_nat_ops = {
	.hook = torfw_nat_out,
	.pf = NFPROTO_IPV4,
	.hooknum = NF_INET_LOCAL_OUT,
	.priority = NF_IP_PRI_NAT_DST,
};

int torfw_nat_init(void)
{
	int ret;

	ret = nf_ct_netns_get(&init_net, NFPROTO_IPV4);
	if (ret)
		return ret;
	ret = nf_register_net_hooks(&init_net, torfw_raw_ops,
				    ARRAY_SIZE(torfw_raw_ops));
	if (ret)
		goto err_ct;
	ret = nf_nat_ipv4_register_fn(&init_net, &torfw_nat_ops);
	if (ret)
		goto err_raw;
	return 0;

err_raw:
	nf_unregister_net_hooks(&init_net, torfw_raw_ops,
				ARRAY_SIZE(torfw_raw_ops));
err_ct:
	nf_ct_netns_put(&init_net, NFPROTO_IPV4);
	return ret;
}

void torfw_nat_exit(void)
{
	nf_nat_ipv4_unregister_fn(&init_net, &torfw_nat_ops);
	nf_unregister_net_hooks(&init_net, torfw_raw_ops,
				ARRAY_SIZE(torfw_raw_ops));
	nf_ct_netns_put(&init_net, NFPROTO_IPV4);
}
