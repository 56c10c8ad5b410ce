// SPDX-License-Identifier: GPL-2.0
/*
 * The parser: what each statement produces, and for each bad input the
 * exact message and its line:col. Bad inputs are a table, one cmocka test
 * per row, named after the row.
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
#include "fake_resolver.h"
#include "tests.h"

struct bad_case {
	const char *text;
	unsigned int line, col;
	const char *msg;
};

#define LONG63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"

/* X(name, text, line, col, message) */
#define BAD_CASES(X)							\
	X(unknown_keyword, "alow tcp 127.0.0.1:1 root\n", 1, 1,		\
	  "unknown keyword 'alow'")					\
	X(unknown_keyword_after_comments, "# c\n\n  bogus x\n", 3, 3,	\
	  "unknown keyword 'bogus'")					\
	X(control_character, "role tor \001root\n", 1, 10,		\
	  "invalid character 0x01")					\
	X(nul_byte, "role tor ro\000ot\n", 1, 12,			\
	  "invalid character 0x00")					\
	X(role_missing_kind, "role\n", 1, 5,				\
	  "missing role (tor, clearnet or packet) after 'role'")	\
	X(role_unknown_kind, "role admin root\n", 1, 6,			\
	  "unknown role 'admin' (expected tor, clearnet or packet)")	\
	X(role_missing_user, "role tor\n", 1, 9,			\
	  "missing user after 'tor'")					\
	X(unknown_user, "role tor mallory\n", 1, 10,			\
	  "unknown user 'mallory'")					\
	X(unknown_user_after_comment, "role tor root # x\nrole tor ghost # y\n", \
	  2, 10, "unknown user 'ghost'")				\
	X(unknown_user_crlf, "role tor ghost\r\n", 1, 10,		\
	  "unknown user 'ghost'")					\
	X(unknown_user_tab, "\trole tor ghost\n", 1, 11,		\
	  "unknown user 'ghost'")					\
	X(user_lookup_error, "role tor ioerror\n", 1, 10,		\
	  "cannot resolve user 'ioerror': Input/output error")		\
	X(unknown_group, "role tor @nogroup\n", 1, 10,			\
	  "unknown group 'nogroup'")					\
	X(unknown_gid, "role tor @4242\n", 1, 10,			\
	  "unknown group '4242'")					\
	X(group_lookup_error, "role clearnet @broken\n", 1, 15,		\
	  "cannot resolve group 'broken': Input/output error")		\
	X(empty_group_name, "role tor @\n", 1, 10,			\
	  "missing group name after '@'")				\
	X(uid_out_of_range, "role tor 4294967295\n", 1, 10,		\
	  "uid '4294967295' out of range (0-4294967294)")		\
	X(uid_huge, "role tor 99999999999999999999999\n", 1, 10,		\
	  "uid '99999999999999999999999' out of range (0-4294967294)")	\
	X(gid_out_of_range, "role tor @4294967296\n", 1, 10,		\
	  "gid '4294967296' out of range (0-4294967294)")		\
	X(allow_missing_proto, "allow\n", 1, 6,				\
	  "missing protocol after 'allow'")				\
	X(allow_unknown_proto, "allow icmp 127.0.0.1:1\n", 1, 7,	\
	  "unknown protocol 'icmp' (expected tcp or udp)")		\
	X(allow_missing_endpoint, "allow tcp\n", 1, 10,			\
	  "missing ADDRESS:PORT after 'tcp'")				\
	X(allow_missing_port, "allow tcp 127.0.0.1 root\n", 1, 11,	\
	  "missing port in '127.0.0.1' (expected ADDRESS:PORT)")	\
	X(allow_empty_port, "allow tcp 127.0.0.1: root\n", 1, 11,	\
	  "missing port in '127.0.0.1:' (expected ADDRESS:PORT)")	\
	X(port_zero, "allow tcp 127.0.0.1:0 root\n", 1, 21,		\
	  "port '0' out of range (1-65535)")				\
	X(port_too_big, "allow tcp 127.0.0.1:65536 root\n", 1, 21,	\
	  "port '65536' out of range (1-65535)")			\
	X(port_huge, "allow udp 127.0.0.1:99999999999999999999 root\n", 1, 21, \
	  "port '99999999999999999999' out of range (1-65535)")		\
	X(port_name, "allow tcp 127.0.0.1:http root\n", 1, 21,		\
	  "invalid port 'http'")					\
	X(port_trailing_garbage, "allow tcp 127.0.0.1:53x root\n", 1, 21, \
	  "invalid port '53x'")						\
	X(port_negative, "allow tcp 127.0.0.1:-1 root\n", 1, 21,	\
	  "invalid port ''")						\
	X(port_plus, "allow tcp 127.0.0.1:+53 root\n", 1, 21,		\
	  "invalid port '+53'")						\
	X(range_reversed, "allow tcp 127.0.0.1:9060-9050 root\n", 1, 21, \
	  "invalid port range '9060-9050' (9060 is above 9050)")	\
	X(range_high_zero, "allow tcp 127.0.0.1:5-0 root\n", 1, 23,	\
	  "port '0' out of range (1-65535)")				\
	X(range_high_invalid, "allow tcp 127.0.0.1:5-x root\n", 1, 23,	\
	  "invalid port 'x'")						\
	X(range_high_too_big, "lan-refuse udp 1-70000\n", 1, 18,		\
	  "port '70000' out of range (1-65535)")			\
	X(ipv4_bad_octet, "allow tcp 127.0.0.256:53 root\n", 1, 11,	\
	  "invalid IPv4 address '127.0.0.256'")				\
	X(ipv4_short, "allow tcp 127.1:53 root\n", 1, 11,		\
	  "invalid IPv4 address '127.1'")				\
	X(ipv6_without_brackets, "allow tcp ::1:4101 root\n", 1, 11,	\
	  "IPv6 address in '::1:4101' needs brackets, as in [::1]:4101") \
	X(ipv6_invalid, "allow tcp [::g]:1 root\n", 1, 12,		\
	  "invalid IPv6 address '::g'")					\
	X(ipv6_missing_bracket, "allow tcp [::1:4101 root\n", 1, 11,	\
	  "invalid address '[::1:4101' (missing ']')")			\
	X(ipv6_missing_port, "allow tcp [::1] root\n", 1, 11,		\
	  "missing port in '[::1]' (expected [ADDRESS]:PORT)")		\
	X(allow_duplicate,						\
	  "allow tcp 127.0.0.1:9050 root\nallow tcp 127.0.0.1:9050 nobody\n", \
	  2, 11, "duplicate allow entry 'tcp 127.0.0.1:9050' (first at t.conf:1)") \
	X(allow_overlap,						\
	  "allow tcp 127.0.0.1:9000-9100 root\nallow tcp 127.0.0.1:9050 root\n", \
	  2, 11,							\
	  "allow entry 'tcp 127.0.0.1:9050' overlaps 'tcp 127.0.0.1:9000-9100' (at t.conf:1)") \
	X(allow_overlap_edge,						\
	  "allow tcp 127.0.0.1:10-20 root\n\nallow tcp 127.0.0.1:20-30 root\n", \
	  3, 11,							\
	  "allow entry 'tcp 127.0.0.1:20-30' overlaps 'tcp 127.0.0.1:10-20' (at t.conf:1)") \
	X(allow_overlap_ipv6,						\
	  "allow tcp [::1]:4100-4102 root\nallow tcp [::1]:4101 root\n", \
	  2, 11,							\
	  "allow entry 'tcp [::1]:4101' overlaps 'tcp [::1]:4100-4102' (at t.conf:1)") \
	X(allow_overlap_lowest,						\
	  "allow tcp 127.0.0.1:30-40 root\nallow tcp 127.0.0.1:10-20 root\n" \
	  "allow tcp 127.0.0.1:50 root\nallow tcp 127.0.0.1:1-100 root\n", \
	  4, 11,							\
	  "allow entry 'tcp 127.0.0.1:1-100' overlaps 'tcp 127.0.0.1:10-20' (at t.conf:2)") \
	X(allow_overlap_between,					\
	  "allow udp 127.0.0.1:1-9 root\nallow udp 127.0.0.1:20-29 root\n" \
	  "allow udp 127.0.0.1:40 root\nallow udp 127.0.0.1:10-40 root\n", \
	  4, 11,							\
	  "allow entry 'udp 127.0.0.1:10-40' overlaps 'udp 127.0.0.1:20-29' (at t.conf:2)") \
	X(allowed_and_dropped, "allow udp 127.0.0.1:53 root drop root\n", \
	  1, 34, "'root' (uid 0) is both allowed and dropped")		\
	X(allowed_and_dropped_alias, "allow udp 127.0.0.1:53 root drop toor\n", \
	  1, 34, "'toor' (uid 0) is both allowed and dropped")		\
	X(dropped_and_allowed_group,					\
	  "allow udp 127.0.0.1:53 drop alice netns x\nallow udp 127.0.0.1:54 bob drop @staff\n", \
	  2, 33, "'@staff' (uid 1002) is both allowed and dropped")	\
	X(drop_twice, "allow udp 127.0.0.1:53 root drop nobody drop alice\n", \
	  1, 41, "'drop' given twice")					\
	X(drop_without_user, "allow udp 127.0.0.1:53 root drop\n", 1, 33, \
	  "missing user after 'drop'")					\
	X(drop_then_netns, "allow tcp 127.0.0.1:80 drop netns x\n", 1, 29, \
	  "missing user after 'drop'")					\
	X(netns_without_name, "allow tcp 127.0.0.1:80 netns\n", 1, 29,	\
	  "missing namespace name after 'netns'")			\
	X(netns_slash, "allow tcp 127.0.0.1:80 netns a/b\n", 1, 30,	\
	  "invalid namespace name 'a/b'")				\
	X(netns_dotdot, "allow tcp 127.0.0.1:80 netns ..\n", 1, 30,	\
	  "invalid namespace name '..'")				\
	X(netns_too_long, "grant netns " LONG63 "x\n", 1, 13,		\
	  "namespace name '" LONG63 "x' is too long (at most 63 characters)") \
	X(netns_twice, "allow tcp 127.0.0.1:80 netns a b a\n", 1, 34,	\
	  "namespace 'a' listed twice")					\
	X(netns_too_many,						\
	  "allow tcp 127.0.0.1:80 netns a b c d e f g h i\n", 1, 46,	\
	  "too many namespaces in one entry (at most 8)")		\
	X(netns_twice_keyword, "allow tcp 127.0.0.1:80 netns a netns b\n", \
	  1, 32, "'netns' given twice")					\
	X(lan_missing, "lan\n", 1, 4, "missing prefix after 'lan'")	\
	X(lan_missing_length, "lan 10.0.0.0\n", 1, 5,			\
	  "missing prefix length in '10.0.0.0' (expected ADDRESS/LENGTH)") \
	X(lan_host_bits, "lan 10.0.0.1/8\n", 1, 5,			\
	  "host bits set in '10.0.0.1/8' (did you mean 10.0.0.0/8?)")	\
	X(lan_host_bits_12, "lan 172.31.0.0/12\n", 1, 5,		\
	  "host bits set in '172.31.0.0/12' (did you mean 172.16.0.0/12?)") \
	X(lan_length_too_big, "lan 10.0.0.0/33\n", 1, 14,		\
	  "prefix length '33' out of range (0-32)")			\
	X(lan_length_invalid, "lan 10.0.0.0/x\n", 1, 14,		\
	  "invalid prefix length 'x'")					\
	X(lan_length_empty, "lan 10.0.0.0/\n", 1, 14,			\
	  "invalid prefix length ''")					\
	X(lan_ipv6, "lan fd00::/8\n", 1, 5,				\
	  "IPv6 prefix 'fd00::/8' is not supported here")		\
	X(lan_bad_address, "lan 10.0.0/8\n", 1, 5,			\
	  "invalid IPv4 address '10.0.0'")				\
	X(lan_duplicate, "lan 10.0.0.0/8\nlan 10.0.0.0/8\n", 2, 5,	\
	  "duplicate LAN prefix '10.0.0.0/8' (first at t.conf:1)")	\
	X(lan_overlap, "lan 10.0.0.0/8 10.1.0.0/16\n", 1, 16,		\
	  "LAN prefix '10.1.0.0/16' overlaps '10.0.0.0/8' (at t.conf:1)") \
	X(lan_overlap_wider, "lan 192.168.1.0/24\nlan 192.168.0.0/16\n", 2, 5, \
	  "LAN prefix '192.168.0.0/16' overlaps '192.168.1.0/24' (at t.conf:1)") \
	X(lan_refuse_missing_proto, "lan-refuse\n", 1, 11,		\
	  "missing protocol after 'lan-refuse'")			\
	X(lan_refuse_missing_port, "lan-refuse udp\n", 1, 15,		\
	  "missing port after 'udp'")					\
	X(lan_refuse_bad_proto, "lan-refuse sctp 9\n", 1, 12,		\
	  "unknown protocol 'sctp' (expected tcp or udp)")		\
	X(lan_refuse_duplicate, "lan-refuse udp 53 53\n", 1, 19,	\
	  "duplicate lan-refuse 'udp 53' (first at t.conf:1)")		\
	X(lan_refuse_overlap, "lan-refuse udp 50-60\nlan-refuse udp 53\n", \
	  2, 16, "lan-refuse 'udp 53' overlaps 'udp 50-60' (at t.conf:1)") \
	X(grant_missing, "grant\n", 1, 6, "missing 'netns' after 'grant'") \
	X(grant_without_netns, "grant clearnet\n", 1, 7,		\
	  "expected 'netns' after 'grant', got 'clearnet'")		\
	X(grant_missing_name, "grant netns\n", 1, 12,			\
	  "missing namespace name after 'netns'")			\
	X(grant_dot, "grant netns .\n", 1, 13, "invalid namespace name '.'") \
	X(grant_duplicate, "grant netns a\ngrant netns b a\n", 2, 15,	\
	  "namespace 'a' already granted (at t.conf:1)")		\
	X(redirect_missing_kind, "redirect\n", 1, 9,			\
	  "missing redirect kind (automap or dns) after 'redirect'")	\
	X(redirect_unknown_kind, "redirect nat 127.0.0.1 to 1\n", 1, 10, \
	  "unknown redirect kind 'nat' (expected automap or dns)")	\
	X(redirect_missing_address, "redirect dns\n", 1, 13,		\
	  "missing address after 'dns'")				\
	X(redirect_not_loopback, "redirect dns 10.0.0.1:53 to 5353\n", 1, 14, \
	  "redirected address '10.0.0.1' is not in 127.0.0.0/8")	\
	X(redirect_prefix_short, "redirect automap 127.0.0.0/7 to 9040\n", \
	  1, 28, "prefix length '7' out of range (8-32)")		\
	X(redirect_host_bits, "redirect automap 127.192.0.1/10 to 9040\n", \
	  1, 18,							\
	  "host bits set in '127.192.0.1/10' (did you mean 127.192.0.0/10?)") \
	X(redirect_ipv6, "redirect dns [::1]:53 to 5353\n", 1, 14,	\
	  "IPv6 address '[::1]:53' cannot be redirected (IPv4 only)")	\
	X(redirect_match_range, "redirect dns 127.0.0.1:53-54 to 5353\n", \
	  1, 24, "a redirect matches one port, not '53-54'")		\
	X(redirect_match_port_zero, "redirect dns 127.0.0.1:0 to 5353\n", \
	  1, 24, "port '0' out of range (1-65535)")			\
	X(redirect_missing_to, "redirect dns 127.0.0.1:53\n", 1, 26,	\
	  "missing 'to' after '127.0.0.1:53'")				\
	X(redirect_not_to, "redirect dns 127.0.0.1:53 5353\n", 1, 27,	\
	  "expected 'to', got '5353'")					\
	X(redirect_missing_port, "redirect dns 127.0.0.1:53 to\n", 1, 29, \
	  "missing port after 'to'")					\
	X(redirect_to_zero, "redirect dns 127.0.0.1:53 to 0\n", 1, 30,	\
	  "port '0' out of range (1-65535)")				\
	X(redirect_to_range, "redirect dns 127.0.0.1:53 to 1-2\n", 1, 30, \
	  "a redirect goes to one port, not '1-2'")			\
	X(redirect_trailing, "redirect dns 127.0.0.1:53 to 5353 x\n", 1, 35, \
	  "unexpected 'x' (expected end of line)")			\
	X(redirect_duplicate,						\
	  "redirect dns 127.0.0.1:53 to 5353\nredirect dns 127.0.0.1:53 to 5354\n", \
	  2, 10, "only one 'dns' redirect is supported (the other at t.conf:1)") \
	X(redirect_second_automap,					\
	  "redirect automap 127.192.0.0/10 to 9040\nredirect dns 127.0.0.1:53 to 53\n" \
	  "redirect automap 127.1.0.0/16 to 9041\n",			\
	  3, 10, "only one 'automap' redirect is supported (the other at t.conf:1)") \
	X(allow_nobody, "allow tcp 127.0.0.1:631\n", 1, 24,		\
	  "allow entry 'tcp 127.0.0.1:631' names no user and no namespace") \
	X(allow_empty_group, "allow tcp 127.0.0.1:631 @empty # no members\n", \
	  1, 25,							\
	  "allow entry 'tcp 127.0.0.1:631' names no user and no namespace (its groups are empty)") \
	X(ipv4_mapped, "allow tcp [::ffff:127.0.0.1]:80 root\n", 1, 12,	\
	  "IPv4-mapped address '::ffff:127.0.0.1': write it as IPv4")	\
	X(nosocket_missing, "nosocket\n", 1, 9,				\
	  "missing 'loopback' or 'accept' after 'nosocket'")		\
	X(nosocket_unknown, "nosocket drop\n", 1, 10,			\
	  "unknown nosocket mode 'drop' (expected loopback or accept)")	\
	X(nosocket_twice, "nosocket accept\n# again\nnosocket loopback\n", \
	  3, 1, "'nosocket' already set (at t.conf:1)")			\
	X(kernel_sockets_missing, "kernel-sockets\n", 1, 15,		\
	  "missing 'refuse' or 'lan' after 'kernel-sockets'") \
	X(kernel_sockets_unknown, "kernel-sockets accept\n", 1, 16,	\
	  "unknown kernel-sockets mode 'accept' (expected refuse or lan)") \
	X(kernel_sockets_loopback, "kernel-sockets loopback\n", 1, 16,	\
	  "unknown kernel-sockets mode 'loopback' (expected refuse or lan)") \
	X(kernel_sockets_case, "kernel-sockets LAN\n", 1, 16,		\
	  "unknown kernel-sockets mode 'LAN' (expected refuse or lan)") \
	X(kernel_sockets_trailing, "kernel-sockets lan loopback\n", 1, 20, \
	  "unexpected 'loopback' (expected end of line)")		\
	X(kernel_sockets_twice,						\
	  "kernel-sockets lan\n# again\n  kernel-sockets refuse\n", 3, 3, \
	  "'kernel-sockets' already set (at t.conf:1)")			\
	X(kernel_sockets_then_nosocket_twice,				\
	  "kernel-sockets lan\nnosocket accept\nnosocket accept\n", 3, 1, \
	  "'nosocket' already set (at t.conf:2)")			\
	X(log_rate_too_big, "log-rate 10001\n", 1, 10,			\
	  "log-rate '10001' out of range (0-10000)")			\
	X(log_rate_invalid, "log-rate ten\n", 1, 10,			\
	  "invalid log-rate 'ten'")					\
	X(log_rate_twice, "log-rate 1\nlog-rate 1\n", 2, 1,		\
	  "'log-rate' already set (at t.conf:1)")			\
	X(log_burst_missing, "log-burst\n", 1, 10,			\
	  "missing number after 'log-burst'")				\
	X(log_burst_trailing, "log-burst 5 6\n", 1, 13,			\
	  "unexpected '6' (expected end of line)")			\
	X(mtu_probing_yes, "mtu-probing yes\n", 1, 13,			\
	  "expected on or off, got 'yes'")				\
	X(mtu_probing_trailing, "mtu-probing on off\n", 1, 16,		\
	  "unexpected 'off' (expected end of line)")			\
	X(include_missing, "include\n", 1, 8,				\
	  "missing file or pattern after 'include'")			\
	X(include_trailing, "include a.conf b.conf\n", 1, 16,		\
	  "unexpected 'b.conf' (expected end of line)")			\
	X(include_missing_file, "\ninclude /nonexistent/torfw/x.conf\n", 2, 9, \
	  "cannot open '/nonexistent/torfw/x.conf': No such file or directory")

