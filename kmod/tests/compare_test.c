// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the lock's "no looser" comparison (compare.c, probe*.c). Pairs
 * of variants of the reference policy, each with the errno and the extack
 * message that names what would open; the probes against a brute-force
 * walk over facts; the budget; the cost of the reference and of 10,000
 * entries.
 */

#include <kunit/test.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ktime.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "policy.h"
#include "tests/ref.h"

#define M_LOOPBACK "locked: a loopback service would open to a uid or cgroup the active policy refuses"
#define M_ROLE "locked: a role would open the Internet to a uid or cgroup the active policy refuses"
#define M_LAN "locked: a LAN destination would open that the active policy refuses"
#define M_FORWARD "locked: a namespace would be forwarded where the active policy refuses"
#define M_NS_SVC "locked: a host service would open to a namespace the active policy refuses"
#define M_NOSOCK "locked: packets without a socket would pass where the active policy refuses"
#define M_KERNEL "locked: kernel-made sockets would pass where the active policy refuses"
#define M_FRAMES "locked: raw frames would open to a uid or cgroup the active policy refuses"
#define M_REDIR "locked: the redirects differ from the active policy's"
#define M_BIG "locked: the policies are too large to compare"

#define LB TORFW_NOSOCK_LOOPBACK
#define ACC TORFW_NOSOCK_ACCEPT

struct ccase {
	const char *name;
	u32 new_v;
	u32 old_v;
	u8 new_nosock;
	u8 old_nosock;
	int expect;
	const char *msg;	/* extack, NULL for 0 */
};

/* new is loaded while old is active and locked. */
#define OK(_name, _new, _old) \
	{ .name = _name, .new_v = _new, .old_v = _old }
#define NO(_name, _new, _old, _msg) \
	{ .name = _name, .new_v = _new, .old_v = _old, .expect = -EPERM, \
	  .msg = _msg }

static const struct ccase ccases[] = {
	OK("the reference against itself", 0, 0),
	OK("a service removed: tcp [::1]:4101", V_NO_A11Y6, 0),
	OK("CUPS removed: amnesia loses it, debian-tor keeps it", V_NO_CUPS,
	   0),
	OK("a uid removed from an entry: _apt from tcp/9050", V_NO_APT_SOCKS,
	   0),
	NO("an exact entry shadowing an any-address one removed", V_ANY5555,
	   V_ANY5555 | V_X5555, M_LOOPBACK),
	NO("an exact range narrowed under an any-address entry",
	   V_ANY6000 | V_X6000_NARROW, V_ANY6000 | V_X6000, M_LOOPBACK),
	OK("an exact range narrowed, no any-address entry", V_X6000_NARROW,
	   V_X6000),
	NO("an exact range widened", V_X6000, V_X6000_NARROW, M_LOOPBACK),
	OK("the any-address entry removed under an exact one", V_X5555,
	   V_ANY5555 | V_X5555),
	NO("an exact entry added beside an any-address one: root gains it",
	   V_ANY5555 | V_X5555, V_ANY5555, M_LOOPBACK),
	NO("a uid added to an entry", V_STRANGER_SOCKS, 0, M_LOOPBACK),
	NO("a uid moved from drop to allow", V_APT_DNS, 0, M_LOOPBACK),
	OK("a uid moved from drop to nowhere: rejected, not dropped",
	   V_NO_APT_DROP, 0),
	NO("an exact entry dropping a uid removed, an any-address one allows it",
	   V_ANY5555, V_ANY5555 | V_X5555_DROP, M_LOOPBACK),
	OK("a uid off the drop list of an exact entry that stays",
	   V_ANY5555 | V_X5555, V_ANY5555 | V_X5555_DROP),
	NO("an entry dropping debian-tor removed: the Tor role reaches it", 0,
	   V_X5555_DROP_TOR, M_LOOPBACK),
	OK("debian-tor on a loopback port it may already reach", V_TOR_SVC, 0),
	NO("a service on any address", V_WILDCARD, 0, M_LOOPBACK),
	NO("the Tor role gains a uid", V_STRANGER_TOR, 0, M_ROLE),
	OK("the Tor role loses a uid", 0, V_STRANGER_TOR),
	NO("the clearnet role gains a uid", V_STRANGER_CLEARNET, 0, M_ROLE),
	NO("a bigger LAN", V_MORE_LAN, 0, M_LAN),
	OK("a smaller LAN", V_LESS_LAN, 0),
	NO("a LAN refusal dropped: udp/53", V_LAN_DNS, 0, M_LAN),
	OK("a LAN refusal added: udp/123", V_LAN_NTP, 0),
	NO("a namespace granted", V_OTHER_GRANT, 0, M_FORWARD),
	OK("a grant removed", V_NO_GRANT, 0),
	NO("a service names one more namespace", V_SVC_NS_OTHER, 0, M_NS_SVC),
	OK("a service names one namespace less", 0, V_SVC_NS_OTHER),
	{ .name = "nosocket loopback -> accept", .new_nosock = ACC,
	  .expect = -EPERM, .msg = M_NOSOCK },
	{ .name = "nosocket accept -> loopback", .old_nosock = ACC },
	NO("kernel-sockets refuse -> lan", V_KERNEL_LAN, 0, M_KERNEL),
	OK("kernel-sockets lan -> refuse", 0, V_KERNEL_LAN),
	NO("the packet role gains a uid", V_PACKET_ROOT, 0, M_FRAMES),
	NO("the packet role gains another uid", V_PACKET_ROOT |
	   V_STRANGER_PACKET, V_PACKET_ROOT, M_FRAMES),
	OK("the packet role loses a uid", 0, V_PACKET_ROOT),
	NO("a redirect removed", V_NO_DNS_REDIR, 0, M_REDIR),
	NO("a redirect changed", V_DNS_REDIR_5354, 0, M_REDIR),
	NO("a redirect added", 0, V_NO_DNS_REDIR, M_REDIR),
	OK("many stricter changes at once", V_NO_CUPS | V_NO_GRANT |
	   V_LAN_NTP | V_LESS_LAN | V_NO_APT_SOCKS, V_STRANGER_TOR |
	   V_PACKET_ROOT),
	NO("one looser change among stricter ones", V_NO_CUPS | V_LESS_LAN |
	   V_LAN_DNS, 0, M_LAN),
};

