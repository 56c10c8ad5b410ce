// SPDX-License-Identifier: GPL-2.0
/*
 * Policy -> TORFW_CMD_LOAD messages. Elements are whole nests: one that
 * does not fit the current message starts the next one, so the kernel
 * never sees half an element. The flags attribute comes first in every
 * message and is patched once the number of messages is known.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "encode.h"

struct enc {
	struct tf_batch *b;
	struct nlmsghdr *nlh;
	uint16_t family;
	uint32_t seq;
	uint32_t flags;
	tf_netns_fd_fn netns_fd;
	void *ctx;
	const struct tf_policy *pol;	/* its cgroup table */
};

typedef bool (*put_fn)(struct enc *e, const void *elem);

static int new_msg(struct enc *e)
{
	struct tf_batch *b = e->b;
	struct genlmsghdr *genl;
	struct nlattr *flags;
	struct tf_msg *m;

	if (b->nmsgs == b->msgs_cap) {
		size_t cap = b->msgs_cap ? b->msgs_cap * 2 : 4;

		m = realloc(b->msgs, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		b->msgs = m;
		b->msgs_cap = cap;
	}
	m = &b->msgs[b->nmsgs];
	m->buf = calloc(1, b->msg_max);
	if (!m->buf)
		return -ENOMEM;
	b->nmsgs++;
	e->nlh = mnl_nlmsg_put_header(m->buf);
	e->nlh->nlmsg_type = e->family;
	e->nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	e->nlh->nlmsg_seq = e->seq + (uint32_t)(b->nmsgs - 1);
	genl = mnl_nlmsg_put_extra_header(e->nlh, sizeof(*genl));
	genl->cmd = TORFW_CMD_LOAD;
	genl->version = TORFW_GENL_VERSION;
	flags = mnl_nlmsg_get_payload_tail(e->nlh);
	mnl_attr_put_u32(e->nlh, TORFW_A_FLAGS, e->flags);
	m->flags_off = (size_t)((char *)mnl_attr_get_payload(flags) - m->buf);
	return 0;
}

static int add_ref(struct tf_batch *b, uint32_t start, uint32_t end,
		   const struct tf_loc *loc)
{
	struct tf_elem_ref *r;

	if (b->nrefs == b->refs_cap) {
		size_t cap = b->refs_cap ? b->refs_cap * 2 : 64;

		r = realloc(b->refs, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		b->refs = r;
		b->refs_cap = cap;
	}
	r = &b->refs[b->nrefs++];
	r->msg = b->nmsgs - 1;
	r->start = start;
	r->end = end;
	r->loc = loc;
	return 0;
}

/* Writes one element, in a new message if the current one is full. */
static int put_elem(struct enc *e, put_fn put, const void *elem,
		    const struct tf_loc *loc)
{
	uint32_t start = e->nlh->nlmsg_len;

	if (!put(e, elem)) {
		int ret;

		e->nlh->nlmsg_len = start;	/* drop the partial nest */
		ret = new_msg(e);
		if (ret)
			return ret;
		start = e->nlh->nlmsg_len;
		if (!put(e, elem))
			return -EMSGSIZE;
	}
	return loc ? add_ref(e->b, start, e->nlh->nlmsg_len, loc) : 0;
}

static size_t room(const struct enc *e)
{
	return e->b->msg_max;
}

static bool put_options(struct enc *e, const void *elem)
{
	const struct tf_options *o = elem;
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(e->nlh, room(e), TORFW_A_OPTIONS);
	if (!nest ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_OPT_NOSOCK,
				   o->nosock) ||
	    !mnl_attr_put_u32_check(e->nlh, room(e), TORFW_OPT_LOG_RATE,
				    o->log_rate) ||
	    !mnl_attr_put_u32_check(e->nlh, room(e), TORFW_OPT_LOG_BURST,
				    o->log_burst) ||
	    !mnl_attr_put_u32_check(e->nlh, room(e), TORFW_OPT_FLAGS,
				    o->flags))
		return false;
	/*
	 * Absent means refuse, so a policy that keeps the default also
	 * loads into a module older than the option (which refuses unknown
	 * attributes), as after an upgrade before the reboot.
	 */
	if (o->kernel != TORFW_KERNEL_REFUSE &&
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_OPT_KERNEL,
				   o->kernel))
		return false;
	mnl_attr_nest_end(e->nlh, nest);
	return true;
}

