// SPDX-License-Identifier: GPL-2.0
/*
 * Decoders of kernel messages, fed hand-built replies: values, unknown
 * attributes skipped, malformed ones refused, and extended acks.
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
#include "event.h"
#include "fake_resolver.h"
#include "tests.h"

static char buf[8192];

static struct nlmsghdr *msg(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x1234;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TORFW_GENL_VERSION;
	return nlh;
}

static void test_status(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_STATUS);
	struct tf_status st;
	const char *why;

	(void)state;
	mnl_attr_put_u64(nlh, TORFW_A_GENERATION, 42);
	mnl_attr_put_u32(nlh, TORFW_A_FLAGS,
			 TORFW_STATUS_F_LOADED | TORFW_STATUS_F_LOCKED);
	mnl_attr_put_strz(nlh, TORFW_A_VERSION, "0.1.0");
	mnl_attr_put_u32(nlh, TORFW_A_SERVICE_COUNT, 12);
	mnl_attr_put_u32(nlh, 200, 1);	/* from a newer module: skipped */
	assert_int_equal(decode_status(nlh, &st, &why), 0);
	assert_int_equal(st.generation, 42);
	assert_int_equal(st.flags, TORFW_STATUS_F_LOADED | TORFW_STATUS_F_LOCKED);
	assert_string_equal(st.version, "0.1.0");
	assert_int_equal(st.services, 12);
}

static void test_status_bad_length(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_STATUS);
	struct tf_status st;
	const char *why = NULL;

	(void)state;
	mnl_attr_put_u32(nlh, TORFW_A_GENERATION, 42);	/* u64 expected */
	assert_int_equal(decode_status(nlh, &st, &why), -EBADMSG);
	assert_string_equal(why, "malformed status attribute");
}

static void test_status_missing_generation(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_STATUS);
	struct tf_status st;
	const char *why = NULL;

	(void)state;
	mnl_attr_put_u32(nlh, TORFW_A_FLAGS, 0);
	assert_int_equal(decode_status(nlh, &st, &why), -EBADMSG);
	assert_string_equal(why, "status without generation");
}

static void test_version_not_terminated(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_STATUS);
	struct tf_status st;
	const char *why = NULL;

	(void)state;
	mnl_attr_put_u64(nlh, TORFW_A_GENERATION, 1);
	mnl_attr_put(nlh, TORFW_A_VERSION, 3, "abc");
	assert_int_equal(decode_status(nlh, &st, &why), -EBADMSG);
}

static void put_service(struct nlmsghdr *nlh, uint16_t port, bool extra)
{
	static const uint8_t lo[4] = { 127, 0, 0, 1 };
	struct nlattr *n = mnl_attr_nest_start(nlh, TORFW_A_SERVICE), *ns;

	mnl_attr_put_u8(nlh, TORFW_SVC_FAMILY, AF_INET);
	mnl_attr_put_u8(nlh, TORFW_SVC_PROTO, IPPROTO_TCP);
	mnl_attr_put(nlh, TORFW_SVC_ADDR, 4, lo);
	mnl_attr_put_u16(nlh, TORFW_SVC_PORT_LO, port);
	mnl_attr_put_u32(nlh, TORFW_SVC_UID, 1000);
	if (extra)
		mnl_attr_put_u32(nlh, 99, 7);	/* unknown: skipped */
	ns = mnl_attr_nest_start(nlh, TORFW_SVC_NETNS);
	mnl_attr_put_strz(nlh, TORFW_NS_NAME, "n1");
	mnl_attr_put_u64(nlh, TORFW_NS_COOKIE, 0x1122334455667788ULL);
	mnl_attr_nest_end(nlh, ns);
	mnl_attr_nest_end(nlh, n);
}

