#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Paths to the wire that do not look like the ordinary TCP/UDP ones the
# policy names:
#   - AF_XDP in copy mode (root): the frame goes to the driver directly,
#     beside the IP hooks, the qdisc and the netdev egress hook. The
#     socket cannot be made (EAFNOSUPPORT or EPERM), and nothing arrives
#     at the far end of the uplink (up1's rx_packets in the "internet"
#     namespace).
#   - IPv4 source routing (IP_OPTIONS, LSRR): the header's destination is
#     the first hop, a LAN router, and the option carries the Internet
#     address; the packet is refused at once and nothing leaves. Linux
#     6.1 itself wants CAP_NET_RAW for a source route (ip_options_get),
#     so amnesia's own attempt fails in the kernel; a program of hers
#     with CAP_NET_RAW (a file capability, as ping has) and root are what
#     the policy must stop.
#   - Transports the LAN rules do not name: UDP-Lite, SCTP and DCCP to
#     the LAN host's port 53 (LAN DNS is refused) are refused too.
#   - A reroute: root marks amnesia's packets to the host's own uplink
#     address 192.0.2.2 (normally delivered on lo) in an nftables
#     "type route" output chain, and a policy rule ahead of the local
#     table sends marked packets out of up0. Whatever device the packet
#     was first routed to, nothing may leave: neither the segments of a
#     connection established on loopback before the rule, nor a new one.
# The captures and counters show what leaves where the module lets it.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

SC=$TOOLS/sockconnect
REROUTE_CONF=/tmp/reroute.conf
REROUTE_GO=/tmp/reroute.go
REROUTE_OUT=/tmp/reroute.out
FLOW_PID=''

up1_rx() { /sbin/ip netns exec internet cat /sys/class/net/up1/statistics/rx_packets; }

# The reroute of the last section, and its undoing. The local table's
# rule moves from preference 0 to 100, so that the fwmark rule (50) comes
# first; table 77 leads out of up0.
reroute_up() {
	ip rule add pref 100 lookup local
	ip rule del pref 0 lookup local
	ip rule add pref 50 fwmark 0x77 lookup 77
	ip route add default via 192.0.2.1 dev up0 table 77
	nft -f - <<-EOF
	table ip torfw_reroute {
		chain out {
			type route hook output priority mangle; policy accept;
			meta skuid 1000 ip daddr 192.0.2.2 counter meta mark set 0x77
		}
	}
	EOF
}
reroute_down() {
	nft delete table ip torfw_reroute 2>/dev/null || true
	ip rule del pref 50 fwmark 0x77 lookup 77 2>/dev/null || true
	ip route flush table 77 2>/dev/null || true
	ip rule show | grep -q '^0:.*lookup local' || ip rule add pref 0 lookup local
	ip rule del pref 100 lookup local 2>/dev/null || true
}

cleanup() {
	[ -z "$FLOW_PID" ] || kill_tree "$FLOW_PID"
	reroute_down
	svc_stop_all
	torfwctl load "$REFERENCE_CONF" >/dev/null 2>&1 || true
	return 0
}
trap cleanup EXIT

policy_up

# ---- AF_XDP, copy mode -----------------------------------------------------------

desc="af_xdp: root's socket(AF_XDP) fails with EPERM (torfw holds the family)"
desc2="af_xdp: nothing arrives at the far end of the uplink (up1 rx_packets unchanged)"
cap_start up1 'udp and dst port 9' internet
rx0=$(up1_rx)
run_case "$REFUSE_LIMIT" $TOOLS/xdpsend -d "$MAC_UP1" up0
sleep 0.5
rx=$(($(up1_rx) - rx0))
cap_stop
if grep -Eq '^xdpsend: socket\(AF_XDP.*\(EPERM\)$' "$PROBE_OUT"; then
	record "$desc" "root(0)" "refused" "$SEEN" ok
	ok "$desc"
else
	record "$desc" "root(0)" "refused" "$SEEN" FAIL
	fail "$desc" "seen: $SEEN" "$(probe_tail)"
fi
if [ "$rx" -eq 0 ] && [ "$CAP_N" -eq 0 ]; then
	record "$desc2" "root(0)" "blocked" "up1 rx+$rx" ok
	ok "$desc2"
else
	record "$desc2" "root(0)" "blocked" "up1 rx+$rx captured:$CAP_N" FAIL
	fail "$desc2" "up1 received $rx packet(s) meanwhile; the capture on up1 holds $CAP_N:" \
		"$(cap_show '')"
fi

# ---- IPv4 source routing ----------------------------------------------------------

# amnesia herself: Linux 6.1 refuses the option (EPERM, no CAP_NET_RAW).
refused "lsrr: amnesia's UDP to 192.0.2.1:7 via the LAN router 192.168.50.1 is refused at once" \
	as amnesia $SC -r 192.168.50.1 udp 192.0.2.1 7
note "lsrr: amnesia without CAP_NET_RAW: $(head -n 1 "$PROBE_OUT")"
# What reaches the LAN router: IPv4 headers with options (IHL > 5).
cap_start lan1 'ip[0] & 0xf > 5' lan
for u in amnesia stranger; do
	refused "lsrr: $u with CAP_NET_RAW: UDP to 192.0.2.1:7 via 192.168.50.1 is refused at once" \
		as_netraw $u -r 192.168.50.1 udp 192.0.2.1 7
	refused "lsrr: $u with CAP_NET_RAW: TCP to 192.0.2.1:80 via 192.168.50.1 is refused at once" \
		as_netraw $u -r 192.168.50.1 tcp 192.0.2.1 80
