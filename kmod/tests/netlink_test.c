// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: LOAD messages through the same strict validation genetlink applies
 * (torfw_load_policy) and then through parse_elements(), as the kernel sees
 * them. Each malformed message must fail with an errno and an extack
 * message, and must add nothing to the policy. Then load transactions of
 * several sockets through torfw_nl_load(). Included by netlink_load.c.
 */

#include <kunit/test.h>
#include <linux/inet.h>

static void put_addr4(struct sk_buff *skb, int type, const char *s)
{
	__be32 a = in_aton(s);

	nla_put(skb, type, 4, &a);
}

/* A well-formed service: tcp 127.0.0.1:9050 for uid 1000. */
static void put_svc(struct sk_buff *skb, int extra_attr, int extra_len)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_SERVICE);
	u8 junk[32] = {};

	nla_put_u8(skb, TORFW_SVC_FAMILY, AF_INET);
	nla_put_u8(skb, TORFW_SVC_PROTO, IPPROTO_TCP);
	put_addr4(skb, TORFW_SVC_ADDR, "127.0.0.1");
	nla_put_u16(skb, TORFW_SVC_PORT_LO, 9050);
	nla_put_u32(skb, TORFW_SVC_UID, 1000);
	if (extra_attr)
		nla_put(skb, extra_attr, extra_len, junk);
	nla_nest_end(skb, n);
}

static void fill_ok(struct sk_buff *skb)
{
	struct nlattr *n;

	put_svc(skb, 0, 0);
	n = nla_nest_start(skb, TORFW_A_ROLE);
	nla_put_u8(skb, TORFW_ROLE_KIND, TORFW_ROLE_TOR);
	nla_put_u32(skb, TORFW_ROLE_UID, 107);
	nla_nest_end(skb, n);
	n = nla_nest_start(skb, TORFW_A_LAN);
	nla_put_u8(skb, TORFW_PFX_FAMILY, AF_INET);
	put_addr4(skb, TORFW_PFX_ADDR, "192.168.0.0");
	nla_put_u8(skb, TORFW_PFX_LEN, 16);
	nla_nest_end(skb, n);
	n = nla_nest_start(skb, TORFW_A_REDIRECT);
	nla_put_u8(skb, TORFW_REDIR_KIND, TORFW_REDIR_AUTOMAP);
	put_addr4(skb, TORFW_REDIR_ADDR, "127.192.0.0");
	nla_put_u8(skb, TORFW_REDIR_PREFIXLEN, 10);
	nla_put_u16(skb, TORFW_REDIR_TO_PORT, 9040);
	nla_nest_end(skb, n);
}

static void fill_unknown_top(struct sk_buff *skb)
{
	nla_put_u32(skb, TORFW_A_MAX + 1, 1);
}

static void fill_unexpected_top(struct sk_buff *skb)
{
	nla_put_u32(skb, TORFW_A_SERVICE_COUNT, 1);
}

static void fill_unknown_nested(struct sk_buff *skb)
{
	put_svc(skb, TORFW_SVC_MAX + 1, 4);
}

static void fill_short_u32(struct sk_buff *skb)
{
	put_svc(skb, TORFW_SVC_UID, 2);
}

static void fill_long_addr(struct sk_buff *skb)
{
	put_svc(skb, TORFW_SVC_ADDR, 17);
}

static void fill_port0(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_SERVICE);

	nla_put_u8(skb, TORFW_SVC_FAMILY, AF_INET);
	nla_put_u8(skb, TORFW_SVC_PROTO, IPPROTO_TCP);
	put_addr4(skb, TORFW_SVC_ADDR, "127.0.0.1");
	nla_put_u16(skb, TORFW_SVC_PORT_LO, 0);
	nla_nest_end(skb, n);
}

static void fill_bad_prefixlen(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_REDIRECT);

	nla_put_u8(skb, TORFW_REDIR_KIND, TORFW_REDIR_AUTOMAP);
	put_addr4(skb, TORFW_REDIR_ADDR, "127.192.0.0");
	nla_put_u8(skb, TORFW_REDIR_PREFIXLEN, 40);
	nla_put_u16(skb, TORFW_REDIR_TO_PORT, 9040);
	nla_nest_end(skb, n);
}

