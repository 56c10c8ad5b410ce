/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * torfw: a Tor-only egress firewall as a netfilter module.
 *
 * This header is the specification of the generic netlink protocol spoken
 * between the torfw module and torfwctl (or any other client).
 *
 * Family "torfw" (TORFW_GENL_NAME), version TORFW_GENL_VERSION. The module
 * has no MODULE_ALIAS_GENL_FAMILY on purpose: loading it closes the network,
 * so resolving the family (CTRL_CMD_GETFAMILY, which any user may send)
 * must not load it. Only an explicit modprobe does; without the module the
 * family is simply absent (-ENOENT).
 *
 * Permissions: every command requires CAP_NET_ADMIN in the initial user
 * namespace, also the read-only ones (the policy reveals who may do what).
 * Requests from other network namespaces are accepted only from processes
 * that hold that capability, which in practice means root of the host.
 *
 * Errors: a failed request is answered with an NLMSG_ERROR carrying a
 * negative errno and, where one applies, an extended ack message naming the
 * bad attribute (NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS). Unknown attributes
 * and unknown flag bits are rejected (-EINVAL / -EOPNOTSUPP): the protocol is
 * strict so that a newer tool never silently loses part of a policy.
 *
 * Commands:
 *
 * TORFW_CMD_GET_STATUS (doit, NLM_F_REQUEST): no attributes. Reply:
 *     TORFW_A_GENERATION  u64   generation of the active policy; 0 = none
 *     TORFW_A_FLAGS       u32   TORFW_STATUS_F_*
 *     TORFW_A_VERSION     string module version
 *     TORFW_A_SERVICE_COUNT u32 allow-list entries of the active policy
 *     TORFW_A_OBJECTS     u32   torfw's objects alive in the kernel: load
 *                               transactions, policies, per-device egress
 *                               hooks, namespace link tables (leak checks:
 *                               the same devices and no open transaction
 *                               give the same value)
 *
 * TORFW_CMD_LOAD (doit, NLM_F_REQUEST | NLM_F_ACK): load a whole policy.
 *     TORFW_A_FLAGS       u32   TORFW_LOAD_F_*
 *     TORFW_A_OPTIONS     nest  at most once per transaction, see torfw_opt
 *     TORFW_A_ROLE        nest  repeated, see torfw_role
 *     TORFW_A_SERVICE     nest  repeated, see torfw_svc
 *     TORFW_A_LAN         nest  repeated, see torfw_prefix
 *     TORFW_A_LAN_REFUSE  nest  repeated, see torfw_port
 *     TORFW_A_GRANT       nest  repeated, see torfw_ns
 *     TORFW_A_REDIRECT    nest  repeated, at most one per kind, torfw_redir
 *   A policy larger than one message is sent as a transaction: the first
 *   message carries TORFW_LOAD_F_BEGIN, the last TORFW_LOAD_F_COMMIT, a
 *   policy that fits one message carries both. Messages of a transaction
 *   come from one netlink socket; their elements are concatenated. Each
 *   socket has its own transaction: BEGIN discards the sender's own
 *   transaction in progress, a message without BEGIN from a socket with
 *   no open transaction fails with -ESRCH, closing the socket discards its
 *   transaction. Up to TORFW_MAX_LOADS sockets may have one open at once
 *   (one more BEGIN: -EBUSY); their commits are serialized, each publishes
 *   its whole policy and the last to commit is active. FLUSH discards
 *   every open transaction. Nothing is
 *   active until COMMIT: then the kernel validates the whole policy, builds
 *   the compiled object and publishes it atomically (RCU); packets see the
 *   old or the new policy, never a mix. Any error (in any message) aborts
 *   the transaction and leaves the active policy untouched. With
 *   TORFW_LOAD_F_CHECK on the COMMIT message the commit validates and
 *   builds but publishes nothing (on other messages it is ignored). The reply to COMMIT carries TORFW_A_GENERATION (the new one).
 *   Limits (TORFW_MAX_*) exceeded: -E2BIG. Conflicting or duplicate
 *   elements: -EEXIST. Malformed element: -EINVAL. Policy locked and the new
 *   one is not stricter: -EPERM.
 *
 * TORFW_CMD_GET_POLICY (dumpit, NLM_F_REQUEST | NLM_F_DUMP): the active
 *   policy as a sequence of messages with the attributes of TORFW_CMD_LOAD
 *   (grants carry TORFW_NS_NAME and TORFW_NS_COOKIE, never an fd), each
 *   message also carrying TORFW_A_GENERATION. The dump resumes across
 *   messages; if the policy is replaced meanwhile the dump is flagged
 *   NLM_F_DUMP_INTR and the client must restart it.
 *
 * TORFW_CMD_GET_STATS (dumpit): counters as repeated TORFW_A_COUNTER nests
 *   (torfw_ctr): one per reason (TORFW_CTR_REASON), then one per allow-list
 *   entry of the active policy (TORFW_CTR_SERVICE, the entry's index in
 *   the order of TORFW_CMD_GET_POLICY). Every message also carries
 *   TORFW_A_GENERATION, so that indexes can be matched to a policy dump
 *   of the same generation. Consistency as for GET_POLICY.
 *
 * TORFW_CMD_FLUSH (doit): back to the fail-closed default (loopback only).
 *   -EPERM when locked.
 *
 * TORFW_CMD_LOCK (doit): lock until reboot. The module takes a reference
 *   on itself (plain rmmod fails), and a forced unload (rmmod -f, where
 *   the kernel allows it) never completes: the module's exit waits until
 *   reboot and the policy stays. TORFW_CMD_FLUSH fails with -EPERM, and a
 *   load succeeds only if the new policy accepts nothing that the active
 *   one refuses: the two policies' decisions are compared for every
 *   principal and destination either names (no new role uid or cgroup,
 *   no loopback or namespace access the active policy refuses, also
 *   through a removed or narrowed entry, no new LAN range, no LAN refusal
 *   dropped, no new namespace grant, the same redirects, no looser
 *   no-socket or kernel-socket rule); otherwise -EPERM with an extack message naming
 *   what would open. Locking with no policy loaded fails with -ENOENT.
 *   Locking twice is not an error.
 *
 * TORFW_CMD_EVENT (multicast group TORFW_MCGRP_EVENTS, kernel -> user): one
 *   message per refused packet, rate limited like the kernel log; carries
 *   one TORFW_A_EVENT nest (torfw_ev).
 */