done
refused "lsrr: root's UDP to 192.0.2.1:7 via 192.168.50.1 is refused at once" \
	$SC -r 192.168.50.1 udp 192.0.2.1 7
refused "lsrr: root's TCP to 192.0.2.1:80 via 192.168.50.1 is refused at once" \
	$SC -r 192.168.50.1 tcp 192.0.2.1 80
cap_stop
note "lsrr: the LAN router (lan1) received $CAP_N IPv4 packet(s) with options" \
	"$(cap_show '')"

# ---- UDP-Lite, SCTP, DCCP to the LAN's DNS port -----------------------------------

refused_econn "udp: amnesia's UDP to the LAN host 192.168.50.1:53 is refused at once (control)" \
	as amnesia $SC udp 192.168.50.1 53
refused "udplite: amnesia's UDP-Lite to the LAN host 192.168.50.1:53 is refused at once" \
	as amnesia $SC udplite 192.168.50.1 53

# proto_ready KIND MODULE: the kernel has KIND (its module loaded by root
# first, so that no case pays for the load); else the reason.
proto_ready() {
	local out
	if ! out=$(modprobe "$2" 2>&1); then
		echo "no $2 module in $(uname -r): $out"
		return 1
	fi
	if ! out=$($SC -n "$1" 127.0.0.1 9 2>&1); then
		echo "$out"
		return 1
	fi
}
# SCTP and DCCP take the error of a refused INIT or REQUEST (the
# transmit error and the ICMP port-unreachable) as soft errors and
# retransmit on their own timers, so connect() may not fail promptly:
# 'blocked' (no success and nothing sent, a hang allowed) is the right
# assertion for them, not 'refused'.
for p in sctp:sctp dccp:dccp_ipv4; do
	kind=${p%%:*}
	if why=$(proto_ready "$kind" "${p#*:}"); then
		blocked "$kind: amnesia's $kind to the LAN host 192.168.50.1:53 does not leave" \
			as amnesia $SC "$kind" 192.168.50.1 53
	else
		fail "$kind: amnesia's $kind to the LAN host 192.168.50.1:53 does not leave" "$why"
	fi
done

# ---- a reroute that torfw must not miss ----------------------------------------------

# 192.0.2.2 is the host's own address on up0: the kernel delivers it on
# lo, where the allow-list decides; this variant lists it for amnesia. Not
# a LAN address: out of a device it is an Internet destination, which
# amnesia may not reach (a LAN address would pass there by rule 5).
{
	cat "$REFERENCE_CONF"
	echo "allow tcp 192.0.2.2:7070 1000"
} >$REROUTE_CONF
check "reroute: the reference plus 'allow tcp 192.0.2.2:7070 1000' loads" \
	torfwctl load $REROUTE_CONF
svc_listen tcp 192.0.2.2 7070
check "reroute (before): amnesia reaches the host's own 192.0.2.2:7070 on lo" \
	as amnesia $SC -e tcp 192.0.2.2 7070

# A connection established before the reroute, waiting for the go.
rm -f $REROUTE_GO
as amnesia $SC -e -w $REROUTE_GO -t 3 tcp 192.0.2.2 7070 >$REROUTE_OUT 2>&1 </dev/null &
FLOW_PID=$!
i=0
until grep -q 'exchange: echoed' $REROUTE_OUT; do
	i=$((i + 1))
	[ $i -le $((50 * SLOW)) ] || break
	sleep 0.1
done
expect_eq "reroute (before): amnesia's long connection is established and echoes" \
	yes "$(grep -q 'exchange: echoed' $REROUTE_OUT && echo yes || echo no)" \
	"$(cat $REROUTE_OUT)"

reroute_up
route=$(ip route get 192.0.2.2 mark 0x77 2>&1 || true)
expect_eq "reroute: marked packets for 192.0.2.2 now leave through up0 (ip route get)" \
	yes "$(echo "$route" | grep -q ' dev up0' && echo yes || echo no)" "$route"

desc="reroute: segments of the connection established on lo do not leave up0/lan0"
watch_mark
touch $REROUTE_GO
watch_over "$FLOW_PID" $((8 * SLOW)) </dev/null >/dev/null 2>&1 &
rc=0
wait "$FLOW_PID" || rc=$?
FLOW_PID=''
sleep 0.5
watch_deltas
seen="$(sed -n 's/.*after the change: //p' $REROUTE_OUT | head -n 1) $WATCH_DELTAS"
if [ "$WATCH_SENT" -eq 0 ] && ! grep -q 'after the change: echoed' $REROUTE_OUT; then
	record "$desc" "amnesia(1000)" blocked "$seen" ok
	ok "$desc"
else
	record "$desc" "amnesia(1000)" blocked "$seen" FAIL
	fail "$desc" "expected nothing sent: seen $seen (exit status $rc)" "$(cat $REROUTE_OUT)"
fi
refused_econn "reroute: amnesia's new connection to 192.0.2.2:7070 is refused at once, nothing leaves" \
	as amnesia $SC tcp 192.0.2.2 7070
note "reroute: the nft rule marked: $(nft list chain ip torfw_reroute out | grep -o 'counter packets [0-9]*')"

reroute_down
check "reroute (after the cleanup): amnesia reaches 192.0.2.2:7070 on lo again" \
	as amnesia $SC -e tcp 192.0.2.2 7070
