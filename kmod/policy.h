/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TORFW_POLICY_H
#define _TORFW_POLICY_H

#include <linux/gfp.h>
#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/netfilter.h>
#include <linux/in.h>
#include "uapi/torfw.h"

struct netlink_ext_ack;
struct sock;

enum torfw_verdict {
	TORFW_ACCEPT,
	TORFW_DROP,
	TORFW_REJECT,
};

/* Connection tracking as the decision function sees it. */
enum torfw_ct {
	TORFW_CT_UNTRACKED,	/* not tracked on purpose, or no conntrack */
	TORFW_CT_NEW,
	TORFW_CT_ESTABLISHED,
	TORFW_CT_RELATED,
	TORFW_CT_INVALID,	/* conntrack ran and refused the packet */
};

/*
 * Everything the decision function knows about a packet. Hooks fill it
 * from the skb; KUnit fills it by hand.
 */
struct torfw_facts {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	u64 from_ns;		/* cookie of the netns behind the input veth */
	u64 to_ns;		/* cookie of the netns behind the output veth */
	u32 uid;		/* owner uid in the initial user namespace */
	u16 sport;
	u16 dport;
	u8 hook;		/* enum torfw_hook */
	u8 family;		/* AF_INET, AF_INET6 */
	u8 proto;		/* IPPROTO_*, after IPv6 extension headers */
	u8 ct;			/* enum torfw_ct */
	bool init_net;		/* packet is in the initial netns */
	bool has_uid;		/* owned by a user's socket (uid) */
	bool kernel_sock;	/* owned by a kernel-made socket, no user */
	bool closing;		/* TCP segment of a local TIME_WAIT socket */
	bool srr;		/* IPv4 source route option (LSRR, SSRR) */
	bool stream;		/* owner is a TCP stream socket */
	bool ports;		/* sport/dport are valid (TCP/UDP head) */
	bool tcp_syn;		/* SYN without ACK: a new connection */
	bool fragment;		/* not the first fragment: no L4 header */
	bool lo;		/* out device (in device for IN) is loopback */
	bool link_ok;		/* devices are loopback or veth (other netns) */
	bool sock_match;	/* IN: an established local socket wants it */
	bool packet_sock;	/* FRAME: sent by a packet (AF_PACKET) socket */
	bool frame_ip;		/* FRAME: made by the IP stack or ARP */
	bool udp_connected;	/* owner is a connected UDP socket (udp.c) */
	bool ct_reply;		/* ct: the packet is in its flow's reply direction */
	bool icmp_err;		/* ICMPv4 error; inner_*: the quoted packet */
	u8 inner_proto;
	__be32 inner_saddr;
	__be32 inner_daddr;
	u16 inner_sport;
	u16 inner_dport;
	/*
	 * The owning socket's cgroup (torfw_cg in the UAPI header): the
	 * names of its ancestors at levels 1..cg_n, its own last (cg_deeper:
	 * it is deeper than TORFW_CG_DEPTH_MAX), in storage of whoever
	 * filled them. Filled only when a decision asks for it
	 * (torfw_decision.cgroup); sk is the socket to read it from (kernel
	 * only, NULL elsewhere). A pointer keeps the facts small: every
	 * packet's facts start zeroed.
	 */
	bool cg_known;
	bool cg_deeper;
	u8 cg_n;
	const char *const *cg;
	const struct sock *sk;
};

/*
 * Untracked TCP on loopback: the stack sends a segment other than a SYN
 * only on a connection whose SYN (ours or the peer's) passed the hooks,
 * so the socket answers "established" without conntrack. facts.c skips
 * the owner lookup and decide.c accepts on this one predicate.
 */
static inline bool torfw_lo_established(const struct torfw_facts *f)
{
	return f->lo && f->stream && f->proto == IPPROTO_TCP && f->ports &&
	       !f->tcp_syn;
}

/* Whether conntrack sees a packet (torfw_decide_track()). */
enum torfw_track {
	TORFW_TRACK_NO,		/* torfw leaves it to other rulesets */
	TORFW_TRACK_YES,
	TORFW_TRACK_KNOWN,	/* only if conntrack already has its flow */
};

struct torfw_decision {
	u8 verdict;		/* enum torfw_verdict */
	u8 reason;		/* enum torfw_reason */
	/*
	 * A cgroup principal was asked about and the facts have no cgroup
	 * (!cg_known): decide again with it. Only packets that meet an entry
	 * or role naming a cgroup, and whose uid did not pass already, pay
	 * for reading the socket's cgroup.
	 */
	bool cgroup;
	s32 service;		/* allow-list entry that matched, or -1 */
};

/*
 * A cgroup principal: a path from the root of the cgroup v2 hierarchy,
 * and the same with each '/' a NUL, its components at off[0..level-1].
 */
