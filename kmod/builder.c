// SPDX-License-Identifier: GPL-2.0
/*
 * Building a policy: each element from a netlink request (or KUnit) is
 * checked on its own as it is added, with an extack message for every
 * refusal. Checks across elements (duplicates, overlaps) are compile.c's.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "builder.h"

static int vec_reserve(struct vec *v, size_t elem, u32 more, u32 max)
{
	u32 want, cap;
	void *data;

	if (more > max || v->n > max - more)
		return -E2BIG;
	want = v->n + more;
	if (want <= v->cap)
		return 0;
	cap = max_t(u32, 16, v->cap);
	while (cap < want)
		cap = min_t(u64, (u64)cap * 2, max);
	data = kvrealloc(v->data, (size_t)v->cap * elem, (size_t)cap * elem,
			 TORFW_GFP_LOAD);
	if (!data)
		return -ENOMEM;
	v->data = data;
	v->cap = cap;
	return 0;
}

static int vec_push(struct vec *v, size_t elem, const void *x, u32 max)
{
	int ret = vec_reserve(v, elem, 1, max);

	if (ret)
		return ret;
	memcpy((u8 *)v->data + (size_t)v->n * elem, x, elem);
	v->n++;
	return 0;
}

static void vec_free(struct vec *v)
{
	kvfree(v->data);
	v->data = NULL;
	v->n = 0;
	v->cap = 0;
}

struct torfw_builder *torfw_builder_new(void)
{
	struct torfw_builder *b;

	b = kzalloc(sizeof(*b), TORFW_GFP_LOAD);
	if (b)
		atomic_inc(&torfw_objects);
	return b;
}

void torfw_builder_free(struct torfw_builder *b)
{
	if (!b)
		return;
	vec_free(&b->roles);
	vec_free(&b->role_cg);
	vec_free(&b->cgroups);
	vec_free(&b->svc_cg);
	vec_free(&b->svc);
	vec_free(&b->uids);
	vec_free(&b->svc_ns);
	vec_free(&b->lan);
	vec_free(&b->refuse);
	vec_free(&b->grant);
	vec_free(&b->redir);
	kfree(b);
	atomic_dec(&torfw_objects);
}

int torfw_builder_set_options(struct torfw_builder *b,
			      const struct torfw_options *opt,
			      struct netlink_ext_ack *extack)
{
	if (b->have_opt) {
		NL_SET_ERR_MSG(extack, "options given twice");
		return -EEXIST;
	}
	if (opt->nosock >= __TORFW_NOSOCK_MAX) {
		NL_SET_ERR_MSG(extack, "unknown no-socket rule");
		return -EINVAL;
	}
	if (opt->kernel >= __TORFW_KERNEL_MAX) {
		NL_SET_ERR_MSG(extack, "unknown kernel-socket rule");
		return -EINVAL;
	}
	if (opt->log_rate > TORFW_LOG_MAX || opt->log_burst > TORFW_LOG_MAX) {
		NL_SET_ERR_MSG(extack, "log rate and burst are at most 10000");
		return -ERANGE;
	}
	if (opt->flags & ~__TORFW_OPT_F_ALL) {
		NL_SET_ERR_MSG(extack, "unknown option flag");
		return -EOPNOTSUPP;
	}
	b->opt = *opt;
	b->have_opt = true;
	return 0;
}

int torfw_builder_add_role(struct torfw_builder *b, u8 kind, u32 uid,
			   struct netlink_ext_ack *extack)
{
	struct role_elem r = { .kind = kind, .uid = uid };

	if (!kind || kind >= __TORFW_ROLE_KIND_MAX) {
		NL_SET_ERR_MSG(extack, "unknown role");
		return -EINVAL;
	}
	if (uid == (u32)-1) {
		NL_SET_ERR_MSG(extack, "invalid uid");
		return -EINVAL;
	}
	/* TORFW_MAX_ROLES bounds uids' and cgroups' roles together. */
	return vec_push(&b->roles, sizeof(r), &r,
			TORFW_MAX_ROLES - b->role_cg.n);
}

/*
 * A cgroup path as the UAPI header defines it, split into c (if not
 * NULL). The form is strict so that one cgroup has one spelling: the
 * lock and diff compare principals by path, and dumps print them.
 */
