// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: cgroup principals. The decisions (a cgroup or one below it
 * passes, by the names on its path, OR with the uids, asked only when the
 * uid did not already pass), the builder's checks of paths, and the
 * lock's comparison (cgroups compared by path, and against a brute-force
 * walk).
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/in.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "policy.h"
#include "tests/ref.h"

/* The cgroups of the tests. */
#define CG_A "/a/b"
#define CG_P "/a"
#define CG_A_CHILD "/a/b/c"
#define CG_D "/d"
#define CG_C "/c"
#define CG_T "/t"
#define CG_K "/k"
#define CG_X "/x"
/* A socket's cgroup not read yet: the decision must ask for it. */
#define UNKNOWN "?"

static int put(struct torfw_builder *b, const char *path)
{
	return torfw_builder_add_cgroup(b, path, NULL);
}

/* A socket's cgroup for the facts: path's names, kept in the struct. */
struct tnames {
	char buf[TORFW_CG_PATH_MAX];
	const char *name[TORFW_CG_DEPTH_MAX];
};

static void facts_in(struct torfw_facts *f, const char *path,
		     struct tnames *t)
{
	size_t i;

	f->cg_known = true;
	f->cg_n = 0;
	f->cg = t->name;
	snprintf(t->buf, sizeof(t->buf), "%s", path);
	for (i = 0; t->buf[i]; i++) {
		if (t->buf[i] != '/')
			continue;
		t->buf[i] = '\0';
		t->name[f->cg_n++] = t->buf + i + 1;
	}
}

static int svc(struct torfw_builder *b, u8 proto, u16 port, const u32 *uids,
	       u32 n_uids, const u16 *allow_cg, u32 n_allow_cg,
	       const u16 *drop_cg, u32 n_drop_cg)
{
	struct torfw_svc_spec s = {
		.proto = proto, .port_lo = port, .port_hi = port,
		.allow = uids, .n_allow = n_uids,
		.allow_cg = allow_cg, .n_allow_cg = n_allow_cg,
		.drop_cg = drop_cg, .n_drop_cg = n_drop_cg,
	};

	s.addr = torfw_test_addr(LO4, &s.family);
	return torfw_builder_add_service(b, &s, NULL);
}

/* What a variant changes in the base policy of these tests. */
enum {
	W_PARENT = 1 << 0,	/* tcp/9050 names /a instead of /a/b */
	W_CHILD = 1 << 1,	/* tcp/9050 names /a/b/c instead of /a/b */
	W_NO_CLEARNET = 1 << 2,	/* the clearnet role's cgroup removed */
	W_TOR_A = 1 << 3,	/* /a/b has the Tor role too */
	W_PACKET_A = 1 << 4,	/* /a/b may send raw frames too */
	W_MORE = 1 << 5,	/* tcp/9050 also names /x */
	W_DROP_ALLOWED = 1 << 6,	/* udp/53 allows /d instead of dropping */
	W_NO_9050_CG = 1 << 7,	/* tcp/9050 names only its uid */
};

static struct torfw_policy *build(u32 w)
{
	static const u32 amnesia[] = { U_AMNESIA };
	const char *a = w & W_PARENT ? CG_P : w & W_CHILD ? CG_A_CHILD : CG_A;
	struct torfw_builder *b = torfw_builder_new();
	struct torfw_policy *p = ERR_PTR(-EINVAL);
	u16 ia, id, ic, it, ik, ix, set[2];

	if (!b)
		return ERR_PTR(-ENOMEM);
	ia = put(b, a);
	id = put(b, CG_D);
	ic = put(b, CG_C);
	it = put(b, CG_T);
	ik = put(b, CG_K);
	ix = put(b, CG_X);
	if (torfw_builder_add_role(b, TORFW_ROLE_TOR, U_TOR, NULL) ||
	    torfw_builder_add_role_cgroup(b, TORFW_ROLE_TOR, it, NULL) ||
	    torfw_builder_add_role_cgroup(b, TORFW_ROLE_PACKET, ik, NULL))
		goto out;
	if (!(w & W_NO_CLEARNET) &&
	    torfw_builder_add_role_cgroup(b, TORFW_ROLE_CLEARNET, ic, NULL))
		goto out;
	if ((w & W_TOR_A) &&
	    torfw_builder_add_role_cgroup(b, TORFW_ROLE_TOR, ia, NULL))
		goto out;
	if ((w & W_PACKET_A) &&
	    torfw_builder_add_role_cgroup(b, TORFW_ROLE_PACKET, ia, NULL))
		goto out;
	set[0] = ia;
	set[1] = ix;
	if (svc(b, IPPROTO_TCP, 9050, amnesia, 1, set,
		w & W_NO_9050_CG ? 0 : w & W_MORE ? 2 : 1, NULL, 0))
		goto out;
	if (w & W_DROP_ALLOWED ?
	    svc(b, IPPROTO_UDP, 53, amnesia, 1, &id, 1, NULL, 0) :
	    svc(b, IPPROTO_UDP, 53, amnesia, 1, NULL, 0, &id, 1))
		goto out;
	p = torfw_policy_build(b, NULL);
out:
	torfw_builder_free(b);
	return p;
}

