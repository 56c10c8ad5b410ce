/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A parsed or decoded policy (struct tf_policy) compiled by the module's
 * own builder and compiler (kmod/builder.c, compile.c, built into
 * torfwctl through kshim/), so that explain and diff ask the module's
 * torfw_decide() and not a copy of its rules.
 */
#ifndef TORFWCTL_KPOLICY_H
#define TORFWCTL_KPOLICY_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct torfw_policy;

/*
 * Namespaces by name, shared by the policies compared: the module knows
 * a namespace by its cookie, torfwctl by its name. Cookie 1 is the
 * initial namespace's (kshim/glue.c), names get 2, 3, ...
 */
struct kp_nstab {
	char (*names)[TORFW_NS_NAME_MAX + 16];	/* "NAME/unverified" fits */
	size_t n, cap;
};

/* The cookie of name; with add, a new one if absent; 0 if absent or OOM. */
uint64_t kp_ns_cookie(struct kp_nstab *t, const char *name, bool add);
/* The name of a cookie, NULL for one the table did not give out. */
const char *kp_ns_name(const struct kp_nstab *t, uint64_t cookie);
void kp_nstab_free(struct kp_nstab *t);

/*
 * Compiles pol as the module would (every namespace as if it existed;
 * cgroups by path, as the kernel keeps them).
 * NULL with the module's own message (extack) in msg on a refusal.
 */
struct torfw_policy *kp_build(const struct tf_policy *pol,
			      struct kp_nstab *t, char *msg, size_t size);
void kp_free(struct torfw_policy *p);

#endif