static void test_policy_dump(void **state)
{
	struct tf_policy *pol = policy_new();
	struct nlmsghdr *nlh;
	struct nlattr *n;
	const char *why = NULL;

	(void)state;
	nlh = msg(TORFW_CMD_GET_POLICY);
	mnl_attr_put_u64(nlh, TORFW_A_GENERATION, 7);
	put_service(nlh, 9050, true);
	n = mnl_attr_nest_start(nlh, TORFW_A_GRANT);
	mnl_attr_put_strz(nlh, TORFW_NS_NAME, "clearnet");
	mnl_attr_put_u64(nlh, TORFW_NS_COOKIE, 5);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_policy(nlh, pol, &why), 0);
	nlh = msg(TORFW_CMD_GET_POLICY);
	mnl_attr_put_u64(nlh, TORFW_A_GENERATION, 7);
	put_service(nlh, 9062, false);
	assert_int_equal(decode_policy(nlh, pol, &why), 0);

	assert_int_equal(pol->generation, 7);
	assert_int_equal(pol->nservices, 2);
	assert_int_equal(pol->services[0].lo, 9050);
	assert_int_equal(pol->services[0].hi, 9050);
	assert_int_equal(pol->services[1].kidx, 1);
	assert_string_equal(pol->services[0].netns[0].name, "n1");
	assert_null(pol->services[0].loc.file);
	assert_string_equal(pol->grants[0].name, "clearnet");
	policy_free(pol);
}

static void test_policy_generation_changes(void **state)
{
	struct tf_policy *pol = policy_new();
	struct nlmsghdr *nlh;
	const char *why = NULL;

	(void)state;
	nlh = msg(TORFW_CMD_GET_POLICY);
	mnl_attr_put_u64(nlh, TORFW_A_GENERATION, 7);
	assert_int_equal(decode_policy(nlh, pol, &why), 0);
	nlh = msg(TORFW_CMD_GET_POLICY);
	mnl_attr_put_u64(nlh, TORFW_A_GENERATION, 8);
	assert_int_equal(decode_policy(nlh, pol, &why), -EAGAIN);
	policy_free(pol);
}

static void test_policy_bad_address(void **state)
{
	struct tf_policy *pol = policy_new();
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_POLICY);
	struct nlattr *n;
	const char *why = NULL;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_SERVICE);
	mnl_attr_put_u8(nlh, TORFW_SVC_FAMILY, AF_INET);
	mnl_attr_put_u8(nlh, TORFW_SVC_PROTO, IPPROTO_TCP);
	mnl_attr_put(nlh, TORFW_SVC_ADDR, 5, "abcde");
	mnl_attr_put_u16(nlh, TORFW_SVC_PORT_LO, 1);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_policy(nlh, pol, &why), -EBADMSG);
	assert_string_equal(why, "bad service address length");
	assert_int_equal(pol->nservices, 0);
	policy_free(pol);
}

static void test_policy_unknown_role(void **state)
{
	struct tf_policy *pol = policy_new();
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_POLICY);
	struct nlattr *n;
	const char *why = NULL;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_ROLE);
	mnl_attr_put_u8(nlh, TORFW_ROLE_KIND, 77);
	mnl_attr_put_u32(nlh, TORFW_ROLE_UID, 1);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_policy(nlh, pol, &why), -EOPNOTSUPP);
	assert_string_equal(why, "unknown role kind");
	policy_free(pol);
}

static void test_policy_incomplete_redirect(void **state)
{
	struct tf_policy *pol = policy_new();
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_POLICY);
	struct nlattr *n;
	const char *why = NULL;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_REDIRECT);
	mnl_attr_put_u8(nlh, TORFW_REDIR_KIND, TORFW_REDIR_DNS);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_policy(nlh, pol, &why), -EBADMSG);
	assert_string_equal(why, "incomplete redirect");
	policy_free(pol);
}

/* An options nest as GET_POLICY dumps it; kernel < 0: without the u8. */
static struct nlmsghdr *options_dump(int kernel)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_POLICY);
	struct nlattr *n;

	mnl_attr_put_u64(nlh, TORFW_A_GENERATION, 3);
	n = mnl_attr_nest_start(nlh, TORFW_A_OPTIONS);
	mnl_attr_put_u8(nlh, TORFW_OPT_NOSOCK, TORFW_NOSOCK_LOOPBACK);
	mnl_attr_put_u32(nlh, TORFW_OPT_LOG_RATE, 10);
	mnl_attr_put_u32(nlh, TORFW_OPT_LOG_BURST, 20);
	mnl_attr_put_u32(nlh, TORFW_OPT_FLAGS, TORFW_OPT_F_MTU_PROBING);
	if (kernel >= 0)
		mnl_attr_put_u8(nlh, TORFW_OPT_KERNEL, (uint8_t)kernel);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/* show: the dumped mode is printed, and what show prints loads back. */