struct gcase {
	const char *name;
	u8 hook;
	u8 proto;
	bool lo;
	u16 dport;
	u32 uid;
	const char *in;		/* the socket's cgroup; NULL: the root */
	u8 reason;
	bool asks;		/* the decision asks for the cgroup */
};

#define LOC(_name, _uid, _proto, _port, _r, _asks, _in)		\
	{ _name, TORFW_HOOK_OUT, IPPROTO_##_proto, true, _port, _uid,	\
	  _in, TORFW_R_##_r, _asks }
#define OFF(_name, _uid, _proto, _port, _r, _asks, _in)		\
	{ _name, TORFW_HOOK_OUT, IPPROTO_##_proto, false, _port, _uid,	\
	  _in, TORFW_R_##_r, _asks }
#define FRM(_name, _uid, _r, _asks, _in)				\
	{ _name, TORFW_HOOK_FRAME, 0, false, 0, _uid, _in, TORFW_R_##_r, \
	  _asks }

static const struct gcase gcases[] = {
	LOC("in the cgroup", U_STRANGER, TCP, 9050, SERVICE, false, CG_A),
	LOC("below the cgroup", U_STRANGER, TCP, 9050, SERVICE, false,
	    CG_A_CHILD),
	LOC("in its parent", U_STRANGER, TCP, 9050, LOOPBACK, false, CG_P),
	LOC("in the root cgroup", U_STRANGER, TCP, 9050, LOOPBACK, false, NULL),
	LOC("a sibling with a longer name", U_STRANGER, TCP, 9050, LOOPBACK,
	    false, "/a/bb"),
	LOC("a name that joins two", U_STRANGER, TCP, 9050, LOOPBACK, false,
	    "/ab"),
	LOC("the same names one level down", U_STRANGER, TCP, 9050, LOOPBACK,
	    false, "/x/a/b"),
	LOC("the same name under another parent", U_STRANGER, TCP, 9050,
	    LOOPBACK, false, "/q/b"),
	LOC("cgroup not read yet: asks", U_STRANGER, TCP, 9050, LOOPBACK, true,
	    UNKNOWN),
	LOC("the uid passes without asking", U_AMNESIA, TCP, 9050, SERVICE,
	    false, UNKNOWN),
	LOC("another uid in the cgroup passes too (OR)", U_HTP, TCP, 9050,
	    SERVICE, false, CG_A),
	LOC("dropped by cgroup", U_STRANGER, UDP, 53, SERVICE_DROP, false,
	    CG_D),
	LOC("allowed uid in the dropped cgroup", U_AMNESIA, UDP, 53, SERVICE,
	    false, CG_D),
	LOC("Tor role by cgroup on loopback", U_STRANGER, TCP, 9999,
	    TOR_LOOPBACK, false, CG_T),
	LOC("no role, no cgroup on loopback", U_STRANGER, TCP, 9999, LOOPBACK,
	    true, UNKNOWN),
	OFF("clearnet role by cgroup: tcp", U_STRANGER, TCP, 443, CLEARNET,
	    false, CG_C),
	OFF("clearnet role by cgroup: dns", U_STRANGER, UDP, 53, CLEARNET,
	    false, CG_C),
	OFF("clearnet role by cgroup: not ntp", U_STRANGER, UDP, 123,
	    INTERNET_NON_TCP, false, CG_C),
	OFF("Tor role by cgroup off loopback", U_STRANGER, TCP, 443, TOR,
	    false, CG_T),
	OFF("Tor's own uid never asks", U_TOR, TCP, 443, TOR, false, UNKNOWN),
	OFF("nobody's tcp asks, then is refused", U_STRANGER, TCP, 443,
	    INTERNET_TCP, true, UNKNOWN),
	OFF("in no named cgroup: refused", U_STRANGER, TCP, 443, INTERNET_TCP,
	    false, "/c2"),
	FRM("raw frames by cgroup", U_STRANGER, PACKET_ROLE, false, CG_K),
	FRM("raw frames outside it", U_STRANGER, PACKET, false, CG_C),
};

static void gcase_desc(const struct gcase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cgroup_decide, gcases, gcase_desc);

static void cgroup_decide_test(struct kunit *test)
{
	const struct gcase *c = test->param_value;
	struct torfw_policy *p = build(0);
	struct tnames names;
	struct torfw_decision d;
	struct torfw_facts f = {
		.hook = c->hook, .init_net = true, .has_uid = true,
		.uid = c->uid, .proto = c->proto, .lo = c->lo,
		.dport = c->dport, .sport = 40000,
	};
	u8 family;

	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	if (c->hook == TORFW_HOOK_FRAME) {
		f.packet_sock = true;
	} else {
		f.daddr = torfw_test_addr(c->lo ? LO4 : "192.0.2.1", &family);
		f.saddr = torfw_test_addr(c->lo ? LO4 : "192.0.2.2", &family);
		f.family = family;
		f.ports = true;
		f.stream = c->proto == IPPROTO_TCP;
		f.tcp_syn = c->proto == IPPROTO_TCP;
	}
	if (!c->in)
		f.cg_known = true;
	else if (strcmp(c->in, UNKNOWN))
		facts_in(&f, c->in, &names);
	torfw_decide(p, &f, &d);
	KUNIT_EXPECT_STREQ(test, torfw_reason_names[d.reason],
			   torfw_reason_names[c->reason]);
	KUNIT_EXPECT_EQ(test, d.cgroup, c->asks);
	torfw_policy_free(p);
}

/* Paths: one spelling per cgroup, below the root, 16 levels at most. */
static void cgroup_path_test(struct kunit *test)
{
	static const char *const bad[] = {
		"", "a/b", "/", "/a/", "//a", "/a//b", "/a/./b", "/a/../b",
		"/.", "/..", "/a/b\n",
		"/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17",
	};
	static char longp[TORFW_CG_PATH_MAX + 1];
	struct torfw_builder *b = torfw_builder_new();
	struct netlink_ext_ack extack = {};
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, torfw_builder_add_cgroup(b, bad[i],
								   &extack),
				    -EINVAL, "path \"%s\"", bad[i]);
	memset(longp, 'x', TORFW_CG_PATH_MAX);
	longp[0] = '/';
	KUNIT_EXPECT_EQ(test, torfw_builder_add_cgroup(b, longp, &extack),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "cgroup path too long");
	/* Sixteen levels and dotted names are fine; a path twice, once. */
	KUNIT_EXPECT_EQ(test, put(b, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16"),
			0);
	KUNIT_EXPECT_EQ(test, put(b, "/user.slice/.hidden..x"), 1);
	KUNIT_EXPECT_EQ(test, put(b, "/user.slice/.hidden..x"), 1);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role_cgroup(b, TORFW_ROLE_TOR,
							    7, &extack),
			-EINVAL);
	torfw_builder_free(b);
}

static long build_err(struct torfw_policy *p)
{
	if (IS_ERR(p))
		return PTR_ERR(p);
	torfw_policy_free(p);
	return 0;
}

/* Duplicates and limits across elements. */
static void cgroup_build_test(struct kunit *test)
{
	static const u32 amnesia[] = { U_AMNESIA };
	struct netlink_ext_ack extack = {};
	struct torfw_policy *p;
	struct torfw_builder *b;
	char path[8];
	u16 ia, set[TORFW_MAX_SERVICE_CGROUPS + 1];
	u32 i;

	/* A role given twice to one cgroup. */
	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	ia = put(b, CG_A);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role_cgroup(b, TORFW_ROLE_TOR,
							    ia, NULL), 0);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role_cgroup(b, TORFW_ROLE_TOR,
							    ia, NULL), 0);
	p = torfw_policy_build(b, &extack);
	KUNIT_EXPECT_EQ(test, build_err(p), -EEXIST);
	KUNIT_EXPECT_STREQ(test, extack._msg, "cgroup given twice for one role");
	torfw_builder_free(b);

	/* TORFW_MAX_ROLES counts the uids' and the cgroups' roles. */
	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	ia = put(b, CG_A);
	for (i = 0; i < TORFW_MAX_ROLES - 1; i++)
		KUNIT_ASSERT_EQ(test, torfw_builder_add_role(b, TORFW_ROLE_TOR,
							     i, NULL), 0);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role_cgroup(b, TORFW_ROLE_TOR,
							    ia, NULL), 0);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role(b, TORFW_ROLE_TOR, i,
						     NULL), -E2BIG);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role_cgroup(b,
							    TORFW_ROLE_CLEARNET,
							    ia, NULL), -E2BIG);
	torfw_builder_free(b);

	/* Allowed and dropped in one entry. */
	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	ia = put(b, CG_A);
	KUNIT_EXPECT_EQ(test, svc(b, IPPROTO_TCP, 9050, amnesia, 1, &ia, 1,
				  &ia, 1), 0);
	p = torfw_policy_build(b, &extack);
	KUNIT_EXPECT_EQ(test, build_err(p), -EEXIST);
	KUNIT_EXPECT_STREQ(test, extack._msg, "cgroup both allowed and dropped");
	torfw_builder_free(b);

	/* Per entry and per policy limits; an entry of cgroups only. */
	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < TORFW_MAX_CGROUPS; i++) {
		snprintf(path, sizeof(path), "/%u", i);
		KUNIT_EXPECT_EQ(test, put(b, path), (int)i);
		if (i <= TORFW_MAX_SERVICE_CGROUPS)
			set[i] = i;
	}
	KUNIT_EXPECT_EQ(test, put(b, "/0"), 0);
	KUNIT_EXPECT_EQ(test, put(b, "/last"), -E2BIG);
	/* A full table still names a bad path's own fault. */
	KUNIT_EXPECT_EQ(test, torfw_builder_add_cgroup(b, "/a/", &extack),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "cgroup path has an empty, . or .. component");
	KUNIT_EXPECT_EQ(test, svc(b, IPPROTO_TCP, 9050, NULL, 0, set,
				  TORFW_MAX_SERVICE_CGROUPS + 1, NULL, 0),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, svc(b, IPPROTO_TCP, 9050, NULL, 0, set,
				  TORFW_MAX_SERVICE_CGROUPS, NULL, 0), 0);
	p = torfw_policy_build(b, NULL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(p));
	if (!IS_ERR(p)) {
		KUNIT_EXPECT_EQ(test, p->n_cg, (u32)TORFW_MAX_CGROUPS);
		torfw_policy_free(p);
	}
	torfw_builder_free(b);
}

