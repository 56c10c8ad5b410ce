// SPDX-License-Identifier: GPL-2.0
/*
 * torfw_cgroup_resolve() for torfwctl and the userspace KUnit runner
 * (modes: cgroup_user.h). REAL mode stats each prefix of the path under the
 * cgroup v2 mount: kernfs gives a cgroup directory its cgroup id as
 * inode number (64-bit kernels; name_to_handle_at() returns the same id),
 * so the chain is the kernel's cgroup_ancestor() ids. A path that names
 * nothing is absent, as in kmod/cgroup.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "kshim.h"

#include "policy.h"
#include "cgroup_user.h"

#define CGROUP2_MAGIC 0x63677270	/* CGROUP2_SUPER_MAGIC */

static bool real_mode;

void kshim_cgroup_real(bool real)
{
	real_mode = real;
}

/* The unified hierarchy: /sys/fs/cgroup, or .../unified beside v1. */
const char *kshim_cgroup_root(void)
{
	static const char *const roots[] = {
		"/sys/fs/cgroup", "/sys/fs/cgroup/unified",
	};
	struct statfs sf;
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!statfs(roots[i], &sf) &&
		    (unsigned long)sf.f_type == CGROUP2_MAGIC)
			return roots[i];
	return NULL;
}

static void absent(struct torfw_cgroup *c)
{
	c->id = 0;
	c->level = 0;
	memset(c->anc, 0, sizeof(c->anc));
}

static int resolve_real(const char *path, struct torfw_cgroup *c,
			struct netlink_ext_ack *extack)
{
	const char *root = kshim_cgroup_root();
	char buf[TORFW_CG_PATH_MAX + 32];
	const char *p = path;
	struct stat st;
	u8 n = 0;

	absent(c);
	if (!root) {
		static bool warned;

		if (!warned)
			fprintf(stderr, "torfwctl: warning: no cgroup v2 hierarchy mounted: every cgroup taken as absent\n");
		warned = true;
		return 0;
	}
	while (*p) {
		p = strchrnul(p + 1, '/');
		if (n >= TORFW_CG_DEPTH_MAX) {
			NL_SET_ERR_MSG(extack, "cgroup path too deep");
			return -EINVAL;
		}
		snprintf(buf, sizeof(buf), "%s%.*s", root, (int)(p - path),
			 path);
		if (stat(buf, &st)) {
			if (errno == ENOENT) {
				absent(c);
				return 0;
			}
			NL_SET_ERR_MSG(extack, "cannot read the cgroup hierarchy");
			return -errno;
		}
		if (!S_ISDIR(st.st_mode) || !st.st_ino) {
			absent(c);
			NL_SET_ERR_MSG(extack, "cgroup path names no cgroup directory");
			return -ENOTDIR;
		}
		c->anc[n++] = (u64)st.st_ino;
	}
	c->level = n;
	c->id = c->anc[n - 1];
	return 0;
}

/* Interned prefixes: prefix i has id 1 << 63 | (i + 1). */
static char **names;
static size_t n_names;

static u64 symbolic_id(const char *prefix, size_t len)
{
	char **v;
	size_t i;

	for (i = 0; i < n_names; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], prefix, len))
			return 1ULL << 63 | (i + 1);
	v = realloc(names, (n_names + 1) * sizeof(*v));
	if (!v)
		return 0;
	names = v;
	names[n_names] = strndup(prefix, len);
	if (!names[n_names])
		return 0;
	return 1ULL << 63 | ++n_names;
}

static int resolve_symbolic(const char *path, struct torfw_cgroup *c,
			    struct netlink_ext_ack *extack)
{
	const char *p = path;
	u8 n = 0;

	absent(c);
	while (*p) {
		p = strchrnul(p + 1, '/');
		if (n >= TORFW_CG_DEPTH_MAX) {
			NL_SET_ERR_MSG(extack, "cgroup path too deep");
			return -EINVAL;
		}
		c->anc[n] = symbolic_id(path, (size_t)(p - path));
		if (!c->anc[n]) {
			absent(c);
			return -ENOMEM;
		}
		n++;
	}
	c->level = n;
	c->id = n ? c->anc[n - 1] : 0;
	return 0;
}

int torfw_cgroup_resolve(const char *path, struct torfw_cgroup *c,
			 struct netlink_ext_ack *extack)
{
	if (path[0] != '/' || !path[1]) {
		NL_SET_ERR_MSG(extack, "cgroup path must be absolute, not the root");
		return -EINVAL;
	}
	return real_mode ? resolve_real(path, c, extack) :
			   resolve_symbolic(path, c, extack);
}
