#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Raw frames (issue 8, item 2; DESIGN.md section 3, "No-socket and
# raw-frame traffic"): packet sockets (AF_PACKET) cannot emit frames on
# non-loopback devices unless the policy gives their uid the packet role
# (a DHCP client); the netdev egress hook sees them with and without
# PACKET_QDISC_BYPASS. The kernel's own frames (ARP) still pass.
#
# tests/vm/tools/rawsend sends 3 frames per run on up0: ethertype 0x88b5,
# or a hand-made IPv4/UDP datagram 192.0.2.2:40007 -> 192.0.2.1:9 (no
# server there, so no reply the host would answer). up0 is
# quiet (topology.sh), so its tx_packets counts exactly what left; a
# capture on up1 in the internet namespace is the second witness.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

FRAMES=3
# Frames addressed to up1, as a real sender would.
DST=$MAC_UP1
CAP_FILTER='ether proto 0x88b5 or (udp and src port 40007)'

cleanup() {
	topo_neigh lan0 192.168.50.1 $MAC_LAN1 2>/dev/null || true
	topo_neigh up0 192.0.2.1 $MAC_UP1 2>/dev/null || true
	if module_loaded torfw; then
		torfwctl flush >/dev/null 2>&1 || true
		rmmod torfw 2>/dev/null || true
	fi
	return 0
}
trap cleanup EXIT

# With CAP_NET_RAW and nothing else, as uid 1000 (ambient capability).
as_raw_amnesia() {
	setpriv --reuid=1000 --regid=1000 --clear-groups \
		--inh-caps=+net_raw --ambient-caps=+net_raw -- "$@"
}

# frames CMD...: runs a rawsend command; FRAMES_SENT is how many packets
# up0 sent meanwhile, RAW_OUT what rawsend printed.
frames() {
	local t
	t=$(tx_packets up0)
	RAW_OUT=$("$@" 2>&1) || true
	FRAMES_SENT=$(($(tx_packets up0) - t))
}

# frames_dropped DESC CMD...: nothing of CMD's frames leaves up0.
frames_dropped() {
	local desc=$1
	shift
	frames "$@"
	if [ "$FRAMES_SENT" -eq 0 ]; then
		ok "$desc"
	else
		fail "$desc" "up0 sent $FRAMES_SENT packet(s)" "$RAW_OUT"
	fi
	note "$RAW_OUT"
}

# frames_pass DESC CMD...: all FRAMES frames leave up0.
frames_pass() {
	local desc=$1
	shift
	frames "$@"
	if [ "$FRAMES_SENT" -eq "$FRAMES" ]; then
		ok "$desc"
	else
		fail "$desc" "up0 sent $FRAMES_SENT packet(s), expected $FRAMES" "$RAW_OUT"
	fi
	note "$RAW_OUT"
}

# each_frame FN WHO CMD-PREFIX...: FN for both kinds, with and without
# PACKET_QDISC_BYPASS.
each_frame() {
	local fn=$1 who=$2 k b
	shift 2
	for k in ether ipv4; do
		for b in "" -b; do
			# shellcheck disable=SC2086 # $b is one option or nothing
			$fn "$who: $k frame${b:+ (PACKET_QDISC_BYPASS)}" \
				"$@" $TOOLS/rawsend $b -n $FRAMES -d $DST up0 $k
		done
	done
}

topo_up
if module_loaded torfw; then torfwctl flush >/dev/null 2>&1 || true; rmmod torfw; fi

# ---- control: without torfw's hooks the tool's frames leave -------------------

cap_start up1 "$CAP_FILTER" internet
frames_pass "no module (control): root's 0x88b5 frames leave up0" \
	$TOOLS/rawsend -n $FRAMES -d $DST up0 ether
frames_pass "no module (control): root's IPv4/UDP frames leave up0 (bypass)" \
	$TOOLS/rawsend -b -n $FRAMES -d $DST up0 ipv4
cap_stop
expect_eq "no module (control): the capture on up1 sees those $((2 * FRAMES)) frames" \
	$((2 * FRAMES)) "$CAP_N"
modprobe torfw

# ---- no policy: closed ----------------------------------------------------------

frames_dropped "no policy: root's 0x88b5 frames are dropped" \
	$TOOLS/rawsend -n $FRAMES -d $DST up0 ether

# ---- the reference policy: nobody has the packet role ------------------------------

