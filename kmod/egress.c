// SPDX-License-Identifier: GPL-2.0
/*
 * Raw frames: a netdev egress hook on every non-loopback device of every
 * namespace, present and future (a device without one is refused at
 * registration and cannot come up). Packet sockets (AF_PACKET, also with
 * PACKET_QDISC_BYPASS, which runs the same hook) bypass the IP hooks, so
 * their frames pass only for uids with the packet role (a DHCP client).
 */

#include <linux/if_ether.h>
#include <linux/hashtable.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include "torfw.h"

struct egress_hook {
	struct hlist_node node;
	struct rcu_head rcu;
	struct nf_hook_ops ops;
};

/* Per device, found in O(1) on its events (under RTNL). */
static DEFINE_HASHTABLE(egress_hooks, 12);

/* Frames without a socket that the IP stack or ARP made. */
static bool frame_ip(const struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
	case htons(ETH_P_IPV6):
	case htons(ETH_P_ARP):
	case htons(ETH_P_8021Q):
	case htons(ETH_P_8021AD):
		return true;
	default:
		return false;
	}
}

static unsigned int torfw_egress(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct sock *sk = skb_to_full_sk(skb);
	struct torfw_facts f = {
		.hook = TORFW_HOOK_FRAME,
		.init_net = net_eq(state->net, &init_net),
		.link_ok = torfw_dev_is_veth(state->out),
	};

	if (!sk) {
		f.frame_ip = frame_ip(skb);
	} else if (sk->sk_family == AF_INET || sk->sk_family == AF_INET6) {
		/* The IP hooks saw it. */
		f.frame_ip = true;
	} else if (sk->sk_family == AF_PACKET) {
		f.packet_sock = true;
		torfw_facts_owner(&f, skb, state->net);
	}
	return torfw_apply(rcu_dereference(torfw_active), &f, skb, state);
}

static struct egress_hook *egress_find(const struct net_device *dev)
{
	struct egress_hook *h;

	hash_for_each_possible(egress_hooks, h, node, (unsigned long)dev)
		if (h->ops.dev == dev)
			return h;
	return NULL;
}

static int egress_attach(struct net_device *dev)
{
	struct egress_hook *h;
	int ret;

	if (egress_find(dev))
		return 0;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->ops.hook = torfw_egress;
	h->ops.pf = NFPROTO_NETDEV;
	h->ops.hooknum = NF_NETDEV_EGRESS;
	h->ops.priority = 0;
	h->ops.dev = dev;
	ret = nf_register_net_hook(dev_net(dev), &h->ops);
	if (ret) {
		kfree(h);
		return ret;
	}
	hash_add(egress_hooks, &h->node, (unsigned long)dev);
	atomic_inc(&torfw_objects);
	return 0;
}

static void egress_detach(struct net_device *dev)
{
	struct egress_hook *h = egress_find(dev);

	if (!h)
		return;
	nf_unregister_net_hook(dev_net(dev), &h->ops);
	hash_del(&h->node);
	kfree_rcu(h, rcu);
	atomic_dec(&torfw_objects);
}

static int egress_event(struct notifier_block *nb, unsigned long event,
			void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (dev->flags & IFF_LOOPBACK)
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_REGISTER:
		/* A device we cannot watch is not registered at all. */
		return notifier_from_errno(egress_attach(dev));
	case NETDEV_PRE_UP:
		/*
		 * Nor does it come up: a device moved to another namespace
		 * is registered there again, and that cannot be refused.
		 */
		return notifier_from_errno(egress_attach(dev));
	case NETDEV_UNREGISTER:
		egress_detach(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block egress_nb = {
	.notifier_call = egress_event,
};

int torfw_egress_init(void)
{
	/* Replays NETDEV_REGISTER for every device of every namespace. */
	return register_netdevice_notifier(&egress_nb);
}

void torfw_egress_exit(void)
{
	/* Replays NETDEV_UNREGISTER: every hook is detached. */
	unregister_netdevice_notifier(&egress_nb);
	rcu_barrier();
}
