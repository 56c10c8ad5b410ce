#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end leak suite (DESIGN.md, section 5), part 1: the reference
# policy (ctl/torfw.conf) with a real Tor daemon, and a capture of the
# uplink that runs until 54-leaks-detector classifies it. Here:
#
#   1. Tor (lib/tor.sh): it runs as debian-tor; the system resolver
#      (127.0.0.1:53, redirected to the DNSPort) maps a .onion name into
#      127.192.0.0/10; amnesia's connection to that address reaches the
#      TransPort through the automap redirect and Tor's own log names the
#      .onion (it got the original destination); other users are refused
#      the same connection; SOCKS reaches Tor.
#   2. The Internet over IPv4 and raw sockets: the matrix below, each
#      probe as each user of the reference policy plus one it does not
#      name (lib/leak.sh: leak_matrix). Refusals must be fast and silent:
#      nothing may reach the Internet ("inet": what arrived there and was
#      not Tor's or granted) or the LAN meanwhile, and torfw must have
#      counted the refusal under the reason DESIGN.md implies.
#
# The suite (one capture, one Tor, split so that each part stays well
# within the guest's per-scenario time limit under TCG):
#   50-leaks           Tor, the Internet over IPv4, raw sockets
#   51-leaks-lan       IPv6, the LAN
#   52-leaks-tor       Tor's ports and the two redirects, per user
#   53-leaks-local     the other local services of the allow-list
#   54-leaks-detector  the clearnet namespace, then the capture's verdict
# Run them together ('make demo' does); each may run alone.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/tor.sh
. /tests/vm/lib/leak.sh
leak_trace_on

# Tor sends on up0 all along; "inet" counts only what it may not.
WATCH_DEVS="inet lan0 cn0"

# who|what|pass|drop|reason|probe: see leak_matrix in lib/leak.sh.
MATRIX="
*|tcp 192.0.2.1:80, Internet (curl)|debian-tor clearnet|-|internet-tcp|lp_http 192.0.2.1 80
*|udp 192.0.2.1:53, Internet DNS (dig)|debian-tor clearnet|-|internet-non-tcp|lp_dns 192.0.2.1
*|udp 192.0.2.1:7, Internet echo (socat)|-|-|internet-non-tcp|lp_udp 192.0.2.1 7
*|icmp echo 192.0.2.1 (ping)|-|-|internet-non-tcp|lp_icmp 192.0.2.1
*|sctp 192.0.2.1:9 INIT (socat)|-|*|-/internet-non-tcp|lp_sctp 192.0.2.1 9
# Joining a multicast group makes the kernel send an IGMP report.
root amnesia stranger|IGMP report: join 239.1.1.1 on up0 (socat)|-|*|-/nosock|lp_mcast4 239.1.1.1
# Raw sockets need CAP_NET_RAW, TCP_REPAIR CAP_NET_ADMIN: for anyone but
# root, socket() or setsockopt() fails first.
root|tcp 192.0.2.1:9001 without handshake (TCP_REPAIR socket)|-|*|-|lp_tcprepair 192.0.2.1 9001
root|raw IPv4 proto 253 (SOCK_RAW, IPPROTO_RAW)|-|-|internet-non-tcp|lp_rawip proto253
root|raw IPv4 TCP ACK outside any connection (IPPROTO_RAW)|-|-|internet-tcp|lp_rawip tcp-ack
root|AF_PACKET frame, ethertype 0x88b5|-|*|-/packet|lp_frame ether
root|AF_PACKET frame, IPv4/UDP to 192.0.2.1:7|-|*|-/packet|lp_frame ipv4
"

leak_suite_begin || true
if tor_running && [ -z "$(tor_missing_ports)" ]; then
	ok "tor listens on tcp $TOR_TCP_PORTS and udp $TOR_UDP_PORTS"
else
	fail "tor listens on tcp $TOR_TCP_PORTS and udp $TOR_UDP_PORTS" \
		"$(tail -n 15 "$TOR_RUN/stderr.log" 2>&1)"
fi
if [ "$(tor_uid || true)" = 107 ]; then
	ok "tor runs as debian-tor (uid 107)"
else
	fail "tor runs as debian-tor (uid 107)" "uid: $(tor_uid || echo none)"
fi

# ---- 1. Tor ----------------------------------------------------------------