#ifndef _UAPI_TORFW_H
#define _UAPI_TORFW_H

#include <linux/types.h>

#define TORFW_GENL_NAME		"torfw"
#define TORFW_GENL_VERSION	1
#define TORFW_MCGRP_EVENTS	"events"

/* Bounds of one policy; a load beyond them fails with -E2BIG. */
#define TORFW_MAX_SERVICES	16384
#define TORFW_MAX_SERVICE_UIDS	64	/* per entry: allowed + dropped */
#define TORFW_MAX_SERVICE_NS	8	/* per entry */
#define TORFW_MAX_ROLES		1024	/* uids' and cgroups' roles together */
#define TORFW_MAX_LAN		256
#define TORFW_MAX_LAN_REFUSE	256
#define TORFW_MAX_GRANTS	16
#define TORFW_MAX_REDIRECTS	8
#define TORFW_MAX_LOADS		8	/* transactions open at once */
#define TORFW_NS_NAME_MAX	64	/* with the terminating NUL */
#define TORFW_MAX_CGROUPS	64	/* distinct cgroup paths per policy */
#define TORFW_MAX_SERVICE_CGROUPS 8	/* per entry: allowed + dropped */
#define TORFW_CG_PATH_MAX	256	/* with the terminating NUL */
#define TORFW_CG_DEPTH_MAX	16	/* levels below the root */
/* Refusals logged (and sent as events) per second, and the burst. */
#define TORFW_LOG_RATE_DEFAULT	10
#define TORFW_LOG_BURST_DEFAULT	20
#define TORFW_LOG_MAX		10000	/* for both */

