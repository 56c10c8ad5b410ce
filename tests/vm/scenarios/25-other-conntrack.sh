#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Another ruleset's conntrack beside torfw (issue 15). torfw turns on no
# conntrack, defrag or NAT hook of the kernel's: its own hooks run
# conntrack for its own flows only (the redirects, pings, namespaces'
# flows), and an unconnected UDP socket's replies are matched to what it
# sent (kmod/udp.c). A ruleset that turns conntrack on for itself (here
# an nftables table with 'ct state' rules and an input policy of drop)
# must see every flow as it would without torfw, and torfw must never
# take that ruleset's states for its own.
#  1. torfw alone (make bench's hook profile shows which hook functions
#     each packet runs): the clearnet uid's LAN DNS query and amnesia's query to
#     a LAN UDP echo (unconnected sockets) are answered and leave no
#     conntrack entry; a datagram to the same socket from a port it did
#     not send to is dropped; the system DNS redirect has its entry.
#  2. The nft table loaded: the clearnet
#     uid's web fetch and LAN DNS query are answered (their replies are
#     'established' for the nft table, whose input policy drops the
#     rest), both flows are in conntrack, the redirect still answers.
#  3. The IPv4 twin of 24-conntrack's IPv6 hole: amnesia's connected
#     UDP socket answers the internet's datagram; the nft table's
#     conntrack holds the flow with her echo in its reply direction, yet
#     the echo is refused (internet-non-tcp), nothing leaves up0.
#     And a namespace's datagram that matches a host flow's entry (in
#     that conntrack) is dropped: only torfw's own entries count, on
#     their own side.
#  4. The table removed: the clearnet uid's web fetch still works.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

NFT_TABLE=torfw_vm_other
WATCH_DEVS="up0 lan0"

cleanup() {
	svc_stop_all
	n_clearnet /sbin/ip addr del 192.168.50.1/32 dev cn1 2>/dev/null || true
	nft delete table inet $NFT_TABLE 2>/dev/null || true
	return 0
}
trap cleanup EXIT

policy_up

# ---- 1. torfw alone -------------------------------------------------------------

check "alone: the clearnet uid's DNS query from port 41053 to 192.168.50.1:53 (unconnected socket) is answered" \
	as clearnet dns_from 192.168.50.1 53 41053
check "alone: that flow has no conntrack entry (its answer matched what the socket sent)" \
	ct_lacks 'sport=41053 dport=53 '
# An echo on the LAN host's udp 7, a port the LAN rule allows.
svc_spawn n_lan socat -T1 UDP4-RECVFROM:7,fork PIPE
check "alone: amnesia's datagram from port 41007 to the LAN's udp echo 192.168.50.1:7 (unconnected socket) comes back" \
	as amnesia udp_sendto_from 192.168.50.1 7 41007
check "alone: no conntrack entry for it either" \
	ct_lacks 'sport=41007 dport=7 '
svc_spawn as amnesia socat -u UDP4-RECVFROM:41008,bind=0.0.0.0 OPEN:/dev/null
wait_udp_sock 41008
counters_mark inbound
blocked "alone: a datagram from the LAN host's port 41009 to amnesia's unconnected socket on 41008, which sent nothing there, is dropped" \
	n_lan udp_from 192.168.50.1 41009 192.168.50.2 41008
expect_eq "alone: reason counters: dropped inbound" "inbound+1" "$(counters_delta)"
svc_spawn as debian-tor socat -T1 UDP4-RECVFROM:5353,bind=127.0.0.1,fork \
	EXEC:"$GUEST/dns-responder.sh udp"
wait_udp 5353
as debian-tor dns_from 127.0.0.1 5353 41099 >/dev/null 2>&1 || true
check "alone: amnesia's query from port 41055 to 127.0.0.1:53 is answered (redirected to the DNSPort 5353)" \
	as amnesia dns_from 127.0.0.1 53 41055
check "alone: conntrack holds that redirected flow (41055 -> 53, answered from 5353)" \
	ct_has 'sport=41055 dport=53 src=127.0.0.1 dst=127.0.0.1 sport=5353 dport=41055 '

# ---- 2. an nftables ruleset with conntrack beside it ---------------------------

nft_on() {
	nft -f - <<EOF
table inet $NFT_TABLE {
	chain in {
		type filter hook input priority 10; policy drop;
		iifname "lo" accept
		ct state established,related counter accept
		udp dport 7777 counter accept
	}
	chain out {
		type filter hook output priority 10;
		ct state new counter
	}
}
EOF
	nft list table inet $NFT_TABLE
}
check "nft: a table with 'ct state' rules and an input policy of drop is loaded" nft_on
check "nft: the clearnet uid fetches http://203.0.113.80/ (its replies are established for the table)" \
	as clearnet http_get 203.0.113.80