#define BAD_STRUCT(name, text, line, col, msg)				\
	static struct bad_case bad_##name = { text, line, col, msg };
BAD_CASES(BAD_STRUCT)

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	struct tf_policy *pol = policy_new();
	struct tf_cfg_error err;

	assert_non_null(pol);
	/* "ro\0ot": the string parser stops at NUL, so write a file. */
	if (c == &bad_nul_byte) {
		FILE *f = tmpfile();
		char path[64];

		assert_non_null(f);
		fwrite("role tor ro\0ot\n", 1, 15, f);
		fflush(f);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fileno(f));
		assert_false(config_parse_file(pol, path, &fake_opts, &err));
		fclose(f);
		assert_string_equal(err.file, path);
	} else {
		assert_false(config_parse_string(pol, "t.conf", c->text,
						 &fake_opts, &err));
		assert_string_equal(err.file, "t.conf");
	}
	assert_string_equal(err.msg, c->msg);
	assert_int_equal(err.line, c->line);
	assert_int_equal(err.col, c->col);
	policy_free(pol);
}

static void test_empty(void **state)
{
	struct tf_policy *pol = parse_ok("");

	(void)state;
	assert_int_equal(pol->nroles + pol->nservices + pol->nlan +
			 pol->nlan_refuse + pol->ngrants + pol->nredirects, 0);
	assert_int_equal(pol->opt.nosock, TORFW_NOSOCK_LOOPBACK);
	assert_int_equal(pol->opt.kernel, TORFW_KERNEL_REFUSE);
	assert_int_equal(pol->opt.log_rate, 10);
	assert_int_equal(pol->opt.log_burst, 20);
	assert_int_equal(pol->opt.flags, 0);
	policy_free(pol);
}

