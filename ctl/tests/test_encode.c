// SPDX-License-Identifier: GPL-2.0
/*
 * The load encoder: messages built into buffers and read back with libmnl,
 * attribute by attribute, and the split of a large policy into a
 * BEGIN ... COMMIT transaction.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "encode.h"
#include "fake_resolver.h"
#include "tests.h"

#define FAMILY 0x1234

/* Namespaces "a" and "clearnet" have fds 7 and 8; others none. */
static int fake_fd(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "a"))
		return 7;
	if (!strcmp(name, "clearnet"))
		return 8;
	return -1;
}

static uint32_t msg_flags(const struct nlmsghdr *nlh)
{
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);

	/* The flags attribute is always the first. */
	assert_int_equal(mnl_attr_get_type(a), TORFW_A_FLAGS);
	assert_int_equal(mnl_attr_validate(a, MNL_TYPE_U32), 0);
	return mnl_attr_get_u32(a);
}

static unsigned int count_type(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;
	unsigned int n = 0;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		n += mnl_attr_get_type(a) == type;
	return n;
}

static const struct nlattr *nth(const struct nlmsghdr *nlh, uint16_t type,
				unsigned int i)
{
	const struct nlattr *a;
	unsigned int seen = 0;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		/* cppcheck does not see through libmnl's loop macro */
		/* cppcheck-suppress unreadVariable */
		if (mnl_attr_get_type(a) == type && seen++ == i)
			return a;
	return NULL;
}

static const struct nlattr *child(const struct nlattr *nest, uint16_t type,
				  unsigned int i)
{
	const struct nlattr *a;
	unsigned int seen = 0;

	mnl_attr_for_each_nested(a, nest)
		/* cppcheck does not see through libmnl's loop macro */
		/* cppcheck-suppress unreadVariable */
		if (mnl_attr_get_type(a) == type && seen++ == i)
			return a;
	return NULL;
}

