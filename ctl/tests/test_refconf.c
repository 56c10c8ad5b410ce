// SPDX-License-Identifier: GPL-2.0
/*
 * ctl/torfw.conf, the shipped reference policy, parsed with a resolver
 * that knows its users, and checked against DESIGN.md section 2.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "encode.h"
#include "fake_resolver.h"
#include "print.h"
#include "tests.h"
#include "tmpdir.h"

/* The include of /etc/torfw/torfw.d/ lands in an empty scratch root. */
static struct tf_policy *parse_reference(const struct tmpdir *d)
{
	struct tf_parse_opts opts = {
		.resolver = &fake_resolver, .sysroot = d->path,
	};
	struct tf_policy *pol = policy_new();
	struct tf_cfg_error err;

	assert_non_null(pol);
	if (!config_parse_file(pol, TF_REFCONF, &opts, &err)) {
		char msg[1200];

		config_error_format(&err, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	return pol;
}

static const struct tf_service *find(const struct tf_policy *pol,
				     uint8_t family, uint8_t proto,
				     uint16_t port)
{
	size_t i;

	for (i = 0; i < pol->nservices; i++)
		if (pol->services[i].family == family &&
		    pol->services[i].proto == proto &&
		    pol->services[i].lo == port)
			return &pol->services[i];
	fail_msg("no entry for port %u", port);
	return NULL;
}

static void expect_uids(const struct tf_service *s, const uint32_t *uids,
			unsigned int n, const uint32_t *drops, unsigned int nd)
{
	unsigned int i;

	assert_int_equal(s->nuids, n);
	for (i = 0; i < n; i++)
		assert_true(uid_list_has(s->uids, s->nuids, uids[i]));
	assert_int_equal(s->ndrops, nd);
	for (i = 0; i < nd; i++)
		assert_true(uid_list_has(s->drops, s->ndrops, drops[i]));
}

/* uids of the fake resolver: see fake_resolver.c */
enum {
	ROOT = 0, PROXY = 13, APT = 42, NOBODY = 65534, DEBIAN_TOR = 107,
	CLEARNET = 108, HTP = 109, UPGRADER = 110, IUK = 111, GDM = 112,
	AMNESIA = 1000,
};

static void test_reference_policy(void **state)
{
	struct tf_policy *pol = parse_reference(*state);
	const uint8_t lo4[4] = { 127, 0, 0, 1 }, lo6[16] = { [15] = 1 };
	const uint32_t u9050[] = { AMNESIA, APT, PROXY, NOBODY, UPGRADER };
	const uint32_t u9062[] = { AMNESIA, HTP, UPGRADER };
	const uint32_t dns[] = { AMNESIA, HTP }, apt[] = { APT };
	const uint32_t desk[] = { AMNESIA }, a11y[] = { AMNESIA, GDM };
	const uint32_t ctl[] = { ROOT }, filt[] = { AMNESIA, ROOT };
	const uint32_t iuk[] = { IUK };
	const struct tf_service *s;
	size_t i;

	assert_int_equal(pol->nroles, 2);
	assert_int_equal(pol->roles[0].kind, TORFW_ROLE_TOR);
	assert_int_equal(pol->roles[0].uid, DEBIAN_TOR);
	assert_int_equal(pol->roles[1].kind, TORFW_ROLE_CLEARNET);
	assert_int_equal(pol->roles[1].uid, CLEARNET);

	assert_int_equal(pol->nservices, 12);
	for (i = 0; i < pol->nservices; i++) {
		s = &pol->services[i];
		assert_int_equal(s->nnetns, 0);
		assert_memory_equal(s->addr, s->family == AF_INET ? lo4 : lo6,
				    s->family == AF_INET ? 4 : 16);
	}
	expect_uids(find(pol, AF_INET, IPPROTO_TCP, 9050), u9050, 5, NULL, 0);
	expect_uids(find(pol, AF_INET, IPPROTO_TCP, 9062), u9062, 3, NULL, 0);
	expect_uids(find(pol, AF_INET, IPPROTO_TCP, 9063), iuk, 1, NULL, 0);
	expect_uids(find(pol, AF_INET, IPPROTO_TCP, 9052), ctl, 1, NULL, 0);
	expect_uids(find(pol, AF_INET, IPPROTO_TCP, 951), filt, 2, NULL, 0);
	expect_uids(find(pol, AF_INET, IPPROTO_TCP, 9040), desk, 1, NULL, 0);
	expect_uids(find(pol, AF_INET, IPPROTO_UDP, 53), dns, 2, apt, 1);
	/* the DNS redirect makes the filter see 127.0.0.1:5353 */
	expect_uids(find(pol, AF_INET, IPPROTO_UDP, 5353), dns, 2, apt, 1);
	expect_uids(find(pol, AF_INET, IPPROTO_TCP, 4101), a11y, 2, NULL, 0);
	expect_uids(find(pol, AF_INET6, IPPROTO_TCP, 4101), a11y, 2, NULL, 0);
	expect_uids(find(pol, AF_INET, IPPROTO_TCP, 631), desk, 1, NULL, 0);
	s = find(pol, AF_INET, IPPROTO_TCP, 17600);
	assert_int_equal(s->hi, 17650);
	expect_uids(s, desk, 1, NULL, 0);

	assert_int_equal(pol->nlan, 3);
	assert_int_equal(pol->lan[0].addr[0], 10);
	assert_int_equal(pol->lan[0].len, 8);
	assert_int_equal(pol->lan[1].addr[0], 172);
	assert_int_equal(pol->lan[1].addr[1], 16);
	assert_int_equal(pol->lan[1].len, 12);
	assert_int_equal(pol->lan[2].addr[1], 168);
	assert_int_equal(pol->lan[2].len, 16);
	assert_int_equal(pol->nlan_refuse, 3);
	assert_int_equal(pol->lan_refuse[0].proto, IPPROTO_TCP);
	assert_int_equal(pol->lan_refuse[0].lo, 53);
	assert_int_equal(pol->lan_refuse[1].proto, IPPROTO_UDP);
	assert_int_equal(pol->lan_refuse[1].lo, 53);
	assert_int_equal(pol->lan_refuse[2].lo, 137);

	assert_int_equal(pol->ngrants, 1);
	assert_string_equal(pol->grants[0].name, "clearnet");

	assert_int_equal(pol->nredirects, 2);
	assert_int_equal(pol->redirects[0].kind, TORFW_REDIR_AUTOMAP);
	assert_int_equal(pol->redirects[0].addr[1], 192);
	assert_int_equal(pol->redirects[0].plen, 10);
	assert_int_equal(pol->redirects[0].to_port, 9040);
	assert_int_equal(pol->redirects[1].kind, TORFW_REDIR_DNS);
	assert_int_equal(pol->redirects[1].port, 53);
	assert_int_equal(pol->redirects[1].to_port, 5353);

	assert_int_equal(pol->opt.nosock, TORFW_NOSOCK_LOOPBACK);
	/* written out, not left to the default */
	assert_int_equal(pol->opt.kernel, TORFW_KERNEL_REFUSE);
	assert_int_not_equal(pol->opt.set[TF_OPT_KERNEL].line, 0);
	assert_int_equal(pol->opt.log_rate, 10);
	assert_int_equal(pol->opt.log_burst, 20);
	assert_int_equal(pol->opt.flags, TORFW_OPT_F_MTU_PROBING);
	policy_free(pol);
}

static void test_reference_round_trip(void **state)
{
	struct tf_policy *pol = parse_reference(*state), *again;
	char *a = print_to_string(pol), *b;

	again = parse_ok(a);
	b = print_to_string(again);
	assert_string_equal(a, b);
	/* the desktop user prints by name once it exists */
	assert_non_null(strstr(a, "allow tcp 127.0.0.1:631 amnesia\n"));
	free(a);
	free(b);
	policy_free(pol);
	policy_free(again);
}

/* Without a resolver (show, check --print): numbers, the same policy. */
static char *print_numeric(struct tf_policy *pol)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	policy_sort(pol);
	policy_print(f, pol, NULL);
	fclose(f);
	return buf;
}

static void test_reference_numeric_round_trip(void **state)
{
	struct tf_policy *pol = parse_reference(*state), *again;
	char *a = print_numeric(pol), *b, *names_a, *names_b;

	assert_non_null(strstr(a, "\nrole tor 107\n"));
	assert_non_null(strstr(a, "\nallow udp 127.0.0.1:5353 109 1000 drop 42\n"));
	assert_null(strstr(a, "amnesia"));
	assert_null(strstr(a, "include"));
	again = parse_ok(a);
	b = print_numeric(again);
	assert_string_equal(a, b);
	names_a = print_to_string(pol);
	names_b = print_to_string(again);
	assert_string_equal(names_a, names_b);
	free(a);
	free(b);
	free(names_a);
	free(names_b);
	policy_free(pol);
	policy_free(again);
}

static int no_fd(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "clearnet") ? -1 : 3;
}

static void test_reference_one_message(void **state)
{
	struct tf_policy *pol = parse_reference(*state);
	struct tf_batch b;

	assert_int_equal(encode_load(pol, 1, 1, 0, TF_MSG_MAX, no_fd, NULL,
				     &b), 0);
	assert_int_equal(b.nmsgs, 1);
	batch_free(&b);
	policy_free(pol);
}

/* A drop-in in torfw.d adds to the reference policy. */
static void test_reference_dropin(void **state)
{
	struct tmpdir *d = *state;
	struct tf_policy *pol;
	char p[PATH_MAX];

	tmpdir_write(d, "etc/torfw/torfw.d/50-ssh.conf",
		     "allow tcp 127.0.0.1:22 1000\n", p, sizeof(p));
	pol = parse_reference(d);
	assert_int_equal(pol->nservices, 13);
	assert_string_equal(pol->services[12].loc.file, p);
	policy_free(pol);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int test_refconf_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		T(test_reference_policy),
		T(test_reference_round_trip),
		T(test_reference_numeric_round_trip),
		T(test_reference_one_message),
		T(test_reference_dropin),
	};

	return RUN_GROUP("reference config", tests, count);
}