struct gcmp {
	const char *name;
	u32 new_w;
	u32 old_w;
	int expect;
};

static const struct gcmp gcmps[] = {
	{ "the same policy", 0, 0, 0 },
	{ "a cgroup narrowed to one below it", W_CHILD, 0, 0 },
	{ "a cgroup widened to its parent", W_PARENT, 0, -EPERM },
	{ "a cgroup removed from an entry", W_NO_9050_CG, 0, 0 },
	{ "a cgroup added to an entry", 0, W_NO_9050_CG, -EPERM },
	{ "a path with no cgroup yet added: it may be made", W_MORE, 0,
	  -EPERM },
	{ "a role's cgroup removed", W_NO_CLEARNET, 0, 0 },
	{ "a cgroup given the Tor role", W_TOR_A, 0, -EPERM },
	{ "a cgroup given raw frames", W_PACKET_A, 0, -EPERM },
	{ "a dropped cgroup allowed", W_DROP_ALLOWED, 0, -EPERM },
};

static void gcmp_desc(const struct gcmp *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cgroup_compare, gcmps, gcmp_desc);

static void cgroup_compare_test(struct kunit *test)
{
	const struct gcmp *c = test->param_value;
	struct torfw_policy *new = build(c->new_w), *old = build(c->old_w);

	KUNIT_ASSERT_FALSE(test, IS_ERR(new));
	KUNIT_ASSERT_FALSE(test, IS_ERR(old));
	KUNIT_EXPECT_EQ(test, torfw_policy_no_looser(new, old, NULL),
			c->expect);
	torfw_policy_free(new);
	torfw_policy_free(old);
}

