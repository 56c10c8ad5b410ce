// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the decision function against every rule of DESIGN.md section 2,
 * as the uid each rule concerns, plus edges; and the policy builder's
 * validation, through the functions the module's other files call.
 */

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "policy.h"
#include "tests/ref.h"

enum case_flags {
	F_LO = 1 << 0,		/* out (in) device is loopback */
	F_NOUID = 1 << 1,	/* no owning socket */
	F_EST = 1 << 2,		/* TCP segment without SYN from a stream socket */
	F_RAWTCP = 1 << 3,	/* TCP without SYN from a raw socket */
	F_NOPORTS = 1 << 4,	/* L4 header unreadable */
	F_FRAG = 1 << 5,	/* not the first fragment */
	F_NS = 1 << 6,		/* in another network namespace */
	F_LINK = 1 << 7,	/* devices are loopback or veth */
	F_SOCK = 1 << 8,	/* inbound: an established local socket */
	F_CT_NEW = 1 << 9,
	F_CT_EST = 1 << 10,
	F_CT_REL = 1 << 11,
	F_CT_INV = 1 << 12,
	F_PACKET = 1 << 13,	/* frame from a packet socket */
	F_FRAME_IP = 1 << 14,	/* frame of the IP stack or ARP */
	F_KSOCK = 1 << 15,	/* kernel-made socket (SMC, NFS, a tunnel) */
	F_KRAW = 1 << 16,	/* kernel control socket (RST, ACK, ICMP) */
	F_CLOSING = 1 << 17,	/* segment of a local TIME_WAIT socket */
	F_SRR = 1 << 18,	/* IPv4 source route option */
	F_CT_REPLY = 1 << 19,	/* the packet is in its flow's reply direction */
};

/* P_LOOSE: accepts packets without socket, root sends raw frames. */
/* P_KLAN: kernel-made sockets may open connections to the LAN. */
enum { P_REF, P_NONE, P_LOOSE, P_KLAN, __P_MAX };

struct dcase {
	const char *name;
	u8 hook;
	u8 proto;
	u8 policy;
	u8 verdict;
	u8 reason;
	u32 uid;
	const char *daddr;
	u16 dport;
	u32 flags;
	u64 from_ns;
	u64 to_ns;
	const char *saddr;
	u16 sport;
};