static void test_policy_kernel_sockets(void **state)
{
	static const char *const names[] = {
		[TORFW_KERNEL_REFUSE] = "kernel-sockets refuse\n",
		[TORFW_KERNEL_LAN] = "kernel-sockets lan\n",
	};
	unsigned int k;

	(void)state;
	for (k = 0; k < __TORFW_KERNEL_MAX; k++) {
		struct tf_policy *pol = policy_new(), *again;
		const char *why = NULL;
		char *text, *text2;

		assert_int_equal(decode_policy(options_dump((int)k), pol, &why),
				 0);
		assert_int_equal(pol->opt.kernel, k);
		text = print_to_string(pol);
		assert_non_null(strstr(text, names[k]));
		again = parse_ok(text);
		assert_int_equal(again->opt.kernel, k);
		text2 = print_to_string(again);
		assert_string_equal(text, text2);
		free(text);
		free(text2);
		policy_free(pol);
		policy_free(again);
	}
}

/* A module that does not send the option: the default, refuse. */
static void test_policy_kernel_sockets_absent(void **state)
{
	struct tf_policy *pol = policy_new();
	const char *why = NULL;

	(void)state;
	/* a retried dump starts again from policy_clear() */
	pol->opt.kernel = TORFW_KERNEL_LAN;
	policy_clear(pol);
	assert_int_equal(decode_policy(options_dump(-1), pol, &why), 0);
	assert_int_equal(pol->opt.kernel, TORFW_KERNEL_REFUSE);
	policy_free(pol);
}

/* A mode of a newer module is refused, not printed as another one. */
static void test_policy_kernel_sockets_unknown(void **state)
{
	struct tf_policy *pol = policy_new();
	const char *why = NULL;

	(void)state;
	assert_int_equal(decode_policy(options_dump(__TORFW_KERNEL_MAX), pol,
				       &why), -EOPNOTSUPP);
	assert_string_equal(why, "unknown kernel-sockets mode");
	policy_free(pol);
}

static void test_policy_kernel_sockets_malformed(void **state)
{
	struct tf_policy *pol = policy_new();
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_POLICY);
	struct nlattr *n;
	const char *why = NULL;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_OPTIONS);
	mnl_attr_put_u32(nlh, TORFW_OPT_KERNEL, TORFW_KERNEL_LAN); /* not u8 */
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_policy(nlh, pol, &why), -EBADMSG);
	assert_string_equal(why, "malformed option");
	policy_free(pol);
}

static void put_counter(struct nlmsghdr *nlh, uint16_t type, uint32_t idx,
			uint64_t packets)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, TORFW_A_COUNTER);

	if (type == TORFW_CTR_REASON)
		mnl_attr_put_u16(nlh, type, (uint16_t)idx);
	else
		mnl_attr_put_u32(nlh, type, idx);
	mnl_attr_put_u64(nlh, TORFW_CTR_PACKETS, packets);
	mnl_attr_nest_end(nlh, n);
}

static void test_counters(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_STATS);
	struct tf_counters c = { 0 };
	const char *why = NULL;

	(void)state;
	put_counter(nlh, TORFW_CTR_REASON, TORFW_R_ESTABLISHED, 1000);
	put_counter(nlh, TORFW_CTR_REASON, TORFW_R_INTERNET_NON_TCP, 3);
	put_counter(nlh, TORFW_CTR_REASON, 4000, 9);	/* beyond the table */
	put_counter(nlh, TORFW_CTR_SERVICE, 2, 17);
	assert_int_equal(decode_counters(nlh, &c, &why), 0);
	assert_true(c.have_reason[TORFW_R_ESTABLISHED]);
	assert_int_equal(c.reason[TORFW_R_ESTABLISHED], 1000);
	assert_int_equal(c.reason[TORFW_R_INTERNET_NON_TCP], 3);
	assert_false(c.have_reason[TORFW_R_NONE]);
	assert_int_equal(c.nsvc, 1);
	assert_int_equal(c.svc[0].index, 2);
	assert_int_equal(c.svc[0].packets, 17);
	free(c.svc);
}

