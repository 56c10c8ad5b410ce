// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup v2 principals (the UAPI header's torfw_cg): a socket's cgroup,
 * read only when a decision asks for it, as the names of the cgroup and
 * its ancestors, which decide.c compares with the policy's paths.
 */

#include <linux/cgroup.h>
#include <linux/kernfs.h>
#include <net/sock.h>

#include "torfw.h"

#ifdef CONFIG_SOCK_CGROUP_DATA

/*
 * The names of the cgroup the socket was made in (sock_cgroup_ptr(),
 * what nft's "socket cgroupv2" reads) and of its ancestors, root's
 * children first, at most TORFW_CG_DEPTH_MAX (*deeper: there are more).
 * The socket holds its cgroup, a cgroup its ancestors and its kernfs
 * node, whose name cgroup v2 never changes (it has no rename): the names
 * stay valid and stable under the packet. From the hierarchy's root,
 * whatever namespace the socket's maker is in.
 */
int torfw_cgroup_names(const struct sock *sk, const char **names,
		       bool *deeper)
{
	struct cgroup *cg;
	int i, n;

	*deeper = false;
	if (!sk)
		return 0;
	cg = sock_cgroup_ptr(&((struct sock *)sk)->sk_cgrp_data);
	if (!cg)
		return 0;
	n = min(cg->level, TORFW_CG_DEPTH_MAX);
	*deeper = cg->level > n;
	for (i = 1; i <= n; i++)
		names[i - 1] = cgroup_ancestor(cg, i)->kn->name;
	return n;
}

void torfw_facts_cgroup(struct torfw_facts *f, const char **names)
{
	f->cg_n = torfw_cgroup_names(f->sk, names, &f->cg_deeper);
	f->cg = names;
	f->cg_known = true;
}

#else /* !CONFIG_SOCK_CGROUP_DATA */

int torfw_cgroup_names(const struct sock *sk, const char **names,
		       bool *deeper)
{
	*deeper = false;
	return 0;
}

void torfw_facts_cgroup(struct torfw_facts *f, const char **names)
{
	f->cg_known = true;
	f->cg_n = 0;
}

#endif