/* A case; CX takes more designated initializers (FROM(), TO(), ...). */
#define CX(_name, _hook, _uid, _proto, _daddr, _dport, _flags, _pol, _v, \
	   _r, ...)							     \
	{ .name = _name, .hook = TORFW_HOOK_##_hook, .uid = _uid,	     \
	  .proto = IPPROTO_##_proto, .daddr = _daddr, .dport = _dport,	     \
	  .flags = _flags, .policy = _pol, .verdict = TORFW_##_v,	     \
	  .reason = TORFW_R_##_r, __VA_ARGS__ }
#define C(...) CX(__VA_ARGS__)
#define LOOP(name, uid, proto, port, v, r) \
	C(name, OUT, uid, proto, LO4, port, F_LO, P_REF, v, r)
#define NET(name, uid, proto, daddr, port, v, r) \
	C(name, OUT, uid, proto, daddr, port, 0, P_REF, v, r)
#define FROM(_ns) .from_ns = (_ns)
#define TO(_ns) .to_ns = (_ns)

static const struct dcase cases[] = {
	/* Rule 2: the loopback allow-list, each uid it names and others. */
	LOOP("socks 9050 amnesia", U_AMNESIA, TCP, 9050, ACCEPT, SERVICE),
	LOOP("socks 9050 _apt", U_APT, TCP, 9050, ACCEPT, SERVICE),
	LOOP("socks 9050 proxy", U_PROXY, TCP, 9050, ACCEPT, SERVICE),
	LOOP("socks 9050 nobody", U_NOBODY, TCP, 9050, ACCEPT, SERVICE),
	LOOP("socks 9050 upgrade-frontend", U_UPGRADE, TCP, 9050, ACCEPT,
	     SERVICE),
	LOOP("socks 9050 stranger refused", U_STRANGER, TCP, 9050, REJECT,
	     LOOPBACK),
	LOOP("socks 9050 uid 0 refused", U_ROOT, TCP, 9050, REJECT, LOOPBACK),
	LOOP("socks 9050 htp refused", U_HTP, TCP, 9050, REJECT, LOOPBACK),
	LOOP("socks 9062 amnesia", U_AMNESIA, TCP, 9062, ACCEPT, SERVICE),
	LOOP("socks 9062 htp", U_HTP, TCP, 9062, ACCEPT, SERVICE),
	LOOP("socks 9062 upgrade-frontend", U_UPGRADE, TCP, 9062, ACCEPT,
	     SERVICE),
	LOOP("socks 9062 _apt refused", U_APT, TCP, 9062, REJECT, LOOPBACK),
	LOOP("socks 9063 iuk", U_IUK, TCP, 9063, ACCEPT, SERVICE),
	LOOP("socks 9063 amnesia refused", U_AMNESIA, TCP, 9063, REJECT,
	     LOOPBACK),
	LOOP("control 9052 root", U_ROOT, TCP, 9052, ACCEPT, SERVICE),
	LOOP("control 9052 amnesia refused", U_AMNESIA, TCP, 9052, REJECT,
	     LOOPBACK),
	LOOP("control 9052 debian-tor: rule 4", U_TOR, TCP, 9052, ACCEPT,
	     TOR_LOOPBACK),
	LOOP("filter 951 amnesia", U_AMNESIA, TCP, 951, ACCEPT, SERVICE),
	LOOP("filter 951 root", U_ROOT, TCP, 951, ACCEPT, SERVICE),
	LOOP("filter 951 htp refused", U_HTP, TCP, 951, REJECT, LOOPBACK),
	LOOP("transport 9040 amnesia", U_AMNESIA, TCP, 9040, ACCEPT, SERVICE),
	LOOP("transport 9040 root refused", U_ROOT, TCP, 9040, REJECT,
	     LOOPBACK),
	LOOP("transport 9040 stranger refused", U_STRANGER, TCP, 9040, REJECT,
	     LOOPBACK),
	LOOP("dns udp/53 amnesia", U_AMNESIA, UDP, 53, ACCEPT, SERVICE),
	LOOP("dns udp/53 htp", U_HTP, UDP, 53, ACCEPT, SERVICE),
	LOOP("dns udp/53 _apt dropped silently", U_APT, UDP, 53, DROP,
	     SERVICE_DROP),
	LOOP("dns udp/53 stranger refused", U_STRANGER, UDP, 53, REJECT,
	     LOOPBACK),
	LOOP("dnsport udp/5353 amnesia", U_AMNESIA, UDP, 5353, ACCEPT,
	     SERVICE),
	LOOP("dnsport udp/5353 htp", U_HTP, UDP, 5353, ACCEPT, SERVICE),
	LOOP("dnsport udp/5353 _apt dropped", U_APT, UDP, 5353, DROP,
	     SERVICE_DROP),
	LOOP("dns tcp/53 is not listed", U_AMNESIA, TCP, 53, REJECT, LOOPBACK),
	LOOP("a11y 4101 amnesia", U_AMNESIA, TCP, 4101, ACCEPT, SERVICE),
	LOOP("a11y 4101 Debian-gdm", U_GDM, TCP, 4101, ACCEPT, SERVICE),
	LOOP("a11y 4101 root refused", U_ROOT, TCP, 4101, REJECT, LOOPBACK),
	LOOP("cups 631 amnesia", U_AMNESIA, TCP, 631, ACCEPT, SERVICE),
	LOOP("cups 631 root refused", U_ROOT, TCP, 631, REJECT, LOOPBACK),
	LOOP("cups udp/631 is not listed", U_AMNESIA, UDP, 631, REJECT,
	     LOOPBACK),
	LOOP("onionshare 17600 lower bound", U_AMNESIA, TCP, 17600, ACCEPT,
	     SERVICE),
	LOOP("onionshare 17625 inside", U_AMNESIA, TCP, 17625, ACCEPT,
	     SERVICE),
	LOOP("onionshare 17650 upper bound", U_AMNESIA, TCP, 17650, ACCEPT,
	     SERVICE),
	LOOP("onionshare 17599 below", U_AMNESIA, TCP, 17599, REJECT,
	     LOOPBACK),
	LOOP("onionshare 17651 above", U_AMNESIA, TCP, 17651, REJECT,
	     LOOPBACK),
	LOOP("onionshare htp refused", U_HTP, TCP, 17625, REJECT, LOOPBACK),
	LOOP("unlisted loopback port refused", U_AMNESIA, TCP, 8080, REJECT,
	     LOOPBACK),
	LOOP("loopback port 0 refused", U_AMNESIA, UDP, 0, REJECT, LOOPBACK),
	C("other loopback address refused", OUT, U_AMNESIA, TCP, "127.0.0.2",
	  9050, F_LO, P_REF, REJECT, LOOPBACK),
	C("automap address not rewritten refused", OUT, U_AMNESIA, TCP,
	  "127.192.0.5", 80, F_LO, P_REF, REJECT, LOOPBACK),
	C("ping on loopback refused", OUT, U_AMNESIA, ICMP, LO4, 0,
	  F_LO | F_NOPORTS, P_REF, REJECT, LOOPBACK),
	/* Rule 4 on loopback: Tor answers its clients. */
	LOOP("debian-tor udp reply on loopback", U_TOR, UDP, 40000, ACCEPT,
	     TOR_LOOPBACK),
	LOOP("debian-tor on a listed port not naming it", U_TOR, TCP, 9050,
	     ACCEPT, TOR_LOOPBACK),
	LOOP("debian-tor to onionshare 17600 (an onion service)", U_TOR, TCP,
	     17600, ACCEPT, TOR_LOOPBACK),
	LOOP("debian-tor to cups 631", U_TOR, TCP, 631, ACCEPT, TOR_LOOPBACK),
	LOOP("debian-tor udp to dns 53", U_TOR, UDP, 53, ACCEPT, TOR_LOOPBACK),
	C("debian-tor on ::1 4101 (IPv6: allow-list only)", OUT, U_TOR, TCP,
	  "::1", 4101, F_LO, P_REF, REJECT, LOOPBACK),
	C("debian-tor on ::1 unlisted port", OUT, U_TOR, TCP, "::1", 8080, F_LO,
	  P_REF, REJECT, LOOPBACK),
	LOOP("stranger to onionshare 17600 refused", U_STRANGER, TCP, 17600,
	     REJECT, LOOPBACK),
	/* IPv6 loopback allow-list. */
	C("v6 ::1 4101 amnesia", OUT, U_AMNESIA, TCP, "::1", 4101, F_LO, P_REF,
	  ACCEPT, SERVICE),
	C("v6 ::1 4101 Debian-gdm", OUT, U_GDM, TCP, "::1", 4101, F_LO, P_REF,
	  ACCEPT, SERVICE),
	C("v6 ::1 4101 stranger refused", OUT, U_STRANGER, TCP, "::1", 4101,
	  F_LO, P_REF, REJECT, LOOPBACK),
	C("v6 ::1 9050 not listed", OUT, U_AMNESIA, TCP, "::1", 9050, F_LO,
	  P_REF, REJECT, LOOPBACK),
	C("v6 debian-tor on ::1 refused", OUT, U_TOR, UDP, "::1", 5000, F_LO,
	  P_REF, REJECT, LOOPBACK),
	C("v4-mapped ::ffff:127.0.0.1 is not IPv4", OUT, U_AMNESIA, TCP,
	  "::ffff:127.0.0.1", 9050, F_LO, P_REF, REJECT, LOOPBACK),
	C("v6 replies on loopback pass", OUT, U_STRANGER, TCP, "::1", 50000,
	  F_LO | F_EST, P_REF, ACCEPT, ESTABLISHED),
	/* State. */
	C("RELATED icmp on loopback", OUT, U_ROOT, ICMP, LO4, 0,
	  F_LO | F_NOPORTS | F_CT_REL, P_REF, ACCEPT, RELATED_LOOPBACK),
	C("RELATED icmpv6 on loopback", OUT, U_ROOT, ICMPV6, "::1", 0,
	  F_LO | F_NOPORTS | F_CT_REL, P_REF, ACCEPT, RELATED_LOOPBACK),
	C("RELATED icmp off loopback", OUT, U_ROOT, ICMP, "192.0.2.1", 0,
	  F_NOPORTS | F_CT_REL, P_REF, DROP, RELATED),
	C("RELATED tcp on loopback", OUT, U_AMNESIA, TCP, LO4, 21,
	  F_LO | F_CT_REL, P_REF, DROP, RELATED),
	C("INVALID on loopback", OUT, U_AMNESIA, TCP, LO4, 9040,
	  F_LO | F_CT_INV, P_REF, DROP, INVALID),
	C("INVALID off loopback", OUT, U_TOR, TCP, "192.0.2.1", 443,
	  F_CT_INV, P_REF, DROP, INVALID),
	C("conntrack ESTABLISHED, reply direction", OUT, U_STRANGER, TCP,
	  "192.0.2.1", 80, F_CT_EST | F_CT_REPLY, P_REF, ACCEPT, ESTABLISHED),
	C("conntrack ESTABLISHED, own direction: the owner's", OUT,
	  U_STRANGER, TCP, "192.0.2.1", 80, F_CT_EST, P_REF, REJECT,
	  INTERNET_TCP),
	C("conntrack NEW follows the policy", OUT, U_AMNESIA, TCP, LO4, 9040,
	  F_LO | F_CT_NEW, P_REF, ACCEPT, SERVICE),
	C("stream socket non-SYN on loopback is established", OUT, U_ROOT,
	  TCP, LO4, 45000, F_LO | F_EST, P_REF, ACCEPT, ESTABLISHED),
	C("stream socket non-SYN off loopback meets the policy", OUT,
	  U_STRANGER, TCP, "192.0.2.1", 80, F_EST, P_REF, REJECT, INTERNET_TCP),
	C("closed socket's segment off loopback has no owner", OUT, 0, TCP,
	  "192.0.2.1", 80, F_EST | F_NOUID, P_REF, DROP, NOSOCK),
	C("debian-tor non-SYN off loopback passes as Tor", OUT, U_TOR, TCP,
	  "192.0.2.1", 9001, F_EST, P_REF, ACCEPT, TOR),
	C("amnesia non-SYN to the LAN passes as LAN", OUT, U_AMNESIA, TCP,
	  "192.168.1.10", 80, F_EST, P_REF, ACCEPT, LAN),
	C("raw socket non-SYN is not", OUT, U_STRANGER, TCP, "192.0.2.1", 80,
	  F_RAWTCP, P_REF, REJECT, INTERNET_TCP),
	C("truncated TCP header is not", OUT, U_STRANGER, TCP, "192.0.2.1", 80,
	  F_EST | F_NOPORTS, P_REF, REJECT, INTERNET_TCP),
	C("fragment on loopback refused", OUT, U_AMNESIA, UDP, LO4, 0,
	  F_LO | F_FRAG | F_NOPORTS, P_REF, REJECT, FRAGMENT),
	C("fragment to LAN refused", OUT, U_AMNESIA, UDP, "192.168.1.1", 0,
	  F_FRAG | F_NOPORTS, P_REF, REJECT, FRAGMENT),
	/* No owning socket. */
	C("no socket on loopback", OUT, 0, TCP, LO4, 40000,
	  F_LO | F_NOUID | F_RAWTCP, P_REF, ACCEPT, NOSOCK_LOOPBACK),
	C("no socket icmp on loopback", OUT, 0, ICMP, LO4, 0,
	  F_LO | F_NOUID | F_NOPORTS, P_REF, ACCEPT, NOSOCK_LOOPBACK),
	C("no socket off loopback dropped", OUT, 0, TCP, "192.0.2.1", 80,
	  F_NOUID | F_RAWTCP, P_REF, DROP, NOSOCK),
	C("no socket icmpv6 off loopback dropped", OUT, 0, ICMPV6,
	  "ff02::2", 0, F_NOUID | F_NOPORTS, P_REF, DROP, NOSOCK),
	C("no socket: accept passes an RST", OUT, 0, TCP, "192.0.2.1", 80,
	  F_NOUID | F_RAWTCP, P_LOOSE, ACCEPT, NOSOCK_ACCEPT),
	C("no socket: accept passes ICMPv6", OUT, 0, ICMPV6, "ff02::2", 0,
	  F_NOUID | F_NOPORTS, P_LOOSE, ACCEPT, NOSOCK_ACCEPT),
	C("no socket: accept passes no datagram", OUT, 0, UDP, "192.0.2.1",
	  123, F_NOUID, P_LOOSE, DROP, NOSOCK),
	C("no socket: accept passes no SYN", OUT, 0, TCP, "192.0.2.1", 80,
	  F_NOUID, P_LOOSE, DROP, NOSOCK),
	C("no socket: accept passes no IGMP", OUT, 0, IGMP, "224.0.0.22", 0,
	  F_NOUID | F_NOPORTS, P_LOOSE, DROP, NOSOCK),
	/* Rule 3: clearnet uid. */
	NET("clearnet tcp to the Internet", U_CLEARNET, TCP, "192.0.2.1", 443,
	    ACCEPT, CLEARNET),
	NET("clearnet udp/53 to the Internet", U_CLEARNET, UDP, "192.0.2.1",
	    53, ACCEPT, CLEARNET),
	NET("clearnet udp/53 to the LAN", U_CLEARNET, UDP, "192.168.1.1", 53,
	    ACCEPT, CLEARNET),
	NET("clearnet tcp/53 to the LAN", U_CLEARNET, TCP, "192.168.1.1", 53,
	    ACCEPT, CLEARNET),
	NET("clearnet udp/123 refused", U_CLEARNET, UDP, "192.0.2.1", 123,
	    REJECT, INTERNET_NON_TCP),
	C("clearnet icmp refused", OUT, U_CLEARNET, ICMP, "192.0.2.1", 0,
	  F_NOPORTS, P_REF, REJECT, INTERNET_NON_TCP),
	NET("clearnet IPv6 refused", U_CLEARNET, TCP, "2001:db8::1", 443,
	    REJECT, IPV6),
	C("clearnet on loopback uses the allow-list", OUT, U_CLEARNET, TCP,
	  LO4, 9050, F_LO, P_REF, REJECT, LOOPBACK),
	/* Rule 4: debian-tor. */
	NET("debian-tor tcp anywhere", U_TOR, TCP, "192.0.2.1", 9001, ACCEPT,
	    TOR),
	NET("debian-tor tcp/53 to the LAN", U_TOR, TCP, "192.168.1.1", 53,
	    ACCEPT, TOR),
	NET("debian-tor udp/53", U_TOR, UDP, "192.0.2.1", 53, ACCEPT, TOR),
	NET("debian-tor udp/123 refused", U_TOR, UDP, "192.0.2.1", 123, REJECT,
	    INTERNET_NON_TCP),
	C("debian-tor icmp refused", OUT, U_TOR, ICMP, "192.0.2.1", 0,
	  F_NOPORTS, P_REF, REJECT, INTERNET_NON_TCP),
	C("debian-tor sctp refused", OUT, U_TOR, SCTP, "192.0.2.1", 0,
	  F_NOPORTS, P_REF, REJECT, INTERNET_NON_TCP),
	NET("debian-tor IPv6 refused", U_TOR, TCP, "2001:db8::1", 443, REJECT,
	    IPV6),
	/* Rule 5: LAN. */
	NET("LAN tcp service", U_AMNESIA, TCP, "192.168.1.10", 80, ACCEPT,
	    LAN),
	NET("LAN udp", U_AMNESIA, UDP, "10.1.2.3", 5000, ACCEPT, LAN),
	NET("LAN udp/53 refused", U_AMNESIA, UDP, "192.168.1.1", 53, REJECT,
	    LAN_REFUSED),
	NET("LAN tcp/53 refused", U_AMNESIA, TCP, "192.168.1.1", 53, REJECT,
	    LAN_REFUSED),
	NET("LAN udp/137 NetBIOS refused", U_AMNESIA, UDP, "192.168.1.1", 137,
	    REJECT, LAN_REFUSED),
	NET("LAN tcp/137 passes", U_AMNESIA, TCP, "192.168.1.1", 137, ACCEPT,
	    LAN),
	NET("LAN udp/138 passes", U_ROOT, UDP, "192.168.1.1", 138, ACCEPT,
	    LAN),
	NET("LAN udp/53 refused for root too", U_ROOT, UDP, "10.0.0.1", 53,
	    REJECT, LAN_REFUSED),
	C("LAN icmp passes", OUT, U_AMNESIA, ICMP, "192.168.1.1", 0,
	  F_NOPORTS, P_REF, ACCEPT, LAN),
	NET("LAN edge 10.0.0.0", U_AMNESIA, UDP, "10.0.0.0", 9, ACCEPT, LAN),
	NET("LAN edge 10.255.255.255", U_AMNESIA, UDP, "10.255.255.255", 9,
	    ACCEPT, LAN),
	NET("LAN edge 9.255.255.255 outside", U_AMNESIA, UDP,
	    "9.255.255.255", 9, REJECT, INTERNET_NON_TCP),
	NET("LAN edge 11.0.0.0 outside", U_AMNESIA, UDP, "11.0.0.0", 9,
	    REJECT, INTERNET_NON_TCP),
	NET("LAN edge 172.16.0.0", U_AMNESIA, UDP, "172.16.0.0", 9, ACCEPT,
	    LAN),
	NET("LAN edge 172.31.255.255", U_AMNESIA, UDP, "172.31.255.255", 9,
	    ACCEPT, LAN),
	NET("LAN edge 172.15.255.255 outside", U_AMNESIA, UDP,
	    "172.15.255.255", 9, REJECT, INTERNET_NON_TCP),
	NET("LAN edge 172.32.0.0 outside", U_AMNESIA, UDP, "172.32.0.0", 9,
	    REJECT, INTERNET_NON_TCP),
	NET("LAN edge 192.168.0.0", U_AMNESIA, UDP, "192.168.0.0", 9, ACCEPT,
	    LAN),
	NET("LAN edge 192.167.255.255 outside", U_AMNESIA, UDP,
	    "192.167.255.255", 9, REJECT, INTERNET_NON_TCP),
	NET("LAN edge 192.169.0.0 outside", U_AMNESIA, UDP, "192.169.0.0", 9,
	    REJECT, INTERNET_NON_TCP),
	NET("LAN IPv6 is refused", U_AMNESIA, UDP, "fe80::1", 9, REJECT, IPV6),
	/* Rule 6: everything else. */
	NET("amnesia tcp to the Internet", U_AMNESIA, TCP, "192.0.2.1", 80,
	    REJECT, INTERNET_TCP),
	NET("root tcp to the Internet", U_ROOT, TCP, "192.0.2.1", 80, REJECT,
	    INTERNET_TCP),
	NET("stranger tcp to the Internet", U_STRANGER, TCP, "198.51.100.7",
	    443, REJECT, INTERNET_TCP),
	NET("amnesia udp/53 to the Internet", U_AMNESIA, UDP, "192.0.2.1", 53,
	    REJECT, INTERNET_NON_TCP),
	NET("htp udp to the Internet", U_HTP, UDP, "192.0.2.1", 123, REJECT,
	    INTERNET_NON_TCP),
	C("amnesia ping refused", OUT, U_AMNESIA, ICMP, "192.0.2.1", 0,
	  F_NOPORTS, P_REF, REJECT, INTERNET_NON_TCP),
	C("stranger sctp refused", OUT, U_STRANGER, SCTP, "192.0.2.1", 0,
	  F_NOPORTS, P_REF, REJECT, INTERNET_NON_TCP),
	C("stranger gre refused", OUT, U_STRANGER, GRE, "192.0.2.1", 0,
	  F_NOPORTS, P_REF, REJECT, INTERNET_NON_TCP),
	NET("amnesia IPv6 tcp refused", U_AMNESIA, TCP, "2001:db8::1", 80,
	    REJECT, IPV6),
	C("amnesia icmpv6 refused", OUT, U_AMNESIA, ICMPV6, "2001:db8::1", 0,
	  F_NOPORTS, P_REF, REJECT, IPV6),
	/* No policy: fail closed. */
	C("no policy: loopback passes", OUT, U_STRANGER, TCP, LO4, 9999, F_LO,
	  P_NONE, ACCEPT, NOPOLICY_LOOPBACK),
	C("no policy: v6 loopback passes", OUT, U_STRANGER, UDP, "::1", 9999,
	  F_LO, P_NONE, ACCEPT, NOPOLICY_LOOPBACK),
	C("no policy: debian-tor refused", OUT, U_TOR, TCP, "192.0.2.1", 443, 0,
	  P_NONE, REJECT, NO_POLICY),
	C("no policy: LAN refused", OUT, U_AMNESIA, UDP, "192.168.1.1", 9, 0,
	  P_NONE, REJECT, NO_POLICY),
	C("no policy: established refused", OUT, U_AMNESIA, TCP, "192.0.2.1",
	  80, F_EST | F_CT_EST, P_NONE, REJECT, NO_POLICY),
	C("no policy: no socket refused", OUT, 0, TCP, "192.0.2.1", 80,
	  F_NOUID, P_NONE, REJECT, NO_POLICY),
	C("no policy: inbound loopback", IN, 0, TCP, LO4, 80, F_LO, P_NONE,
	  ACCEPT, INBOUND_LOOPBACK),
	C("no policy: inbound dropped", IN, 0, TCP, "192.0.2.2", 22, F_SOCK,
	  P_NONE, DROP, NO_POLICY),
	C("no policy: forward dropped", FORWARD, 0, TCP, "192.0.2.1", 80,
	  F_CT_NEW, P_NONE, DROP, NO_POLICY),
	/* Inbound. */
	C("in: loopback", IN, 0, UDP, LO4, 5353, F_LO, P_REF, ACCEPT,
	  INBOUND_LOOPBACK),
	C("in: reply to a local socket", IN, 0, TCP, "192.0.2.2", 40000,
	  F_SOCK, P_REF, ACCEPT, ESTABLISHED),
	C("in: conntrack established", IN, 0, TCP, "10.200.1.1", 8080,
	  F_CT_EST, P_REF, ACCEPT, ESTABLISHED),
	C("in: new connection from the Internet", IN, 0, TCP, "192.0.2.2", 22,
	  0, P_REF, DROP, INBOUND),
	C("in: RELATED icmp dropped", IN, 0, ICMP, "192.0.2.2", 0,
	  F_NOPORTS | F_CT_REL, P_REF, DROP, RELATED),
	C("in: INVALID dropped", IN, 0, TCP, "192.0.2.2", 40000,
	  F_CT_INV | F_SOCK, P_REF, DROP, INVALID),
	{ .name = "in: granted netns to its listed service", .hook =
	  TORFW_HOOK_IN, .proto = IPPROTO_TCP, .daddr = "10.200.1.1",
	  .dport = 8080, .flags = F_CT_NEW, FROM(NS_CLEARNET),
	  .verdict = TORFW_ACCEPT, .reason = TORFW_R_GRANT_SERVICE },
	{ .name = "in: granted netns to an unlisted port", .hook =
	  TORFW_HOOK_IN, .proto = IPPROTO_TCP, .daddr = "10.200.1.1",
	  .dport = 9050, .flags = F_CT_NEW, FROM(NS_CLEARNET),
	  .verdict = TORFW_DROP, .reason = TORFW_R_INBOUND },
	{ .name = "in: granted netns to the host's loopback service", .hook =
	  TORFW_HOOK_IN, .proto = IPPROTO_TCP, .daddr = LO4,
	  .dport = 9050, .flags = F_CT_NEW, FROM(NS_CLEARNET),
	  .verdict = TORFW_DROP, .reason = TORFW_R_INBOUND },
	{ .name = "in: other netns to the listed service", .hook =
	  TORFW_HOOK_IN, .proto = IPPROTO_TCP, .daddr = "10.200.1.1",
	  .dport = 8080, FROM(NS_OTHER),
	  .verdict = TORFW_DROP, .reason = TORFW_R_INBOUND },
	/* Forward. */
	{ .name = "fwd: granted netns tcp to the Internet", .hook =
	  TORFW_HOOK_FORWARD, .proto = IPPROTO_TCP, .daddr = "192.0.2.1",
	  .dport = 443, .flags = F_CT_NEW, FROM(NS_CLEARNET),
	  .verdict = TORFW_ACCEPT, .reason = TORFW_R_GRANT_FORWARD },
	{ .name = "fwd: granted netns udp to the Internet", .hook =
	  TORFW_HOOK_FORWARD, .proto = IPPROTO_UDP, .daddr = "192.0.2.1",
	  .dport = 53, .flags = F_CT_NEW, FROM(NS_CLEARNET),
	  .verdict = TORFW_ACCEPT, .reason = TORFW_R_GRANT_FORWARD },
	{ .name = "fwd: granted netns icmp dropped", .hook =
	  TORFW_HOOK_FORWARD, .proto = IPPROTO_ICMP, .daddr = "192.0.2.1",
	  .flags = F_CT_NEW | F_NOPORTS, FROM(NS_CLEARNET),
	  .verdict = TORFW_DROP, .reason = TORFW_R_FORWARD },
	{ .name = "fwd: granted netns untracked dropped", .hook =
	  TORFW_HOOK_FORWARD, .proto = IPPROTO_TCP, .daddr = "192.0.2.1",
	  .dport = 443, FROM(NS_CLEARNET),
	  .verdict = TORFW_DROP, .reason = TORFW_R_FORWARD },
	{ .name = "fwd: granted netns to loopback dropped", .hook =
	  TORFW_HOOK_FORWARD, .proto = IPPROTO_TCP, .daddr = LO4,
	  .dport = 9050, .flags = F_CT_NEW, FROM(NS_CLEARNET),
	  .verdict = TORFW_DROP, .reason = TORFW_R_FORWARD },
	{ .name = "fwd: granted netns IPv6 dropped", .hook =
	  TORFW_HOOK_FORWARD, .proto = IPPROTO_TCP, .daddr = "2001:db8::1",
	  .dport = 443, .flags = F_CT_NEW, FROM(NS_CLEARNET),
	  .verdict = TORFW_DROP, .reason = TORFW_R_FORWARD },
	{ .name = "fwd: other netns dropped", .hook = TORFW_HOOK_FORWARD,
	  .proto = IPPROTO_TCP, .daddr = "192.0.2.1", .dport = 443,
	  .flags = F_CT_NEW, FROM(NS_OTHER),
	  .verdict = TORFW_DROP, .reason = TORFW_R_FORWARD },
	C("fwd: from the uplink dropped", FORWARD, 0, TCP, "10.200.1.2", 22,
	  F_CT_NEW, P_REF, DROP, FORWARD),
	C("fwd: replies of granted flows", FORWARD, 0, TCP, "10.200.1.2",
	  40000, F_CT_EST, P_REF, ACCEPT, ESTABLISHED),
	C("fwd: RELATED dropped", FORWARD, 0, ICMP, "10.200.1.2", 0,
	  F_CT_REL | F_NOPORTS, P_REF, DROP, RELATED),
	CX("fwd: granted netns to a sibling namespace", FORWARD, 0, TCP,
	   "10.200.2.2", 8080, F_CT_NEW, P_REF, DROP, FORWARD,
	   FROM(NS_CLEARNET), TO(NS_OTHER)),
	CX("fwd: granted netns udp to a sibling namespace", FORWARD, 0, UDP,
	   "10.200.2.2", 53, F_CT_NEW, P_REF, DROP, FORWARD,
	   FROM(NS_CLEARNET), TO(NS_OTHER)),
	CX("fwd: granted netns back into its own veth", FORWARD, 0, TCP,
	   "10.200.1.3", 80, F_CT_NEW, P_REF, DROP, FORWARD,
	   FROM(NS_CLEARNET), TO(NS_CLEARNET)),
	CX("fwd: sibling namespace to the granted one", FORWARD, 0, TCP,
	   "10.200.1.2", 80, F_CT_NEW, P_REF, DROP, FORWARD,
	   FROM(NS_OTHER), TO(NS_CLEARNET)),
	CX("fwd: established, granted netns into a sibling", FORWARD, 0, UDP,
	   "10.200.2.2", 40000, F_CT_EST | F_CT_REPLY, P_REF, DROP, FORWARD,
	   FROM(NS_CLEARNET), TO(NS_OTHER)),
	CX("fwd: established, into the granted netns", FORWARD, 0, TCP,
	   "10.200.1.2", 40000, F_CT_EST | F_CT_REPLY, P_REF, ACCEPT,
	   ESTABLISHED, TO(NS_CLEARNET)),
	CX("fwd: granted netns to the LAN through a device", FORWARD, 0, TCP,
	   "192.168.1.10", 80, F_CT_NEW, P_REF, ACCEPT, GRANT_FORWARD,
	   FROM(NS_CLEARNET)),
	/* Out of a veth into a namespace of this machine. */
	CX("netns link: amnesia to the granted namespace", OUT, U_AMNESIA, TCP,
	   "10.200.1.2", 80, 0, P_REF, REJECT, NETNS_LOCAL, TO(NS_CLEARNET)),
	CX("netns link: root to a sibling namespace", OUT, U_ROOT, TCP,
	   "10.200.2.2", 8080, 0, P_REF, REJECT, NETNS_LOCAL, TO(NS_OTHER)),
	CX("netns link: udp to a sibling namespace", OUT, U_AMNESIA, UDP,
	   "10.200.2.2", 9, 0, P_REF, REJECT, NETNS_LOCAL, TO(NS_OTHER)),
	CX("netns link: debian-tor to a namespace", OUT, U_TOR, TCP,
	   "10.200.2.2", 443, 0, P_REF, REJECT, NETNS_LOCAL, TO(NS_OTHER)),
	CX("netns link: clearnet uid to a namespace", OUT, U_CLEARNET, TCP,
	   "10.200.2.2", 443, 0, P_REF, REJECT, NETNS_LOCAL, TO(NS_OTHER)),
	CX("netns link: the granted service answers its namespace", OUT,
	   U_AMNESIA, TCP, "10.200.1.2", 40000, F_EST, P_REF, ACCEPT,
	   GRANT_REPLY, TO(NS_CLEARNET), .saddr = "10.200.1.1", .sport = 8080),
	CX("netns link: the service answers another namespace", OUT,
	   U_AMNESIA, TCP, "10.200.2.2", 40000, F_EST, P_REF, REJECT,
	   NETNS_LOCAL, TO(NS_OTHER), .saddr = "10.200.1.1", .sport = 8080),
	CX("netns link: udp from a service's port: only tracked replies", OUT,
	   U_STRANGER, UDP, "10.200.1.2", 40000, 0, P_REF, REJECT, NETNS_LOCAL,
	   TO(NS_CLEARNET), .saddr = "10.200.1.1", .sport = 8080),
	CX("netns link: a SYN from the service's port", OUT, U_AMNESIA, TCP,
	   "10.200.1.2", 40000, 0, P_REF, REJECT, NETNS_LOCAL,
	   TO(NS_CLEARNET), .saddr = "10.200.1.1", .sport = 8080),
	/* Kernel-made sockets and the kernel answering. */
	C("kernel: SMC-like socket to 127.0.0.1:9052", OUT, 0, TCP, LO4, 9052,
	  F_LO | F_KSOCK, P_REF, REJECT, KERNEL),
	C("kernel: SMC-like socket to 127.0.0.1:9050", OUT, 0, TCP, LO4, 9050,
	  F_LO | F_KSOCK, P_REF, REJECT, KERNEL),
	C("kernel: stream socket to the Internet", OUT, 0, TCP, "192.0.2.1",
	  443, F_KSOCK, P_REF, REJECT, KERNEL),
	C("kernel: stream socket to the LAN", OUT, 0, TCP, "192.168.1.10",
	  2049, F_KSOCK, P_REF, REJECT, KERNEL),
	C("kernel: stream socket, no-socket rule accept", OUT, 0, TCP,
	  "192.0.2.1", 443, F_KSOCK, P_LOOSE, REJECT, KERNEL),
	C("kernel: its established segments off loopback", OUT, 0, TCP,
	  "192.168.1.10", 2049, F_KSOCK | F_EST, P_REF, REJECT, KERNEL),
	C("kernel: its established segments on loopback", OUT, 0, TCP, LO4,
	  2049, F_KSOCK | F_EST | F_LO, P_REF, ACCEPT, ESTABLISHED),
	C("kernel: udp socket (a tunnel) to the Internet", OUT, 0, UDP,
	  "192.0.2.1", 51820, F_KSOCK, P_REF, REJECT, KERNEL),
	C("kernel: option lan, never loopback", OUT, 0, TCP, LO4, 9052,
	  F_LO | F_KSOCK, P_KLAN, REJECT, KERNEL),
	C("kernel: option lan, the LAN", OUT, 0, TCP, "192.168.1.10", 2049,
	  F_KSOCK, P_KLAN, ACCEPT, KERNEL_ALLOWED),
	C("kernel: option lan, LAN DNS refused", OUT, 0, UDP, "192.168.1.1",
	  53, F_KSOCK, P_KLAN, REJECT, KERNEL),
	C("kernel: option lan, the Internet refused", OUT, 0, TCP, "192.0.2.1",
	  443, F_KSOCK, P_KLAN, REJECT, KERNEL),
	CX("kernel: option lan, a namespace refused", OUT, 0, TCP,
	   "10.200.1.2", 80, F_KSOCK, P_KLAN, REJECT, KERNEL,
	   TO(NS_CLEARNET)),
	C("kernel: option lan, IPv6 refused", OUT, 0, TCP, "2001:db8::1", 443,
	  F_KSOCK, P_KLAN, REJECT, KERNEL),
	C("kernel: control socket RST off loopback", OUT, 0, TCP, "192.0.2.1",
	  443, F_KRAW | F_EST, P_REF, DROP, NOSOCK),
	C("kernel: control socket RST on loopback", OUT, 0, TCP, LO4, 40000,
	  F_KRAW | F_EST | F_LO, P_REF, ACCEPT, NOSOCK_LOOPBACK),
	C("kernel: ICMP error off loopback", OUT, 0, ICMP, "192.0.2.1", 0,
	  F_KRAW | F_NOPORTS, P_REF, DROP, NOSOCK),
	C("kernel: ICMP error, no-socket rule accept", OUT, 0, ICMP,
	  "192.0.2.1", 0, F_KRAW | F_NOPORTS, P_LOOSE, ACCEPT, NOSOCK_ACCEPT),
	C("closing: the ACK of a TIME_WAIT connection", OUT, 0, TCP,
	  "192.0.2.1", 443, F_KRAW | F_EST | F_CLOSING, P_REF, ACCEPT,
	  CLOSING),
	C("closing: without a socket (IPv6 control)", OUT, 0, TCP,
	  "2001:db8::1", 443, F_NOUID | F_EST | F_CLOSING, P_REF, ACCEPT,
	  CLOSING),
	C("orphan: debian-tor's last ACK to the Internet", OUT, U_TOR, TCP,
	  "192.0.2.1", 443, F_EST, P_REF, ACCEPT, TOR),
	C("orphan: amnesia's FIN to the LAN", OUT, U_AMNESIA, TCP,
	  "192.168.1.10", 80, F_EST, P_REF, ACCEPT, LAN),
	C("orphan: root's repaired socket to the Internet", OUT, U_ROOT, TCP,
	  "192.0.2.1", 443, F_EST, P_REF, REJECT, INTERNET_TCP),
	/* Source routes and the protocols that carry ports. */
	C("lsrr through a LAN router", OUT, U_AMNESIA, UDP, "192.168.1.1", 9,
	  F_SRR, P_REF, REJECT, SOURCE_ROUTE),
	C("lsrr tcp, even for debian-tor", OUT, U_TOR, TCP, "192.168.1.1", 80,
	  F_SRR, P_REF, REJECT, SOURCE_ROUTE),
	C("lsrr on loopback is local", OUT, U_AMNESIA, TCP, LO4, 9050,
	  F_SRR | F_LO, P_REF, ACCEPT, SERVICE),
	C("udplite to LAN dns refused", OUT, U_AMNESIA, UDPLITE, "192.168.1.1",
	  53, 0, P_REF, REJECT, LAN_REFUSED),
	C("sctp to LAN dns refused", OUT, U_AMNESIA, SCTP, "192.168.1.1", 53, 0,
	  P_REF, REJECT, LAN_REFUSED),
	C("dccp to LAN dns refused", OUT, U_AMNESIA, DCCP, "192.168.1.1", 53, 0,
	  P_REF, REJECT, LAN_REFUSED),
	C("udplite to LAN netbios refused", OUT, U_AMNESIA, UDPLITE,
	  "192.168.1.1", 137, 0, P_REF, REJECT, LAN_REFUSED),
	C("sctp to LAN port 80 passes", OUT, U_AMNESIA, SCTP, "192.168.1.1",
	  80, 0, P_REF, ACCEPT, LAN),
	C("udplite dns for debian-tor is not its udp/53", OUT, U_TOR, UDPLITE,
	  "192.0.2.1", 53, 0, P_REF, REJECT, INTERNET_NON_TCP),
	C("sctp to loopback services refused", OUT, U_AMNESIA, SCTP, LO4, 9050,
	  F_LO, P_REF, REJECT, LOOPBACK),
	/* Tracked flows: the reply direction passes, the own is the owner's. */
	C("ct: reply of a LAN udp flow", OUT, U_AMNESIA, UDP, "192.168.1.10",
	  40000, F_CT_EST | F_CT_REPLY, P_REF, ACCEPT, ESTABLISHED),
	C("ct: another uid in a LAN dns flow's own direction", OUT,
	  U_STRANGER, UDP, "192.168.1.1", 53, F_CT_EST, P_REF, REJECT,
	  LAN_REFUSED),
	C("ct: the clearnet uid in its own LAN dns flow", OUT, U_CLEARNET, UDP,
	  "192.168.1.1", 53, F_CT_EST, P_REF, ACCEPT, CLEARNET),
	C("ct: another uid in the redirected dns flow", OUT, U_STRANGER, UDP,
	  LO4, 5353, F_CT_EST | F_LO, P_REF, REJECT, LOOPBACK),
	/* Raw frames on a device. */
	C("frame: packet socket of amnesia", FRAME, U_AMNESIA, RAW, LO4, 0,
	  F_PACKET, P_REF, DROP, PACKET),
	C("frame: packet socket of root", FRAME, U_ROOT, RAW, LO4, 0,
	  F_PACKET, P_REF, DROP, PACKET),
	C("frame: packet socket of root, packet role", FRAME, U_ROOT, RAW,
	  LO4, 0, F_PACKET, P_LOOSE, ACCEPT, PACKET_ROLE),
	C("frame: packet socket of amnesia, root has the role", FRAME,
	  U_AMNESIA, RAW, LO4, 0, F_PACKET, P_LOOSE, DROP, PACKET),
	C("frame: packet socket, no policy", FRAME, U_ROOT, RAW, LO4, 0,
	  F_PACKET, P_NONE, DROP, PACKET),
	C("frame: ARP or IP without socket", FRAME, 0, RAW, LO4, 0,
	  F_FRAME_IP, P_REF, ACCEPT, FRAME_IP),
	C("frame: other ethertype without socket", FRAME, 0, RAW, LO4, 0, 0,
	  P_REF, DROP, PACKET),
	C("frame: packet socket on a veth of another netns", FRAME, U_AMNESIA,
	  RAW, LO4, 0, F_PACKET | F_NS | F_LINK, P_REF, ACCEPT, NETNS_LINK),
	C("frame: packet socket on a moved device", FRAME, U_ROOT, RAW, LO4, 0,
	  F_PACKET | F_NS, P_LOOSE, DROP, NETNS_DEVICE),
	/* Other namespaces. */
	C("netns: veth or loopback passes", OUT, U_STRANGER, TCP, "192.0.2.1",
	  80, F_NS | F_LINK, P_REF, ACCEPT, NETNS_LINK),
	C("netns: a moved device refuses", OUT, U_TOR, TCP, "192.0.2.1", 443,
	  F_NS, P_REF, DROP, NETNS_DEVICE),
	C("netns: inbound on a moved device", IN, 0, TCP, "192.0.2.9", 22,
	  F_NS, P_REF, DROP, NETNS_DEVICE),
	C("netns: moved device without a policy", OUT, U_ROOT, UDP,
	  "192.0.2.1", 53, F_NS, P_NONE, DROP, NETNS_DEVICE),
};

static void case_desc(const struct dcase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(decide, cases, case_desc);

static struct torfw_policy *test_policies[__P_MAX];

static void facts_of(const struct dcase *c, struct torfw_facts *f)
{
	u32 fl = c->flags;

	memset(f, 0, sizeof(*f));
	f->hook = c->hook;
	f->daddr = torfw_test_addr(c->daddr, &f->family);
	if (c->saddr)
		f->saddr = torfw_test_addr(c->saddr, &f->family);
	else
		f->saddr = torfw_test_addr(f->family == AF_INET ? "192.0.2.2" :
					   "2001:db8::2", &f->family);
	f->proto = c->proto;
	f->init_net = !(fl & F_NS);
	f->has_uid = c->hook == TORFW_HOOK_OUT &&
		     !(fl & (F_NOUID | F_KSOCK | F_KRAW));
	f->kernel_sock = fl & (F_KSOCK | F_KRAW);
	f->closing = fl & F_CLOSING;
	f->srr = fl & F_SRR;
	f->uid = c->uid;
	f->stream = c->proto == IPPROTO_TCP && !(fl & (F_RAWTCP | F_KRAW));
	f->ports = (c->proto == IPPROTO_TCP || c->proto == IPPROTO_UDP ||
		    c->proto == IPPROTO_UDPLITE || c->proto == IPPROTO_SCTP ||
		    c->proto == IPPROTO_DCCP) && !(fl & F_NOPORTS);
	f->sport = c->sport ? c->sport : 40001;
	f->dport = c->dport;
	f->tcp_syn = c->proto == IPPROTO_TCP && !(fl & (F_EST | F_RAWTCP));
	f->fragment = fl & F_FRAG;
	f->lo = fl & F_LO;
	f->link_ok = fl & F_LINK;
	f->sock_match = fl & F_SOCK;
	f->packet_sock = fl & F_PACKET;
	f->frame_ip = fl & F_FRAME_IP;
	if (c->hook == TORFW_HOOK_FRAME) {
		f->has_uid = (fl & F_PACKET) && !(fl & F_NOUID);
		f->family = 0;
	}
	f->from_ns = c->from_ns;
	f->to_ns = c->to_ns;
	f->ct_reply = fl & F_CT_REPLY;
	if (fl & F_CT_NEW)
		f->ct = TORFW_CT_NEW;
	else if (fl & F_CT_EST)
		f->ct = TORFW_CT_ESTABLISHED;
	else if (fl & F_CT_REL)
		f->ct = TORFW_CT_RELATED;
	else if (fl & F_CT_INV)
		f->ct = TORFW_CT_INVALID;
}

static void decide_test(struct kunit *test)
{
	const struct dcase *c = test->param_value;
	struct torfw_decision d;
	struct torfw_facts f;

	facts_of(c, &f);
	torfw_decide(test_policies[c->policy], &f, &d);
	KUNIT_EXPECT_STREQ(test, torfw_reason_names[d.reason],
			   torfw_reason_names[c->reason]);
	KUNIT_EXPECT_EQ(test, d.verdict, c->verdict);
	if (c->reason == TORFW_R_SERVICE || c->reason == TORFW_R_GRANT_SERVICE)
		KUNIT_EXPECT_GE(test, d.service, 0);
}

/* 10,000 extra entries: every lookup still lands on its own entry. */
static void large_policy_test(struct kunit *test)
{
	struct torfw_policy *p = torfw_test_reference(TORFW_NOSOCK_LOOPBACK, 10000);
	static const u32 probes[] = { 0, 1, 4999, 5000, 9998, 9999 };
	struct torfw_decision d;
	struct torfw_facts f = {
		.hook = TORFW_HOOK_OUT, .family = AF_INET,
		.proto = IPPROTO_TCP, .init_net = true, .has_uid = true,
		.stream = true, .ports = true, .tcp_syn = true, .lo = true,
	};
	u32 i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	KUNIT_EXPECT_EQ(test, p->n_svc, 10000U + 13U);
	f.daddr.ip = torfw_test_ip4("127.0.0.2");
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		f.dport = 20000 + probes[i];
		f.uid = 100000 + probes[i];
		torfw_decide(p, &f, &d);
		KUNIT_EXPECT_EQ(test, d.reason, TORFW_R_SERVICE);
		KUNIT_EXPECT_EQ(test, p->svc[d.service].port_lo, f.dport);
		f.uid++;
		torfw_decide(p, &f, &d);
		KUNIT_EXPECT_EQ(test, d.reason, TORFW_R_LOOPBACK);
	}
	f.dport = 19999;
	f.uid = 100000;
	torfw_decide(p, &f, &d);
	KUNIT_EXPECT_EQ(test, d.reason, TORFW_R_LOOPBACK);
	KUNIT_EXPECT_EQ(test, d.service, -1);
	f.dport = 30000;
	torfw_decide(p, &f, &d);
	KUNIT_EXPECT_EQ(test, d.service, -1);
	/* The reference entries are still found among the extra ones. */
	f.daddr.ip = torfw_test_ip4(LO4);
	f.dport = 9050;
	f.uid = U_AMNESIA;
	torfw_decide(p, &f, &d);
	KUNIT_EXPECT_EQ(test, d.reason, TORFW_R_SERVICE);
	torfw_policy_free(p);
}

static void redirect_test(struct kunit *test)
{
	const struct torfw_policy *p = test_policies[P_REF];
	const struct torfw_redir *r;

	r = torfw_redir_match(p, IPPROTO_TCP, torfw_test_ip4("127.192.0.0"), 80);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->to_port, 9040);
	KUNIT_EXPECT_NOT_NULL(test, torfw_redir_match(p, IPPROTO_TCP,
						      torfw_test_ip4("127.255.255.255"), 1));
	KUNIT_EXPECT_NULL(test, torfw_redir_match(p, IPPROTO_TCP,
						  torfw_test_ip4("127.191.255.255"), 80));
	KUNIT_EXPECT_NULL(test, torfw_redir_match(p, IPPROTO_UDP,
						  torfw_test_ip4("127.192.0.1"), 80));
	r = torfw_redir_match(p, IPPROTO_UDP, torfw_test_ip4(LO4), 53);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->to_port, 5353);
	KUNIT_EXPECT_NULL(test, torfw_redir_match(p, IPPROTO_UDP, torfw_test_ip4(LO4),
						  54));
	KUNIT_EXPECT_NULL(test, torfw_redir_match(p, IPPROTO_UDP,
						  torfw_test_ip4("127.0.0.2"), 53));
	KUNIT_EXPECT_NULL(test, torfw_redir_match(p, IPPROTO_TCP, torfw_test_ip4(LO4),
						  53));
	/* Both directions of a redirected flow are tracked. */
	KUNIT_EXPECT_TRUE(test, torfw_redir_involves(p, IPPROTO_TCP, torfw_test_ip4(LO4),
						     torfw_test_ip4("127.200.1.2"), 40000,
						     80));
	KUNIT_EXPECT_TRUE(test, torfw_redir_involves(p, IPPROTO_TCP, torfw_test_ip4(LO4),
						     torfw_test_ip4(LO4), 9040, 40000));
	KUNIT_EXPECT_TRUE(test, torfw_redir_involves(p, IPPROTO_TCP,
						     torfw_test_ip4("127.200.1.2"),
						     torfw_test_ip4(LO4), 80, 40000));
	KUNIT_EXPECT_TRUE(test, torfw_redir_involves(p, IPPROTO_UDP, torfw_test_ip4(LO4),
						     torfw_test_ip4(LO4), 5353, 40000));
	KUNIT_EXPECT_FALSE(test, torfw_redir_involves(p, IPPROTO_TCP, torfw_test_ip4(LO4),
						      torfw_test_ip4(LO4), 40000, 9050));
	KUNIT_EXPECT_FALSE(test, torfw_redir_involves(p, IPPROTO_UDP, torfw_test_ip4(LO4),
						      torfw_test_ip4(LO4), 40000, 9050));
}

