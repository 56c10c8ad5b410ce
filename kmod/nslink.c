// SPDX-License-Identifier: GPL-2.0
/*
 * Which network namespace sits behind each veth of the initial namespace.
 *
 * Grants name namespaces, not interfaces: a packet forwarded from a veth
 * is granted when the veth's peer lives in a granted namespace. The peer's
 * namespace can only be read under RTNL, so a netdevice notifier keeps a
 * small table (ifindex -> namespace cookie), rebuilt whenever a veth
 * appears, disappears or moves, and published with RCU for the hooks.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/rtnetlink.h>
#include <net/net_namespace.h>

#include "torfw.h"

struct nslink {
	int ifindex;
	u64 peer;
};

struct nslink_table {
	struct rcu_head rcu;
	u32 n;
	struct nslink link[];
};

static struct nslink_table __rcu *nslink_table;

bool torfw_dev_is_veth(const struct net_device *dev)
{
	return dev->rtnl_link_ops && !strcmp(dev->rtnl_link_ops->kind, "veth");
}

/* Cookie of the namespace behind veth ifindex of init_net, or 0. */
u64 torfw_nslink_peer(int ifindex)
{
	const struct nslink_table *t = rcu_dereference(nslink_table);
	u32 lo = 0, hi;

	if (!t)
		return 0;
	hi = t->n;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (t->link[mid].ifindex == ifindex)
			return t->link[mid].peer;
		if (t->link[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int nslink_cmp(const void *a, const void *b)
{
	const struct nslink *x = a, *y = b;

	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

static void nslink_rebuild(void)
{
	struct nslink_table *t, *old;
	struct net_device *dev;
	u32 n = 0;

	ASSERT_RTNL();
	for_each_netdev(&init_net, dev)
		if (torfw_dev_is_veth(dev))
			n++;
	t = kzalloc(struct_size(t, link, n), GFP_KERNEL);
	if (!t) {
		/* Keep the old table: at worst a grant is missed (closed). */
		pr_warn_ratelimited("out of memory updating namespace links\n");
		return;
	}
	atomic_inc(&torfw_objects);
	for_each_netdev(&init_net, dev) {
		struct net *peer;

		if (!torfw_dev_is_veth(dev) || t->n == n)
			continue;
		peer = dev->rtnl_link_ops->get_link_net ?
		       dev->rtnl_link_ops->get_link_net(dev) : NULL;
		t->link[t->n].ifindex = dev->ifindex;
		t->link[t->n].peer = peer && !net_eq(peer, &init_net) ?
				     peer->net_cookie : 0;
		t->n++;
	}
	sort(t->link, t->n, sizeof(t->link[0]), nslink_cmp, NULL);
	old = rtnl_dereference(nslink_table);
	rcu_assign_pointer(nslink_table, t);
	if (old) {
		kfree_rcu(old, rcu);
		atomic_dec(&torfw_objects);
	}
}

static int nslink_event(struct notifier_block *nb, unsigned long event,
			void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if ((event == NETDEV_REGISTER || event == NETDEV_UNREGISTER) &&
	    torfw_dev_is_veth(dev))
		nslink_rebuild();
	return NOTIFY_DONE;
}

static struct notifier_block nslink_nb = {
	.notifier_call = nslink_event,
};

int torfw_nslink_init(void)
{
	/* Replays NETDEV_REGISTER for every existing device. */
	return register_netdevice_notifier(&nslink_nb);
}

void torfw_nslink_exit(void)
{
	struct nslink_table *t;

	unregister_netdevice_notifier(&nslink_nb);
	rtnl_lock();
	t = rtnl_dereference(nslink_table);
	RCU_INIT_POINTER(nslink_table, NULL);
	rtnl_unlock();
	if (t) {
		kfree_rcu(t, rcu);
		atomic_dec(&torfw_objects);
	}
}
