// SPDX-License-Identifier: GPL-2.0
/*
 * TORFW_CMD_LOAD: the strict attribute schemas, per-socket load
 * transactions and the parsing of each element into the builder. The
 * builder checks every element again (never trusting the tool); COMMIT
 * compiles the whole policy and hands it to state.c.
 */

#include <linux/list.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "torfw.h"
#include "netlink.h"

static const struct nla_policy opt_policy[TORFW_OPT_MAX + 1] = {
	[TORFW_OPT_NOSOCK] = NLA_POLICY_MAX(NLA_U8, __TORFW_NOSOCK_MAX - 1),
	[TORFW_OPT_LOG_RATE] = NLA_POLICY_MAX(NLA_U32, TORFW_LOG_MAX),
	[TORFW_OPT_LOG_BURST] = NLA_POLICY_MAX(NLA_U32, TORFW_LOG_MAX),
	[TORFW_OPT_FLAGS] = { .type = NLA_U32 },
	[TORFW_OPT_KERNEL] = NLA_POLICY_MAX(NLA_U8, __TORFW_KERNEL_MAX - 1),
};

/* A cgroup is named by its path, in requests and dumps alike. */
static const struct nla_policy cg_policy[TORFW_CG_MAX + 1] = {
	[TORFW_CG_PATH] = { .type = NLA_NUL_STRING,
			    .len = TORFW_CG_PATH_MAX - 1 },
};

static const struct nla_policy role_policy[TORFW_ROLE_MAX + 1] = {
	[TORFW_ROLE_KIND] = NLA_POLICY_RANGE(NLA_U8, 1,
					     __TORFW_ROLE_KIND_MAX - 1),
	[TORFW_ROLE_UID] = { .type = NLA_U32 },
	[TORFW_ROLE_CGROUP] = NLA_POLICY_NESTED(cg_policy),
};

static const struct nla_policy ns_policy[TORFW_NS_MAX + 1] = {
	[TORFW_NS_FD] = { .type = NLA_U32 },
	[TORFW_NS_NAME] = { .type = NLA_NUL_STRING,
			    .len = TORFW_NS_NAME_MAX - 1 },
};

