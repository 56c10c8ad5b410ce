// SPDX-License-Identifier: GPL-2.0
/*
 * The users of the reference policy plus a few made for the tests: a
 * group with supplementary and primary members, an empty group, a stale
 * member, names the printer must not use, and failing lookups.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_resolver.h"
#include "print.h"

static const struct {
	const char *name;
	uint32_t uid, gid;
} users[] = {
	{ "root", 0, 0 },
	{ "proxy", 13, 13 },
	{ "_apt", 42, 65534 },
	{ "nobody", 65534, 65534 },
	{ "debian-tor", 107, 114 },
	{ "clearnet", 108, 115 },
	{ "htp", 109, 116 },
	{ "tails-upgrade-frontend", 110, 117 },
	{ "tails-iuk-get-target-file", 111, 118 },
	{ "Debian-gdm", 112, 119 },
	{ "amnesia", 1000, 1000 },
	{ "alice", 1001, 100 },
	{ "bob", 1002, 50 },
	{ "carol", 1003, 100 },
	{ "12345", 2000, 100 },		/* all digits: reads back as a uid */
	{ "drop", 2001, 100 },		/* a keyword of allow */
	{ "toor", 0, 0 },		/* second name of uid 0 */
	{ "mismatch", 2004, 100 },	/* uid 2003's name resolves to 2004 */
};

static const struct {
	const char *name;
	uint32_t gid;
	const char *members[4];
} groups[] = {
	{ "staff", 50, { "alice", NULL } },
	{ "users", 100, { NULL } },
	{ "empty", 60, { NULL } },
	{ "stale", 61, { "deleted", "carol", NULL } },
};

static int fake_user_uid(void *ctx, const char *name, uint32_t *uid)
{
	size_t i;

	(void)ctx;
	if (!strcmp(name, "ioerror"))
		return -EIO;
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		if (!strcmp(users[i].name, name)) {
			*uid = users[i].uid;
			return 0;
		}
	}
	return -ENOENT;
}

static bool fake_user_name(void *ctx, uint32_t uid, char *buf, size_t size)
{
	size_t i;

	(void)ctx;
	if (uid == 2003) {
		snprintf(buf, size, "mismatch");
		return true;
	}
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		if (users[i].uid == uid) {
			snprintf(buf, size, "%s", users[i].name);
			return true;
		}
	}
	return false;
}

static int fake_group_members(void *ctx, const char *name, uint32_t gid,
			      tf_uid_fn fn, void *arg)
{
	size_t i, j;
	uint32_t uid;
	int ret;

	if (name && !strcmp(name, "broken"))
		return -EIO;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (name ? strcmp(groups[i].name, name) != 0 :
			   groups[i].gid != gid)
			continue;
		for (j = 0; groups[i].members[j]; j++) {
			if (fake_user_uid(ctx, groups[i].members[j], &uid))
				continue;
			ret = fn(arg, uid);
			if (ret)
				return ret;
		}
		for (j = 0; j < sizeof(users) / sizeof(users[0]); j++) {
			if (users[j].gid != groups[i].gid)
				continue;
			ret = fn(arg, users[j].uid);
			if (ret)
				return ret;
		}
		return 0;
	}
	return -ENOENT;
}

const struct tf_resolver fake_resolver = {
	.user_uid = fake_user_uid,
	.user_name = fake_user_name,
	.group_members = fake_group_members,
};

const struct tf_parse_opts fake_opts = { .resolver = &fake_resolver };

struct tf_policy *parse_ok(const char *text)
{
	struct tf_policy *pol = policy_new();
	struct tf_cfg_error err;

	assert_non_null(pol);
	if (!config_parse_string(pol, "t.conf", text, &fake_opts, &err)) {
		char msg[1200];

		config_error_format(&err, msg, sizeof(msg));
		fail_msg("unexpected parse error: %s", msg);
	}
	return pol;
}

char *print_to_string(struct tf_policy *pol)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	policy_sort(pol);
	policy_print(f, pol, &fake_resolver);
	fclose(f);
	return buf;
}
