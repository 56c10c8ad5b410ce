// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP sockets are refused while torfw is loaded.
 *
 * An AF_XDP socket in copy mode sends its frames with __dev_direct_xmit(),
 * which no netfilter hook, qdisc or egress hook sees (nor a capture on the
 * sending device), so the policy cannot judge them. Creating one needs
 * CAP_NET_RAW in the device's namespace, and no DHCP client or other
 * program of an amnesic system uses it; torfw takes the address family's
 * place, so that socket(AF_XDP, ...) fails with EPERM. The kernel's own
 * handler cannot be put back: after torfw is unloaded AF_XDP stays
 * unavailable until reboot (EAFNOSUPPORT).
 */

#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>

#include "torfw.h"

static int torfw_xsk_create(struct net *net, struct socket *sock,
			    int protocol, int kern)
{
	return -EPERM;
}

static const struct net_proto_family torfw_xsk_family = {
	.family = PF_XDP,
	.create = torfw_xsk_create,
	.owner = THIS_MODULE,
};

int torfw_xsk_init(void)
{
	sock_unregister(PF_XDP);
	return sock_register(&torfw_xsk_family);
}

void torfw_xsk_exit(void)
{
	sock_unregister(PF_XDP);
}
