// SPDX-License-Identifier: GPL-2.0
/*
 * A GET_POLICY dump -> tf_policy. The dump carries the attributes of
 * TORFW_CMD_LOAD; a value this tool cannot represent (a role kind of a
 * newer module) is refused rather than printed wrongly, since show's
 * output must load back as the same policy.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode_int.h"

static int dec_options(const struct nlattr *nest, struct tf_options *o,
		       const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_OPT_MAX + 1] = {
		[TORFW_OPT_NOSOCK] = MNL_TYPE_U8,
		[TORFW_OPT_LOG_RATE] = MNL_TYPE_U32,
		[TORFW_OPT_LOG_BURST] = MNL_TYPE_U32,
		[TORFW_OPT_FLAGS] = MNL_TYPE_U32,
		[TORFW_OPT_KERNEL] = MNL_TYPE_U8,
	};
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		int r = check(a, spec, NSPEC(spec));

		if (r < 0)
			return bad(why, "malformed option");
		if (!r)
			continue;
		switch (mnl_attr_get_type(a)) {
		case TORFW_OPT_NOSOCK:
			o->nosock = mnl_attr_get_u8(a);
			if (o->nosock >= __TORFW_NOSOCK_MAX)
				return unsupported(why, "unknown nosocket mode");
			break;
		case TORFW_OPT_KERNEL:
			o->kernel = mnl_attr_get_u8(a);
			if (o->kernel >= __TORFW_KERNEL_MAX)
				return unsupported(why,
						   "unknown kernel-sockets mode");
			break;
		case TORFW_OPT_LOG_RATE:
			o->log_rate = mnl_attr_get_u32(a);
			break;
		case TORFW_OPT_LOG_BURST:
			o->log_burst = mnl_attr_get_u32(a);
			break;
		case TORFW_OPT_FLAGS:
			o->flags = mnl_attr_get_u32(a);
			if (o->flags & ~(uint32_t)__TORFW_OPT_F_ALL)
				return unsupported(why, "unknown option flag");
			break;
		}
	}
	return 0;
}

/*
 * A cgroup nest -> its index in pol->cgroups. Requests and dumps alike
 * carry the path only: the principal is the path (the UAPI header).
 */
static int dec_cgroup(const struct nlattr *nest, struct tf_policy *pol,
		      uint16_t *idx, const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_CG_MAX + 1] = {
		[TORFW_CG_PATH] = MNL_TYPE_NUL_STRING,
	};
	const struct nlattr *a;
	const char *path = NULL;
	int i;

	mnl_attr_for_each_nested(a, nest) {
		int r = check(a, spec, NSPEC(spec));

		if (r < 0)
			return bad(why, "malformed cgroup");
		if (r && mnl_attr_get_type(a) == TORFW_CG_PATH)
			path = mnl_attr_get_str(a);
	}
	if (!path || cgroup_path_error(path))
		return bad(why, "bad cgroup path");
	i = policy_cgroup(pol, path);
	if (i < 0)
		return bad(why, "too many cgroups");
	*idx = (uint16_t)i;
	return 0;
}

static int dec_role(const struct nlattr *nest, struct tf_policy *pol,
		    const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_ROLE_MAX + 1] = {
		[TORFW_ROLE_KIND] = MNL_TYPE_U8,
		[TORFW_ROLE_UID] = MNL_TYPE_U32,
		[TORFW_ROLE_CGROUP] = MNL_TYPE_NESTED,
	};
	struct tf_role r = { 0 };
	const struct nlattr *a;
	bool have_uid = false;
	int ret;

	mnl_attr_for_each_nested(a, nest) {
		int x = check(a, spec, NSPEC(spec));

		if (x < 0)
			return bad(why, "malformed role");
		if (!x)
			continue;
		switch (mnl_attr_get_type(a)) {
		case TORFW_ROLE_KIND:
			r.kind = mnl_attr_get_u8(a);
			break;
		case TORFW_ROLE_UID:
			if (have_uid || r.is_cg)
				return bad(why, "role of two principals");
			r.uid = mnl_attr_get_u32(a);
			have_uid = true;
			break;
		case TORFW_ROLE_CGROUP:
			if (have_uid || r.is_cg)
				return bad(why, "role of two principals");
			ret = dec_cgroup(a, pol, &r.cg, why);
			if (ret)
				return ret;
			r.is_cg = true;
			break;
		}
	}
	if ((!have_uid && !r.is_cg) || !r.kind)
		return bad(why, "incomplete role");
	if (!role_kind_name(r.kind))
		return unsupported(why, "unknown role kind");
	if (pol->nroles >= TORFW_MAX_ROLES)
		return bad(why, "too many roles");
	pol->roles[pol->nroles++] = r;
	return 0;
}