static void ccase_desc(const struct ccase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(compare, ccases, ccase_desc);

static void no_looser_test(struct kunit *test)
{
	const struct ccase *c = test->param_value;
	struct netlink_ext_ack ext = {};
	struct torfw_policy *new, *old;

	new = torfw_test_reference_v(c->new_v, c->new_nosock, 0);
	old = torfw_test_reference_v(c->old_v, c->old_nosock, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(new));
	KUNIT_ASSERT_FALSE(test, IS_ERR(old));
	KUNIT_EXPECT_EQ(test, torfw_policy_no_looser(new, old, &ext),
			c->expect);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, ext._msg ? ext._msg : "(none)",
				   c->msg);
	else
		KUNIT_EXPECT_NULL(test, ext._msg);
	torfw_policy_free(new);
	torfw_policy_free(old);
}

/* Policies at the ends of the spaces: built from a few numbers. */
struct espec {
	u8 lan_len;		/* 0.0.0.0/lan_len; 33: no LAN */
	u16 refuse_hi;		/* tcp 1..refuse_hi refused; 0: none */
	u16 any_hi;		/* tcp 0.0.0.0:1..any_hi for amnesia; 0: none */
	bool roles;		/* debian-tor and clearnet as in the reference */
};

struct ecase {
	const char *name;
	struct espec new;
	struct espec old;
	int expect;
	const char *msg;
};

#define E(_lan, _ref, _any, _roles) \
	{ .lan_len = _lan, .refuse_hi = _ref, .any_hi = _any, .roles = _roles }
#define EMPTY E(33, 0, 0, false)

