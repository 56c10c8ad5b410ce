/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-memory policy: what the config parser produces, what the netlink
 * encoder sends, what the dump decoder rebuilds and what the printer writes
 * back in the config language. One struct, no hidden state.
 */
#ifndef TORFWCTL_POLICY_H
#define TORFWCTL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "torfw.h"

/* Where an element was written; file is NULL for decoded policies. */
struct tf_loc {
	const char *file;	/* owned by tf_policy.files */
	unsigned int line;
	unsigned int col;
};

enum tf_opt_index {
	TF_OPT_NOSOCK,
	TF_OPT_KERNEL,
	TF_OPT_LOG_RATE,
	TF_OPT_LOG_BURST,
	TF_OPT_MTU_PROBING,
	TF_OPT_COUNT
};

struct tf_options {
	uint8_t nosock;		/* enum torfw_nosock */
	uint8_t kernel;		/* enum torfw_kernel_sockets */
	uint32_t log_rate;
	uint32_t log_burst;
	uint32_t flags;		/* TORFW_OPT_F_* */
	struct tf_loc set[TF_OPT_COUNT];	/* line 0: default */
};

/*
 * A cgroup principal, "cgroup:/path" (TORFW_CG_* in the UAPI header).
 * Roles and entries name it by its index in tf_policy.cgroups, so that a
 * path is kept once however many statements name it.
 */
struct tf_cgroup {
	char path[TORFW_CG_PATH_MAX];	/* the principal itself */
};

/* A role of a uid, or of a cgroup (is_cg: cg indexes tf_policy.cgroups). */
struct tf_role {
	uint8_t kind;		/* enum torfw_role_kind */
	bool is_cg;
	uint16_t cg;
	uint32_t uid;
	struct tf_loc loc;
};

struct tf_netns {
	char name[TORFW_NS_NAME_MAX];
	uint64_t cookie;	/* the kernel's, decoded policies only; else 0 */
	struct tf_loc loc;
};

struct tf_service {
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	uint8_t addr[16];	/* 4 bytes used for AF_INET */
	uint16_t lo, hi;
	unsigned int nuids, ndrops, nnetns;
	uint32_t uids[TORFW_MAX_SERVICE_UIDS];
	uint32_t drops[TORFW_MAX_SERVICE_UIDS];
	struct tf_netns netns[TORFW_MAX_SERVICE_NS];
	/* cgroups by index in tf_policy.cgroups, allowed and dropped */
	unsigned int ncg, ndrop_cg;
	uint16_t cg[TORFW_MAX_SERVICE_CGROUPS];
	uint16_t drop_cg[TORFW_MAX_SERVICE_CGROUPS];
	uint32_t kidx;		/* index in the kernel's dump order */
	struct tf_loc loc;
};

struct tf_prefix {
	uint8_t addr[4];
	uint8_t len;
	struct tf_loc loc;
};

struct tf_portrange {
	uint8_t proto;
	uint16_t lo, hi;
	struct tf_loc loc;
};

struct tf_redirect {
	uint8_t kind;		/* enum torfw_redir_kind */
	uint8_t addr[4];
	uint8_t plen;
	uint16_t port;		/* 0: any */
	uint16_t to_port;
	struct tf_loc loc;
};

struct tf_policy {
	struct tf_options opt;
	size_t nroles, nservices, services_cap, nlan, nlan_refuse, ngrants,
	       nredirects, nfiles, ncgroups;
	struct tf_role roles[TORFW_MAX_ROLES];
	struct tf_cgroup cgroups[TORFW_MAX_CGROUPS];
	struct tf_service *services;
	struct tf_prefix lan[TORFW_MAX_LAN];
	struct tf_portrange lan_refuse[TORFW_MAX_LAN_REFUSE];
	struct tf_netns grants[TORFW_MAX_GRANTS];
	struct tf_redirect redirects[TORFW_MAX_REDIRECTS];
	char **files;		/* names the tf_loc.file pointers point to */
	uint64_t generation;	/* decoded policies only */
};

struct tf_policy *policy_new(void);
void policy_free(struct tf_policy *pol);
/* Back to an empty policy with default options (file names are kept). */
void policy_clear(struct tf_policy *pol);

/* Interns a file name for tf_loc.file; NULL on allocation failure. */
const char *policy_add_file(struct tf_policy *pol, const char *name);

/* Appends a zeroed service; NULL when full (TORFW_MAX_SERVICES) or OOM. */
struct tf_service *policy_add_service(struct tf_policy *pol);

/* Canonical order of every list, the order show prints and load sends. */
void policy_sort(struct tf_policy *pol);

bool uid_list_has(const uint32_t *uids, unsigned int n, uint32_t uid);
bool cg_list_has(const uint16_t *cg, unsigned int n, uint16_t idx);

/*
 * The index of path in pol->cgroups, added if new; -E2BIG
 * past TORFW_MAX_CGROUPS, -ENAMETOOLONG for a path that does not fit.
 */
int policy_cgroup(struct tf_policy *pol, const char *path);
/*
 * NULL if path is a cgroup path as the UAPI header defines it (absolute,
 * single '/', no '.' or '..', no trailing '/', not the root, at most
 * TORFW_CG_DEPTH_MAX components, shorter than TORFW_CG_PATH_MAX), else
 * what is wrong with it, for a message.
 */
const char *cgroup_path_error(const char *path);
/* The longest socket cgroup path cgroup_socket_path_error() takes, +1. */
#define CG_SOCKET_PATH_MAX 4096
/*
 * NULL if path can be a socket's cgroup (explain --cgroup): absolute,
 * components not empty, not '.' or '..', without control characters, of
 * any depth, shorter than CG_SOCKET_PATH_MAX; "/" is the root. Deeper or
 * longer than a principal may be: the kernel matches such a socket by
 * the names of its first TORFW_CG_DEPTH_MAX levels. Else what is wrong.
 */
const char *cgroup_socket_path_error(const char *path);
/* Whether an entry names no principal and no namespace. */
bool service_empty(const struct tf_service *svc);

/*
 * Removes namespace name from the grants and from every entry; an entry
 * left naming nobody goes too (the module refuses those). Only ever makes
 * the policy stricter.
 */
void policy_drop_netns(struct tf_policy *pol, const char *name);

/* Text helpers shared by the printer, stats and monitor. */
const char *proto_name(uint8_t proto);	/* "tcp", "udp", NULL otherwise */
/* Every protocol explain and diff name (icmp, sctp, gre...); NULL else. */
const char *ip_proto_word(uint8_t proto);
/* "127.0.0.1" or "::1" (no brackets) */
void addr_format(char *buf, size_t size, uint8_t family, const uint8_t *addr);
/* "127.0.0.1:9050", "[::1]:4101-4102" */
void endpoint_format(char *buf, size_t size, uint8_t family,
		     const uint8_t *addr, uint16_t lo, uint16_t hi);
/* "53" or "17600-17650" */
void ports_format(char *buf, size_t size, uint16_t lo, uint16_t hi);

const char *role_kind_name(uint8_t kind);
const char *redirect_kind_name(uint8_t kind);
const char *nosock_name(uint8_t nosock);
const char *kernel_sockets_name(uint8_t kernel);

/* The reason names of TORFW_REASONS; NULL for an unknown number. */
const char *reason_name(unsigned int reason);
/* TORFW_RK_ACCEPT, _REFUSE or _DROP; -1 for an unknown number. */
int reason_kind(unsigned int reason);

#endif
