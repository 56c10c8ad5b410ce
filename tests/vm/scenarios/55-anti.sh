#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The anti-test of the leak detector (DESIGN.md, section 5): the probes of
# the leak suite that leave the machine, run once more with the module
# unloaded, under the same capture and classification (lib/leak.sh). Now
# they must leak, and the detector must see a leak in every class the
# probes can produce: IPv4 TCP (curl, a raw TCP segment), IPv4 non-TCP
# (UDP, ICMP, SCTP, IP protocol 253), IPv6 (TCP, UDP, ICMPv6) and non-IP
# (an AF_PACKET frame with ethertype 0x88b5, from root), both in what up0
# sent and in what arrived at the far end of the uplink (up1, in the
# internet namespace). That is the proof that an empty verdict of
# 54-leaks-detector, at either end, means something.
#
# Runs before 90-lock (a locked module cannot be unloaded). Leaves the
# module loaded with the reference policy if it found it so, and the
# network as topology.sh makes it (the last of the leak scenarios).
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/tor.sh
. /tests/vm/lib/leak.sh
leak_trace_on

WATCH_DEVS="inet lan0"
# torfwctl would load the module again through its netlink family.
LEAK_REASONS=0

# who|what|probe: what leaves through up0 (and the LAN's DNS, on lan0).
ANTI="
*|tcp 192.0.2.1:80, Internet (curl)|lp_http 192.0.2.1 80
*|udp 192.0.2.1:53, Internet DNS (dig)|lp_dns 192.0.2.1
*|udp 192.0.2.1:7, Internet echo (socat)|lp_udp 192.0.2.1 7
*|icmp echo 192.0.2.1 (ping)|lp_icmp 192.0.2.1
*|sctp 192.0.2.1:9 INIT (socat)|lp_sctp 192.0.2.1 9
*|tcp [2001:db8::1]:80, IPv6 (curl)|lp_http 2001:db8::1 80
*|udp [2001:db8::1]:53, IPv6 DNS (dig)|lp_dns 2001:db8::1
*|icmpv6 echo 2001:db8::1 (ping)|lp_icmp 2001:db8::1
*|udp 192.168.50.1:53, LAN DNS (dig)|lp_dns 192.168.50.1
root|raw IPv4 proto 253 (SOCK_RAW, IPPROTO_RAW)|lp_rawip proto253
root|raw IPv4 TCP ACK outside any connection (IPPROTO_RAW)|lp_rawip tcp-ack
root|tcp 192.0.2.1:9001 without handshake (TCP_REPAIR socket)|lp_tcprepair 192.0.2.1 9001
root|IGMP report: join 239.1.1.1 on up0 (socat)|lp_mcast4 239.1.1.1
root|MLD report: join ff05::1:3 on up0 (socat)|lp_mcast6 ff05::1:3
root|AF_PACKET frame, ethertype 0x88b5|lp_frame ether
root|AF_PACKET frame, IPv4/UDP to 192.0.2.1:7|lp_frame ipv4
"
ANTI_USERS="root amnesia stranger"

leak_up
# The leak suite's Tor and captures, if it left them running.
leak_suite_end

had_module=0
grep -q '^torfw ' /proc/modules && had_module=1
if [ $had_module = 1 ]; then
	if rmmod torfw 2>"$LEAK_STATE/rmmod.err"; then
		ok "rmmod torfw (the module is absent for the anti-test)"
	else
		fail "rmmod torfw (the module is absent for the anti-test)" \
			"$(cat "$LEAK_STATE/rmmod.err")" "(locked? 90-lock must run after this)"
		exit 0
	fi
else
	ok "torfw is not loaded (the anti-test needs it absent)"
fi

restore() {
	leak_capture_stop anti
	leak_capture_stop anti-far
	leak_down
	if [ $had_module = 1 ] && ! grep -q '^torfw ' /proc/modules; then
		policy_up
	fi
	return 0
}
LEAK_EXIT_HOOK=restore

leak_capture_start anti up0
leak_capture_start anti-far up1 internet

# anti_case "who|what|probe"
anti_case() {
	local u who what probe
	leak_fields "$1"
	who=$F1 what=$F2 probe=$F3
	[ "$who" = "*" ] && who=$ANTI_USERS
	for u in $who; do
		leak_ids "$u"
		# shellcheck disable=SC2086 # the probe's words
		leak_case leaks - 3 "$u($LEAK_UID)" "without torfw: $what" \
			leak_as "$LEAK_UID" "$LEAK_GID" $LEAKPROBE $probe
	done
}
leak_each_line "$ANTI" anti_case

leak_capture_stop anti
leak_capture_stop anti-far
leak_judge anti up0 all
note "detector without torfw, frames up0 sent by class:" "$(cat "$LEAK_STATE/anti.classes")"
note "ARP frames (counted apart): $(leak_class_n anti arp)"
record "ANTI-TEST: the same detector with torfw unloaded finds every class" \
	"(capture)" "all four" "$LEAK_VERDICT; arp=$(leak_class_n anti arp)" "$LEAK_RES"

leak_judge anti-far "the far end (up1)" all
note "detector without torfw, frames that arrived at up1 by class:" \
	"$(cat "$LEAK_STATE/anti-far.classes")"
record "ANTI-TEST (far end): what arrived at up1 with torfw unloaded holds every class" \
	"(capture)" "all four" "$LEAK_VERDICT; arp=$(leak_class_n anti-far arp)" "$LEAK_RES"
