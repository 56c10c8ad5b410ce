/* SPDX-License-Identifier: GPL-2.0 */
/* Between the generic netlink files: the family, loads and dumps. */
#ifndef _TORFW_NETLINK_H
#define _TORFW_NETLINK_H

#include <net/genetlink.h>

/* netlink_load.c */
extern const struct nla_policy torfw_load_policy[TORFW_A_MAX + 1];
int torfw_nl_load(struct sk_buff *skb, struct genl_info *info);
void torfw_load_release(u32 portid, u64 net_cookie);
void torfw_load_discard_all(void);

/* netlink_dump.c */
int torfw_nl_dump_start(struct netlink_callback *cb);
int torfw_nl_get_policy(struct sk_buff *skb, struct netlink_callback *cb);
int torfw_nl_get_stats(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _TORFW_NETLINK_H */