enum torfw_cmd {
	TORFW_CMD_UNSPEC,
	TORFW_CMD_GET_STATUS,
	TORFW_CMD_LOAD,
	TORFW_CMD_GET_POLICY,
	TORFW_CMD_GET_STATS,
	TORFW_CMD_FLUSH,
	TORFW_CMD_LOCK,
	TORFW_CMD_EVENT,
	__TORFW_CMD_MAX
};
#define TORFW_CMD_MAX (__TORFW_CMD_MAX - 1)

enum torfw_status_flag {
	TORFW_STATUS_F_LOADED = 1U << 0,
	TORFW_STATUS_F_LOCKED = 1U << 1,
	__TORFW_STATUS_F_ALL = TORFW_STATUS_F_LOADED | TORFW_STATUS_F_LOCKED
};

enum torfw_load_flag {
	TORFW_LOAD_F_BEGIN = 1U << 0,
	TORFW_LOAD_F_COMMIT = 1U << 1,
	TORFW_LOAD_F_CHECK = 1U << 2,
	__TORFW_LOAD_F_ALL = TORFW_LOAD_F_BEGIN | TORFW_LOAD_F_COMMIT |
			     TORFW_LOAD_F_CHECK
};

enum torfw_attr {
	TORFW_A_UNSPEC,
	TORFW_A_GENERATION,	/* u64 */
	TORFW_A_FLAGS,		/* u32 */
	TORFW_A_VERSION,	/* NUL-terminated string */
	TORFW_A_SERVICE_COUNT,	/* u32 */
	TORFW_A_OPTIONS,	/* nest: torfw_opt */
	TORFW_A_ROLE,		/* nest: torfw_role */
	TORFW_A_SERVICE,	/* nest: torfw_svc */
	TORFW_A_LAN,		/* nest: torfw_prefix */
	TORFW_A_LAN_REFUSE,	/* nest: torfw_port */
	TORFW_A_GRANT,		/* nest: torfw_ns */
	TORFW_A_REDIRECT,	/* nest: torfw_redir */
	TORFW_A_COUNTER,	/* nest: torfw_ctr */
	TORFW_A_EVENT,		/* nest: torfw_ev */
	TORFW_A_PAD,
	TORFW_A_OBJECTS,	/* u32 */
	__TORFW_A_LAST
};
#define TORFW_A_MAX (__TORFW_A_LAST - 1)

/* Policy-wide options. Absent attributes take the documented default. */
enum torfw_opt {
	TORFW_OPT_UNSPEC,
	TORFW_OPT_NOSOCK,	/* u8 torfw_nosock; default LOOPBACK */
	/* u32 refusals logged per second; 0 = none; TORFW_LOG_* */
	TORFW_OPT_LOG_RATE,
	TORFW_OPT_LOG_BURST,	/* u32 TORFW_LOG_BURST_DEFAULT, TORFW_LOG_MAX */
	TORFW_OPT_FLAGS,	/* u32 TORFW_OPT_F_* */
	TORFW_OPT_KERNEL,	/* u8 torfw_kernel_sockets; default REFUSE */
	__TORFW_OPT_LAST
};
#define TORFW_OPT_MAX (__TORFW_OPT_LAST - 1)

enum torfw_opt_flag {
	/*
	 * Set net.ipv4.tcp_mtu_probing=1 in the initial namespace on load:
	 * ICMP "fragmentation needed" never passes, so rely on PLPMTUD.
	 */
	TORFW_OPT_F_MTU_PROBING = 1U << 0,
	__TORFW_OPT_F_ALL = TORFW_OPT_F_MTU_PROBING
};