struct torfw_cgroup {
	u8 level;
	u8 off[TORFW_CG_DEPTH_MAX];
	char path[TORFW_CG_PATH_MAX];
	char names[TORFW_CG_PATH_MAX];
};

struct torfw_svc {
	union nf_inet_addr addr;	/* all zero: any local address */
	u16 port_lo;
	u16 port_hi;
	u8 family;
	u8 proto;
	u8 n_ns;
	u8 n_allow_cg;
	u8 n_drop_cg;
	u16 n_allow;
	u16 n_drop;
	u32 uid_off;		/* allowed uids, then dropped, in uid pool */
	u32 ns_off;		/* namespaces in ns pool */
	u32 cg_off;		/* allowed cgroups, then dropped, in cg pool */
};

struct torfw_ns {
	u64 cookie;
	char name[TORFW_NS_NAME_MAX];
};

struct torfw_range4 {
	u32 lo;			/* host order, inclusive */
	u32 hi;
};

struct torfw_portrange {
	u8 proto;
	u16 lo;
	u16 hi;
};

struct torfw_redir {
	u8 kind;		/* enum torfw_redir_kind */
	u8 proto;
	u8 prefixlen;
	__be32 addr;
	__be32 mask;
	u16 port;		/* 0 = any */
	u16 to_port;
};

struct torfw_options {
	u8 nosock;		/* enum torfw_nosock */
	u8 kernel;		/* enum torfw_kernel_sockets */
	u32 log_rate;
	u32 log_burst;
	u32 flags;		/* TORFW_OPT_F_* */
};

/*
 * The memory of a load is charged to the loader's memory cgroup, and when
 * it cannot be had the load ends with -ENOMEM and the active policy stays:
 * no OOM kill and no allocation warning for a request that may fail.
 */
#define TORFW_GFP_LOAD (GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

#define TORFW_HITS_CHUNK 2048

/* The compiled policy: immutable once published, replaced as a whole. */
struct torfw_policy {
	struct rcu_head rcu;
	u64 generation;
	struct torfw_options opt;
	u32 n_role[__TORFW_ROLE_KIND_MAX];
	u32 *role[__TORFW_ROLE_KIND_MAX];	/* sorted uids per role */
	u32 n_role_cg[__TORFW_ROLE_KIND_MAX];
	u16 *role_cg[__TORFW_ROLE_KIND_MAX];	/* indexes in cg, sorted */
	u32 n_cg;
	struct torfw_cgroup *cg;	/* the cgroups the policy names */
	u32 n_svc_cg;
	u16 *svc_cg;			/* pool of per-entry cgroup lists */
	u32 n_svc;
	struct torfw_svc *svc;		/* sorted, see svc_cmp() */
	u32 n_uids;
	u32 *uids;			/* pool of per-entry uid lists */
	u32 n_svc_ns;
	struct torfw_ns *svc_ns;	/* pool of per-entry namespaces */
	u32 n_lan;
	struct torfw_range4 *lan;	/* sorted, merged */
	u32 n_lan_in;			/* as given, for dumps */
	struct torfw_range4 *lan_in;
	u32 n_refuse;
	struct torfw_portrange *refuse;	/* sorted by proto, lo; merged */
	u32 n_refuse_in;
	struct torfw_portrange *refuse_in;
	u32 n_grant;
	struct torfw_ns *grant;		/* sorted by cookie */
	u32 n_served;
	u64 *served;			/* namespaces services name, sorted */
	u32 n_redir;
	struct torfw_redir redir[TORFW_MAX_REDIRECTS];
	u64 __percpu **hits;		/* per entry, in chunks */
};

/* builder.c and compile.c: collect elements, then compile and check once. */
struct torfw_builder;

struct torfw_svc_spec {
	union nf_inet_addr addr;
	u16 port_lo;
	u16 port_hi;
	u8 family;
	u8 proto;
	u32 n_allow;
	const u32 *allow;
	u32 n_drop;
	const u32 *drop;
	u32 n_ns;
	const struct torfw_ns *ns;
	/* Cgroups by index (torfw_builder_add_cgroup()'s return value). */
	u32 n_allow_cg;
	const u16 *allow_cg;
	u32 n_drop_cg;
	const u16 *drop_cg;
};

struct torfw_builder *torfw_builder_new(void);
void torfw_builder_free(struct torfw_builder *b);
int torfw_builder_set_options(struct torfw_builder *b,
			      const struct torfw_options *opt,
			      struct netlink_ext_ack *extack);
int torfw_builder_add_role(struct torfw_builder *b, u8 kind, u32 uid,
			   struct netlink_ext_ack *extack);
/*
 * A cgroup by path (checked here). Returns its index in the builder (the
 * same path twice: the same index) or a negative errno.
 */
int torfw_builder_add_cgroup(struct torfw_builder *b, const char *path,
			     struct netlink_ext_ack *extack);
int torfw_builder_add_role_cgroup(struct torfw_builder *b, u8 kind, u16 cg,
				  struct netlink_ext_ack *extack);