static void test_comments_and_blanks(void **state)
{
	struct tf_policy *pol = parse_ok("# only\n   \n\t# comments\n\n");

	(void)state;
	assert_int_equal(pol->nroles + pol->nservices, 0);
	policy_free(pol);
}

static void test_roles(void **state)
{
	struct tf_policy *pol = parse_ok(
		"role tor debian-tor\n"
		"role clearnet clearnet 4000 # early boot: by number\n"
		"role packet root toor\n"
		"role tor debian-tor\n");

	(void)state;
	assert_int_equal(pol->nroles, 4);
	assert_int_equal(pol->roles[0].kind, TORFW_ROLE_TOR);
	assert_int_equal(pol->roles[0].uid, 107);
	assert_int_equal(pol->roles[1].kind, TORFW_ROLE_CLEARNET);
	assert_int_equal(pol->roles[1].uid, 108);
	assert_int_equal(pol->roles[2].uid, 4000);
	/* root and toor are both uid 0: one role */
	assert_int_equal(pol->roles[3].kind, TORFW_ROLE_PACKET);
	assert_int_equal(pol->roles[3].uid, 0);
	assert_int_equal(pol->roles[1].loc.line, 2);
	assert_int_equal(pol->roles[1].loc.col, 15);
	policy_free(pol);
}

