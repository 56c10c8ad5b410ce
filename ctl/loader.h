/* SPDX-License-Identifier: GPL-2.0 */
/* What load and check share: reading a config, sending a policy. */
#ifndef TORFWCTL_LOADER_H
#define TORFWCTL_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "config.h"
#include "policy.h"

struct load_args {
	const char *path;	/* TORFW_CONF when not given */
	bool kernel;		/* check --kernel */
	bool skip_missing_netns;
	const char *root;	/* check --root DIR */
	bool print;		/* check --print */
	bool names;		/* check --print --names */
};

/*
 * The arguments of load and check: [--skip-missing-netns] [FILE], and for
 * check also --kernel, --root DIR, --print and --names. -1 to go on, or
 * the exit status to end with after printing the usage (TF_EXIT_OK for
 * --help).
 */
int load_args_parse(int argc, char *argv[], const char *cmd, bool check,
		    struct load_args *a);

/* Parses path with the system's users; prints file:line:col on error.
 * Returns an exit status; *out is set on success. */
int read_config(const char *path, struct tf_policy **out);
/* The same with opts (resolver, root); every error up to TF_MAX_ERRORS. */
int read_config_opts(const char *path, const struct tf_parse_opts *opts,
		     struct tf_policy **out);

/*
 * Opens the namespaces (see netns_open_all for skip_missing_netns), sends
 * pol as one load transaction with extra_flags
 * (TORFW_LOAD_F_CHECK or 0) and sets *generation from the reply to COMMIT.
 * Runs modprobe torfw if the module is absent, unless TORFW_LOAD_F_CHECK.
 * Prints what failed. Returns an exit status.
 */
int send_policy(struct tf_policy *pol, uint32_t extra_flags,
		bool skip_missing_netns, uint64_t *generation);

/* The reply callback of a load: the reply to COMMIT sets the uint64_t
 * generation that data points to. */
int loader_generation_cb(const struct nlmsghdr *nlh, void *data);

#endif
