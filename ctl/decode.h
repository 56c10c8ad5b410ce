/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoders of the kernel's messages. Each attribute is checked with
 * mnl_attr_validate against its type; attributes this tool does not know
 * are skipped (a newer module may add some); a known attribute with a bad
 * length or value makes the message malformed (-EBADMSG) and a value this
 * tool cannot represent unsupported (-EOPNOTSUPP). why names the problem.
 */
#ifndef TORFWCTL_DECODE_H
#define TORFWCTL_DECODE_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

struct tf_family {
	uint16_t id;
	uint32_t version;
	uint32_t events_group;	/* 0: no "events" group */
};

struct tf_status {
	uint64_t generation;
	uint32_t flags;
	uint32_t services;
	char version[64];
	bool has_services;
};

#define TF_REASONS_MAX	256

struct tf_svc_counter {
	uint32_t index;
	uint64_t packets;
};

struct tf_counters {
	uint64_t reason[TF_REASONS_MAX];
	bool have_reason[TF_REASONS_MAX];
	struct tf_svc_counter *svc;
	size_t nsvc, cap;
	uint64_t generation;
	bool has_generation;
};

struct tf_event {
	uint16_t reason;
	uint8_t hook, family, proto;
	uint32_t uid, pid;
	char comm[32];
	uint8_t daddr[16];
	uint8_t daddr_len;
	uint16_t dport;
	char cgroup[TORFW_CG_PATH_MAX];	/* the socket's, when the policy names cgroups */
	bool has_hook, has_uid, has_pid, has_comm, has_daddr, has_dport,
	     has_cgroup;
};

/* An NLMSG_ERROR (or NLMSG_DONE) with its extended ack. */
struct tf_nlerr {
	int error;		/* negative errno, 0 for an ack */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_offs;
};

int decode_family(const struct nlmsghdr *nlh, struct tf_family *fam,
		  const char **why);
int decode_status(const struct nlmsghdr *nlh, struct tf_status *st,
		  const char **why);
/* One message of a GET_POLICY dump, appended to pol (unsorted, kidx set). */
int decode_policy(const struct nlmsghdr *nlh, struct tf_policy *pol,
		  const char **why);
/* One message of a GET_STATS dump, added to c (free c->svc). */
int decode_counters(const struct nlmsghdr *nlh, struct tf_counters *c,
		    const char **why);
int decode_event(const struct nlmsghdr *nlh, struct tf_event *ev,
		 const char **why);
int decode_nlmsgerr(const struct nlmsghdr *nlh, struct tf_nlerr *e);

#endif
