// SPDX-License-Identifier: GPL-2.0
/*
 * The runner of the userspace KUnit build (include/kunit/test.h): every
 * registered suite, every case and parameter, in KTAP as the kernel's
 * kunit prints it, so that tests/kunit/run.sh and this run can be
 * compared case by case. Exit status 1 if anything failed.
 */
#include <stdarg.h>

#include <kunit/test.h>

static struct kunit_suite *suites, **suites_tail = &suites;

void kunit_register(struct kunit_suite *suite)
{
	suite->next = NULL;
	*suites_tail = suite;
	suites_tail = &suite->next;
}

void kunit_fail(struct kunit *test, bool assert, const char *file, int line,
		const char *fmt, ...)
{
	va_list ap;

	printf("    # %s: %s:%d: ", test->name, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	test->failures++;
	if (assert)
		longjmp(test->abort, 1);
}

static int run_one(struct kunit_suite *s, struct kunit_case *c,
		   const void *param, const char *name)
{
	/*
	 * Static, not automatic: read after longjmp, which leaves automatic
	 * objects changed since setjmp indeterminate.
	 */
	static struct kunit test;

	memset(&test, 0, sizeof(test));
	test.param_value = param;
	test.name = name;

	if (s->init && s->init(&test)) {
		printf("    # %s: init failed\n", name);
		return 1;
	}
	if (!setjmp(test.abort))
		c->run_case(&test);
	if (s->exit)
		s->exit(&test);
	return test.failures != 0;
}

int main(void)
{
	unsigned int passed = 0, failed = 0, n;
	struct kunit_suite *s;

	printf("KTAP version 1\n");
	for (s = suites; s; s = s->next) {
		struct kunit_case *c;

		printf("# Subtest: %s\n", s->name);
		if (s->suite_init && s->suite_init(s)) {
			printf("not ok - %s (suite_init failed)\n", s->name);
			failed++;
			continue;
		}
		for (n = 0, c = s->test_cases; c->run_case; c++) {
			char desc[KUNIT_PARAM_DESC_SIZE];
			const void *p = NULL;
			unsigned int k = 0;
			int bad, any = 0;

			if (!c->generate_params) {
				bad = run_one(s, c, NULL, c->name);
				printf("    %s %u %s\n", bad ? "not ok" : "ok",
				       ++n, c->name);
				bad ? failed++ : passed++;
				continue;
			}
			printf("    # Subtest: %s\n", c->name);
			while ((desc[0] = '\0',
				p = c->generate_params(p, desc))) {
				bad = run_one(s, c, p, desc[0] ? desc : c->name);
				printf("        %s %u %s\n", bad ? "not ok" : "ok",
				       ++k, desc);
				bad ? failed++ : passed++;
				any |= bad;
			}
			printf("    %s %u %s\n", any ? "not ok" : "ok", ++n,
			       c->name);
		}
		if (s->suite_exit)
			s->suite_exit(s);
	}
	printf("kunit (userspace build): %u passed, %u failed\n", passed,
	       failed);
	return failed ? 1 : 0;
}
