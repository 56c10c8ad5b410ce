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
 * The cgroup the socket was made in (sock_cgroup_ptr(), what nft's
 * "socket cgroupv2" reads). The socket holds its cgroup, a cgroup its
 * ancestors and its kernfs node, whose name cgroup v2 never changes (it
 * has no rename): the names stay valid and stable under the packet.
 * From the hierarchy's root, whatever namespace the socket's maker is in.
 */
void torfw_facts_cgroup(struct torfw_facts *f)
{
	struct sock *sk = (struct sock *)f->sk;
	struct cgroup *cg;
	int i, n;

	f->cg_known = true;
	f->cg_n = 0;
	if (!sk)
		return;
	cg = sock_cgroup_ptr(&sk->sk_cgrp_data);
	if (!cg)
		return;
	n = min(cg->level, TORFW_CG_DEPTH_MAX);
	for (i = 1; i <= n; i++)
		f->cg[i - 1] = cgroup_ancestor(cg, i)->kn->name;
	f->cg_n = n;
}

int torfw_cgroup_sock_path(const struct sock *sk, char *buf, size_t len)
{
	struct cgroup *cg;

	if (!sk)
		return -ENOENT;
	cg = sock_cgroup_ptr(&((struct sock *)sk)->sk_cgrp_data);
	if (!cg)
		return -ENOENT;
	return cgroup_path(cg, buf, len);
}

#else /* !CONFIG_SOCK_CGROUP_DATA */

void torfw_facts_cgroup(struct torfw_facts *f)
{
	f->cg_known = true;
	f->cg_n = 0;
}

int torfw_cgroup_sock_path(const struct sock *sk, char *buf, size_t len)
{
	return -ENOENT;
}

#endif
