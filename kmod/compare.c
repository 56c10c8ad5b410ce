// SPDX-License-Identifier: GPL-2.0
/*
 * The lock's question: does a new policy accept a packet that the active
 * one refuses? Answered on verdicts, through the decision function itself
 * (decide.c), so that the lock cannot disagree with the policy it
 * protects: a removed entry is as visible as an added one. Each probe of
 * torfw_policy_probe() (probe.c) stands for a class of packets; new
 * decides it first, and old only where new accepts. The redirects alone
 * are compared as structures: they rewrite packets before any decision.
 */

#include <linux/netlink.h>
#include <linux/sched.h>

#include "policy.h"

/* Rewriting happens before the decision: the probes assume the same. */
static bool redirects_equal(const struct torfw_policy *new,
			    const struct torfw_policy *old)
{
	u32 i, j;

	if (new->n_redir != old->n_redir)
		return false;
	for (i = 0; i < new->n_redir; i++) {
		const struct torfw_redir *a = &new->redir[i];

		for (j = 0; j < old->n_redir; j++) {
			const struct torfw_redir *b = &old->redir[j];

			if (a->kind == b->kind && a->addr == b->addr &&
			    a->mask == b->mask && a->port == b->port &&
			    a->to_port == b->to_port)
				break;
		}
		if (j == old->n_redir)
			return false;
	}
	return true;
}

struct compare {
	const struct torfw_policy *new;
	const struct torfw_policy *old;
	u32 budget;
	u32 probes;
	u32 decisions;
	u8 reason;	/* new's, where it accepts and old refuses */
};

static int compare_probe(const struct torfw_facts *f, void *arg)
{
	struct compare *c = arg;
	struct torfw_decision d;

	if (c->probes == c->budget)
		return -E2BIG;
	if (!(++c->probes % 4096))
		cond_resched();
	c->decisions++;
	torfw_decide(c->new, f, &d);
	if (d.verdict != TORFW_ACCEPT)
		return 0;
	c->reason = d.reason;
	c->decisions++;
	torfw_decide(c->old, f, &d);
	return d.verdict == TORFW_ACCEPT ? 0 : -EPERM;
}

/* What would open, by the reason the new policy would accept it for. */
static void looser_msg(struct netlink_ext_ack *extack, u8 reason)
{
	switch (reason) {
	case TORFW_R_SERVICE:
	case TORFW_R_TOR_LOOPBACK:
		NL_SET_ERR_MSG(extack, "locked: a loopback service would open to a uid or cgroup the active policy refuses");
		break;
	case TORFW_R_TOR:
	case TORFW_R_CLEARNET:
		NL_SET_ERR_MSG(extack, "locked: a role would open the Internet to a uid or cgroup the active policy refuses");
		break;
	case TORFW_R_LAN:
		NL_SET_ERR_MSG(extack, "locked: a LAN destination would open that the active policy refuses");
		break;
	case TORFW_R_GRANT_FORWARD:
		NL_SET_ERR_MSG(extack, "locked: a namespace would be forwarded where the active policy refuses");
		break;
	case TORFW_R_GRANT_SERVICE:
	case TORFW_R_GRANT_REPLY:
		NL_SET_ERR_MSG(extack, "locked: a host service would open to a namespace the active policy refuses");
		break;
	case TORFW_R_NOSOCK_ACCEPT:
		NL_SET_ERR_MSG(extack, "locked: packets without a socket would pass where the active policy refuses");
		break;
	case TORFW_R_KERNEL_ALLOWED:
		NL_SET_ERR_MSG(extack, "locked: kernel-made sockets would pass where the active policy refuses");
		break;
	case TORFW_R_PACKET_ROLE:
		NL_SET_ERR_MSG(extack, "locked: raw frames would open to a uid or cgroup the active policy refuses");
		break;
	default:
		NL_SET_ERR_MSG(extack, "locked: a packet would pass that the active policy refuses");
		break;
	}
}

/*
 * 0 if new accepts no packet that old refuses; -EPERM if it does (extack
 * says what kind of access would open); -E2BIG if that takes more than
 * budget probes. *decisions (if not NULL): decisions made.
 */
int torfw_policy_compare(const struct torfw_policy *new,
			 const struct torfw_policy *old, u32 budget,
			 u32 *decisions, struct netlink_ext_ack *extack)
{
	struct compare c = { .new = new, .old = old, .budget = budget };
	int ret;

	if (!redirects_equal(new, old)) {
		NL_SET_ERR_MSG(extack, "locked: the redirects differ from the active policy's");
		return -EPERM;
	}
	ret = torfw_policy_probe(new, old, compare_probe, &c);
	if (decisions)
		*decisions = c.decisions;
	if (ret == -EPERM)
		looser_msg(extack, c.reason);
	else if (ret == -E2BIG)
		NL_SET_ERR_MSG(extack, "locked: the policies are too large to compare");
	return ret;
}

/* Used while locked, where only policies no looser may replace it. */
int torfw_policy_no_looser(const struct torfw_policy *new,
			   const struct torfw_policy *old,
			   struct netlink_ext_ack *extack)
{
	return torfw_policy_compare(new, old, TORFW_COMPARE_MAX, NULL, extack);
}