/*
 * The lock against a brute-force walk: random cgroup trees and random
 * pairs of policies (roles and two entries naming uids and cgroups of
 * the tree), compared by torfw_policy_compare() and by deciding every
 * (uid, cgroup of the tree, destination) with both. Each must say the
 * same; and a first decision that did not ask for the cgroup must be the
 * one made with it.
 */
#define RND_NODES 8
#define RND_UIDS 3

struct rnd_walk {
	u32 seed;
	u8 parent[RND_NODES + 1];	/* of node i, below i; 0: the root */
};

static u32 rnd(struct rnd_walk *r, u32 n)
{
	r->seed = r->seed * 1103515245 + 12345;
	return (r->seed >> 8) % n;
}

/* The names of node i: "n<i>" (node 0 is the root). */
static const char *const rnd_names[RND_NODES + 1] = {
	"", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8",
};

/* The names of node's cgroup and its ancestors, root first. */
static void rnd_chain(const struct rnd_walk *r, u32 node, const char **cg,
		      u8 *level)
{
	u32 i, l = 0;

	for (i = node; i; i = r->parent[i])
		l++;
	*level = l;
	for (i = node; i; i = r->parent[i])
		cg[--l] = rnd_names[i];
}

static int rnd_put(struct torfw_builder *b, const struct rnd_walk *r,
		   u32 node)
{
	const char *names[RND_NODES];
	char path[TORFW_CG_PATH_MAX];
	size_t len = 0;
	u8 level, i;

	rnd_chain(r, node, names, &level);
	for (i = 0; i < level; i++)
		len += snprintf(path + len, sizeof(path) - len, "/%s",
				names[i]);
	return torfw_builder_add_cgroup(b, path, NULL);
}

