#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Conntrack states and whose they are (kmod/uapi/torfw.h, the comment of
# enum torfw_nosock: only IPv4 is tracked, an IPv6 state another ruleset
# creates is ignored; a tracked flow is ESTABLISHED in its reply
# direction only, in its own direction it meets the policy as its
# owner's). Three holes a hostile review found, each with the case that
# fails without the module's fix:
#   1. IPv6: another ruleset (an nft inet table with a ct expression)
#      turns IPv6 tracking on; amnesia's connected UDP socket answers a
#      datagram from the Internet. The answer is hers, IPv6 off loopback:
#      refused (reason ipv6), nothing leaves up0. Before the fix it was
#      ESTABLISHED and left. The same without the nft table: the control.
#   2. A local namespace (clearnet, granted) cannot open a two-way channel
#      to a host socket: its datagram to stranger's UDP socket connected
#      to the namespace's address and port is dropped inbound (before the
#      fix it matched the socket and stranger's echo went back through
#      cn0), nor does it reach a host TCP listener.
#   3. Another uid cannot reuse a flow's tuple: the clearnet uid's DNS
#      query to the LAN host (an unconnected socket: its answer is matched
#      to what it sent, kmod/udp.c, not to a conntrack entry), then
#      stranger from the same source port to the same server while that
#      lives: refused at once (lan-refused), as from any other port. The
#      same on loopback with amnesia's system DNS query (127.0.0.1:53,
#      redirected to the DNSPort 5353; a responder stands in for Tor):
#      stranger from her port is refused (loopback), amnesia from it is
#      still answered.
#   4. Fragments: a granted namespace's 3000-byte datagram to the
#      internet's echo is forwarded and answered (torfw reassembles
#      arriving fragments before it tracks them).
# Each refusal is also read from torfw's reason counters ('torfwctl
# stats') and, for locally generated packets, from the kernel log.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

NFT_TABLE=torfw_vm_ct6
# Nothing of a refusal may reach the clearnet namespace either.
WATCH_DEVS="up0 lan0 cn0"

cleanup() {
	svc_stop_all
	nft delete table inet $NFT_TABLE 2>/dev/null || true
	# The next scenario finds the reference policy, as policy_up leaves it.
	torfwctl load "$REFERENCE_CONF" >/dev/null 2>&1 || true
	return 0
}
trap cleanup EXIT

# log_refill: the kernel log is rate limited (10/s, bursts of 20): before
# a case whose log line is read.
log_refill() {
	sleep 2.5
	klog_mark
}

policy_up

# ---- 1. IPv6: another ruleset's conntrack states ------------------------------

# v6_case PHASE: amnesia's connected UDP socket [2001:db8::2]:7777, peer
# [2001:db8::1]:40007, echoes what it receives; the internet namespace
# sends it one datagram from [2001:db8::1]:40007 (a reply to her socket:
# it passes inbound). Her echo is hers, IPv6 off loopback: refused, never
# ESTABLISHED. The datagram in is the one 'established' packet (matched
# to her socket); the echo counts as 'ipv6'.
v6_case() {
	local p=$1 seen want='ipv6+1 established+1'
	svc_spawn as amnesia socat "UDP6:[2001:db8::1]:40007,bind=[2001:db8::2]:7777" PIPE
	wait_udp_sock 7777
	log_refill
	counters_mark ipv6 established
	blocked "$p: the internet's datagram to amnesia's connected UDP socket [2001:db8::2]:7777 gets no echo, nothing leaves up0" \
		n_internet udp_from 2001:db8::1 40007 2001:db8::2 7777
	seen=$(counters_delta)
	check "$p: kernel log: torfw: refused uid=1000 udp [2001:db8::1]:40007 reason=ipv6 (her echo was sent, and refused)" \
		klog_has 'refused uid=1000 udp [2001:db8::1]:40007 reason=ipv6'
	expect_eq "$p: reason counters: ipv6 +1 (her echo), established +1 (only the datagram in)" \
		"$want" "$seen"
	svc_stop_all
}

v6_case "IPv6 without IPv6 conntrack (control)"

nft_ct6_on() {
	nft add table inet $NFT_TABLE &&
		nft add chain inet $NFT_TABLE c '{ type filter hook input priority 10; }' &&
		nft add rule inet $NFT_TABLE c ct state established counter &&
		nft list table inet $NFT_TABLE
}
check "IPv6: another ruleset (nft inet table, 'ct state' at input) turns IPv6 conntrack on" \
	nft_ct6_on
v6_case "IPv6 with another ruleset's IPv6 conntrack"
check "IPv6: that flow was tracked by the other ruleset's IPv6 conntrack (an ipv6 entry for 40007 -> 7777)" \
	ct_has 'sport=40007 dport=7777 '
check "IPv6: the nft table is removed" nft delete table inet $NFT_TABLE

# ---- 2. a local namespace and the host's sockets ------------------------------

