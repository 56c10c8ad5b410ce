/* SPDX-License-Identifier: GPL-2.0 */
/*
 * torfwctl diff: the walk and the output (diff.c), and the words for a
 * class of packets (diff_class.c): its principals, protocol and
 * destination, computed with the module's decision function.
 */
#ifndef TORFWCTL_DIFF_H
#define TORFWCTL_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kpolicy.h"
#include "policy.h"
#include "resolve.h"

struct torfw_cgroup;
struct torfw_facts;
struct torfw_decision;

/* A named cgroup, a class of diff (struct diff). */
struct diff_cg {
	const struct torfw_cgroup *cg;	/* in df->p[0] or [1]: its path */
	char *label;		/* its path as printed (malloc'd) */
};

struct diff {
	const struct torfw_policy *p[2];	/* old, new; NULL: none */
	const struct tf_policy *src[2];
	const struct kp_nstab *t;
	const struct tf_resolver *res;
	struct change *v;
	size_t n, cap;
	uint32_t *uids;		/* every uid either policy names, sorted */
	size_t n_uids;
	uint32_t other;		/* a uid that neither names */
	uint32_t *bounds;	/* ports where a decision may change, sorted */
	size_t n_bounds;
	/*
	 * The cgroup classes of a user's socket (kmod/probe.c): class 0 is
	 * "in no cgroup either policy names", class i + 1 "in cgroup cgc[i]
	 * or below it, not in a named one further down"; each named path
	 * once (the principal is the path: kmod/probe.c compares them so).
	 */
	struct diff_cg *cgc;
	size_t n_cgc;
};

/* One line of the output. */
struct change {
	char sign;		/* '+' opens, '-' closes, '~' refused <-> dropped */
	char *who;		/* the principals (malloc'd) */
	char proto[32];
	char *addr;		/* the destination without ports (malloc'd) */
	unsigned int lo, hi;	/* its ports; 0-65535: all, not printed */
	uint8_t old_v, new_v, old_r, new_r;
	/*
	 * The cgroup class of its sockets (struct diff), or -1: in any
	 * cgroup (every class changes alike, or not a user's socket).
	 */
	int cgc;
};

/* diff.c: every change between df->p[0] and [1] (NULL: no policy, whose
 * classes are those of empty), sorted; diff_free() frees them. */
int diff_collect(struct diff *df, const struct torfw_policy *empty);
void diff_free(struct diff *df);
int change_cmp(const void *a, const void *b);

/* diff_class.c */
int diff_prepare(struct diff *df);
void diff_release(struct diff *df);
void decide2(const struct diff *df, const struct torfw_facts *f,
	     struct torfw_decision *d);
/*
 * The class of a probe whose verdict changes (d: its two decisions), in
 * words; state names the connection state the probe stands for ("" for
 * a new connection). 0 with *c filled, 1 if a change already listed
 * covers the probe (nothing to add), or -ENOMEM.
 */
int diff_describe(const struct diff *df, const struct torfw_facts *f,
		  const struct torfw_decision *d, const char *state,
		  struct change *c);
/*
 * Whether the probe is a user's socket whose cgroup the module may read:
 * its locally generated packets and its raw frames (a packet socket's,
 * decided by the packet role, which may name cgroups).
 */
bool diff_cg_socket(const struct torfw_facts *f);
/* The cgroup class of a user's socket (struct diff), -1 for no user's. */
int diff_cg_class(const struct diff *df, const struct torfw_facts *f);
/*
 * The principal word of a line: its users, and its cgroup class unless
 * -1: "amnesia@cgroup:/a.slice", "cgroup:/a.slice" (for all-users),
 * "amnesia@other-cgroups".
 */
void diff_who_print(FILE *o, const struct diff *df, const struct change *c);
/* The class as JSON's "cgroup" says it: NULL (any), "other" or the path. */
const char *diff_cg_word(const struct diff *df, int cgc);

/*
 * The protocol and address words of a probe (as diff_describe puts them);
 * an address word fits in DIFF_ADDR_MAX bytes.
 */
#define DIFF_ADDR_MAX 16384
void diff_words(const struct diff *df, const struct torfw_facts *f,
		const char *state, char *proto, size_t psize, char *addr,
		size_t asize);

#endif
