# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# The simulated network of the test VM. Sourced by common.sh.
#
#  init netns = "the host" (torfw filters here)
#  +--------------------------+
#  |                          |  veth   netns "internet" (answers for EVERY
#  | up0 192.0.2.2/24         |-------- up1 192.0.2.1/24    address: local
#  |     2001:db8::2/64       |             2001:db8::1/64  0/0 and ::/0)
#  | default via 192.0.2.1    |         tcp 80, 443 http "torfw-ok"
#  |   and 2001:db8::1        |         tcp 9001 echo
#  |                          |         udp 53 dns (empty NOERROR), 7 echo
#  |                          |         icmp echo (the kernel)
#  |                          |         route 10.200.1.0/24 via 192.0.2.2
#  |                          |
#  | lan0 192.168.50.2/24     |-------- lan1 192.168.50.1/24   netns "lan"
#  |                          |         tcp 8080 http, tcp+udp 53 dns,
#  |                          |         udp 137 echo (NetBIOS-NS)
#  |                          |
#  | cn0 10.200.1.1/24        |-------- cn1 10.200.1.2/24  netns "clearnet"
#  | ip_forward=1             |         default via 10.200.1.1
#  +--------------------------+
#
# Every link has fixed MAC addresses and static (nud permanent) neighbour
# entries on both ends, and IPv6 runs only on up0/up1 with DAD, RS, RA and
# link-local addresses off: once topo_up returns, nothing is sent on up0
# unless a program sends it, so tx_packets before/after a case is exact
# (uplink_tx_delta). The IPv6 stack still announces its solicited-node
# groups (MLD) right after the address is added; topo_up waits for that.
#
# UDP responders reply from the address the kernel picks (192.0.2.1,
# 2001:db8::1, 192.168.50.1): UDP to other "internet" addresses is
# received but its reply is dropped by the client's connected socket.

TOPO_STATE=/run/torfw-vm
TOPO_STAMP=$TOPO_STATE/topology-up
TOPO_PIDS=$TOPO_STATE/responder-pids
GUEST=/tests/vm/guest

MAC_UP0=02:00:00:00:01:02
MAC_UP1=02:00:00:00:01:01
MAC_LAN0=02:00:00:00:02:02
MAC_LAN1=02:00:00:00:02:01
MAC_CN0=02:00:00:00:03:01
MAC_CN1=02:00:00:00:03:02

# in_ns NS CMD...: CMD (a program, or a function of lib/) in namespace NS.
in_ns() {
	local ns=$1
	shift
	/sbin/ip netns exec "$ns" /bin/sh -c '. /tests/vm/lib/common.sh; "$@"' "$ns" "$@"
}

n_internet() { in_ns internet "$@"; }
n_lan() { in_ns lan "$@"; }
n_clearnet() { in_ns clearnet "$@"; }

# 'sysctl -w' would do, but writing the file needs no parsing of names
# that contain dots or dashes.
setsys() { echo "$2" >"/proc/sys/$1"; }

# topo_veth HOSTDEV HOSTMAC NS PEERDEV PEERMAC
topo_veth() {
	/sbin/ip link add "$1" address "$2" type veth \
		peer name "$4" address "$5" netns "$3"
}

# No IPv6 chatter on a device: set before it goes up.
topo_v6_off() { setsys "net/ipv6/conf/$1/disable_ipv6" 1; }

# IPv6 without link-local address, DAD, router solicitations or RA.
topo_v6_quiet() {
	local c=net/ipv6/conf/$1
	setsys "$c/addr_gen_mode" 1
	setsys "$c/accept_dad" 0
	setsys "$c/dad_transmits" 0
	setsys "$c/router_solicitations" 0
	setsys "$c/accept_ra" 0
	setsys "$c/mldv2_unsolicited_report_interval" 10
	setsys "$c/mldv1_unsolicited_report_interval" 10
}

