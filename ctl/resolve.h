/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Name resolution, injectable so that the parser and printer can be tested
 * without /etc/passwd. torfwctl uses the NSS implementation.
 */
#ifndef TORFWCTL_RESOLVE_H
#define TORFWCTL_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns 0 to go on, a negative errno to stop the enumeration. */
typedef int (*tf_uid_fn)(void *arg, uint32_t uid);

struct tf_resolver {
	/* 0 and *uid; -ENOENT for an unknown name; another -errno on failure */
	int (*user_uid)(void *ctx, const char *name, uint32_t *uid);
	/* true and a NUL-terminated name when the uid has one */
	bool (*user_name)(void *ctx, uint32_t uid, char *buf, size_t size);
	/*
	 * Calls fn for each member of the group named name (or, when name is
	 * NULL, of the group gid): supplementary members and users whose
	 * primary group it is, possibly more than once. 0, -ENOENT for an
	 * unknown group, another -errno, or what fn returned.
	 */
	int (*group_members)(void *ctx, const char *name, uint32_t gid,
			     tf_uid_fn fn, void *arg);
	void *ctx;
};

/* The system's users and groups (getpwnam, getgrnam, getpwent). */
extern const struct tf_resolver tf_resolver_nss;

#endif