static const struct ecase ecases[] = {
	{ "empty against empty", EMPTY, EMPTY, 0 },
	{ "the whole IPv4 space as LAN against /1", E(0, 0, 0, false),
	  E(1, 0, 0, false), -EPERM, M_LAN },
	{ "/1 against the whole IPv4 space", E(1, 0, 0, false),
	  E(0, 0, 0, false), 0 },
	{ "tcp 1-65534 refused against 1-65535", E(0, 65534, 0, false),
	  E(0, 65535, 0, false), -EPERM, M_LAN },
	{ "tcp 1-65535 refused against 1-65534", E(0, 65535, 0, false),
	  E(0, 65534, 0, false), 0 },
	{ "any address 1-65535 against 1-65534", E(33, 0, 65535, false),
	  E(33, 0, 65534, false), -EPERM, M_LOOPBACK },
	{ "any address 1-65534 against 1-65535", E(33, 0, 65534, false),
	  E(33, 0, 65535, false), 0 },
	{ "the roles against none", E(33, 0, 0, true), EMPTY, -EPERM,
	  M_ROLE },
	{ "none against the roles", EMPTY, E(33, 0, 0, true), 0 },
};

static void ecase_desc(const struct ecase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(edge, ecases, ecase_desc);

static struct torfw_policy *edge_policy(const struct espec *e)
{
	static const u32 amnesia[] = { U_AMNESIA };
	struct torfw_builder *b = torfw_builder_new();
	struct torfw_policy *p;
	int ret = 0;

	if (!b)
		return ERR_PTR(-ENOMEM);
	if (e->lan_len <= 32)
		ret |= torfw_builder_add_lan(b, AF_INET, 0, e->lan_len, NULL);
	if (e->refuse_hi)
		ret |= torfw_builder_add_lan_refuse(b, IPPROTO_TCP, 1,
						    e->refuse_hi, NULL);
	if (e->any_hi)
		ret |= torfw_test_add_svc(b, "0.0.0.0", IPPROTO_TCP, 1,
					  e->any_hi, amnesia, 1, NULL, 0, NULL,
					  0);
	if (e->roles) {
		ret |= torfw_builder_add_role(b, TORFW_ROLE_TOR, U_TOR, NULL);
		ret |= torfw_builder_add_role(b, TORFW_ROLE_CLEARNET,
					      U_CLEARNET, NULL);
	}
	p = ret ? ERR_PTR(-EINVAL) : torfw_policy_build(b, NULL);
	torfw_builder_free(b);
	return p;
}

static void edge_test(struct kunit *test)
{
	const struct ecase *c = test->param_value;
	struct netlink_ext_ack ext = {};
	struct torfw_policy *new, *old;

	new = edge_policy(&c->new);
	old = edge_policy(&c->old);
	KUNIT_ASSERT_FALSE(test, IS_ERR(new));
	KUNIT_ASSERT_FALSE(test, IS_ERR(old));
	KUNIT_EXPECT_EQ(test, torfw_policy_no_looser(new, old, &ext),
			c->expect);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, ext._msg ? ext._msg : "(none)",
				   c->msg);
	else
		KUNIT_EXPECT_NULL(test, ext._msg);
	torfw_policy_free(new);
	torfw_policy_free(old);
}

/*
 * The brute-force walk: facts chosen by hand around every edge of the
 * variants, independently of probe*.c. Whenever the comparison says
 * "no looser", none of these may be accepted by new and refused by old.
 */
static const u32 bf_uids[] = {
	U_ROOT, 1, U_PROXY, U_APT, U_TOR, U_CLEARNET, U_UPGRADE, U_HTP,
	U_IUK, U_GDM, U_AMNESIA, U_STRANGER, U_NOBODY, 4242,
};

static const u16 bf_ports[] = {
	0, 1, 52, 53, 54, 122, 123, 124, 136, 137, 138, 630, 631, 632, 951,
	4101, 5353, 5554, 5555, 5556, 5999, 6000, 6005, 6006, 6010, 6011,
	7000, 8080, 9040, 9050, 9052, 9062, 9063, 17599, 17600, 17650,
	17651, 45000, 65535,
};

static const char *const bf_local[] = {
	LO4, "127.0.0.2", "127.0.0.9", "10.200.1.1", "0.0.0.0", "::1", "::2",
};

