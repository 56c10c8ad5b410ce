# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# The simulated network of the test VM. Sourced by common.sh.
#
#  init netns = "the host" (torfw filters here)
#  +-----------------------------------------------------------+
#  |                       bridge brup (no address)            |
#  | up0 192.0.2.2/24   veth   +-------------+   veth          |  netns "internet"
#  |     2001:db8::2/64 ----- up0w         up0p ----------------- up1 192.0.2.1/24
#  | default via 192.0.2.1   +-------------+                   |      2001:db8::1/64
#  |   and 2001:db8::1                                         |  (answers for EVERY
#  |                                                           |  address: local 0/0
#  |                                                           |  and ::/0)
#  |                                                           |  tcp 80, 443 http
#  |                                                           |  "torfw-ok", 9001 echo
#  |                                                           |  udp 53 dns (empty
#  |                                                           |  NOERROR), 7 echo
#  |                                                           |  icmp echo (kernel)
#  |                                                           |  route 10.200.0.0/16
#  |                                                           |  via 192.0.2.2
#  |                       bridge brlan (no address)           |
#  | lan0 192.168.50.2/24 veth +-------------+   veth          |  netns "lan"
#  |                    ----- lan0w       lan0p --------------- lan1 192.168.50.1/24
#  |                           +-------------+                 |  tcp 8080 http,
#  |                                                           |  tcp+udp 53 dns,
#  |                                                           |  udp 137 echo
#  |                                                           |  route 10.200.0.0/16
#  |                                                           |  via 192.168.50.2
#  |                                                           |
#  | cn0 10.200.1.1/24  veth ------------------------------------ cn1 10.200.1.2/24
#  | ip_forward=1                                              |  netns "clearnet"
#  |                                                           |  default via 10.200.1.1
#  |                                                           |
#  | vsb0 10.200.2.1/24 veth ----------------------------------- vsb1 10.200.2.2/24
#  |   (topo_sibling, on demand: 22-netns-order)               |  netns "sibling", not
#  |                                                           |  granted; default via
#  +-----------------------------------------------------------+  10.200.2.1; tcp 7781
#                                                                 echo, udp 7782 echo
#
# Uplink and LAN are "real" links for torfw: up0 and lan0 are veths whose
# peers (up0w, lan0w) are in the initial namespace too, ports of a bridge
# that another veth pair (up0p-up1, lan0p-lan1) joins to the far end.
# Only cn0 and vsb0 are namespace links (a veth whose peer is in another
# namespace). The bridges and their ports have no address, IPv6 off, STP
# off, forward delay 0, no multicast snooping (so no queries): they never
# send anything of their own.
#
# Every link has fixed MAC addresses and static (nud permanent) neighbour
# entries on both ends, and IPv6 runs only on up0/up1 with DAD, RS, RA and
# link-local addresses off: once topo_up returns, nothing is sent on up0
# unless a program sends it, so tx_packets before/after a case is exact
# (uplink_tx_delta), and nothing arrives at up1 (topo_idle). The IPv6
# stack still announces its solicited-node groups (MLD) right after the
# address is added; topo_up waits for that.
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
MAC_SB0=02:00:00:00:04:01
MAC_SB1=02:00:00:00:04:02
# The wires: bridges and their ports (they never send frames of their own).
MAC_BRUP=02:00:00:00:11:00
MAC_UP0W=02:00:00:00:11:02
MAC_UP0P=02:00:00:00:11:01
MAC_BRLAN=02:00:00:00:12:00
MAC_LAN0W=02:00:00:00:12:02
MAC_LAN0P=02:00:00:00:12:01

# in_ns NS CMD...: CMD (a program, or a function of lib/) in namespace NS.
in_ns() {
	local ns=$1
	shift
	/sbin/ip netns exec "$ns" /bin/sh -c '. /tests/vm/lib/common.sh; "$@"' "$ns" "$@"
}

n_internet() { in_ns internet "$@"; }
n_lan() { in_ns lan "$@"; }
n_clearnet() { in_ns clearnet "$@"; }
n_sibling() { in_ns sibling "$@"; }

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