static void test_allow_entry(void **state)
{
	struct tf_policy *pol = parse_ok(
		"allow udp 127.0.0.1:53 amnesia htp drop _apt netns ns1 ns2\n");
	const struct tf_service *s;
	uint8_t lo[4] = { 127, 0, 0, 1 };

	(void)state;
	assert_int_equal(pol->nservices, 1);
	s = &pol->services[0];
	assert_int_equal(s->family, AF_INET);
	assert_int_equal(s->proto, IPPROTO_UDP);
	assert_memory_equal(s->addr, lo, 4);
	assert_int_equal(s->lo, 53);
	assert_int_equal(s->hi, 53);
	assert_int_equal(s->nuids, 2);
	assert_int_equal(s->uids[0], 1000);
	assert_int_equal(s->uids[1], 109);
	assert_int_equal(s->ndrops, 1);
	assert_int_equal(s->drops[0], 42);
	assert_int_equal(s->nnetns, 2);
	assert_string_equal(s->netns[0].name, "ns1");
	assert_string_equal(s->netns[1].name, "ns2");
	assert_int_equal(s->loc.line, 1);
	assert_int_equal(s->loc.col, 1);
	policy_free(pol);
}

static void test_allow_ipv6_and_range(void **state)
{
	struct tf_policy *pol = parse_ok(
		"allow tcp [::1]:4101 amnesia\n"
		"allow tcp 127.0.0.1:17600-17650 amnesia\n"
		"allow tcp [2001:db8::1]:1-65535 root\n");
	uint8_t v6lo[16] = { [15] = 1 };

	(void)state;
	assert_int_equal(pol->nservices, 3);
	assert_int_equal(pol->services[0].family, AF_INET6);
	assert_memory_equal(pol->services[0].addr, v6lo, 16);
	assert_int_equal(pol->services[1].lo, 17600);
	assert_int_equal(pol->services[1].hi, 17650);
	assert_int_equal(pol->services[2].lo, 1);
	assert_int_equal(pol->services[2].hi, 65535);
	policy_free(pol);
}

