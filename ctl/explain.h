/* SPDX-License-Identifier: GPL-2.0 */
/*
 * explain's question (explain.c) and its answer in words (why.c): the
 * statement of a policy that decided, for explain and diff.
 */
#ifndef TORFWCTL_EXPLAIN_H
#define TORFWCTL_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kpolicy.h"
#include "policy.h"
#include "resolve.h"

struct torfw_facts;
struct torfw_decision;
struct torfw_redir;

enum explain_who { EXPLAIN_UID, EXPLAIN_KERNEL, EXPLAIN_NONE };
/* EXPLAIN_AUTO (--netns alone): IN to a local address, else FORWARD. */
enum explain_dir { EXPLAIN_OUT, EXPLAIN_IN, EXPLAIN_FORWARD, EXPLAIN_AUTO };
enum explain_local {
	EXPLAIN_NOT_LOCAL,
	EXPLAIN_LOCAL,
	EXPLAIN_LOCAL_ASSUMED,	/* a file's entry names it: assumed local */
};

struct explain_q {
	uint8_t who;		/* enum explain_who */
	uint8_t dir;		/* enum explain_dir */
	uint8_t family;
	uint8_t proto;
	uint32_t uid;
	uint8_t addr[16];
	uint16_t port;		/* 0: none */
	const char *netns;	/* --netns NAME or NULL */
	bool here;		/* the active policy: this machine's addresses */
	/*
	 * --cgroup: the socket's cgroup, the names of levels 1..cg_n (0:
	 * none), each at cg_names + cg_off[i] (the path, '/' made NUL):
	 * at most its first TORFW_CG_DEPTH_MAX, as the kernel reads them.
	 */
	uint8_t cg_n;
	uint16_t cg_off[TORFW_CG_DEPTH_MAX];
	char cg_names[CG_SOCKET_PATH_MAX];
};

/*
 * USER PROTO DEST (argc 3): 0, or -errno with *bad the argument at
 * fault (-E2BIG: not three arguments; -EDESTADDRREQ: a port missing for
 * tcp/udp or given for icmp).
 */
int explain_parse(int argc, char *argv[], const struct tf_resolver *res,
		  struct explain_q *q, const char **bad);
/*
 * The facts of the query's first packet; *redir if a redirect rewrote it.
 * Returns whether the destination is local (enum explain_local). The
 * facts' cgroup names point into q, which must outlive them.
 */
int explain_facts(const struct torfw_policy *p, struct kp_nstab *t,
		  const struct explain_q *q, struct torfw_facts *f,
		  const struct torfw_redir **redir);

/* Why a decision was made: words, and the statement if one decided. */
struct why {
	char detail[4096];	/* "..." at the end when cut */
	char stmt[4096];	/* "" when no statement decided */
	const struct tf_loc *loc;	/* NULL without one (or no file) */
};

void why_decision(const struct tf_policy *src, const struct torfw_policy *p,
		  const struct kp_nstab *t, const struct torfw_facts *f,
		  const struct torfw_decision *d,
		  const struct tf_resolver *res, struct why *w);
/* The redirect statement of kind; w->detail names where it leads. */
void why_redirect(const struct tf_policy *src, const struct torfw_redir *r,
		  struct why *w);
/* "accepted", "refused" (the program learns at once) or "dropped". */
const char *verdict_word(uint8_t verdict);
/* "127.0.0.1:9050", "[::1]:4101", "192.0.2.1" (no port) */
void facts_dest(char *buf, size_t size, const struct torfw_facts *f);

#endif
