/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The builder's elements as netlink.c adds them, before compile.c checks
 * them as a whole: private to builder.c and compile.c.
 */
#ifndef _TORFW_BUILDER_H
#define _TORFW_BUILDER_H

#include "policy.h"

/* A growable array of the builder, bounded by max elements. */
struct vec {
	void *data;
	u32 n;
	u32 cap;
};

struct role_elem {
	u8 kind;
	u32 uid;
};

struct role_cg_elem {
	u8 kind;
	u16 cg;			/* index in cgroups */
};

struct lan_elem {
	u32 addr;		/* host order */
	u8 len;
};

struct torfw_builder {
	bool have_opt;
	struct torfw_options opt;
	struct vec roles;	/* struct role_elem */
	struct vec role_cg;	/* struct role_cg_elem */
	struct vec cgroups;	/* struct torfw_cgroup */
	struct vec svc_cg;	/* u16 */
	struct vec svc;		/* struct torfw_svc */
	struct vec uids;	/* u32 */
	struct vec svc_ns;	/* struct torfw_ns */
	struct vec lan;		/* struct lan_elem */
	struct vec refuse;	/* struct torfw_portrange */
	struct vec grant;	/* struct torfw_ns */
	struct vec redir;	/* struct torfw_redir */
};

static inline u32 torfw_prefix_mask(u8 len)
{
	return len ? ~0U << (32 - len) : 0;
}

#endif /* _TORFW_BUILDER_H */
