// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup v2 principals (the UAPI header's torfw_cg): a path resolved to
 * the cgroup's id and ancestors once, when a policy is built, and a
 * socket's cgroup read only when a decision asks for it.
 */

#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "torfw.h"

#ifdef CONFIG_SOCK_CGROUP_DATA

/*
 * cgroup_get_from_path() walks from the root of the loader's cgroup
 * namespace; inside one, a path would name another cgroup, or nothing.
 * "/" resolves to that root, the hierarchy's own only outside any.
 */
static int loader_sees_root(struct netlink_ext_ack *extack)
{
	struct cgroup *root = cgroup_get_from_path("/");
	int level;

	if (IS_ERR(root))
		return PTR_ERR(root);
	level = root->level;
	cgroup_put(root);
	if (level) {
		NL_SET_ERR_MSG(extack, "cgroup paths need a loader outside any cgroup namespace");
		return -EINVAL;
	}
	return 0;
}

int torfw_cgroup_resolve(const char *path, struct torfw_cgroup *c,
			 struct netlink_ext_ack *extack)
{
	struct cgroup *cg;
	char *full;
	int i, ret;

	ret = loader_sees_root(extack);
	if (ret)
		return ret;
	cg = cgroup_get_from_path(path);
	if (IS_ERR(cg)) {
		/* Absent now: kept, and matches nothing (stricter). */
		if (PTR_ERR(cg) == -ENOENT)
			return 0;
		NL_SET_ERR_MSG(extack, "cgroup path names no cgroup directory");
		return PTR_ERR(cg);
	}
	full = kmalloc(TORFW_CG_PATH_MAX, TORFW_GFP_LOAD);
	if (!full) {
		ret = -ENOMEM;
		goto out;
	}
	/* The same cgroup by its own path: what was walked is what it is. */
	ret = cgroup_path(cg, full, TORFW_CG_PATH_MAX);
	if (ret < 0 || strcmp(full, path) || cg->level > TORFW_CG_DEPTH_MAX) {
		NL_SET_ERR_MSG(extack, "cgroup path does not name its cgroup from the hierarchy's root");
		ret = -EINVAL;
		goto out;
	}
	c->id = cgroup_id(cg);
	c->level = cg->level;
	for (i = 1; i <= cg->level; i++)
		c->anc[i - 1] = cgroup_id(cgroup_ancestor(cg, i));
	ret = 0;
out:
	kfree(full);
	cgroup_put(cg);
	return ret;
}

/*
 * The cgroup the socket was made in (sock_cgroup_ptr(), what nft's
 * "socket cgroupv2" reads). The socket holds its cgroup, and a cgroup
 * its ancestors, so nothing here can go away under the packet.
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
		f->cg[i - 1] = cgroup_id(cgroup_ancestor(cg, i));
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

int torfw_cgroup_resolve(const char *path, struct torfw_cgroup *c,
			 struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack, "this kernel keeps no cgroup in sockets");
	return -EOPNOTSUPP;
}

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
