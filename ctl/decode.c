// SPDX-License-Identifier: GPL-2.0
/* Kernel messages -> structs, strictly validated, unknown attributes skipped. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"

#define NSPEC(a) (sizeof(a) / sizeof((a)[0]))

/* 1: known and valid, 0: unknown (skip it), -1: malformed. */
static int check(const struct nlattr *a, const enum mnl_attr_data_type *spec,
		 size_t nspec)
{
	uint16_t type = mnl_attr_get_type(a);

	if (type >= nspec || spec[type] == MNL_TYPE_UNSPEC)
		return 0;
	return mnl_attr_validate(a, spec[type]) < 0 ? -1 : 1;
}

static int bad(const char **why, const char *what)
{
	*why = what;
	return -EBADMSG;
}

static int unsupported(const char **why, const char *what)
{
	*why = what;
	return -EOPNOTSUPP;
}

static bool genl_ok(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN;
}

static const enum mnl_attr_data_type top_spec[TORFW_A_MAX + 1] = {
	[TORFW_A_GENERATION] = MNL_TYPE_U64,
	[TORFW_A_FLAGS] = MNL_TYPE_U32,
	[TORFW_A_VERSION] = MNL_TYPE_NUL_STRING,
	[TORFW_A_SERVICE_COUNT] = MNL_TYPE_U32,
	[TORFW_A_OPTIONS] = MNL_TYPE_NESTED,
	[TORFW_A_ROLE] = MNL_TYPE_NESTED,
	[TORFW_A_SERVICE] = MNL_TYPE_NESTED,
	[TORFW_A_LAN] = MNL_TYPE_NESTED,
	[TORFW_A_LAN_REFUSE] = MNL_TYPE_NESTED,
	[TORFW_A_GRANT] = MNL_TYPE_NESTED,
	[TORFW_A_REDIRECT] = MNL_TYPE_NESTED,
	[TORFW_A_COUNTER] = MNL_TYPE_NESTED,
	[TORFW_A_EVENT] = MNL_TYPE_NESTED,
};

int decode_family(const struct nlmsghdr *nlh, struct tf_family *fam,
		  const char **why)
{
	static const enum mnl_attr_data_type spec[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = MNL_TYPE_U16,
		[CTRL_ATTR_VERSION] = MNL_TYPE_U32,
		[CTRL_ATTR_MCAST_GROUPS] = MNL_TYPE_NESTED,
	};
	static const enum mnl_attr_data_type gspec[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME] = MNL_TYPE_NUL_STRING,
		[CTRL_ATTR_MCAST_GRP_ID] = MNL_TYPE_U32,
	};
	const struct nlattr *a, *g, *x;
	bool have_id = false;

	if (!genl_ok(nlh))
		return bad(why, "short generic netlink message");
	memset(fam, 0, sizeof(*fam));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		int r = check(a, spec, NSPEC(spec));

		if (r < 0)
			return bad(why, "malformed family attribute");
		if (!r)
			continue;
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			fam->id = mnl_attr_get_u16(a);
			have_id = true;
			break;
		case CTRL_ATTR_VERSION:
			fam->version = mnl_attr_get_u32(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a) {
				const char *name = NULL;
				uint32_t id = 0;

				mnl_attr_for_each_nested(x, g) {
					r = check(x, gspec, NSPEC(gspec));
					if (r < 0)
						return bad(why, "malformed multicast group");
					if (r && mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_NAME)
						name = mnl_attr_get_str(x);
					else if (r)
						id = mnl_attr_get_u32(x);
				}
				if (name && !strcmp(name, TORFW_MCGRP_EVENTS))
					fam->events_group = id;
			}
			break;
		}
	}
	return have_id ? 0 : bad(why, "family without id");
}

int decode_status(const struct nlmsghdr *nlh, struct tf_status *st,
		  const char **why)
{
	const struct nlattr *a;
	bool have_gen = false;

	if (!genl_ok(nlh))
		return bad(why, "short generic netlink message");
	memset(st, 0, sizeof(*st));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		int r = check(a, top_spec, NSPEC(top_spec));

		if (r < 0)
			return bad(why, "malformed status attribute");
		if (!r)
			continue;
		switch (mnl_attr_get_type(a)) {
		case TORFW_A_GENERATION:
			st->generation = mnl_attr_get_u64(a);
			have_gen = true;
			break;
		case TORFW_A_FLAGS:
			st->flags = mnl_attr_get_u32(a);
			break;
		case TORFW_A_VERSION:
			snprintf(st->version, sizeof(st->version), "%s",
				 mnl_attr_get_str(a));
			break;
		case TORFW_A_SERVICE_COUNT:
			st->services = mnl_attr_get_u32(a);
			st->has_services = true;
			break;
		}
	}
	return have_gen ? 0 : bad(why, "status without generation");
}

