// SPDX-License-Identifier: GPL-2.0
/* include: relative paths, globs in byte order, depth, loops, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "config.h"
#include "fake_resolver.h"
#include "tests.h"
#include "tmpdir.h"

static bool parse(const char *path, struct tf_policy **pol,
		  struct tf_cfg_error *err, const char *sysroot)
{
	struct tf_parse_opts opts = {
		.resolver = &fake_resolver, .sysroot = sysroot,
	};

	*pol = policy_new();
	assert_non_null(*pol);
	return config_parse_file(*pol, path, &opts, err);
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void test_relative(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char top[PATH_MAX], sub[PATH_MAX];

	tmpdir_write(d, "conf/extra/more.conf", "role tor root\n", sub,
		     sizeof(sub));
	tmpdir_write(d, "conf/main.conf", "include extra/more.conf\n", top,
		     sizeof(top));
	assert_true(parse(top, &pol, &err, NULL));
	assert_int_equal(pol->nroles, 1);
	assert_string_equal(pol->roles[0].loc.file, sub);
	policy_free(pol);
}

/* Byte order, not the locale's nor the directory's. */
static void test_glob_order(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX];

	tmpdir_write(d, "torfw.d/10-b.conf", "role tor 2\n", p, sizeof(p));
	tmpdir_write(d, "torfw.d/02-a.conf", "role tor 1\n", p, sizeof(p));
	tmpdir_write(d, "torfw.d/2-c.conf", "role tor 3\n", p, sizeof(p));
	tmpdir_write(d, "torfw.d/B.conf", "role tor 4\n", p, sizeof(p));
	tmpdir_write(d, "torfw.d/ignored.txt", "bogus\n", p, sizeof(p));
	tmpdir_write(d, "main.conf", "include torfw.d/*.conf\nrole tor 5\n",
		     p, sizeof(p));
	assert_true(parse(p, &pol, &err, NULL));
	assert_int_equal(pol->nroles, 5);
	assert_string_equal(base(pol->roles[0].loc.file), "02-a.conf");
	assert_string_equal(base(pol->roles[1].loc.file), "10-b.conf");
	assert_string_equal(base(pol->roles[2].loc.file), "2-c.conf");
	assert_string_equal(base(pol->roles[3].loc.file), "B.conf");
	assert_string_equal(base(pol->roles[4].loc.file), "main.conf");
	policy_free(pol);
}

static void test_glob_missing_dir(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX];

	tmpdir_write(d, "main.conf",
		     "include nowhere/*.conf\ninclude /nonexistent-torfw/*.conf\n",
		     p, sizeof(p));
	assert_true(parse(p, &pol, &err, NULL));
	policy_free(pol);
}

static void test_glob_empty_dir(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX];

	tmpdir_write(d, "torfw.d/README", "not a conf\n", p, sizeof(p));
	tmpdir_write(d, "main.conf", "include torfw.d/*.conf\n", p, sizeof(p));
	assert_true(parse(p, &pol, &err, NULL));
	policy_free(pol);
}

static void test_missing_plain_file(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], msg[PATH_MAX + 100];

	tmpdir_write(d, "main.conf", "# x\n  include missing.conf\n", p,
		     sizeof(p));
	assert_false(parse(p, &pol, &err, NULL));
	assert_string_equal(err.file, p);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 11);
	snprintf(msg, sizeof(msg),
		 "cannot open '%s/missing.conf': No such file or directory",
		 d->path);
	assert_string_equal(err.msg, msg);
	policy_free(pol);
}

static void test_error_in_included(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], sub[PATH_MAX];

	tmpdir_write(d, "torfw.d/50-x.conf", "\n\nrole tor nosuchuser\n", sub,
		     sizeof(sub));
	tmpdir_write(d, "main.conf", "include torfw.d/*.conf\n", p, sizeof(p));
	assert_false(parse(p, &pol, &err, NULL));
	assert_string_equal(err.file, sub);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 10);
	assert_string_equal(err.msg, "unknown user 'nosuchuser'");
	policy_free(pol);
}