# neigh DEV ADDR MAC [NS]
topo_neigh() {
	if [ -n "${4:-}" ]; then
		/sbin/ip -n "$4" neigh replace "$2" lladdr "$3" dev "$1" nud permanent
	else
		/sbin/ip neigh replace "$2" lladdr "$3" dev "$1" nud permanent
	fi
}

topo_uplink() {
	topo_veth up0 $MAC_UP0 internet up1 $MAC_UP1
	topo_v6_quiet up0
	n_internet topo_v6_quiet up1
	/sbin/ip addr add 192.0.2.2/24 dev up0
	/sbin/ip addr add 2001:db8::2/64 dev up0 nodad
	/sbin/ip -n internet addr add 192.0.2.1/24 dev up1
	/sbin/ip -n internet addr add 2001:db8::1/64 dev up1 nodad
	topo_neigh up0 192.0.2.1 $MAC_UP1
	topo_neigh up0 2001:db8::1 $MAC_UP1
	topo_neigh up1 192.0.2.2 $MAC_UP0 internet
	topo_neigh up1 2001:db8::2 $MAC_UP0 internet
	/sbin/ip link set up0 up
	/sbin/ip -n internet link set up1 up
	/sbin/ip route add default via 192.0.2.1 dev up0
	/sbin/ip -6 route add default via 2001:db8::1 dev up0
	# In the main table, so that the connected /24 and /64 (longer
	# prefixes) still route replies out of up1.
	/sbin/ip -n internet route add local 0.0.0.0/0 dev lo table main
	/sbin/ip -n internet -6 route add local ::/0 dev lo table main
	/sbin/ip -n internet route add 10.200.1.0/24 via 192.0.2.2 dev up1
}

topo_lan() {
	topo_veth lan0 $MAC_LAN0 lan lan1 $MAC_LAN1
	topo_v6_off lan0
	n_lan topo_v6_off lan1
	/sbin/ip addr add 192.168.50.2/24 dev lan0
	/sbin/ip -n lan addr add 192.168.50.1/24 dev lan1
	topo_neigh lan0 192.168.50.1 $MAC_LAN1
	topo_neigh lan1 192.168.50.2 $MAC_LAN0 lan
	/sbin/ip link set lan0 up
	/sbin/ip -n lan link set lan1 up
}

topo_clearnet() {
	topo_veth cn0 $MAC_CN0 clearnet cn1 $MAC_CN1
	topo_v6_off cn0
	n_clearnet topo_v6_off cn1
	/sbin/ip addr add 10.200.1.1/24 dev cn0
	/sbin/ip -n clearnet addr add 10.200.1.2/24 dev cn1
	topo_neigh cn0 10.200.1.2 $MAC_CN1
	topo_neigh cn1 10.200.1.1 $MAC_CN0 clearnet
	/sbin/ip link set cn0 up
	/sbin/ip -n clearnet link set cn1 up
	/sbin/ip -n clearnet route add default via 10.200.1.1 dev cn1
	setsys net/ipv4/ip_forward 1
}

# spawn NS CMD...: a responder in the background, remembered for topo_down.
# 'ip netns exec' execs CMD, so $! is the responder itself.
spawn() {
	local ns=$1
	shift
	/sbin/ip netns exec "$ns" "$@" </dev/null >/dev/null 2>&1 &
	echo $! >>"$TOPO_PIDS"
}

