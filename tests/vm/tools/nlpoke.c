// SPDX-License-Identifier: GPL-2.0
/*
 * nlpoke CASE: one hand-made TORFW_CMD_LOAD request to the torfw generic
 * netlink family, bypassing torfwctl's own checks, to see that the kernel
 * validates what it is sent (kmod/uapi/torfw.h: "never trusts userspace").
 *
 * The family id is resolved through CTRL_CMD_GETFAMILY. The request asks
 * for NETLINK_EXT_ACK (and NETLINK_CAP_ACK) and carries TORFW_A_FLAGS =
 * BEGIN|COMMIT plus one element:
 *   no-addr         a service without TORFW_SVC_ADDR
 *   long-name       a grant whose TORFW_NS_NAME is 300 bytes (limit 64)
 *   unknown-attr    a top-level attribute of an unknown type (40)
 *   unknown-nested  a well-formed service with an unknown attribute (30)
 *   ok              a valid policy (one tor role) with CHECK added:
 *                   validated and built, nothing published (proves that
 *                   the framing of the other cases is right)
 *   family          only the CTRL_CMD_GETFAMILY, which any user may send:
 *                   exit 0 if the family exists, 3 if not (ENOENT); the
 *                   module has no family alias, so this must not load it
 *
 * Prints one line:
 *   nlpoke CASE: errno=EINVAL (22) extack="..." [offset=N]
 *   nlpoke CASE: accepted
 * Exit status: 0 the kernel refused it with an errno and an extack
 * message (or, for "ok", accepted it); 1 the kernel accepted a bad
 * request (or refused "ok"); 4 refused without a message; 2 usage or a
 * local failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../../kmod/uapi/torfw.h"

#ifndef AF_INET
#define AF_INET 2
#endif

struct answer {
	int error;		/* negative errno, 0 = accepted */
	int acked;
	char msg[512];
	long offs;
};

static int ctrl_attr(const struct nlattr *a, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
		*id = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int ctrl_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ctrl_attr, data);
}

static int ext_attr(const struct nlattr *a, void *data)
{
	struct answer *ans = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		snprintf(ans->msg, sizeof(ans->msg), "%.*s",
			 (int)mnl_attr_get_payload_len(a),
			 (const char *)mnl_attr_get_payload(a));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_get_payload_len(a) >= 4)
			ans->offs = (long)mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static void parse_error(const struct nlmsghdr *nlh, struct answer *ans)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off;

	ans->error = err->error;
	ans->acked = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	mnl_attr_parse(nlh, (unsigned int)off, ext_attr, ans);
}

/* Sends nlh, reads until its ack; fills ans. Returns -1 on local error. */
static int transact(struct mnl_socket *nl, struct nlmsghdr *nlh,
		    mnl_cb_t data_cb, void *data, struct answer *ans)
{
	static char buf[65536];
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("nlpoke: sendto");
		return -1;
	}
	while (!ans->acked) {
		struct nlmsghdr *m;
		int len;

		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			perror("nlpoke: recvfrom");
			return -1;
		}
		len = (int)n;
		for (m = (struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != nlh->nlmsg_seq ||
			    m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR)
				parse_error(m, ans);
			else if (m->nlmsg_type == NLMSG_DONE)
				ans->acked = 1;
			else if (data_cb)
				data_cb(m, data);
		}
	}
	return 0;
}

static struct nlmsghdr *genl_start(char *buf, uint16_t type, uint8_t cmd,
				   uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = cmd == CTRL_CMD_GETFAMILY ? 1 : TORFW_GENL_VERSION;
	return nlh;
}