/* A cgroup in a request: its path, the principal itself. */
static bool put_cgroup(struct enc *e, uint16_t type, uint16_t cg)
{
	struct nlattr *nest;

	if (cg >= e->pol->ncgroups)
		return false;
	nest = mnl_attr_nest_start_check(e->nlh, room(e), type);
	if (!nest ||
	    !mnl_attr_put_strz_check(e->nlh, room(e), TORFW_CG_PATH,
				     e->pol->cgroups[cg].path))
		return false;
	mnl_attr_nest_end(e->nlh, nest);
	return true;
}

static bool put_role(struct enc *e, const void *elem)
{
	const struct tf_role *r = elem;
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(e->nlh, room(e), TORFW_A_ROLE);
	if (!nest ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_ROLE_KIND,
				   r->kind))
		return false;
	if (r->is_cg ? !put_cgroup(e, TORFW_ROLE_CGROUP, r->cg) :
		       !mnl_attr_put_u32_check(e->nlh, room(e),
					       TORFW_ROLE_UID, r->uid))
		return false;
	mnl_attr_nest_end(e->nlh, nest);
	return true;
}

/* A namespace in a request: the fd names it, the name is for display. */
static bool put_netns(struct enc *e, uint16_t type, const struct tf_netns *ns)
{
	struct nlattr *nest;
	int fd = e->netns_fd ? e->netns_fd(e->ctx, ns->name) : -1;

	if (fd < 0)
		return false;
	nest = mnl_attr_nest_start_check(e->nlh, room(e), type);
	if (!nest ||
	    !mnl_attr_put_u32_check(e->nlh, room(e), TORFW_NS_FD,
				    (uint32_t)fd) ||
	    !mnl_attr_put_strz_check(e->nlh, room(e), TORFW_NS_NAME,
				     ns->name))
		return false;
	mnl_attr_nest_end(e->nlh, nest);
	return true;
}

static bool put_service(struct enc *e, const void *elem)
{
	const struct tf_service *s = elem;
	struct nlattr *nest;
	unsigned int i;

	nest = mnl_attr_nest_start_check(e->nlh, room(e), TORFW_A_SERVICE);
	if (!nest ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_SVC_FAMILY,
				   s->family) ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_SVC_PROTO,
				   s->proto) ||
	    !mnl_attr_put_check(e->nlh, room(e), TORFW_SVC_ADDR,
				s->family == AF_INET6 ? 16 : 4, s->addr) ||
	    !mnl_attr_put_u16_check(e->nlh, room(e), TORFW_SVC_PORT_LO,
				    s->lo) ||
	    (s->hi != s->lo &&
	     !mnl_attr_put_u16_check(e->nlh, room(e), TORFW_SVC_PORT_HI,
				     s->hi)))
		return false;
	for (i = 0; i < s->nuids; i++)
		if (!mnl_attr_put_u32_check(e->nlh, room(e), TORFW_SVC_UID,
					    s->uids[i]))
			return false;
	for (i = 0; i < s->ndrops; i++)
		if (!mnl_attr_put_u32_check(e->nlh, room(e),
					    TORFW_SVC_DROP_UID, s->drops[i]))
			return false;
	for (i = 0; i < s->ncg; i++)
		if (!put_cgroup(e, TORFW_SVC_CGROUP, s->cg[i]))
			return false;
	for (i = 0; i < s->ndrop_cg; i++)
		if (!put_cgroup(e, TORFW_SVC_DROP_CGROUP, s->drop_cg[i]))
			return false;
	for (i = 0; i < s->nnetns; i++)
		if (!put_netns(e, TORFW_SVC_NETNS, &s->netns[i]))
			return false;
	mnl_attr_nest_end(e->nlh, nest);
	return true;
}

static bool put_lan(struct enc *e, const void *elem)
{
	const struct tf_prefix *p = elem;
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(e->nlh, room(e), TORFW_A_LAN);
	if (!nest ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_PFX_FAMILY,
				   AF_INET) ||
	    !mnl_attr_put_check(e->nlh, room(e), TORFW_PFX_ADDR, 4,
				p->addr) ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_PFX_LEN, p->len))
		return false;
	mnl_attr_nest_end(e->nlh, nest);
	return true;
}

static bool put_lan_refuse(struct enc *e, const void *elem)
{
	const struct tf_portrange *r = elem;
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(e->nlh, room(e), TORFW_A_LAN_REFUSE);
	if (!nest ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_PORT_PROTO,
				   r->proto) ||
	    !mnl_attr_put_u16_check(e->nlh, room(e), TORFW_PORT_LO, r->lo) ||
	    (r->hi != r->lo &&
	     !mnl_attr_put_u16_check(e->nlh, room(e), TORFW_PORT_HI, r->hi)))
		return false;
	mnl_attr_nest_end(e->nlh, nest);
	return true;
}