static int dec_netns(const struct nlattr *nest, struct tf_netns *ns,
		     const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_NS_MAX + 1] = {
		[TORFW_NS_FD] = MNL_TYPE_U32,
		[TORFW_NS_NAME] = MNL_TYPE_NUL_STRING,
		[TORFW_NS_COOKIE] = MNL_TYPE_U64,
	};
	const struct nlattr *a;

	memset(ns, 0, sizeof(*ns));
	mnl_attr_for_each_nested(a, nest) {
		int r = check(a, spec, NSPEC(spec));

		if (r < 0)
			return bad(why, "malformed namespace");
		if (r && mnl_attr_get_type(a) == TORFW_NS_NAME) {
			const char *s = mnl_attr_get_str(a);

			size_t n = strlen(s);

			if (!n || n >= sizeof(ns->name))
				return bad(why, "bad namespace name");
			memcpy(ns->name, s, n + 1);
		}
		if (r && mnl_attr_get_type(a) == TORFW_NS_COOKIE)
			ns->cookie = mnl_attr_get_u64(a);
	}
	return ns->name[0] ? 0 : bad(why, "namespace without name");
}

static bool valid_proto(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static int dec_service_attr(const struct nlattr *a, struct tf_policy *pol,
			    struct tf_service *s, uint16_t *alen,
			    const char **why)
{
	uint16_t cg;
	int ret = 0;

	switch (mnl_attr_get_type(a)) {
	case TORFW_SVC_FAMILY:
		s->family = mnl_attr_get_u8(a);
		break;
	case TORFW_SVC_PROTO:
		s->proto = mnl_attr_get_u8(a);
		break;
	case TORFW_SVC_ADDR:
		*alen = mnl_attr_get_payload_len(a);
		if (*alen != 4 && *alen != 16)
			return bad(why, "bad service address length");
		memcpy(s->addr, mnl_attr_get_payload(a), *alen);
		break;
	case TORFW_SVC_PORT_LO:
		s->lo = mnl_attr_get_u16(a);
		break;
	case TORFW_SVC_PORT_HI:
		s->hi = mnl_attr_get_u16(a);
		break;
	case TORFW_SVC_UID:
	case TORFW_SVC_DROP_UID:
		if (s->nuids + s->ndrops >= TORFW_MAX_SERVICE_UIDS)
			return bad(why, "too many uids in a service");
		if (mnl_attr_get_type(a) == TORFW_SVC_UID)
			s->uids[s->nuids++] = mnl_attr_get_u32(a);
		else
			s->drops[s->ndrops++] = mnl_attr_get_u32(a);
		break;
	case TORFW_SVC_CGROUP:
	case TORFW_SVC_DROP_CGROUP:
		if (s->ncg + s->ndrop_cg >= TORFW_MAX_SERVICE_CGROUPS)
			return bad(why, "too many cgroups in a service");
		ret = dec_cgroup(a, pol, &cg, why);
		if (ret)
			break;
		if (cg_list_has(s->cg, s->ncg, cg) ||
		    cg_list_has(s->drop_cg, s->ndrop_cg, cg))
			return bad(why, "cgroup twice in a service");
		if (mnl_attr_get_type(a) == TORFW_SVC_CGROUP)
			s->cg[s->ncg++] = cg;
		else
			s->drop_cg[s->ndrop_cg++] = cg;
		break;
	case TORFW_SVC_NETNS:
		if (s->nnetns >= TORFW_MAX_SERVICE_NS)
			return bad(why, "too many namespaces in a service");
		ret = dec_netns(a, &s->netns[s->nnetns], why);
		if (!ret)
			s->nnetns++;
		break;
	}
	return ret;
}

static int dec_service(const struct nlattr *nest, struct tf_policy *pol,
		       const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_SVC_MAX + 1] = {
		[TORFW_SVC_FAMILY] = MNL_TYPE_U8,
		[TORFW_SVC_PROTO] = MNL_TYPE_U8,
		[TORFW_SVC_ADDR] = MNL_TYPE_BINARY,
		[TORFW_SVC_PORT_LO] = MNL_TYPE_U16,
		[TORFW_SVC_PORT_HI] = MNL_TYPE_U16,
		[TORFW_SVC_UID] = MNL_TYPE_U32,
		[TORFW_SVC_DROP_UID] = MNL_TYPE_U32,
		[TORFW_SVC_NETNS] = MNL_TYPE_NESTED,
		[TORFW_SVC_CGROUP] = MNL_TYPE_NESTED,
		[TORFW_SVC_DROP_CGROUP] = MNL_TYPE_NESTED,
	};
	struct tf_service *s, *dst;
	const struct nlattr *a;
	uint16_t alen = 0;
	int ret = 0;

	/* Built aside: the policy only grows by complete entries. */
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, nest) {
		int r = check(a, spec, NSPEC(spec));

		if (r < 0) {
			ret = bad(why, "malformed service");
			goto out;
		}
		ret = r ? dec_service_attr(a, pol, s, &alen, why) : 0;
		if (ret)
			goto out;
	}
	if (!s->hi)
		s->hi = s->lo;
	if (!s->lo || s->hi < s->lo || !alen) {
		ret = bad(why, "incomplete service");
		goto out;
	}
	if (!valid_proto(s->proto) ||
	    !((s->family == AF_INET && alen == 4) ||
	      (s->family == AF_INET6 && alen == 16))) {
		ret = unsupported(why, "unknown service family or protocol");
		goto out;
	}
	dst = policy_add_service(pol);
	if (!dst) {
		ret = bad(why, "too many services");
		goto out;
	}
	s->kidx = (uint32_t)(pol->nservices - 1);
	*dst = *s;