static const struct nla_policy svc_policy[TORFW_SVC_MAX + 1] = {
	[TORFW_SVC_FAMILY] = { .type = NLA_U8 },
	[TORFW_SVC_PROTO] = { .type = NLA_U8 },
	[TORFW_SVC_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[TORFW_SVC_PORT_LO] = NLA_POLICY_MIN(NLA_U16, 1),
	[TORFW_SVC_PORT_HI] = NLA_POLICY_MIN(NLA_U16, 1),
	[TORFW_SVC_UID] = { .type = NLA_U32 },
	[TORFW_SVC_DROP_UID] = { .type = NLA_U32 },
	[TORFW_SVC_NETNS] = NLA_POLICY_NESTED(ns_policy),
	[TORFW_SVC_CGROUP] = NLA_POLICY_NESTED(cg_policy),
	[TORFW_SVC_DROP_CGROUP] = NLA_POLICY_NESTED(cg_policy),
};

static const struct nla_policy pfx_policy[TORFW_PFX_MAX + 1] = {
	[TORFW_PFX_FAMILY] = { .type = NLA_U8 },
	[TORFW_PFX_ADDR] = NLA_POLICY_EXACT_LEN(4),
	[TORFW_PFX_LEN] = NLA_POLICY_MAX(NLA_U8, 32),
};

static const struct nla_policy port_policy[TORFW_PORT_MAX + 1] = {
	[TORFW_PORT_PROTO] = { .type = NLA_U8 },
	[TORFW_PORT_LO] = NLA_POLICY_MIN(NLA_U16, 1),
	[TORFW_PORT_HI] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy redir_policy[TORFW_REDIR_MAX + 1] = {
	[TORFW_REDIR_KIND] = NLA_POLICY_RANGE(NLA_U8, 1,
					      __TORFW_REDIR_KIND_MAX - 1),
	[TORFW_REDIR_ADDR] = NLA_POLICY_EXACT_LEN(4),
	[TORFW_REDIR_PREFIXLEN] = NLA_POLICY_RANGE(NLA_U8, 8, 32),
	[TORFW_REDIR_PORT] = { .type = NLA_U16 },
	[TORFW_REDIR_TO_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

const struct nla_policy torfw_load_policy[TORFW_A_MAX + 1] = {
	[TORFW_A_FLAGS] = { .type = NLA_U32 },
	[TORFW_A_OPTIONS] = NLA_POLICY_NESTED(opt_policy),
	[TORFW_A_ROLE] = NLA_POLICY_NESTED(role_policy),
	[TORFW_A_SERVICE] = NLA_POLICY_NESTED(svc_policy),
	[TORFW_A_LAN] = NLA_POLICY_NESTED(pfx_policy),
	[TORFW_A_LAN_REFUSE] = NLA_POLICY_NESTED(port_policy),
	[TORFW_A_GRANT] = NLA_POLICY_NESTED(ns_policy),
	[TORFW_A_REDIRECT] = NLA_POLICY_NESTED(redir_policy),
};

/*
 * Open load transactions, one per socket, under the update mutex: loads
 * from several sockets build side by side and commit one after the other.
 */
struct torfw_txn {
	struct list_head list;
	struct torfw_builder *b;
	u32 portid;
	u64 net_cookie;
};

static LIST_HEAD(txns);
static unsigned int n_txns;

/* Scratch space for one service's lists, too big for the stack. */
struct svc_scratch {
	u32 allow[TORFW_MAX_SERVICE_UIDS];
	u32 drop[TORFW_MAX_SERVICE_UIDS];
	struct torfw_ns ns[TORFW_MAX_SERVICE_NS];
	u16 allow_cg[TORFW_MAX_SERVICE_CGROUPS];
	u16 drop_cg[TORFW_MAX_SERVICE_CGROUPS];
};

static struct torfw_txn *txn_find(u32 portid, u64 net_cookie)
{
	struct torfw_txn *t;

	list_for_each_entry(t, &txns, list)
		if (t->portid == portid && t->net_cookie == net_cookie)
			return t;
	return NULL;
}

static void txn_discard(struct torfw_txn *t)
{
	list_del(&t->list);
	n_txns--;
	torfw_builder_free(t->b);
	kfree(t);
}

static struct torfw_txn *txn_open(u32 portid, u64 net_cookie,
				  struct netlink_ext_ack *extack)
{
	struct torfw_txn *t;

	if (n_txns >= TORFW_MAX_LOADS) {
		NL_SET_ERR_MSG(extack, "too many load transactions open");
		return ERR_PTR(-EBUSY);
	}
	t = kzalloc(sizeof(*t), TORFW_GFP_LOAD);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->b = torfw_builder_new();
	if (!t->b) {
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	t->portid = portid;
	t->net_cookie = net_cookie;
	list_add(&t->list, &txns);
	n_txns++;
	return t;
}

/* A closed socket abandons its load transaction (netlink.c's notifier). */
void torfw_load_release(u32 portid, u64 net_cookie)
{
	struct torfw_txn *t;

	torfw_update_lock();
	t = txn_find(portid, net_cookie);
	if (t)
		txn_discard(t);
	torfw_update_unlock();
}

/* Flush and module exit, under the update mutex: every load ends. */
void torfw_load_discard_all(void)
{
	struct torfw_txn *t, *tmp;

	list_for_each_entry_safe(t, tmp, &txns, list)
		txn_discard(t);
}

/* Resolves a namespace given by fd (in the sender's file table). */
static int parse_ns(const struct nlattr *nla, struct torfw_ns *ns,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TORFW_NS_MAX + 1];
	struct net *net;
	int ret;

	ret = nla_parse_nested(tb, TORFW_NS_MAX, nla, ns_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_NS_FD) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_NS_NAME)) {
		NL_SET_ERR_MSG(extack, "namespace needs an fd and a name");
		return -EINVAL;
	}
	net = get_net_ns_by_fd(nla_get_u32(tb[TORFW_NS_FD]));
	if (IS_ERR(net)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TORFW_NS_FD],
				    "not a network namespace fd");
		return PTR_ERR(net);
	}
	memset(ns, 0, sizeof(*ns));
	ns->cookie = net->net_cookie;
	put_net(net);
	nla_strscpy(ns->name, tb[TORFW_NS_NAME], sizeof(ns->name));
	return 0;
}

