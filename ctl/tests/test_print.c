// SPDX-License-Identifier: GPL-2.0
/*
 * The printer: canonical text, names only where they read back, and the
 * round trip parse -> print -> parse -> print giving the same bytes.
 * Also the monitor's event lines.
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

#include "event.h"
#include "fake_resolver.h"
#include "print.h"
#include "tests.h"

static const char rich[] =
	"# every statement, out of canonical order\n"
	"redirect dns 127.0.0.1:53 to 5353\n"
	"redirect automap 127.192.0.0/10 to 9040\n"
	"grant netns zeta alpha\n"
	"lan-refuse udp 137 53\n"
	"lan-refuse tcp 53\n"
	"lan 192.168.0.0/16 10.0.0.0/8\n"
	"allow tcp [::1]:4101 amnesia Debian-gdm\n"
	"allow udp 127.0.0.1:53 htp amnesia drop _apt\n"
	"allow tcp 127.0.0.1:17600-17650 amnesia netns beta alpha\n"
	"allow tcp 127.0.0.1:9050 nobody amnesia 31337 @staff\n"
	"role clearnet clearnet\n"
	"role tor debian-tor\n"
	"role packet 0\n"
	"mtu-probing on\n"
	"log-burst 5\n"
	"kernel-sockets lan\n";

static const char rich_canonical[] =
	"nosocket loopback\n"
	"kernel-sockets lan\n"
	"log-rate 10\n"
	"log-burst 5\n"
	"mtu-probing on\n"
	"\n"
	"role tor debian-tor\n"
	"role clearnet clearnet\n"
	"role packet root\n"
	"\n"
	"allow tcp 127.0.0.1:9050 amnesia alice bob 31337 nobody\n"
	"allow tcp 127.0.0.1:17600-17650 amnesia netns alpha beta\n"
	"allow udp 127.0.0.1:53 htp amnesia drop _apt\n"
	"allow tcp [::1]:4101 Debian-gdm amnesia\n"
	"\n"
	"lan 10.0.0.0/8\n"
	"lan 192.168.0.0/16\n"
	"lan-refuse tcp 53\n"
	"lan-refuse udp 53\n"
	"lan-refuse udp 137\n"
	"\n"
	"grant netns alpha\n"
	"grant netns zeta\n"
	"\n"
	"redirect automap 127.192.0.0/10 to 9040\n"
	"redirect dns 127.0.0.1:53 to 5353\n";

static void test_canonical_text(void **state)
{
	struct tf_policy *pol = parse_ok(rich);
	char *text = print_to_string(pol);

	(void)state;
	assert_string_equal(text, rich_canonical);
	free(text);
	policy_free(pol);
}

static void test_round_trip(void **state)
{
	struct tf_policy *a = parse_ok(rich), *b;
	char *ta = print_to_string(a), *tb;

	(void)state;
	b = parse_ok(ta);
	tb = print_to_string(b);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	policy_free(a);
	policy_free(b);
}

static void test_order_independent(void **state)
{
	struct tf_policy *a = parse_ok(
		"role tor 5\nrole tor 3\nallow tcp 127.0.0.1:2 9 8\n"
		"allow tcp 127.0.0.1:1 7\nlan 10.0.0.0/8\nlan 9.0.0.0/8\n");
	struct tf_policy *b = parse_ok(
		"lan 9.0.0.0/8\nlan 10.0.0.0/8\nallow tcp 127.0.0.1:1 7\n"
		"allow tcp 127.0.0.1:2 8 9\nrole tor 3\nrole tor 5\n");
	char *ta = print_to_string(a), *tb = print_to_string(b);

	(void)state;
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	policy_free(a);
	policy_free(b);
}

static void test_exact_text(void **state)
{
	struct tf_policy *pol = parse_ok(
		"redirect dns 127.0.0.1:53 to 5353\n"
		"redirect automap 127.192.0.0/10 to 9040\n"
		"grant netns zeta alpha\n"
		"lan-refuse udp 137 53\n"
		"lan-refuse tcp 53\n"
		"lan 192.168.0.0/16 10.0.0.0/8\n"
		"allow tcp [::1]:4101 amnesia Debian-gdm\n"
		"allow udp 127.0.0.1:53 htp amnesia drop _apt\n"
		"allow tcp 127.0.0.1:17600-17650 amnesia netns beta alpha\n"
		"allow tcp 127.0.0.1:9050 nobody 31337 @staff\n"
		"role clearnet clearnet\n"
		"role tor debian-tor\n"
		"role packet 0\n"
		"mtu-probing on\n"
		"log-burst 5\n");
	char *text = print_to_string(pol);

	(void)state;
	assert_string_equal(text,
		"nosocket loopback\n"
		"kernel-sockets refuse\n"
		"log-rate 10\n"
		"log-burst 5\n"
		"mtu-probing on\n"
		"\n"
		"role tor debian-tor\n"
		"role clearnet clearnet\n"
		"role packet root\n"
		"\n"
		"allow tcp 127.0.0.1:9050 alice bob 31337 nobody\n"
		"allow tcp 127.0.0.1:17600-17650 amnesia netns alpha beta\n"
		"allow udp 127.0.0.1:53 htp amnesia drop _apt\n"
		"allow tcp [::1]:4101 Debian-gdm amnesia\n"
		"\n"
		"lan 10.0.0.0/8\n"
		"lan 192.168.0.0/16\n"
		"lan-refuse tcp 53\n"
		"lan-refuse udp 53\n"
		"lan-refuse udp 137\n"
		"\n"
		"grant netns alpha\n"
		"grant netns zeta\n"
		"\n"
		"redirect automap 127.192.0.0/10 to 9040\n"
		"redirect dns 127.0.0.1:53 to 5353\n");
	free(text);
	policy_free(pol);
}

static void test_empty_policy_text(void **state)
{
	struct tf_policy *pol = parse_ok("");
	char *text = print_to_string(pol);

	(void)state;
	assert_string_equal(text, "nosocket loopback\nkernel-sockets refuse\n"
			    "log-rate 10\nlog-burst 20\nmtu-probing off\n");
	free(text);
	policy_free(pol);
}

/* Names that would not read back as the same uid print as numbers. */
static void test_names_that_do_not_read_back(void **state)
{
	struct tf_policy *pol = parse_ok(
		"allow tcp 127.0.0.1:1 2000 2001 2003 4000 0\n");
	char *text = print_to_string(pol), *b;
	struct tf_policy *again;

	(void)state;
	/* 2000 is "12345", 2001 is "drop", 2003's name maps to 2004 */
	assert_non_null(strstr(text,
		"allow tcp 127.0.0.1:1 root 2000 2001 2003 4000\n"));
	again = parse_ok(text);
	b = print_to_string(again);
	assert_string_equal(text, b);
	free(b);
	free(text);
	policy_free(pol);
	policy_free(again);
}

