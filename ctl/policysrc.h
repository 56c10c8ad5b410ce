/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where explain and diff read a policy: a file (with the system's users,
 * or an image's with --root DIR, as check --root) or the active one.
 */
#ifndef TORFWCTL_POLICYSRC_H
#define TORFWCTL_POLICYSRC_H

#include <stdbool.h>

#include "policy.h"
#include "resolve.h"
#include "userdb.h"

struct policy_src {
	const char *root;		/* --root DIR or NULL */
	struct tf_userdb *db;		/* DIR's users */
	struct tf_resolver res;		/* NSS, or DIR's users */
};

/* Sets up the resolver; prints what failed. Returns an exit status. */
int policy_src_init(struct policy_src *s, const char *cmd, const char *root);
void policy_src_free(struct policy_src *s);

/* DIR's users and groups (check --root); prints what failed. */
struct tf_userdb *root_users(const char *cmd, const char *dir);

/*
 * The policy named by what: "active" or "-" for the loaded one, else a
 * file. *none is set when no policy is loaded (then *out is empty); a
 * file's errors are printed as file:line:col. Returns an exit status
 * (TF_EXIT_*).
 */
int policy_src_read(struct policy_src *s, const char *what, const char *cmd,
		    struct tf_policy **out, bool *none);

#endif