policy_up
klog_mark
pkt0=$(stat_reason packet)
cap_start up1 "$CAP_FILTER" internet
each_frame frames_dropped "reference: root"
each_frame frames_dropped "reference: amnesia with CAP_NET_RAW" as_raw_amnesia
cap_stop
expect_eq "reference: the capture on up1 saw none of those frames" 0 "$CAP_N" \
	"$(cap_show '')"
pkt1=$(stat_reason packet)
note "stats 'packet': $pkt0 -> $pkt1"
if [ "$pkt0" != none ] && [ "$pkt1" != none ] && [ "$pkt1" -ge $((pkt0 + 8 * FRAMES)) ]; then
	ok "reference: the 'packet' counter counted the $((8 * FRAMES)) dropped frames"
else
	fail "reference: the 'packet' counter counted the $((8 * FRAMES)) dropped frames" \
		"$pkt0 -> $pkt1"
fi
check "reference: kernel log 'torfw: refused frame uid=0 reason=packet'" \
	klog_has 'refused frame uid=0 reason=packet'
check "reference: kernel log 'torfw: refused frame uid=1000 reason=packet'" \
	klog_has 'refused frame uid=1000 reason=packet'

# An unprivileged uid with CAP_NET_RAW only in its own user namespace: in a
# new network namespace it has the capability but no up0; in the initial
# one, no packet socket at all (the kernel's own check).
check "userns: amnesia in 'unshare -Urn' cannot reach up0 (ENODEV)" \
	as amnesia ctl_fails_with ENODEV unshare -Urn $TOOLS/rawsend up0 ether
check "userns: amnesia in 'unshare -Ur' (initial netns) gets no packet socket (EPERM)" \
	as amnesia ctl_fails_with EPERM unshare -Ur $TOOLS/rawsend up0 ether

# Loopback is not filtered (no hook there): the tool works.
lo0=$(tx_packets lo)
$TOOLS/rawsend -n $FRAMES lo ether >/dev/null 2>&1 || true
lo1=$(tx_packets lo)
if [ $((lo1 - lo0)) -ge $FRAMES ]; then
	ok "reference: root's frames on lo pass (loopback is not filtered)"
else
	fail "reference: root's frames on lo pass (loopback is not filtered)" \
		"lo sent $((lo1 - lo0))"
fi

# ---- ARP still works ------------------------------------------------------------

# A fresh neighbour resolution: the kernel's ARP request (no socket) must
# pass the egress hook, and the reply come in.
arp_fresh() {
	local dev=$1 addr=$2
	shift 2
	ip neigh del "$addr" dev "$dev" || return 1
	"$@" || return 1
	ip neigh show "$addr" dev "$dev"
	ip neigh show "$addr" dev "$dev" | grep -q 'lladdr' &&
		! ip neigh show "$addr" dev "$dev" | grep -q PERMANENT
}
cap_start lan1 arp lan
check "ARP: without the static entry, amnesia's tcp 192.168.50.1:8080 works (fresh ARP resolution)" \
	arp_fresh lan0 192.168.50.1 as amnesia http_get 192.168.50.1 8080
cap_stop
note "ARP on lan1: $(cap_show '' | tr '\n' ' ')"
if [ "$(cap_count 'arp and ether src '$MAC_LAN0)" -ge 1 ]; then
	ok "ARP: the capture on lan1 saw lan0's ARP request"
else
	fail "ARP: the capture on lan1 saw lan0's ARP request" "$(cap_show '')"
fi
topo_neigh lan0 192.168.50.1 $MAC_LAN1
check "ARP: debian-tor's tcp 192.0.2.1:80 works with a fresh resolution on up0" \
	arp_fresh up0 192.0.2.1 as debian-tor http_get 192.0.2.1 80
topo_neigh up0 192.0.2.1 $MAC_UP1

# ---- root with the packet role ------------------------------------------------------

PKT=/tmp/torfw-packet.conf
cp "$REFERENCE_CONF" $PKT
echo 'role packet root' >>$PKT
check "packet role: the reference plus 'role packet root' loads" torfwctl load $PKT
cap_start up1 "$CAP_FILTER" internet
each_frame frames_pass "packet role: root"
each_frame frames_dropped "packet role: amnesia with CAP_NET_RAW (not in the role)" \
	as_raw_amnesia
cap_stop
expect_eq "packet role: the capture on up1 saw root's $((4 * FRAMES)) frames, no others" \
	$((4 * FRAMES)) "$CAP_N"
torfwctl load "$REFERENCE_CONF" >/dev/null
frames_dropped "back to the reference: root's frames are dropped again" \
	$TOOLS/rawsend -n $FRAMES -d $DST up0 ether
