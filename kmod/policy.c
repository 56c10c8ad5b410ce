// SPDX-License-Identifier: GPL-2.0
/*
 * The compiled policy object and the pure decision function.
 *
 * A policy is built from a torfw_builder (filled by netlink.c or by KUnit),
 * validated as a whole, compiled into sorted arrays, then published by
 * netlink.c with RCU. Nothing here takes a lock or touches an skb: the
 * decision function maps plain facts to a verdict and a reason.
 *
 * Lookups are binary searches over sorted arrays (allow-list, uid sets,
 * LAN ranges, refused ports), so the cost of a decision grows with the
 * logarithm of the policy's size, never linearly.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/percpu.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "policy.h"

/* The enum follows the list's order, so plain initializers line up. */
#define REASON_NAME(e, name, kind) name,
const char *const torfw_reason_names[__TORFW_R_MAX] = {
	TORFW_REASONS(REASON_NAME)
};

#define REASON_KIND(e, name, kind) TORFW_RK_##kind,
const u8 torfw_reason_kind[__TORFW_R_MAX] = {
	TORFW_REASONS(REASON_KIND)
};

/* A growable array of the builder, bounded by max elements. */
struct vec {
	void *data;
	u32 n;
	u32 cap;
};

struct role_elem {
	u8 kind;
	u32 uid;
};

struct lan_elem {
	u32 addr;		/* host order */
	u8 len;
};

struct torfw_builder {
	bool have_opt;
	struct torfw_options opt;
	struct vec roles;	/* struct role_elem */
	struct vec svc;		/* struct torfw_svc */
	struct vec uids;	/* u32 */
	struct vec svc_ns;	/* struct torfw_ns */
	struct vec lan;		/* struct lan_elem */
	struct vec refuse;	/* struct torfw_portrange */
	struct vec grant;	/* struct torfw_ns */
	struct vec redir;	/* struct torfw_redir */
};

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

atomic_t torfw_objects = ATOMIC_INIT(0);

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
	if (opt->log_rate > 10000 || opt->log_burst > 10000) {
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
	return vec_push(&b->roles, sizeof(r), &r, TORFW_MAX_ROLES);
}

