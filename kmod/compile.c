// SPDX-License-Identifier: GPL-2.0
/*
 * Compiling a builder into the immutable policy object: checks across
 * elements (duplicates, overlaps, conflicts), then sorted arrays that
 * decide.c searches in logarithmic time. The sort keys are the lookups'
 * own (policy.h), so both sides agree on the order.
 */

#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/percpu.h>
#include <linux/netlink.h>

#include "builder.h"

static int u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static int svc_cmp(const void *a, const void *b)
{
	const struct torfw_svc *x = a, *y = b;
	int c = torfw_svc_key_cmp(x->family, x->proto, &x->addr, y);

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

static int u16_cmp(const void *a, const void *b)
{
	u16 x = *(const u16 *)a, y = *(const u16 *)b;

	return x < y ? -1 : x > y;
}

/* Sorts a cgroup index list; true if it holds a duplicate. */
static bool sort_cg(u16 *c, u32 n)
{
	u32 i;

	sort(c, n, sizeof(*c), u16_cmp, NULL);
	for (i = 1; i < n; i++)
		if (c[i] == c[i - 1])
			return true;
	return false;
}

static bool cg_list_has(const u16 *c, u32 n, u16 x)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (c[i] == x)
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

static int build_role_cgroups(struct torfw_policy *p, struct torfw_builder *b,
			      struct netlink_ext_ack *extack)
{
	const struct role_cg_elem *r = b->role_cg.data;
	u32 i, k;

	p->n_cg = b->cgroups.n;
	p->cg = b->cgroups.data;
	b->cgroups.data = NULL;
	for (i = 0; i < b->role_cg.n; i++)
		p->n_role_cg[r[i].kind]++;
	for (k = 1; k < __TORFW_ROLE_KIND_MAX; k++) {
		if (!p->n_role_cg[k])
			continue;
		p->role_cg[k] = kvmalloc_array(p->n_role_cg[k], sizeof(u16),
					       TORFW_GFP_LOAD);
		if (!p->role_cg[k])
			return -ENOMEM;
		p->n_role_cg[k] = 0;
	}
	for (i = 0; i < b->role_cg.n; i++)
		p->role_cg[r[i].kind][p->n_role_cg[r[i].kind]++] = r[i].cg;
	for (k = 1; k < __TORFW_ROLE_KIND_MAX; k++) {
		if (sort_cg(p->role_cg[k], p->n_role_cg[k])) {
			NL_SET_ERR_MSG(extack, "cgroup given twice for one role");
			return -EEXIST;
		}
	}
	return 0;
}

static int check_service_cgroups(const struct torfw_policy *p,
				 const struct torfw_svc *s,
				 struct netlink_ext_ack *extack)
{
	u16 *c = p->svc_cg + s->cg_off;
	u32 j;

	if (sort_cg(c, s->n_allow_cg) ||
	    sort_cg(c + s->n_allow_cg, s->n_drop_cg)) {
		NL_SET_ERR_MSG(extack, "cgroup listed twice in one service");
		return -EEXIST;
	}
	for (j = 0; j < s->n_drop_cg; j++) {
		if (cg_list_has(c, s->n_allow_cg, c[s->n_allow_cg + j])) {
			NL_SET_ERR_MSG(extack, "cgroup both allowed and dropped");
			return -EEXIST;
		}
	}
	return 0;
}

static int build_services(struct torfw_policy *p, struct torfw_builder *b,
			  struct netlink_ext_ack *extack)
{
	u32 i, j;
	int ret;

	p->n_svc = b->svc.n;
	p->svc = b->svc.data;
	b->svc.data = NULL;
	p->n_uids = b->uids.n;
	p->uids = b->uids.data;
	b->uids.data = NULL;
	p->n_svc_ns = b->svc_ns.n;
	p->svc_ns = b->svc_ns.data;
	b->svc_ns.data = NULL;
	p->n_svc_cg = b->svc_cg.n;
	p->svc_cg = b->svc_cg.data;
	b->svc_cg.data = NULL;

	sort(p->svc, p->n_svc, sizeof(*p->svc), svc_cmp, NULL);
	for (i = 0; i < p->n_svc; i++) {
		struct torfw_svc *s = &p->svc[i];
		u32 *u = p->uids + s->uid_off;

		if (i && !torfw_svc_key_cmp(s->family, s->proto, &s->addr, s - 1) &&
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
		ret = check_service_cgroups(p, s, extack);
		if (ret)
			return ret;
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
		p->lan_in[i].hi = l[i].addr | ~torfw_prefix_mask(l[i].len);
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

static int u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Every namespace some service names, once: their flows are tracked. */
static int build_served(struct torfw_policy *p)
{
	u32 i, n = 0;

	if (!p->n_svc_ns)
		return 0;
	p->served = kvmalloc_array(p->n_svc_ns, sizeof(*p->served),
				   TORFW_GFP_LOAD);
	if (!p->served)
		return -ENOMEM;
	for (i = 0; i < p->n_svc_ns; i++)
		p->served[i] = p->svc_ns[i].cookie;
	sort(p->served, p->n_svc_ns, sizeof(*p->served), u64_cmp, NULL);
	for (i = 0; i < p->n_svc_ns; i++)
		if (!n || p->served[i] != p->served[n - 1])
			p->served[n++] = p->served[i];
	p->n_served = n;
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
	for (i = 0; i < __TORFW_ROLE_KIND_MAX; i++) {
		kvfree(p->role[i]);
		kvfree(p->role_cg[i]);
	}
	kvfree(p->cg);
	kvfree(p->svc_cg);
	kvfree(p->svc);
	kvfree(p->uids);
	kvfree(p->svc_ns);
	kvfree(p->lan);
	kvfree(p->lan_in);
	kvfree(p->refuse);
	kvfree(p->refuse_in);
	kvfree(p->grant);
	kvfree(p->served);
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
		p->opt.log_rate = TORFW_LOG_RATE_DEFAULT;
		p->opt.log_burst = TORFW_LOG_BURST_DEFAULT;
	}
	ret = build_roles(p, b, extack);
	if (!ret)
		ret = build_role_cgroups(p, b, extack);
	if (!ret)
		ret = build_services(p, b, extack);
	if (!ret)
		ret = build_lan(p, b, extack);
	if (!ret)
		ret = build_refuse(p, b, extack);
	if (!ret)
		ret = build_grants(p, b, extack);
	if (!ret)
		ret = build_served(p);
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
