// SPDX-License-Identifier: GPL-2.0
/*
 * struct tf_policy -> the module's struct torfw_policy, through the
 * module's builder: the same checks and the same compiled arrays as a
 * load, without the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kpolicy.h"
#include "netns.h"
#include "../kmod/policy.h"

uint64_t kp_ns_cookie(struct kp_nstab *t, const char *name, bool add)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->names[i], name))
			return i + 2;
	if (!add || strlen(name) >= sizeof(*t->names))
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char (*n)[TORFW_NS_NAME_MAX + 16] = reallocarray(t->names, cap,
								 sizeof(*n));

		if (!n)
			return 0;
		t->names = n;
		t->cap = cap;
	}
	snprintf(t->names[t->n], sizeof(*t->names), "%s", name);
	return ++t->n + 1;
}

const char *kp_ns_name(const struct kp_nstab *t, uint64_t cookie)
{
	return cookie >= 2 && cookie - 2 < t->n ? t->names[cookie - 2] : NULL;
}

void kp_nstab_free(struct kp_nstab *t)
{
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/*
 * The kernel knows a namespace by its cookie: one a loaded policy names
 * that the name no longer leads to (deleted, perhaps made again since)
 * is another namespace, "NAME/gone", which no file and no --netns NAME
 * can mean ('/' is in no namespace name). One that cannot be checked
 * (no CAP_SYS_ADMIN to enter it) is "NAME/unverified", with a warning:
 * another namespace too, so that a change cannot hide behind it.
 */
static int ns_of(struct kp_nstab *t, const struct tf_netns *in,
		 struct torfw_ns *out)
{
	char label[TORFW_NS_NAME_MAX + 16];

	memset(out, 0, sizeof(*out));
	snprintf(label, sizeof(label), "%s", in->name);
	if (in->cookie) {
		uint64_t live;
		int err = netns_live_cookie(in->name, &live);

		if (err == -ENOENT || (!err && live != in->cookie)) {
			snprintf(label, sizeof(label), "%s/gone", in->name);
		} else if (err) {
			snprintf(label, sizeof(label), "%s/unverified",
				 in->name);
			if (!kp_ns_cookie(t, label, false))
				fprintf(stderr, "torfwctl: warning: cannot tell whether namespace '%s' is still the one the active policy holds (%s): taken as another, '%s'\n",
					in->name, strerror(-err), label);
		}
	}
	out->cookie = kp_ns_cookie(t, label, true);
	snprintf(out->name, sizeof(out->name), "%s", in->name);
	return out->cookie ? 0 : -ENOMEM;
}

/*
 * The builder's index of every cgroup of pol, a file's or a decoded one
 * alike: the principal is its path, nothing is resolved.
 */
static int add_cgroups(struct torfw_builder *b, const struct tf_policy *pol,
		       u16 *idx, struct netlink_ext_ack *extack)
{
	size_t i;

	for (i = 0; i < pol->ncgroups; i++) {
		int ret = torfw_builder_add_cgroup(b, pol->cgroups[i].path,
						   extack);

		if (ret < 0)
			return ret;
		idx[i] = (u16)ret;
	}
	return 0;
}

static int add_service(struct torfw_builder *b, struct kp_nstab *t,
		       const struct tf_service *s, const u16 *cg,
		       struct netlink_ext_ack *extack)
{
	u16 allow[TORFW_MAX_SERVICE_CGROUPS], drop[TORFW_MAX_SERVICE_CGROUPS];
	struct torfw_ns ns[TORFW_MAX_SERVICE_NS];
	struct torfw_svc_spec spec;
	unsigned int i;

