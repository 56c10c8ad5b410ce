// SPDX-License-Identifier: GPL-2.0
/*
 * passwd and group files of an image (check --root): the answers glibc's
 * files source would give, and for each malformed line the exact message
 * and its line:col.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests.h"
#include "userdb.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"# a comment, then a blank line\n"
	"\n"
	"proxy:x:13:13:proxy:/bin:/usr/sbin/nologin\n"
	"debian-tor:x:997:997::/home/debian-tor:/usr/sbin/nologin\n"
	"amnesia:x:1000:1000::/home/amnesia:/bin/bash\n"
	"toor:x:0:0:second name of uid 0:/root:/bin/sh\n"
	"alice:x:1001:100::/home/alice:\n"
	"bob:x:1002:50::/home/bob:/bin/sh";	/* no final newline */

static const char group[] =
	"root:x:0:\n"
	"staff:x:50:alice,ghost\n"
	"users:x:100:\n"
	"other:x:100:bob\n"	/* the same gid: getgrgid gives users */
	"empty:x:60:\n";

static struct tf_userdb *parse(const char *pw, const char *gr,
			       struct tf_cfg_error *err)
{
	return userdb_parse("R/etc/passwd", pw, strlen(pw), "R/etc/group", gr,
			    strlen(gr), err);
}

static int collect(void *arg, uint32_t uid)
{
	char *s = arg;

	snprintf(s + strlen(s), 64, "%u ", uid);
	return 0;
}

static void test_lookups(void **state)
{
	struct tf_cfg_error err;
	struct tf_userdb *db = parse(passwd, group, &err);
	struct tf_resolver r;
	char name[64], got[256];
	uint32_t uid = 42;

	(void)state;
	assert_non_null(db);
	r = userdb_resolver(db);
	assert_int_equal(r.user_uid(r.ctx, "debian-tor", &uid), 0);
	assert_int_equal(uid, 997);
	assert_int_equal(r.user_uid(r.ctx, "bob", &uid), 0);
	assert_int_equal(uid, 1002);
	assert_int_equal(r.user_uid(r.ctx, "nobody", &uid), -ENOENT);
	assert_int_equal(r.user_uid(r.ctx, "", &uid), -ENOENT);
	/* the first name of a uid, in file order */
	assert_true(r.user_name(r.ctx, 0, name, sizeof(name)));
	assert_string_equal(name, "root");
	assert_true(r.user_name(r.ctx, 1000, name, sizeof(name)));
	assert_string_equal(name, "amnesia");
	assert_false(r.user_name(r.ctx, 4242, name, sizeof(name)));
	assert_false(r.user_name(r.ctx, 997, name, 4));	/* too small */
	/* supplementary members (a stale one skipped), then primary ones */
	got[0] = '\0';
	assert_int_equal(r.group_members(r.ctx, "staff", 0, collect, got), 0);
	assert_string_equal(got, "1001 1002 ");
	got[0] = '\0';
	assert_int_equal(r.group_members(r.ctx, NULL, 100, collect, got), 0);
	assert_string_equal(got, "1001 ");
	got[0] = '\0';
	assert_int_equal(r.group_members(r.ctx, "other", 0, collect, got), 0);
	assert_string_equal(got, "1002 1001 ");
	got[0] = '\0';
	assert_int_equal(r.group_members(r.ctx, "empty", 0, collect, got), 0);
	assert_string_equal(got, "");
	assert_int_equal(r.group_members(r.ctx, "nogroup", 0, collect, got),
			 -ENOENT);
	assert_int_equal(r.group_members(r.ctx, NULL, 61, collect, got),
			 -ENOENT);
	userdb_free(db);
}

static void test_empty_files(void **state)
{
	struct tf_cfg_error err;
	struct tf_userdb *db = parse("", "", &err);
	struct tf_resolver r;
	char name[16];
	uint32_t uid;

	(void)state;
	assert_non_null(db);
	r = userdb_resolver(db);
	assert_int_equal(r.user_uid(r.ctx, "root", &uid), -ENOENT);
	assert_false(r.user_name(r.ctx, 0, name, sizeof(name)));
	userdb_free(db);
}

struct bad_case {
	const char *name, *pw, *gr;
	size_t pw_len;		/* 0: strlen */
	const char *file;
	unsigned int line, col;
	const char *msg;
};

#define OK_GR "root:x:0:\n"
#define OK_PW "root:x:0:0:root:/root:/bin/bash\n"

