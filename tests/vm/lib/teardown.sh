# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# Helpers of 23-teardown: the end of TCP connections (who closes first,
# orphaned and TIME_WAIT sockets) seen from both ends. Sourced by
# common.sh, so that the probes below also exist in the fresh shells of
# 'as USER' and in_ns; defines only.

# ---- probes (run as some user, or in some namespace) -------------------------

# tcp_echo_from HOST PORT SPORT: tcp_echo from the local port SPORT
# (SO_REUSEADDR). Like tcp_echo, this side closes first: socat shuts its
# sending side down when its input ends and closes as soon as the echo is
# back, before the peer (which waits 0.5 s after its EOF) sends its FIN.
tcp_echo_from() {
	local reply
	reply=$(echo torfw-probe | socat -T3 -t3 - \
		"TCP4:$1:$2,sourceport=$3,reuseaddr,connect-timeout=2,readbytes=12") ||
		return 1
	[ "$reply" = torfw-probe ] || { echo "tcp_echo_from: reply '$reply'"; return 1; }
}

# tcp_send_close HOST PORT BYTES: connects, writes BYTES bytes and closes.
# The send buffer (2 MiB) takes them all at once, whatever the peer reads:
# if the peer does not read yet (guest/slow-sink.sh), close() leaves the
# rest of the data and the FIN to the orphaned socket.
tcp_send_close() {
	head -c "$3" /dev/zero |
		socat -u - "TCP4:$1:$2,sndbuf=1048576,connect-timeout=2"
}

# tcp_connect_from HOST PORT SRC SPORT: a TCP connection to HOST:PORT from
# SRC:SPORT (SO_REUSEADDR); succeeds only once it is established (then
# closes it).
tcp_connect_from() {
	socat -u /dev/null \
		"TCP4:$1:$2,bind=$3:$4,reuseaddr,connect-timeout=3"
}

# ---- observations (as root, from the initial namespace) ----------------------

# tcp_sockets NS PORT: the TCP sockets of namespace NS ("-" for the
# initial one) whose local port is PORT, listeners excepted, one a line:
# "STATE LOCAL PEER".
tcp_sockets() {
	local pre=
	[ "$1" = - ] || pre="/sbin/ip netns exec $1"
	$pre /bin/ss -Htan "sport = :$2" |
		awk '$1 != "LISTEN" { print $1, $4, $5 }'
}

# tcp_gone NS PORT [SECONDS]: waits (3 s by default, times TORFW_VM_SLOW)
# until NS has no socket on PORT but its listener: every connection there
# reached CLOSED. Prints what is left when it fails.
tcp_gone() {
	local end s
	end=$(($(now_cs) + ${3:-3} * ${SLOW:-1} * 100))
	while :; do
		s=$(tcp_sockets "$1" "$2")
		[ -n "$s" ] || { echo "no socket on port $2 but the listener"; return 0; }
		[ "$(now_cs)" -lt "$end" ] || break
		sleep 0.2
	done
	echo "still there after ${3:-3} s:" "$s"
	return 1
}

# tcp_kill_left NS PORT: NS's sockets on PORT but the listeners destroyed
# (ss -K; nothing is sent for a LAST_ACK one): a peer that lingers
# retransmits to the host for a minute, which the next case would count.
tcp_kill_left() {
	/sbin/ip netns exec "$1" /bin/ss -K -ta exclude listening "sport = :$2" \
		>/dev/null 2>&1 || true
}

# tcp_only NS PORT STATE: every socket of NS on PORT but the listeners is
# in STATE (an ss name: TIME-WAIT, ESTAB, ...). Prints them all.
tcp_only() {
	local all
	all=$(tcp_sockets "$1" "$2")
	echo "port $2: ${all:-no socket}"
	! echo "$all" | grep -v "^$3 " | grep -q .
}

# tcp_tw_alone NS PORT PEER: NS's only socket on PORT, but the listeners,
# is a TIME-WAIT one with PEER at the other end.
tcp_tw_alone() {
	tcp_has "$1" "$2" TIME-WAIT "$3" && tcp_only "$1" "$2" TIME-WAIT
}

# tcp_has NS PORT STATE PEER: NS has a socket on PORT in STATE with PEER
# ("ADDR:PORT") at the other end.
tcp_has() {
	local all
	all=$(tcp_sockets "$1" "$2")
	echo "port $2: ${all:-no socket}"
	echo "$all" | grep -q "^$3 .* $4\$"
}

# stat_same REASON BEFORE: torfw's counter of REASON is still BEFORE.
stat_same() {
	local now
	now=$(stat_reason "$1")
	echo "$1: $2 before, $now now"
	[ "$now" = "$2" ]
}

# stat_settle REASON: waits until torfw's counter of REASON stays the same
# for 2 s (20 s at most): what earlier cases left (a peer retransmitting
# to a closed socket) is over. Prints the counter's last value.
stat_settle() {
	local last now i=0
	last=$(stat_reason "$1")
	while [ $i -lt 10 ]; do
		sleep 2
		now=$(stat_reason "$1")
		[ "$now" = "$last" ] && { echo "$now"; return 0; }
		last=$now
		i=$((i + 1))
	done
	echo "$now"
}

# klog_lacks TEXT: no torfw line of the kernel log since klog_mark
# contains TEXT (the first ones are printed when some does).
klog_lacks() {
	local lines
	lines=$(dmesg | tail -n +"$((${KLOG_MARK:-0} + 1))" | grep -F 'torfw: ' |
		grep -F -- "$1" || true)
	[ -z "$lines" ] && return 0
	echo "$lines" | head -n 5
	return 1
}

# cap_fins SRC: FIN segments from SRC in the last capture (cap_start).
cap_fins() {
	cap_count "src host $1 and tcp[tcpflags] & tcp-fin != 0"
}