static void test_single_message(void **state)
{
	struct tf_policy *pol = parse_ok(
		"role tor debian-tor\n"
		"allow udp 127.0.0.1:53 amnesia htp drop _apt netns a\n"
		"allow tcp [::1]:4101-4102 amnesia\n"
		"lan 10.0.0.0/8\nlan-refuse udp 137\n"
		"grant netns clearnet\n"
		"redirect automap 127.192.0.0/10 to 9040\n"
		"nosocket accept\nlog-rate 3\nlog-burst 4\nmtu-probing on\n");
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *genl;
	const struct nlattr *n, *x;
	struct tf_batch b;
	uint8_t v6[16] = { [15] = 1 }, v4[4] = { 127, 0, 0, 1 };

	(void)state;
	assert_int_equal(encode_load(pol, FAMILY, 100, 0, TF_MSG_MAX, fake_fd,
				     NULL, &b), 0);
	assert_int_equal(b.nmsgs, 1);
	nlh = (const struct nlmsghdr *)b.msgs[0].buf;
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, 100);
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, TORFW_CMD_LOAD);
	assert_int_equal(genl->version, TORFW_GENL_VERSION);
	assert_int_equal(msg_flags(nlh),
			 TORFW_LOAD_F_BEGIN | TORFW_LOAD_F_COMMIT);

	n = nth(nlh, TORFW_A_OPTIONS, 0);
	assert_non_null(n);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_OPT_NOSOCK, 0)),
			 TORFW_NOSOCK_ACCEPT);
	assert_int_equal(mnl_attr_get_u32(child(n, TORFW_OPT_LOG_RATE, 0)), 3);
	assert_int_equal(mnl_attr_get_u32(child(n, TORFW_OPT_LOG_BURST, 0)), 4);
	assert_int_equal(mnl_attr_get_u32(child(n, TORFW_OPT_FLAGS, 0)),
			 TORFW_OPT_F_MTU_PROBING);
	/* kernel-sockets at its default (refuse): absent */
	assert_null(child(n, TORFW_OPT_KERNEL, 0));

	n = nth(nlh, TORFW_A_ROLE, 0);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_ROLE_KIND, 0)),
			 TORFW_ROLE_TOR);
	assert_int_equal(mnl_attr_get_u32(child(n, TORFW_ROLE_UID, 0)), 107);

	assert_int_equal(count_type(nlh, TORFW_A_SERVICE), 2);
	n = nth(nlh, TORFW_A_SERVICE, 0);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_SVC_FAMILY, 0)), AF_INET);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_SVC_PROTO, 0)),
			 IPPROTO_UDP);
	x = child(n, TORFW_SVC_ADDR, 0);
	assert_int_equal(mnl_attr_get_payload_len(x), 4);
	assert_memory_equal(mnl_attr_get_payload(x), v4, 4);
	assert_int_equal(mnl_attr_get_u16(child(n, TORFW_SVC_PORT_LO, 0)), 53);
	assert_null(child(n, TORFW_SVC_PORT_HI, 0));
	assert_int_equal(mnl_attr_get_u32(child(n, TORFW_SVC_UID, 0)), 1000);
	assert_int_equal(mnl_attr_get_u32(child(n, TORFW_SVC_UID, 1)), 109);
	assert_null(child(n, TORFW_SVC_UID, 2));
	assert_int_equal(mnl_attr_get_u32(child(n, TORFW_SVC_DROP_UID, 0)), 42);
	x = child(n, TORFW_SVC_NETNS, 0);
	assert_int_equal(mnl_attr_get_u32(child(x, TORFW_NS_FD, 0)), 7);
	assert_string_equal(mnl_attr_get_str(child(x, TORFW_NS_NAME, 0)), "a");
	assert_int_equal(mnl_attr_validate(child(x, TORFW_NS_NAME, 0),
					   MNL_TYPE_NUL_STRING), 0);

	n = nth(nlh, TORFW_A_SERVICE, 1);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_SVC_FAMILY, 0)),
			 AF_INET6);
	x = child(n, TORFW_SVC_ADDR, 0);
	assert_int_equal(mnl_attr_get_payload_len(x), 16);
	assert_memory_equal(mnl_attr_get_payload(x), v6, 16);
	assert_int_equal(mnl_attr_get_u16(child(n, TORFW_SVC_PORT_HI, 0)), 4102);

	n = nth(nlh, TORFW_A_LAN, 0);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_PFX_FAMILY, 0)), AF_INET);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_PFX_LEN, 0)), 8);
	n = nth(nlh, TORFW_A_LAN_REFUSE, 0);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_PORT_PROTO, 0)),
			 IPPROTO_UDP);
	assert_int_equal(mnl_attr_get_u16(child(n, TORFW_PORT_LO, 0)), 137);
	assert_null(child(n, TORFW_PORT_HI, 0));
	n = nth(nlh, TORFW_A_GRANT, 0);
	assert_int_equal(mnl_attr_get_u32(child(n, TORFW_NS_FD, 0)), 8);
	assert_string_equal(mnl_attr_get_str(child(n, TORFW_NS_NAME, 0)),
			    "clearnet");
	n = nth(nlh, TORFW_A_REDIRECT, 0);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_REDIR_KIND, 0)),
			 TORFW_REDIR_AUTOMAP);
	assert_int_equal(mnl_attr_get_u8(child(n, TORFW_REDIR_PREFIXLEN, 0)), 10);
	assert_int_equal(mnl_attr_get_u16(child(n, TORFW_REDIR_PORT, 0)), 0);
	assert_int_equal(mnl_attr_get_u16(child(n, TORFW_REDIR_TO_PORT, 0)),
			 9040);
	batch_free(&b);
	policy_free(pol);
}

static void test_empty_policy(void **state)
{
	struct tf_policy *pol = parse_ok("");
	struct tf_batch b;
	const struct nlmsghdr *nlh;

	(void)state;
	assert_int_equal(encode_load(pol, FAMILY, 1, 0, TF_MSG_MAX, NULL, NULL,
				     &b), 0);
	assert_int_equal(b.nmsgs, 1);
	nlh = (const struct nlmsghdr *)b.msgs[0].buf;
	assert_int_equal(msg_flags(nlh),
			 TORFW_LOAD_F_BEGIN | TORFW_LOAD_F_COMMIT);
	assert_int_equal(count_type(nlh, TORFW_A_OPTIONS), 1);
	assert_int_equal(count_type(nlh, TORFW_A_SERVICE), 0);
	batch_free(&b);
	policy_free(pol);
}

/*
 * kernel-sockets: sent as a u8 when not refuse; refuse (the default, also
 * when written) is left out, which the module reads as refuse.
 */
