// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: hostile input for the torfw generic netlink family.
 *
 *   nlfuzz [-n COUNT] [-s SEED]
 *   nlfuzz -S            prints "generation=N objects=N" from the status
 *
 * Sends COUNT messages to the family: random attribute trees (types,
 * lengths, nesting), mutated valid LOAD requests (flipped bytes, wrong
 * lengths, truncation, duplicates), huge policies, broken transactions
 * and headers whose length lies. Every reply is read and its errno counted.
 *
 * It never asks for a change that would be legitimate: no FLUSH, no LOCK,
 * and every LOAD that commits also carries TORFW_LOAD_F_CHECK (validate,
 * publish nothing). So the active policy's generation must be the same
 * afterwards, which the caller checks with `torfwctl status`, as it checks
 * that the kernel's object count returns to its baseline (-S).
 *
 * Output, one line: counts of messages sent, replies, acks (requests to
 * torfw that succeeded), errors by errno. Exit 0 unless the fuzzer itself failed (socket, family lookup).
 */

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../../kmod/uapi/torfw.h"

#define BUF_SIZE (256 * 1024)
#define NLA_HDR 4
#define ALIGN4(x) (((x) + 3U) & ~3U)

static unsigned char msg[BUF_SIZE];
static unsigned char rbuf[BUF_SIZE];
static unsigned long errcount[256];
static unsigned long sent, replies, acks, dump_parts, enobufs;
static uint16_t family;	/* the torfw family's id */
static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from -s SEED */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- building attributes into msg ----------------------------------- */

struct cursor {
	size_t len;	/* bytes used in msg */
	size_t max;
};

static unsigned char *put_attr(struct cursor *c, uint16_t type,
			       const void *data, uint16_t dlen)
{
	size_t need = ALIGN4(NLA_HDR + (size_t)dlen);
	unsigned char *a = msg + c->len;
	uint16_t alen = NLA_HDR + dlen;

	if (c->len + need > c->max)
		return NULL;
	memcpy(a, &alen, 2);
	memcpy(a + 2, &type, 2);
	if (data)
		memcpy(a + NLA_HDR, data, dlen);
	else
		memset(a + NLA_HDR, 0, dlen);
	memset(a + NLA_HDR + dlen, 0, need - NLA_HDR - dlen);
	c->len += need;
	return a;
}

static void put_u8(struct cursor *c, uint16_t t, uint8_t v)
{
	put_attr(c, t, &v, 1);
}

static void put_u16(struct cursor *c, uint16_t t, uint16_t v)
{
	put_attr(c, t, &v, 2);
}

static void put_u32(struct cursor *c, uint16_t t, uint32_t v)
{
	put_attr(c, t, &v, 4);
}

static size_t nest_start(struct cursor *c, uint16_t type)
{
	size_t at = c->len;

	if (!put_attr(c, type | NLA_F_NESTED, NULL, 0))
		return (size_t)-1;
	return at;
}

static void nest_end(struct cursor *c, size_t at)
{
	uint16_t len;

	if (at == (size_t)-1)
		return;
	len = (uint16_t)(c->len - at);
	memcpy(msg + at, &len, 2);
}

static void put_random_attrs(struct cursor *c, int depth)
{
	unsigned char data[96];
	uint32_t i, n = 1 + below(6);

	for (i = 0; i < n; i++) {
		uint16_t type = (uint16_t)below(24);
		uint32_t j;

		if (depth < 3 && below(4) == 0) {
			size_t at = nest_start(c, type);

			put_random_attrs(c, depth + 1);
			nest_end(c, at);
			continue;
		}
		for (j = 0; j < sizeof(data); j++)
			data[j] = (unsigned char)rnd();
		/* Sizes around the ones the kernel expects: 0, 1, 2, 4, 8, 16. */
		put_attr(c, type, data, (uint16_t)(below(3) ? (1U << below(5)) :
					  below(sizeof(data))));
	}
}