static int cg_parse(const char *path, struct torfw_cgroup *c,
		    struct netlink_ext_ack *extack)
{
	size_t len = strnlen(path, TORFW_CG_PATH_MAX), i, start;
	u8 level = 0;

	if (len == TORFW_CG_PATH_MAX) {
		NL_SET_ERR_MSG(extack, "cgroup path too long");
		return -EINVAL;
	}
	if (path[0] != '/' || len == 1) {
		NL_SET_ERR_MSG(extack, "cgroup path must be absolute and below the root");
		return -EINVAL;
	}
	if (c) {
		memset(c, 0, sizeof(*c));
		memcpy(c->path, path, len);
		memcpy(c->names, path, len);
	}
	for (start = 1, i = 1; i <= len; i++) {
		if (i < len && (u8)path[i] < 0x20) {
			NL_SET_ERR_MSG(extack, "control character in cgroup path");
			return -EINVAL;
		}
		if (i < len && path[i] != '/')
			continue;
		if (i == start || (i - start == 1 && path[start] == '.') ||
		    (i - start == 2 && path[start] == '.' &&
		     path[start + 1] == '.')) {
			NL_SET_ERR_MSG(extack, "cgroup path has an empty, . or .. component");
			return -EINVAL;
		}
		if (level == TORFW_CG_DEPTH_MAX) {
			NL_SET_ERR_MSG(extack, "cgroup path deeper than 16 levels");
			return -EINVAL;
		}
		if (c) {
			c->off[level] = start;
			c->names[i] = '\0';
			c->level = level + 1;
		}
		level++;
		start = i + 1;
	}
	return 0;
}

int torfw_builder_add_cgroup(struct torfw_builder *b, const char *path,
			     struct netlink_ext_ack *extack)
{
	const struct torfw_cgroup *o;
	u32 i;
	int ret;

	ret = cg_parse(path, NULL, extack);
	if (ret)
		return ret;
	o = b->cgroups.data;
	for (i = 0; i < b->cgroups.n; i++)
		if (!strcmp(o[i].path, path))
			return i;
	ret = vec_reserve(&b->cgroups, sizeof(*o), 1, TORFW_MAX_CGROUPS);
	if (ret) {
		NL_SET_ERR_MSG(extack, "too many cgroups");
		return ret;
	}
	cg_parse(path, (struct torfw_cgroup *)b->cgroups.data + b->cgroups.n,
		 NULL);
	return b->cgroups.n++;
}

int torfw_builder_add_role_cgroup(struct torfw_builder *b, u8 kind, u16 cg,
				  struct netlink_ext_ack *extack)
{
	struct role_cg_elem r = { .kind = kind, .cg = cg };

	if (!kind || kind >= __TORFW_ROLE_KIND_MAX) {
		NL_SET_ERR_MSG(extack, "unknown role");
		return -EINVAL;
	}
	if (cg >= b->cgroups.n) {
		NL_SET_ERR_MSG(extack, "unknown cgroup");
		return -EINVAL;
	}
	return vec_push(&b->role_cg, sizeof(r), &r,
			TORFW_MAX_ROLES - b->roles.n);
}

