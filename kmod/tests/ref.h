/* SPDX-License-Identifier: GPL-2.0 */
/* KUnit: the reference policy of DESIGN.md section 2 and its variants. */
#ifndef _TORFW_TESTS_REF_H
#define _TORFW_TESTS_REF_H

#include "policy.h"

enum {
	U_ROOT = 0,
	U_PROXY = 13,
	U_APT = 42,
	U_TOR = 107,
	U_CLEARNET = 108,
	U_UPGRADE = 110,
	U_HTP = 111,
	U_IUK = 112,
	U_GDM = 113,
	U_AMNESIA = 1000,
	U_STRANGER = 1500,
	U_NOBODY = 65534,
};

#define NS_CLEARNET 0x1111ULL
#define NS_OTHER 0x2222ULL
#define LO4 "127.0.0.1"

extern const struct torfw_ns torfw_test_ns_clearnet;
extern const struct torfw_ns torfw_test_ns_other;

union nf_inet_addr torfw_test_addr(const char *s, u8 *family);
__be32 torfw_test_ip4(const char *s);
int torfw_test_add_svc(struct torfw_builder *b, const char *addr, u8 proto,
		       u16 lo, u16 hi, const u32 *allow, u32 n_allow,
		       const u32 *drop, u32 n_drop, const struct torfw_ns *ns,
		       u32 n_ns);
#define SVC(b, addr, proto, lo, hi, ...) ({				\
	static const u32 _allow[] = { __VA_ARGS__ };			\
	torfw_test_add_svc(b, addr, IPPROTO_##proto, lo, hi, _allow,		\
		ARRAY_SIZE(_allow), NULL, 0, NULL, 0);			\
})

/* Variants of the reference policy, for comparisons under the lock. */
enum {
	V_NO_CUPS = 1 << 0,	/* without tcp/631 */
	V_STRANGER_SOCKS = 1 << 1,	/* stranger may use tcp/9050 */
	V_STRANGER_TOR = 1 << 2,	/* stranger has the Tor role */
	V_MORE_LAN = 1 << 3,	/* 100.64.0.0/10 is LAN too */
	V_LESS_LAN = 1 << 4,	/* without 10.0.0.0/8 */
	V_LAN_DNS = 1 << 5,	/* udp/53 to the LAN not refused */
	V_OTHER_GRANT = 1 << 6,	/* a second namespace granted */
	V_WILDCARD = 1 << 7,	/* tcp/7000 on any address for amnesia */
	V_NO_DNS_REDIR = 1 << 8,	/* no system DNS redirect */
	V_TOR_SVC = 1 << 9,	/* debian-tor on 127.0.0.1:45000 */
	V_PACKET_ROOT = 1 << 10,	/* root may send raw frames */
	V_NO_GRANT = 1 << 11,	/* no namespace granted */
	V_NO_REDIR = 1 << 12,	/* no redirect at all */
	V_KERNEL_LAN = 1 << 13,	/* kernel-made sockets may reach the LAN */
	/* 1 << 14: free */
	V_NO_A11Y6 = 1 << 15,	/* without tcp [::1]:4101 */
	V_NO_APT_SOCKS = 1 << 16,	/* tcp/9050 without _apt */
	V_APT_DNS = 1 << 17,	/* _apt allowed on udp/53, not dropped */
	V_NO_APT_DROP = 1 << 18,	/* _apt in no list of udp/53 */
	V_STRANGER_CLEARNET = 1 << 19,	/* stranger has the clearnet role */
	V_LAN_NTP = 1 << 20,	/* udp/123 to the LAN refused too */
	V_SVC_NS_OTHER = 1 << 21,	/* 10.200.1.1:8080 for "other" too */
	V_DNS_REDIR_5354 = 1 << 22,	/* system DNS redirected to 5354 */
	V_ANY5555 = 1 << 23,	/* tcp 0.0.0.0:5555 for amnesia */
	/* tcp 127.0.0.1:5555 for root, dropping: */
	V_X5555 = 1 << 24,		/* nobody */
	V_X5555_DROP = 2 << 24,		/* amnesia */
	V_X5555_DROP_TOR = 3 << 24,	/* amnesia and debian-tor */
	V_X5555_MASK = 3 << 24,
	V_ANY6000 = 1 << 26,	/* tcp 0.0.0.0:6000-6010 for amnesia */
	V_X6000 = 1 << 27,	/* tcp 127.0.0.1:6000-6010 for root */
	V_X6000_NARROW = 1 << 28,	/* tcp 127.0.0.1:6000-6005 for root */
	V_STRANGER_PACKET = 1 << 29,	/* stranger may send raw frames */
};

struct torfw_policy *torfw_test_reference_v(u32 v, u8 nosock, u32 extra);

static inline struct torfw_policy *torfw_test_reference(u8 nosock, u32 extra)
{
	return torfw_test_reference_v(0, nosock, extra);
}

#endif /* _TORFW_TESTS_REF_H */