/*
 * Who owns a locally generated packet. A user's socket: the uid the kernel
 * keeps in it (sk_uid: its creator's, or for an accepted socket its
 * acceptor's; root can change it with fchown(2) on the socket), which
 * stays after close(), so an orphaned socket's last segments are still
 * its user's. A socket the kernel made to open connections for a process
 * is that process's when the kernel links the two: MPTCP subflows belong
 * to their MPTCP socket's user. Every packet of any other kernel-made
 * socket (AF_SMC's TCP socket, in-kernel clients such as NFS: its TCP
 * segments, its datagrams but ICMP) is decided by torfw_kernel_sockets.
 * Tunnels: VXLAN, Geneve and GRE keep the inner packet's socket on the
 * outer packet (decided as its owner's), WireGuard drops it (no owner).
 * What remains has no owner: the kernel answering from its control
 * sockets or from none, decided by torfw_nosock (which passes only
 * answers: TCP segments without SYN, ICMP), except the segments of a
 * connection in TIME_WAIT, which pass (reason "closing": the 4-tuple is
 * the local socket's, and it passed the policy to get there).
 *
 * Conntrack: only IPv4 is tracked (torfw decides which flows, and runs
 * conntrack for them itself). Only the entries torfw made count, and only
 * for packets on their flow's own side: torfw labels them (conntrack
 * label bit 127; bits 0-63 hold the cookie of the namespace whose flow it
 * is, 0 for the host's own). A state another ruleset's conntrack gives
 * any other flow, and any IPv6 state, is ignored. A packet
 * of a tracked flow in its reply direction is ESTABLISHED; in the flow's
 * own direction it meets the policy as its owner's again, so that another
 * uid cannot reuse the flow's addresses and ports.
 */
enum torfw_nosock {
	TORFW_NOSOCK_LOOPBACK,	/* pass on loopback, refuse elsewhere */
	TORFW_NOSOCK_ACCEPT,	/* pass everywhere */
	__TORFW_NOSOCK_MAX
};

/*
 * Kernel-made sockets not linked to a process. Never on loopback: any uid
 * can have the kernel make one (socket(AF_SMC)), and no allow-list entry
 * can name it. LAN: the IPv4 LAN ranges through a device that is not a
 * link to a local namespace, minus the refused LAN ports, without
 * fragments or source routes (rule 5 as a user's packets meet it), which
 * every uid may reach anyway.
 */
enum torfw_kernel_sockets {
	TORFW_KERNEL_REFUSE,	/* everywhere, loopback included */
	TORFW_KERNEL_LAN,	/* pass to the LAN */
	__TORFW_KERNEL_MAX
};

/*
 * A principal with a role: a uid or a cgroup, exactly one of the two. A
 * principal may hold several roles.
 */
enum torfw_role_attr {
	TORFW_ROLE_UNSPEC,
	TORFW_ROLE_KIND,	/* u8 torfw_role_kind */
	TORFW_ROLE_UID,		/* u32, in the initial user namespace */
	TORFW_ROLE_CGROUP,	/* nest torfw_cg */
	__TORFW_ROLE_LAST
};
#define TORFW_ROLE_MAX (__TORFW_ROLE_LAST - 1)

enum torfw_role_kind {
	/*
	 * Rule 4: all of IPv4 loopback (every protocol and port, unless an
	 * entry drops the uid), new TCP anywhere, UDP to port 53.
	 */
	TORFW_ROLE_TOR = 1,
	TORFW_ROLE_CLEARNET,	/* rule 3: TCP and UDP 53 off loopback */
	TORFW_ROLE_PACKET,	/* may send raw frames (AF_PACKET) */
	__TORFW_ROLE_KIND_MAX
};