leak_ids amnesia
AMNESIA="$LEAK_UID $LEAK_GID"

resolve_onion() {
	set +x # (leak_trace_on: not into the probe's output)
	# shellcheck disable=SC2086 # uid and gid
	leak_as $AMNESIA $LEAKPROBE tor_resolve $TOR_ONION
}
leak_case pass - "$CHECK_LIMIT" "amnesia(1000)" \
	"system DNS (udp 127.0.0.1:53 -> DNSPort) maps a .onion name into $TOR_VNET" \
	resolve_onion
MAPPED=$(grep -m 1 -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "$PROBE_OUT" || true)
note "$TOR_ONION -> $MAPPED"
case $MAPPED in 127.*) ;; *) MAPPED=127.192.0.1 ;; esac

# tor_log_since LINE PATTERN: waits (5 s at most) for a line of tor's log
# from LINE on that contains PATTERN; prints the first three.
tor_log_since() {
	set +x # (leak_trace_on: not into the probe's output)
	local i=0
	until tail -n +"$1" "$TOR_LOG" | grep -q -- "$2"; do
		i=$((i + 1))
		if [ $i -gt 50 ]; then
			echo "tor logged nothing about $2; its last lines:"
			tail -n +"$1" "$TOR_LOG" | tail -n 5
			return 1
		fi
		sleep 0.1
	done
	tail -n +"$1" "$TOR_LOG" | grep -m 3 -- "$2"
}

# amnesia's connection to the mapped address reaches the TransPort, and
# Tor maps it back to the name: conntrack kept the original destination
# for SO_ORIGINAL_DST. (The TransPort asks for it when it accepts.)
transport_stream() {
	set +x # (leak_trace_on: not into the probe's output)
	local from
	from=$(($(wc -l <"$TOR_LOG") + 1))
	# shellcheck disable=SC2086 # uid and gid
	leak_as $AMNESIA $LEAKPROBE lp_tcp "$MAPPED" 80 || return 1
	tor_log_since $from "$TOR_ONION_ID"
}
leak_case pass - "$CHECK_LIMIT" "amnesia(1000)" \
	"tcp $MAPPED:80 (automap -> TransPort): Tor's log names the .onion" \
	transport_stream
note "tor:" "$(grep -v "^+ " "$PROBE_OUT" | cut -c 1-220)"

for u in stranger root; do
	leak_ids $u
	leak_case refused loopback $LEAK_REFUSE_LIMIT "$u($LEAK_UID)" \
		"tcp $MAPPED:80 (automap -> TransPort), not amnesia" \
		leak_as "$LEAK_UID" "$LEAK_GID" $LEAKPROBE lp_tcp "$MAPPED" 80
done
# The Tor role has all of IPv4 loopback (rule 4), its TransPort too.
leak_ids debian-tor
leak_case pass - "$CHECK_LIMIT" "debian-tor($LEAK_UID)" \
	"tcp $MAPPED:80 (automap -> TransPort), the Tor role" \
	leak_as "$LEAK_UID" "$LEAK_GID" $LEAKPROBE lp_tcp "$MAPPED" 80

socks_stream() {
	set +x # (leak_trace_on: not into the probe's output)
	local from
	from=$(($(wc -l <"$TOR_LOG") + 1))
	# shellcheck disable=SC2086 # uid and gid
	leak_as $AMNESIA $LEAKPROBE tor_socks $TOR_ONION || return 1
	tor_log_since $from "$TOR_ONION_ID"
}
leak_case pass - "$CHECK_LIMIT" "amnesia(1000)" \
	"curl --socks5-hostname 127.0.0.1:9050 http://.onion/: Tor takes it (fails inside Tor)" \
	socks_stream
note "curl, tor:" "$(grep -v "^+ " "$PROBE_OUT" | cut -c 1-220)"

if ! tor_running; then
	fail "tor is still running after the streams of amnesia" \
		"its log, around the trouble:" \
		"$(grep -n -B 3 -A 12 -E '\[(err|warn)\]|Bug|[Aa]ssert|[Bb]acktrace' "$TOR_LOG" |
			head -n 60 | cut -c 1-200)" \
		"stderr:" "$(tail -n 10 "$TOR_RUN/stderr.log" | cut -c 1-200)"
fi

# ---- 2. the Internet over IPv4, raw sockets ------------------------------------

leak_matrix "$MATRIX"