static void fill_long_name(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_GRANT);
	char name[TORFW_NS_NAME_MAX + 8];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	nla_put_u32(skb, TORFW_NS_FD, 3);
	nla_put_string(skb, TORFW_NS_NAME, name);
	nla_nest_end(skb, n);
}

static void fill_cookie_in_request(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_GRANT);

	nla_put_u64_64bit(skb, TORFW_NS_COOKIE, 1, TORFW_NS_PAD);
	nla_nest_end(skb, n);
}

static void fill_missing_addr(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_SERVICE);

	nla_put_u8(skb, TORFW_SVC_FAMILY, AF_INET);
	nla_put_u8(skb, TORFW_SVC_PROTO, IPPROTO_TCP);
	nla_put_u16(skb, TORFW_SVC_PORT_LO, 9050);
	nla_put_u32(skb, TORFW_SVC_UID, 1000);
	nla_nest_end(skb, n);
}

static void fill_v6_len_mismatch(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_SERVICE);

	nla_put_u8(skb, TORFW_SVC_FAMILY, AF_INET6);
	nla_put_u8(skb, TORFW_SVC_PROTO, IPPROTO_TCP);
	put_addr4(skb, TORFW_SVC_ADDR, "127.0.0.1");
	nla_put_u16(skb, TORFW_SVC_PORT_LO, 4101);
	nla_put_u32(skb, TORFW_SVC_UID, 1000);
	nla_nest_end(skb, n);
}

static void fill_bad_family(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_SERVICE);

	nla_put_u8(skb, TORFW_SVC_FAMILY, 99);
	nla_put_u8(skb, TORFW_SVC_PROTO, IPPROTO_TCP);
	put_addr4(skb, TORFW_SVC_ADDR, "127.0.0.1");
	nla_put_u16(skb, TORFW_SVC_PORT_LO, 9050);
	nla_put_u32(skb, TORFW_SVC_UID, 1000);
	nla_nest_end(skb, n);
}

static void fill_too_many_uids(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_SERVICE);
	u32 i;

	nla_put_u8(skb, TORFW_SVC_FAMILY, AF_INET);
	nla_put_u8(skb, TORFW_SVC_PROTO, IPPROTO_TCP);
	put_addr4(skb, TORFW_SVC_ADDR, "127.0.0.1");
	nla_put_u16(skb, TORFW_SVC_PORT_LO, 9050);
	for (i = 0; i <= TORFW_MAX_SERVICE_UIDS; i++)
		nla_put_u32(skb, TORFW_SVC_UID, 1000 + i);
	nla_nest_end(skb, n);
}

static void fill_host_bits(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_LAN);

	nla_put_u8(skb, TORFW_PFX_FAMILY, AF_INET);
	put_addr4(skb, TORFW_PFX_ADDR, "192.168.1.1");
	nla_put_u8(skb, TORFW_PFX_LEN, 16);
	nla_nest_end(skb, n);
}

static void fill_bad_fd(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_GRANT);

	nla_put_u32(skb, TORFW_NS_FD, 100000);
	nla_put_string(skb, TORFW_NS_NAME, "clearnet");
	nla_nest_end(skb, n);
}

static void fill_options_twice(struct sk_buff *skb)
{
	struct nlattr *n;
	int i;

	for (i = 0; i < 2; i++) {
		n = nla_nest_start(skb, TORFW_A_OPTIONS);
		nla_put_u32(skb, TORFW_OPT_LOG_RATE, 5);
		nla_nest_end(skb, n);
	}
}

static void fill_log_rate_high(struct sk_buff *skb)
{
	struct nlattr *n = nla_nest_start(skb, TORFW_A_OPTIONS);

	nla_put_u32(skb, TORFW_OPT_LOG_RATE, 10001);
	nla_nest_end(skb, n);
}

struct nlcase {
	const char *name;
	void (*fill)(struct sk_buff *skb);
	int validate;		/* expected from the nla_policy tables */
	int parse;		/* expected from parse_elements() */
	u32 services;		/* services in the builder afterwards */
};