# -T: a forked UDP child lives only that long after its last datagram.
topo_responders() {
	local ns p
	for p in 80 443; do
		spawn internet socat TCP6-LISTEN:$p,fork,reuseaddr,ipv6only=0 \
			EXEC:$GUEST/http-responder.sh
	done
	spawn internet socat TCP6-LISTEN:9001,fork,reuseaddr,ipv6only=0 PIPE
	for ns in internet lan; do
		spawn $ns socat -T1 UDP4-RECVFROM:53,fork EXEC:"$GUEST/dns-responder.sh udp"
	done
	spawn internet socat -T1 UDP6-RECVFROM:53,fork EXEC:"$GUEST/dns-responder.sh udp"
	spawn internet socat -T1 UDP4-RECVFROM:7,fork PIPE
	spawn internet socat -T1 UDP6-RECVFROM:7,fork PIPE
	spawn lan socat TCP4-LISTEN:8080,fork,reuseaddr EXEC:$GUEST/http-responder.sh
	spawn lan socat TCP4-LISTEN:53,fork,reuseaddr EXEC:"$GUEST/dns-responder.sh tcp"
	spawn lan socat -T1 UDP4-RECVFROM:137,fork PIPE
}

# What topo_responders opens, as NS:PROTO:PORT.
TOPO_LISTEN='internet:tcp:80 internet:tcp:443 internet:tcp:9001
	internet:udp:53 internet:udp:7 lan:tcp:8080 lan:tcp:53 lan:udp:53
	lan:udp:137'

# Listening sockets (TCP listen, bound UDP) of the namespaces, as
# NS:PROTO:PORT lines.
topo_listening() {
	local ns
	for ns in internet lan; do
		/sbin/ip netns exec $ns /bin/ss -Hlnut | awk -v ns=$ns \
			'{ n = split($5, a, ":"); print ns ":" $1 ":" a[n] }'
	done
}

# The responders of TOPO_LISTEN not listening yet.
topo_missing() {
	local have w
	have=$(topo_listening)
	for w in $TOPO_LISTEN; do
		echo "$have" | grep -qx "$w" || echo "$w"
	done
}

# Waits until every responder listens (socat needs a moment under TCG).
topo_wait_responders() {
	local i=0
	while [ -n "$(topo_missing)" ]; do
		i=$((i + 1))
		if [ $i -gt 50 ]; then
			echo "topo_up: not listening: $(topo_missing | tr '\n' ' ')" >&2
			return 1
		fi
		sleep 0.1
	done
}

tx_packets() { cat "/sys/class/net/$1/statistics/tx_packets"; }

# Waits until DEV has sent nothing for a second (at most 10 s): the MLD
# reports of a fresh IPv6 address are the only late packets.
topo_settle() {
	local last now i=0
	last=$(tx_packets "$1")
	while [ $i -lt 10 ]; do
		sleep 1
		now=$(tx_packets "$1")
		[ "$now" = "$last" ] && return 0
		last=$now
		i=$((i + 1))
	done
	echo "topo_up: $1 keeps sending" >&2
	return 1
}

topo_up() {
	local ns
	[ -e "$TOPO_STAMP" ] && return 0
	mkdir -p "$TOPO_STATE"
	: >"$TOPO_PIDS"
	# Unprivileged ICMP echo sockets, or a non-root ping fails with EPERM
	# before any firewall sees it (VM-NOTES.md).
	setsys net/ipv4/ping_group_range "0 2147483647"
	for ns in internet lan clearnet; do
		/sbin/ip netns add $ns
		/sbin/ip -n $ns link set lo up
	done
	topo_uplink
	topo_lan
	topo_clearnet
	topo_responders
	topo_wait_responders
	topo_settle up0
	touch "$TOPO_STAMP"
}

# Everything in the namespaces is ours (responders and their children):
# they die first, so that deleting the names frees the namespaces and,
# with them, the veth pairs.
topo_down() {
	local ns pids i=0
	for ns in internet lan clearnet; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(/sbin/ip netns pids $ns)
		# shellcheck disable=SC2086 # one word per pid
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
		/sbin/ip netns del $ns
	done
	rm -f "$TOPO_STAMP" "$TOPO_PIDS"
	while [ -e /sys/class/net/up0 ] || [ -e /sys/class/net/lan0 ] ||
		[ -e /sys/class/net/cn0 ]; do
		i=$((i + 1))
		[ $i -le 50 ] || { echo "topo_down: veths stay" >&2; return 1; }
		sleep 0.1
	done
}
