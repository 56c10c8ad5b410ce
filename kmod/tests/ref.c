// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the reference policy of DESIGN.md section 2, built through the
 * same builder calls netlink_load.c makes, and its variants for the
 * lock's comparisons. Shared by the suites of kmod/tests/.
 */

#include <linux/inet.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/err.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "tests/ref.h"

const struct torfw_ns torfw_test_ns_clearnet = {
	.cookie = NS_CLEARNET, .name = "clearnet",
};

union nf_inet_addr torfw_test_addr(const char *s, u8 *family)
{
	union nf_inet_addr a = {};

	if (strchr(s, ':')) {
		*family = AF_INET6;
		in6_pton(s, -1, (u8 *)&a.in6, -1, NULL);
	} else {
		*family = AF_INET;
		in4_pton(s, -1, (u8 *)&a.ip, -1, NULL);
	}
	return a;
}

int torfw_test_add_svc(struct torfw_builder *b, const char *addr, u8 proto,
		   u16 lo, u16 hi, const u32 *allow, u32 n_allow,
		   const u32 *drop, u32 n_drop, const struct torfw_ns *ns,
		   u32 n_ns)
{
	struct torfw_svc_spec s = {
		.proto = proto, .port_lo = lo, .port_hi = hi,
		.allow = allow, .n_allow = n_allow,
		.drop = drop, .n_drop = n_drop,
		.ns = ns, .n_ns = n_ns,
	};

	s.addr = torfw_test_addr(addr, &s.family);
	return torfw_builder_add_service(b, &s, NULL);
}


__be32 torfw_test_ip4(const char *s)
{
	u8 family;

	return torfw_test_addr(s, &family).ip;
}


const struct torfw_ns torfw_test_ns_other = {
	.cookie = NS_OTHER, .name = "other",
};

/* The reference policy of DESIGN.md section 2, plus extra entries. */
struct torfw_policy *torfw_test_reference_v(u32 v, u8 nosock, u32 extra)
{
	static const u32 dns_allow[] = { U_AMNESIA, U_HTP };
	static const u32 dns_apt[] = { U_AMNESIA, U_HTP, U_APT };
	static const u32 dns_drop[] = { U_APT };
	static const u32 gw_allow[] = { U_AMNESIA };
	static const u32 root[] = { U_ROOT };
	static const u32 drop5555[] = { U_AMNESIA, U_TOR };
	static const struct torfw_ns gw_ns[] = {
		{ .cookie = NS_CLEARNET, .name = "clearnet" },
		{ .cookie = NS_OTHER, .name = "other" },
	};
	struct torfw_options opt = {
		.nosock = nosock, .log_rate = 10, .log_burst = 20,
		.flags = TORFW_OPT_F_MTU_PROBING,
	};
	struct torfw_redir automap = {
		.kind = TORFW_REDIR_AUTOMAP, .addr = torfw_test_ip4("127.192.0.0"),
		.prefixlen = 10, .to_port = 9040,
	};
	struct torfw_redir dns = {
		.kind = TORFW_REDIR_DNS, .addr = torfw_test_ip4(LO4), .prefixlen = 32,
		.port = 53, .to_port = 5353,
	};
	struct torfw_builder *b = torfw_builder_new();
	struct torfw_policy *p;
	int ret = 0;
	u32 i;

