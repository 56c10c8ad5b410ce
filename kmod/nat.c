// SPDX-License-Identifier: GPL-2.0
/*
 * Connection tracking only where it is needed, and the redirects.
 *
 * Conntrack costs most of what an iptables ruleset costs, and most flows
 * do not need it: the owning socket answers the policy's questions, and
 * replies are matched to their local socket (facts.c, udp.c). So torfw
 * does not turn conntrack's, defrag's or the NAT core's hooks on at all.
 * Its own hooks in the initial namespace run conntrack (nf_conntrack_in)
 * for the flows torfw_decide_track() (decide.c) names, rewrite the
 * redirected ones through the NAT core's setup and packet functions (so
 * that getsockopt(SO_ORIGINAL_DST) reports the address the client dialed)
 * and confirm them once they have passed. Every other packet is left as
 * it came: a ruleset that turns conntrack on for itself (an nftables
 * 'ct state' rule, Docker) tracks it as without torfw.
 */

#include <linux/icmp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_labels.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_redirect.h>

#include "torfw.h"

/*
 * Which entries are torfw's: its conntrack label (bit 127), with the
 * cookie of the namespace whose flow it is (bits 0-63, 0 for the host's
 * own). Another ruleset's conntrack tracks every other flow, and a
 * namespace could send packets that match a host flow's entry, or
 * another namespace's: a state counts only for the entry's own side.
 */
#define TORFW_CT_LABEL_BIT	127

static void ct_claim(struct nf_conn *ct, u64 ns)
{
	u32 data[4] = { lower_32_bits(ns), upper_32_bits(ns), 0, BIT(31) };
	static const u32 mask[4] = { U32_MAX, U32_MAX, 0, BIT(31) };

	nf_connlabels_replace(ct, data, mask, ARRAY_SIZE(data));
}

/* Whether ct is torfw's; *ns: the namespace whose flow it is. */
bool torfw_ct_owner(const struct nf_conn *ct, u64 *ns)
{
	const struct nf_conn_labels *l = nf_ct_labels_find(ct);
	const u32 *w;

	if (!l)
		return false;
	w = (const u32 *)l->bits;
	if (!(w[3] & BIT(31)))
		return false;
	*ns = (u64)w[1] << 32 | w[0];
	return true;
}

/* Inbound, a flow of torfw's that the table has: a reply. */
static bool already_tracked(struct sk_buff *skb, struct net *net, u64 ns)
{
	const struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple tuple;
	struct nf_conn *ct;
	u64 owner;
	bool ret;

	if (!nf_ct_get_tuplepr(skb, skb_network_offset(skb), NFPROTO_IPV4,
			       net, &tuple))
		return false;
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &tuple);
	if (!h)
		return false;
	ct = nf_ct_tuplehash_to_ctrack(h);
	/* From the uplink: the reply of a host or a namespace flow. */
	ret = torfw_ct_owner(ct, &owner) && (!ns || owner == ns);
	nf_ct_put(ct);
	return ret;
}

/*
 * A template (another ruleset's zone) is where conntrack is still to
 * run; an untracked mark is another ruleset's choice.
 */
static bool has_entry(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct)
		return !nf_ct_is_template(ct);
	return ctinfo == IP_CT_UNTRACKED;
}

/* The reassembly queue nf_defrag_ipv4 would use on input. */
static enum ip_defrag_users defrag_user(const struct sk_buff *skb)
{
	u16 zone = NF_CT_DEFAULT_ZONE_ID;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	/* Another ruleset's zone template. */
	if (ct)
		zone = nf_ct_zone_id(nf_ct_zone(ct), CTINFO2DIR(ctinfo));
	if (nf_bridge_in_prerouting(skb))
		return IP_DEFRAG_CONNTRACK_BRIDGE_IN + zone;
	return IP_DEFRAG_CONNTRACK_IN + zone;
}

/*
 * Every packet crosses these hooks: only the facts that
 * torfw_decide_track() reads under policy p are gathered.
 */
static void track_facts(struct torfw_facts *f, struct sk_buff *skb,
			struct net_device *dev, const struct torfw_policy *p)
{
	torfw_facts_ip4_l3(f, skb);
	if (f->lo) {
		if (!p->n_redir)
			return;
		torfw_facts_ip4_track(f, skb);
		return;
	}
	if (!p->n_grant && !p->n_served)
		return;
	if (f->hook == TORFW_HOOK_OUT)
		f->to_ns = torfw_link_ns(dev);
	else
		f->from_ns = torfw_link_ns(dev);
}