static int put_case(struct nlmsghdr *nlh, const char *what, uint32_t *flags)
{
	struct nlattr *nest;

	if (strcmp(what, "no-addr") == 0) {
		nest = mnl_attr_nest_start(nlh, TORFW_A_SERVICE);
		mnl_attr_put_u8(nlh, TORFW_SVC_FAMILY, AF_INET);
		mnl_attr_put_u8(nlh, TORFW_SVC_PROTO, 6);
		mnl_attr_put_u16(nlh, TORFW_SVC_PORT_LO, 9050);
		mnl_attr_put_u32(nlh, TORFW_SVC_UID, 1000);
		mnl_attr_nest_end(nlh, nest);
	} else if (strcmp(what, "long-name") == 0) {
		char name[300];
		int fd = open("/run/netns/clearnet", O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror("nlpoke: /run/netns/clearnet");
			return -1;
		}
		memset(name, 'n', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		nest = mnl_attr_nest_start(nlh, TORFW_A_GRANT);
		mnl_attr_put_u32(nlh, TORFW_NS_FD, (uint32_t)fd);
		mnl_attr_put_strz(nlh, TORFW_NS_NAME, name);
		mnl_attr_nest_end(nlh, nest);
	} else if (strcmp(what, "unknown-attr") == 0) {
		mnl_attr_put_u32(nlh, 40, 1);
	} else if (strcmp(what, "unknown-nested") == 0) {
		static const unsigned char lo[4] = { 127, 0, 0, 1 };

		nest = mnl_attr_nest_start(nlh, TORFW_A_SERVICE);
		mnl_attr_put_u8(nlh, TORFW_SVC_FAMILY, AF_INET);
		mnl_attr_put_u8(nlh, TORFW_SVC_PROTO, 6);
		mnl_attr_put(nlh, TORFW_SVC_ADDR, sizeof(lo), lo);
		mnl_attr_put_u16(nlh, TORFW_SVC_PORT_LO, 9050);
		mnl_attr_put_u32(nlh, TORFW_SVC_UID, 1000);
		mnl_attr_put_u32(nlh, 30, 1);
		mnl_attr_nest_end(nlh, nest);
	} else if (strcmp(what, "ok") == 0) {
		*flags |= TORFW_LOAD_F_CHECK;
		nest = mnl_attr_nest_start(nlh, TORFW_A_ROLE);
		mnl_attr_put_u8(nlh, TORFW_ROLE_KIND, TORFW_ROLE_TOR);
		mnl_attr_put_u32(nlh, TORFW_ROLE_UID, 107);
		mnl_attr_nest_end(nlh, nest);
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[8192];
	struct answer ans = { .offs = -1 };
	struct nlmsghdr *nlh;
	struct mnl_socket *nl;
	uint32_t seq = (uint32_t)time(NULL), flags;
	uint16_t family = 0;
	int one = 1, good;

	if (argc != 2) {
		fprintf(stderr,
			"usage: %s no-addr|long-name|unknown-attr|unknown-nested|ok|family\n",
			argv[0]);
		return 2;
	}
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlpoke: socket");
		return 2;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = genl_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
			 NLM_F_REQUEST | NLM_F_ACK, ++seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TORFW_GENL_NAME);
	if (transact(nl, nlh, ctrl_cb, &family, &ans) < 0)
		return 2;
	if (strcmp(argv[1], "family") == 0) {
		printf("nlpoke family: %s\n", ans.error ?
		       strerrorname_np(-ans.error) : "found");
		return ans.error == -ENOENT ? 3 : ans.error || !family ? 2 : 0;
	}
	if (ans.error || !family) {
		printf("nlpoke: family %s not found: %s\n", TORFW_GENL_NAME,
		       strerrorname_np(-ans.error));
		return 2;
	}

	memset(&ans, 0, sizeof(ans));
	ans.offs = -1;
	flags = TORFW_LOAD_F_BEGIN | TORFW_LOAD_F_COMMIT;
	nlh = genl_start(buf, family, TORFW_CMD_LOAD, NLM_F_REQUEST | NLM_F_ACK,
			 ++seq);
	/* The flags go first; the case may add CHECK to them. */
	{
		struct nlattr *fl = mnl_nlmsg_get_payload_tail(nlh);

		mnl_attr_put_u32(nlh, TORFW_A_FLAGS, flags);
		if (put_case(nlh, argv[1], &flags) < 0) {
			fprintf(stderr, "nlpoke: unknown case %s\n", argv[1]);
			return 2;
		}
		*(uint32_t *)mnl_attr_get_payload(fl) = flags;
	}
	if (transact(nl, nlh, NULL, NULL, &ans) < 0)
		return 2;
	mnl_socket_close(nl);

	if (!ans.error) {
		printf("nlpoke %s: accepted\n", argv[1]);
		return strcmp(argv[1], "ok") == 0 ? 0 : 1;
	}
	printf("nlpoke %s: errno=%s (%d) extack=\"%s\"", argv[1],
	       strerrorname_np(-ans.error), -ans.error, ans.msg);
	if (ans.offs >= 0)
		printf(" offset=%ld", ans.offs);
	printf("\n");
	if (strcmp(argv[1], "ok") == 0)
		return 1;
	good = ans.msg[0] != '\0';
	return good ? 0 : 4;
}