static void test_counter_incomplete(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_STATS);
	struct tf_counters c = { 0 };
	struct nlattr *n;
	const char *why = NULL;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_COUNTER);
	mnl_attr_put_u16(nlh, TORFW_CTR_REASON, 1);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_counters(nlh, &c, &why), -EBADMSG);
	assert_string_equal(why, "incomplete counter");
	free(c.svc);
}

static void test_event(void **state)
{
	static const uint8_t dst[4] = { 192, 0, 2, 1 };
	struct nlmsghdr *nlh = msg(TORFW_CMD_EVENT);
	struct tf_event ev;
	struct nlattr *n;
	const char *why = NULL;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_EVENT);
	mnl_attr_put_u16(nlh, TORFW_EV_REASON, TORFW_R_INTERNET_TCP);
	mnl_attr_put_u8(nlh, TORFW_EV_HOOK, TORFW_HOOK_OUT);
	mnl_attr_put_u8(nlh, TORFW_EV_FAMILY, AF_INET);
	mnl_attr_put_u8(nlh, TORFW_EV_PROTO, IPPROTO_TCP);
	mnl_attr_put_u32(nlh, TORFW_EV_UID, 1000);
	mnl_attr_put_u32(nlh, TORFW_EV_PID, 4321);
	mnl_attr_put_strz(nlh, TORFW_EV_COMM, "firefox");
	mnl_attr_put(nlh, TORFW_EV_DADDR, 4, dst);
	mnl_attr_put_u16(nlh, TORFW_EV_DPORT, 443);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_event(nlh, &ev, &why), 0);
	assert_int_equal(ev.reason, TORFW_R_INTERNET_TCP);
	assert_true(ev.has_uid && ev.has_pid && ev.has_comm && ev.has_dport);
	assert_int_equal(ev.uid, 1000);
	assert_string_equal(ev.comm, "firefox");
	assert_memory_equal(ev.daddr, dst, 4);
	assert_int_equal(ev.dport, 443);
}

static void test_event_without_nest(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_EVENT);
	struct tf_event ev;
	const char *why = NULL;

	(void)state;
	mnl_attr_put_u32(nlh, TORFW_A_FLAGS, 0);
	assert_int_equal(decode_event(nlh, &ev, &why), -EBADMSG);
	assert_string_equal(why, "incomplete event");
}

static void test_event_family_mismatch(void **state)
{
	static const uint8_t dst[4] = { 192, 0, 2, 1 };
	struct nlmsghdr *nlh = msg(TORFW_CMD_EVENT);
	struct tf_event ev;
	struct nlattr *n;
	const char *why = NULL;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_EVENT);
	mnl_attr_put_u8(nlh, TORFW_EV_FAMILY, AF_INET6);
	mnl_attr_put(nlh, TORFW_EV_DADDR, 4, dst);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_event(nlh, &ev, &why), -EBADMSG);
	assert_string_equal(why, "event address does not match its family");
}

/* A raw frame refused on the egress hook: no IP family, no address. */
static void test_event_raw_frame(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_EVENT);
	struct tf_event ev;
	struct nlattr *n;
	const char *why = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_EVENT);
	mnl_attr_put_u16(nlh, TORFW_EV_REASON, TORFW_R_PACKET);
	mnl_attr_put_u8(nlh, TORFW_EV_HOOK, TORFW_HOOK_OUT);
	mnl_attr_put_u8(nlh, TORFW_EV_FAMILY, 0);
	mnl_attr_put_u8(nlh, TORFW_EV_PROTO, 0);
	mnl_attr_put_u32(nlh, TORFW_EV_UID, 0);
	mnl_attr_put_u32(nlh, TORFW_EV_PID, 5);
	mnl_attr_put_strz(nlh, TORFW_EV_COMM, "dhclient");
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_event(nlh, &ev, &why), 0);
	assert_false(ev.has_daddr);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	event_print(f, &ev);
	event_print_json(f, &ev);
	fclose(f);
	assert_string_equal(text,
		"refused uid=0 comm=dhclient pid=5 reason=packet\n"
		"{\"version\":1,\"event\":\"refused\",\"uid\":0,\"comm\":\"dhclient\","
		"\"pid\":5,\"reason\":\"packet\",\"hook\":\"out\"}\n");
	free(text);
}

