// SPDX-License-Identifier: GPL-2.0
/*
 * The filter hooks: packet -> facts (facts.c) -> decision (decide.c) ->
 * verdict.
 *
 * Registered in every network namespace (pernet ops) for IPv4 and IPv6 at
 * LOCAL_OUT, LOCAL_IN and FORWARD, at filter priority: after conntrack and
 * the NAT redirects, so the decision sees rewritten destinations.
 */

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/lwtunnel.h>
#include <net/net_namespace.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "torfw.h"

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
			 struct torfw_facts *f, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	struct torfw_decision d;

	const char *names[TORFW_CG_DEPTH_MAX];

	torfw_decide(p, f, &d);
	if (unlikely(d.cgroup)) {
		/* A cgroup principal may decide: read the socket's. */
		torfw_facts_cgroup(f, names);
		torfw_decide(p, f, &d);
	}
	torfw_count(d.reason);
	if (p)
		torfw_policy_hit(p, d.service);
	if (d.verdict == TORFW_ACCEPT)
		return NF_ACCEPT;
	torfw_report(p, f, &d);
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
	const char *cg_names[TORFW_CG_DEPTH_MAX];
	unsigned int verdict;

	torfw_facts_fill(&f, skb, state, p, cg_names);
	verdict = torfw_apply(p, &f, skb, state);
	/* What an unconnected UDP socket sent: its replies may pass. */
	if (verdict == NF_ACCEPT && hook == TORFW_HOOK_OUT && f.init_net &&
	    f.family == AF_INET && f.proto == IPPROTO_UDP && f.ports &&
	    !f.lo && !f.to_ns) {
		torfw_facts_udp_connected(&f, skb);
		if (!f.udp_connected)
			torfw_udp_sent(f.saddr.ip, f.sport, f.daddr.ip,
				       f.dport, f.has_uid ? f.uid : U32_MAX);
	}
	return verdict;
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
#if IS_ENABLED(CONFIG_LWTUNNEL)
	/*
	 * Routes with a seg6, rpl or ioam6 encapsulation send the outer
	 * packet past LOCAL_OUT unless this key is on (the one-way
	 * net.netfilter.nf_hooks_lwtunnel sysctl).
	 */
	static_branch_enable(&nf_hooks_lwtunnel_enabled);
#endif
	return register_pernet_subsys(&torfw_net_ops);
}

void torfw_hooks_exit(void)
{
	unregister_pernet_subsys(&torfw_net_ops);
}
