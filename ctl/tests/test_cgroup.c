// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup principals (cgroup:/path): the path rule of the UAPI header and
 * every way to break it, with the exact line:col; the limits; the
 * canonical order and the printed text; the load encoding and the dump
 * decoding, both a path and nothing else (the principal is the path).
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

#include "config.h"
#include "decode.h"
#include "encode.h"
#include "event.h"
#include "fake_resolver.h"
#include "print.h"
#include "tests.h"

struct cg_bad {
	const char *text;
	unsigned int line, col;
	const char *msg;
};

#define SEG "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghi"

/* X(name, text, line, col, message) */
#define CG_BAD(X)							\
	X(empty, "allow tcp 127.0.0.1:9050 cgroup:\n", 1, 26,		\
	  "missing cgroup path after 'cgroup:'")			\
	X(relative, "allow tcp 127.0.0.1:9050 root cgroup:a.slice\n", 1, 31, \
	  "cgroup path 'a.slice' is not absolute (it must start with '/')") \
	X(root, "role tor cgroup:/\n", 1, 10,				\
	  "cgroup path '/' is the root, which holds every socket")	\
	X(double_slash, "allow tcp 127.0.0.1:9050 cgroup:/a//b\n", 1, 26, \
	  "cgroup path '/a//b' has an empty component ('//')")		\
	X(trailing_slash, "\nrole clearnet cgroup:/a/b/\n", 2, 15,	\
	  "cgroup path '/a/b/' ends with '/'")				\
	X(dot, "allow udp 127.0.0.1:53 drop cgroup:/a/./b\n", 1, 29,	\
	  "cgroup path '/a/./b' has a '.' or '..' component")		\
	X(dotdot, "allow udp 127.0.0.1:53 cgroup:/a/..\n", 1, 24,	\
	  "cgroup path '/a/..' has a '.' or '..' component")		\
	X(too_deep,							\
	  "role packet cgroup:/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17\n", \
	  1, 13,							\
	  "cgroup path '/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17' is too deep (at most 16 components)") \
	X(too_long,							\
	  "role tor cgroup:/" SEG "/" SEG "/" SEG "/" SEG "/" SEG "\n", 1, 10, \
	  "cgroup path '/" SEG "/a...' is too long (at most 255 bytes)")	\
	X(twice, "allow tcp 127.0.0.1:9050 cgroup:/a root cgroup:/a\n", 1, 41, \
	  "cgroup '/a' listed twice")					\
	X(twice_dropped, "allow tcp 127.0.0.1:9050 root drop cgroup:/a cgroup:/a\n", \
	  1, 46, "cgroup '/a' listed twice")				\
	X(allowed_and_dropped,						\
	  "allow tcp 127.0.0.1:9050 cgroup:/a drop cgroup:/a\n", 1, 41,	\
	  "cgroup '/a' is both allowed and dropped")			\
	X(entry_limit,							\
	  "allow tcp 127.0.0.1:1 cgroup:/1 cgroup:/2 cgroup:/3 cgroup:/4 " \
	  "drop cgroup:/5 cgroup:/6 cgroup:/7 cgroup:/8 cgroup:/9\n", 1, 108, \
	  "too many cgroups in one entry (at most 8 allowed and dropped)") \
	X(missing_after_drop, "allow tcp 127.0.0.1:1 cgroup:/a drop\n", 1, 37, \
	  "missing user after 'drop'")

#define CG_BAD_STRUCT(name, text, line, col, msg)			\
	static struct cg_bad cg_bad_##name = { text, line, col, msg };
CG_BAD(CG_BAD_STRUCT)

static void test_bad(void **state)
{
	const struct cg_bad *c = *state;
	struct tf_policy *pol = policy_new();
	struct tf_cfg_error err;

	assert_non_null(pol);
	assert_false(config_parse_string(pol, "t.conf", c->text, &fake_opts,
					 &err));
	assert_string_equal(err.file, "t.conf");
	assert_string_equal(err.msg, c->msg);
	assert_int_equal(err.line, c->line);
	assert_int_equal(err.col, c->col);
	policy_free(pol);
}

/* TORFW_MAX_CGROUPS distinct paths, and the next one refused. */
static void test_policy_limit(void **state)
{
	struct tf_policy *pol = policy_new();
	struct tf_cfg_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	(void)state;
	assert_non_null(f);
	for (i = 0; i < TORFW_MAX_CGROUPS; i++)
		fprintf(f, "role tor cgroup:/c%d\n", i);
	/* the same paths again: no new ones */
	fprintf(f, "role clearnet cgroup:/c0 cgroup:/c63\n");
	fprintf(f, "role clearnet cgroup:/c64\n");
	fclose(f);
	assert_false(config_parse_string(pol, "t.conf", text, &fake_opts,
					 &err));
	assert_string_equal(err.msg, "too many cgroups (at most 64 distinct paths)");
	assert_int_equal(err.line, TORFW_MAX_CGROUPS + 2);
	assert_int_equal(err.col, 15);
	free(text);
	policy_free(pol);
}