static int parse_options(struct torfw_builder *b, const struct nlattr *nla,
			 struct netlink_ext_ack *extack)
{
	struct torfw_options opt = {
		.nosock = TORFW_NOSOCK_LOOPBACK,
		.log_rate = TORFW_LOG_RATE_DEFAULT,
		.log_burst = TORFW_LOG_BURST_DEFAULT,
	};
	struct nlattr *tb[TORFW_OPT_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, TORFW_OPT_MAX, nla, opt_policy, extack);
	if (ret)
		return ret;
	if (tb[TORFW_OPT_NOSOCK])
		opt.nosock = nla_get_u8(tb[TORFW_OPT_NOSOCK]);
	if (tb[TORFW_OPT_LOG_RATE])
		opt.log_rate = nla_get_u32(tb[TORFW_OPT_LOG_RATE]);
	if (tb[TORFW_OPT_LOG_BURST])
		opt.log_burst = nla_get_u32(tb[TORFW_OPT_LOG_BURST]);
	if (tb[TORFW_OPT_FLAGS])
		opt.flags = nla_get_u32(tb[TORFW_OPT_FLAGS]);
	if (tb[TORFW_OPT_KERNEL])
		opt.kernel = nla_get_u8(tb[TORFW_OPT_KERNEL]);
	return torfw_builder_set_options(b, &opt, extack);
}

/* A cgroup by path; its index in the builder. */
static int parse_cgroup(struct torfw_builder *b, const struct nlattr *nla,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TORFW_CG_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, TORFW_CG_MAX, nla, cg_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_CG_PATH)) {
		NL_SET_ERR_MSG(extack, "cgroup needs a path");
		return -EINVAL;
	}
	ret = torfw_builder_add_cgroup(b, nla_data(tb[TORFW_CG_PATH]), extack);
	if (ret < 0 && extack && !extack->bad_attr)
		extack->bad_attr = tb[TORFW_CG_PATH];
	return ret;
}

static int parse_role(struct torfw_builder *b, const struct nlattr *nla,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TORFW_ROLE_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, TORFW_ROLE_MAX, nla, role_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_ROLE_KIND) ||
	    !tb[TORFW_ROLE_UID] == !tb[TORFW_ROLE_CGROUP]) {
		NL_SET_ERR_MSG(extack, "role needs a kind and a uid or a cgroup");
		return -EINVAL;
	}
	if (tb[TORFW_ROLE_CGROUP]) {
		ret = parse_cgroup(b, tb[TORFW_ROLE_CGROUP], extack);
		if (ret < 0)
			return ret;
		return torfw_builder_add_role_cgroup(b,
						     nla_get_u8(tb[TORFW_ROLE_KIND]),
						     ret, extack);
	}
	return torfw_builder_add_role(b, nla_get_u8(tb[TORFW_ROLE_KIND]),
				      nla_get_u32(tb[TORFW_ROLE_UID]), extack);
}

static int parse_addr(const struct nlattr *nla, u8 family,
		      union nf_inet_addr *addr, struct netlink_ext_ack *extack)
{
	int len = family == AF_INET ? 4 : 16;

	if (nla_len(nla) != len) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "address length does not match family");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, nla, len);
	return 0;
}