/* Each builder error: the expected errno, nothing else accepted. */
static void builder_test(struct kunit *test)
{
	static const u32 one[] = { 1000 };
	static const u32 two[] = { 1000, 1000 };
	struct torfw_redir r = {
		.kind = TORFW_REDIR_AUTOMAP, .addr = torfw_test_ip4("10.192.0.0"),
		.prefixlen = 10, .to_port = 9040,
	};
	struct torfw_options opt = { .log_rate = 10001 };
	struct torfw_ns ns = { .cookie = init_net.net_cookie };
	struct torfw_builder *b = torfw_builder_new();
	struct torfw_policy *p;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 0, 0, one, 1, NULL,
				      0, NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 10, 9, one, 1, NULL,
				      0, NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_ICMP, 10, 10, one, 1,
				      NULL, 0, NULL, 0), -EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 10, 10, NULL, 0,
				      NULL, 0, NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, "::ffff:127.0.0.1", IPPROTO_TCP, 10,
				      10, one, 1, NULL, 0, NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_lan(b, AF_INET,
						    torfw_test_ip4("10.0.0.1"), 8, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_lan(b, AF_INET,
						    torfw_test_ip4("10.0.0.0"), 33, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_lan(b, AF_INET6, 0, 8, NULL),
			-EAFNOSUPPORT);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_lan_refuse(b, IPPROTO_UDP, 0,
							   0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role(b, 0, 1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role(b, TORFW_ROLE_TOR,
						     (u32)-1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_redirect(b, &r, NULL),
			-EINVAL);
	r.addr = torfw_test_ip4("127.192.0.1");
	KUNIT_EXPECT_EQ(test, torfw_builder_add_redirect(b, &r, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, torfw_builder_set_options(b, &opt, NULL),
			-ERANGE);
	opt.log_rate = 1;
	opt.flags = 1U << 31;
	KUNIT_EXPECT_EQ(test, torfw_builder_set_options(b, &opt, NULL),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_grant(b, &ns, NULL), -EINVAL);
	/* None of the refused elements made it in: an empty policy builds. */
	p = torfw_policy_build(b, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	KUNIT_EXPECT_EQ(test, p->n_svc, 0U);
	KUNIT_EXPECT_EQ(test, p->n_lan, 0U);
	torfw_policy_free(p);
	torfw_builder_free(b);

	/* Conflicts are found when the whole policy is compiled. */
	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 10, 20, one, 1, NULL,
				      0, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 20, 30, one, 1, NULL,
				      0, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(torfw_policy_build(b, NULL)), -EEXIST);
	torfw_builder_free(b);

	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 10, 20, one, 1, NULL,
				      0, NULL, 0), 0);
	/* Same ports, other protocol or address: no conflict. */
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_UDP, 10, 20, one, 1, NULL,
				      0, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, "127.0.0.2", IPPROTO_TCP, 10, 20, one,
				      1, NULL, 0, NULL, 0), 0);
	p = torfw_policy_build(b, NULL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(p));
	if (!IS_ERR(p))
		torfw_policy_free(p);
	torfw_builder_free(b);

	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 10, 10, two, 2, NULL,
				      0, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(torfw_policy_build(b, NULL)), -EEXIST);
	torfw_builder_free(b);

	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 10, 10, one, 1, one,
				      1, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(torfw_policy_build(b, NULL)), -EEXIST);
	torfw_builder_free(b);

	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role(b, TORFW_ROLE_TOR, 7,
						     NULL), 0);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role(b, TORFW_ROLE_CLEARNET, 7,
						     NULL), 0);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_role(b, TORFW_ROLE_TOR, 7,
						     NULL), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(torfw_policy_build(b, NULL)), -EEXIST);
	torfw_builder_free(b);

	/* Limits: the (MAX + 1)th element is refused with E2BIG. */
	b = torfw_builder_new();
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < TORFW_MAX_LAN; i++)
		KUNIT_ASSERT_EQ(test, torfw_builder_add_lan(b, AF_INET,
							    htonl(i << 8), 24,
							    NULL), 0);
	KUNIT_EXPECT_EQ(test, torfw_builder_add_lan(b, AF_INET,
						    htonl(i << 8), 24, NULL),
			-E2BIG);
	for (i = 0; i < TORFW_MAX_SERVICES; i++)
		KUNIT_ASSERT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_UDP, i + 1, i + 1,
					      one, 1, NULL, 0, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, torfw_test_add_svc(b, LO4, IPPROTO_TCP, 1, 1, one, 1, NULL,
				      0, NULL, 0), -E2BIG);
	p = torfw_policy_build(b, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	KUNIT_EXPECT_EQ(test, p->n_svc, (u32)TORFW_MAX_SERVICES);
	/* Adjacent /24s merge into one range for lookups. */
	KUNIT_EXPECT_EQ(test, p->n_lan, 1U);
	KUNIT_EXPECT_EQ(test, p->n_lan_in, (u32)TORFW_MAX_LAN);
	torfw_policy_free(p);
	torfw_builder_free(b);
}

