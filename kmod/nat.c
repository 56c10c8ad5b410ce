// SPDX-License-Identifier: GPL-2.0
/*
 * Connection tracking only where it is needed, and the redirects.
 *
 * Conntrack costs most of what an iptables ruleset costs, and TCP flows do
 * not need it: the owning socket answers the policy's questions, and
 * replies are matched to their local socket (facts.c). So a hook at raw
 * priority marks every IPv4 packet of the initial namespace untracked,
 * except the flows torfw_decide_track() (decide.c) names. The redirects
 * themselves go through the kernel's NAT core, so that
 * getsockopt(SO_ORIGINAL_DST) still reports the address the client dialed.
 */

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_redirect.h>

#include "torfw.h"

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

/*
 * Every packet crosses the raw hooks: only the facts that
 * torfw_decide_track() reads under policy p are gathered.
 */
static void track_facts(struct torfw_facts *f, struct sk_buff *skb,
			struct net_device *dev, const struct torfw_policy *p)
{
	torfw_facts_ip4_l3(f, skb);
	if (!p)
		return;
	if (f->lo) {
		if (!p->n_redir)
			return;
		torfw_facts_ip4_track(f, skb);
		return;
	}
	if (f->hook == TORFW_HOOK_OUT && f->proto == IPPROTO_UDP)
		torfw_facts_udp_connected(f, skb);
	if (!p->n_grant && !p->n_served)
		return;
	if (f->hook == TORFW_HOOK_OUT)
		f->to_ns = torfw_link_ns(dev);
	else
		f->from_ns = torfw_link_ns(dev);
}

/* Marks the packet untracked unless decide.c says conntrack must see it. */
static unsigned int torfw_raw(struct sk_buff *skb,
			      const struct nf_hook_state *state, u8 hook)
{
	struct net_device *dev = hook == TORFW_HOOK_OUT ? state->out :
							   state->in;
	struct torfw_facts f = {
		.hook = hook,
		.init_net = true,
		.lo = dev->flags & IFF_LOOPBACK,
	};
	const struct torfw_policy *p;
	u8 track;

	/* Looped-back packets keep the decision taken on output. */
	if (decided(skb))
		return NF_ACCEPT;
	p = rcu_dereference(torfw_active);
	track_facts(&f, skb, dev, p);
	track = torfw_decide_track(p, &f);
	if (track == TORFW_TRACK_KNOWN)
		track = already_tracked(skb, state->net) ? TORFW_TRACK_YES :
							   TORFW_TRACK_NO;
	if (track == TORFW_TRACK_NO)
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	return NF_ACCEPT;
}

static unsigned int torfw_raw_out(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	return torfw_raw(skb, state, TORFW_HOOK_OUT);
}

static unsigned int torfw_raw_pre(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	return torfw_raw(skb, state, TORFW_HOOK_IN);
}

/* Called by the NAT core for the first packet of each tracked flow. */
static unsigned int torfw_nat_out(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct torfw_policy *p = rcu_dereference(torfw_active);
	struct torfw_facts f = {};
	const struct torfw_redir *r;
	struct nf_nat_range2 range = {};

	if (!p || !p->n_redir)
		return NF_ACCEPT;
	torfw_facts_ip(&f, skb, NFPROTO_IPV4);
	if (!f.ports)
		return NF_ACCEPT;
	r = torfw_redir_match(p, f.proto, f.daddr.ip, f.dport);
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