static void test_parse(void **state)
{
	struct tf_policy *pol = parse_ok(
		"role tor debian-tor cgroup:/system.slice/tor.service\n"
		"allow tcp 127.0.0.1:9050 amnesia cgroup:/user.slice/b.slice "
		"drop _apt cgroup:/user.slice/a.slice netns n\n"
		"role tor cgroup:/system.slice/tor.service\n");
	const struct tf_service *s = &pol->services[0];

	(void)state;
	assert_int_equal(pol->ncgroups, 3);
	assert_int_equal(pol->nroles, 2);
	assert_true(pol->roles[1].is_cg);
	assert_string_equal(pol->cgroups[pol->roles[1].cg].path,
			    "/system.slice/tor.service");
	assert_int_equal(pol->roles[1].loc.col, 21);
	assert_int_equal(s->nuids, 1);
	assert_int_equal(s->ncg, 1);
	assert_int_equal(s->ndrop_cg, 1);
	assert_string_equal(pol->cgroups[s->cg[0]].path, "/user.slice/b.slice");
	assert_string_equal(pol->cgroups[s->drop_cg[0]].path,
			    "/user.slice/a.slice");
	policy_free(pol);
}

/* An entry of cgroups only is an entry: it names a principal. */
static void test_cgroup_only_entry(void **state)
{
	struct tf_policy *pol = parse_ok("allow udp [::1]:53 drop cgroup:/x\n");

	(void)state;
	assert_int_equal(pol->nservices, 1);
	assert_int_equal(pol->services[0].ndrop_cg, 1);
	policy_free(pol);
}

/* Sorted by path whatever the order written, indexes renumbered. */
static void test_print_canonical(void **state)
{
	struct tf_policy *pol = parse_ok(
		"allow tcp 127.0.0.1:9050 cgroup:/z cgroup:/b 1000 drop cgroup:/m 42\n"
		"role packet cgroup:/z\nrole packet 0\nrole packet cgroup:/a\n");
	struct tf_policy *again;
	char *t1, *t2;

	(void)state;
	t1 = print_to_string(pol);
	assert_non_null(strstr(t1,
		"role packet root\nrole packet cgroup:/a\nrole packet cgroup:/z\n"));
	assert_non_null(strstr(t1,
		"allow tcp 127.0.0.1:9050 amnesia cgroup:/b cgroup:/z drop _apt cgroup:/m\n"));
	again = parse_ok(t1);
	t2 = print_to_string(again);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	policy_free(pol);
	policy_free(again);
}

static void test_json(void **state)
{
	struct tf_policy *pol = parse_ok(
		"role tor cgroup:/t\nallow tcp 127.0.0.1:1 cgroup:/a drop cgroup:/b\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	policy_print_json(f, pol, &fake_resolver);
	fclose(f);
	/* the principal is the path: nothing else, decoded or not */
	assert_non_null(strstr(buf,
		"\"roles\":[{\"role\":\"tor\",\"cgroup\":{\"path\":\"/t\"}}]"));
	assert_non_null(strstr(buf,
		"\"cgroups\":[{\"path\":\"/a\"}],"
		"\"drop_cgroups\":[{\"path\":\"/b\"}]"));
	free(buf);
	policy_free(pol);
}

static char msgbuf[8192];

static struct nlmsghdr *msg(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(msgbuf, 0, sizeof(msgbuf));
	nlh = mnl_nlmsg_put_header(msgbuf);
	nlh->nlmsg_type = 0x1234;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TORFW_GENL_VERSION;
	return nlh;
}

/* A cgroup nest as the kernel dumps it (and a load carries it): a path. */
static void put_cg(struct nlmsghdr *nlh, uint16_t type, const char *path)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	if (path)
		mnl_attr_put_strz(nlh, TORFW_CG_PATH, path);
	mnl_attr_nest_end(nlh, n);
}

static struct nlmsghdr *dump_with(const char *path)
{
	static const uint8_t lo[4] = { 127, 0, 0, 1 };
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_POLICY);
	struct nlattr *n;

	mnl_attr_put_u64(nlh, TORFW_A_GENERATION, 3);
	n = mnl_attr_nest_start(nlh, TORFW_A_ROLE);
	mnl_attr_put_u8(nlh, TORFW_ROLE_KIND, TORFW_ROLE_TOR);
	put_cg(nlh, TORFW_ROLE_CGROUP, "/t");
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, TORFW_A_SERVICE);
	mnl_attr_put_u8(nlh, TORFW_SVC_FAMILY, AF_INET);
	mnl_attr_put_u8(nlh, TORFW_SVC_PROTO, IPPROTO_TCP);
	mnl_attr_put(nlh, TORFW_SVC_ADDR, 4, lo);
	mnl_attr_put_u16(nlh, TORFW_SVC_PORT_LO, 9050);
	put_cg(nlh, TORFW_SVC_CGROUP, path);
	put_cg(nlh, TORFW_SVC_DROP_CGROUP, "/gone");
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

