/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit, as far as kmod/tests/ uses it, so that the module's decision
 * tables run unchanged against the userspace build of the decision code
 * (kunit.c is the runner). Expectations record a failure and go on;
 * assertions end the case, as in the kernel.
 */
#ifndef TORFW_KSHIM_KUNIT_H
#define TORFW_KSHIM_KUNIT_H

#include <setjmp.h>
#include <inttypes.h>

#include "../../kshim.h"

#define KUNIT_PARAM_DESC_SIZE 128

struct kunit {
	const void *param_value;
	const char *name;
	int failures;
	jmp_buf abort;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
};

struct kunit_suite {
	const char *name;
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
	struct kunit_suite *next;	/* the runner's list */
};

void kunit_register(struct kunit_suite *suite);
void kunit_fail(struct kunit *test, bool assert, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define kunit_test_suite(s)						\
	static void __attribute__((constructor)) s##_register(void)	\
	{								\
		kunit_register(&(s));					\
	}

#define kunit_info(test, fmt, ...) \
	((void)(test), printf("    # " fmt, ##__VA_ARGS__))

#define KUNIT_CASE(fn) { .run_case = fn, .name = #fn }
#define KUNIT_CASE_PARAM(fn, gen) \
	{ .run_case = fn, .name = #fn, .generate_params = gen }

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		__typeof__((array)[0]) *__next = prev ?			\
			((__typeof__(__next))prev) + 1 : (array);	\
		if ((size_t)(__next - (array)) < ARRAY_SIZE(array)) {	\
			void (*__get_desc)(__typeof__(__next), char *) =	\
				get_desc;				\
			if (__get_desc)					\
				__get_desc(__next, desc);		\
			return __next;					\
		}							\
		return NULL;						\
	}

/* Both sides as long long or unsigned long long, as printed. */
#define KSHIM_BINARY(test, assert, l, op, r, fmt, ...) do {		\
	__typeof__(l) __l = (l);					\
	__typeof__(r) __r = (r);					\
									\
	if (!(__l op __r)) {						\
		if ((__typeof__(__l))-1 < 0)				\
			kunit_fail(test, assert, __FILE__, __LINE__,	\
				   "expected %s %s %s, %lld vs %lld" fmt, \
				   #l, #op, #r, (long long)__l,		\
				   (long long)__r, ##__VA_ARGS__);	\
		else							\
			kunit_fail(test, assert, __FILE__, __LINE__,	\
				   "expected %s %s %s, %llu vs %llu" fmt, \
				   #l, #op, #r,				\
				   (unsigned long long)__l,		\
				   (unsigned long long)__r, ##__VA_ARGS__); \
	}								\
} while (0)

#define KSHIM_TRUE(test, assert, cond, fmt, ...) do {			\
	if (!(cond))							\
		kunit_fail(test, assert, __FILE__, __LINE__,		\
			   "expected %s" fmt, #cond, ##__VA_ARGS__);	\
} while (0)

#define KUNIT_EXPECT_EQ(t, l, r) KSHIM_BINARY(t, false, l, ==, r, "")
#define KUNIT_EXPECT_NE(t, l, r) KSHIM_BINARY(t, false, l, !=, r, "")
#define KUNIT_EXPECT_GE(t, l, r) KSHIM_BINARY(t, false, l, >=, r, "")
#define KUNIT_EXPECT_LE(t, l, r) KSHIM_BINARY(t, false, l, <=, r, "")
#define KUNIT_EXPECT_EQ_MSG(t, l, r, fmt, ...) \
	KSHIM_BINARY(t, false, l, ==, r, ": " fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_EQ(t, l, r) KSHIM_BINARY(t, true, l, ==, r, "")
#define KUNIT_EXPECT_TRUE(t, c) KSHIM_TRUE(t, false, c, "")
#define KUNIT_EXPECT_FALSE(t, c) KSHIM_TRUE(t, false, !(c), "")
#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...) \
	KSHIM_TRUE(t, false, c, ": " fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_TRUE(t, c) KSHIM_TRUE(t, true, c, "")
#define KUNIT_ASSERT_FALSE(t, c) KSHIM_TRUE(t, true, !(c), "")
#define KUNIT_EXPECT_NULL(t, p) KSHIM_TRUE(t, false, (p) == NULL, "")
#define KUNIT_EXPECT_NOT_NULL(t, p) KSHIM_TRUE(t, false, (p) != NULL, "")
#define KUNIT_ASSERT_NOT_NULL(t, p) KSHIM_TRUE(t, true, (p) != NULL, "")
#define KUNIT_EXPECT_STREQ(t, l, r) do {				\
	const char *__l = (l), *__r = (r);				\
									\
	if (strcmp(__l, __r))						\
		kunit_fail(t, false, __FILE__, __LINE__,		\
			   "expected %s == %s, \"%s\" vs \"%s\"",	\
			   #l, #r, __l, __r);				\
} while (0)

#endif /* TORFW_KSHIM_KUNIT_H */
