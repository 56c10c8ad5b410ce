// SPDX-License-Identifier: GPL-2.0
/*
 * The lock's question: does a new policy grant anything the active one
 * refuses? Answered through the decision function itself (decide.c), so
 * that the lock cannot disagree with the policy it protects.
 */

#include <linux/netlink.h>
#include <linux/socket.h>

#include "policy.h"

#define TORFW_COMPARE_MAX (1U << 24)

static bool roles_subset(const struct torfw_policy *new,
			 const struct torfw_policy *old)
{
	u32 k, i;

	for (k = 1; k < __TORFW_ROLE_KIND_MAX; k++)
		for (i = 0; i < new->n_role[k]; i++)
			if (!torfw_has_role(old, k, new->role[k][i]))
				return false;
	return true;
}

static bool lan_subset(const struct torfw_policy *new,
		       const struct torfw_policy *old)
{
	u32 i, j;

	/* Both are sorted, merged, disjoint: each new one inside an old one. */
	for (i = 0, j = 0; i < new->n_lan; i++) {
		while (j < old->n_lan && old->lan[j].hi < new->lan[i].lo)
			j++;
		if (j == old->n_lan || old->lan[j].lo > new->lan[i].lo ||
		    old->lan[j].hi < new->lan[i].hi)
			return false;
	}
	return true;
}

static bool refuse_superset(const struct torfw_policy *new,
			    const struct torfw_policy *old)
{
	u32 i, port;

	for (i = 0; i < old->n_refuse; i++) {
		const struct torfw_portrange *r = &old->refuse[i];

		for (port = r->lo; port <= r->hi; port++)
			if (!torfw_lan_refused(new, r->proto, port))
				return false;
	}
	return true;
}

static bool grants_subset(const struct torfw_policy *new,
			  const struct torfw_policy *old)
{
	u32 i;

	for (i = 0; i < new->n_grant; i++)
		if (!torfw_ns_granted(old, new->grant[i].cookie))
			return false;
	return true;
}

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

/* Whether old accepts what new's entry s grants at one port. */
static bool old_accepts(const struct torfw_policy *old,
			const struct torfw_svc *s, u16 port, u32 uid,
			u64 ns)
{
	struct torfw_facts f = {
		.hook = ns ? TORFW_HOOK_IN : TORFW_HOOK_OUT,
		.family = s->family, .proto = s->proto, .daddr = s->addr,
		.dport = port, .ports = true, .init_net = true,
		.lo = !ns, .has_uid = !ns, .uid = uid, .from_ns = ns,
		.stream = s->proto == IPPROTO_TCP,
		.tcp_syn = s->proto == IPPROTO_TCP,
	};
	const struct torfw_svc *o;
	struct torfw_decision d;

	/* "Any address" needs an old "any address" entry naming the same. */
	if (torfw_addr_is_zero(&s->addr)) {
		o = torfw_svc_find_exact(old, s->family, s->proto, &s->addr, port);
		return o && (ns ? torfw_svc_has_ns(old, o, ns) :
			     torfw_uid_in(old->uids + o->uid_off, o->n_allow,
					  uid));
	}
	torfw_decide(old, &f, &d);
	return d.verdict == TORFW_ACCEPT;
}

static int services_subset(const struct torfw_policy *new,
			   const struct torfw_policy *old,
			   struct netlink_ext_ack *extack)
{
	u32 i, j, budget = TORFW_COMPARE_MAX;

	for (i = 0; i < new->n_svc; i++) {
		const struct torfw_svc *s = &new->svc[i];
		const u32 *u = new->uids + s->uid_off;
		u32 port;

		for (port = s->port_lo; port <= s->port_hi; port++) {
			if (budget < s->n_allow + s->n_ns) {
				NL_SET_ERR_MSG(extack, "policy too large to compare with the locked one");
				return -E2BIG;
			}
			budget -= s->n_allow + s->n_ns;
			for (j = 0; j < s->n_allow; j++)
				if (!old_accepts(old, s, port, u[j], 0))
					goto looser;
			for (j = 0; j < s->n_ns; j++)
				if (!old_accepts(old, s, port, 0,
						 new->svc_ns[s->ns_off + j].cookie))
					goto looser;
		}
	}
	return 0;
looser:
	NL_SET_ERR_MSG(extack, "locked: a service grants access the active policy refuses");
	return -EPERM;
}

/*
 * 0 if new grants nothing that old refuses. Used while locked, where only
 * stricter policies may replace the active one.
 */
int torfw_policy_no_looser(const struct torfw_policy *new,
			   const struct torfw_policy *old,
			   struct netlink_ext_ack *extack)
{
	if (!roles_subset(new, old)) {
		NL_SET_ERR_MSG(extack, "locked: a role names a uid the active policy does not");
		return -EPERM;
	}
	if (!lan_subset(new, old)) {
		NL_SET_ERR_MSG(extack, "locked: a LAN range is not in the active policy");
		return -EPERM;
	}
	if (!refuse_superset(new, old)) {
		NL_SET_ERR_MSG(extack, "locked: a LAN refusal of the active policy is missing");
		return -EPERM;
	}
	if (!grants_subset(new, old)) {
		NL_SET_ERR_MSG(extack, "locked: a namespace grant is not in the active policy");
		return -EPERM;
	}
	if (!redirects_equal(new, old)) {
		NL_SET_ERR_MSG(extack, "locked: the redirects differ from the active policy's");
		return -EPERM;
	}
	if (new->opt.nosock == TORFW_NOSOCK_ACCEPT &&
	    old->opt.nosock != TORFW_NOSOCK_ACCEPT) {
		NL_SET_ERR_MSG(extack, "locked: the no-socket rule is looser");
		return -EPERM;
	}
	return services_subset(new, old, extack);
}