static const struct nlcase nl_cases[] = {
	{ "well-formed policy", fill_ok, 0, 0, 1 },
	{ "unknown top-level attribute", fill_unknown_top, -EINVAL },
	{ "status attribute in a load", fill_unexpected_top, -EINVAL },
	{ "unknown attribute in a service", fill_unknown_nested, -EINVAL },
	{ "u32 of two bytes", fill_short_u32, -ERANGE },
	{ "address of 17 bytes", fill_long_addr, -ERANGE },
	{ "port 0", fill_port0, -ERANGE },
	{ "redirect prefix length 40", fill_bad_prefixlen, -ERANGE },
	{ "namespace name too long", fill_long_name, -ERANGE },
	{ "namespace cookie in a request", fill_cookie_in_request, -EINVAL },
	{ "service without address", fill_missing_addr, 0, -EINVAL },
	{ "IPv6 service with 4-byte address", fill_v6_len_mismatch, 0,
	  -EINVAL },
	{ "unknown family", fill_bad_family, 0, -EAFNOSUPPORT },
	{ "65 uids in one service", fill_too_many_uids, 0, -E2BIG },
	{ "LAN prefix with host bits", fill_host_bits, 0, -EINVAL },
	{ "namespace fd that is not one", fill_bad_fd, 0, -EBADF },
	{ "options twice", fill_options_twice, 0, -EEXIST },
	{ "log rate above 10000", fill_log_rate_high, -ERANGE },
};

