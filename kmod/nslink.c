// SPDX-License-Identifier: GPL-2.0
/*
 * Which network namespace sits behind a veth of the initial namespace.
 *
 * Grants name namespaces, not interfaces: a packet from a veth is the
 * namespace's when the veth's peer lives there, and a veth whose peer is
 * in another namespace is a link to a local namespace, never a way out.
 * The peer is read when each packet passes (the hooks run under RCU, as
 * the peer pointer requires), not kept in a table: a veth made with
 * "peer ... netns NS" gets its peer only after both ends registered, a
 * peer can move to another namespace at any time, and teardown of many
 * devices must not cost a walk of all of them each.
 */

#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "torfw.h"

bool torfw_dev_is_veth(const struct net_device *dev)
{
	return dev->rtnl_link_ops && !strcmp(dev->rtnl_link_ops->kind, "veth");
}

/* Cookie of the namespace behind dev, 0 if none other than dev's own. */
u64 torfw_link_ns(struct net_device *dev)
{
	const struct net_device *peer;
	const struct net *net;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "veth peer read outside RCU");
	if (!dev || !dev->netdev_ops->ndo_get_peer_dev ||
	    !torfw_dev_is_veth(dev))
		return 0;
	peer = dev->netdev_ops->ndo_get_peer_dev(dev);
	if (!peer)
		return 0;
	net = dev_net(peer);
	return net_eq(net, dev_net(dev)) ? 0 : net->net_cookie;
}