static void test_conflict_across_files(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], sub[PATH_MAX], msg[PATH_MAX + 100];

	tmpdir_write(d, "torfw.d/a.conf", "log-rate 5\n", sub, sizeof(sub));
	tmpdir_write(d, "main.conf",
		     "include torfw.d/a.conf\nlog-rate 6\n", p, sizeof(p));
	assert_false(parse(p, &pol, &err, NULL));
	assert_string_equal(err.file, p);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 1);
	snprintf(msg, sizeof(msg), "'log-rate' already set (at %s:1)", sub);
	assert_string_equal(err.msg, msg);
	policy_free(pol);
}

static void test_loop(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char a[PATH_MAX], b[PATH_MAX], msg[PATH_MAX + 100];

	tmpdir_write(d, "a.conf", "include b.conf\n", a, sizeof(a));
	tmpdir_write(d, "b.conf", "role tor 1\ninclude a.conf\n", b,
		     sizeof(b));
	assert_false(parse(a, &pol, &err, NULL));
	assert_string_equal(err.file, b);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 9);
	snprintf(msg, sizeof(msg),
		 "include loop: '%s' is already being read", a);
	assert_string_equal(err.msg, msg);
	policy_free(pol);
}

static void test_self_include_glob(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char a[PATH_MAX];

	tmpdir_write(d, "a.conf", "include *.conf\n", a, sizeof(a));
	assert_false(parse(a, &pol, &err, NULL));
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 9);
	assert_non_null(strstr(err.msg, "include loop: "));
	policy_free(pol);
}

/* f0 includes f1 ... : f8 is at level 8 (allowed), f9 is one too deep. */
static void chain(const struct tmpdir *d, unsigned int n, char *top)
{
	char name[32], text[64], p[PATH_MAX];
	unsigned int i;

	for (i = 0; i <= n; i++) {
		snprintf(name, sizeof(name), "f%u.conf", i);
		if (i < n)
			snprintf(text, sizeof(text), "role tor %u\ninclude f%u.conf\n",
				 i, i + 1);
		else
			snprintf(text, sizeof(text), "role tor %u\n", i);
		tmpdir_write(d, name, text, p, sizeof(p));
		if (!i)
			memcpy(top, p, strlen(p) + 1);
	}
}

static void test_depth_limit_ok(void **state)
{
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char top[PATH_MAX];

	chain(*state, TF_INCLUDE_DEPTH, top);
	assert_true(parse(top, &pol, &err, NULL));
	assert_int_equal(pol->nroles, TF_INCLUDE_DEPTH + 1);
	policy_free(pol);
}

static void test_depth_limit_exceeded(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char top[PATH_MAX], deepest[PATH_MAX];

	chain(d, TF_INCLUDE_DEPTH + 1, top);
	snprintf(deepest, sizeof(deepest), "%s/f%d.conf", d->path,
		 TF_INCLUDE_DEPTH);
	assert_false(parse(top, &pol, &err, NULL));
	assert_string_equal(err.file, deepest);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 1);
	assert_string_equal(err.msg,
			    "includes nested too deeply (at most 8 levels)");
	policy_free(pol);
}

static void test_sysroot(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX];

	tmpdir_write(d, "etc/torfw/torfw.d/x.conf", "role tor 7\n", p,
		     sizeof(p));
	tmpdir_write(d, "main.conf", "include /etc/torfw/torfw.d/*.conf\n", p,
		     sizeof(p));
	assert_true(parse(p, &pol, &err, d->path));
	assert_int_equal(pol->nroles, 1);
	assert_int_equal(pol->roles[0].uid, 7);
	policy_free(pol);
}

static void test_missing_top_file(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], buf[PATH_MAX + 100], want[PATH_MAX + 100];

	snprintf(p, sizeof(p), "%s/none.conf", d->path);
	assert_false(parse(p, &pol, &err, NULL));
	assert_int_equal(err.line, 0);
	config_error_format(&err, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s: No such file or directory", p);
	assert_string_equal(buf, want);
	policy_free(pol);
}

