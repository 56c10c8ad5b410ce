/* SPDX-License-Identifier: GPL-2.0 */
/* What load and check share: reading a config, sending a policy. */
#ifndef TORFWCTL_LOADER_H
#define TORFWCTL_LOADER_H

#include <stdint.h>

#include "policy.h"

/* Parses path with the system's users; prints file:line:col on error.
 * Returns an exit status; *out is set on success. */
int read_config(const char *path, struct tf_policy **out);

/*
 * Opens the namespaces, sends pol as one load transaction with extra_flags
 * (TORFW_LOAD_F_CHECK or 0) and sets *generation from the reply to COMMIT.
 * Prints what failed. Returns an exit status.
 */
int send_policy(struct tf_policy *pol, uint32_t extra_flags,
		uint64_t *generation);

#endif