static void nl_case_desc(const struct nlcase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(nl, nl_cases, nl_case_desc);

/* -EINVAL and -ERANGE are both "malformed": accept either from tables. */
static bool same_class(int got, int want)
{
	if (want == -EINVAL || want == -ERANGE)
		return got == -EINVAL || got == -ERANGE;
	return got == want;
}

static void nl_load_test(struct kunit *test)
{
	const struct nlcase *c = test->param_value;
	struct nlattr *tb[TORFW_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct genl_info info = {};
	struct torfw_builder *b;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	int ret;

	skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	nlh = nlmsg_put(skb, 0, 0, GENL_ID_CTRL, GENL_HDRLEN, 0);
	KUNIT_ASSERT_NOT_NULL(test, nlh);
	c->fill(skb);
	nlmsg_end(skb, nlh);

	ret = nlmsg_parse(nlh, GENL_HDRLEN, tb, TORFW_A_MAX, torfw_load_policy,
			  &extack);
	KUNIT_EXPECT_TRUE_MSG(test, same_class(ret, c->validate),
			      "validation returned %d, expected %d", ret,
			      c->validate);
	if (c->validate) {
		KUNIT_EXPECT_NOT_NULL(test, extack._msg);
		KUNIT_EXPECT_NOT_NULL(test, extack.bad_attr);
		goto out;
	}

	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	info.nlhdr = nlh;
	info.attrs = tb;
	info.extack = &extack;
	ret = parse_elements(b, &info);
	KUNIT_EXPECT_EQ(test, ret, c->parse);
	if (c->parse) {
		/* The transaction is discarded whole: nothing to check in b. */
		KUNIT_EXPECT_NOT_NULL(test, extack._msg);
		KUNIT_EXPECT_NOT_NULL(test, extack.bad_attr);
	} else {
		struct torfw_policy *p = torfw_policy_build(b, &extack);

		KUNIT_EXPECT_NULL(test, extack._msg);
		KUNIT_ASSERT_FALSE(test, IS_ERR(p));
		KUNIT_EXPECT_EQ(test, p->n_svc, c->services);
		torfw_policy_free(p);
	}
	torfw_builder_free(b);
out:
	kfree_skb(skb);
}

/*
 * One LOAD request from socket portid through torfw_nl_load(), as
 * genetlink would hand it over: flags plus, with fill, the elements.
 */
static int txn_send(struct kunit *test, u32 portid, u32 flags,
		    void (*fill)(struct sk_buff *skb))
{
	struct nlattr *tb[TORFW_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct genl_info info = {};
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	int ret;

	skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	nlh = nlmsg_put(skb, portid, 0, GENL_ID_CTRL, GENL_HDRLEN, 0);
	KUNIT_ASSERT_NOT_NULL(test, nlh);
	nla_put_u32(skb, TORFW_A_FLAGS, flags);
	if (fill)
		fill(skb);
	nlmsg_end(skb, nlh);
	KUNIT_ASSERT_EQ(test, nlmsg_parse(nlh, GENL_HDRLEN, tb, TORFW_A_MAX,
					  torfw_load_policy, &extack), 0);
	info.snd_portid = portid;
	info.nlhdr = nlh;
	info.attrs = tb;
	info.extack = &extack;
	genl_info_net_set(&info, &init_net);
	/* The reply goes to a portid nobody has: dropped, as it may be. */
	ret = torfw_nl_load(skb, &info);
	kfree_skb(skb);
	return ret;
}

static void txn_release(u32 portid)
{
	torfw_load_release(portid, init_net.net_cookie);
}

/* Two sockets' loads interleaved both commit; each socket has its own. */
static void txn_interleaved_test(struct kunit *test)
{
	u64 gen = torfw_state_generation();

	KUNIT_EXPECT_EQ(test, txn_send(test, 100, TORFW_LOAD_F_BEGIN, fill_ok), 0);
	KUNIT_EXPECT_EQ(test, txn_send(test, 200, TORFW_LOAD_F_BEGIN, fill_ok), 0);
	KUNIT_EXPECT_EQ(test, n_txns, 2U);
	KUNIT_EXPECT_EQ(test, txn_send(test, 300, TORFW_LOAD_F_COMMIT, NULL),
			-ESRCH);
	KUNIT_EXPECT_EQ(test, txn_send(test, 100, TORFW_LOAD_F_COMMIT, NULL), 0);
	KUNIT_EXPECT_EQ(test, txn_send(test, 200, TORFW_LOAD_F_COMMIT, NULL), 0);
	KUNIT_EXPECT_EQ(test, torfw_state_generation(), gen + 2);
	KUNIT_EXPECT_EQ(test, n_txns, 0U);

	/* A failed message ends its own transaction only. */
	KUNIT_EXPECT_EQ(test, txn_send(test, 100, TORFW_LOAD_F_BEGIN, fill_ok), 0);
	KUNIT_EXPECT_EQ(test, txn_send(test, 200, TORFW_LOAD_F_BEGIN, fill_ok), 0);
	KUNIT_EXPECT_EQ(test, txn_send(test, 100, 0, fill_missing_addr), -EINVAL);
	KUNIT_EXPECT_EQ(test, txn_send(test, 100, TORFW_LOAD_F_COMMIT, NULL),
			-ESRCH);
	KUNIT_EXPECT_EQ(test, txn_send(test, 200, TORFW_LOAD_F_COMMIT, NULL), 0);
	KUNIT_EXPECT_EQ(test, torfw_state_generation(), gen + 3);
	KUNIT_EXPECT_EQ(test, n_txns, 0U);
}

/* At most TORFW_MAX_LOADS open; a closed socket's is discarded. */
static void txn_limit_test(struct kunit *test)
{
	u32 i;

	for (i = 0; i < TORFW_MAX_LOADS; i++)
		KUNIT_EXPECT_EQ(test, txn_send(test, 1000 + i,
					       TORFW_LOAD_F_BEGIN, fill_ok), 0);
	KUNIT_EXPECT_EQ(test, txn_send(test, 2000, TORFW_LOAD_F_BEGIN, fill_ok),
			-EBUSY);
	/* BEGIN again on an open one replaces it: no new slot needed. */
	KUNIT_EXPECT_EQ(test, txn_send(test, 1000, TORFW_LOAD_F_BEGIN, fill_ok),
			0);
	KUNIT_EXPECT_EQ(test, n_txns, (unsigned int)TORFW_MAX_LOADS);
	for (i = 0; i < TORFW_MAX_LOADS; i++)
		txn_release(1000 + i);
	KUNIT_EXPECT_EQ(test, n_txns, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&txns));
}

static struct kunit_case netlink_cases[] = {
	KUNIT_CASE_PARAM(nl_load_test, nl_gen_params),
	KUNIT_CASE(txn_interleaved_test),
	KUNIT_CASE(txn_limit_test),
	{}
};

static struct kunit_suite netlink_suite = {
	.name = "torfw-netlink",
	.test_cases = netlink_cases,
};

kunit_test_suite(netlink_suite);