/*
 * One entry of the local-services allow-list: who may open a connection
 * (TCP) or send (UDP) to (family, protocol, address, port range). The
 * address is a local address (127.0.0.1, ::1, a host address on a veth);
 * all zero means any local address. Port ranges of entries with the same
 * family, protocol and address must not overlap (-EEXIST). A socket may
 * pass if its uid is in TORFW_SVC_UID or its cgroup is in or below one of
 * TORFW_SVC_CGROUP (either suffices); otherwise one whose uid is in
 * TORFW_SVC_DROP_UID or whose cgroup is in or below one of
 * TORFW_SVC_DROP_CGROUP is silently dropped instead of rejected. A
 * namespace in TORFW_SVC_NETNS may connect to the service from its veth.
 * An entry names at least one principal or namespace (-EINVAL);
 * IPv4-mapped IPv6 addresses are refused (-EINVAL): write them as IPv4.
 */
enum torfw_svc_attr {
	TORFW_SVC_UNSPEC,
	TORFW_SVC_FAMILY,	/* u8 AF_INET or AF_INET6 */
	TORFW_SVC_PROTO,	/* u8 IPPROTO_TCP or IPPROTO_UDP */
	TORFW_SVC_ADDR,		/* binary, 4 or 16 bytes, network order */
	TORFW_SVC_PORT_LO,	/* u16, host order, >= 1 */
	TORFW_SVC_PORT_HI,	/* u16, host order; absent = PORT_LO */
	TORFW_SVC_UID,		/* u32, repeated */
	TORFW_SVC_DROP_UID,	/* u32, repeated */
	TORFW_SVC_NETNS,	/* nest torfw_ns, repeated */
	TORFW_SVC_CGROUP,	/* nest torfw_cg, repeated */
	TORFW_SVC_DROP_CGROUP,	/* nest torfw_cg, repeated */
	__TORFW_SVC_LAST
};
#define TORFW_SVC_MAX (__TORFW_SVC_LAST - 1)

/*
 * An address prefix (LAN ranges). Nested or adjacent prefixes are merged
 * for lookups; only an exact duplicate is refused (-EEXIST).
 */
enum torfw_prefix_attr {
	TORFW_PFX_UNSPEC,
	TORFW_PFX_FAMILY,	/* u8 AF_INET (IPv6 LAN is not supported) */
	TORFW_PFX_ADDR,		/* binary 4 bytes; host bits must be zero */
	TORFW_PFX_LEN,		/* u8 0..32 */
	__TORFW_PFX_LAST
};
#define TORFW_PFX_MAX (__TORFW_PFX_LAST - 1)

/* A (protocol, port range) refused towards the LAN. */
enum torfw_port_attr {
	TORFW_PORT_UNSPEC,
	TORFW_PORT_PROTO,	/* u8 IPPROTO_TCP or IPPROTO_UDP */
	TORFW_PORT_LO,		/* u16 >= 1 */
	TORFW_PORT_HI,		/* u16; absent = LO */
	__TORFW_PORT_LAST
};
#define TORFW_PORT_MAX (__TORFW_PORT_LAST - 1)

/*
 * A network namespace. In requests it is named by an open file descriptor
 * (of /run/netns/NAME) plus its name for display; the kernel keeps only
 * the namespace's cookie, so a namespace deleted and created again under
 * the same name is not granted until the policy is loaded again. The
 * initial namespace cannot be granted (-EINVAL).
 */
enum torfw_ns_attr {
	TORFW_NS_UNSPEC,
	TORFW_NS_FD,		/* u32, requests only */
	TORFW_NS_NAME,		/* string, < TORFW_NS_NAME_MAX */
	TORFW_NS_COOKIE,	/* u64, dumps only */
	TORFW_NS_PAD,
	__TORFW_NS_LAST
};
#define TORFW_NS_MAX (__TORFW_NS_LAST - 1)