static void test_kernel_sockets_attr(void **state)
{
	static const struct {
		const char *text;
		int mode;	/* -1: absent */
	} cases[] = {
		{ "kernel-sockets refuse\n", -1 },
		{ "kernel-sockets lan\n", TORFW_KERNEL_LAN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tf_policy *pol = parse_ok(cases[i].text);
		const struct nlattr *n, *k;
		struct tf_batch b;

		assert_int_equal(encode_load(pol, FAMILY, 1, 0, TF_MSG_MAX,
					     NULL, NULL, &b), 0);
		n = nth((const void *)b.msgs[0].buf, TORFW_A_OPTIONS, 0);
		assert_non_null(n);
		k = child(n, TORFW_OPT_KERNEL, 0);
		if (cases[i].mode < 0) {
			assert_null(k);
		} else {
			assert_non_null(k);
			assert_int_equal(mnl_attr_validate(k, MNL_TYPE_U8), 0);
			assert_int_equal(mnl_attr_get_u8(k), cases[i].mode);
		}
		assert_int_equal(mnl_attr_get_u8(child(n, TORFW_OPT_NOSOCK, 0)),
				 TORFW_NOSOCK_LOOPBACK);
		batch_free(&b);
		policy_free(pol);
	}
}

/* A big policy: 3000 entries of 40 uids, about 0.6 MB of attributes. */
static struct tf_policy *big_policy(void)
{
	struct tf_policy *pol = policy_new();
	unsigned int i, j;

	assert_non_null(pol);
	for (i = 0; i < 3000; i++) {
		struct tf_service *s = policy_add_service(pol);

		assert_non_null(s);
		s->family = AF_INET;
		s->proto = IPPROTO_TCP;
		s->addr[0] = 127;
		s->addr[3] = 1;
		s->lo = s->hi = (uint16_t)(i + 1);
		for (j = 0; j < 40; j++)
			s->uids[s->nuids++] = 10000 + j;
	}
	for (i = 0; i < 100; i++) {
		pol->roles[i].kind = TORFW_ROLE_CLEARNET;
		pol->roles[i].uid = 20000 + i;
	}
	pol->nroles = 100;
	return pol;
}

static void test_chunked_transaction(void **state)
{
	struct tf_policy *pol = big_policy();
	struct tf_batch b;
	unsigned int services = 0, roles = 0, options = 0;
	uint16_t next_port = 1;
	size_t i;

	(void)state;
	assert_int_equal(encode_load(pol, FAMILY, 500, 0, TF_MSG_MAX, NULL,
				     NULL, &b), 0);
	assert_true(b.nmsgs > 10);
	for (i = 0; i < b.nmsgs; i++) {
		const struct nlmsghdr *nlh = (const void *)b.msgs[i].buf;
		uint32_t want = (i == 0 ? TORFW_LOAD_F_BEGIN : 0) |
				(i == b.nmsgs - 1 ? TORFW_LOAD_F_COMMIT : 0);
		const struct nlattr *a;

		assert_true(nlh->nlmsg_len <= TF_MSG_MAX);
		/* full except the last: nothing wasted but one element */
		if (i < b.nmsgs - 1)
			assert_true(nlh->nlmsg_len > TF_MSG_MAX - 400);
		assert_int_equal(nlh->nlmsg_seq, 500 + i);
		assert_int_equal(msg_flags(nlh), want);
		options += count_type(nlh, TORFW_A_OPTIONS);
		roles += count_type(nlh, TORFW_A_ROLE);
		/* Elements arrive whole and in order. */
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			if (mnl_attr_get_type(a) != TORFW_A_SERVICE)
				continue;
			assert_int_equal(mnl_attr_get_u16(child(a, TORFW_SVC_PORT_LO, 0)),
					 next_port);
			assert_non_null(child(a, TORFW_SVC_UID, 39));
			next_port++;
			services++;
		}
	}
	assert_int_equal(options, 1);
	assert_int_equal(roles, 100);
	assert_int_equal(services, 3000);
	batch_free(&b);
	policy_free(pol);
}

static void test_check_flag_everywhere(void **state)
{
	struct tf_policy *pol = big_policy();
	struct tf_batch b;
	size_t i;

	(void)state;
	assert_int_equal(encode_load(pol, FAMILY, 1, TORFW_LOAD_F_CHECK,
				     TF_MSG_MAX, NULL, NULL, &b), 0);
	for (i = 0; i < b.nmsgs; i++)
		assert_true(msg_flags((const void *)b.msgs[i].buf) &
			    TORFW_LOAD_F_CHECK);
	batch_free(&b);
	policy_free(pol);
}

