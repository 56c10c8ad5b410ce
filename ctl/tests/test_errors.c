// SPDX-License-Identifier: GPL-2.0
/*
 * Every error of a config at once (up to TF_MAX_ERRORS): each bad line
 * is reported where it is, and contributes nothing, so that no later
 * error is an echo of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "fake_resolver.h"
#include "tests.h"
#include "tmpdir.h"

static bool parse_all(const char *text, struct tf_policy **pol,
		      struct tf_cfg_errors *errs)
{
	struct tf_parse_opts opts = {
		.resolver = &fake_resolver, .errors = errs,
	};
	struct tf_cfg_error err;
	bool ok;

	*pol = policy_new();
	assert_non_null(*pol);
	ok = config_parse_string(*pol, "t.conf", text, &opts, &err);
	/* the first error is also where the single-error API puts it */
	if (!ok) {
		assert_true(errs->n > 0);
		assert_string_equal(err.msg, errs->v[0].msg);
		assert_int_equal(err.line, errs->v[0].line);
	}
	return ok;
}

static void expect(const struct tf_cfg_errors *e, unsigned int i,
		   unsigned int line, unsigned int col, const char *msg)
{
	assert_true(i < e->n);
	assert_string_equal(e->v[i].file, "t.conf");
	assert_int_equal(e->v[i].line, line);
	assert_int_equal(e->v[i].col, col);
	assert_string_equal(e->v[i].msg, msg);
}

static void test_each_bad_line(void **state)
{
	struct tf_cfg_errors e;
	struct tf_policy *pol;

	(void)state;
	assert_false(parse_all("role tor ghost\n"
			       "role tor 1\n"
			       "bogus\n"
			       "lan 10.0.0.1/8\n"
			       "allow tcp 127.0.0.1:9050 1000\n"
			       "role clearnet \001x\n"
			       "log-rate 5\n"
			       "log-rate 6\n", &pol, &e));
	assert_int_equal(e.n, 5);
	assert_false(e.truncated);
	expect(&e, 0, 1, 10, "unknown user 'ghost'");
	expect(&e, 1, 3, 1, "unknown keyword 'bogus'");
	expect(&e, 2, 4, 5,
	       "host bits set in '10.0.0.1/8' (did you mean 10.0.0.0/8?)");
	expect(&e, 3, 6, 15, "invalid character 0x01");
	expect(&e, 4, 8, 1, "'log-rate' already set (at t.conf:7)");
	/* the good lines were kept */
	assert_int_equal(pol->nroles, 1);
	assert_int_equal(pol->nservices, 1);
	policy_free(pol);
}

/* A line that failed half-way takes back what it had added. */
static void test_no_echoes(void **state)
{
	struct tf_cfg_errors e;
	struct tf_policy *pol;

	(void)state;
	assert_false(parse_all("lan 10.0.0.0/8 bogus\n"
			       "lan 10.0.0.0/8\n"
			       "role tor 1 ghost\n"
			       "role tor 1\n"
			       "allow tcp 127.0.0.1:9050 1000 ghost\n"
			       "allow tcp 127.0.0.1:9050 1000\n"
			       "allow tcp 127.0.0.1:9040-9060 ghost\n"
			       "allow tcp 127.0.0.1:9051 1000\n"
			       "grant netns a b/c\n"
			       "grant netns a\n"
			       "redirect dns 127.0.0.1:53 to 0\n"
			       "redirect dns 127.0.0.1:53 to 5353\n",
			       &pol, &e));
	assert_int_equal(e.n, 6);
	expect(&e, 0, 1, 16,
	       "missing prefix length in 'bogus' (expected ADDRESS/LENGTH)");
	expect(&e, 1, 3, 12, "unknown user 'ghost'");
	expect(&e, 2, 5, 31, "unknown user 'ghost'");
	expect(&e, 3, 7, 31, "unknown user 'ghost'");
	expect(&e, 4, 9, 15, "invalid namespace name 'b/c'");
	expect(&e, 5, 11, 30, "port '0' out of range (1-65535)");
	assert_int_equal(pol->nlan, 1);
	assert_int_equal(pol->nroles, 1);
	assert_int_equal(pol->nservices, 2);
	assert_int_equal(pol->ngrants, 1);
	assert_int_equal(pol->nredirects, 1);
	policy_free(pol);
}

/* The eleventh error stops the parse. */
static void test_too_many(void **state)
{
	struct tf_cfg_errors e;
	struct tf_policy *pol;
	char text[512];
	size_t n = 0;
	int i;

	(void)state;
	for (i = 0; i < 12; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "bogus\n");
	snprintf(text + n, sizeof(text) - n, "role tor 1\n");
	assert_false(parse_all(text, &pol, &e));
	assert_int_equal(e.n, TF_MAX_ERRORS);
	assert_true(e.truncated);
	expect(&e, 9, 10, 1, "unknown keyword 'bogus'");
	assert_int_equal(pol->nroles, 0);	/* not read */
	policy_free(pol);

	for (i = 0, n = 0; i < TF_MAX_ERRORS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "bogus\n");
	assert_false(parse_all(text, &pol, &e));
	assert_int_equal(e.n, TF_MAX_ERRORS);
	assert_false(e.truncated);
	policy_free(pol);
}

/* Errors of included files, each where it is; the glob goes on. */
static void test_included_files(void **state)
{
	struct tmpdir *d = *state;
	struct tf_parse_opts opts = { .resolver = &fake_resolver };
	struct tf_cfg_errors e;
	struct tf_cfg_error err;
	struct tf_policy *pol = policy_new();
	char a[PATH_MAX], b[PATH_MAX], top[PATH_MAX];

	opts.errors = &e;
	assert_non_null(pol);
	tmpdir_write(d, "d/10-a.conf", "role tor 1\nbogus\n", a, sizeof(a));
	tmpdir_write(d, "d/20-b.conf", "role tor ghost\nrole tor 2\n", b,
		     sizeof(b));
	tmpdir_write(d, "main.conf",
		     "include d/*.conf\ninclude missing.conf\nrole tor x\n",
		     top, sizeof(top));
	assert_false(config_parse_file(pol, top, &opts, &err));
	assert_int_equal(e.n, 4);
	assert_string_equal(e.v[0].file, a);
	assert_int_equal(e.v[0].line, 2);
	assert_string_equal(e.v[1].file, b);
	assert_int_equal(e.v[1].line, 1);
	assert_string_equal(e.v[2].file, top);
	assert_int_equal(e.v[2].line, 2);
	assert_int_equal(e.v[2].col, 9);
	assert_string_equal(e.v[3].file, top);
	assert_int_equal(e.v[3].line, 3);
	assert_string_equal(e.v[3].msg, "unknown user 'x'");
	assert_int_equal(pol->nroles, 2);
	policy_free(pol);
}

/* Without a list the first error stops the parse, as before. */
static void test_first_only(void **state)
{
	struct tf_policy *pol = policy_new();
	struct tf_cfg_error err;

	(void)state;
	assert_non_null(pol);
	assert_false(config_parse_string(pol, "t.conf",
					 "bogus\nrole tor 1\nrole tor ghost\n",
					 &fake_opts, &err));
	assert_int_equal(err.line, 1);
	assert_int_equal(pol->nroles, 0);
	policy_free(pol);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int test_errors_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_bad_line),
		cmocka_unit_test(test_no_echoes),
		cmocka_unit_test(test_too_many),
		T(test_included_files),
		cmocka_unit_test(test_first_only),
	};

	return RUN_GROUP("errors", tests, count);
}
