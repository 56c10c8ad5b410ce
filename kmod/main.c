// SPDX-License-Identifier: GPL-2.0
/*
 * torfw: the only way to the Internet is Tor.
 *
 * Order matters: the filter hooks are in place before anyone can load a
 * policy, so the machine is closed from the first instant.
 */

#include <linux/module.h>

#include "torfw.h"
#include "version.h"

static int __init torfw_init(void)
{
	int ret;

	torfw_udp_init();
	ret = torfw_hooks_init();
	if (ret)
		goto err_hooks;
	ret = torfw_nat_init();
	if (ret)
		goto err_nat;
	ret = torfw_egress_init();
	if (ret)
		goto err_egress;
	ret = torfw_xsk_init();
	if (ret)
		goto err_xsk;
	ret = torfw_netlink_init();
	if (ret)
		goto err_netlink;
	pr_info("torfw " TORFW_VERSION " loaded: no policy, only loopback passes\n");
	return 0;

err_netlink:
	torfw_xsk_exit();
err_xsk:
	torfw_egress_exit();
err_egress:
	torfw_nat_exit();
err_nat:
	torfw_hooks_exit();
err_hooks:
	return ret;
}

static void __exit torfw_exit(void)
{
	/* Only a forced unload gets here while locked: it never returns. */
	torfw_state_hold_if_locked();
	torfw_netlink_exit();
	torfw_xsk_exit();
	torfw_egress_exit();
	torfw_nat_exit();
	torfw_hooks_exit();
	torfw_state_exit();
}

module_init(torfw_init);
module_exit(torfw_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Tor-only egress firewall");
MODULE_AUTHOR("torfw developers");
MODULE_VERSION(TORFW_VERSION);