static int dec_options(const struct nlattr *nest, struct tf_options *o,
		       const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_OPT_MAX + 1] = {
		[TORFW_OPT_NOSOCK] = MNL_TYPE_U8,
		[TORFW_OPT_LOG_RATE] = MNL_TYPE_U32,
		[TORFW_OPT_LOG_BURST] = MNL_TYPE_U32,
		[TORFW_OPT_FLAGS] = MNL_TYPE_U32,
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

static int dec_role(const struct nlattr *nest, struct tf_policy *pol,
		    const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_ROLE_MAX + 1] = {
		[TORFW_ROLE_KIND] = MNL_TYPE_U8,
		[TORFW_ROLE_UID] = MNL_TYPE_U32,
	};
	struct tf_role r = { 0 };
	const struct nlattr *a;
	bool have_uid = false;

	mnl_attr_for_each_nested(a, nest) {
		int x = check(a, spec, NSPEC(spec));

		if (x < 0)
			return bad(why, "malformed role");
		if (x && mnl_attr_get_type(a) == TORFW_ROLE_KIND)
			r.kind = mnl_attr_get_u8(a);
		else if (x) {
			r.uid = mnl_attr_get_u32(a);
			have_uid = true;
		}
	}
	if (!have_uid || !r.kind)
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
	}
	return ns->name[0] ? 0 : bad(why, "namespace without name");
}