static void put_service(struct cursor *c)
{
	size_t at = nest_start(c, TORFW_A_SERVICE);
	uint32_t addr = htobe32(0x7f000001), i, n = below(5);

	put_u8(c, TORFW_SVC_FAMILY, below(8) ? 2 : (uint8_t)rnd());
	put_u8(c, TORFW_SVC_PROTO, below(2) ? 6 : 17);
	put_attr(c, TORFW_SVC_ADDR, &addr, below(8) ? 4 : (uint16_t)below(17));
	put_u16(c, TORFW_SVC_PORT_LO, (uint16_t)rnd());
	if (below(2))
		put_u16(c, TORFW_SVC_PORT_HI, (uint16_t)rnd());
	for (i = 0; i < n; i++)
		put_u32(c, below(4) ? TORFW_SVC_UID : TORFW_SVC_DROP_UID,
			below(4) ? 1000 + below(4) : rnd());
	if (below(16) == 0) {
		size_t ns = nest_start(c, TORFW_SVC_NETNS);

		put_u32(c, TORFW_NS_FD, below(8));
		put_attr(c, TORFW_NS_NAME, "fuzz", 5);
		nest_end(c, ns);
	}
	nest_end(c, at);
}

/* A LOAD request that is valid until mutated. */
static void put_load(struct cursor *c, int huge)
{
	uint32_t flags = TORFW_LOAD_F_BEGIN | TORFW_LOAD_F_COMMIT, i, n;
	uint32_t lan = htobe32(0xc0a80000), autom = htobe32(0x7fc00000);
	size_t at;

	if (below(4) == 0)
		flags = rnd();
	put_u32(c, TORFW_A_FLAGS, flags);
	if (below(2)) {
		at = nest_start(c, TORFW_A_OPTIONS);
		put_u8(c, TORFW_OPT_NOSOCK, (uint8_t)below(3));
		put_u32(c, TORFW_OPT_LOG_RATE, below(20000));
		nest_end(c, at);
	}
	at = nest_start(c, TORFW_A_ROLE);
	put_u8(c, TORFW_ROLE_KIND, (uint8_t)below(5));
	put_u32(c, TORFW_ROLE_UID, below(2) ? 107 : rnd());
	nest_end(c, at);
	at = nest_start(c, TORFW_A_LAN);
	put_u8(c, TORFW_PFX_FAMILY, 2);
	put_attr(c, TORFW_PFX_ADDR, &lan, 4);
	put_u8(c, TORFW_PFX_LEN, (uint8_t)below(40));
	nest_end(c, at);
	at = nest_start(c, TORFW_A_REDIRECT);
	put_u8(c, TORFW_REDIR_KIND, (uint8_t)below(4));
	put_attr(c, TORFW_REDIR_ADDR, &autom, 4);
	put_u8(c, TORFW_REDIR_PREFIXLEN, (uint8_t)below(40));
	put_u16(c, TORFW_REDIR_TO_PORT, (uint16_t)below(3));
	nest_end(c, at);
	n = huge ? 2000 + below(4000) : 1 + below(8);
	for (i = 0; i < n && c->len + 128 < c->max; i++)
		put_service(c);
}

static void mutate(struct cursor *c, size_t start)
{
	uint32_t i, n = below(6);

	for (i = 0; i < n && c->len > start; i++) {
		size_t at = start + below((uint32_t)(c->len - start));

		switch (below(4)) {
		case 0:	/* flip a byte */
			msg[at] ^= (unsigned char)(1U << below(8));
			break;
		case 1:	/* a random byte */
			msg[at] = (unsigned char)rnd();
			break;
		case 2:	/* truncate */
			c->len = at;
			break;
		default:	/* append junk attributes */
			put_random_attrs(c, 2);
			break;
		}
	}
}

/*
 * As root, a LOAD that commits must only check: set TORFW_LOAD_F_CHECK in
 * every well-formed flags attribute (the kernel uses the last one).
 */