/*
 * A cgroup v2 principal: the sockets created by processes in the cgroup
 * at a path, or in a cgroup below it. A socket belongs to the cgroup its
 * creator was in when it made it (the kernel records it in the socket
 * and keeps it when the process moves; an accepted socket takes its
 * listener's), the cgroup that nftables' "socket cgroupv2" matches.
 *
 * A cgroup is named by its path from the root of the cgroup v2
 * hierarchy, whatever the loader's cgroup namespace: absolute, "/" then
 * components separated by single "/", none of them "." or "..", no "/" at
 * the end, not the root itself, no control character, at most
 * TORFW_CG_DEPTH_MAX components, shorter than TORFW_CG_PATH_MAX (-EINVAL
 * otherwise). The principal is the path, compared with the names of the
 * socket's cgroup and its ancestors when a packet is decided (cgroup v2
 * cannot rename a cgroup): a path with no cgroup matches no socket, and
 * a cgroup made at the path later, or removed and made again, is matched
 * from then on, with the same rights, without a load. The lock compares
 * cgroups by path, as it compares uids by number. A policy names at most
 * TORFW_MAX_CGROUPS distinct paths (-E2BIG).
 */
enum torfw_cg_attr {
	TORFW_CG_UNSPEC,
	TORFW_CG_PATH,		/* string, < TORFW_CG_PATH_MAX */
	__TORFW_CG_LAST
};
#define TORFW_CG_MAX (__TORFW_CG_LAST - 1)

/* Address rewriting, applied before filtering (IPv4 only). */
enum torfw_redir_attr {
	TORFW_REDIR_UNSPEC,
	TORFW_REDIR_KIND,	/* u8 torfw_redir_kind */
	TORFW_REDIR_ADDR,	/* binary 4 bytes: matched destination */
	TORFW_REDIR_PREFIXLEN,	/* u8: 8..32, inside 127.0.0.0/8 */
	TORFW_REDIR_PORT,	/* u16: matched port, 0 = any */
	TORFW_REDIR_TO_PORT,	/* u16 >= 1: new port on 127.0.0.1 */
	__TORFW_REDIR_LAST
};
#define TORFW_REDIR_MAX (__TORFW_REDIR_LAST - 1)

enum torfw_redir_kind {
	TORFW_REDIR_AUTOMAP = 1,	/* TCP */
	TORFW_REDIR_DNS,		/* UDP */
	__TORFW_REDIR_KIND_MAX
};

enum torfw_ctr_attr {
	TORFW_CTR_UNSPEC,
	TORFW_CTR_REASON,	/* u16 torfw_reason */
	TORFW_CTR_SERVICE,	/* u32 allow-list entry index */
	TORFW_CTR_PACKETS,	/* u64 */
	TORFW_CTR_PAD,
	__TORFW_CTR_LAST
};
#define TORFW_CTR_MAX (__TORFW_CTR_LAST - 1)

enum torfw_ev_attr {
	TORFW_EV_UNSPEC,
	TORFW_EV_REASON,	/* u16 torfw_reason */
	TORFW_EV_HOOK,		/* u8 torfw_hook */
	TORFW_EV_FAMILY,	/* u8 AF_INET or AF_INET6; 0 for raw frames */
	TORFW_EV_PROTO,		/* u8 IP protocol */
	TORFW_EV_UID,		/* u32; absent: no owning socket */
	TORFW_EV_PID,		/* u32; absent: not sent from process context */
	TORFW_EV_COMM,		/* string; absent like PID */
	TORFW_EV_DADDR,		/* binary 4 or 16 bytes; absent for frames */
	TORFW_EV_DPORT,		/* u16 host order; absent for non-TCP/UDP */
	/*
	 * string: the cgroup path of the owning socket, when the active
	 * policy names cgroups; absent otherwise. Raw bytes (a user names
	 * its own cgroups); "/..." ends a path deeper than
	 * TORFW_CG_DEPTH_MAX levels or longer than TORFW_CG_PATH_MAX - 1.
	 */
	TORFW_EV_CGROUP,
	__TORFW_EV_LAST
};
#define TORFW_EV_MAX (__TORFW_EV_LAST - 1)