static bool valid_proto(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static int dec_service_attr(const struct nlattr *a, struct tf_service *s,
			    uint16_t *alen, const char **why)
{
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
		ret = r ? dec_service_attr(a, s, &alen, why) : 0;
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
		int r = check(a, top_spec, NSPEC(top_spec));

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

static int add_svc_counter(struct tf_counters *c, uint32_t index,
			   uint64_t packets)
{
	if (c->nsvc == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct tf_svc_counter *v = realloc(c->svc, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->svc = v;
		c->cap = cap;
	}
	c->svc[c->nsvc].index = index;
	c->svc[c->nsvc].packets = packets;
	c->nsvc++;
	return 0;
}

static int dec_counter(const struct nlattr *nest, struct tf_counters *c,
		       const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_CTR_MAX + 1] = {
		[TORFW_CTR_REASON] = MNL_TYPE_U16,
		[TORFW_CTR_SERVICE] = MNL_TYPE_U32,
		[TORFW_CTR_PACKETS] = MNL_TYPE_U64,
	};
	const struct nlattr *a;
	uint64_t packets = 0;
	uint32_t index = 0;
	int kind = 0;		/* 1 reason, 2 service */
	bool have_packets = false;

	mnl_attr_for_each_nested(a, nest) {
		int r = check(a, spec, NSPEC(spec));

		if (r < 0)
			return bad(why, "malformed counter");
		if (!r)
			continue;
		switch (mnl_attr_get_type(a)) {
		case TORFW_CTR_REASON:
			index = mnl_attr_get_u16(a);
			kind = 1;
			break;
		case TORFW_CTR_SERVICE:
			index = mnl_attr_get_u32(a);
			kind = 2;
			break;
		case TORFW_CTR_PACKETS:
			packets = mnl_attr_get_u64(a);
			have_packets = true;
			break;
		}
	}
	if (!kind || !have_packets)
		return bad(why, "incomplete counter");
	if (kind == 2)
		return add_svc_counter(c, index, packets);
	/* A reason newer than this tool and beyond the table is dropped. */
	if (index < TF_REASONS_MAX) {
		c->reason[index] = packets;
		c->have_reason[index] = true;
	}
	return 0;
}

int decode_counters(const struct nlmsghdr *nlh, struct tf_counters *c,
		    const char **why)
{
	const struct nlattr *a;
	int ret;

	if (!genl_ok(nlh))
		return bad(why, "short generic netlink message");
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		int r = check(a, top_spec, NSPEC(top_spec));

		if (r < 0)
			return bad(why, "malformed stats attribute");
		if (!r)
			continue;
		if (mnl_attr_get_type(a) == TORFW_A_GENERATION) {
			uint64_t gen = mnl_attr_get_u64(a);

			if (c->has_generation && c->generation != gen) {
				*why = "policy replaced during the dump";
				return -EAGAIN;
			}
			c->generation = gen;
			c->has_generation = true;
		} else if (mnl_attr_get_type(a) == TORFW_A_COUNTER) {
			ret = dec_counter(a, c, why);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int dec_event_attr(const struct nlattr *a, struct tf_event *ev,
			  const char **why)
{
	uint16_t len;

	switch (mnl_attr_get_type(a)) {
	case TORFW_EV_REASON:
		ev->reason = mnl_attr_get_u16(a);
		break;
	case TORFW_EV_HOOK:
		ev->hook = mnl_attr_get_u8(a);
		ev->has_hook = true;
		break;
	case TORFW_EV_FAMILY:
		ev->family = mnl_attr_get_u8(a);
		break;
	case TORFW_EV_PROTO:
		ev->proto = mnl_attr_get_u8(a);
		break;
	case TORFW_EV_UID:
		ev->uid = mnl_attr_get_u32(a);
		ev->has_uid = true;
		break;
	case TORFW_EV_PID:
		ev->pid = mnl_attr_get_u32(a);
		ev->has_pid = true;
		break;
	case TORFW_EV_COMM:
		snprintf(ev->comm, sizeof(ev->comm), "%s",
			 mnl_attr_get_str(a));
		ev->has_comm = true;
		break;
	case TORFW_EV_DADDR:
		len = mnl_attr_get_payload_len(a);
		if (len != 4 && len != 16)
			return bad(why, "bad event address length");
		ev->daddr_len = (uint8_t)len;
		memcpy(ev->daddr, mnl_attr_get_payload(a), len);
		ev->has_daddr = true;
		break;
	case TORFW_EV_DPORT:
		ev->dport = mnl_attr_get_u16(a);
		ev->has_dport = true;
		break;
	}
	return 0;
}

int decode_event(const struct nlmsghdr *nlh, struct tf_event *ev,
		 const char **why)
{
	static const enum mnl_attr_data_type spec[TORFW_EV_MAX + 1] = {
		[TORFW_EV_REASON] = MNL_TYPE_U16,
		[TORFW_EV_HOOK] = MNL_TYPE_U8,
		[TORFW_EV_FAMILY] = MNL_TYPE_U8,
		[TORFW_EV_PROTO] = MNL_TYPE_U8,
		[TORFW_EV_UID] = MNL_TYPE_U32,
		[TORFW_EV_PID] = MNL_TYPE_U32,
		[TORFW_EV_COMM] = MNL_TYPE_NUL_STRING,
		[TORFW_EV_DADDR] = MNL_TYPE_BINARY,
		[TORFW_EV_DPORT] = MNL_TYPE_U16,
	};
	const struct nlattr *a, *x;
	bool found = false;
	int ret;

	if (!genl_ok(nlh))
		return bad(why, "short generic netlink message");
	memset(ev, 0, sizeof(*ev));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		int r = check(a, top_spec, NSPEC(top_spec));

		if (r < 0)
			return bad(why, "malformed event attribute");
		if (!r || mnl_attr_get_type(a) != TORFW_A_EVENT)
			continue;
		found = true;
		mnl_attr_for_each_nested(x, a) {
			r = check(x, spec, NSPEC(spec));
			if (r < 0)
				return bad(why, "malformed event");
			ret = r ? dec_event_attr(x, ev, why) : 0;
			if (ret)
				return ret;
		}
	}
	if (!found)
		return bad(why, "incomplete event");
	/* A raw frame (packet socket) has no IP family nor address. */
	if (ev->has_daddr &&
	    !(ev->family == AF_INET && ev->daddr_len == 4) &&
	    !(ev->family == AF_INET6 && ev->daddr_len == 16))
		return bad(why, "event address does not match its family");
	return 0;
}

static int ext_ack_cb(const struct nlattr *a, void *data)
{
	struct tf_nlerr *e = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(e->msg, sizeof(e->msg), "%s",
				 mnl_attr_get_str(a));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
			e->offs = mnl_attr_get_u32(a);
			e->has_offs = true;
		}
		break;
	}
	return MNL_CB_OK;
}

/*
 * NLMSG_ERROR: struct nlmsgerr, the request's header (or, without
 * NETLINK_CAP_ACK, the whole request), then the extended ack attributes.
 * NLMSG_DONE of a dump: an int, then the attributes.
 */
int decode_nlmsgerr(const struct nlmsghdr *nlh, struct tf_nlerr *e)
{
	size_t hlen, plen = mnl_nlmsg_get_payload_len(nlh);
	int error;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (plen < sizeof(int))
			return 0;	/* old kernels: nothing after DONE */
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
		hlen = sizeof(int);
	} else {
		const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

		if (plen < sizeof(*err)) {
			e->error = -EBADMSG;
			return e->error;
		}
		error = err->error;
		hlen = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && error &&
		    err->msg.nlmsg_len > sizeof(struct nlmsghdr))
			hlen += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	e->error = error > 0 ? -error : error;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    MNL_ALIGN(hlen) <= plen)
		mnl_attr_parse(nlh, (unsigned int)hlen, ext_ack_cb, e);
	return e->error;
}