/*
 * An ICMP error about a flow conntrack does not know is no invalid
 * packet: the no-socket rule decides it, as the kernel's answer it is.
 */
static bool icmp_error(const struct sk_buff *skb)
{
	const struct icmphdr *ih;
	struct icmphdr _ih;

	if (ip_hdr(skb)->protocol != IPPROTO_ICMP)
		return false;
	ih = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
				sizeof(_ih), &_ih);
	return ih && icmp_is_err(ih->type);
}

/*
 * Conntrack found the packet invalid (it left no entry): refused here,
 * with everything the refusal reports, before anything else sees it.
 */
static unsigned int track_invalid(const struct torfw_policy *p,
				  struct sk_buff *skb,
				  const struct nf_hook_state *state, u8 hook)
{
	struct torfw_facts f = {
		.hook = hook,
		.init_net = true,
		.ct = TORFW_CT_INVALID,
	};

	torfw_facts_fill(&f, skb, state, p, NULL);
	return torfw_apply(p, &f, skb, state);
}

/*
 * Both of the NAT core's rewrites of a loopback flow, at once: a packet
 * of such a flow always passes LOCAL_OUT, on its way out and on its way
 * back, and never leaves the machine. A new flow's destination is the
 * redirect's (or kept), its source kept unless another flow already has
 * the same tuple, as the NAT core's null binding at POST_ROUTING does.
 */
static unsigned int track_nat_lo(const struct torfw_policy *p,
				 struct nf_conn *ct,
				 enum ip_conntrack_info ctinfo,
				 struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	__be32 daddr = iph->daddr;
	unsigned int ret;
	int err;

	if ((ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY) &&
	    iph->protocol == IPPROTO_ICMP) {
		if (!nf_nat_icmp_reply_translation(skb, ct, ctinfo,
						   NF_INET_LOCAL_OUT) ||
		    !nf_nat_icmp_reply_translation(skb, ct, ctinfo,
						   NF_INET_POST_ROUTING))
			return NF_DROP;
		return NF_ACCEPT;
	}
	if (ctinfo == IP_CT_NEW) {
		if (!nf_nat_initialized(ct, NF_NAT_MANIP_DST)) {
			const struct torfw_redir *r = NULL;
			struct torfw_facts f = {};

			torfw_facts_ip(&f, skb, NFPROTO_IPV4);
			if (f.ports)
				r = torfw_redir_match(p, f.proto, f.daddr.ip,
						      f.dport);
			if (r) {
				struct nf_nat_range2 range = {
					.flags = NF_NAT_RANGE_PROTO_SPECIFIED,
					.min_proto.all = htons(r->to_port),
					.max_proto.all = htons(r->to_port),
				};

				ret = nf_nat_redirect_ipv4(skb, &range,
							   NF_INET_LOCAL_OUT);
			} else {
				ret = nf_nat_alloc_null_binding(ct,
							NF_INET_LOCAL_OUT);
			}
			if (ret != NF_ACCEPT)
				return ret;
		}
		if (!nf_nat_initialized(ct, NF_NAT_MANIP_SRC)) {
			ret = nf_nat_alloc_null_binding(ct,
							NF_INET_POST_ROUTING);
			if (ret != NF_ACCEPT)
				return ret;
		}
	}
	ret = nf_nat_packet(ct, ctinfo, NF_INET_LOCAL_OUT, skb);
	if (ret == NF_ACCEPT)
		ret = nf_nat_packet(ct, ctinfo, NF_INET_POST_ROUTING, skb);
	if (ret != NF_ACCEPT || ip_hdr(skb)->daddr == daddr)
		return ret;
	/* As the NAT core's LOCAL_OUT hook: route the new destination. */
	err = ip_route_me_harder(state->net, state->sk, skb, RTN_UNSPEC);
	return err < 0 ? NF_DROP_ERR(err) : NF_ACCEPT;
}

/*
 * Before conntrack's own priority: a flow torfw tracks is always tracked
 * (and translated) here first, whatever else runs.
 */