static bool proto_ok(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static bool addr_is_zero(const union nf_inet_addr *a)
{
	return !(a->all[0] | a->all[1] | a->all[2] | a->all[3]);
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
	if (!s->n_allow && !s->n_drop && !s->n_ns) {
		NL_SET_ERR_MSG(extack, "service names no uid and no namespace");
		return -EINVAL;
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
	return vec_push(&b->svc, sizeof(e), &e, TORFW_MAX_SERVICES);
}

static u32 prefix_mask(u8 len)
{
	return len ? ~0U << (32 - len) : 0;
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
	if (e.addr & ~prefix_mask(len)) {
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
	if (addr & ~prefix_mask(r->prefixlen)) {
		NL_SET_ERR_MSG(extack, "redirect prefix has host bits set");
		return -EINVAL;
	}
	if (!r->to_port) {
		NL_SET_ERR_MSG(extack, "redirect target port is 0");
		return -EINVAL;
	}
	e.mask = htonl(prefix_mask(r->prefixlen));
	return vec_push(&b->redir, sizeof(e), &e, TORFW_MAX_REDIRECTS);
}

/* Compiling */

static int u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static int svc_key_cmp(u8 fa, u8 pa, const union nf_inet_addr *aa,
		       const struct torfw_svc *b)
{
	if (fa != b->family)
		return fa < b->family ? -1 : 1;
	if (pa != b->proto)
		return pa < b->proto ? -1 : 1;
	return memcmp(aa, &b->addr, sizeof(*aa));
}

static int svc_cmp(const void *a, const void *b)
{
	const struct torfw_svc *x = a, *y = b;
	int c = svc_key_cmp(x->family, x->proto, &x->addr, y);

	if (c)
		return c;
	return x->port_lo < y->port_lo ? -1 : x->port_lo > y->port_lo;
}

static int ns_cmp(const void *a, const void *b)
{
	const struct torfw_ns *x = a, *y = b;

	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

static int range4_cmp(const void *a, const void *b)
{
	const struct torfw_range4 *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int portrange_cmp(const void *a, const void *b)
{
	const struct torfw_portrange *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts a uid list; true if it holds a duplicate. */
static bool sort_uids(u32 *u, u32 n)
{
	u32 i;

	sort(u, n, sizeof(*u), u32_cmp, NULL);
	for (i = 1; i < n; i++)
		if (u[i] == u[i - 1])
			return true;
	return false;
}

/* Sorts namespaces by cookie; true if one is there twice. */
static bool sort_ns(struct torfw_ns *ns, u32 n)
{
	u32 i;

	sort(ns, n, sizeof(*ns), ns_cmp, NULL);
	for (i = 1; i < n; i++)
		if (ns[i].cookie == ns[i - 1].cookie)
			return true;
	return false;
}

static int build_roles(struct torfw_policy *p, struct torfw_builder *b,
		       struct netlink_ext_ack *extack)
{
	const struct role_elem *r = b->roles.data;
	u32 i, k;

	for (i = 0; i < b->roles.n; i++)
		p->n_role[r[i].kind]++;
	for (k = 1; k < __TORFW_ROLE_KIND_MAX; k++) {
		if (!p->n_role[k])
			continue;
		p->role[k] = kvmalloc_array(p->n_role[k], sizeof(u32),
					    TORFW_GFP_LOAD);
		if (!p->role[k])
			return -ENOMEM;
		p->n_role[k] = 0;
	}
	for (i = 0; i < b->roles.n; i++)
		p->role[r[i].kind][p->n_role[r[i].kind]++] = r[i].uid;
	for (k = 1; k < __TORFW_ROLE_KIND_MAX; k++) {
		if (sort_uids(p->role[k], p->n_role[k])) {
			NL_SET_ERR_MSG(extack, "uid given twice for one role");
			return -EEXIST;
		}
	}
	return 0;
}

static int build_services(struct torfw_policy *p, struct torfw_builder *b,
			  struct netlink_ext_ack *extack)
{
	u32 i, j;

	p->n_svc = b->svc.n;
	p->svc = b->svc.data;
	b->svc.data = NULL;
	p->n_uids = b->uids.n;
	p->uids = b->uids.data;
	b->uids.data = NULL;
	p->n_svc_ns = b->svc_ns.n;
	p->svc_ns = b->svc_ns.data;
	b->svc_ns.data = NULL;

	sort(p->svc, p->n_svc, sizeof(*p->svc), svc_cmp, NULL);
	for (i = 0; i < p->n_svc; i++) {
		struct torfw_svc *s = &p->svc[i];
		u32 *u = p->uids + s->uid_off;

		if (i && !svc_key_cmp(s->family, s->proto, &s->addr, s - 1) &&
		    s->port_lo <= s[-1].port_hi) {
			NL_SET_ERR_MSG(extack, "services overlap");
			return -EEXIST;
		}
		if (sort_uids(u, s->n_allow) ||
		    sort_uids(u + s->n_allow, s->n_drop)) {
			NL_SET_ERR_MSG(extack, "uid listed twice in one service");
			return -EEXIST;
		}
		for (j = 0; j < s->n_drop; j++) {
			if (torfw_uid_in(u, s->n_allow, u[s->n_allow + j])) {
				NL_SET_ERR_MSG(extack, "uid both allowed and dropped");
				return -EEXIST;
			}
		}
		if (sort_ns(p->svc_ns + s->ns_off, s->n_ns)) {
			NL_SET_ERR_MSG(extack, "namespace listed twice in one service");
			return -EEXIST;
		}
	}
	return 0;
}

static int build_lan(struct torfw_policy *p, struct torfw_builder *b,
		     struct netlink_ext_ack *extack)
{
	const struct lan_elem *l = b->lan.data;
	u32 i, n = 0;

	if (!b->lan.n)
		return 0;
	p->lan_in = kvmalloc_array(b->lan.n, sizeof(*p->lan_in),
				   TORFW_GFP_LOAD);
	p->lan = kvmalloc_array(b->lan.n, sizeof(*p->lan), TORFW_GFP_LOAD);
	if (!p->lan_in || !p->lan)
		return -ENOMEM;
	for (i = 0; i < b->lan.n; i++) {
		p->lan_in[i].lo = l[i].addr;
		p->lan_in[i].hi = l[i].addr | ~prefix_mask(l[i].len);
	}
	p->n_lan_in = b->lan.n;
	memcpy(p->lan, p->lan_in, b->lan.n * sizeof(*p->lan));
	sort(p->lan, b->lan.n, sizeof(*p->lan), range4_cmp, NULL);
	for (i = 0; i < b->lan.n; i++) {
		if (i && p->lan[i].lo == p->lan[i - 1].lo &&
		    p->lan[i].hi == p->lan[i - 1].hi) {
			NL_SET_ERR_MSG(extack, "LAN prefix given twice");
			return -EEXIST;
		}
		/* Merge nested and adjacent ranges: lookups need disjoint ones. */
		if (n && p->lan[i].lo <= p->lan[n - 1].hi + 1ULL) {
			p->lan[n - 1].hi = max(p->lan[n - 1].hi, p->lan[i].hi);
			continue;
		}
		p->lan[n++] = p->lan[i];
	}
	p->n_lan = n;
	return 0;
}

static int build_refuse(struct torfw_policy *p, struct torfw_builder *b,
			struct netlink_ext_ack *extack)
{
	u32 i, n = 0;

	if (!b->refuse.n)
		return 0;
	p->refuse_in = b->refuse.data;
	p->n_refuse_in = b->refuse.n;
	b->refuse.data = NULL;
	p->refuse = kvmalloc_array(p->n_refuse_in, sizeof(*p->refuse),
				   TORFW_GFP_LOAD);
	if (!p->refuse)
		return -ENOMEM;
	memcpy(p->refuse, p->refuse_in, p->n_refuse_in * sizeof(*p->refuse));
	sort(p->refuse, p->n_refuse_in, sizeof(*p->refuse), portrange_cmp,
	     NULL);
	for (i = 0; i < p->n_refuse_in; i++) {
		struct torfw_portrange *r = &p->refuse[i];

		if (n && r->proto == p->refuse[n - 1].proto &&
		    r->lo <= p->refuse[n - 1].hi) {
			NL_SET_ERR_MSG(extack, "refused LAN port ranges overlap");
			return -EEXIST;
		}
		p->refuse[n++] = *r;
	}
	p->n_refuse = n;
	return 0;
}

static int build_grants(struct torfw_policy *p, struct torfw_builder *b,
			struct netlink_ext_ack *extack)
{
	p->n_grant = b->grant.n;
	p->grant = b->grant.data;
	b->grant.data = NULL;
	if (sort_ns(p->grant, p->n_grant)) {
		NL_SET_ERR_MSG(extack, "namespace granted twice");
		return -EEXIST;
	}
	return 0;
}

static int build_redirects(struct torfw_policy *p, struct torfw_builder *b,
			   struct netlink_ext_ack *extack)
{
	const struct torfw_redir *r = b->redir.data;
	u32 i, j;

	for (i = 0; i < b->redir.n; i++) {
		for (j = 0; j < i; j++) {
			if (r[j].kind == r[i].kind) {
				NL_SET_ERR_MSG(extack, "redirect of this kind given twice");
				return -EEXIST;
			}
		}
		p->redir[i] = r[i];
	}
	p->n_redir = b->redir.n;
	return 0;
}

static int alloc_hits(struct torfw_policy *p)
{
	u32 i, chunks = DIV_ROUND_UP(p->n_svc, TORFW_HITS_CHUNK);

	if (!chunks)
		return 0;
	p->hits = kcalloc(chunks, sizeof(*p->hits), TORFW_GFP_LOAD);
	if (!p->hits)
		return -ENOMEM;
	for (i = 0; i < chunks; i++) {
		p->hits[i] = __alloc_percpu_gfp(TORFW_HITS_CHUNK * sizeof(u64),
						sizeof(u64), TORFW_GFP_LOAD);
		if (!p->hits[i])
			return -ENOMEM;
	}
	return 0;
}

void torfw_policy_free(struct torfw_policy *p)
{
	u32 i;

	if (!p)
		return;
	if (p->hits) {
		for (i = 0; i < DIV_ROUND_UP(p->n_svc, TORFW_HITS_CHUNK); i++)
			free_percpu(p->hits[i]);
		kfree(p->hits);
	}
	for (i = 0; i < __TORFW_ROLE_KIND_MAX; i++)
		kvfree(p->role[i]);
	kvfree(p->svc);
	kvfree(p->uids);
	kvfree(p->svc_ns);
	kvfree(p->lan);
	kvfree(p->lan_in);
	kvfree(p->refuse);
	kvfree(p->refuse_in);
	kvfree(p->grant);
	kfree(p);
	atomic_dec(&torfw_objects);
}

/*
 * Compiles the builder's elements into a policy. Consumes part of the
 * builder (arrays are moved, not copied); the caller frees it afterwards
 * either way. Returns ERR_PTR with extack set on invalid input.
 */
struct torfw_policy *torfw_policy_build(struct torfw_builder *b,
					struct netlink_ext_ack *extack)
{
	struct torfw_policy *p;
	int ret;

	p = kzalloc(sizeof(*p), TORFW_GFP_LOAD);
	if (!p)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&torfw_objects);
	if (b->have_opt) {
		p->opt = b->opt;
	} else {
		p->opt.nosock = TORFW_NOSOCK_LOOPBACK;
		p->opt.log_rate = 10;
		p->opt.log_burst = 20;
	}
	ret = build_roles(p, b, extack);
	if (!ret)
		ret = build_services(p, b, extack);
	if (!ret)
		ret = build_lan(p, b, extack);
	if (!ret)
		ret = build_refuse(p, b, extack);
	if (!ret)
		ret = build_grants(p, b, extack);
	if (!ret)
		ret = build_redirects(p, b, extack);
	if (!ret)
		ret = alloc_hits(p);
	if (ret) {
		torfw_policy_free(p);
		return ERR_PTR(ret);
	}
	return p;
}

/* Lookups */

bool torfw_uid_in(const u32 *set, u32 n, u32 uid)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (set[mid] == uid)
			return true;
		if (set[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool torfw_has_role(const struct torfw_policy *p, u8 kind, u32 uid)
{
	return torfw_uid_in(p->role[kind], p->n_role[kind], uid);
}

static const struct torfw_svc *svc_find_exact(const struct torfw_policy *p,
					      u8 family, u8 proto,
					      const union nf_inet_addr *addr,
					      u16 port)
{
	u32 lo = 0, hi = p->n_svc;
	const struct torfw_svc *s;

	/* Find the last entry whose (key, port_lo) is <= (key, port). */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c;

		s = &p->svc[mid];
		c = svc_key_cmp(family, proto, addr, s);
		if (c > 0 || (!c && s->port_lo <= port))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &p->svc[lo - 1];
	if (svc_key_cmp(family, proto, addr, s) || port > s->port_hi)
		return NULL;
	return s;
}

const struct torfw_svc *torfw_svc_find(const struct torfw_policy *p,
				       u8 family, u8 proto,
				       const union nf_inet_addr *addr,
				       u16 port)
{
	static const union nf_inet_addr any;
	const struct torfw_svc *s;

	s = svc_find_exact(p, family, proto, addr, port);
	if (!s && !addr_is_zero(addr))
		s = svc_find_exact(p, family, proto, &any, port);
	return s;
}

static bool svc_has_ns(const struct torfw_policy *p,
		       const struct torfw_svc *s, u64 cookie)
{
	u32 i;

	for (i = 0; i < s->n_ns; i++)
		if (p->svc_ns[s->ns_off + i].cookie == cookie)
			return true;
	return false;
}

bool torfw_ns_granted(const struct torfw_policy *p, u64 cookie)
{
	u32 lo = 0, hi = p->n_grant;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (p->grant[mid].cookie == cookie)
			return true;
		if (p->grant[mid].cookie < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool in_lan(const struct torfw_policy *p, __be32 addr)
{
	u32 a = ntohl(addr), lo = 0, hi = p->n_lan;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (a < p->lan[mid].lo)
			hi = mid;
		else if (a > p->lan[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool lan_refused(const struct torfw_policy *p, u8 proto, u16 port)
{
	u32 lo = 0, hi = p->n_refuse;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct torfw_portrange *r = &p->refuse[mid];

		if (proto < r->proto || (proto == r->proto && port < r->lo))
			hi = mid;
		else if (proto > r->proto || port > r->hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool redir_hit(const struct torfw_redir *r, __be32 addr, u16 port)
{
	return (addr & r->mask) == r->addr && (!r->port || r->port == port);
}

const struct torfw_redir *torfw_redir_match(const struct torfw_policy *p,
					    u8 proto, __be32 daddr,
					    u16 dport)
{
	u32 i;

	for (i = 0; i < p->n_redir; i++) {
		const struct torfw_redir *r = &p->redir[i];

		if (r->proto == proto && redir_hit(r, daddr, dport))
			return r;
	}
	return NULL;
}

/* Whether a loopback packet belongs to a flow that a redirect rewrites. */
bool torfw_redir_involves(const struct torfw_policy *p, u8 proto,
			  __be32 saddr, __be32 daddr, u16 sport, u16 dport)
{
	u32 i;

	for (i = 0; i < p->n_redir; i++) {
		const struct torfw_redir *r = &p->redir[i];

		if (r->proto != proto)
			continue;
		if (redir_hit(r, daddr, dport) || redir_hit(r, saddr, sport) ||
		    sport == r->to_port || dport == r->to_port)
			return true;
	}
	return false;
}

void torfw_policy_hit(const struct torfw_policy *p, s32 svc)
{
	if (svc < 0 || !p->hits)
		return;
	this_cpu_inc(p->hits[svc / TORFW_HITS_CHUNK][svc % TORFW_HITS_CHUNK]);
}

u64 torfw_policy_hits(const struct torfw_policy *p, u32 svc)
{
	u64 sum = 0;
	int cpu;

	if (svc >= p->n_svc)
		return 0;
	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(p->hits[svc / TORFW_HITS_CHUNK],
				   cpu)[svc % TORFW_HITS_CHUNK];
	return sum;
}

/* The decision function */

static bool is_icmp(const struct torfw_facts *f)
{
	return f->proto == (f->family == AF_INET ? IPPROTO_ICMP :
			    IPPROTO_ICMPV6);
}

/* Rule 2: destination on the loopback device. */
static u8 decide_loopback(const struct torfw_policy *p,
			  const struct torfw_facts *f,
			  struct torfw_decision *d)
{
	const struct torfw_svc *s = NULL;

	if (f->ports)
		s = torfw_svc_find(p, f->family, f->proto, &f->daddr, f->dport);
	if (s) {
		const u32 *u = p->uids + s->uid_off;

		d->service = s - p->svc;
		if (torfw_uid_in(u, s->n_allow, f->uid))
			return TORFW_R_SERVICE;
		if (torfw_uid_in(u + s->n_allow, s->n_drop, f->uid))
			return TORFW_R_SERVICE_DROP;
		return TORFW_R_LOOPBACK;
	}
	/* Rule 4, loopback part: Tor answers its clients (e.g. DNSPort). */
	if (f->family == AF_INET && torfw_has_role(p, TORFW_ROLE_TOR, f->uid))
		return TORFW_R_TOR_LOOPBACK;
	return TORFW_R_LOOPBACK;
}

static u8 decide_out(const struct torfw_policy *p,
		     const struct torfw_facts *f, struct torfw_decision *d)
{
	bool tcp = f->proto == IPPROTO_TCP;
	bool dns = f->ports && f->proto == IPPROTO_UDP && f->dport == 53;

	if (!p)
		return f->lo ? TORFW_R_NOPOLICY_LOOPBACK : TORFW_R_NO_POLICY;
	switch (f->ct) {
	case TORFW_CT_INVALID:
		/* Untranslated packets of a NAT'd flow: the classic leak. */
		return TORFW_R_INVALID;
	case TORFW_CT_ESTABLISHED:
		return TORFW_R_ESTABLISHED;
	case TORFW_CT_RELATED:
		/* Only so that a refused local connect fails fast. */
		return f->lo && is_icmp(f) ? TORFW_R_RELATED_LOOPBACK :
					     TORFW_R_RELATED;
	default:
		break;
	}
	/*
	 * Untracked TCP on loopback: the stack sends a segment other than a
	 * SYN only on a connection whose SYN (ours or the peer's) passed
	 * these hooks, so the socket answers "established" without conntrack
	 * (local services' replies). Off loopback every segment meets the
	 * policy again: a TCP_REPAIR socket sends data with no SYN at all,
	 * and still does once closed, so a closed socket's segments are
	 * refused as packets without an owner.
	 */
	if (f->lo && f->stream && tcp && f->ports && !f->tcp_syn)
		return TORFW_R_ESTABLISHED;
	if (!f->has_uid) {
		if (f->lo)
			return TORFW_R_NOSOCK_LOOPBACK;
		if (p->opt.nosock == TORFW_NOSOCK_ACCEPT)
			return TORFW_R_NOSOCK_ACCEPT;
		return TORFW_R_NOSOCK;
	}
	if (f->fragment)
		return TORFW_R_FRAGMENT;
	if (f->lo)
		return decide_loopback(p, f, d);
	if (f->family != AF_INET)
		return TORFW_R_IPV6;
	if ((tcp || dns) && torfw_has_role(p, TORFW_ROLE_CLEARNET, f->uid))
		return TORFW_R_CLEARNET;
	if ((tcp || dns) && torfw_has_role(p, TORFW_ROLE_TOR, f->uid))
		return TORFW_R_TOR;
	if (in_lan(p, f->daddr.ip)) {
		/* LAN DNS could reveal the public address. */
		if (f->ports && lan_refused(p, f->proto, f->dport))
			return TORFW_R_LAN_REFUSED;
		return TORFW_R_LAN;
	}
	return tcp ? TORFW_R_INTERNET_TCP : TORFW_R_INTERNET_NON_TCP;
}

static u8 decide_in(const struct torfw_policy *p,
		    const struct torfw_facts *f, struct torfw_decision *d)
{
	const struct torfw_svc *s;

	/* The outbound allow-list already decided what reaches loopback. */
	if (f->lo)
		return TORFW_R_INBOUND_LOOPBACK;
	if (!p)
		return TORFW_R_NO_POLICY;
	switch (f->ct) {
	case TORFW_CT_INVALID:
		return TORFW_R_INVALID;
	case TORFW_CT_ESTABLISHED:
		return TORFW_R_ESTABLISHED;
	case TORFW_CT_RELATED:
		return TORFW_R_RELATED;
	default:
		break;
	}
	if (f->sock_match)
		return TORFW_R_ESTABLISHED;
	if (f->from_ns && f->ports && !f->fragment) {
		s = torfw_svc_find(p, f->family, f->proto, &f->daddr, f->dport);
		if (s && svc_has_ns(p, s, f->from_ns)) {
			d->service = s - p->svc;
			return TORFW_R_GRANT_SERVICE;
		}
	}
	return TORFW_R_INBOUND;
}

static u8 decide_forward(const struct torfw_policy *p,
			 const struct torfw_facts *f)
{
	if (!p)
		return TORFW_R_NO_POLICY;
	switch (f->ct) {
	case TORFW_CT_INVALID:
		return TORFW_R_INVALID;
	case TORFW_CT_ESTABLISHED:
		/* Only flows of granted namespaces are tracked here. */
		return TORFW_R_ESTABLISHED;
	case TORFW_CT_RELATED:
		return TORFW_R_RELATED;
	default:
		break;
	}
	if (f->ct == TORFW_CT_NEW && f->family == AF_INET && f->from_ns &&
	    (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) &&
	    !ipv4_is_loopback(f->daddr.ip) &&
	    torfw_ns_granted(p, f->from_ns))
		return TORFW_R_GRANT_FORWARD;
	return TORFW_R_FORWARD;
}

/*
 * Frames leaving a device: those of the IP stack already passed LOCAL_OUT
 * or FORWARD (and ARP carries nothing of ours); a packet socket could
 * send anything, so only the uids with the packet role may (DHCP).
 */
static u8 decide_frame(const struct torfw_policy *p,
		       const struct torfw_facts *f)
{
	if (f->packet_sock)
		return p && f->has_uid &&
		       torfw_has_role(p, TORFW_ROLE_PACKET, f->uid) ?
		       TORFW_R_PACKET_ROLE : TORFW_R_PACKET;
	return f->frame_ip ? TORFW_R_FRAME_IP : TORFW_R_PACKET;
}

static u8 decide(const struct torfw_policy *p, const struct torfw_facts *f,
		 struct torfw_decision *d)
{
	/*
	 * Other namespaces reach the world only through a veth into the
	 * initial one, whose hooks apply the policy; a physical device moved
	 * into a namespace would bypass that, so nothing else passes there.
	 */
	if (!f->init_net)
		return f->link_ok ? TORFW_R_NETNS_LINK : TORFW_R_NETNS_DEVICE;
	switch (f->hook) {
	case TORFW_HOOK_OUT:
		return decide_out(p, f, d);
	case TORFW_HOOK_IN:
		return decide_in(p, f, d);
	case TORFW_HOOK_FRAME:
		return decide_frame(p, f);
	default:
		return decide_forward(p, f);
	}
}

/*
 * The whole policy of DESIGN.md section 2 as a function of facts. p is
 * NULL when no policy is loaded: then only loopback passes. The reason
 * determines the verdict: refusals of locally generated packets are
 * rejected (the program learns at once), other refusals dropped.
 */
void torfw_decide(const struct torfw_policy *p, const struct torfw_facts *f,
		  struct torfw_decision *d)
{
	d->service = -1;
	d->reason = decide(p, f, d);
	switch (torfw_reason_kind[d->reason]) {
	case TORFW_RK_ACCEPT:
		d->verdict = TORFW_ACCEPT;
		break;
	case TORFW_RK_REFUSE:
		d->verdict = f->hook == TORFW_HOOK_OUT ? TORFW_REJECT :
							 TORFW_DROP;
		break;
	default:
		d->verdict = TORFW_DROP;
		break;
	}
}

/* Comparing policies, for the lock */

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
			if (!lan_refused(new, r->proto, port))
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
	if (addr_is_zero(&s->addr)) {
		o = svc_find_exact(old, s->family, s->proto, &s->addr, port);
		return o && (ns ? svc_has_ns(old, o, ns) :
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

#if IS_ENABLED(CONFIG_TORFW_KUNIT_TEST)
#include "tests/policy_test.c"
#endif