	memset(&spec, 0, sizeof(spec));
	memcpy(&spec.addr, s->addr, s->family == AF_INET ? 4 : 16);
	spec.family = s->family;
	spec.proto = s->proto;
	spec.port_lo = s->lo;
	spec.port_hi = s->hi;
	spec.n_allow = s->nuids;
	spec.allow = s->uids;
	spec.n_drop = s->ndrops;
	spec.drop = s->drops;
	for (i = 0; i < s->ncg && i < TORFW_MAX_SERVICE_CGROUPS; i++)
		allow[i] = cg[s->cg[i]];
	spec.n_allow_cg = i;
	spec.allow_cg = allow;
	for (i = 0; i < s->ndrop_cg && i < TORFW_MAX_SERVICE_CGROUPS; i++)
		drop[i] = cg[s->drop_cg[i]];
	spec.n_drop_cg = i;
	spec.drop_cg = drop;
	for (i = 0; i < s->nnetns && i < TORFW_MAX_SERVICE_NS; i++) {
		int ret = ns_of(t, &s->netns[i], &ns[i]);

		if (ret)
			return ret;
	}
	spec.n_ns = i;
	spec.ns = ns;
	return torfw_builder_add_service(b, &spec, extack);
}

static int add_all(struct torfw_builder *b, const struct tf_policy *pol,
		   struct kp_nstab *t, struct netlink_ext_ack *extack)
{
	struct torfw_options opt = {
		.nosock = pol->opt.nosock,
		.kernel = pol->opt.kernel,
		.log_rate = pol->opt.log_rate,
		.log_burst = pol->opt.log_burst,
		.flags = pol->opt.flags,
	};
	u16 cg[TORFW_MAX_CGROUPS];
	size_t i;
	int ret;

	ret = torfw_builder_set_options(b, &opt, extack);
	if (!ret)
		ret = add_cgroups(b, pol, cg, extack);
	for (i = 0; !ret && i < pol->nroles; i++) {
		const struct tf_role *r = &pol->roles[i];

		ret = r->is_cg ?
		      torfw_builder_add_role_cgroup(b, r->kind, cg[r->cg],
						    extack) :
		      torfw_builder_add_role(b, r->kind, r->uid, extack);
	}
	for (i = 0; !ret && i < pol->nservices; i++)
		ret = add_service(b, t, &pol->services[i], cg, extack);
	for (i = 0; !ret && i < pol->nlan; i++) {
		__be32 a;

		memcpy(&a, pol->lan[i].addr, 4);
		ret = torfw_builder_add_lan(b, AF_INET, a, pol->lan[i].len,
					    extack);
	}
	for (i = 0; !ret && i < pol->nlan_refuse; i++)
		ret = torfw_builder_add_lan_refuse(b, pol->lan_refuse[i].proto,
						   pol->lan_refuse[i].lo,
						   pol->lan_refuse[i].hi,
						   extack);
	for (i = 0; !ret && i < pol->ngrants; i++) {
		struct torfw_ns ns;

		ret = ns_of(t, &pol->grants[i], &ns);
		if (!ret)
			ret = torfw_builder_add_grant(b, &ns, extack);
	}
	for (i = 0; !ret && i < pol->nredirects; i++) {
		const struct tf_redirect *r = &pol->redirects[i];
		struct torfw_redir kr = {
			.kind = r->kind,
			.prefixlen = r->plen,
			.port = r->port,
			.to_port = r->to_port,
		};

		memcpy(&kr.addr, r->addr, 4);
		ret = torfw_builder_add_redirect(b, &kr, extack);
	}
	return ret;
}

struct torfw_policy *kp_build(const struct tf_policy *pol,
			      struct kp_nstab *t, char *msg, size_t size)
{
	struct netlink_ext_ack extack = { 0 };
	struct torfw_builder *b = torfw_builder_new();
	struct torfw_policy *p = NULL;
	int ret = b ? 0 : -ENOMEM;

	if (!ret)
		ret = add_all(b, pol, t, &extack);
	if (!ret) {
		p = torfw_policy_build(b, &extack);
		if (IS_ERR(p)) {
			ret = (int)PTR_ERR(p);
			p = NULL;
		}
	}
	torfw_builder_free(b);
	if (ret)
		snprintf(msg, size, "%s", extack._msg ? extack._msg :
			 strerror(-ret));
	return p;
}

void kp_free(struct torfw_policy *p)
{
	torfw_policy_free(p);
}