static const char *const bf_remote[] = {
	"0.0.0.0", "9.255.255.255", "10.0.0.0", "10.255.255.255", "11.0.0.0",
	"100.63.255.255", "100.64.0.0", "100.127.255.255", "100.128.0.0",
	"172.31.255.255", "192.168.1.1", "192.0.2.1", "2001:db8::1",
};

static const u16 bf_remote_ports[] = {
	0, 52, 53, 54, 122, 123, 124, 136, 137, 138, 443,
};

static const u8 bf_protos[] = {
	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP, IPPROTO_UDPLITE,
	IPPROTO_DCCP,
};

static const u64 bf_ns[] = { NS_CLEARNET, NS_OTHER, 0x3333 };

struct bf {
	const struct torfw_policy *new;
	const struct torfw_policy *old;
	u32 looser;
	struct torfw_facts first;
};

static void bf_try(struct bf *bf, const struct torfw_facts *f)
{
	struct torfw_decision dn, dold;

	torfw_decide(bf->new, f, &dn);
	if (dn.verdict != TORFW_ACCEPT)
		return;
	torfw_decide(bf->old, f, &dold);
	if (dold.verdict != TORFW_ACCEPT && !bf->looser++)
		bf->first = *f;
}

/* Every owner: each uid (stream socket), a kernel-made socket, none. */
static void bf_owners(struct bf *bf, struct torfw_facts *f)
{
	u32 i;

	f->has_uid = true;
	f->kernel_sock = false;
	f->stream = f->proto == IPPROTO_TCP;
	for (i = 0; i < ARRAY_SIZE(bf_uids); i++) {
		f->uid = bf_uids[i];
		bf_try(bf, f);
	}
	f->uid = 0;
	f->has_uid = false;
	bf_try(bf, f);
	f->kernel_sock = true;
	bf_try(bf, f);
}

static void bf_facts(struct torfw_facts *f, u8 hook, const char *daddr,
		     u8 proto, u16 dport)
{
	memset(f, 0, sizeof(*f));
	f->hook = hook;
	f->init_net = true;
	f->daddr = torfw_test_addr(daddr, &f->family);
	f->saddr = f->daddr;
	f->proto = proto;
	if (proto == IPPROTO_ICMP && f->family == AF_INET6)
		f->proto = IPPROTO_ICMPV6;
	f->ports = proto != IPPROTO_ICMP;
	f->dport = f->ports ? dport : 0;
	f->sport = 40000;
	f->tcp_syn = proto == IPPROTO_TCP;
}

static void bf_walk(struct bf *bf)
{
	struct torfw_facts f;
	u32 a, p, q, n;

	for (a = 0; a < ARRAY_SIZE(bf_local); a++) {
		for (p = 0; p < 4; p++) {
			for (q = 0; q < ARRAY_SIZE(bf_ports); q++) {
				bf_facts(&f, TORFW_HOOK_OUT, bf_local[a],
					 bf_protos[p], bf_ports[q]);
				f.lo = true;
				bf_owners(bf, &f);
				for (n = 0; n < ARRAY_SIZE(bf_ns); n++) {
					bf_facts(&f, TORFW_HOOK_IN,
						 bf_local[a], bf_protos[p],
						 bf_ports[q]);
					f.from_ns = bf_ns[n];
					bf_try(bf, &f);
					bf_facts(&f, TORFW_HOOK_OUT,
						 "192.0.2.2", bf_protos[p],
						 40000);
					f.saddr = torfw_test_addr(bf_local[a],
								  &f.family);
					f.sport = bf_ports[q];
					f.tcp_syn = false;
					f.to_ns = bf_ns[n];
					bf_owners(bf, &f);
				}
			}
		}
	}
	for (a = 0; a < ARRAY_SIZE(bf_remote); a++) {
		for (p = 0; p < ARRAY_SIZE(bf_protos); p++) {
			for (q = 0; q < ARRAY_SIZE(bf_remote_ports); q++) {
				bf_facts(&f, TORFW_HOOK_OUT, bf_remote[a],
					 bf_protos[p], bf_remote_ports[q]);
				bf_owners(bf, &f);
			}
			bf_facts(&f, TORFW_HOOK_OUT, bf_remote[a],
				 bf_protos[p], 53);
			f.srr = true;
			bf_owners(bf, &f);
		}
	}
	for (n = 0; n < ARRAY_SIZE(bf_ns); n++) {
		for (p = 0; p < 2; p++) {
			bf_facts(&f, TORFW_HOOK_FORWARD, "192.0.2.1",
				 bf_protos[p], 443);
			f.ct = TORFW_CT_NEW;
			f.from_ns = bf_ns[n];
			bf_try(bf, &f);
			f.to_ns = bf_ns[(n + 1) % ARRAY_SIZE(bf_ns)];
			bf_try(bf, &f);
		}
	}
	for (a = 0; a < ARRAY_SIZE(bf_uids); a++) {
		memset(&f, 0, sizeof(f));
		f.hook = TORFW_HOOK_FRAME;
		f.init_net = true;
		f.packet_sock = true;
		f.has_uid = true;
		f.uid = bf_uids[a];
		bf_try(bf, &f);
	}
}