static const struct bad_case bad_cases[] = {
	{ "too few fields", OK_PW "daemon:x:1:1:/usr/sbin\n", OK_GR, 0,
	  "R/etc/passwd", 2, 23,
	  "5 fields separated by ':' instead of 7" },
	{ "too many fields", "a:x:1:1::/:/bin/sh:extra\n", OK_GR, 0,
	  "R/etc/passwd", 1, 19, "more than 7 fields separated by ':'" },
	{ "uid not a number", "a:x:one:1::/:/bin/sh\n", OK_GR, 0,
	  "R/etc/passwd", 1, 5,
	  "invalid uid 'one' (expected 0-4294967294)" },
	{ "uid -1", "a:x:4294967295:1::/:/bin/sh\n", OK_GR, 0,
	  "R/etc/passwd", 1, 5,
	  "invalid uid '4294967295' (expected 0-4294967294)" },
	{ "negative gid", "a:x:1:-1::/:/bin/sh\n", OK_GR, 0, "R/etc/passwd",
	  1, 7, "invalid gid '-1' (expected 0-4294967294)" },
	{ "empty uid", "a:x::1::/:/bin/sh\n", OK_GR, 0, "R/etc/passwd", 1,
	  5, "invalid uid '' (expected 0-4294967294)" },
	{ "empty name", ":x:1:1::/:/bin/sh\n", OK_GR, 0, "R/etc/passwd", 1,
	  1, "empty user name" },
	{ "blank in a name", "a b:x:1:1::/:/bin/sh\n", OK_GR, 0,
	  "R/etc/passwd", 1, 2,
	  "invalid character 0x20 in user name 'a b'" },
	{ "carriage return in a group", OK_PW, "root:x:0:\r\n", 0,
	  "R/etc/group", 1, 10,
	  "invalid character 0x0d in member name '\r'" },
	{ "NIS compat entry", OK_PW "+::::::\n", OK_GR, 0, "R/etc/passwd", 2,
	  1, "NIS compat entry '+' (only plain entries are read)" },
	{ "leading blank", OK_PW " a:x:1:1::/:/bin/sh\n", OK_GR, 0,
	  "R/etc/passwd", 2, 1, "line starts with a blank" },
	{ "NUL byte", "a:x:1:1::/:/bin/sh\nb:x:2\0002::/:\n", OK_GR, 31,
	  "R/etc/passwd", 2, 6, "NUL byte" },
	{ "duplicate user", OK_PW "a:x:1:1::/:\n" OK_PW, OK_GR, 0,
	  "R/etc/passwd", 3, 1, "duplicate user 'root' (first at line 1)" },
	{ "duplicate group", OK_PW, OK_GR "x:x:5:\n" OK_GR, 0, "R/etc/group",
	  3, 1, "duplicate group 'root' (first at line 1)" },
	{ "empty member", OK_PW, "staff:x:50:a,,b\n", 0, "R/etc/group", 1,
	  14, "empty member name" },
	{ "trailing comma", OK_PW, "staff:x:50:a,\n", 0, "R/etc/group", 1,
	  14, "empty member name" },
	{ "group with 3 fields", OK_PW, "staff:x:50\n", 0, "R/etc/group", 1,
	  11, "3 fields separated by ':' instead of 4" },
	{ "bad gid of a group", OK_PW, "staff:x:5O:\n", 0, "R/etc/group", 1,
	  9, "invalid gid '5O' (expected 0-4294967294)" },
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	struct tf_cfg_error err;
	struct tf_userdb *db;

	db = userdb_parse("R/etc/passwd", c->pw,
			  c->pw_len ? c->pw_len : strlen(c->pw),
			  "R/etc/group", c->gr, strlen(c->gr), &err);
	if (db)
		fail_msg("'%s' parsed", c->name);
	assert_string_equal(err.file, c->file);
	assert_int_equal(err.line, c->line);
	assert_int_equal(err.col, c->col);
	assert_string_equal(err.msg, c->msg);
}

/* A name of 257 bytes: longer than any glibc hands out. */
static void test_long_name(void **state)
{
	char pw[400];
	struct tf_cfg_error err;

	(void)state;
	memset(pw, 'a', 257);
	snprintf(pw + 257, sizeof(pw) - 257, ":x:1:1::/:\n");
	assert_null(parse(pw, "", &err));
	assert_int_equal(err.line, 1);
	assert_string_equal(err.msg, "user name too long (at most 256 bytes)");
	memset(pw, 'a', 256);
	snprintf(pw + 256, sizeof(pw) - 256, ":x:1:1::/:\n");
	userdb_free(parse(pw, "", &err));
	assert_string_equal(err.msg, "");
}

int test_userdb_run(unsigned int *count)
{
	static struct CMUnitTest tests[2 + sizeof(bad_cases) /
				       sizeof(bad_cases[0]) + 1] = {
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_long_name),
	};
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		tests[3 + i].name = bad_cases[i].name;
		tests[3 + i].test_func = test_bad;
		tests[3 + i].initial_state = (void *)&bad_cases[i];
	}
	return RUN_GROUP("userdb", tests, count);
}
