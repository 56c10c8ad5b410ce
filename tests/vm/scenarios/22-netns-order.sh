#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Namespace links (issue 12, network plumbing) with the reference policy
# plus two grant-service entries (a host service on cn0's address that
# the clearnet namespace may reach: tcp 10.200.1.1:7790, udp :7791).
#
# A namespace link is a veth of the initial namespace whose peer is in
# another namespace (cn0, vsb0); up0 and lan0 are not (topology.sh: their
# peers stay here, bridged to the far end). The semantics asserted:
#   - the clearnet grant holds for a veth created after the policy was
#     loaded, in one step with its peer in the namespace ('ip link add cn0
#     type veth peer name cn1 netns clearnet'), and again after deleting
#     and recreating it;
#   - forwarded, a new connection of the granted namespace leaves only
#     through an uplink: the Internet and the LAN host are reached, the
#     sibling namespace (tcp and udp) is not, nor are the host's own
#     addresses (INPUT, not granted): silent drops (blocked);
#   - the ungranted sibling namespace reaches neither clearnet nor the
#     Internet (blocked);
#   - host programs, any uid, cannot open connections through a namespace
#     link (the LAN rule is for uplinks only): refused at once, TCP with
#     ECONNREFUSED;
#   - the grant-service entries keep working (request in, reply out), for
#     clearnet only.
# The whole matrix runs twice: first in the order of a real boot (the
# module and the policy first; the sibling namespace, and the clearnet
# veth, made afterwards: the clearnet namespace itself must exist when
# the policy is loaded, torfwctl refuses a grant of a missing one), then
# in the reverse order (everything there before 'modprobe torfw').
# vm-timeout: 600
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

GRANT_CONF=/etc/torfw/torfw.d/22-grant-service.conf
# Silent drops must leave nothing on the namespace links either.
WATCH_DEVS="up0 lan0 cn0 vsb0"

cleanup() {
	svc_stop_all
	# A peer in LAST_ACK would retransmit to the host for a minute.
	topo_kill_sockets clearnet 7779
	rm -f "$GRANT_CONF"
	topo_sibling_down || true
	if module_loaded torfw; then
		torfwctl flush >/dev/null 2>&1 || true
		rmmod torfw 2>/dev/null || true
	fi
	# cn0 as topology.sh makes it, for the scenarios after this one.
	[ -e /sys/class/net/cn0 ] || topo_clearnet_link || true
	return 0
}
trap cleanup EXIT

# module_off: no torfw (a previous scenario may have left it loaded).
module_off() {
	if module_loaded torfw; then
		torfwctl flush >/dev/null
		rmmod torfw
	fi
}

# recreate_cn0: the clearnet veth pair deleted and made again, peer in
# the namespace at creation (the namespace's default route goes with it;
# topo_clearnet_link puts it back).
recreate_cn0() {
	ip link del cn0
	topo_clearnet_link
}

# ---- setup -------------------------------------------------------------------

topo_up
module_off
topo_sibling_down

mkdir -p "${GRANT_CONF%/*}"
cat >"$GRANT_CONF" <<'EOF'
# 22-netns-order: host services the clearnet namespace may reach.
allow tcp 10.200.1.1:7790 netns clearnet
allow udp 10.200.1.1:7791 netns clearnet
EOF

# Host services on every address (7777/7778: granted to nobody; 7790/7791:
# granted to clearnet on 10.200.1.1), a server in the clearnet namespace.
svc_listen tcp 0.0.0.0 7777
svc_listen udp 0.0.0.0 7778
svc_listen tcp 0.0.0.0 7790
svc_listen udp 0.0.0.0 7791
svc_spawn /sbin/ip netns exec clearnet socat TCP4-LISTEN:7779,reuseaddr,fork PIPE
topo_wait_ns clearnet tcp:7779

# ---- the cases ---------------------------------------------------------------