/* Same port, other address, protocol or family; adjacent ranges. */
static void test_allow_no_conflict(void **state)
{
	struct tf_policy *pol = parse_ok(
		"allow tcp 127.0.0.1:9050 root\n"
		"allow udp 127.0.0.1:9050 root\n"
		"allow tcp 127.0.0.2:9050 root\n"
		"allow tcp 0.0.0.0:9050 root\n"
		"allow tcp [::]:9050 root\n"
		"allow tcp [::1]:9050 root\n"
		"allow tcp 127.0.0.1:9000-9049 root\n"
		"allow tcp 127.0.0.1:9051-9060 root\n");

	(void)state;
	assert_int_equal(pol->nservices, 8);
	policy_free(pol);
}

static void test_allow_group_expansion(void **state)
{
	/* staff: alice (supplementary), bob (primary group 50) */
	struct tf_policy *pol = parse_ok(
		"allow tcp 127.0.0.1:1 alice @staff\n"
		"allow tcp 127.0.0.1:2 @50\n"
		"allow tcp 127.0.0.1:3 @stale\n"
		"allow tcp 127.0.0.1:4 @empty netns x\n");
	const struct tf_service *s = pol->services;

	(void)state;
	assert_int_equal(s[0].nuids, 2);
	assert_int_equal(s[0].uids[0], 1001);
	assert_int_equal(s[0].uids[1], 1002);
	assert_int_equal(s[1].nuids, 2);
	/* a stale member name is skipped, the real one kept */
	assert_int_equal(s[2].nuids, 1);
	assert_int_equal(s[2].uids[0], 1003);
	assert_int_equal(s[3].nuids, 0);
	assert_int_equal(s[3].nnetns, 1);
	policy_free(pol);
}

