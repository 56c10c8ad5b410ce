/* SPDX-License-Identifier: GPL-2.0 */
/*
 * torfw_cgroup_resolve() in userspace (kshim/cgroup_user.c), where the kernel
 * has kmod/cgroup.c. Two modes, chosen by the caller before a policy is
 * built:
 *  - REAL: this machine's cgroup v2 hierarchy, for whatever is compared
 *    with or applied to the kernel's active policy (its ids are the
 *    kernel's: a cgroup directory's inode number is its id);
 *  - SYMBOLIC (the default): no filesystem, an id per distinct path
 *    prefix, the same for the whole process, so that files alone compare
 *    alike on any machine and every path they name exists.
 * No kernel type here: ctl's own files include it too.
 */
#ifndef TORFW_KSHIM_CGROUP_USER_H
#define TORFW_KSHIM_CGROUP_USER_H

#include <stdbool.h>

void kshim_cgroup_real(bool real);
/* The mount point REAL mode reads, or NULL if cgroup v2 is not mounted. */
const char *kshim_cgroup_root(void);

#endif