out:
	free(s);
	return ret;
}

static int dec_lan(const struct nlattr *nest, struct tf_policy *pol,
		   const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_PFX_MAX + 1] = {
		[TORFW_PFX_FAMILY] = MNL_TYPE_U8,
		[TORFW_PFX_ADDR] = MNL_TYPE_BINARY,
		[TORFW_PFX_LEN] = MNL_TYPE_U8,
	};
	struct tf_prefix p = { 0 };
	const struct nlattr *a;
	uint8_t family = 0;
	bool have_addr = false;

	mnl_attr_for_each_nested(a, nest) {
		int r = check(a, spec, NSPEC(spec));

		if (r < 0)
			return bad(why, "malformed LAN prefix");
		if (!r)
			continue;
		switch (mnl_attr_get_type(a)) {
		case TORFW_PFX_FAMILY:
			family = mnl_attr_get_u8(a);
			break;
		case TORFW_PFX_ADDR:
			if (mnl_attr_get_payload_len(a) != 4)
				return bad(why, "bad LAN prefix address");
			memcpy(p.addr, mnl_attr_get_payload(a), 4);
			have_addr = true;
			break;
		case TORFW_PFX_LEN:
			p.len = mnl_attr_get_u8(a);
			break;
		}
	}
	if (family != AF_INET || !have_addr || p.len > 32)
		return bad(why, "bad LAN prefix");
	if (pol->nlan >= TORFW_MAX_LAN)
		return bad(why, "too many LAN prefixes");
	pol->lan[pol->nlan++] = p;
	return 0;
}

static int dec_lan_refuse(const struct nlattr *nest, struct tf_policy *pol,
			  const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_PORT_MAX + 1] = {
		[TORFW_PORT_PROTO] = MNL_TYPE_U8,
		[TORFW_PORT_LO] = MNL_TYPE_U16,
		[TORFW_PORT_HI] = MNL_TYPE_U16,
	};
	struct tf_portrange r = { 0 };
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		int x = check(a, spec, NSPEC(spec));

		if (x < 0)
			return bad(why, "malformed lan-refuse");
		if (!x)
			continue;
		switch (mnl_attr_get_type(a)) {
		case TORFW_PORT_PROTO:
			r.proto = mnl_attr_get_u8(a);
			break;
		case TORFW_PORT_LO:
			r.lo = mnl_attr_get_u16(a);
			break;
		case TORFW_PORT_HI:
			r.hi = mnl_attr_get_u16(a);
			break;
		}
	}
	if (!r.hi)
		r.hi = r.lo;
	if (!r.lo || r.hi < r.lo)
		return bad(why, "incomplete lan-refuse");
	if (!valid_proto(r.proto))
		return unsupported(why, "unknown lan-refuse protocol");
	if (pol->nlan_refuse >= TORFW_MAX_LAN_REFUSE)
		return bad(why, "too many lan-refuse ports");
	pol->lan_refuse[pol->nlan_refuse++] = r;
	return 0;
}