/* Not a test of speed: prints ns per decision, asserts nothing timed. */
static void decide_bench(struct kunit *test)
{
	static const u32 sizes[] = { 10, 10000 };
	struct torfw_decision d;
	struct torfw_facts f = {
		.hook = TORFW_HOOK_OUT, .family = AF_INET,
		.proto = IPPROTO_TCP, .init_net = true, .has_uid = true,
		.stream = true, .ports = true, .tcp_syn = true, .lo = true,
		.uid = U_AMNESIA, .dport = 9040,
	};
	u32 i, j, n = 200000;

	f.daddr.ip = torfw_test_ip4(LO4);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct torfw_policy *p =
			torfw_test_reference(TORFW_NOSOCK_LOOPBACK, sizes[i]);
		u64 t0, t1;

		KUNIT_ASSERT_FALSE(test, IS_ERR(p));
		t0 = ktime_get_ns();
		for (j = 0; j < n; j++)
			torfw_decide(p, &f, &d);
		t1 = ktime_get_ns();
		KUNIT_EXPECT_EQ(test, d.reason, TORFW_R_SERVICE);
		kunit_info(test, "decide: %u extra entries: %llu ns/decision\n",
			   sizes[i], div_u64(t1 - t0, n));
		torfw_policy_free(p);
	}
}