static unsigned int torfw_track(struct sk_buff *skb,
				const struct nf_hook_state *state, u8 hook)
{
	struct net_device *dev = hook == TORFW_HOOK_OUT ? state->out :
							   state->in;
	struct torfw_facts f = {
		.hook = hook,
		.init_net = true,
		.lo = dev->flags & IFF_LOOPBACK,
	};
	const struct torfw_policy *p = rcu_dereference(torfw_active);
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	unsigned int ret;
	u8 track;

	if (!p)
		return NF_ACCEPT;
	/*
	 * A looped-back packet was decided on its way out: it carries its
	 * entry, or torfw does not track it.
	 */
	if (hook == TORFW_HOOK_IN && f.lo)
		return NF_ACCEPT;
	if (has_entry(skb)) {
		/*
		 * An error the kernel made about a packet carries that
		 * packet's entry (nf_ct_attach(): RELATED): on loopback it
		 * is translated back like the flow's own packets.
		 */
		ct = nf_ct_get(skb, &ctinfo);
		if (!ct || hook != TORFW_HOOK_OUT || !f.lo)
			return NF_ACCEPT;
		track_facts(&f, skb, dev, p);
		if (torfw_decide_track(p, &f) != TORFW_TRACK_YES)
			return NF_ACCEPT;
		return track_nat_lo(p, ct, ctinfo, skb, state);
	}
	if (ip_is_fragment(ip_hdr(skb))) {
		/*
		 * A fragment sent by a raw socket is decided as it is (see
		 * decide.c: refused); arriving ones are reassembled first,
		 * as conntrack's defrag hook does.
		 */
		if (hook == TORFW_HOOK_OUT)
			return NF_ACCEPT;
		local_bh_disable();
		ret = ip_defrag(state->net, skb, defrag_user(skb));
		local_bh_enable();
		if (ret)
			return NF_STOLEN;
		skb->ignore_df = 1;
	}
	track_facts(&f, skb, dev, p);
	track = torfw_decide_track(p, &f);
	if (track == TORFW_TRACK_KNOWN)
		track = already_tracked(skb, state->net, f.from_ns) ?
			TORFW_TRACK_YES : TORFW_TRACK_NO;
	if (track == TORFW_TRACK_NO)
		return NF_ACCEPT;
	ret = nf_conntrack_in(skb, state);
	if (ret != NF_ACCEPT)
		return ret;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return icmp_error(skb) ? NF_ACCEPT :
					 track_invalid(p, skb, state, hook);
	/* Made just now (not yet in the table): torfw's. */
	if (ctinfo == IP_CT_NEW && !nf_ct_is_confirmed(ct))
		ct_claim(ct, hook == TORFW_HOOK_OUT ? f.to_ns : f.from_ns);
	if (hook == TORFW_HOOK_OUT && f.lo)
		return track_nat_lo(p, ct, ctinfo, skb, state);
	return NF_ACCEPT;
}

static unsigned int torfw_track_out(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	return torfw_track(skb, state, TORFW_HOOK_OUT);
}

static unsigned int torfw_track_pre(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	return torfw_track(skb, state, TORFW_HOOK_IN);
}

/*
 * Last of all, as conntrack's own confirmation: a new flow enters the
 * table only once every hook let its first packet through (another
 * ruleset's source NAT included), so a refused packet leaves nothing.
 */
static unsigned int torfw_confirm(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;

	if (!nf_ct_get(skb, &ctinfo))
		return NF_ACCEPT;
	/* Also delivers the entry's cached events (ctnetlink). */
	return nf_conntrack_confirm(skb);
}

static const struct nf_hook_ops torfw_track_ops[] = {
	{
		.hook = torfw_track_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_CONNTRACK - 1,
	},
	{
		.hook = torfw_track_pre,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK - 1,
	},
	{
		.hook = torfw_confirm,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK_CONFIRM,
	},
	{
		.hook = torfw_confirm,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_CONNTRACK_CONFIRM,
	},
};

int torfw_nat_init(void)
{
	int ret;

	/* Entries made from now on have room for a label. */
	ret = nf_connlabels_get(&init_net, TORFW_CT_LABEL_BIT);
	if (ret)
		return ret;
	ret = nf_register_net_hooks(&init_net, torfw_track_ops,
				    ARRAY_SIZE(torfw_track_ops));
	if (ret)
		nf_connlabels_put(&init_net);
	return ret;
}

void torfw_nat_exit(void)
{
	nf_unregister_net_hooks(&init_net, torfw_track_ops,
				ARRAY_SIZE(torfw_track_ops));
	nf_connlabels_put(&init_net);
}