svc_spawn as stranger socat UDP4:10.200.1.2:40100,bind=10.200.1.1:40101 PIPE
wait_udp_sock 40101
counters_mark inbound established
blocked "clearnet ns: a datagram from 10.200.1.2:40100 to stranger's UDP socket 10.200.1.1:40101 (connected to exactly that) gets no echo, nothing sent on cn0" \
	n_clearnet udp_from 10.200.1.2 40100 10.200.1.1 40101
expect_eq "clearnet ns: reason counters: that datagram was dropped inbound, not matched to the socket" \
	"inbound+1 established+0" "$(counters_delta)"
svc_listen tcp 0.0.0.0 40102 stranger
counters_mark inbound
blocked "clearnet ns: no tcp to stranger's listener on 0.0.0.0:40102 (10.200.1.1:40102)" \
	n_clearnet tcp_echo 10.200.1.1 40102
seen=$(counters_delta)
case $seen in
"inbound+0") fail "clearnet ns: its SYNs were dropped inbound (reason inbound)" "$seen" ;;
*) ok "clearnet ns: its SYNs were dropped inbound (reason inbound: $seen)" ;;
esac
svc_stop_all

# ---- 3. another uid and a tracked flow's tuple -----------------------------------

# The LAN: the clearnet role may send UDP to port 53 anywhere.
check "LAN: the clearnet uid's DNS query from port 40053 to 192.168.50.1:53 (unconnected socket) is answered" \
	as clearnet dns_from 192.168.50.1 53 40053
check "LAN: that flow has no conntrack entry (kmod/udp.c matched the answer)" \
	ct_lacks 'src=192.168.50.2 dst=192.168.50.1 sport=40053 dport=53 '
log_refill
counters_mark lan-refused established
refused_econn "LAN: stranger's query from the same port 40053 to 192.168.50.1:53 is refused at once, nothing on lan0" \
	as stranger dns_from 192.168.50.1 53 40053
check "LAN: kernel log: torfw: refused uid=1500 udp 192.168.50.1:53 reason=lan-refused" \
	klog_has 'refused uid=1500 udp 192.168.50.1:53 reason=lan-refused'
refused_econn "LAN: stranger's query from port 40054 is refused the same way (control)" \
	as stranger dns_from 192.168.50.1 53 40054
expect_eq "LAN: reason counters: both of stranger's queries lan-refused, none established" \
	"lan-refused+2 established+0" "$(counters_delta)"
check "LAN: the clearnet uid's query from port 40053 is still answered" \
	as clearnet dns_from 192.168.50.1 53 40053

# Loopback: the system DNS redirect; a responder on the DNSPort stands in
# for Tor (20-policy does the same).
svc_spawn as debian-tor socat -T1 UDP4-RECVFROM:5353,bind=127.0.0.1,fork \
	EXEC:"$GUEST/dns-responder.sh udp"
wait_udp 5353
# A first query (the Tor role's, straight to the DNSPort, port 40099)
# brings the responder's programs into memory: on a debug kernel under a
# busy host the very first fork and exec took longer than the query's
# time limit.
as debian-tor dns_from 127.0.0.1 5353 40099 >/dev/null 2>&1 || true
check "loopback: amnesia's query from port 40055 to 127.0.0.1:53 is answered (redirected to the DNSPort 5353)" \
	as amnesia dns_from 127.0.0.1 53 40055
check "loopback: conntrack holds that redirected flow (40055 -> 53, answered from 5353)" \
	ct_has 'sport=40055 dport=53 src=127.0.0.1 dst=127.0.0.1 sport=5353 dport=40055 '
log_refill
counters_mark loopback established
refused_econn "loopback: stranger's query from the same port 40055 to 127.0.0.1:53 is refused at once" \
	as stranger dns_from 127.0.0.1 53 40055
check "loopback: kernel log: torfw: refused uid=1500 udp 127.0.0.1:5353 reason=loopback" \
	klog_has 'refused uid=1500 udp 127.0.0.1:5353 reason=loopback'
refused_econn "loopback: stranger's query from port 40056 is refused the same way (control)" \
	as stranger dns_from 127.0.0.1 53 40056
expect_eq "loopback: reason counters: both of stranger's queries refused (loopback), none established" \
	"loopback+2 established+0" "$(counters_delta)"
check "loopback: amnesia's query from port 40055 is still answered" \
	as amnesia dns_from 127.0.0.1 53 40055

# ---- 4. fragments of a tracked flow ------------------------------------------------

# torfw reassembles arriving fragments itself before it tracks a flow
# (no conntrack defrag hook is registered): a granted namespace's
# datagram of 3000 bytes leaves cn1 in fragments, is forwarded whole
# after reassembly (and fragmented again on up0), and the echo's
# fragments coming back are reassembled before their entry is looked up.
check "fragments: the clearnet ns's 3000-byte datagram to the internet's udp echo 192.0.2.1:7 comes back whole" \
	n_clearnet udp_big_echo 192.0.2.1 7 3000