static bool put_grant(struct enc *e, const void *elem)
{
	return put_netns(e, TORFW_A_GRANT, elem);
}

static bool put_redirect(struct enc *e, const void *elem)
{
	const struct tf_redirect *r = elem;
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(e->nlh, room(e), TORFW_A_REDIRECT);
	if (!nest ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_REDIR_KIND,
				   r->kind) ||
	    !mnl_attr_put_check(e->nlh, room(e), TORFW_REDIR_ADDR, 4,
				r->addr) ||
	    !mnl_attr_put_u8_check(e->nlh, room(e), TORFW_REDIR_PREFIXLEN,
				   r->plen) ||
	    !mnl_attr_put_u16_check(e->nlh, room(e), TORFW_REDIR_PORT,
				    r->port) ||
	    !mnl_attr_put_u16_check(e->nlh, room(e), TORFW_REDIR_TO_PORT,
				    r->to_port))
		return false;
	mnl_attr_nest_end(e->nlh, nest);
	return true;
}

static void set_flags(struct tf_msg *m, uint32_t bits)
{
	uint32_t v;

	memcpy(&v, m->buf + m->flags_off, sizeof(v));
	v |= bits;
	memcpy(m->buf + m->flags_off, &v, sizeof(v));
}

/* Every namespace must have an fd before anything is built. */
static int check_netns(const struct tf_policy *pol, tf_netns_fd_fn fd,
		       void *ctx)
{
	size_t i, j;

	for (i = 0; i < pol->ngrants; i++)
		if (!fd || fd(ctx, pol->grants[i].name) < 0)
			return -EBADF;
	for (i = 0; i < pol->nservices; i++)
		for (j = 0; j < pol->services[i].nnetns; j++)
			if (!fd || fd(ctx, pol->services[i].netns[j].name) < 0)
				return -EBADF;
	return 0;
}

int encode_load(const struct tf_policy *pol, uint16_t family, uint32_t seq,
		uint32_t extra_flags, size_t msg_max, tf_netns_fd_fn netns_fd,
		void *ctx, struct tf_batch *out)
{
	struct enc e = {
		.b = out, .family = family, .seq = seq, .flags = extra_flags,
		.netns_fd = netns_fd, .ctx = ctx, .pol = pol,
	};
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	out->msg_max = msg_max;
	ret = check_netns(pol, netns_fd, ctx);
	if (ret)
		goto out;
	ret = new_msg(&e);
	if (ret)
		goto out;
	ret = put_elem(&e, put_options, &pol->opt, NULL);
	for (i = 0; !ret && i < pol->nroles; i++)
		ret = put_elem(&e, put_role, &pol->roles[i],
			       &pol->roles[i].loc);
	for (i = 0; !ret && i < pol->nservices; i++)
		ret = put_elem(&e, put_service, &pol->services[i],
			       &pol->services[i].loc);
	for (i = 0; !ret && i < pol->nlan; i++)
		ret = put_elem(&e, put_lan, &pol->lan[i], &pol->lan[i].loc);
	for (i = 0; !ret && i < pol->nlan_refuse; i++)
		ret = put_elem(&e, put_lan_refuse, &pol->lan_refuse[i],
			       &pol->lan_refuse[i].loc);
	for (i = 0; !ret && i < pol->ngrants; i++)
		ret = put_elem(&e, put_grant, &pol->grants[i],
			       &pol->grants[i].loc);
	for (i = 0; !ret && i < pol->nredirects; i++)
		ret = put_elem(&e, put_redirect, &pol->redirects[i],
			       &pol->redirects[i].loc);
	if (ret)
		goto out;
	set_flags(&out->msgs[0], TORFW_LOAD_F_BEGIN);
	set_flags(&out->msgs[out->nmsgs - 1], TORFW_LOAD_F_COMMIT);
out:
	if (ret)
		batch_free(out);
	return ret;
}

void batch_free(struct tf_batch *b)
{
	size_t i;

	for (i = 0; i < b->nmsgs; i++)
		free(b->msgs[i].buf);
	free(b->msgs);
	free(b->refs);
	memset(b, 0, sizeof(*b));
}

const struct tf_loc *batch_find(const struct tf_batch *b, size_t msg,
				uint32_t off)
{
	size_t i;

	for (i = 0; i < b->nrefs; i++)
		if (b->refs[i].msg == msg && off >= b->refs[i].start &&
		    off < b->refs[i].end)
			return b->refs[i].loc;
	return NULL;
}
