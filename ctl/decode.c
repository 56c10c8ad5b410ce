// SPDX-License-Identifier: GPL-2.0
/* Replies -> structs: strictly validated, unknown attributes skipped. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode_int.h"

const enum mnl_attr_data_type decode_top_spec[TORFW_A_MAX + 1] = {
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
		int r = check(a, decode_top_spec, NSPEC(decode_top_spec));

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
		int r = check(a, decode_top_spec, NSPEC(decode_top_spec));

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
	case TORFW_EV_CGROUP:
		snprintf(ev->cgroup, sizeof(ev->cgroup), "%s",
			 mnl_attr_get_str(a));
		ev->has_cgroup = true;
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
		[TORFW_EV_CGROUP] = MNL_TYPE_NUL_STRING,
	};
	const struct nlattr *a, *x;
	bool found = false;
	int ret;

	if (!genl_ok(nlh))
		return bad(why, "short generic netlink message");
	memset(ev, 0, sizeof(*ev));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		int r = check(a, decode_top_spec, NSPEC(decode_top_spec));

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