static int parse_service(struct torfw_builder *b, const struct nlattr *nla,
			 struct svc_scratch *sc, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TORFW_SVC_MAX + 1];
	struct torfw_svc_spec s = {
		.allow = sc->allow,
		.drop = sc->drop,
		.ns = sc->ns,
		.allow_cg = sc->allow_cg,
		.drop_cg = sc->drop_cg,
	};
	const struct nlattr *a;
	int rem, ret;

	ret = nla_parse_nested(tb, TORFW_SVC_MAX, nla, svc_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_SVC_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_SVC_PROTO) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_SVC_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_SVC_PORT_LO)) {
		NL_SET_ERR_MSG(extack,
			       "service needs family, protocol, address and port");
		return -EINVAL;
	}
	s.family = nla_get_u8(tb[TORFW_SVC_FAMILY]);
	s.proto = nla_get_u8(tb[TORFW_SVC_PROTO]);
	if (s.family != AF_INET && s.family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TORFW_SVC_FAMILY],
				    "service family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	ret = parse_addr(tb[TORFW_SVC_ADDR], s.family, &s.addr, extack);
	if (ret)
		return ret;
	s.port_lo = nla_get_u16(tb[TORFW_SVC_PORT_LO]);
	s.port_hi = tb[TORFW_SVC_PORT_HI] ?
		    nla_get_u16(tb[TORFW_SVC_PORT_HI]) : s.port_lo;

	nla_for_each_nested(a, nla, rem) {
		switch (nla_type(a)) {
		case TORFW_SVC_UID:
		case TORFW_SVC_DROP_UID:
			if (s.n_allow + s.n_drop == TORFW_MAX_SERVICE_UIDS) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "too many uids in one service");
				return -E2BIG;
			}
			if (nla_type(a) == TORFW_SVC_UID)
				sc->allow[s.n_allow++] = nla_get_u32(a);
			else
				sc->drop[s.n_drop++] = nla_get_u32(a);
			break;
		case TORFW_SVC_NETNS:
			if (s.n_ns == TORFW_MAX_SERVICE_NS) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "too many namespaces in one service");
				return -E2BIG;
			}
			ret = parse_ns(a, &sc->ns[s.n_ns++], extack);
			if (ret)
				return ret;
			break;
		case TORFW_SVC_CGROUP:
		case TORFW_SVC_DROP_CGROUP:
			if (s.n_allow_cg + s.n_drop_cg ==
			    TORFW_MAX_SERVICE_CGROUPS) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "too many cgroups in one service");
				return -E2BIG;
			}
			ret = parse_cgroup(b, a, extack);
			if (ret < 0)
				return ret;
			if (nla_type(a) == TORFW_SVC_CGROUP)
				sc->allow_cg[s.n_allow_cg++] = ret;
			else
				sc->drop_cg[s.n_drop_cg++] = ret;
			break;
		}
	}
	return torfw_builder_add_service(b, &s, extack);
}

static int parse_lan(struct torfw_builder *b, const struct nlattr *nla,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TORFW_PFX_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, TORFW_PFX_MAX, nla, pfx_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_PFX_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_PFX_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_PFX_LEN)) {
		NL_SET_ERR_MSG(extack, "prefix needs family, address and length");
		return -EINVAL;
	}
	return torfw_builder_add_lan(b, nla_get_u8(tb[TORFW_PFX_FAMILY]),
				     nla_get_in_addr(tb[TORFW_PFX_ADDR]),
				     nla_get_u8(tb[TORFW_PFX_LEN]), extack);
}

static int parse_lan_refuse(struct torfw_builder *b, const struct nlattr *nla,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TORFW_PORT_MAX + 1];
	u16 lo;
	int ret;

	ret = nla_parse_nested(tb, TORFW_PORT_MAX, nla, port_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_PORT_PROTO) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_PORT_LO)) {
		NL_SET_ERR_MSG(extack, "port range needs protocol and port");
		return -EINVAL;
	}
	lo = nla_get_u16(tb[TORFW_PORT_LO]);
	return torfw_builder_add_lan_refuse(b,
					    nla_get_u8(tb[TORFW_PORT_PROTO]), lo,
					    tb[TORFW_PORT_HI] ?
					    nla_get_u16(tb[TORFW_PORT_HI]) : lo,
					    extack);
}

static int parse_grant(struct torfw_builder *b, const struct nlattr *nla,
		       struct netlink_ext_ack *extack)
{
	struct torfw_ns ns;
	int ret;

	ret = parse_ns(nla, &ns, extack);
	if (ret)
		return ret;
	return torfw_builder_add_grant(b, &ns, extack);
}

static int parse_redirect(struct torfw_builder *b, const struct nlattr *nla,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TORFW_REDIR_MAX + 1];
	struct torfw_redir r = {};
	int ret;

	ret = nla_parse_nested(tb, TORFW_REDIR_MAX, nla, redir_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_REDIR_KIND) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_REDIR_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_REDIR_PREFIXLEN) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TORFW_REDIR_TO_PORT)) {
		NL_SET_ERR_MSG(extack,
			       "redirect needs kind, address, prefix length and target port");
		return -EINVAL;
	}
	r.kind = nla_get_u8(tb[TORFW_REDIR_KIND]);
	r.addr = nla_get_in_addr(tb[TORFW_REDIR_ADDR]);
	r.prefixlen = nla_get_u8(tb[TORFW_REDIR_PREFIXLEN]);
	r.port = tb[TORFW_REDIR_PORT] ? nla_get_u16(tb[TORFW_REDIR_PORT]) : 0;
	r.to_port = nla_get_u16(tb[TORFW_REDIR_TO_PORT]);
	return torfw_builder_add_redirect(b, &r, extack);
}