static void defuse(size_t start, size_t end)
{
	size_t at = start;

	while (at + NLA_HDR <= end) {
		uint16_t alen, type;
		uint32_t v;

		memcpy(&alen, msg + at, 2);
		memcpy(&type, msg + at + 2, 2);
		if (alen < NLA_HDR || at + alen > end)
			break;
		if ((type & NLA_TYPE_MASK) == TORFW_A_FLAGS && alen == 8) {
			memcpy(&v, msg + at + NLA_HDR, 4);
			v |= TORFW_LOAD_F_CHECK;
			memcpy(msg + at + NLA_HDR, &v, 4);
		}
		at += ALIGN4(alen);
	}
}

/* ---- netlink plumbing ------------------------------------------------- */

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1, size = 4 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int nl_send(int fd, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	return sendto(fd, msg, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ?
	       -errno : 0;
}

static void count_err(int err)
{
	errcount[err < 0 && -err < 256 ? -err : 0]++;
}

/* Reads what is queued; counts errnos. Returns the first error seen. */
static int nl_drain(int fd)
{
	int first = 1;

	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == ENOBUFS) {
				enobufs++;
				continue;
			}
			return first == 1 ? 0 : first;
		}
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			replies++;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error)
					count_err(e->error);
				else if (e->msg.nlmsg_type == family &&
					 e->msg.nlmsg_flags & NLM_F_REQUEST)
					acks++;	/* torfw ran it (not a bare ack) */
				if (first == 1)
					first = e->error;
			} else if (h->nlmsg_type != NLMSG_DONE) {
				dump_parts++;
			}
		}
	}
}