static bool proto_ok(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

int torfw_builder_add_service(struct torfw_builder *b,
			      const struct torfw_svc_spec *s,
			      struct netlink_ext_ack *extack)
{
	struct torfw_svc e = {};
	u32 i;
	int ret;

	if (s->family != AF_INET && s->family != AF_INET6) {
		NL_SET_ERR_MSG(extack, "service family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (!proto_ok(s->proto)) {
		NL_SET_ERR_MSG(extack, "service protocol must be tcp or udp");
		return -EPROTONOSUPPORT;
	}
	if (!s->port_lo || s->port_hi < s->port_lo) {
		NL_SET_ERR_MSG(extack, "service port range is empty or starts at 0");
		return -EINVAL;
	}
	if (s->family == AF_INET &&
	    (s->addr.all[1] | s->addr.all[2] | s->addr.all[3])) {
		NL_SET_ERR_MSG(extack, "IPv4 service address is longer than 4 bytes");
		return -EINVAL;
	}
	if (s->family == AF_INET6 && ipv6_addr_v4mapped(&s->addr.in6)) {
		NL_SET_ERR_MSG(extack, "IPv4-mapped service address: use IPv4");
		return -EINVAL;
	}
	if (s->n_allow > TORFW_MAX_SERVICE_UIDS ||
	    s->n_drop > TORFW_MAX_SERVICE_UIDS - s->n_allow) {
		NL_SET_ERR_MSG(extack, "too many uids in one service");
		return -E2BIG;
	}
	if (s->n_ns > TORFW_MAX_SERVICE_NS) {
		NL_SET_ERR_MSG(extack, "too many namespaces in one service");
		return -E2BIG;
	}
	if (s->n_allow_cg > TORFW_MAX_SERVICE_CGROUPS ||
	    s->n_drop_cg > TORFW_MAX_SERVICE_CGROUPS - s->n_allow_cg) {
		NL_SET_ERR_MSG(extack, "too many cgroups in one service");
		return -E2BIG;
	}
	if (!s->n_allow && !s->n_drop && !s->n_ns && !s->n_allow_cg &&
	    !s->n_drop_cg) {
		NL_SET_ERR_MSG(extack, "service names no principal and no namespace");
		return -EINVAL;
	}
	for (i = 0; i < s->n_allow_cg + s->n_drop_cg; i++) {
		u16 cg = i < s->n_allow_cg ? s->allow_cg[i] :
					     s->drop_cg[i - s->n_allow_cg];

		if (cg >= b->cgroups.n) {
			NL_SET_ERR_MSG(extack, "unknown cgroup");
			return -EINVAL;
		}
	}
	for (i = 0; i < s->n_allow + s->n_drop; i++) {
		u32 uid = i < s->n_allow ? s->allow[i] : s->drop[i - s->n_allow];

		if (uid == (u32)-1) {
			NL_SET_ERR_MSG(extack, "invalid uid");
			return -EINVAL;
		}
	}
	for (i = 0; i < s->n_ns; i++) {
		if (!s->ns[i].cookie) {
			NL_SET_ERR_MSG(extack, "invalid namespace");
			return -EINVAL;
		}
	}

	ret = vec_reserve(&b->svc, sizeof(e), 1, TORFW_MAX_SERVICES);
	if (ret) {
		NL_SET_ERR_MSG(extack, "too many services");
		return ret;
	}
	ret = vec_reserve(&b->uids, sizeof(u32), s->n_allow + s->n_drop,
			  TORFW_MAX_SERVICES * TORFW_MAX_SERVICE_UIDS);
	if (ret)
		return ret;
	ret = vec_reserve(&b->svc_ns, sizeof(struct torfw_ns), s->n_ns,
			  TORFW_MAX_SERVICES * TORFW_MAX_SERVICE_NS);
	if (ret)
		return ret;
	ret = vec_reserve(&b->svc_cg, sizeof(u16), s->n_allow_cg + s->n_drop_cg,
			  TORFW_MAX_SERVICES * TORFW_MAX_SERVICE_CGROUPS);
	if (ret)
		return ret;

	e.addr = s->addr;
	e.port_lo = s->port_lo;
	e.port_hi = s->port_hi;
	e.family = s->family;
	e.proto = s->proto;
	e.n_allow = s->n_allow;
	e.n_drop = s->n_drop;
	e.n_ns = s->n_ns;
	e.uid_off = b->uids.n;
	e.ns_off = b->svc_ns.n;
	memcpy((u32 *)b->uids.data + b->uids.n, s->allow,
	       s->n_allow * sizeof(u32));
	b->uids.n += s->n_allow;
	memcpy((u32 *)b->uids.data + b->uids.n, s->drop,
	       s->n_drop * sizeof(u32));
	b->uids.n += s->n_drop;
	memcpy((struct torfw_ns *)b->svc_ns.data + b->svc_ns.n, s->ns,
	       s->n_ns * sizeof(struct torfw_ns));
	b->svc_ns.n += s->n_ns;
	e.n_allow_cg = s->n_allow_cg;
	e.n_drop_cg = s->n_drop_cg;
	e.cg_off = b->svc_cg.n;
	memcpy((u16 *)b->svc_cg.data + b->svc_cg.n, s->allow_cg,
	       s->n_allow_cg * sizeof(u16));
	b->svc_cg.n += s->n_allow_cg;
	memcpy((u16 *)b->svc_cg.data + b->svc_cg.n, s->drop_cg,
	       s->n_drop_cg * sizeof(u16));
	b->svc_cg.n += s->n_drop_cg;
	return vec_push(&b->svc, sizeof(e), &e, TORFW_MAX_SERVICES);
}

int torfw_builder_add_lan(struct torfw_builder *b, u8 family, __be32 addr,
			  u8 len, struct netlink_ext_ack *extack)
{
	struct lan_elem e = { .addr = ntohl(addr), .len = len };

	if (family != AF_INET) {
		NL_SET_ERR_MSG(extack, "LAN ranges are IPv4 only");
		return -EAFNOSUPPORT;
	}
	if (len > 32) {
		NL_SET_ERR_MSG(extack, "prefix length above 32");
		return -EINVAL;
	}
	if (e.addr & ~torfw_prefix_mask(len)) {
		NL_SET_ERR_MSG(extack, "LAN prefix has host bits set");
		return -EINVAL;
	}
	return vec_push(&b->lan, sizeof(e), &e, TORFW_MAX_LAN);
}

int torfw_builder_add_lan_refuse(struct torfw_builder *b, u8 proto, u16 lo,
				 u16 hi, struct netlink_ext_ack *extack)
{
	struct torfw_portrange e = { .proto = proto, .lo = lo, .hi = hi };

	if (!proto_ok(proto)) {
		NL_SET_ERR_MSG(extack, "refused LAN protocol must be tcp or udp");
		return -EPROTONOSUPPORT;
	}
	if (!lo || hi < lo) {
		NL_SET_ERR_MSG(extack, "refused LAN port range is empty or starts at 0");
		return -EINVAL;
	}
	return vec_push(&b->refuse, sizeof(e), &e, TORFW_MAX_LAN_REFUSE);
}

int torfw_builder_add_grant(struct torfw_builder *b, const struct torfw_ns *ns,
			    struct netlink_ext_ack *extack)
{
	if (!ns->cookie) {
		NL_SET_ERR_MSG(extack, "invalid namespace");
		return -EINVAL;
	}
	if (ns->cookie == init_net.net_cookie) {
		NL_SET_ERR_MSG(extack, "the initial namespace cannot be granted");
		return -EINVAL;
	}
	if (strnlen(ns->name, TORFW_NS_NAME_MAX) == TORFW_NS_NAME_MAX) {
		NL_SET_ERR_MSG(extack, "namespace name too long");
		return -EINVAL;
	}
	return vec_push(&b->grant, sizeof(*ns), ns, TORFW_MAX_GRANTS);
}

int torfw_builder_add_redirect(struct torfw_builder *b,
			       const struct torfw_redir *r,
			       struct netlink_ext_ack *extack)
{
	struct torfw_redir e = *r;
	u32 addr = ntohl(r->addr);

	switch (r->kind) {
	case TORFW_REDIR_AUTOMAP:
		e.proto = IPPROTO_TCP;
		break;
	case TORFW_REDIR_DNS:
		e.proto = IPPROTO_UDP;
		break;
	default:
		NL_SET_ERR_MSG(extack, "unknown redirect kind");
		return -EINVAL;
	}
	if (r->prefixlen < 8 || r->prefixlen > 32) {
		NL_SET_ERR_MSG(extack, "redirect prefix length must be 8..32");
		return -EINVAL;
	}
	if ((addr >> 24) != 127) {
		NL_SET_ERR_MSG(extack, "redirected addresses must be in 127.0.0.0/8");
		return -EINVAL;
	}
	if (addr & ~torfw_prefix_mask(r->prefixlen)) {
		NL_SET_ERR_MSG(extack, "redirect prefix has host bits set");
		return -EINVAL;
	}
	if (!r->to_port) {
		NL_SET_ERR_MSG(extack, "redirect target port is 0");
		return -EINVAL;
	}
	e.mask = htonl(torfw_prefix_mask(r->prefixlen));
	return vec_push(&b->redir, sizeof(e), &e, TORFW_MAX_REDIRECTS);
}
