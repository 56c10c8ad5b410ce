/* SPDX-License-Identifier: GPL-2.0 */
/* The namespaces a policy names, opened for TORFW_NS_FD. */
#ifndef TORFWCTL_NETNS_H
#define TORFWCTL_NETNS_H

#include "config.h"
#include "policy.h"

struct tf_netns_fds {
	struct tf_netns_fd {
		char name[TORFW_NS_NAME_MAX];
		int fd;
	} *v;
	size_t n;
};

/*
 * Opens /run/netns/NAME (read-only, close-on-exec) once per name. On
 * failure err locates the first mention of the namespace. With
 * skip_missing, an absent namespace is only warned about and removed from
 * pol (policy_drop_netns): what it would have been granted stays refused.
 */
bool netns_open_all(struct tf_policy *pol, struct tf_netns_fds *fds,
		    bool skip_missing, struct tf_cfg_error *err);
void netns_close_all(struct tf_netns_fds *fds);
/* tf_netns_fd_fn for encode_load; ctx is the tf_netns_fds. */
int netns_fd(void *ctx, const char *name);

/*
 * The cookie of the namespace /run/netns/NAME is now: 0, or -ENOENT if
 * there is none, another -errno if it cannot be had (not a namespace
 * file, no CAP_SYS_ADMIN to enter it for SO_NETNS_COOKIE).
 */
int netns_live_cookie(const char *name, uint64_t *cookie);

#endif