enum torfw_hook {
	TORFW_HOOK_OUT,
	TORFW_HOOK_IN,
	TORFW_HOOK_FORWARD,
	TORFW_HOOK_FRAME,	/* netdev egress: frames not from the IP stack */
	__TORFW_HOOK_MAX
};

/*
 * Why a packet was accepted or refused. Each reason has a short name, used
 * in the kernel log ("reason=NAME"), by torfwctl stats and monitor, and a
 * kind: ACCEPT; REFUSE (rejected with ICMP port-unreachable when locally
 * generated, dropped otherwise); DROP (always silent). The list is
 * X(ENUM_SUFFIX, "name", KIND) so that both sides share it.
 */
#define TORFW_REASONS(X)						\
	X(NONE,			"none",			DROP)		\
	X(NOPOLICY_LOOPBACK,	"nopolicy-loopback",	ACCEPT)		\
	X(ESTABLISHED,		"established",		ACCEPT)		\
	X(RELATED_LOOPBACK,	"related-loopback",	ACCEPT)		\
	X(NOSOCK_LOOPBACK,	"nosock-loopback",	ACCEPT)		\
	X(NOSOCK_ACCEPT,	"nosock-accept",	ACCEPT)		\
	X(SERVICE,		"service",		ACCEPT)		\
	X(TOR_LOOPBACK,		"tor-loopback",		ACCEPT)		\
	X(CLEARNET,		"clearnet",		ACCEPT)		\
	X(TOR,			"tor",			ACCEPT)		\
	X(LAN,			"lan",			ACCEPT)		\
	X(INBOUND_LOOPBACK,	"inbound-loopback",	ACCEPT)		\
	X(NETNS_LINK,		"netns-link",		ACCEPT)		\
	X(GRANT_FORWARD,	"grant-forward",	ACCEPT)		\
	X(GRANT_SERVICE,	"grant-service",	ACCEPT)		\
	X(FRAME_IP,		"frame-ip",		ACCEPT)		\
	X(PACKET_ROLE,		"packet-role",		ACCEPT)		\
	X(NO_POLICY,		"no-policy",		REFUSE)		\
	X(INVALID,		"invalid",		DROP)		\
	X(RELATED,		"related",		DROP)		\
	X(NOSOCK,		"nosock",		DROP)		\
	X(SERVICE_DROP,		"service-drop",		DROP)		\
	X(LOOPBACK,		"loopback",		REFUSE)		\
	X(LAN_REFUSED,		"lan-refused",		REFUSE)		\
	X(INTERNET_TCP,		"internet-tcp",		REFUSE)		\
	X(INTERNET_NON_TCP,	"internet-non-tcp",	REFUSE)		\
	X(IPV6,			"ipv6",			REFUSE)		\
	X(FRAGMENT,		"fragment",		REFUSE)		\
	X(INBOUND,		"inbound",		DROP)		\
	X(FORWARD,		"forward",		DROP)		\
	X(NETNS_DEVICE,		"netns-device",		DROP)		\
	X(PACKET,		"packet",		DROP)		\
	X(CLOSING,		"closing",		ACCEPT)		\
	X(KERNEL_ALLOWED,	"kernel-socket-allowed", ACCEPT)	\
	X(GRANT_REPLY,		"grant-reply",		ACCEPT)		\
	X(KERNEL,		"kernel-socket",	REFUSE)		\
	X(NETNS_LOCAL,		"netns-local",		REFUSE)		\
	X(SOURCE_ROUTE,		"source-route",		REFUSE)

enum torfw_reason_kind {
	TORFW_RK_ACCEPT,
	TORFW_RK_REFUSE,
	TORFW_RK_DROP,
};

#define __TORFW_REASON_ENUM(e, name, kind) TORFW_R_##e,
enum torfw_reason {
	TORFW_REASONS(__TORFW_REASON_ENUM)
	__TORFW_R_MAX
};
#undef __TORFW_REASON_ENUM

#endif /* _UAPI_TORFW_H */
