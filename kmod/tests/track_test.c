// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: which flows conntrack sees (torfw_decide_track()). It decides
 * what can be RELATED or INVALID later, so each kind of flow is a case:
 * redirected loopback flows in both directions and ICMP errors about
 * them, LAN datagrams, connected UDP sockets, TCP, granted and ungranted
 * namespaces.
 */

#include <kunit/test.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "policy.h"
#include "tests/ref.h"

/* T_SERVED: a service names the ungranted namespace NS_OTHER. */
enum { T_REF, T_NOGRANT, T_SERVED, T_NONE, __T_MAX };

enum track_flags {
	T_LO = 1 << 0,		/* loopback device */
	T_UDPCONN = 1 << 1,	/* owner is a connected UDP socket */
	T_ICMPERR = 1 << 2,	/* ICMP error quoting the inner_* packet */
	T_NOPORTS = 1 << 3,	/* no L4 ports read */
};

struct tcase {
	const char *name;
	u8 policy;
	u8 hook;
	u8 proto;
	const char *saddr;
	u16 sport;
	const char *daddr;
	u16 dport;
	u32 flags;
	u64 from_ns;
	u64 to_ns;
	u8 inner_proto;
	const char *inner_saddr;
	u16 inner_sport;
	const char *inner_daddr;
	u16 inner_dport;
	u8 want;
};

