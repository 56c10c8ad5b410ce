#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end leak suite (DESIGN.md, section 5), part 5 of 5 (the list: 50-leaks):
# The clearnet namespace (its traffic is forwarded to
# the Internet, TCP and UDP; nothing of it reaches the host), then the
# packet-capture leak detector (lib/leak.sh) over everything up0 sent
# since the suite began, and everything that arrived at the far end of the
# uplink (up1, in the internet namespace: what a direct-transmit path that
# skips up0's hooks and capture would still deliver): every frame that is
# neither Tor's (from 192.0.2.3) nor granted (the clearnet uid from
# 192.0.2.4, the clearnet namespace from 10.200.1.0/24) is a leak,
# classified IPv4 TCP, IPv4 non-TCP, IPv6 or non-IP; each class must be
# empty at both ends. ARP is counted apart (it carries nothing of ours;
# with static neighbours none is expected). The far end's capture also
# shows that Tor's own connections (debian-tor) did leave.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/tor.sh
. /tests/vm/lib/leak.sh
leak_trace_on

# Tor sends on up0 all along; "inet" counts only what it may not.
WATCH_DEVS="inet lan0 cn0"

# From inside the clearnet namespace, as root there:
# what|expect|reason|probe (forwarded and inbound refusals are drops)
CLEARNET="
tcp 192.0.2.1:80, Internet (curl)|pass|-|lp_http 192.0.2.1 80
udp 192.0.2.1:53, Internet DNS (dig)|pass|-|lp_dns 192.0.2.1
udp 192.0.2.1:7, Internet echo (socat)|pass|-|lp_udp 192.0.2.1 7
icmp echo 192.0.2.1, forwarded (ping)|blocked|forward|lp_icmp 192.0.2.1
tcp 10.200.1.1:$LEAK_HOST_PORT, host service on cn0's address|blocked|inbound|lp_tcp 10.200.1.1 $LEAK_HOST_PORT
tcp 192.0.2.2:$LEAK_HOST_PORT, host service on up0's address|blocked|inbound|lp_tcp 192.0.2.2 $LEAK_HOST_PORT
udp 10.200.1.1:$LEAK_HOST_PORT, host service (socat)|blocked|inbound|lp_udp 10.200.1.1 $LEAK_HOST_PORT
icmp echo 10.200.1.1, the host (ping)|blocked|inbound|lp_icmp 10.200.1.1
tcp 10.200.1.1:9050, the host's Tor SOCKS port|blocked|inbound|lp_tcp 10.200.1.1 9050
"

leak_suite_begin || true

# clearnet_case "what|expect|reason|probe"
clearnet_case() {
	local limit=$CHECK_LIMIT
	leak_fields "$1"
	[ "$F2" = blocked ] && limit=$LEAK_BLOCK_LIMIT
	# shellcheck disable=SC2086 # the probe's words
	leak_case "$F2" "$F3" "$limit" "root(0)@clearnet" "$F1" \
		/sbin/ip netns exec clearnet $LEAKPROBE $F4
}
leak_each_line "$CLEARNET" clearnet_case

# ---- the detector ----------------------------------------------------------

leak_suite_end

# Tor's own connection attempts, as the internet namespace received them.
syns=$(leak_read up1 "src host $LEAK_TOR_SRC and tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0")
n=$(echo "$syns" | grep -c . || true)
dsts=$(echo "$syns" |
	sed -n 's/.* > \([0-9.]*\)\.\([0-9]*\): Flags.*/\1:\2/p' |
	sort -u | head -n 4 | tr '\n' ' ')
if [ "$n" -gt 0 ]; then
	ok "debian-tor: Tor's own connections reach the Internet ($n SYN from $LEAK_TOR_SRC)"
	res=ok
else
	fail "debian-tor: Tor's own connections reach the Internet (SYNs from $LEAK_TOR_SRC)" \
		"none in the internet namespace's capture; tor's log ends:" \
		"$(tail -n 10 "$TOR_LOG" 2>&1)"
	res=FAIL
fi
record "Tor's own connections reach the Internet" "debian-tor(107)" pass \
	"$n SYN from $LEAK_TOR_SRC, to ${dsts:-nothing}..." $res
note "tor's first SYNs:" "$(echo "$syns" | head -n 5 | cut -c 1-160)"

leak_judge up0 up0 none
note "detector: frames up0 sent, by class:" "$(cat "$LEAK_STATE/up0.classes")"
cls() { leak_class_n up0 "$1"; }
if [ "$(cls all)" -gt 0 ] && [ "$(cls tor)" -gt 0 ]; then
	ok "detector: the capture of up0 holds $(cls all) frames, $(cls tor) of them Tor's"
else
	fail "detector: the capture of up0 holds frames, some of them Tor's" \
		"$(cat "$LEAK_STATE/up0.err" 2>&1)"
fi
note "detector: ARP frames (no content of ours, counted apart): $(cls arp)"
VERDICT_UP0=$LEAK_VERDICT RES_UP0=$LEAK_RES

# The far end: what arrived at up1, whatever path sent it.
leak_judge up1 "the far end (up1)" none
note "detector: frames that arrived at up1, by class:" "$(cat "$LEAK_STATE/up1.classes")"
far() { leak_class_n up1 "$1"; }
if [ "$(far all)" -gt 0 ] && [ "$(far tor)" -gt 0 ]; then
	ok "detector: the capture of up1 holds $(far all) frames, $(far tor) of them Tor's (up0 sent $(cls all))"
else
	fail "detector: the capture of up1 holds frames, some of them Tor's" \
		"$(cat "$LEAK_STATE/up1.err" 2>&1)"
fi

LEAK_TX=$(leak_tx inet)
if [ "$LEAK_TX" -eq 0 ]; then
	ok "internet namespace: only Tor's and granted packets arrived"
else
	fail "internet namespace: only Tor's and granted packets arrived" \
		"$LEAK_TX other packet(s) counted on up1 (lib/leak.sh)"
fi

# What else torfw refused meanwhile (Tor's flows, kernel packets, ...):
# the event stream, minus the probes' own refusals of locally generated
# packets, summarised by reason and direction.
note "refusal events that no probe asked for (torfwctl monitor, by reason):" \
	"$(grep -E 'hook=(in|forward)|reason=(nosock|invalid|related)' "$LEAK_STATE/events" |
		sed -n 's/.*reason=\([a-z-]*\).*/\1/p' | sort | uniq -c)" \
	"the first two of each:" \
	"$(sed -n 's/.*reason=\([a-z-]*\).*/\1/p' "$LEAK_STATE/events" | sort -u |
		while read -r r; do
			grep -E "hook=(in|forward)|reason=(nosock|invalid|related)" \
				"$LEAK_STATE/events" | grep -F "reason=$r" | head -n 2
		done)"

record "LEAK DETECTOR: frames up0 sent that were neither Tor's nor granted" \
	"(capture)" none "$VERDICT_UP0; allowed: tor=$(cls tor) clearnet-uid=$(cls clearnet-uid) clearnet-ns=$(cls clearnet-ns); arp=$(cls arp)" "$RES_UP0"
record "LEAK DETECTOR (far end): frames that arrived at up1 that were neither Tor's nor granted" \
	"(capture)" none "$LEAK_VERDICT; allowed: tor=$(far tor) clearnet-uid=$(far clearnet-uid) clearnet-ns=$(far clearnet-ns); arp=$(far arp)" "$LEAK_RES"
