/* SPDX-License-Identifier: GPL-2.0 */
/* The policy written back in the config language (torfwctl show). */
#ifndef TORFWCTL_PRINT_H
#define TORFWCTL_PRINT_H

#include <stdio.h>

#include "policy.h"
#include "resolve.h"

/*
 * Canonical text of a sorted policy (policy_sort): parsing it gives the
 * same policy and printing that gives the same bytes. With a resolver,
 * uids print as names when they resolve back to the same uid, else as
 * numbers; with res NULL always as numbers.
 */
void policy_print(FILE *f, const struct tf_policy *pol,
		  const struct tf_resolver *res);

/* One "allow ..." line without the newline (pol: its cgroups). */
void service_print(FILE *f, const struct tf_policy *pol,
		   const struct tf_service *svc,
		   const struct tf_resolver *res);

/* "cgroup:/path", the principal word. */
void cgroup_print(FILE *f, const struct tf_policy *pol, uint16_t cg);
/* One "redirect ..." statement without the newline. */
void redirect_print(FILE *f, const struct tf_redirect *r);

/* A user word: the name or the number. */
void uid_print(FILE *f, uint32_t uid, const struct tf_resolver *res);

/* print_json.c: the same in JSON, for show -j and stats -j. */
void policy_print_json(FILE *f, const struct tf_policy *pol,
		       const struct tf_resolver *res);
/* The members of one allow-list entry, without the braces. */
void service_print_json(FILE *f, const struct tf_policy *pol,
			const struct tf_service *svc,
			const struct tf_resolver *res);
/* {"path":...}: the principal is its path. */
void cgroup_print_json(FILE *f, const struct tf_policy *pol, uint16_t cg);

#endif
