#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The end of TCP connections and the Tor role on loopback (issue 12), with
# the reference policy:
#
#   1. Teardown. When the host closes first (amnesia to a LAN host,
#      debian-tor to the Internet), the closing segments pass: the FIN/ACK
#      and whatever data an orphaned socket (after close()) still sends,
#      and the ACK of a TIME_WAIT socket for the peer's FIN. So the peer
#      reaches CLOSED at once (no LAST_ACK lingering: checked with ss in
#      its namespace), sends its FIN once (a capture at the far end), and
#      torfw neither counts nor logs a refusal with reason nosock.
#   2. A SYN that matches a host TIME_WAIT socket is not accepted inbound:
#      debian-tor connects from 192.0.2.2:7796 to 192.0.2.1:7795 and
#      closes first (the host keeps the TIME_WAIT); debian-tor then
#      listens on 7796 (a relay's listener: its SYN-ACK would pass the
#      Tor role), and the internet namespace connects from 192.0.2.1:7795
#      to 192.0.2.2:7796. The connection must not be established, and no
#      half-open one may appear on the host.
#   3. The Tor role (debian-tor) reaches every IPv4 loopback port, also
#      those whose allow-list entry does not name it (OnionShare 17600,
#      CUPS 631, accessibility 4101, DNSPort 5353); IPv6 loopback stays
#      allow-list only; the others keep their allow-list answers.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

cleanup() {
	svc_stop_all
	rm -f /tmp/torfw-td.bytes /tmp/torfw-td.bytes.tmp
	if module_loaded torfw; then
		torfwctl flush >/dev/null 2>&1 || true
		rmmod torfw 2>/dev/null || true
	fi
	return 0
}
trap cleanup EXIT

policy_up

# Servers of the far ends. The echo servers close a second after their
# EOF: after the host's client has closed, so the host closes first and
# the ACK of their FIN comes from a TIME_WAIT socket.
for ns_port in lan:7792 internet:7793; do
	svc_spawn /sbin/ip netns exec "${ns_port%:*}" socat -t3 \
		"TCP4-LISTEN:${ns_port#*:},reuseaddr,fork" "EXEC:$GUEST/echo-late.sh"
done
# A receiver that reads nothing for a second, through a small buffer.
svc_spawn /sbin/ip netns exec lan socat -u \
	TCP4-LISTEN:7794,reuseaddr,fork,rcvbuf=4096 \
	"EXEC:$GUEST/slow-sink.sh /tmp/torfw-td.bytes"
# One connection only (no fork): nothing listens on 7795 afterwards.
svc_spawn /sbin/ip netns exec internet socat TCP4-LISTEN:7795,reuseaddr PIPE
topo_wait_ns lan tcp:7792 tcp:7794
topo_wait_ns internet tcp:7793 tcp:7795

# ---- 1. teardown -------------------------------------------------------------

# teardown_case DESC USER NS PEER PORT FARDEV PROBE...: PROBE (a function
# of lib/) run as USER reaches PEER:PORT in namespace NS and closes first;
# then the peer's sockets on PORT, its FINs as FARDEV (in NS) saw them,
# torfw's nosock counter and kernel log.
teardown_case() {
	local desc=$1 user=$2 ns=$3 peer=$4 port=$5 dev=$6 nosock fins
	shift 6
	nosock=$(stat_settle nosock)
	klog_mark
	cap_start "$dev" "tcp port $port" "$ns"
	check "teardown, $desc: $user's connection works and $user closes first" \
		as "$user" "$@"
	check "teardown, $desc: the peer's socket is CLOSED within 3 s (no LAST_ACK)" \
		tcp_gone "$ns" "$port" 3
	cap_stop
	fins=$(cap_fins "$peer")
	if [ "$fins" = 1 ]; then
		ok "teardown, $desc: the peer sent its FIN once (no retransmission)"
	else
		fail "teardown, $desc: the peer sent its FIN once (no retransmission)" \
			"FIN segments from $peer at $dev: $fins" "$(cap_show '')"
	fi
	check "teardown, $desc: torfw counted no nosock refusal" \
		stat_same nosock "$nosock"
	check "teardown, $desc: torfw logged no reason=nosock refusal (to $peer:$port)" \
		klog_lacks "$peer:$port reason=nosock"
	tcp_kill_left "$ns" "$port"
}

teardown_case "amnesia to the LAN host" amnesia lan 192.168.50.1 7792 lan1 \
	tcp_echo 192.168.50.1 7792
teardown_case "debian-tor to the Internet" debian-tor internet 192.0.2.1 7793 up1 \
	tcp_echo 192.0.2.1 7793