static void test_numeric_uids(void **state)
{
	struct tf_policy *pol = parse_ok(
		"allow tcp 127.0.0.1:1 0 1000 4294967294 007\n");

	(void)state;
	assert_int_equal(pol->services[0].nuids, 4);
	assert_int_equal(pol->services[0].uids[2], 4294967294u);
	assert_int_equal(pol->services[0].uids[3], 7);
	policy_free(pol);
}

static void test_lan_values(void **state)
{
	struct tf_policy *pol = parse_ok(
		"lan 10.0.0.0/8 172.16.0.0/12\nlan 192.168.0.0/16 100.64.0.1/32\n"
		"lan-refuse tcp 53\nlan-refuse udp 53 137 6000-6010\n");
	uint8_t a[4] = { 172, 16, 0, 0 };

	(void)state;
	assert_int_equal(pol->nlan, 4);
	assert_memory_equal(pol->lan[1].addr, a, 4);
	assert_int_equal(pol->lan[1].len, 12);
	assert_int_equal(pol->lan[3].len, 32);
	assert_int_equal(pol->nlan_refuse, 4);
	assert_int_equal(pol->lan_refuse[0].proto, IPPROTO_TCP);
	assert_int_equal(pol->lan_refuse[3].lo, 6000);
	assert_int_equal(pol->lan_refuse[3].hi, 6010);
	policy_free(pol);
}