static const u32 rnd_uids[RND_UIDS] = { U_AMNESIA, U_HTP, U_APT };

/*
 * A policy from seed s (the same s, the same policy), without its
 * principal number skip (counted as they are drawn; -1: none left out).
 */
static struct torfw_policy *rnd_policy(const struct rnd_walk *tree, u32 s,
				       int skip)
{
	struct rnd_walk r = *tree;
	struct torfw_builder *b = torfw_builder_new();
	struct torfw_policy *p = ERR_PTR(-EINVAL);
	u32 allow[RND_UIDS], drop[RND_UIDS], k, i, port;
	u16 acg[2], dcg[2];
	int c, n = 0;

	r.seed = s;
	if (!b)
		return ERR_PTR(-ENOMEM);
	for (k = 1; k < __TORFW_ROLE_KIND_MAX; k++) {
		for (i = 0; i < RND_UIDS; i++)
			if (!rnd(&r, 3) && n++ != skip &&
			    torfw_builder_add_role(b, k, rnd_uids[i], NULL))
				goto out;
		if (rnd(&r, 2)) {
			c = rnd_put(b, &r, 1 + rnd(&r, RND_NODES));
			if (c < 0 || (n++ != skip &&
				      torfw_builder_add_role_cgroup(b, k, c, NULL)))
				goto out;
		}
	}
	for (port = 9050; port <= 9051; port++) {
		struct torfw_svc_spec sp = {
			.proto = IPPROTO_TCP, .port_lo = port, .port_hi = port,
			.allow = allow, .drop = drop, .allow_cg = acg,
			.drop_cg = dcg,
		};
		u8 family;

		for (i = 0; i < RND_UIDS; i++) {
			k = rnd(&r, 4);
			if (k == 1 && n++ != skip)
				allow[sp.n_allow++] = rnd_uids[i];
			else if (k == 2 && n++ != skip)
				drop[sp.n_drop++] = rnd_uids[i];
		}
		/* Two distinct nodes at most, one allowed, one dropped. */
		k = 1 + rnd(&r, RND_NODES);
		if (rnd(&r, 2)) {
			c = rnd_put(b, &r, k);
			if (c < 0)
				goto out;
			if (n++ != skip)
				acg[sp.n_allow_cg++] = c;
		}
		if (rnd(&r, 2)) {
			c = rnd_put(b, &r, 1 + k % RND_NODES);
			if (c < 0)
				goto out;
			if (n++ != skip)
				dcg[sp.n_drop_cg++] = c;
		}
		/* An entry names somebody: then the one left out is no loss. */
		if (!sp.n_allow && !sp.n_drop && !sp.n_allow_cg &&
		    !sp.n_drop_cg)
			continue;
		sp.addr = torfw_test_addr(LO4, &family);
		sp.family = family;
		if (torfw_builder_add_service(b, &sp, NULL))
			goto out;
	}
	p = torfw_policy_build(b, NULL);
out:
	torfw_builder_free(b);
	return p;
}