static void test_redirect_forms(void **state)
{
	struct tf_policy *pol = parse_ok(
		"redirect dns 127.0.0.2 to 53\n"
		"redirect automap 127.10.0.0/16:80 to 9040\n");
	char *text = print_to_string(pol);

	(void)state;
	assert_non_null(strstr(text,
		"redirect automap 127.10.0.0/16:80 to 9040\n"
		"redirect dns 127.0.0.2 to 53\n"));
	free(text);
	policy_free(pol);
}

static void test_service_line(void **state)
{
	struct tf_policy *pol = parse_ok(
		"allow udp [fe80::1]:5353-5354 amnesia drop 42 netns n\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	service_print(f, pol, &pol->services[0], &fake_resolver);
	fclose(f);
	assert_string_equal(buf,
		"allow udp [fe80::1]:5353-5354 amnesia drop _apt netns n");
	free(buf);
	policy_free(pol);
}

static void test_json(void **state)
{
	struct tf_policy *pol = parse_ok(
		"role tor debian-tor\n"
		"allow udp 127.0.0.1:53 amnesia 4000 drop _apt netns n\"x\n"
		"lan 10.0.0.0/8\nlan-refuse udp 137\ngrant netns clearnet\n"
		"redirect dns 127.0.0.1:53 to 5353\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	policy_sort(pol);
	policy_print_json(f, pol, &fake_resolver);
	fclose(f);
	assert_string_equal(buf,
		"{\"version\":1,\"generation\":0,\"options\":{\"nosocket\":\"loopback\","
		"\"kernel_sockets\":\"refuse\",\"log_rate\":10,\"log_burst\":20,"
		"\"mtu_probing\":false},"
		"\"roles\":[{\"role\":\"tor\",\"user\":{\"uid\":107,\"user\":\"debian-tor\"}}],"
		"\"services\":[{\"proto\":\"udp\",\"family\":\"ipv4\","
		"\"address\":\"127.0.0.1\",\"port_lo\":53,\"port_hi\":53,"
		"\"users\":[{\"uid\":1000,\"user\":\"amnesia\"},{\"uid\":4000}],"
		"\"drop\":[{\"uid\":42,\"user\":\"_apt\"}],\"cgroups\":[],\"drop_cgroups\":[],\"netns\":[\"n\\\"x\"]}],"
		"\"lan\":[\"10.0.0.0/8\"],"
		"\"lan_refuse\":[{\"proto\":\"udp\",\"port_lo\":137,\"port_hi\":137}],"
		"\"grants\":[\"clearnet\"],"
		"\"redirects\":[{\"kind\":\"dns\",\"address\":\"127.0.0.1\","
		"\"prefixlen\":32,\"port\":53,\"to_port\":5353}]}\n");
	free(buf);
	policy_free(pol);
}

/* Each mode prints as written and reads back; JSON names it too. */
static void test_kernel_sockets_modes(void **state)
{
	static const char *const modes[] = { "refuse", "lan" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char line[64], key[64], *ta, *tb, *json = NULL;
		struct tf_policy *a, *b;
		size_t len = 0;
		FILE *f;

		snprintf(line, sizeof(line), "kernel-sockets %s\n", modes[i]);
		a = parse_ok(line);
		ta = print_to_string(a);
		assert_non_null(strstr(ta, "nosocket loopback\n"));
		assert_non_null(strstr(ta, line));
		b = parse_ok(ta);
		assert_int_equal(b->opt.kernel, a->opt.kernel);
		tb = print_to_string(b);
		assert_string_equal(ta, tb);
		f = open_memstream(&json, &len);
		assert_non_null(f);
		policy_print_json(f, a, &fake_resolver);
		fclose(f);
		snprintf(key, sizeof(key), "\"kernel_sockets\":\"%s\"",
			 modes[i]);
		assert_non_null(strstr(json, key));
		free(json);
		free(ta);
		free(tb);
		policy_free(a);
		policy_free(b);
	}
}

static char *event_text(const struct tf_event *ev, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		event_print_json(f, ev);
	else
		event_print(f, ev);
	fclose(f);
	return buf;
}

static void test_event_line(void **state)
{
	struct tf_event ev = {
		.reason = TORFW_R_INTERNET_NON_TCP, .hook = TORFW_HOOK_OUT,
		.family = AF_INET, .proto = IPPROTO_UDP, .uid = 1000,
		.pid = 123, .comm = "curl", .daddr = { 192, 0, 2, 1 },
		.dport = 53, .has_hook = true, .has_uid = true,
		.has_pid = true, .has_comm = true, .has_daddr = true,
		.has_dport = true,
	};
	char *t = event_text(&ev, false);

	(void)state;
	assert_string_equal(t, "refused uid=1000 comm=curl pid=123 udp "
			    "192.0.2.1:53 reason=internet-non-tcp\n");
	free(t);
	t = event_text(&ev, true);
	assert_string_equal(t, "{\"version\":1,\"event\":\"refused\",\"uid\":1000,"
			    "\"comm\":\"curl\",\"pid\":123,\"family\":\"ipv4\","
			    "\"proto\":\"udp\",\"daddr\":\"192.0.2.1\",\"dport\":53,"
			    "\"reason\":\"internet-non-tcp\",\"hook\":\"out\"}\n");
	free(t);
}

/* A process names itself: its comm must not reach the terminal raw. */
static void test_event_hostile_comm(void **state)
{
	struct tf_event ev = {
		.reason = 999, .hook = TORFW_HOOK_IN, .family = AF_INET6,
		.proto = IPPROTO_ICMPV6, .comm = "a b\033[2J\\",
		.daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.has_hook = true, .has_comm = true, .has_daddr = true,
	};
	char *t = event_text(&ev, false);

	(void)state;
	assert_string_equal(t, "refused comm=a\\x20b\\x1b[2J\\x5c icmpv6 "
			    "2001:db8::1 reason=999 hook=in\n");
	free(t);
	t = event_text(&ev, true);
	assert_non_null(strstr(t, "\"comm\":\"a b\\u001b[2J\\\\\""));
	free(t);
}

static void test_event_ipv6_port(void **state)
{
	struct tf_event ev = {
		.reason = TORFW_R_IPV6, .family = AF_INET6,
		.proto = IPPROTO_TCP, .uid = 0, .has_uid = true,
		.daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, .dport = 443,
		.has_daddr = true, .has_dport = true,
	};
	char *t = event_text(&ev, false);

	(void)state;
	assert_string_equal(t, "refused uid=0 tcp [2001:db8::2]:443 "
			    "reason=ipv6\n");
	free(t);
}

int test_print_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_exact_text),
		cmocka_unit_test(test_empty_policy_text),
		cmocka_unit_test(test_names_that_do_not_read_back),
		cmocka_unit_test(test_redirect_forms),
		cmocka_unit_test(test_service_line),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_kernel_sockets_modes),
		cmocka_unit_test(test_event_line),
		cmocka_unit_test(test_event_hostile_comm),
		cmocka_unit_test(test_event_ipv6_port),
	};

	return RUN_GROUP("print", tests, count);
}