static void test_grants_and_redirects(void **state)
{
	struct tf_policy *pol = parse_ok(
		"grant netns clearnet other\n"
		"redirect automap 127.192.0.0/10 to 9040\n"
		"redirect dns 127.0.0.1:53 to 5353\n");
	uint8_t a[4] = { 127, 192, 0, 0 };

	(void)state;
	assert_int_equal(pol->ngrants, 2);
	assert_string_equal(pol->grants[1].name, "other");
	assert_int_equal(pol->nredirects, 2);
	assert_int_equal(pol->redirects[0].kind, TORFW_REDIR_AUTOMAP);
	assert_memory_equal(pol->redirects[0].addr, a, 4);
	assert_int_equal(pol->redirects[0].plen, 10);
	assert_int_equal(pol->redirects[0].port, 0);
	assert_int_equal(pol->redirects[0].to_port, 9040);
	assert_int_equal(pol->redirects[1].kind, TORFW_REDIR_DNS);
	assert_int_equal(pol->redirects[1].plen, 32);
	assert_int_equal(pol->redirects[1].port, 53);
	policy_free(pol);
}

static void test_options(void **state)
{
	struct tf_policy *pol = parse_ok(
		"nosocket accept\nlog-rate 0\nlog-burst 10000\nmtu-probing on\n");

	(void)state;
	assert_int_equal(pol->opt.nosock, TORFW_NOSOCK_ACCEPT);
	assert_int_equal(pol->opt.log_rate, 0);
	assert_int_equal(pol->opt.log_burst, 10000);
	assert_int_equal(pol->opt.flags, TORFW_OPT_F_MTU_PROBING);
	policy_free(pol);

	pol = parse_ok("mtu-probing off\n");
	assert_int_equal(pol->opt.flags, 0);
	policy_free(pol);
}

static void test_kernel_sockets(void **state)
{
	static const struct {
		const char *text;
		uint8_t mode;
	} cases[] = {
		{ "kernel-sockets refuse\n", TORFW_KERNEL_REFUSE },
		{ "kernel-sockets lan # NFS on the LAN\n", TORFW_KERNEL_LAN },
		{ "\tkernel-sockets lan\n", TORFW_KERNEL_LAN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tf_policy *pol = parse_ok(cases[i].text);

		assert_int_equal(pol->opt.kernel, cases[i].mode);
		assert_int_equal(pol->opt.set[TF_OPT_KERNEL].line, 1);
		/* the other options keep their defaults */
		assert_int_equal(pol->opt.nosock, TORFW_NOSOCK_LOOPBACK);
		assert_int_equal(pol->opt.set[TF_OPT_NOSOCK].line, 0);
		policy_free(pol);
	}
}

static void expect_error(const char *text, unsigned int line,
			 unsigned int col, const char *msg)
{
	struct tf_policy *pol = policy_new();
	struct tf_cfg_error err;

	assert_false(config_parse_string(pol, "t.conf", text, &fake_opts,
					 &err));
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, line);
	assert_int_equal(err.col, col);
	policy_free(pol);
}

static void test_limit_roles(void **state)
{
	char *text = malloc((size_t)16 * 1100);
	size_t off;
	unsigned int i;

	(void)state;
	assert_non_null(text);
	off = (size_t)sprintf(text, "role packet");
	for (i = 0; i < TORFW_MAX_ROLES + 1; i++)
		off += (size_t)sprintf(text + off, " %u", 5000 + i);
	/* "role packet" is 11 bytes; uid i starts at 13 + 5 * i */
	expect_error(text, 1, 13 + 5 * TORFW_MAX_ROLES,
		     "too many roles (at most 1024)");
	free(text);
}

static void test_limit_service_uids(void **state)
{
	char text[1024];
	size_t off;
	unsigned int i;

	(void)state;
	off = (size_t)sprintf(text, "allow tcp 127.0.0.1:1 drop 9999");
	for (i = 0; i < TORFW_MAX_SERVICE_UIDS; i++)
		off += (size_t)sprintf(text + off, " %u", 5000 + i);
	/* 63 allowed + 1 dropped fit; the 64th allowed (col) does not */
	expect_error(text, 1, 33 + 5 * (TORFW_MAX_SERVICE_UIDS - 1),
		     "too many users in one entry (at most 64 allowed and dropped)");
}

static void test_limit_services(void **state)
{
	size_t size = (size_t)40 * (TORFW_MAX_SERVICES + 2), off = 0;
	char *text = malloc(size);
	unsigned int i;

	(void)state;
	assert_non_null(text);
	for (i = 1; i <= TORFW_MAX_SERVICES + 1; i++)
		off += (size_t)snprintf(text + off, size - off,
					"allow tcp 127.0.0.1:%u 0\n", i);
	expect_error(text, TORFW_MAX_SERVICES + 1, 1,
		     "too many allow entries (at most 16384)");
	free(text);
}

/*
 * Entries on as many distinct addresses as the module allows: the overlap
 * check is a tree of ranges, not a 256 KiB port index per address (4 GB).
 */