static void test_decode(void **state)
{
	struct tf_policy *pol = policy_new();
	const char *why = NULL;
	char *text;

	(void)state;
	assert_int_equal(decode_policy(dump_with("/a/b"), pol, &why), 0);
	assert_int_equal(pol->ncgroups, 3);
	assert_true(pol->roles[0].is_cg);
	assert_string_equal(pol->cgroups[pol->services[0].cg[0]].path, "/a/b");
	assert_string_equal(pol->cgroups[pol->services[0].drop_cg[0]].path,
			    "/gone");
	/* show: the paths, as a file says them (nothing is resolved) */
	text = print_to_string(pol);
	assert_non_null(strstr(text,
		"allow tcp 127.0.0.1:9050 cgroup:/a/b drop cgroup:/gone\n"));
	free(text);
	policy_free(pol);
}

/* The role's /t named again by the entry: one path, one cgroup. */
static void test_decode_same_path(void **state)
{
	struct tf_policy *pol = policy_new();
	const char *why = NULL;

	(void)state;
	assert_int_equal(decode_policy(dump_with("/t"), pol, &why), 0);
	assert_int_equal(pol->ncgroups, 2);
	assert_int_equal(pol->roles[0].cg, pol->services[0].cg[0]);
	policy_free(pol);
}

static void decode_bad(const char *path, const char *want)
{
	struct tf_policy *pol = policy_new();
	const char *why = NULL;

	assert_int_equal(decode_policy(dump_with(path), pol, &why), -EBADMSG);
	assert_string_equal(why, want);
	policy_free(pol);
}

static void test_decode_bad(void **state)
{
	(void)state;
	/* paths the rule refuses, or none */
	decode_bad("/a/", "bad cgroup path");
	decode_bad("/a//b", "bad cgroup path");
	decode_bad("/", "bad cgroup path");
	decode_bad("a", "bad cgroup path");
	decode_bad(NULL, "bad cgroup path");
}

/*
 * A socket's cgroup (explain --cgroup) is not a principal: any depth and
 * length the tool holds, the root included; still absolute, without
 * empty, '.' or '..' components or control characters.
 */
static void test_socket_path(void **state)
{
	/* 32 levels, twice what a principal may have */
	static const char deep[] =
		"/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5";
	char *longp;

	(void)state;
	assert_non_null(cgroup_path_error(deep));
	assert_null(cgroup_socket_path_error(deep));
	longp = malloc(CG_SOCKET_PATH_MAX + 1);
	assert_non_null(longp);
	memset(longp, 'x', CG_SOCKET_PATH_MAX);
	longp[0] = '/';
	longp[CG_SOCKET_PATH_MAX - 1] = '\0';	/* 4095 bytes */
	assert_non_null(cgroup_path_error(longp));
	assert_null(cgroup_socket_path_error(longp));
	longp[CG_SOCKET_PATH_MAX - 1] = 'x';
	longp[CG_SOCKET_PATH_MAX] = '\0';
	assert_string_equal(cgroup_socket_path_error(longp),
			    "is too long (at most 4095 bytes)");
	free(longp);
	assert_null(cgroup_socket_path_error("/"));
	assert_null(cgroup_socket_path_error("/a/b c/d"));
	assert_string_equal(cgroup_socket_path_error(""), "is empty");
	assert_string_equal(cgroup_socket_path_error("a/b"),
			    "is not absolute (it must start with '/')");
	assert_string_equal(cgroup_socket_path_error("/a//b"),
			    "has an empty component ('//')");
	assert_string_equal(cgroup_socket_path_error("/a/"), "ends with '/'");
	assert_string_equal(cgroup_socket_path_error("/a/../b"),
			    "has a '.' or '..' component");
	assert_string_equal(cgroup_socket_path_error("/a/."),
			    "has a '.' or '..' component");
	assert_null(cgroup_socket_path_error("/a/.b/..c"));
	assert_string_equal(cgroup_socket_path_error("/a/b\nc"),
			    "has a control character");
	assert_string_equal(cgroup_socket_path_error("/a/b\x7f"),
			    "has a control character");
}

