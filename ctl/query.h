/* SPDX-License-Identifier: GPL-2.0 */
/* The read-only requests: status, policy dump, counters dump. */
#ifndef TORFWCTL_QUERY_H
#define TORFWCTL_QUERY_H

#include "nl.h"

/* 0 or -errno; a malformed reply is -EBADMSG with *why set. */
int query_status(struct tf_nl *nl, struct tf_status *st, const char **why);
/* pol is cleared first; services keep their dump index in kidx. */
int query_policy(struct tf_nl *nl, struct tf_policy *pol, const char **why);
int query_counters(struct tf_nl *nl, struct tf_counters *c,
		   const char **why);

/*
 * The active policy, for a command cmd: connects, asks the status and,
 * when a policy is loaded, the policy. *out is a new policy (empty when
 * none is loaded, st->flags says); prints what failed. Returns an exit
 * status (TF_EXIT_*).
 */
int query_active(const char *cmd, struct tf_policy **out,
		 struct tf_status *st);

/* Prints the failure of a query as one line. */
void query_perror(const struct tf_nl *nl, const char *cmd, int err,
		  const char *why);

#endif