int torfw_builder_add_service(struct torfw_builder *b,
			      const struct torfw_svc_spec *s,
			      struct netlink_ext_ack *extack);
int torfw_builder_add_lan(struct torfw_builder *b, u8 family, __be32 addr,
			  u8 len, struct netlink_ext_ack *extack);
int torfw_builder_add_lan_refuse(struct torfw_builder *b, u8 proto, u16 lo,
				 u16 hi, struct netlink_ext_ack *extack);
int torfw_builder_add_grant(struct torfw_builder *b, const struct torfw_ns *ns,
			    struct netlink_ext_ack *extack);
int torfw_builder_add_redirect(struct torfw_builder *b,
			       const struct torfw_redir *r,
			       struct netlink_ext_ack *extack);
struct torfw_policy *torfw_policy_build(struct torfw_builder *b,
					struct netlink_ext_ack *extack);
void torfw_policy_free(struct torfw_policy *p);

/*
 * compare.c: the lock's "no looser" judgement, on verdicts. The probes
 * (probe*.c) are facts that stand for every class of packets two policies
 * tell apart; a comparison needs at most TORFW_COMPARE_MAX of them, or
 * fails -E2BIG.
 */
#define TORFW_COMPARE_MAX (1U << 22)
int torfw_policy_probe(const struct torfw_policy *a,
		       const struct torfw_policy *b,
		       int (*fn)(const struct torfw_facts *f, void *arg),
		       void *arg);
int torfw_policy_compare(const struct torfw_policy *new,
			 const struct torfw_policy *old, u32 budget,
			 u32 *decisions, struct netlink_ext_ack *extack);
int torfw_policy_no_looser(const struct torfw_policy *new,
			   const struct torfw_policy *old,
			   struct netlink_ext_ack *extack);

/* decide.c: the decision and the lookups it is made of. */
void torfw_decide(const struct torfw_policy *p, const struct torfw_facts *f,
		  struct torfw_decision *d);
u8 torfw_decide_track(const struct torfw_policy *p,
		      const struct torfw_facts *f);
bool torfw_uid_in(const u32 *set, u32 n, u32 uid);
bool torfw_has_role(const struct torfw_policy *p, u8 kind, u32 uid);
bool torfw_cg_at(const struct torfw_cgroup *c, const struct torfw_facts *f);
bool torfw_cg_in(const struct torfw_policy *p, const u16 *set, u32 n,
		 const struct torfw_facts *f);
const struct torfw_svc *torfw_svc_find_exact(const struct torfw_policy *p,
					     u8 family, u8 proto,
					     const union nf_inet_addr *addr,
					     u16 port);
const struct torfw_svc *torfw_svc_find(const struct torfw_policy *p,
				       u8 family, u8 proto,
				       const union nf_inet_addr *addr,
				       u16 port);
bool torfw_svc_has_ns(const struct torfw_policy *p,
		      const struct torfw_svc *s, u64 cookie);
bool torfw_ns_granted(const struct torfw_policy *p, u64 cookie);
bool torfw_ns_served(const struct torfw_policy *p, u64 cookie);
bool torfw_in_lan(const struct torfw_policy *p, __be32 addr);
bool torfw_lan_refused(const struct torfw_policy *p, u8 proto, u16 port);
const struct torfw_redir *torfw_redir_match(const struct torfw_policy *p,
					    u8 proto, __be32 daddr,
					    u16 dport);
bool torfw_redir_involves(const struct torfw_policy *p, u8 proto,
			  __be32 saddr, __be32 daddr, u16 sport, u16 dport);

/* report.c: per-entry hit counters, kept in the policy object. */
void torfw_policy_hit(const struct torfw_policy *p, s32 svc);
u64 torfw_policy_hits(const struct torfw_policy *p, u32 svc);

/*
 * The allow-list's sort key, shared by compile.c (sorting) and decide.c
 * (searching) so that both agree on the order.
 */
static inline int torfw_svc_key_cmp(u8 fa, u8 pa,
				    const union nf_inet_addr *aa,
				    const struct torfw_svc *b)
{
	if (fa != b->family)
		return fa < b->family ? -1 : 1;
	if (pa != b->proto)
		return pa < b->proto ? -1 : 1;
	return memcmp(aa, &b->addr, sizeof(*aa));
}

static inline bool torfw_addr_is_zero(const union nf_inet_addr *a)
{
	return !(a->all[0] | a->all[1] | a->all[2] | a->all[3]);
}

extern const char *const torfw_reason_names[__TORFW_R_MAX];
extern const u8 torfw_reason_kind[__TORFW_R_MAX];
/*
 * Objects of torfw alive, for leak tests (TORFW_A_OBJECTS): load builders,
 * policies, egress hooks (one per device) and namespace link tables.
 */
extern atomic_t torfw_objects;

#endif /* _TORFW_POLICY_H */