static void test_decode_role_two_principals(void **state)
{
	struct tf_policy *pol = policy_new();
	struct nlmsghdr *nlh = msg(TORFW_CMD_GET_POLICY);
	const char *why = NULL;
	struct nlattr *n;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_ROLE);
	mnl_attr_put_u8(nlh, TORFW_ROLE_KIND, TORFW_ROLE_TOR);
	mnl_attr_put_u32(nlh, TORFW_ROLE_UID, 1);
	put_cg(nlh, TORFW_ROLE_CGROUP, "/t");
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_policy(nlh, pol, &why), -EBADMSG);
	assert_string_equal(why, "role of two principals");
	policy_free(pol);
}

/* The nests a load carries: the path, the principal itself. */
static void test_encode(void **state)
{
	struct tf_policy *pol = parse_ok(
		"role clearnet cgroup:/c\n"
		"allow tcp 127.0.0.1:9050 cgroup:/a drop cgroup:/b\n");
	const struct nlattr *a, *x, *y;
	const struct nlmsghdr *nlh;
	unsigned int roles = 0, allowed = 0, dropped = 0;
	struct tf_batch b;
	char *t1, *t2;
	struct tf_policy *back = policy_new();
	const char *why = NULL;

	(void)state;
	t1 = print_to_string(pol);
	assert_int_equal(encode_load(pol, 0x1234, 1, 0, 8192, NULL, NULL, &b),
			 0);
	assert_int_equal(b.nmsgs, 1);
	nlh = (const void *)b.msgs[0].buf;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == TORFW_A_ROLE)
			mnl_attr_for_each_nested(x, a) {
				if (mnl_attr_get_type(x) != TORFW_ROLE_CGROUP)
					continue;
				roles++;
				y = mnl_attr_get_payload(x);
				assert_int_equal(mnl_attr_get_type(y),
						 TORFW_CG_PATH);
				assert_string_equal(mnl_attr_get_str(y), "/c");
			}
		if (mnl_attr_get_type(a) != TORFW_A_SERVICE)
			continue;
		mnl_attr_for_each_nested(x, a) {
			const char *want = NULL;

			if (mnl_attr_get_type(x) == TORFW_SVC_CGROUP)
				want = "/a", allowed++;
			else if (mnl_attr_get_type(x) == TORFW_SVC_DROP_CGROUP)
				want = "/b", dropped++;
			if (!want)
				continue;
			y = mnl_attr_get_payload(x);
			assert_int_equal(mnl_attr_get_type(y), TORFW_CG_PATH);
			assert_string_equal(mnl_attr_get_str(y), want);
			/* nothing but the path */
			assert_int_equal(mnl_attr_get_payload_len(x),
					 MNL_ALIGN(mnl_attr_get_len(y)));
		}
	}
	assert_int_equal(roles, 1);
	assert_int_equal(allowed, 1);
	assert_int_equal(dropped, 1);
	/* and back: the same paths */
	assert_int_equal(decode_policy(nlh, back, &why), 0);
	t2 = print_to_string(back);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	batch_free(&b);
	policy_free(back);
	policy_free(pol);
}

static void test_event(void **state)
{
	struct nlmsghdr *nlh = msg(TORFW_CMD_EVENT);
	const char *why = NULL;
	struct tf_event ev;
	struct nlattr *n;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	n = mnl_attr_nest_start(nlh, TORFW_A_EVENT);
	mnl_attr_put_u16(nlh, TORFW_EV_REASON, TORFW_R_LOOPBACK);
	mnl_attr_put_u8(nlh, TORFW_EV_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, TORFW_EV_UID, 1000);
	mnl_attr_put_strz(nlh, TORFW_EV_CGROUP, "/app.slice/a b.service");
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(decode_event(nlh, &ev, &why), 0);
	assert_true(ev.has_cgroup);
	f = open_memstream(&out, &len);
	event_print(f, &ev);
	event_print_json(f, &ev);
	fclose(f);
	/* a user names its own cgroups: escaped like comm */
	assert_non_null(strstr(out,
		"refused uid=1000 cgroup=/app.slice/a\\x20b.service reason=loopback\n"));
	assert_non_null(strstr(out,
		",\"uid\":1000,\"cgroup\":\"/app.slice/a b.service\","));
	free(out);
}

int test_cgroup_run(unsigned int *count)
{
#define CG_BAD_TEST(name, text, line, col, msg)				\
	{ "cgroup_bad_" #name, test_bad, NULL, NULL, &cg_bad_##name },
	static const struct CMUnitTest tests[] = {
		CG_BAD(CG_BAD_TEST)
		cmocka_unit_test(test_policy_limit),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_cgroup_only_entry),
		cmocka_unit_test(test_print_canonical),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_same_path),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_decode_role_two_principals),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_event),
	};
#undef CG_BAD_TEST

	return RUN_GROUP("cgroup", tests, count);
}