static void test_element_too_big(void **state)
{
	struct tf_policy *pol = parse_ok("allow tcp 127.0.0.1:1 1 2 3 4 5\n");
	struct tf_batch b;

	(void)state;
	/* header + flags fit in 64 bytes, the entry never does */
	assert_int_equal(encode_load(pol, FAMILY, 1, 0, 64, NULL, NULL, &b),
			 -EMSGSIZE);
	assert_int_equal(b.nmsgs, 0);
	policy_free(pol);
}

static void test_netns_without_fd(void **state)
{
	struct tf_policy *pol = parse_ok("grant netns unknown\n");
	struct tf_batch b;

	(void)state;
	assert_int_equal(encode_load(pol, FAMILY, 1, 0, TF_MSG_MAX, fake_fd,
				     NULL, &b), -EBADF);
	policy_free(pol);
}

/* An extack offset inside an element leads back to its config line. */
static void test_offset_to_location(void **state)
{
	struct tf_policy *pol = parse_ok(
		"role tor root\n\nallow tcp 127.0.0.1:80 root\n");
	const struct nlmsghdr *nlh;
	const struct nlattr *svc;
	const struct tf_loc *loc;
	struct tf_batch b;
	uint32_t off;

	(void)state;
	assert_int_equal(encode_load(pol, FAMILY, 1, 0, TF_MSG_MAX, NULL, NULL,
				     &b), 0);
	nlh = (const void *)b.msgs[0].buf;
	svc = nth(nlh, TORFW_A_SERVICE, 0);
	off = (uint32_t)((const char *)child(svc, TORFW_SVC_UID, 0) -
			 (const char *)nlh);
	loc = batch_find(&b, 0, off);
	assert_non_null(loc);
	assert_int_equal(loc->line, 3);
	assert_int_equal(loc->col, 1);
	assert_null(batch_find(&b, 0, 4));	/* the header: no element */
	batch_free(&b);
	policy_free(pol);
}

/* LOAD and GET_POLICY share attributes: decode what was encoded. */
static void test_encode_decode_round_trip(void **state)
{
	static const char text[] =
		"role tor debian-tor\nrole packet 0\n"
		"allow udp 127.0.0.1:53 amnesia htp drop _apt netns a\n"
		"allow tcp [::1]:4101-4102 amnesia\n"
		"lan 10.0.0.0/8\nlan 172.16.0.0/12\nlan-refuse udp 137\n"
		"lan-refuse tcp 1-1024\ngrant netns clearnet\n"
		"redirect automap 127.192.0.0/10 to 9040\n"
		"redirect dns 127.0.0.1:53 to 5353\n"
		"nosocket accept\nkernel-sockets lan\nlog-rate 3\n"
		"log-burst 4\nmtu-probing on\n";
	struct tf_policy *pol = parse_ok(text), *back = policy_new();
	struct tf_batch b;
	const char *why = NULL;
	char *t1, *t2;
	size_t i;

	(void)state;
	t1 = print_to_string(pol);
	/* small messages: the elements spread over several */
	assert_int_equal(encode_load(pol, FAMILY, 1, 0, 128, fake_fd, NULL,
				     &b), 0);
	assert_true(b.nmsgs > 3);
	for (i = 0; i < b.nmsgs; i++)
		assert_int_equal(decode_policy((const void *)b.msgs[i].buf,
					       back, &why), 0);
	assert_int_equal(back->opt.kernel, TORFW_KERNEL_LAN);
	t2 = print_to_string(back);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	batch_free(&b);
	policy_free(pol);
	policy_free(back);
}

int test_encode_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_message),
		cmocka_unit_test(test_empty_policy),
		cmocka_unit_test(test_kernel_sockets_attr),
		cmocka_unit_test(test_chunked_transaction),
		cmocka_unit_test(test_check_flag_everywhere),
		cmocka_unit_test(test_element_too_big),
		cmocka_unit_test(test_netns_without_fd),
		cmocka_unit_test(test_offset_to_location),
		cmocka_unit_test(test_encode_decode_round_trip),
	};

	return RUN_GROUP("encode", tests, count);
}
