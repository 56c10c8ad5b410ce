// SPDX-License-Identifier: GPL-2.0
/*
 * TORFW_CMD_GET_POLICY and TORFW_CMD_GET_STATS: resumable dumps of the
 * active policy and of its counters, flagged NLM_F_DUMP_INTR when the
 * policy is replaced in between (the generation is the dump's sequence).
 */

#include <linux/netlink.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "torfw.h"
#include "netlink.h"

enum dump_section {
	DUMP_OPTIONS,
	DUMP_ROLES,
	DUMP_SERVICES,
	DUMP_LAN,
	DUMP_LAN_REFUSE,
	DUMP_GRANTS,
	DUMP_REDIRECTS,
	DUMP_DONE,
};

static int put_ns(struct sk_buff *skb, int type, const struct torfw_ns *ns)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_string(skb, TORFW_NS_NAME, ns->name) ||
	    nla_put_u64_64bit(skb, TORFW_NS_COOKIE, ns->cookie, TORFW_NS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_cgroup(struct sk_buff *skb, int type,
		      const struct torfw_cgroup *c)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || nla_put_string(skb, TORFW_CG_PATH, c->path))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_service(struct sk_buff *skb, const struct torfw_policy *p,
		       const struct torfw_svc *s)
{
	const u32 *u = p->uids + s->uid_off;
	struct nlattr *nest = nla_nest_start(skb, TORFW_A_SERVICE);
	u32 i;

	if (!nest ||
	    nla_put_u8(skb, TORFW_SVC_FAMILY, s->family) ||
	    nla_put_u8(skb, TORFW_SVC_PROTO, s->proto) ||
	    nla_put(skb, TORFW_SVC_ADDR, s->family == AF_INET ? 4 : 16,
		    &s->addr) ||
	    nla_put_u16(skb, TORFW_SVC_PORT_LO, s->port_lo) ||
	    nla_put_u16(skb, TORFW_SVC_PORT_HI, s->port_hi))
		return -EMSGSIZE;
	for (i = 0; i < s->n_allow + s->n_drop; i++)
		if (nla_put_u32(skb, i < s->n_allow ? TORFW_SVC_UID :
				TORFW_SVC_DROP_UID, u[i]))
			return -EMSGSIZE;
	for (i = 0; i < s->n_ns; i++)
		if (put_ns(skb, TORFW_SVC_NETNS, &p->svc_ns[s->ns_off + i]))
			return -EMSGSIZE;
	for (i = 0; i < s->n_allow_cg + s->n_drop_cg; i++)
		if (put_cgroup(skb, i < s->n_allow_cg ? TORFW_SVC_CGROUP :
			       TORFW_SVC_DROP_CGROUP,
			       &p->cg[p->svc_cg[s->cg_off + i]]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static u32 roles_count(const u32 *n)
{
	u32 sum = 0, k;

	for (k = 1; k < __TORFW_ROLE_KIND_MAX; k++)
		sum += n[k];
	return sum;
}

/* The uids' roles by kind, then the cgroups' roles by kind. */
static int put_role(struct sk_buff *skb, const struct torfw_policy *p,
		    u32 idx)
{
	bool cg = idx >= roles_count(p->n_role);
	const u32 *n = cg ? p->n_role_cg : p->n_role;
	struct nlattr *nest;
	u8 k;

	if (cg)
		idx -= roles_count(p->n_role);
	for (k = 1; k < __TORFW_ROLE_KIND_MAX && idx >= n[k]; k++)
		idx -= n[k];
	nest = nla_nest_start(skb, TORFW_A_ROLE);
	if (!nest || nla_put_u8(skb, TORFW_ROLE_KIND, k))
		return -EMSGSIZE;
	if (cg ? put_cgroup(skb, TORFW_ROLE_CGROUP, &p->cg[p->role_cg[k][idx]]) :
		 nla_put_u32(skb, TORFW_ROLE_UID, p->role[k][idx]))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static u32 prefix_len(const struct torfw_range4 *r)
{
	return 32 - fls(r->hi - r->lo);
}

static int put_element(struct sk_buff *skb, const struct torfw_policy *p,
		       int section, u32 idx)
{
	struct nlattr *nest;
	u32 n_roles;

	switch (section) {
	case DUMP_OPTIONS:
		if (idx)
			return -ENOENT;
		nest = nla_nest_start(skb, TORFW_A_OPTIONS);
		if (!nest ||
		    nla_put_u8(skb, TORFW_OPT_NOSOCK, p->opt.nosock) ||
		    nla_put_u32(skb, TORFW_OPT_LOG_RATE, p->opt.log_rate) ||
		    nla_put_u32(skb, TORFW_OPT_LOG_BURST, p->opt.log_burst) ||
		    nla_put_u32(skb, TORFW_OPT_FLAGS, p->opt.flags) ||
		    nla_put_u8(skb, TORFW_OPT_KERNEL, p->opt.kernel))
			return -EMSGSIZE;
		break;
	case DUMP_ROLES:
		n_roles = roles_count(p->n_role) + roles_count(p->n_role_cg);
		return idx < n_roles ? put_role(skb, p, idx) : -ENOENT;
	case DUMP_SERVICES:
		if (idx >= p->n_svc)
			return -ENOENT;
		return put_service(skb, p, &p->svc[idx]);
	case DUMP_LAN:
		if (idx >= p->n_lan_in)
			return -ENOENT;
		nest = nla_nest_start(skb, TORFW_A_LAN);
		if (!nest ||
		    nla_put_u8(skb, TORFW_PFX_FAMILY, AF_INET) ||
		    nla_put_in_addr(skb, TORFW_PFX_ADDR,
				    htonl(p->lan_in[idx].lo)) ||
		    nla_put_u8(skb, TORFW_PFX_LEN, prefix_len(&p->lan_in[idx])))
			return -EMSGSIZE;
		break;
	case DUMP_LAN_REFUSE:
		if (idx >= p->n_refuse_in)
			return -ENOENT;
		nest = nla_nest_start(skb, TORFW_A_LAN_REFUSE);
		if (!nest ||
		    nla_put_u8(skb, TORFW_PORT_PROTO, p->refuse_in[idx].proto) ||
		    nla_put_u16(skb, TORFW_PORT_LO, p->refuse_in[idx].lo) ||
		    nla_put_u16(skb, TORFW_PORT_HI, p->refuse_in[idx].hi))
			return -EMSGSIZE;
		break;
	case DUMP_GRANTS:
		if (idx >= p->n_grant)
			return -ENOENT;
		return put_ns(skb, TORFW_A_GRANT, &p->grant[idx]);
	case DUMP_REDIRECTS:
		if (idx >= p->n_redir)
			return -ENOENT;
		nest = nla_nest_start(skb, TORFW_A_REDIRECT);
		if (!nest ||
		    nla_put_u8(skb, TORFW_REDIR_KIND, p->redir[idx].kind) ||
		    nla_put_in_addr(skb, TORFW_REDIR_ADDR, p->redir[idx].addr) ||
		    nla_put_u8(skb, TORFW_REDIR_PREFIXLEN,
			       p->redir[idx].prefixlen) ||
		    nla_put_u16(skb, TORFW_REDIR_PORT, p->redir[idx].port) ||
		    nla_put_u16(skb, TORFW_REDIR_TO_PORT, p->redir[idx].to_port))
			return -EMSGSIZE;
		break;
	default:
		return -ENOENT;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_counter(struct sk_buff *skb, const struct torfw_policy *p,
		       int section, u32 idx)
{
	struct nlattr *nest;
	u64 n;

	if (section == 0 && idx >= __TORFW_R_MAX)
		return -ENOENT;
	if (section == 1 && (!p || idx >= p->n_svc))
		return -ENOENT;
	if (section > 1)
		return -ENOENT;
	nest = nla_nest_start(skb, TORFW_A_COUNTER);
	if (!nest)
		return -EMSGSIZE;
	if (section == 0) {
		n = torfw_count_read(idx);
		if (nla_put_u16(skb, TORFW_CTR_REASON, idx))
			return -EMSGSIZE;
	} else {
		n = torfw_policy_hits(p, idx);
		if (nla_put_u32(skb, TORFW_CTR_SERVICE, idx))
			return -EMSGSIZE;
	}
	if (nla_put_u64_64bit(skb, TORFW_CTR_PACKETS, n, TORFW_CTR_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One dump message: elements from the cursor (cb->args[0] section,
 * cb->args[1] index) until the message is full. The generation is the
 * dump's sequence, so a replace in between flags NLM_F_DUMP_INTR.
 */
static int dump_sections(struct sk_buff *skb, struct netlink_callback *cb,
			 u8 cmd, int n_sections,
			 int (*put)(struct sk_buff *skb,
				    const struct torfw_policy *p,
				    int section, u32 idx))
{
	const struct torfw_policy *p;
	int section = cb->args[0], added = 0, ret = 0;
	u32 idx = cb->args[1];
	void *hdr;

	if (section >= n_sections)
		return 0;
	rcu_read_lock();
	p = rcu_dereference(torfw_active);
	if (!p && cmd == TORFW_CMD_GET_POLICY)
		goto out;
	cb->seq = p ? p->generation : 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &torfw_genl_family, NLM_F_MULTI, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto out;
	}
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u64_64bit(skb, TORFW_A_GENERATION, cb->seq, TORFW_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		ret = -EMSGSIZE;
		goto out;
	}
	while (section < n_sections) {
		void *mark = skb_tail_pointer(skb);
		int err = put(skb, p, section, idx);

		if (err == -ENOENT) {
			section++;
			idx = 0;
			continue;
		}
		if (err) {
			nlmsg_trim(skb, mark);
			break;
		}
		added++;
		idx++;
	}
	if (!added && section < n_sections) {
		/* One element larger than a whole message (see below). */
		genlmsg_cancel(skb, hdr);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(skb, hdr);
	cb->args[0] = section;
	cb->args[1] = idx;
	ret = skb->len;
out:
	rcu_read_unlock();
	return ret;
}

/*
 * The largest element, an allow-list entry with every uid, namespace and
 * cgroup it may name (long paths), takes about 3.8 KB:
 * more than NLMSG_GOODSIZE, the message a dump falls back to.
 */
#define DUMP_MIN_ALLOC 8192

int torfw_nl_dump_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = DUMP_MIN_ALLOC;
	return 0;
}

int torfw_nl_get_policy(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_sections(skb, cb, TORFW_CMD_GET_POLICY, DUMP_DONE,
			     put_element);
}

int torfw_nl_get_stats(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_sections(skb, cb, TORFW_CMD_GET_STATS, 2, put_counter);
}