static void test_family(void **state)
{
	struct nlmsghdr *nlh = msg(CTRL_CMD_NEWFAMILY);
	struct nlattr *groups, *g;
	struct tf_family fam;
	const char *why = NULL;

	(void)state;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "torfw");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 33);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	g = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 4);
	mnl_attr_nest_end(nlh, g);
	g = mnl_attr_nest_start(nlh, 2);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "events");
	mnl_attr_nest_end(nlh, g);
	mnl_attr_nest_end(nlh, groups);
	assert_int_equal(decode_family(nlh, &fam, &why), 0);
	assert_int_equal(fam.id, 33);
	assert_int_equal(fam.version, 1);
	assert_int_equal(fam.events_group, 9);
}

/* The request as the kernel echoes it, then the extack attributes. */
static struct nlmsghdr *error_msg(int error, bool capped, const char *text,
				  uint32_t offs)
{
	struct nlmsghdr *nlh, req = {
		.nlmsg_len = NLMSG_HDRLEN + 24, .nlmsg_type = 0x1234,
	};
	struct nlmsgerr *err;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg = req;
	if (!capped)	/* the request's 24 bytes of payload, echoed */
		mnl_nlmsg_put_extra_header(nlh, 24);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	return nlh;
}

static void test_extack_capped(void **state)
{
	struct tf_nlerr e;

	(void)state;
	assert_int_equal(decode_nlmsgerr(error_msg(-EEXIST, true,
						   "duplicate service", 60), &e),
			 -EEXIST);
	assert_string_equal(e.msg, "duplicate service");
	assert_true(e.has_offs);
	assert_int_equal(e.offs, 60);
}

static void test_extack_uncapped(void **state)
{
	struct tf_nlerr e;

	(void)state;
	assert_int_equal(decode_nlmsgerr(error_msg(-EINVAL, false,
						   "bad port", 44), &e),
			 -EINVAL);
	assert_string_equal(e.msg, "bad port");
	assert_int_equal(e.offs, 44);
}

static void test_plain_ack(void **state)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *err;
	struct tf_nlerr e;

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = 0;
	assert_int_equal(decode_nlmsgerr(nlh, &e), 0);
	assert_string_equal(e.msg, "");
	assert_false(e.has_offs);
}

static void test_done_with_error(void **state)
{
	struct nlmsghdr *nlh;
	struct tf_nlerr e;
	int *v;

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	v = mnl_nlmsg_put_extra_header(nlh, sizeof(*v));
	*v = -EPERM;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "locked");
	assert_int_equal(decode_nlmsgerr(nlh, &e), -EPERM);
	assert_string_equal(e.msg, "locked");
}

int test_decode_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_bad_length),
		cmocka_unit_test(test_status_missing_generation),
		cmocka_unit_test(test_version_not_terminated),
		cmocka_unit_test(test_policy_dump),
		cmocka_unit_test(test_policy_generation_changes),
		cmocka_unit_test(test_policy_bad_address),
		cmocka_unit_test(test_policy_unknown_role),
		cmocka_unit_test(test_policy_incomplete_redirect),
		cmocka_unit_test(test_policy_kernel_sockets),
		cmocka_unit_test(test_policy_kernel_sockets_absent),
		cmocka_unit_test(test_policy_kernel_sockets_unknown),
		cmocka_unit_test(test_policy_kernel_sockets_malformed),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_counter_incomplete),
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_event_without_nest),
		cmocka_unit_test(test_event_family_mismatch),
		cmocka_unit_test(test_event_raw_frame),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_extack_capped),
		cmocka_unit_test(test_extack_uncapped),
		cmocka_unit_test(test_plain_ack),
		cmocka_unit_test(test_done_with_error),
	};

	return RUN_GROUP("decode", tests, count);
}