	if (v & V_KERNEL_LAN)
		opt.kernel = TORFW_KERNEL_LAN;
	if (v & V_DNS_REDIR_5354)
		dns.to_port = 5354;
	if (!b)
		return ERR_PTR(-ENOMEM);
	ret |= torfw_builder_set_options(b, &opt, NULL);
	ret |= torfw_builder_add_role(b, TORFW_ROLE_TOR, U_TOR, NULL);
	ret |= torfw_builder_add_role(b, TORFW_ROLE_CLEARNET, U_CLEARNET, NULL);
	if (v & V_STRANGER_SOCKS)
		ret |= SVC(b, LO4, TCP, 9050, 9050, U_AMNESIA, U_APT, U_PROXY,
			   U_NOBODY, U_UPGRADE, U_STRANGER);
	else if (v & V_NO_APT_SOCKS)
		ret |= SVC(b, LO4, TCP, 9050, 9050, U_AMNESIA, U_PROXY,
			   U_NOBODY, U_UPGRADE);
	else
		ret |= SVC(b, LO4, TCP, 9050, 9050, U_AMNESIA, U_APT, U_PROXY,
			   U_NOBODY, U_UPGRADE);
	if (v & V_STRANGER_TOR)
		ret |= torfw_builder_add_role(b, TORFW_ROLE_TOR, U_STRANGER,
					      NULL);
	if (v & V_STRANGER_CLEARNET)
		ret |= torfw_builder_add_role(b, TORFW_ROLE_CLEARNET,
					      U_STRANGER, NULL);
	if (v & V_PACKET_ROOT)
		ret |= torfw_builder_add_role(b, TORFW_ROLE_PACKET, U_ROOT,
					      NULL);
	if (v & V_STRANGER_PACKET)
		ret |= torfw_builder_add_role(b, TORFW_ROLE_PACKET, U_STRANGER,
					      NULL);
	if (v & V_WILDCARD)
		ret |= SVC(b, "0.0.0.0", TCP, 7000, 7000, U_AMNESIA);
	if (v & V_TOR_SVC)
		ret |= SVC(b, LO4, TCP, 45000, 45000, U_TOR);
	ret |= SVC(b, LO4, TCP, 9062, 9062, U_AMNESIA, U_HTP, U_UPGRADE);
	ret |= SVC(b, LO4, TCP, 9063, 9063, U_IUK);
	ret |= SVC(b, LO4, TCP, 9052, 9052, U_ROOT);
	ret |= SVC(b, LO4, TCP, 951, 951, U_AMNESIA, U_ROOT);
	ret |= SVC(b, LO4, TCP, 9040, 9040, U_AMNESIA);
	if (v & V_APT_DNS)
		ret |= torfw_test_add_svc(b, LO4, IPPROTO_UDP, 53, 53, dns_apt,
					  3, NULL, 0, NULL, 0);
	else if (v & V_NO_APT_DROP)
		ret |= torfw_test_add_svc(b, LO4, IPPROTO_UDP, 53, 53,
					  dns_allow, 2, NULL, 0, NULL, 0);
	else
		ret |= torfw_test_add_svc(b, LO4, IPPROTO_UDP, 53, 53,
					  dns_allow, 2, dns_drop, 1, NULL, 0);
	ret |= torfw_test_add_svc(b, LO4, IPPROTO_UDP, 5353, 5353, dns_allow, 2,
		       dns_drop, 1, NULL, 0);
	ret |= SVC(b, LO4, TCP, 4101, 4101, U_AMNESIA, U_GDM);
	if (!(v & V_NO_CUPS))
		ret |= SVC(b, LO4, TCP, 631, 631, U_AMNESIA);
	ret |= SVC(b, LO4, TCP, 17600, 17650, U_AMNESIA);
	if (!(v & V_NO_A11Y6))
		ret |= SVC(b, "::1", TCP, 4101, 4101, U_AMNESIA, U_GDM);
	/* A host service reachable from the clearnet namespace's veth. */
	ret |= torfw_test_add_svc(b, "10.200.1.1", IPPROTO_TCP, 8080, 8080,
				  gw_allow, 1, NULL, 0, gw_ns,
				  v & V_SVC_NS_OTHER ? 2 : 1);
	/* Exact entries beside (and shadowing) any-address ones. */
	if (v & V_ANY5555)
		ret |= SVC(b, "0.0.0.0", TCP, 5555, 5555, U_AMNESIA);
	if (v & V_X5555_MASK)
		ret |= torfw_test_add_svc(b, LO4, IPPROTO_TCP, 5555, 5555,
					  root, 1, drop5555,
					  ((v & V_X5555_MASK) >> 24) - 1, NULL,
					  0);
	if (v & V_ANY6000)
		ret |= SVC(b, "0.0.0.0", TCP, 6000, 6010, U_AMNESIA);
	if (v & V_X6000)
		ret |= SVC(b, LO4, TCP, 6000, 6010, U_ROOT);
	if (v & V_X6000_NARROW)
		ret |= SVC(b, LO4, TCP, 6000, 6005, U_ROOT);
	if (!(v & V_LESS_LAN))
		ret |= torfw_builder_add_lan(b, AF_INET, torfw_test_ip4("10.0.0.0"), 8,
					     NULL);
	if (v & V_MORE_LAN)
		ret |= torfw_builder_add_lan(b, AF_INET, torfw_test_ip4("100.64.0.0"), 10,
					     NULL);
	ret |= torfw_builder_add_lan(b, AF_INET, torfw_test_ip4("172.16.0.0"), 12, NULL);
	ret |= torfw_builder_add_lan(b, AF_INET, torfw_test_ip4("192.168.0.0"), 16, NULL);
	ret |= torfw_builder_add_lan_refuse(b, IPPROTO_TCP, 53, 53, NULL);
	if (!(v & V_LAN_DNS))
		ret |= torfw_builder_add_lan_refuse(b, IPPROTO_UDP, 53, 53,
						    NULL);
	ret |= torfw_builder_add_lan_refuse(b, IPPROTO_UDP, 137, 137, NULL);
	if (v & V_LAN_NTP)
		ret |= torfw_builder_add_lan_refuse(b, IPPROTO_UDP, 123, 123,
						    NULL);
	if (!(v & V_NO_GRANT))
		ret |= torfw_builder_add_grant(b, &torfw_test_ns_clearnet,
					       NULL);
	if (v & V_OTHER_GRANT)
		ret |= torfw_builder_add_grant(b, &torfw_test_ns_other, NULL);
	if (!(v & V_NO_REDIR))
		ret |= torfw_builder_add_redirect(b, &automap, NULL);
	if (!(v & (V_NO_DNS_REDIR | V_NO_REDIR)))
		ret |= torfw_builder_add_redirect(b, &dns, NULL);
	/* Extra entries on 127.0.0.2, each for its own uid 100000 + i. */
	for (i = 0; i < extra && !ret; i++) {
		u32 uid = 100000 + i;

		ret = torfw_test_add_svc(b, "127.0.0.2", IPPROTO_TCP, 20000 + i,
			      20000 + i, &uid, 1, NULL, 0, NULL, 0);
	}
	if (ret) {
		torfw_builder_free(b);
		return ERR_PTR(-EINVAL);
	}
	p = torfw_policy_build(b, NULL);
	torfw_builder_free(b);
	return p;
}