static size_t genl_header(uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(h);
	static uint32_t seq;

	memset(h, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = TORFW_GENL_VERSION;
	return NLMSG_HDRLEN + GENL_HDRLEN;
}

static void finish(size_t len)
{
	((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)len;
}

static int family_id(int fd)
{
	struct cursor c = { .max = sizeof(msg) };
	ssize_t n;
	struct nlmsghdr *h;

	c.len = genl_header(GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY);
	put_attr(&c, CTRL_ATTR_FAMILY_NAME, TORFW_GENL_NAME,
		 sizeof(TORFW_GENL_NAME));
	finish(c.len);
	if (nl_send(fd, c.len))
		return -1;
	n = recv(fd, rbuf, sizeof(rbuf), 0);
	h = (struct nlmsghdr *)rbuf;
	if (n < 0 || !NLMSG_OK(h, (size_t)n) || h->nlmsg_type == NLMSG_ERROR)
		return -1;
	{
		unsigned char *a = (unsigned char *)NLMSG_DATA(h) + GENL_HDRLEN;
		unsigned char *end = rbuf + h->nlmsg_len;

		while (a + NLA_HDR <= end) {
			uint16_t alen, type;

			memcpy(&alen, a, 2);
			memcpy(&type, a + 2, 2);
			if (alen < NLA_HDR)
				break;
			if (type == CTRL_ATTR_FAMILY_ID && alen >= 6) {
				uint16_t id;

				memcpy(&id, a + NLA_HDR, 2);
				return id;
			}
			a += ALIGN4(alen);
		}
	}
	return -1;
}

/* "generation=N objects=N" from TORFW_CMD_GET_STATUS (root only). */
static int print_status(int fd)
{
	unsigned long long gen = 0;
	unsigned int objects = 0;
	struct nlmsghdr *h;
	unsigned char *a, *end;
	size_t len = genl_header(family, NLM_F_REQUEST, TORFW_CMD_GET_STATUS);
	ssize_t n;

	finish(len);
	if (nl_send(fd, len))
		return 1;
	n = recv(fd, rbuf, sizeof(rbuf), 0);
	h = (struct nlmsghdr *)rbuf;
	if (n < 0 || !NLMSG_OK(h, (size_t)n) || h->nlmsg_type == NLMSG_ERROR) {
		fprintf(stderr, "nlfuzz: status refused\n");
		return 1;
	}
	a = (unsigned char *)NLMSG_DATA(h) + GENL_HDRLEN;
	end = rbuf + h->nlmsg_len;
	while (a + NLA_HDR <= end) {
		uint16_t alen, type;

		memcpy(&alen, a, 2);
		memcpy(&type, a + 2, 2);
		if (alen < NLA_HDR)
			break;
		if (type == TORFW_A_GENERATION && alen == 12)
			memcpy(&gen, a + NLA_HDR, 8);
		if (type == TORFW_A_OBJECTS && alen == 8)
			memcpy(&objects, a + NLA_HDR, 4);
		a += ALIGN4(alen);
	}
	printf("generation=%llu objects=%u\n", gen, objects);
	return 0;
}

/* ---- one message ------------------------------------------------------ */

static void one(int fd, int root)
{
	struct cursor c = { .max = sizeof(msg) };
	uint16_t flags = NLM_F_REQUEST;
	uint8_t cmd;
	size_t body;
	int kind = (int)below(10), err;

	/* Commands that could change the policy legitimately are left out. */
	do {
		cmd = (uint8_t)below(TORFW_CMD_MAX + 3);
	} while (root && (cmd == TORFW_CMD_FLUSH || cmd == TORFW_CMD_LOCK));
	if (kind < 5)
		cmd = TORFW_CMD_LOAD;
	if (below(2))
		flags |= NLM_F_ACK;
	if (below(6) == 0)
		flags |= NLM_F_DUMP;
	if (below(16) == 0)
		flags = (uint16_t)rnd();
	c.len = genl_header(below(32) ? family : (uint16_t)rnd(), flags, cmd);
	body = c.len;
	switch (kind) {
	case 0: case 1: case 2:
		put_load(&c, 0);
		mutate(&c, body);
		break;
	case 3:
		put_load(&c, below(8) == 0);
		break;
	case 4:	/* a transaction message that does not commit */
		put_u32(&c, TORFW_A_FLAGS, below(2) ? TORFW_LOAD_F_BEGIN : 0);
		put_service(&c);
		break;
	default:
		put_random_attrs(&c, 0);
		break;
	}
	if (root)
		defuse(body, c.len);
	finish(c.len);
	/* Sometimes the header lies about the length. */
	if (below(32) == 0)
		((struct nlmsghdr *)msg)->nlmsg_len = rnd() % (c.len + 64);
	err = nl_send(fd, c.len);
	sent++;
	if (err)
		count_err(err);
	nl_drain(fd);
}

int main(int argc, char **argv)
{
	unsigned long i, count = 100000;
	int fd, id, opt, e, root = getuid() == 0, status = 0;

	rng_state = 0x9e3779b97f4a7c15ULL;
	while ((opt = getopt(argc, argv, "n:s:S")) != -1) {
		switch (opt) {
		case 'S':
			status = 1;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rng_state ^= strtoull(optarg, NULL, 0) * 0xbf58476d1ce4e5b9ULL;
			break;
		default:
			fprintf(stderr, "usage: nlfuzz [-n COUNT] [-s SEED] | -S\n");
			return 2;
		}
	}
	if (!rng_state)
		rng_state = 1;
	fd = nl_open();
	if (fd < 0) {
		perror("nlfuzz: netlink socket");
		return 1;
	}
	id = family_id(fd);
	if (id < 0) {
		fprintf(stderr, "nlfuzz: family %s not found\n", TORFW_GENL_NAME);
		return 1;
	}
	family = (uint16_t)id;
	if (status)
		return print_status(fd);
	for (i = 0; i < count; i++) {
		one(fd, root);
		/* A fresh socket now and then: abandoned transactions. */
		if (below(512) == 0) {
			close(fd);
			fd = nl_open();
			if (fd < 0) {
				perror("nlfuzz: netlink socket");
				return 1;
			}
		}
	}
	close(fd);
	printf("nlfuzz: uid=%u sent=%lu replies=%lu acks=%lu dump-parts=%lu enobufs=%lu errors:",
	       getuid(), sent, replies, acks, dump_parts, enobufs);
	for (e = 0; e < 256; e++)
		if (errcount[e])
			printf(" %s=%lu", e ? strerrorname_np(e) : "other",
			       errcount[e]);
	printf("\n");
	return 0;
}
