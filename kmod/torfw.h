/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between the module's files. */
#ifndef _TORFW_H
#define _TORFW_H

#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>
#include <net/genetlink.h>
#include "policy.h"

struct net_device;

/*
 * state.c: the active policy, the writers' update mutex, the generation,
 * and the until-reboot lock (the only thing called "lock" in torfw's
 * names besides the mutex helpers' "update").
 */
extern struct torfw_policy __rcu *torfw_active;
void torfw_update_lock(void);
void torfw_update_unlock(void);
struct torfw_policy *torfw_active_protected(void);
u64 torfw_state_generation(void);
void torfw_state_publish(struct torfw_policy *p);
bool torfw_state_is_locked(void);
int torfw_state_replace(struct torfw_policy *p,
			struct netlink_ext_ack *extack);
int torfw_state_lock_policy(struct netlink_ext_ack *extack);
void torfw_state_hold_if_locked(void);
void torfw_state_exit(void);

/* nslink.c: which namespace sits behind a veth (under RCU). */
u64 torfw_link_ns(struct net_device *dev);
bool torfw_dev_is_veth(const struct net_device *dev);

/* egress.c: raw frames on every non-loopback device. */
int torfw_egress_init(void);
void torfw_egress_exit(void);

/* xsk.c: AF_XDP sockets, whose frames no hook sees, are refused. */
int torfw_xsk_init(void);
void torfw_xsk_exit(void);

/* facts.c: packet -> facts. */
void torfw_facts_ip(struct torfw_facts *f, struct sk_buff *skb, u8 pf);
void torfw_facts_ip4_l3(struct torfw_facts *f, const struct sk_buff *skb);
void torfw_facts_fill(struct torfw_facts *f, struct sk_buff *skb,
		      const struct nf_hook_state *state,
		      const struct torfw_policy *p, const char **cg_names);
void torfw_facts_owner(struct torfw_facts *f, const struct sk_buff *skb,
		       const struct net *net);
void torfw_facts_ip4_track(struct torfw_facts *f, const struct sk_buff *skb);
void torfw_facts_udp_connected(struct torfw_facts *f,
			       const struct sk_buff *skb);

/* cgroup.c: the owning socket's cgroup, for cgroup principals. */
void torfw_facts_cgroup(struct torfw_facts *f, const char **names);
int torfw_cgroup_names(const struct sock *sk, const char **names,
		       bool *deeper);

/* hooks.c: the filter hooks in every namespace. */
int torfw_hooks_init(void);
void torfw_hooks_exit(void);
unsigned int torfw_apply(const struct torfw_policy *p,
			 struct torfw_facts *f, struct sk_buff *skb,
			 const struct nf_hook_state *state);

/* udp.c: replies to unconnected UDP sockets (initial netns). */
void torfw_udp_init(void);
void torfw_udp_sent(__be32 laddr, u16 lport, __be32 raddr, u16 rport,
		    u32 uid);
bool torfw_udp_reply(__be32 raddr, u16 rport, __be32 laddr, u16 lport);

/* nat.c: conntrack selection and the redirects, initial netns only. */
struct nf_conn;
bool torfw_ct_owner(const struct nf_conn *ct, u64 *ns);
int torfw_nat_init(void);
void torfw_nat_exit(void);

/* report.c: counters, kernel log and multicast events of refusals. */
void torfw_count(u8 reason);

u64 torfw_count_read(u8 reason);
void torfw_report_configure(const struct torfw_options *opt);
void torfw_report(const struct torfw_policy *p, const struct torfw_facts *f,
		  const struct torfw_decision *d);

/* netlink.c */
extern struct genl_family torfw_genl_family;
extern bool torfw_netlink_up;
int torfw_netlink_init(void);
void torfw_netlink_exit(void);

#endif /* _TORFW_H */