# matrix PHASE: every case of the header, PHASE prefixing each.
matrix() {
	local p=$1 u

	# The granted namespace: out through the uplinks only.
	check "$p: clearnet ns reaches the Internet (tcp 192.0.2.1:80)" \
		n_clearnet http_get 192.0.2.1 80
	check "$p: clearnet ns reaches the Internet (udp 192.0.2.1:7)" \
		n_clearnet udp_echo 192.0.2.1 7
	check "$p: clearnet ns reaches the LAN host (tcp 192.168.50.1:8080)" \
		n_clearnet http_get 192.168.50.1 8080
	blocked "$p: clearnet ns: no tcp to the sibling ns (10.200.2.2:7781)" \
		n_clearnet tcp_echo 10.200.2.2 7781
	blocked "$p: clearnet ns: no udp to the sibling ns (10.200.2.2:7782)" \
		n_clearnet udp_echo 10.200.2.2 7782
	blocked "$p: clearnet ns: no tcp to the host's lan0 address (192.168.50.2:7777)" \
		n_clearnet tcp_echo 192.168.50.2 7777
	blocked "$p: clearnet ns: no tcp to the host's cn0 address (10.200.1.1:7777)" \
		n_clearnet tcp_echo 10.200.1.1 7777
	blocked "$p: clearnet ns: no udp to the host's cn0 address (10.200.1.1:7778)" \
		n_clearnet udp_echo 10.200.1.1 7778
	blocked "$p: clearnet ns: no tcp to the host's vsb0 address (10.200.2.1:7777)" \
		n_clearnet tcp_echo 10.200.2.1 7777

	# Its grant-service entries: in, and the reply out through cn0.
	check "$p: grant-service: clearnet ns tcp 10.200.1.1:7790 (allow-listed for it) echoes" \
		n_clearnet tcp_echo 10.200.1.1 7790
	check "$p: grant-service: clearnet ns udp 10.200.1.1:7791 (allow-listed for it) echoes" \
		n_clearnet udp_echo 10.200.1.1 7791

	# The ungranted namespace: nowhere.
	blocked "$p: sibling ns: no tcp to the clearnet ns (10.200.1.2:7779)" \
		n_sibling tcp_echo 10.200.1.2 7779
	blocked "$p: sibling ns: no Internet (tcp 192.0.2.1:80)" \
		n_sibling http_get 192.0.2.1 80
	blocked "$p: sibling ns: no Internet (udp 192.0.2.1:7)" \
		n_sibling udp_echo 192.0.2.1 7
	blocked "$p: sibling ns: not the clearnet ns's grant-service (tcp 10.200.1.1:7790)" \
		n_sibling tcp_echo 10.200.1.1 7790

	# Host programs: not through a namespace link, whoever they are.
	for u in amnesia root stranger debian-tor clearnet; do
		refused_econn "$p: host: $u tcp 10.200.2.2:7781 (sibling ns) is refused at once" \
			as $u svc_tcp 10.200.2.2 7781
	done
	for u in amnesia root stranger; do
		refused_econn "$p: host: $u tcp 10.200.1.2:7779 (clearnet ns) is refused at once" \
			as $u svc_tcp 10.200.1.2 7779
	done
	refused "$p: host: amnesia udp 10.200.2.2:7782 (sibling ns) is refused at once" \
		as amnesia udp_echo 10.200.2.2 7782
}

# ---- 1. the order of a real boot: module and policy first --------------------

modprobe torfw
torfwctl load "$REFERENCE_CONF" >/dev/null
note "module first: $(torfwctl status | grep -E '^(generation|entries):' | tr '\n' ' ')"
topo_sibling
topo_wait_ns sibling tcp:7781 udp:7782
recreate_cn0
check "module first: cn0 made after the policy (peer created in clearnet): clearnet ns tcp 192.0.2.1:80 is forwarded" \
	n_clearnet http_get 192.0.2.1 80
recreate_cn0
check "module first: cn0 deleted and made again: clearnet ns tcp 192.0.2.1:80 is forwarded" \
	n_clearnet http_get 192.0.2.1 80
matrix "module first"

# ---- 2. the reverse order: the namespaces and veths first --------------------

module_off
topo_sibling_down
ip link del cn0
topo_sibling
topo_clearnet_link
topo_wait_ns sibling tcp:7781 udp:7782
modprobe torfw
torfwctl load "$REFERENCE_CONF" >/dev/null
note "namespaces first: $(torfwctl status | grep -E '^(generation|entries):' | tr '\n' ' ')"
matrix "namespaces first"

note "torfw's counters after both orders:" \
	"$(torfwctl stats | grep -E '^ *(grant-forward|grant-service|forward|inbound|lan|loopback|netns-link) ' || true)"