/* The destinations decide.c tells apart for a user's socket here. */
static void rnd_dest(struct torfw_facts *f, u32 h)
{
	u8 family;

	f->hook = TORFW_HOOK_OUT;
	f->proto = IPPROTO_TCP;
	f->ports = true;
	f->stream = true;
	f->tcp_syn = true;
	switch (h) {
	case 0:
	case 1:
	case 2:
		f->lo = true;
		f->dport = h < 2 ? 9050 + h : 7777;
		f->daddr = torfw_test_addr(LO4, &family);
		break;
	case 3:
		f->dport = 443;
		f->daddr = torfw_test_addr("192.0.2.1", &family);
		break;
	case 4:
		f->proto = IPPROTO_UDP;
		f->stream = false;
		f->tcp_syn = false;
		f->dport = 53;
		f->daddr = torfw_test_addr("192.0.2.1", &family);
		break;
	default:
		f->hook = TORFW_HOOK_FRAME;
		f->packet_sock = true;
		f->ports = false;
		f->proto = 0;
		return;
	}
	f->family = family;
}

static bool rnd_accepts(struct kunit *test, const struct torfw_policy *p,
			const struct torfw_facts *f)
{
	struct torfw_facts g = *f;
	struct torfw_decision d, first;

	torfw_decide(p, f, &d);
	g.cg_known = false;
	torfw_decide(p, &g, &first);
	if (!first.cgroup)
		KUNIT_EXPECT_EQ(test, first.reason, d.reason);
	return d.verdict == TORFW_ACCEPT;
}

/* Whether new accepts some (uid, cgroup, destination) that old refuses. */
static bool rnd_looser(struct kunit *test, const struct rnd_walk *r,
		       const struct torfw_policy *new,
		       const struct torfw_policy *old)
{
	const char *names[RND_NODES];
	u32 u, node, h;

	for (u = 0; u <= RND_UIDS; u++) {
		for (node = 0; node <= RND_NODES; node++) {
			for (h = 0; h < 6; h++) {
				struct torfw_facts f = {
					.init_net = true, .has_uid = true,
					.cg_known = true,
					.uid = u < RND_UIDS ? rnd_uids[u] :
							      U_STRANGER,
				};

				if (node)
					rnd_chain(r, node, names, &f.cg_n);
				f.cg = names;
				rnd_dest(&f, h);
				if (rnd_accepts(test, new, &f) &&
				    !rnd_accepts(test, old, &f))
					return true;
			}
		}
	}
	return false;
}

static void cgroup_lock_brute_test(struct kunit *test)
{
	struct rnd_walk r = { .seed = 20261130 };
	u32 t, i, looser = 0, same = 0;

	for (t = 0; t < 600; t++) {
		struct torfw_policy *a, *b;
		int ret, skip;
		u32 seed;

		for (i = 1; i <= RND_NODES; i++)
			r.parent[i] = rnd(&r, i);
		seed = rnd(&r, 1U << 30);
		/* One principal less, on either side of the comparison. */
		skip = rnd(&r, 12);
		a = rnd_policy(&r, seed, t & 1 ? skip : -1);
		b = rnd_policy(&r, seed, t & 1 ? -1 : skip);
		if (IS_ERR(a) || IS_ERR(b)) {
			if (!IS_ERR(a))
				torfw_policy_free(a);
			if (!IS_ERR(b))
				torfw_policy_free(b);
			continue;
		}
		ret = torfw_policy_compare(a, b, TORFW_COMPARE_MAX, NULL,
					   NULL);
		KUNIT_EXPECT_EQ_MSG(test, ret == -EPERM,
				    rnd_looser(test, &r, a, b),
				    "pair %u (seed %u, skip %d): lock says %d",
				    t, seed, skip, ret);
		if (ret == -EPERM)
			looser++;
		else
			same++;
		torfw_policy_free(a);
		torfw_policy_free(b);
	}
	kunit_info(test, "%u pairs: %u looser, %u not\n", looser + same,
		   looser, same);
	/* Both answers came up often enough to mean something. */
	KUNIT_EXPECT_GE(test, looser, 50U);
	KUNIT_EXPECT_GE(test, same, 50U);
}

static struct kunit_case cgroup_cases[] = {
	KUNIT_CASE_PARAM(cgroup_decide_test, cgroup_decide_gen_params),
	KUNIT_CASE(cgroup_path_test),
	KUNIT_CASE(cgroup_build_test),
	KUNIT_CASE_PARAM(cgroup_compare_test, cgroup_compare_gen_params),
	KUNIT_CASE(cgroup_lock_brute_test),
	{}
};

static struct kunit_suite cgroup_suite = {
	.name = "torfw-cgroup",
	.test_cases = cgroup_cases,
};

kunit_test_suite(cgroup_suite);