/* Only regular files: each refused at the include, at once. */
static void expect_not_regular(const struct tmpdir *d, const char *word,
			       const char *shown, const char *type)
{
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], text[PATH_MAX + 16], msg[PATH_MAX + 100];

	snprintf(text, sizeof(text), "\ninclude %s\n", word);
	tmpdir_write(d, "main.conf", text, p, sizeof(p));
	assert_false(parse(p, &pol, &err, NULL));
	assert_string_equal(err.file, p);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 9);
	snprintf(msg, sizeof(msg),
		 "cannot include '%s': not a regular file (%s)", shown, type);
	assert_string_equal(err.msg, msg);
	policy_free(pol);
}

static void test_include_directory(void **state)
{
	struct tmpdir *d = *state;
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/sub", d->path);
	assert_int_equal(mkdir(dir, 0755), 0);
	expect_not_regular(d, "sub", dir, "a directory");
}

static void test_include_device(void **state)
{
	expect_not_regular(*state, "/dev/zero", "/dev/zero",
			   "a character device");
}

/* Without a writer, opening a FIFO would block: it must fail at once. */
static void test_include_fifo(void **state)
{
	struct tmpdir *d = *state;
	char fifo[PATH_MAX];

	snprintf(fifo, sizeof(fifo), "%s/pipe.conf", d->path);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_not_regular(d, "pipe.conf", fifo, "a FIFO");
}

/* A glob that matches a directory among the files refuses it too. */
static void test_include_glob_directory(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], dir[PATH_MAX], msg[PATH_MAX + 100];

	tmpdir_write(d, "torfw.d/a.conf", "role tor 1\n", p, sizeof(p));
	snprintf(dir, sizeof(dir), "%s/torfw.d/b.conf", d->path);
	assert_int_equal(mkdir(dir, 0755), 0);
	tmpdir_write(d, "main.conf", "include torfw.d/*.conf\n", p, sizeof(p));
	assert_false(parse(p, &pol, &err, NULL));
	assert_string_equal(err.file, p);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 9);
	snprintf(msg, sizeof(msg),
		 "cannot include '%s': not a regular file (a directory)", dir);
	assert_string_equal(err.msg, msg);
	policy_free(pol);
}

/* nft quotes its include patterns; here the quotes would match nothing. */
static void test_include_quotes(void **state)
{
	static const struct {
		const char *text, *msg;
		unsigned int col;
	} cases[] = {
		{ "include \"torfw.d/*.conf\"\n",
		  "quotes in include pattern \"torfw.d/*.conf\" (there is no quoting: write include torfw.d/*.conf)",
		  9 },
		{ "  include 'x.conf'\n",
		  "quotes in include pattern 'x.conf' (there is no quoting: write include x.conf)",
		  11 },
		{ "include a\"b.conf\n",
		  "quotes in include pattern 'a\"b.conf' (there is no quoting)",
		  9 },
		{ "include \"\"\n",
		  "quotes in include pattern '\"\"' (there is no quoting)", 9 },
	};
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX];
	size_t i;

	/* The unquoted pattern matches: the quoted one must not pass. */
	tmpdir_write(d, "torfw.d/a.conf", "role tor 1\n", p, sizeof(p));
	tmpdir_write(d, "x.conf", "role tor 2\n", p, sizeof(p));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tmpdir_write(d, "main.conf", cases[i].text, p, sizeof(p));
		assert_false(parse(p, &pol, &err, NULL));
		assert_string_equal(err.msg, cases[i].msg);
		assert_int_equal(err.line, 1);
		assert_int_equal(err.col, cases[i].col);
		policy_free(pol);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int test_include_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		T(test_relative),
		T(test_glob_order),
		T(test_glob_missing_dir),
		T(test_glob_empty_dir),
		T(test_missing_plain_file),
		T(test_error_in_included),
		T(test_conflict_across_files),
		T(test_loop),
		T(test_self_include_glob),
		T(test_depth_limit_ok),
		T(test_depth_limit_exceeded),
		T(test_sysroot),
		T(test_missing_top_file),
		T(test_include_directory),
		T(test_include_device),
		T(test_include_fifo),
		T(test_include_glob_directory),
		T(test_include_quotes),
	};

	return RUN_GROUP("include", tests, count);
}