static int dec_redirect(const struct nlattr *nest, struct tf_policy *pol,
			const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_REDIR_MAX + 1] = {
		[TORFW_REDIR_KIND] = MNL_TYPE_U8,
		[TORFW_REDIR_ADDR] = MNL_TYPE_BINARY,
		[TORFW_REDIR_PREFIXLEN] = MNL_TYPE_U8,
		[TORFW_REDIR_PORT] = MNL_TYPE_U16,
		[TORFW_REDIR_TO_PORT] = MNL_TYPE_U16,
	};
	struct tf_redirect r = { .plen = 32 };
	const struct nlattr *a;
	bool have_addr = false;

	mnl_attr_for_each_nested(a, nest) {
		int x = check(a, spec, NSPEC(spec));

		if (x < 0)
			return bad(why, "malformed redirect");
		if (!x)
			continue;
		switch (mnl_attr_get_type(a)) {
		case TORFW_REDIR_KIND:
			r.kind = mnl_attr_get_u8(a);
			break;
		case TORFW_REDIR_ADDR:
			if (mnl_attr_get_payload_len(a) != 4)
				return bad(why, "bad redirect address");
			memcpy(r.addr, mnl_attr_get_payload(a), 4);
			have_addr = true;
			break;
		case TORFW_REDIR_PREFIXLEN:
			r.plen = mnl_attr_get_u8(a);
			break;
		case TORFW_REDIR_PORT:
			r.port = mnl_attr_get_u16(a);
			break;
		case TORFW_REDIR_TO_PORT:
			r.to_port = mnl_attr_get_u16(a);
			break;
		}
	}
	if (!have_addr || !r.to_port || r.plen < 8 || r.plen > 32)
		return bad(why, "incomplete redirect");
	if (!redirect_kind_name(r.kind))
		return unsupported(why, "unknown redirect kind");
	if (pol->nredirects >= TORFW_MAX_REDIRECTS)
		return bad(why, "too many redirects");
	pol->redirects[pol->nredirects++] = r;
	return 0;
}

int decode_policy(const struct nlmsghdr *nlh, struct tf_policy *pol,
		  const char **why)
{
	const struct nlattr *a;
	uint64_t gen;
	int ret = 0;

	if (!genl_ok(nlh))
		return bad(why, "short generic netlink message");
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		int r = check(a, decode_top_spec, NSPEC(decode_top_spec));

		if (r < 0)
			return bad(why, "malformed policy attribute");
		if (!r)
			continue;
		switch (mnl_attr_get_type(a)) {
		case TORFW_A_GENERATION:
			gen = mnl_attr_get_u64(a);
			if (pol->generation && pol->generation != gen) {
				*why = "policy replaced during the dump";
				return -EAGAIN;
			}
			pol->generation = gen;
			break;
		case TORFW_A_OPTIONS:
			ret = dec_options(a, &pol->opt, why);
			break;
		case TORFW_A_ROLE:
			ret = dec_role(a, pol, why);
			break;
		case TORFW_A_SERVICE:
			ret = dec_service(a, pol, why);
			break;
		case TORFW_A_LAN:
			ret = dec_lan(a, pol, why);
			break;
		case TORFW_A_LAN_REFUSE:
			ret = dec_lan_refuse(a, pol, why);
			break;
		case TORFW_A_GRANT:
			if (pol->ngrants >= TORFW_MAX_GRANTS)
				return bad(why, "too many grants");
			ret = dec_netns(a, &pol->grants[pol->ngrants], why);
			if (!ret)
				pol->ngrants++;
			break;
		case TORFW_A_REDIRECT:
			ret = dec_redirect(a, pol, why);
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

