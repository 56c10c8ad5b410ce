#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Privilege (reliability issue, item 7): amnesia in a user and network
# namespace of its own (unshare -Urn: root there, with CAP_NET_ADMIN and
# CAP_NET_RAW over that namespace) can neither read nor change the policy,
# nor escape it:
#   - it cannot move a device to the host's namespace; a veth peer it
#     makes there (Linux 6.1 allows that) is down;
#   - through a veth to the host, configured by root (the namespace is not
#     granted), nothing is forwarded and nothing reaches the host;
#   - through a macvlan of the uplink moved into its namespace (a device
#     that reaches the wire without the host's IP stack) neither IP nor
#     raw frames (AF_PACKET, also with PACKET_QDISC_BYPASS) leave: a
#     capture on the far side of the uplink sees nothing.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/userns.sh

UNS_PID=''
cleanup() {
	svc_stop_all
	[ -z "$UNS_PID" ] || kill "$UNS_PID" 2>/dev/null || true
	ip link del ub 2>/dev/null || true
	ip link del mv0 2>/dev/null || true
	return 0
}
trap cleanup EXIT

policy_up
modprobe macvlan

# amnesia's namespaces, held by a sleeping process.
as amnesia unshare -Urn sleep 4321 </dev/null >/dev/null 2>&1 &
i=0
until UNS_PID=$(ps -o pid,args | awk '$2 == "sleep" && $3 == "4321" { print $1; exit }') &&
	[ -n "$UNS_PID" ] && [ "$(readlink /proc/"$UNS_PID"/ns/user)" != "$(readlink /proc/1/ns/user)" ]; do
	i=$((i + 1))
	[ $i -gt 50 ] && break
	sleep 0.1
done
note "amnesia's namespaces: process $UNS_PID, $(readlink /proc/"$UNS_PID"/ns/user) $(readlink /proc/"$UNS_PID"/ns/net)"

check "userns: inside, amnesia is uid 0 and may configure its namespace" in_userns uns_is_root

# ---- the policy -----------------------------------------------------------------

gen=$(policy_generation)
for sub in status show flush lock; do
	check "userns: 'torfwctl $sub' fails with EPERM" in_userns ctl_fails_with EPERM torfwctl $sub
done
check "userns: 'torfwctl load' fails with EPERM" \
	in_userns ctl_fails_with EPERM torfwctl load "$REFERENCE_CONF"
expect_eq "userns: the generation is unchanged" "$gen" "$(policy_generation)"

# ---- devices and the host -------------------------------------------------------

check "userns: a device made inside cannot be moved to the host's namespace" \
	in_userns uns_no_move_out

# Linux 6.1 lets amnesia make a veth whose peer is created in the host's
# namespace. The peer comes up down and only the host's root can
# configure it; below root does (as a careless network manager might), to
# show that the policy holds all the same. On a kernel that refuses the
# peer, root makes the pair itself.
in_userns uns_peer_out >/tmp/peer-out.txt 2>&1 || true
if ip link show ub >/dev/null 2>&1; then
	note "userns: Linux $(uname -r) let amnesia make veth 'ub' in the host's namespace"
	if ip link show ub | grep -q ',UP'; then
		fail "userns: the veth amnesia put in the host's namespace is down"
	else
		ok "userns: the veth amnesia put in the host's namespace is down"
	fi
else
	note "userns: amnesia could not make a veth peer in the host's namespace: $(cat /tmp/peer-out.txt)"
	ip link add ub type veth peer name ua netns "$UNS_PID"
fi

# ---- a veth to the host ---------------------------------------------------------

ip addr add 10.98.0.1/24 dev ub
ip link set ub up
check "veth: amnesia configures its end (10.98.0.2, default via the host)" in_userns uns_veth_up
svc_listen tcp 10.98.0.1 7777
svc_spawn in_userns socat TCP4-LISTEN:7780,reuseaddr,fork PIPE
sleep 1
# (The host itself may not open connections through a namespace link:
# 22-netns-order. The control is made inside the namespace.)
check "veth: the server on tcp 10.98.0.2:7780 inside answers there (control)" \
	in_userns tcp_echo 10.98.0.2 7780
blocked "veth: tcp 192.0.2.1:80 from amnesia's namespace is not forwarded" \
	in_userns http_get 192.0.2.1 80
blocked "veth: udp 192.0.2.1:53 from amnesia's namespace is not forwarded" \
	in_userns dns_ask 192.0.2.1 53
blocked "veth: icmp 192.0.2.1 from amnesia's namespace is not forwarded" \
	in_userns icmp_echo 192.0.2.1
blocked "veth: the LAN's tcp 192.168.50.1:8080 is not forwarded either" \
	in_userns http_get 192.168.50.1 8080
blocked "veth: the host's tcp 10.98.0.1:7777 does not answer amnesia's namespace" \
	in_userns tcp_echo 10.98.0.1 7777

# ---- a device of the uplink moved in ------------------------------------------------

# Everything up1 receives from mv0's address, IP or not, from before mv0
# exists (its own IPv6 announcements included).
cap_start up1 'ether src 02:00:00:00:01:77' internet
ip link add mv0 link up0 address 02:00:00:00:01:77 type macvlan mode private
ip link set mv0 netns "$UNS_PID"
check "macvlan: amnesia configures mv0 (192.0.2.77/24 on the uplink's wire)" in_userns uns_macvlan_up
# In another namespace a device other than lo or a veth is dropped
# (reason netns-device): nothing is sent, the program is not told.
blocked "macvlan: tcp 192.0.2.1:80 through mv0 is dropped" in_userns http_get 192.0.2.1 80
blocked "macvlan: udp 192.0.2.1:7 through mv0 is dropped" in_userns udp_echo 192.0.2.1 7
blocked "macvlan: icmp 192.0.2.1 through mv0 is dropped" in_userns icmp_echo 192.0.2.1
refused "macvlan: raw Ethernet frames (AF_PACKET) on mv0 are refused" \
	in_userns $TOOLS/rawsend -n 3 -d 02:00:00:00:01:01 mv0 ether
refused "macvlan: a hand-made IPv4 frame (AF_PACKET) on mv0 is refused" \
	in_userns $TOOLS/rawsend -n 3 -d 02:00:00:00:01:01 mv0 ipv4
refused "macvlan: the same with PACKET_QDISC_BYPASS is refused" \
	in_userns $TOOLS/rawsend -b -n 3 -d 02:00:00:00:01:01 mv0 ether
cap_stop
if [ "$CAP_N" -eq 0 ]; then
	ok "macvlan: the capture on up1 (the uplink's far side) holds no frame from mv0"
else
	fail "macvlan: the capture on up1 holds no frame from mv0" "$CAP_N frames:" "$(cap_show '')"
fi