check "nft: the table's conntrack holds that flow" \
	ct_has 'dst=203.0.113.80 sport='
check "nft: the clearnet uid's DNS query from port 41054 to 192.168.50.1:53 is answered" \
	as clearnet dns_from 192.168.50.1 53 41054
check "nft: the table's conntrack holds that flow" \
	ct_has 'src=192.168.50.2 dst=192.168.50.1 sport=41054 dport=53 '
nft_established() {
	local n
	n=$(nft list chain inet $NFT_TABLE in |
		sed -n 's/.*ct state established,related counter packets \([0-9]*\).*/\1/p')
	[ "${n:-0}" -gt 0 ] || { echo "established counter: '${n:-}'"; return 1; }
	echo "established,related: $n packets"
}
check "nft: its established rule counted those replies" nft_established
check "nft: amnesia's query from port 41056 to 127.0.0.1:53 is still answered (redirected)" \
	as amnesia dns_from 127.0.0.1 53 41056
check "nft: conntrack holds the redirected flow" \
	ct_has 'sport=41056 dport=53 src=127.0.0.1 dst=127.0.0.1 sport=5353 dport=41056 '

# ---- 3. another ruleset's states are not torfw's --------------------------------

svc_spawn as amnesia socat UDP4:192.0.2.1:40007,bind=192.0.2.2:7777 PIPE
wait_udp_sock 7777
sleep 2.5
klog_mark
counters_mark internet-non-tcp established
blocked "nft: the internet's datagram to amnesia's connected UDP socket 192.0.2.2:7777 gets no echo, nothing leaves up0" \
	n_internet udp_from 192.0.2.1 40007 192.0.2.2 7777
check "nft: the table's conntrack holds that flow (her echo would be its reply direction)" \
	ct_has 'src=192.0.2.1 dst=192.0.2.2 sport=40007 dport=7777 '
check "nft: kernel log: torfw: refused uid=1000 udp 192.0.2.1:40007 reason=internet-non-tcp" \
	klog_has 'refused uid=1000 udp 192.0.2.1:40007 reason=internet-non-tcp'
expect_eq "nft: reason counters: her echo internet-non-tcp, only the datagram in established" \
	"internet-non-tcp+1 established+1" "$(counters_delta)"
svc_stop_all

# A namespace's packet that matches a host flow's entry (the table's
# conntrack tracks the host's flows now): amnesia's connected UDP socket
# 192.168.50.2:7790 sent to the LAN host's 192.168.50.1:7791; the clearnet
# namespace sends her a datagram from that address (its own, added for
# the case; reverse path filtering off, as a loose setting would let it
# through). It matches the entry's reply direction, but the entry is not
# torfw's: dropped inbound, and her echo never goes out on lan0.
WATCH_DEVS="lan0"
spoof_on() {
	setsys net/ipv4/conf/all/rp_filter 0 &&
		setsys net/ipv4/conf/cn0/rp_filter 0 &&
		n_clearnet /sbin/ip addr add 192.168.50.1/32 dev cn1
}
spoof_off() {
	n_clearnet /sbin/ip addr del 192.168.50.1/32 dev cn1 2>/dev/null || true
}
svc_spawn as amnesia socat UDP4:192.168.50.1:7791,bind=192.168.50.2:7790 \
	SYSTEM:'echo torfw-first; exec cat'
wait_udp_sock 7790
check "nft: the table's conntrack holds amnesia's flow 192.168.50.2:7790 -> 192.168.50.1:7791" \
	ct_has 'src=192.168.50.2 dst=192.168.50.1 sport=7790 dport=7791 '
check "nft: the clearnet namespace gets 192.168.50.1 (rp_filter off)" spoof_on
counters_mark inbound established
blocked "nft: the namespace's datagram from 192.168.50.1:7791 to amnesia's socket gets no echo out of lan0" \
	n_clearnet udp_send_only 192.168.50.1 7791 192.168.50.2 7790
expect_eq "nft: reason counters: dropped inbound, not established" \
	"inbound+1 established+0" "$(counters_delta)"
spoof_off
svc_stop_all
WATCH_DEVS="up0 lan0"

# ---- 4. the table removed -------------------------------------------------------

check "removed: the nft table is deleted" nft delete table inet $NFT_TABLE
check "removed: the clearnet uid still fetches http://203.0.113.80/" \
	as clearnet http_get 203.0.113.80