/* Adds every element of one LOAD message to the builder. */
static int parse_elements(struct torfw_builder *b, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct svc_scratch *sc;
	struct nlattr *nla;
	int rem, ret = 0;

	sc = kmalloc(sizeof(*sc), TORFW_GFP_LOAD);
	if (!sc)
		return -ENOMEM;
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		switch (nla_type(nla)) {
		case TORFW_A_OPTIONS:
			ret = parse_options(b, nla, extack);
			break;
		case TORFW_A_ROLE:
			ret = parse_role(b, nla, extack);
			break;
		case TORFW_A_SERVICE:
			ret = parse_service(b, nla, sc, extack);
			break;
		case TORFW_A_LAN:
			ret = parse_lan(b, nla, extack);
			break;
		case TORFW_A_LAN_REFUSE:
			ret = parse_lan_refuse(b, nla, extack);
			break;
		case TORFW_A_GRANT:
			ret = parse_grant(b, nla, extack);
			break;
		case TORFW_A_REDIRECT:
			ret = parse_redirect(b, nla, extack);
			break;
		}
		if (ret) {
			/* Point at the element when the builder could not. */
			if (extack && !extack->bad_attr)
				extack->bad_attr = nla;
			break;
		}
	}
	kfree(sc);
	return ret;
}

/*
 * Sends the reply to a COMMIT, allocated before the policy changed. Once
 * the policy is replaced the load has succeeded: a reply lost to a full
 * socket does not undo it, and the ack still says 0.
 */
static void send_generation(struct sk_buff *msg, struct genl_info *info,
			    u64 generation)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &torfw_genl_family, 0,
				TORFW_CMD_LOAD);
	if (!hdr ||
	    nla_put_u64_64bit(msg, TORFW_A_GENERATION, generation,
			      TORFW_A_PAD)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_reply(msg, info);
}

int torfw_nl_load(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	u64 cookie = genl_info_net(info)->net_cookie;
	struct sk_buff *reply = NULL;
	struct torfw_policy *p;
	struct torfw_txn *t;
	u32 flags;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, TORFW_A_FLAGS)) {
		NL_SET_ERR_MSG(extack, "load needs TORFW_A_FLAGS");
		return -EINVAL;
	}
	flags = nla_get_u32(info->attrs[TORFW_A_FLAGS]);
	if (flags & ~__TORFW_LOAD_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[TORFW_A_FLAGS],
				    "unknown load flag");
		return -EOPNOTSUPP;
	}

	torfw_update_lock();
	t = txn_find(info->snd_portid, cookie);
	if (flags & TORFW_LOAD_F_BEGIN) {
		if (t)
			txn_discard(t);
		t = txn_open(info->snd_portid, cookie, extack);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			t = NULL;
			goto out;
		}
	} else if (!t) {
		NL_SET_ERR_MSG(extack, "no load transaction open on this socket");
		ret = -ESRCH;
		goto out;
	}

	ret = parse_elements(t->b, info);
	if (ret || !(flags & TORFW_LOAD_F_COMMIT))
		goto out;

	reply = genlmsg_new(NLMSG_GOODSIZE, TORFW_GFP_LOAD);
	if (!reply) {
		ret = -ENOMEM;
		goto out;
	}
	p = torfw_policy_build(t->b, extack);
	txn_discard(t);
	t = NULL;
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		goto out;
	}
	if (flags & TORFW_LOAD_F_CHECK) {
		if (torfw_state_is_locked())
			ret = torfw_policy_no_looser(p, torfw_active_protected(),
						     extack);
		torfw_policy_free(p);
	} else {
		ret = torfw_state_replace(p, extack);
		if (ret)
			torfw_policy_free(p);
		else
			pr_info("policy loaded, generation %llu, %u services\n",
				p->generation, p->n_svc);
	}
	if (ret)
		goto out;
	send_generation(reply, info, torfw_state_generation());
	reply = NULL;
out:
	if (ret && t)
		txn_discard(t);
	torfw_update_unlock();
	nlmsg_free(reply);
	return ret;
}

#if IS_ENABLED(CONFIG_TORFW_KUNIT_TEST)
#include "tests/netlink_test.c"
#endif