# topo_wire HOSTDEV HOSTMAC BRIDGE BRMAC WIRE WIREMAC PORT PORTMAC NS PEERDEV PEERMAC:
# a simulated physical link from HOSTDEV (initial namespace) to PEERDEV
# in NS. HOSTDEV is a veth whose peer WIRE stays in the initial
# namespace, so that torfw sees an uplink, not a namespace link; WIRE and
# PORT (a veth whose peer is PEERDEV, in NS) are the ports of BRIDGE.
# The bridge and its ports are silent: no address, IPv6 off, STP off,
# forward delay 0, no multicast snooping or querier. HOSTDEV and PEERDEV
# are left down and without addresses (the caller's part).
topo_wire() {
	local dev=$1 mac=$2 br=$3 brmac=$4 wire=$5 wiremac=$6 port=$7 portmac=$8
	local ns=$9 peer=${10} peermac=${11} d
	/sbin/ip link add "$br" address "$brmac" type bridge stp_state 0 \
		forward_delay 0 mcast_snooping 0 mcast_querier 0
	/sbin/ip link add "$dev" address "$mac" type veth \
		peer name "$wire" address "$wiremac"
	topo_veth "$port" "$portmac" "$ns" "$peer" "$peermac"
	for d in "$br" "$wire" "$port"; do
		topo_v6_off "$d"
	done
	/sbin/ip link set "$wire" master "$br"
	/sbin/ip link set "$port" master "$br"
	for d in "$br" "$wire" "$port"; do
		/sbin/ip link set "$d" up
	done
}

# topo_unwire HOSTDEV BRIDGE PORT: what topo_wire made in the initial
# namespace (PORT's peer goes with it).
topo_unwire() {
	local d
	for d in "$1" "$3" "$2"; do
		[ ! -e "/sys/class/net/$d" ] || /sbin/ip link del "$d" 2>/dev/null ||
			true
	done
}

topo_uplink() {
	topo_wire up0 $MAC_UP0 brup $MAC_BRUP up0w $MAC_UP0W up0p $MAC_UP0P \
		internet up1 $MAC_UP1
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
	/sbin/ip -n internet route add 10.200.0.0/16 via 192.0.2.2 dev up1
}

topo_lan() {
	topo_wire lan0 $MAC_LAN0 brlan $MAC_BRLAN lan0w $MAC_LAN0W \
		lan0p $MAC_LAN0P lan lan1 $MAC_LAN1
	topo_v6_off lan0
	n_lan topo_v6_off lan1
	/sbin/ip addr add 192.168.50.2/24 dev lan0
	/sbin/ip -n lan addr add 192.168.50.1/24 dev lan1
	topo_neigh lan0 192.168.50.1 $MAC_LAN1
	topo_neigh lan1 192.168.50.2 $MAC_LAN0 lan
	/sbin/ip link set lan0 up
	/sbin/ip -n lan link set lan1 up
	# The way back to the namespaces behind the host (their forwarded
	# traffic is not masqueraded), as the internet namespace has it.
	/sbin/ip -n lan route add 10.200.0.0/16 via 192.168.50.2 dev lan1
}

# topo_clearnet_link: the veth pair of the clearnet namespace (which must
# exist), created in one step with its peer in the namespace (as a
# program that sets up such a namespace does), addresses, neighbours,
# the namespace's default route.
topo_clearnet_link() {
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
}

topo_clearnet() {
	topo_clearnet_link
	setsys net/ipv4/ip_forward 1
}

# topo_sibling: a second namespace behind the host, never granted (only
# 22-netns-order makes it, after or before the module): netns "sibling",
# veth vsb0 10.200.2.1/24 <-> vsb1 10.200.2.2/24, default route via the
# host, a tcp echo server on 7781 and a udp echo on 7782. topo_down (or
# topo_sibling_down) removes it.
TOPO_SIBLING_PIDS=$TOPO_STATE/sibling-pids
topo_sibling() {
	/sbin/ip netns add sibling
	/sbin/ip -n sibling link set lo up
	topo_veth vsb0 $MAC_SB0 sibling vsb1 $MAC_SB1
	topo_v6_off vsb0
	in_ns sibling topo_v6_off vsb1
	/sbin/ip addr add 10.200.2.1/24 dev vsb0
	/sbin/ip -n sibling addr add 10.200.2.2/24 dev vsb1
	topo_neigh vsb0 10.200.2.2 $MAC_SB1
	topo_neigh vsb1 10.200.2.1 $MAC_SB0 sibling
	/sbin/ip link set vsb0 up
	/sbin/ip -n sibling link set vsb1 up
	/sbin/ip -n sibling route add default via 10.200.2.1 dev vsb1
	mkdir -p "$TOPO_STATE"
	/sbin/ip netns exec sibling socat TCP4-LISTEN:7781,fork,reuseaddr PIPE \
		</dev/null >/dev/null 2>&1 &
	echo $! >>"$TOPO_SIBLING_PIDS"
	/sbin/ip netns exec sibling socat -T1 UDP4-RECVFROM:7782,fork PIPE \
		</dev/null >/dev/null 2>&1 &
	echo $! >>"$TOPO_SIBLING_PIDS"
	topo_wait_ns sibling tcp:7781 udp:7782
}