/* The variants that the pairs are made of, both ways. */
static const u32 bf_variants[] = {
	0, V_NO_CUPS, V_STRANGER_SOCKS, V_STRANGER_TOR, V_MORE_LAN,
	V_LESS_LAN, V_LAN_DNS, V_OTHER_GRANT, V_WILDCARD, V_TOR_SVC,
	V_PACKET_ROOT, V_KERNEL_LAN, V_APT_DNS,
	V_NO_APT_DROP, V_STRANGER_CLEARNET, V_LAN_NTP, V_SVC_NS_OTHER,
	V_ANY5555, V_ANY5555 | V_X5555, V_ANY5555 | V_X5555_DROP,
	V_X5555_DROP_TOR, V_ANY6000 | V_X6000, V_ANY6000 | V_X6000_NARROW,
	V_X6000, V_X6000_NARROW,
};

static void brute_force_test(struct kunit *test)
{
	const u32 n = ARRAY_SIZE(bf_variants);
	struct torfw_policy *p[ARRAY_SIZE(bf_variants)];
	u32 i, j, looser = 0, checked = 0;
	struct bf bf;
	int ret;

	for (i = 0; i < n; i++) {
		p[i] = torfw_test_reference_v(bf_variants[i], LB, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(p[i]));
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			ret = torfw_policy_no_looser(p[i], p[j], NULL);
			KUNIT_EXPECT_TRUE(test, ret == 0 || ret == -EPERM);
			if (ret) {
				looser++;
				continue;
			}
			memset(&bf, 0, sizeof(bf));
			bf.new = p[i];
			bf.old = p[j];
			bf_walk(&bf);
			checked++;
			KUNIT_EXPECT_EQ_MSG(test, bf.looser, 0U,
					    "variant %#x over %#x: hook %u proto %u dport %u sport %u uid %u has_uid %d lo %d",
					    bf_variants[i], bf_variants[j],
					    bf.first.hook, bf.first.proto,
					    bf.first.dport, bf.first.sport,
					    bf.first.uid, bf.first.has_uid,
					    bf.first.lo);
		}
	}
	kunit_info(test, "%u pairs: %u looser, %u checked by brute force\n",
		   n * n, looser, checked);
	for (i = 0; i < n; i++)
		torfw_policy_free(p[i]);
}

/* Counts the probes of a walk. */
static int count_probe(const struct torfw_facts *f, void *arg)
{
	(*(u32 *)arg)++;
	return 0;
}

/*
 * 4000 any-address entries on odd ports and 200 exact keys each covering
 * every port: each exact entry meets each any-address entry, 1.6 million
 * (key, port piece) classes, about 9 million probes: twice the budget.
 */
static struct torfw_policy *wide_policy(void)
{
	static const u32 root[] = { U_ROOT };
	static const u32 amnesia[] = { U_AMNESIA };
	struct torfw_builder *b = torfw_builder_new();
	struct torfw_policy *p;
	char addr[16];
	int ret = 0;
	u32 i;

