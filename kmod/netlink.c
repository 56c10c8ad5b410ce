// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "torfw"; uapi/torfw.h is its specification.
 * Here: the family and its operations, the simple commands (status,
 * flush, lock) and the notifier that ends a closed socket's load. Loads
 * are netlink_load.c's, dumps netlink_dump.c's.
 */

#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "torfw.h"
#include "version.h"
#include "netlink.h"

/* Hooks may multicast events only while the family is registered. */
bool torfw_netlink_up;

static int torfw_nl_status(struct sk_buff *skb, struct genl_info *info)
{
	const struct torfw_policy *p;
	struct sk_buff *msg;
	u32 flags = 0;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &torfw_genl_family, 0,
				TORFW_CMD_GET_STATUS);
	if (!hdr)
		goto err;
	torfw_update_lock();
	p = torfw_active_protected();
	if (p)
		flags |= TORFW_STATUS_F_LOADED;
	if (torfw_state_is_locked())
		flags |= TORFW_STATUS_F_LOCKED;
	if (nla_put_u64_64bit(msg, TORFW_A_GENERATION, p ? p->generation : 0,
			      TORFW_A_PAD) ||
	    nla_put_u32(msg, TORFW_A_FLAGS, flags) ||
	    nla_put_string(msg, TORFW_A_VERSION, TORFW_VERSION) ||
	    nla_put_u32(msg, TORFW_A_SERVICE_COUNT, p ? p->n_svc : 0) ||
	    nla_put_u32(msg, TORFW_A_OBJECTS, atomic_read(&torfw_objects))) {
		torfw_update_unlock();
		goto err;
	}
	torfw_update_unlock();
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int torfw_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	torfw_update_lock();
	ret = torfw_state_replace(NULL, info->extack);
	if (!ret)
		torfw_load_discard_all();
	torfw_update_unlock();
	if (!ret)
		pr_info("policy flushed: only loopback passes\n");
	return ret;
}

static int torfw_nl_lock(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	torfw_update_lock();
	ret = torfw_state_lock_policy(info->extack);
	torfw_update_unlock();
	return ret;
}

static const struct genl_ops torfw_genl_ops[] = {
	{
		.cmd = TORFW_CMD_GET_STATUS,
		.doit = torfw_nl_status,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TORFW_CMD_LOAD,
		.doit = torfw_nl_load,
		.policy = torfw_load_policy,
		.maxattr = TORFW_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TORFW_CMD_GET_POLICY,
		.start = torfw_nl_dump_start,
		.dumpit = torfw_nl_get_policy,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TORFW_CMD_GET_STATS,
		.dumpit = torfw_nl_get_stats,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TORFW_CMD_FLUSH,
		.doit = torfw_nl_flush,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TORFW_CMD_LOCK,
		.doit = torfw_nl_lock,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group torfw_mcgrps[] = {
	{ .name = TORFW_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family torfw_genl_family __ro_after_init = {
	.name = TORFW_GENL_NAME,
	.version = TORFW_GENL_VERSION,
	.module = THIS_MODULE,
	.netnsok = true,
	.ops = torfw_genl_ops,
	.n_ops = ARRAY_SIZE(torfw_genl_ops),
	.mcgrps = torfw_mcgrps,
	.n_mcgrps = ARRAY_SIZE(torfw_mcgrps),
};

/* A closed socket abandons its load transaction. */
static int torfw_nl_release(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	const struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC)
		torfw_load_release(n->portid, n->net->net_cookie);
	return NOTIFY_DONE;
}

static struct notifier_block torfw_nl_notifier = {
	.notifier_call = torfw_nl_release,
};

int torfw_netlink_init(void)
{
	int ret;

	ret = netlink_register_notifier(&torfw_nl_notifier);
	if (ret)
		return ret;
	ret = genl_register_family(&torfw_genl_family);
	if (ret) {
		netlink_unregister_notifier(&torfw_nl_notifier);
		return ret;
	}
	WRITE_ONCE(torfw_netlink_up, true);
	return 0;
}

void torfw_netlink_exit(void)
{
	/* No event may go to a group id that another family could reuse. */
	WRITE_ONCE(torfw_netlink_up, false);
	synchronize_rcu();
	genl_unregister_family(&torfw_genl_family);
	netlink_unregister_notifier(&torfw_nl_notifier);
	torfw_update_lock();
	torfw_load_discard_all();
	torfw_update_unlock();
}