topo_sibling_down() {
	local pids i=0
	[ -e /run/netns/sibling ] || return 0
	pids=$(/sbin/ip netns pids sibling)
	# shellcheck disable=SC2086 # one word per pid
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	# Orphaned TCP sockets (a peer left in LAST_ACK) hold the namespace,
	# and its veth, alive: they go first (nothing is sent for them).
	topo_kill_sockets sibling
	/sbin/ip netns del sibling
	rm -f "$TOPO_SIBLING_PIDS"
	while [ -e /sys/class/net/vsb0 ]; do
		i=$((i + 1))
		[ $i -le 50 ] || { echo "topo_sibling_down: vsb0 stays" >&2; return 1; }
		sleep 0.1
	done
}

# topo_kill_sockets NS [PORT]: every TCP socket of NS (on local port
# PORT) destroyed (ss -K): listeners, and orphans that would otherwise go
# on retransmitting to the host for a minute.
topo_kill_sockets() {
	if [ -n "${2:-}" ]; then
		/sbin/ip netns exec "$1" /bin/ss -K -ta "sport = :$2" >/dev/null 2>&1 || true
	else
		/sbin/ip netns exec "$1" /bin/ss -K -ta >/dev/null 2>&1 || true
	fi
}

# topo_wait_ns NS PROTO:PORT...: until NS listens on each (5 s at most).
topo_wait_ns() {
	local ns=$1 w have i=0
	shift
	for w in "$@"; do
		while :; do
			have=$(/sbin/ip netns exec "$ns" /bin/ss -Hlnut |
				awk '{ n = split($5, a, ":"); print $1 ":" a[n] }')
			echo "$have" | grep -qx "$w" && break
			i=$((i + 1))
			if [ $i -gt 50 ]; then
				echo "topo: $ns does not listen on $w" >&2
				return 1
			fi
			sleep 0.1
		done
	done
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

# Everything in the namespaces is ours (responders and their children,
# orphaned sockets): they die first, so that deleting the names frees the
# namespaces and, with them, the veths whose peers they hold; then the
# wires of the initial namespace (topo_wire).
topo_down() {
	local ns pids d i=0
	for ns in internet lan clearnet sibling; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(/sbin/ip netns pids $ns)
		# shellcheck disable=SC2086 # one word per pid
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
		topo_kill_sockets $ns
		/sbin/ip netns del $ns
	done
	topo_unwire up0 brup up0p
	topo_unwire lan0 brlan lan0p
	rm -f "$TOPO_STAMP" "$TOPO_PIDS" "$TOPO_SIBLING_PIDS"
	for d in up0 up0w up0p brup lan0 lan0w lan0p brlan cn0 vsb0; do
		while [ -e "/sys/class/net/$d" ]; do
			i=$((i + 1))
			[ $i -le 50 ] || { echo "topo_down: $d stays" >&2; return 1; }
			sleep 0.1
		done
	done
}

# ---- silence -----------------------------------------------------------------

# The wire devices of the initial namespace: they must never send
# anything of their own (topo_wire).
TOPO_WIRES='brup up0w up0p brlan lan0w lan0p'

# topo_counters: "NAME=N ..." for what can show chatter: tx_packets of
# up0, lan0 and the wires, rx_packets of up1 and lan1 (the far ends: a
# frame the host's side sent that reached them, whatever sent it).
topo_counters() {
	local d out=
	for d in up0 lan0 $TOPO_WIRES; do
		out="$out $d.tx=$(cat "/sys/class/net/$d/statistics/tx_packets")"
	done
	out="$out up1.rx=$(/sbin/ip netns exec internet cat /sys/class/net/up1/statistics/rx_packets)"
	out="$out lan1.rx=$(/sbin/ip netns exec lan cat /sys/class/net/lan1/statistics/rx_packets)"
	echo "${out# }"
}

# topo_idle SECONDS: succeeds if none of topo_counters moved meanwhile;
# prints the counters that did (the wires of a bridge forward what up0
# and lan0 send, so they move only with them).
topo_idle() {
	local before after m moved=
	before=$(topo_counters)
	sleep "$1"
	after=$(topo_counters)
	for m in $after; do
		case " $before " in
		*" $m "*) ;;
		*) moved="$moved $m" ;;
		esac
	done
	if [ -n "$moved" ]; then
		echo "moved in $1 s:$moved (before: $before)"
		return 1
	fi
	echo "idle for $1 s: $after"
}