#define T(_name, _pol, _hook, _proto, _sa, _sp, _da, _dp, _fl, _want, ...) \
	{ .name = _name, .policy = _pol, .hook = TORFW_HOOK_##_hook,	   \
	  .proto = IPPROTO_##_proto, .saddr = _sa, .sport = _sp,	   \
	  .daddr = _da, .dport = _dp, .flags = _fl,			   \
	  .want = TORFW_TRACK_##_want, __VA_ARGS__ }
#define INNER(_p, _sa, _sp, _da, _dp)					   \
	.inner_proto = IPPROTO_##_p, .inner_saddr = _sa,		   \
	.inner_sport = _sp, .inner_daddr = _da, .inner_dport = _dp

static const struct tcase tcases[] = {
	/* Automap: the client's SYN to the mapped address, Tor's reply. */
	T("automap: client to a mapped address", T_REF, OUT, TCP, LO4, 40000,
	  "127.192.0.5", 80, T_LO, YES),
	T("automap: the TransPort's reply", T_REF, OUT, TCP, LO4, 9040, LO4,
	  40000, T_LO, YES),
	T("automap: first address outside the range", T_REF, OUT, TCP, LO4,
	  40000, "127.191.255.255", 80, T_LO, NO),
	T("dns: query to 127.0.0.1:53", T_REF, OUT, UDP, LO4, 40000, LO4, 53,
	  T_LO, YES),
	T("dns: the DNSPort's reply", T_REF, OUT, UDP, LO4, 5353, LO4, 40000,
	  T_LO, YES),
	T("dns: without the redirect in the policy", T_NOGRANT, OUT, UDP, LO4,
	  40000, LO4, 53, T_LO, NO),
	T("icmp error about a redirected query", T_REF, OUT, ICMP, LO4, 0, LO4,
	  0, T_LO | T_ICMPERR | T_NOPORTS, YES,
	  INNER(UDP, LO4, 40000, LO4, 53)),
	T("icmp error about an automapped connection", T_REF, OUT, ICMP, LO4,
	  0, LO4, 0, T_LO | T_ICMPERR | T_NOPORTS, YES,
	  INNER(TCP, LO4, 40000, "127.200.0.1", 443)),
	T("icmp error about another loopback flow", T_REF, OUT, ICMP, LO4, 0,
	  LO4, 0, T_LO | T_ICMPERR | T_NOPORTS, NO,
	  INNER(TCP, LO4, 40000, LO4, 9050)),
	T("ping on loopback", T_REF, OUT, ICMP, LO4, 0, LO4, 0,
	  T_LO | T_NOPORTS, NO),
	T("socks connection on loopback", T_REF, OUT, TCP, LO4, 40000, LO4,
	  9050, T_LO, NO),
	T("loopback without a policy", T_NONE, OUT, TCP, LO4, 40000,
	  "127.192.0.5", 80, T_LO, NO),
	/* Locally generated, leaving through a device. */
	T("udp to the LAN, unconnected socket (udp.c)", T_REF, OUT, UDP,
	  "192.168.50.2", 40000, "192.168.50.1", 9, 0, NO),
	T("udp to the LAN, connected socket", T_REF, OUT, UDP, "192.168.50.2",
	  40000, "192.168.50.1", 9, T_UDPCONN, NO),
	T("ping to the LAN", T_REF, OUT, ICMP, "192.168.50.2", 0,
	  "192.168.50.1", 0, T_NOPORTS, YES),
	T("sctp to the LAN", T_REF, OUT, SCTP, "192.168.50.2", 40000,
	  "192.168.50.1", 9, 0, YES),
	T("tcp off loopback", T_REF, OUT, TCP, "192.0.2.2", 40000, "192.0.2.1",
	  443, 0, NO),
	T("tcp to a granted namespace's veth", T_REF, OUT, TCP, "10.200.1.1",
	  8080, "10.200.1.2", 40000, 0, YES, .to_ns = NS_CLEARNET),
	T("tcp to a namespace no service names", T_REF, OUT, TCP,
	  "10.200.1.1", 8080, "10.200.2.2", 40000, 0, NO, .to_ns = NS_OTHER),
	T("tcp to a namespace a service names", T_SERVED, OUT, TCP,
	  "10.200.1.1", 8080, "10.200.2.2", 40000, 0, YES, .to_ns = NS_OTHER),
	T("from a namespace a service names", T_SERVED, IN, UDP, "10.200.2.2",
	  40000, "10.200.1.1", 53, 0, YES, .from_ns = NS_OTHER),
	T("tcp off loopback without a policy", T_NONE, OUT, UDP, "192.0.2.2",
	  40000, "192.0.2.1", 53, 0, NO),
	/* Arriving through a device (PRE_ROUTING). */
	T("from a granted namespace", T_REF, IN, TCP, "10.200.1.2", 40000,
	  "192.0.2.1", 80, 0, YES, .from_ns = NS_CLEARNET),
	T("from an ungranted namespace: only known flows", T_REF, IN, TCP,
	  "10.200.2.2", 40000, "192.0.2.1", 80, 0, KNOWN,
	  .from_ns = NS_OTHER),
	T("udp from the LAN, grants in the policy: only known flows", T_REF,
	  IN, UDP, "192.168.50.1", 9, "192.168.50.2", 40000, 0, KNOWN),
	T("udp from the LAN, no grant (udp.c)", T_NOGRANT, IN, UDP,
	  "192.168.50.1", 9, "192.168.50.2", 40000, 0, NO),
	T("ping reply from the LAN, no grant: only known flows", T_NOGRANT,
	  IN, ICMP, "192.168.50.1", 0, "192.168.50.2", 0, T_NOPORTS, KNOWN),
	T("tcp from the uplink, grants in the policy", T_REF, IN, TCP,
	  "192.0.2.1", 443, "192.0.2.2", 40000, 0, KNOWN),
	T("tcp from the uplink, no grant", T_NOGRANT, IN, TCP, "192.0.2.1",
	  443, "192.0.2.2", 40000, 0, NO),
	T("udp from the uplink without a policy", T_NONE, IN, UDP, "192.0.2.1",
	  53, "192.0.2.2", 40000, 0, NO),
};

static void tcase_desc(const struct tcase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(track, tcases, tcase_desc);

static struct torfw_policy *track_policies[__T_MAX];

static void track_test(struct kunit *test)
{
	const struct tcase *c = test->param_value;
	u32 fl = c->flags;
	struct torfw_facts f = {
		.hook = c->hook,
		.proto = c->proto,
		.init_net = true,
		.sport = c->sport,
		.dport = c->dport,
		.ports = !(fl & T_NOPORTS),
		.lo = fl & T_LO,
		.udp_connected = fl & T_UDPCONN,
		.icmp_err = fl & T_ICMPERR,
		.from_ns = c->from_ns,
		.to_ns = c->to_ns,
		.inner_proto = c->inner_proto,
		.inner_sport = c->inner_sport,
		.inner_dport = c->inner_dport,
	};

	f.saddr = torfw_test_addr(c->saddr, &f.family);
	f.daddr = torfw_test_addr(c->daddr, &f.family);
	if (fl & T_ICMPERR) {
		f.inner_saddr = torfw_test_ip4(c->inner_saddr);
		f.inner_daddr = torfw_test_ip4(c->inner_daddr);
	}
	KUNIT_EXPECT_EQ(test, torfw_decide_track(track_policies[c->policy], &f),
			c->want);
}

static int track_suite_init(struct kunit_suite *suite)
{
	track_policies[T_REF] = torfw_test_reference(TORFW_NOSOCK_LOOPBACK, 0);
	track_policies[T_NOGRANT] =
		torfw_test_reference_v(V_NO_GRANT | V_NO_REDIR,
				       TORFW_NOSOCK_LOOPBACK, 0);
	track_policies[T_SERVED] = torfw_test_reference_v(V_SVC_NS_OTHER,
							  TORFW_NOSOCK_LOOPBACK,
							  0);
	if (IS_ERR(track_policies[T_REF]) ||
	    IS_ERR(track_policies[T_NOGRANT]) ||
	    IS_ERR(track_policies[T_SERVED]))
		return -EINVAL;
	return 0;
}

static void track_suite_exit(struct kunit_suite *suite)
{
	torfw_policy_free(track_policies[T_REF]);
	torfw_policy_free(track_policies[T_NOGRANT]);
	torfw_policy_free(track_policies[T_SERVED]);
}

static struct kunit_case track_cases[] = {
	KUNIT_CASE_PARAM(track_test, track_gen_params),
	{}
};

static struct kunit_suite track_suite = {
	.name = "torfw-track",
	.suite_init = track_suite_init,
	.suite_exit = track_suite_exit,
	.test_cases = track_cases,
};

kunit_test_suite(track_suite);