	if (!b)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < 4000 && !ret; i++)
		ret = torfw_test_add_svc(b, "0.0.0.0", IPPROTO_TCP, 2 * i + 1,
					 2 * i + 1, amnesia, 1, NULL, 0, NULL,
					 0);
	for (i = 0; i < 200 && !ret; i++) {
		snprintf(addr, sizeof(addr), "127.1.%u.%u", i / 250, i % 250);
		ret = torfw_test_add_svc(b, addr, IPPROTO_TCP, 1, 65535, root,
					 1, NULL, 0, NULL, 0);
	}
	p = ret ? ERR_PTR(ret) : torfw_policy_build(b, NULL);
	torfw_builder_free(b);
	return p;
}

static void budget_test(struct kunit *test)
{
	struct torfw_policy *ref = torfw_test_reference(LB, 0);
	struct netlink_ext_ack ext = {};
	struct torfw_policy *wide;
	u32 decisions = 0;
	u64 t0, t1;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ref));
	KUNIT_EXPECT_EQ(test, torfw_policy_compare(ref, ref, 100, &decisions,
						   &ext), -E2BIG);
	KUNIT_EXPECT_STREQ(test, ext._msg ? ext._msg : "(none)", M_BIG);
	KUNIT_EXPECT_LE(test, decisions, 200U);
	torfw_policy_free(ref);

	wide = wide_policy();
	KUNIT_ASSERT_FALSE(test, IS_ERR(wide));
	ext._msg = NULL;
	t0 = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, torfw_policy_no_looser(wide, wide, &ext),
			-E2BIG);
	t1 = ktime_get_ns();
	KUNIT_EXPECT_STREQ(test, ext._msg ? ext._msg : "(none)", M_BIG);
	kunit_info(test, "over the budget (%u probes): -E2BIG after %llu ms\n",
		   TORFW_COMPARE_MAX, div_u64(t1 - t0, NSEC_PER_MSEC));
	torfw_policy_free(wide);
}

/*
 * Not a test of speed: reports probes, decisions and the best time of
 * five comparisons (the machine may be shared), asserts none of them.
 */
static void cost_test(struct kunit *test)
{
	static const struct {
		const char *name;
		u32 new_extra;
		u32 old_extra;
		int expect;
	} runs[] = {
		{ "reference vs itself", 0, 0, 0 },
		{ "10,000 extra entries vs themselves", 10000, 10000, 0 },
		{ "reference vs 10,000 extra entries", 0, 10000, 0 },
		{ "10,000 extra entries vs the reference", 10000, 0, -EPERM },
	};
	u32 i, j, probes, decisions;
	u64 t0, best;

	for (i = 0; i < ARRAY_SIZE(runs); i++) {
		struct torfw_policy *new =
			torfw_test_reference(LB, runs[i].new_extra);
		struct torfw_policy *old =
			torfw_test_reference(LB, runs[i].old_extra);

		KUNIT_ASSERT_FALSE(test, IS_ERR(new));
		KUNIT_ASSERT_FALSE(test, IS_ERR(old));
		probes = 0;
		KUNIT_EXPECT_EQ(test, torfw_policy_probe(new, old, count_probe,
							 &probes), 0);
		for (best = U64_MAX, j = 0; j < 5; j++) {
			t0 = ktime_get_ns();
			KUNIT_EXPECT_EQ(test,
					torfw_policy_compare(new, old,
							     TORFW_COMPARE_MAX,
							     &decisions, NULL),
					runs[i].expect);
			best = min(best, ktime_get_ns() - t0);
		}
		KUNIT_EXPECT_LE(test, probes, TORFW_COMPARE_MAX);
		kunit_info(test, "%s: %u probes, %u decisions, %llu us\n",
			   runs[i].name, probes, decisions,
			   div_u64(best, NSEC_PER_USEC));
		torfw_policy_free(new);
		torfw_policy_free(old);
	}
}

static struct kunit_case compare_cases[] = {
	KUNIT_CASE_PARAM(no_looser_test, compare_gen_params),
	KUNIT_CASE_PARAM(edge_test, edge_gen_params),
	KUNIT_CASE(brute_force_test),
	KUNIT_CASE(budget_test),
	KUNIT_CASE(cost_test),
	{}
};

static struct kunit_suite compare_suite = {
	.name = "torfw-compare",
	.test_cases = compare_cases,
};

kunit_test_suite(compare_suite);