# The orphan's own data: the receiver reads nothing for a second, so
# close() leaves most of the bytes and the FIN in the send queue.
BYTES=200000
rm -f /tmp/torfw-td.bytes
nosock=$(stat_settle nosock)
klog_mark
check "teardown, queued at close(): amnesia writes $BYTES bytes to the LAN host and closes at once" \
	as amnesia tcp_send_close 192.168.50.1 7794 $BYTES
# sink_got N: the receiver counted N bytes up to the FIN (5 s at most).
sink_got() {
	local i=0
	until [ -e /tmp/torfw-td.bytes ]; do
		i=$((i + 1))
		if [ $i -gt $((50 * SLOW)) ]; then
			echo "no FIN after 5 s; the receiver's socket: $(tcp_sockets lan 7794)"
			return 1
		fi
		sleep 0.1
	done
	echo "the receiver counted $(cat /tmp/torfw-td.bytes) bytes"
	[ "$(cat /tmp/torfw-td.bytes)" = "$1" ]
}
check "teardown, queued at close(): the orphaned socket delivers all $BYTES bytes and its FIN" \
	sink_got $BYTES
check "teardown, queued at close(): the receiver's socket is CLOSED within 3 s (no LAST_ACK)" \
	tcp_gone lan 7794 3
check "teardown, queued at close(): torfw counted no nosock refusal" \
	stat_same nosock "$nosock"
check "teardown, queued at close(): torfw logged no reason=nosock refusal (to 192.168.50.1:7794)" \
	klog_lacks "192.168.50.1:7794 reason=nosock"
tcp_kill_left lan 7794

# ---- 2. a SYN for a host TIME_WAIT socket -------------------------------------

check "TIME_WAIT: debian-tor connects from 192.0.2.2:7796 to 192.0.2.1:7795 and closes first" \
	as debian-tor tcp_echo_from 192.0.2.1 7795 7796
sleep 1
check "TIME_WAIT: the host has a TIME-WAIT socket 192.0.2.2:7796 -> 192.0.2.1:7795 (and no other)" \
	tcp_tw_alone - 7796 192.0.2.1:7795
# If the peer lingers in LAST_ACK (the teardown above, not this case),
# its socket holds the 4-tuple and the SYN below could not even be sent:
# it goes (ss -K; nothing is sent for a LAST_ACK socket).
left=$(tcp_sockets internet 7795)
if [ -n "$left" ]; then
	note "TIME_WAIT: the peer's socket lingers (killed with ss -K): $left"
	tcp_kill_left internet 7795
fi
svc_listen tcp 0.0.0.0 7796 debian-tor
blocked "TIME_WAIT: a SYN from 192.0.2.1:7795 to the host's 192.0.2.2:7796 (debian-tor listens) is not accepted" \
	n_internet tcp_connect_from 192.0.2.2 7796 192.0.2.1 7795
check "TIME_WAIT: the host's only socket on 7796 is still that TIME-WAIT (no new connection, no SYN-RECV)" \
	tcp_tw_alone - 7796 192.0.2.1:7795

# ---- 3. the Tor role on loopback ------------------------------------------------

svc_listen tcp 127.0.0.1 17600
svc_listen tcp 127.0.0.1 631
svc_listen tcp 127.0.0.1 4101
svc_listen tcp ::1 4101
svc_listen udp 127.0.0.1 5353

check "Tor role: debian-tor connects to tcp 127.0.0.1:17600 (OnionShare, listed for amnesia only)" \
	as debian-tor svc_tcp 127.0.0.1 17600
check "Tor role: debian-tor connects to tcp 127.0.0.1:631 (CUPS, listed for amnesia only)" \
	as debian-tor svc_tcp 127.0.0.1 631
check "Tor role: debian-tor connects to tcp 127.0.0.1:4101 (listed for amnesia and Debian-gdm)" \
	as debian-tor svc_tcp 127.0.0.1 4101
check "Tor role: debian-tor's udp 127.0.0.1:5353 (listed for amnesia and htp) is answered" \
	as debian-tor udp_echo 127.0.0.1 5353
refused_econn "Tor role: debian-tor tcp [::1]:4101 is refused at once (IPv6 loopback: allow-list only)" \
	as debian-tor svc_tcp ::1 4101
refused_econn "loopback: stranger tcp 127.0.0.1:17600 is still refused at once" \
	as stranger svc_tcp 127.0.0.1 17600
check "loopback: amnesia still connects to tcp 127.0.0.1:17600" \
	as amnesia svc_tcp 127.0.0.1 17600