static int policy_suite_init(struct kunit_suite *suite)
{
	test_policies[P_NONE] = NULL;
	test_policies[P_REF] = torfw_test_reference(TORFW_NOSOCK_LOOPBACK, 0);
	test_policies[P_LOOSE] = torfw_test_reference_v(V_PACKET_ROOT,
							TORFW_NOSOCK_ACCEPT, 0);
	test_policies[P_KLAN] = torfw_test_reference_v(V_KERNEL_LAN,
						       TORFW_NOSOCK_LOOPBACK,
						       0);
	if (IS_ERR(test_policies[P_REF]) ||
	    IS_ERR(test_policies[P_LOOSE]) || IS_ERR(test_policies[P_KLAN]))
		return -EINVAL;
	return 0;
}

static void policy_suite_exit(struct kunit_suite *suite)
{
	torfw_policy_free(test_policies[P_REF]);
	torfw_policy_free(test_policies[P_LOOSE]);
	torfw_policy_free(test_policies[P_KLAN]);
}

static struct kunit_case policy_cases[] = {
	KUNIT_CASE_PARAM(decide_test, decide_gen_params),
	KUNIT_CASE(large_policy_test),
	KUNIT_CASE(redirect_test),
	KUNIT_CASE(builder_test),
	KUNIT_CASE(decide_bench),
	{}
};

static struct kunit_suite policy_suite = {
	.name = "torfw-policy",
	.suite_init = policy_suite_init,
	.suite_exit = policy_suite_exit,
	.test_cases = policy_cases,
};

kunit_test_suite(policy_suite);