static void test_many_addresses(void **state)
{
	size_t size = (size_t)40 * TORFW_MAX_SERVICES, off = 0;
	char *text = malloc(size);
	struct tf_policy *pol;
	unsigned int i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < TORFW_MAX_SERVICES; i++)
		off += (size_t)snprintf(text + off, size - off,
					"allow tcp 10.1.%u.%u:80 0\n", i >> 8,
					i & 255);
	pol = parse_ok(text);
	assert_int_equal(pol->nservices, TORFW_MAX_SERVICES);
	policy_free(pol);
	free(text);
}

/* A line holds TF_LINE_MAX bytes; one more is refused where it starts. */
static void test_limit_line(void **state)
{
	char *text = malloc(TF_LINE_MAX + 32);
	struct tf_policy *pol;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', TF_LINE_MAX + 1);
	text[0] = '#';
	text[TF_LINE_MAX] = '\0';
	pol = parse_ok(text);		/* exactly the limit, no newline */
	policy_free(pol);
	memcpy(text + TF_LINE_MAX, "\nrole tor 0\n", 13);
	pol = parse_ok(text);
	assert_int_equal(pol->nroles, 1);
	policy_free(pol);
	memcpy(text, "role tor 0\n#", 12);
	memset(text + 12, 'x', TF_LINE_MAX);
	text[12 + TF_LINE_MAX] = '\0';
	expect_error(text, 2, TF_LINE_MAX + 1,
		     "line too long (at most 65536 bytes)");
	free(text);
}

static void test_limit_lan(void **state)
{
	size_t size = (size_t)32 * (TORFW_MAX_LAN + 2), off = 0;
	char *text = malloc(size);
	unsigned int i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i <= TORFW_MAX_LAN; i++)
		off += (size_t)snprintf(text + off, size - off,
					"lan 10.%u.%u.0/24\n", i / 256, i % 256);
	expect_error(text, TORFW_MAX_LAN + 1, 5,
		     "too many LAN prefixes (at most 256)");
	free(text);
}

static void test_limit_grants(void **state)
{
	(void)state;
	expect_error("grant netns a b c d e f g h i j k l m n o p q\n", 1, 45,
		     "too many granted namespaces (at most 16)");
}

static void test_error_format(void **state)
{
	struct tf_cfg_error err = {
		.file = "a.conf", .line = 3, .col = 7, .msg = "boom",
	};
	char buf[1200];

	(void)state;
	config_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "a.conf:3:7: boom");
	err.line = 0;
	config_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "a.conf: boom");
}

/* A failed parse of one line leaves no half-built element behind. */
static void test_failure_adds_nothing(void **state)
{
	struct tf_policy *pol = policy_new();
	struct tf_cfg_error err;

	(void)state;
	assert_false(config_parse_string(pol, "t.conf",
					 "allow tcp 127.0.0.1:1 root ghost\n",
					 &fake_opts, &err));
	assert_int_equal(pol->nservices, 0);
	policy_free(pol);
}

/* A missing namespace leaves: grants, entry lists, entries left empty. */
static void test_drop_netns(void **state)
{
	struct tf_policy *pol = parse_ok(
		"grant netns a b\n"
		"allow tcp 127.0.0.1:1 netns a\n"
		"allow tcp 127.0.0.1:2 0 netns a\n"
		"allow tcp 127.0.0.1:3 netns b a\n");

	(void)state;
	policy_drop_netns(pol, "a");
	assert_int_equal(pol->ngrants, 1);
	assert_string_equal(pol->grants[0].name, "b");
	assert_int_equal(pol->nservices, 2);
	assert_int_equal(pol->services[0].lo, 2);
	assert_int_equal(pol->services[0].nnetns, 0);
	assert_int_equal(pol->services[0].nuids, 1);
	assert_int_equal(pol->services[1].lo, 3);
	assert_int_equal(pol->services[1].nnetns, 1);
	assert_string_equal(pol->services[1].netns[0].name, "b");
	policy_free(pol);
}

#define BAD_TEST(name, text, line, col, msg)				\
	{ "bad_" #name, test_bad, NULL, NULL, &bad_##name },

int test_config_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		BAD_CASES(BAD_TEST)
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_comments_and_blanks),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_allow_entry),
		cmocka_unit_test(test_allow_ipv6_and_range),
		cmocka_unit_test(test_allow_no_conflict),
		cmocka_unit_test(test_allow_group_expansion),
		cmocka_unit_test(test_numeric_uids),
		cmocka_unit_test(test_lan_values),
		cmocka_unit_test(test_grants_and_redirects),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_kernel_sockets),
		cmocka_unit_test(test_limit_roles),
		cmocka_unit_test(test_limit_service_uids),
		cmocka_unit_test(test_limit_services),
		cmocka_unit_test(test_many_addresses),
		cmocka_unit_test(test_limit_line),
		cmocka_unit_test(test_limit_lan),
		cmocka_unit_test(test_limit_grants),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_failure_adds_nothing),
		cmocka_unit_test(test_drop_netns),
	};

	return RUN_GROUP("config", tests, count);
}
