# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# The leak suite's additions to the test network, its probes, its case
# runner and its packet-capture leak detector. Sourced by scenarios 5x and
# by lib/leakprobe.sh (the shell that runs one probe as some user); defines
# only.
#
# Additions to topology.sh:
#
#   up0  192.0.2.2/24    everything that is not below
#        192.0.2.3/32    Tor's own connections only (OutboundBindAddress)
#        192.0.2.4/32    the probes of the clearnet uid only
#   internet ns: static neighbours for .3 and .4; a netdev ingress chain
#        on up1 that duplicates every packet that is neither Tor's nor
#        clearnet's (the same rule as the detector's, below) to the veth
#        lk1, whose peer lk0 in the initial namespace counts them in its
#        rx_packets: "inet" in WATCH_DEVS (tx_packets is extended for
#        it), the number of packets that reached the Internet and were
#        not allowed to. lk0 has no address and IPv6 off: it never sends,
#        and what it receives is for another MAC (dropped before IP).
#   host: stand-ins for the allow-listed local services that are not
#        Tor's (control-port filter 951, accessibility 4101 on IPv4 and
#        IPv6, CUPS 631, OnionShare 17600 and 17650), one just outside the
#        OnionShare range (17651) and unlisted ports (5555 on 127.0.0.1
#        and ::1): socat echo servers run by root; a host service on every
#        address (tcp and udp 7777) for the clearnet namespace to fail to
#        reach; the sctp module; IGMP reports sent at once on a join.
#
# The detector: two captures for the whole suite, classified alike:
#   up0  tcpdump -Q out on up0 (only what the host sent, after every hook:
#        the capture tap runs when the driver gets the frame);
#   up1  tcpdump -Q in on up1, in the internet namespace: what arrived at
#        the far end of the uplink (through the bridge of topology.sh),
#        whatever sent it. A direct-transmit path (an AF_XDP socket in copy
#        mode) skips up0's egress hooks and even its -Q out capture; it
#        cannot skip the wire.
# Every frame is classified by tcpdump filters:
#   tor            IPv4 from 192.0.2.3, TCP or UDP to port 53
#   clearnet-uid   IPv4 from 192.0.2.4, TCP or UDP to port 53
#   clearnet-ns    IPv4 from 10.200.1.0/24, TCP or UDP (forwarded)
#   arp            ARP: no content of ours, counted apart (the neighbours
#                  are static, so none is expected; not a leak). IPv6
#                  neighbour discovery and MLD, by contrast, are IPv6
#                  leaks: torfw refuses them (no owning socket) and the
#                  static neighbours make them needless.
# and everything else is a leak, in one of four classes:
#   ipv4-tcp, ipv4-non-tcp, ipv6, non-ip.
# A leak class that is not empty, at either end, fails the suite; the
# anti-test (55-anti) runs the probes without the module and needs every
# class to be non-empty at both ends: proof that the detector sees what
# it should.

LEAK_STATE=/run/torfw-leak
LEAK_STAMP=$LEAK_STATE/up
LEAK_PIDS=$LEAK_STATE/pids
LEAKPROBE=/tests/vm/lib/leakprobe.sh

LEAK_TOR_SRC=192.0.2.3
LEAK_CLEARNET_SRC=192.0.2.4
LEAK_CLEARNET_NET=10.200.1.0/24
LEAK_HOST_PORT=7777
# Stand-ins for local services (IPv4 unless bracketed).
LEAK_LO_PORTS='951 4101 631 17600 17650 17651 5555'
LEAK_LO6_PORTS='4101 5555'

# tcpdump filters of the classes above (the capture holds only what up0
# sent). ALLOWED is what the policy lets leave through up0.
LEAK_F_ALLOWED="(ip and (src host $LEAK_TOR_SRC or src host $LEAK_CLEARNET_SRC) and (tcp or udp dst port 53)) or (ip and src net $LEAK_CLEARNET_NET and (tcp or udp))"
LEAK_CLASSES='ipv4-tcp ipv4-non-tcp ipv6 non-ip'

# The frames that are not allowed (not ALLOWED, not ARP).
leak_filter() {
	local base="not ($LEAK_F_ALLOWED) and not arp"
	case $1 in
	all) echo "$base" ;;
	ipv4-tcp) echo "$base and ip and tcp" ;;
	ipv4-non-tcp) echo "$base and ip and not tcp" ;;
	ipv6) echo "$base and ip6" ;;
	non-ip) echo "$base and not ip and not ip6" ;;
	tor) echo "ip and src host $LEAK_TOR_SRC and (tcp or udp dst port 53)" ;;
	clearnet-uid) echo "ip and src host $LEAK_CLEARNET_SRC and (tcp or udp dst port 53)" ;;
	clearnet-ns) echo "ip and src net $LEAK_CLEARNET_NET and (tcp or udp)" ;;
	arp) echo arp ;;
	esac
}

# ---- network additions -------------------------------------------------

# leak_spawn CMD...: a host process of ours, killed by leak_down.
leak_spawn() {
	"$@" </dev/null >/dev/null 2>&1 &
	echo $! >>"$LEAK_PIDS"
}

leak_counter_up() {
	local m
	/sbin/ip link add lk0 type veth peer name lk1 netns internet
	topo_v6_off lk0
	n_internet topo_v6_off lk1
	/sbin/ip link set lk0 up
	/sbin/ip -n internet link set lk1 up
	m=$(printf '%s, ' $LEAK_TOR_SRC $LEAK_CLEARNET_SRC)
	/sbin/ip netns exec internet /usr/sbin/nft -f - <<EOF
table netdev torfw_leak {
	chain up1 {
		type filter hook ingress device "up1" priority 0; policy accept;
		ip saddr { ${m%, } } meta l4proto tcp accept
		ip saddr { ${m%, } } udp dport 53 accept
		ip saddr $LEAK_CLEARNET_NET meta l4proto { tcp, udp } accept
		ether type arp accept
		dup to "lk1"
	}
}
EOF
}

# leak_up: topology, the additions above, the SCTP module; idempotent.
leak_up() {
	local p
	topo_up
	[ -e "$LEAK_STAMP" ] && return 0
	mkdir -p "$LEAK_STATE"
	: >"$LEAK_PIDS"
	/sbin/ip addr add $LEAK_TOR_SRC/32 dev up0
	/sbin/ip addr add $LEAK_CLEARNET_SRC/32 dev up0
	topo_neigh up1 $LEAK_TOR_SRC "$MAC_UP0" internet
	topo_neigh up1 $LEAK_CLEARNET_SRC "$MAC_UP0" internet
	# An IGMP report at once when a group is joined (default: within 1 s).
	setsys net/ipv4/conf/up0/igmpv3_unsolicited_report_interval 10
	leak_counter_up
	for p in $LEAK_LO_PORTS; do
		leak_spawn socat "TCP4-LISTEN:$p,bind=127.0.0.1,fork,reuseaddr" PIPE
	done
	for p in $LEAK_LO6_PORTS; do
		leak_spawn socat "TCP6-LISTEN:$p,bind=[::1],fork,reuseaddr" PIPE
	done
	leak_spawn socat TCP4-LISTEN:$LEAK_HOST_PORT,fork,reuseaddr PIPE
	leak_spawn socat -T1 UDP4-RECVFROM:$LEAK_HOST_PORT,fork PIPE
	modprobe sctp 2>/dev/null || true
	for p in $LEAK_LO_PORTS $LEAK_HOST_PORT; do
		wait_listen "$p" || { echo "leak_up: nothing listens on $p" >&2; return 1; }
	done
	touch "$LEAK_STAMP"
}

# leak_down: back to topology.sh's network (what leak_up added goes).
leak_down() {
	# shellcheck disable=SC2046 # one word per pid
	[ -s "$LEAK_PIDS" ] && kill $(cat "$LEAK_PIDS") 2>/dev/null
	/sbin/ip link del lk0 2>/dev/null
	/sbin/ip netns exec internet /usr/sbin/nft delete table netdev torfw_leak 2>/dev/null
	/sbin/ip addr del $LEAK_TOR_SRC/32 dev up0 2>/dev/null
	/sbin/ip addr del $LEAK_CLEARNET_SRC/32 dev up0 2>/dev/null
	/sbin/ip -n internet neigh del $LEAK_TOR_SRC dev up1 2>/dev/null
	/sbin/ip -n internet neigh del $LEAK_CLEARNET_SRC dev up1 2>/dev/null
	rm -f "$LEAK_PIDS" "$LEAK_STAMP"
	return 0
}

# "inet" is a pseudo device of WATCH_DEVS: the packets that reached the
# internet namespace and were not allowed to (leak_counter_up).
tx_packets() {
	case $1 in
	inet) cat /sys/class/net/lk0/statistics/rx_packets ;;
	*) cat "/sys/class/net/$1/statistics/tx_packets" ;;
	esac
}

# ---- probes (run as some user through lib/leakprobe.sh) -----------------

# The source address of this user's probes towards the Internet: Tor's
# and the clearnet uid's own (so the detector can tell them apart), the
# kernel's choice (192.0.2.2) for anyone else.
leak_src() {
	case $(id -u) in
	107) echo $LEAK_TOR_SRC ;;
	108) echo $LEAK_CLEARNET_SRC ;;
	esac
}

# leak_src_for DEST: leak_src for an Internet destination through up0,
# nothing for the LAN, loopback and IPv6.
leak_src_for() {
	case $1 in
	*:* | 127.* | 10.* | 192.168.*) ;;
	*) leak_src ;;
	esac
}

# lp_http HOST PORT: common.sh's http_get, from leak_src_for HOST.
lp_http() {
	local body src
	src=$(leak_src_for "$1")
	body=$(curl -sS -v --max-time 8 ${src:+--interface "$src"} \
		"http://$(sock_addr "$1" "$2")/" 2>/tmp/curl.$$) || {
		grep -Ei '^\* .*(fail|refused|denied|permitted|unreachable)|^curl:' \
			/tmp/curl.$$
		rm -f /tmp/curl.$$
		return 1
	}
	rm -f /tmp/curl.$$
	[ "$body" = torfw-ok ] || { echo "lp_http: unexpected body '$body'"; return 1; }
}

# lp_dns SERVER [udp|tcp] [PORT] [NAME]: one query (dig, no retry), an
# answer with status NOERROR.
lp_dns() {
	local out tcp='' rc=0 src
	src=$(leak_src_for "$1")
	[ "${2:-udp}" = tcp ] && tcp=+tcp
	out=$(dig @"$1" -p "${3:-53}" ${src:+-b "$src"} $tcp +tries=1 +time=2 \
		+noidnin +noidnout "${4:-torfw.test}" A 2>&1) || rc=$?
	echo "$out" | grep -Ei '^;; (communications error|connection|no servers)|status:|IN[[:space:]]+A[[:space:]]'
	[ $rc -eq 0 ] && echo "$out" | grep -q 'status: NOERROR'
}

# lp_udp HOST PORT: a datagram there, its echo back (common.sh udp_echo).
lp_udp() {
	local proto=UDP4 src reply
	case $1 in *:*) proto=UDP6 ;; esac
	src=$(leak_src_for "$1")
	reply=$(echo torfw-probe | socat -T3 -t3 - \
		"$proto:$(sock_addr "$1" "$2"),readbytes=12${src:+,bind=$src}") ||
		return 1
	[ "$reply" = torfw-probe ] || { echo "lp_udp: no reply"; return 1; }
}

# lp_icmp HOST: one echo request, the reply within 2 s (no reply: "timed
# out", for error_class).
lp_icmp() {
	local src
	src=$(leak_src_for "$1")
	ping -n -c 1 -W 2 ${src:+-I "$src"} "$1" && return 0
	echo "lp_icmp: no reply, timed out"
	return 1
}

# lp_tcp HOST PORT: a TCP connection is established (then closed).
lp_tcp() {
	local proto=TCP4 src
	case $1 in *:*) proto=TCP6 ;; esac
	src=$(leak_src_for "$1")
	socat -u /dev/null \
		"$proto:$(sock_addr "$1" "$2"),connect-timeout=3${src:+,bind=$src}"
}

# lp_sctp HOST PORT: an SCTP association (INIT) to HOST; nothing listens
# there, so even unfiltered it ends in an ABORT: the probe "passes" only
# in the sense that packets leave (55-anti).
lp_sctp() {
	socat -u /dev/null "SCTP4-CONNECT:$1:$2,connect-timeout=3"
}

# lp_tcprepair HOST PORT: TCP without a handshake. A socket put in repair
# mode (TCP_REPAIR, needs CAP_NET_ADMIN) before connect() is established
# at once, without a SYN; leaving repair mode sends a window probe (an
# ACK) and the write a data segment. Neither belongs to a connection that
# any hook saw start. It always "fails": whether something left is for
# the counters to say.
lp_tcprepair() {
	echo torfw-repair | socat -u - \
		"TCP4:$1:$2,setsockopt-listen=6:19:x01000000,setsockopt-int=6:19:0"
	echo "lp_tcprepair: socat exit status $?"
	return 1
}

# lp_mcast4 GROUP / lp_mcast6 GROUP: joins GROUP on up0 (what any user may
# do), which makes the kernel announce it: an IGMP or MLD report, sent
# with no socket of the user's. Runs until killed.
lp_mcast4() { socat -u "UDP4-RECV:5000,ip-add-membership=$1:up0" /dev/null; }
lp_mcast6() { socat -u "UDP6-RECV:5000,ipv6-join-group=[$1]:up0" /dev/null; }

# lp_rawip proto253|tcp-ack: one IPv4 packet 192.0.2.2 -> 192.0.2.1 built
# here and sent through a SOCK_RAW IPPROTO_RAW socket (header included):
# IP protocol 253 (experimental), or a TCP ACK with data to port 80 that
# belongs to no connection.
lp_rawip() {
	local hex
	case $1 in
	proto253) hex=450000241234000040fde3a5c0000202c0000201746f7266772d6c65616b2d70726f6265 ;;
	tcp-ack) hex=45000038123500004006e487c0000202c00002019c900050000003e8000007d05018040051070000746f7266772d6c65616b2d70726f6265 ;;
	*) echo "lp_rawip: $1?"; return 2 ;;
	esac
	echo "$hex" | xxd -r -p |
		socat -u - SOCKET-SENDTO:2:3:255:x0000xc0000201x0000000000000000
}

# lp_frame ether|ipv4: one Ethernet frame from an AF_PACKET socket on up0
# to the internet router's MAC: ethertype 0x88b5 (local experimental) or
# an IPv4/UDP datagram to 192.0.2.1:7. tools/rawsend when it is there,
# else socat's INTERFACE address (the same packet socket).
lp_frame() {
	local hex
	if [ -x /tests/vm/tools/rawsend ]; then
		/tests/vm/tools/rawsend -n 1 -d "$MAC_UP1" up0 "$1"
		return
	fi
	case $1 in
	ether) hex=${MAC_UP1}${MAC_UP0}88b5 ;;
	ipv4) hex=${MAC_UP1}${MAC_UP0}0800450000241234000040110000c0000202c00002019c4700070010000074657374 ;;
	*) echo "lp_frame: $1?"; return 2 ;;
	esac
	printf '%s%092d' "$(echo "$hex" | tr -d :)" 0 | cut -c 1-120 | xxd -r -p |
		socat -u - INTERFACE:up0
}

# ---- running a case ------------------------------------------------------

# watch_mark / watch_deltas of common.sh without a process per device (the
# matrix runs hundreds of cases under TCG): the same variables. The
# counters are read in a subshell: there, unlike in the scenario's shell,
# no child can end during the read (ash's read fails on the SIGCHLD).
watch_mark() {
	local d
	WATCH_MARK=
	for d in $WATCH_DEVS; do
		WATCH_MARK="$WATCH_MARK $d=$(leak_tx "$d")"
	done
}

watch_deltas() {
	local m d n out=
	WATCH_SENT=0
	for m in $WATCH_MARK; do
		d=${m%%=*}
		n=$(($(leak_tx "$d") - ${m#*=}))
		WATCH_SENT=$((WATCH_SENT + n))
		out="$out $d+$n"
	done
	WATCH_DELTAS=${out# }
}

# leak_tx DEV: tx_packets of DEV, or of "inet" (see tx_packets).
leak_tx() {
	local v
	if [ "$1" = inet ]; then
		read -r v </sys/class/net/lk0/statistics/rx_packets
	else
		read -r v <"/sys/class/net/$1/statistics/tx_packets"
	fi
	echo "$v"
}

# now_cs and record of common.sh, without their sed and tr processes.
now_cs() {
	local t
	read -r t _ </proc/uptime
	t=${t%.*}${t#*.}
	while [ "${t#0}" != "$t" ] && [ -n "${t#0}" ]; do t=${t#0}; done
	echo "$t"
}

record() {
	say '#case\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
}

# error_class of common.sh, the same classes, read without a process
# (it runs for every refusal).
error_class() {
	local line out='' last=''
	while IFS= read -r line; do
		out="$out $line"
		[ -z "$line" ] || last=$line
	done <"$PROBE_OUT"
	case $out in
	*[Pp]ort\ [Uu]nreachable*) echo ICMP-port-unreachable ;;
	*[Pp]rohibited* | *[Pp]acket\ filtered*) echo ICMP-prohibited ;;
	*[Hh]ost\ [Uu]nreachable* | *[Nn]o\ route\ to\ host*) echo EHOSTUNREACH ;;
	*[Cc]onnection\ refused*) echo ECONNREFUSED ;;
	*[Oo]peration\ not\ permitted* | *[Pp]ermission\ denied*) echo EPERM ;;
	*[Nn]etwork\ is\ unreachable*) echo ENETUNREACH ;;
	*[Tt]imed\ out* | *[Tt]imeout* | *[Nn]o\ servers\ could\ be\ reached*) echo timeout ;;
	*) echo "rc=$PROBE_RC:$(echo "$last" | cut -c 1-40)" ;;
	esac
}

# Whether leak_case asks torfwctl for the reasons: never while the module
# is unloaded (torfwctl's netlink request would load it again).
LEAK_REASONS=${LEAK_REASONS:-1}
LEAK_SNAP=

# leak_reasons: LEAK_GOT, the refusal reasons (refused or dropped) whose
# counters in 'torfwctl stats' grew since the last call, comma-separated;
# LEAK_SNAP, the counters now ("name=count ...").
leak_reasons() {
	local r
	LEAK_GOT=
	torfwctl stats >"$LEAK_STATE/stats" 2>/dev/null || return 0
	# In a subshell, for its reads (see watch_mark).
	r=$(leak_reasons_diff <"$LEAK_STATE/stats")
	LEAK_GOT=${r%%|*}
	LEAK_SNAP=${r#*|}
}

# leak_reasons_diff < STATS: "GOT|SNAP" against LEAK_SNAP.
leak_reasons_diff() {
	local on=0 name n old now='' got=''
	while read -r name n; do
		case "$name${n:+ $n}" in
		refused*) on=1; continue ;;
		*:) on=0; continue ;;
		esac
		case $n in '' | *[!0-9]*) continue ;; esac
		[ $on = 1 ] || continue
		now="$now $name=$n"
		case "$LEAK_SNAP " in
		*" $name="*) old=${LEAK_SNAP#* "$name"=}; old=${old%% *} ;;
		*) old=$n ;;
		esac
		[ "$n" -gt "$old" ] && got="$got,$name"
	done
	echo "${got#,}|$now"
}

# leak_as UID GID CMD...: CMD (a program: $LEAKPROBE for a function) with
# that uid and gid and no supplementary groups; common.sh's 'as' without
# its two lookups and its second shell.
leak_as() {
	set +x # (leak_trace_on: not into the probe's output)
	local uid=$1 gid=$2
	shift 2
	/usr/bin/setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"
}

# leak_case EXPECT REASON LIMIT USER DESC CMD...
#   EXPECT  pass     CMD succeeds within LIMIT s
#           refused  CMD fails within LIMIT s with an error that is not a
#                    time-out (the sender learnt at once: ECONNREFUSED,
#                    ICMP port unreachable, ...), no device of WATCH_DEVS
#                    sent anything meanwhile, and torfw counted REASON
#           blocked  CMD does not succeed (it may hang: killed after
#                    LIMIT s), nothing is sent, torfw counted REASON
#           leaks    something reached the Internet or the LAN meanwhile
#                    (the anti-test: the probes do leak without torfw)
#   REASON  a reason of kmod/uapi/torfw.h, or "-" (not checked)
#   USER    the record's user field, "amnesia(1000)" or "root(0)@clearnet"
# TAP line: "USER: DESC: EXPECT". '#case' record: DESC alone, and a short
# SEEN: the outcome (pass, the error class or "no answer"), its time, the
# reason torfw counted (all it counted meanwhile when the case fails:
# other flows, Tor's included, count too) and what was sent.
leak_case() {
	local expect=$1 reason=$2 limit=$3 user=$4 desc=$5 why='' tap what sent
	shift 5
	tap="${user%%(*}${user#*)}: $desc: $expect"
	[ "$LEAK_REASONS" = 0 ] || [ -n "$LEAK_SNAP" ] || leak_reasons
	run_case "$limit" "$@"
	LEAK_GOT=
	[ "$LEAK_REASONS" = 0 ] || leak_reasons
	what=${SEEN%%" "*}
	case $what in
	timeout\(*) what="no answer (killed)" ;;
	rc=*) what="exit ${what#rc=}" what=${what%%:*} ;;
	esac
	sent="nothing sent"
	[ "$WATCH_SENT" -eq 0 ] || sent="sent: $WATCH_DELTAS"
	case $expect in
	pass)
		[ "$PROBE_RC" -eq 0 ] && [ "$PROBE_CS" -lt $((limit * 100)) ] ||
			why="expected success"
		;;
	refused | blocked)
		if [ "$expect" = refused ] && [ "$PROBE_CS" -ge $((limit * 100)) ]; then
			why="not refused within ${limit}s (killed)"
		elif [ "$PROBE_RC" -eq 0 ] && [ "$PROBE_CS" -lt $((limit * 100)) ]; then
			why="it succeeded"
		elif [ "$WATCH_SENT" -ne 0 ]; then
			why="packets left: $WATCH_DELTAS"
		elif [ "$expect" = refused ] && [ "$what" = timeout ]; then
			why="it timed out: the refusal did not reach the sender at once"
		elif [ "$reason" != - ]; then
			case ",$LEAK_GOT," in
			*",$reason,"*) ;;
			*) why="torfw did not count it as '$reason' (counted: ${LEAK_GOT:-nothing})" ;;
			esac
		fi
		;;
	leaks)
		[ "$WATCH_SENT" -gt 0 ] || why="nothing reached the Internet or the LAN"
		sent="reached: $WATCH_DELTAS"
		;;
	*) why="leak_case: unknown expectation '$expect'" ;;
	esac
	# The reason column: the expected one when counted, else everything.
	case ",$LEAK_GOT," in
	*",$reason,"*) [ -n "$why" ] || LEAK_GOT=$reason ;;
	esac
	[ "$expect" != pass ] || [ -n "$why" ] || LEAK_GOT=
	SEEN="$what $(cs_fmt "$PROBE_CS")${LEAK_GOT:+, $LEAK_GOT}"
	[ "$expect" = pass ] && [ -z "$why" ] || SEEN="$SEEN, $sent"
	if [ -z "$why" ]; then
		record "$desc" "$user" "$expect" "$SEEN" ok
		ok "$tap"
	else
		record "$desc" "$user" "$expect" "$SEEN" FAIL
		fail "$tap" "$why" "seen: $SEEN; $WATCH_DELTAS" "command: $*" "$(probe_tail)"
	fi
}

# ---- the matrix ------------------------------------------------------------

# Every user of the reference policy, and one it does not name.
LEAK_USERS='root amnesia debian-tor clearnet _apt proxy nobody htp
	tails-upgrade-frontend tails-iuk-get-target-file Debian-gdm stranger'

# Refusals of locally generated packets are rejected with an error the
# sender sees at once: it must fail within LEAK_REFUSE_LIMIT s, and not
# with a time-out (the probes' own time-outs are 2 s, so a refusal that
# never reached the sender shows as one; the limit leaves room for a slow
# client start on a loaded TCG host). Drops (and SCTP, which waits for
# its INIT timer whatever the error) only need to be silent: 1 s shows it.
LEAK_REFUSE_LIMIT=$((3 * SLOW))
LEAK_BLOCK_LIMIT=$((1 * SLOW))

# leak_ids NAME: LEAK_UID and LEAK_GID of NAME, from a table read once.
LEAK_IDS=
leak_ids() {
	local e
	[ -n "$LEAK_IDS" ] ||
		LEAK_IDS=$(awk -F: '{ printf " %s:%s:%s", $1, $3, $4 }' /etc/passwd)
	case "$LEAK_IDS " in
	*" $1:"*) ;;
	*) LEAK_UID=; LEAK_GID=; return 1 ;;
	esac
	e=${LEAK_IDS#* "$1":}
	e=${e%% *}
	LEAK_UID=${e%:*}
	LEAK_GID=${e#*:}
}

# leak_in_list WORD LIST: LIST is "*" or contains WORD.
leak_in_list() {
	case " $2 " in
	" * " | *" $1 "*) return 0 ;;
	*) return 1 ;;
	esac
}

# leak_matrix TABLE: runs each probe of TABLE as each of its users. One
# probe a line, fields separated by '|':
#   who     users that run it: "*" (LEAK_USERS) or a list
#   what    the case's description
#   pass    users for whom it must succeed ("*": all, "-": none)
#   drop    users for whom it must be dropped silently (blocked)
#   reason  the reason torfw must count when it refuses the others, and
#           after a '/' the one for the dropped users ("-": none)
#   probe   a function of lib/leak.sh or lib/tor.sh and its arguments,
#           run through lib/leakprobe.sh
# Everyone not in pass or drop must be refused.
leak_matrix() {
	leak_each_line "$1" leak_matrix_line
}

leak_matrix_line() {
	leak_fields "$1"
	# shellcheck disable=SC2086 # the probe's words
	leak_probe_users "$F1" "$F2" "$F3" "$F4" "$F5" $F6
}

# leak_each_line TEXT FN: FN LINE for each line of TEXT that is neither
# empty nor a comment. Not a 'while read' loop: in the scenario's shell,
# ash's read fails when a child ends meanwhile (SIGCHLD), which would end
# the loop early, silently.
leak_each_line() {
	local line old=$IFS nl='
'
	set -f
	IFS=$nl
	for line in $1; do
		IFS=$old
		set +f
		case $line in '' | '#'*) continue ;; esac
		$2 "$line"
	done
	IFS=$old
	set +f
}

# leak_fields LINE: F1, F2, ... the '|'-separated fields of LINE.
leak_fields() {
	local old=$IFS
	set -f
	IFS='|'
	# shellcheck disable=SC2086 # split on '|' only
	set -- $1
	IFS=$old
	set +f
	F1=${1:-} F2=${2:-} F3=${3:-} F4=${4:-} F5=${5:-} F6=${6:-}
}

leak_probe_users() {
	local who=$1 what=$2 pass=$3 drop=$4 reason=$5 u expect r limit
	shift 5
	[ "$who" = "*" ] && who=$LEAK_USERS
	for u in $who; do
		leak_ids "$u"
		if leak_in_list "$u" "$pass"; then
			expect=pass r=- limit=$CHECK_LIMIT
		elif leak_in_list "$u" "$drop"; then
			expect=blocked r=${reason#*/} limit=$LEAK_BLOCK_LIMIT
		else
			expect=refused r=${reason%/*} limit=$LEAK_REFUSE_LIMIT
		fi
		leak_case "$expect" "$r" "$limit" "$u($LEAK_UID)" "$what" \
			leak_as "$LEAK_UID" "$LEAK_GID" $LEAKPROBE "$@"
	done
}

# ---- the capture and the detector ----------------------------------------

# leak_capture_start NAME DEV [NS]: tcpdump of what DEV sends (NS: what
# it receives, in namespace NS) into $LEAK_STATE/NAME.pcap, written
# packet by packet; returns once it captures.
leak_capture_start() {
	local name=$1 dev=$2 ns=${3:-} dir=out i=0 pre=
	[ -n "$ns" ] && { dir=in; pre="/sbin/ip netns exec $ns"; }
	rm -f "$LEAK_STATE/$name.pcap"
	# --immediate-mode: with the default block time-out, the frames of
	# the last, partly filled block of the ring are lost when it stops.
	$pre /usr/bin/tcpdump -Z root -n -i "$dev" -Q $dir -U --immediate-mode \
		-w "$LEAK_STATE/$name.pcap" 2>"$LEAK_STATE/$name.err" &
	echo $! >"$LEAK_STATE/$name.pid"
	until grep -q 'listening on' "$LEAK_STATE/$name.err"; do
		i=$((i + 1))
		[ $i -le 100 ] || { cat "$LEAK_STATE/$name.err" >&2; return 1; }
		sleep 0.1
	done
}

leak_capturing() {
	[ -s "$LEAK_STATE/$1.pid" ] && kill -0 "$(cat "$LEAK_STATE/$1.pid")" 2>/dev/null
}

# leak_capture_stop NAME: SIGINT (tcpdump writes out and reports its
# counts), then waits for it.
leak_capture_stop() {
	local pid i=0
	[ -s "$LEAK_STATE/$1.pid" ] || return 0
	pid=$(cat "$LEAK_STATE/$1.pid")
	kill -INT "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 50 ] || { kill -KILL "$pid"; break; }
		sleep 0.1
	done
	rm -f "$LEAK_STATE/$1.pid"
}

# leak_read NAME FILTER: the frames of the capture that FILTER matches, one
# line each (tcpdump -e: with the link layer, for the non-IP ones).
leak_read() {
	/usr/bin/tcpdump -Z root -nn -e -r "$LEAK_STATE/$1.pcap" "$2" 2>/dev/null
}

# leak_count NAME FILTER: how many frames (tcpdump continues a line with a
# tab for the hex dump of a frame it cannot decode).
leak_count() { leak_read "$1" "$2" | grep -c '^[0-9]'; }

# leak_classify NAME: one line "CLASS COUNT" per class of the detector:
# the four leak classes, then arp, tor, clearnet-uid, clearnet-ns, all
# (every frame).
leak_classify() {
	local c
	for c in $LEAK_CLASSES arp tor clearnet-uid clearnet-ns; do
		echo "$c $(leak_count "$1" "$(leak_filter "$c")")"
	done
	echo "all $(leak_count "$1" '')"
}

# leak_judge NAME PLACE EXPECT: classifies capture NAME (leak_classify,
# into $LEAK_STATE/NAME.classes) and prints one TAP line per leak class:
# EXPECT "none" (the suite: each class must be empty) or "all" (the
# anti-test: each must hold frames). PLACE names the capture in them
# ("up0", "the far end (up1)"). Sets LEAK_VERDICT ("ipv4-tcp=N ...") and
# LEAK_RES (ok or FAIL) for the caller's record.
# shellcheck disable=SC2034 # LEAK_RES is the caller's
leak_judge() {
	local name=$1 place=$2 expect=$3 c n
	leak_classify "$name" >"$LEAK_STATE/$name.classes"
	LEAK_VERDICT=
	LEAK_RES=ok
	for c in $LEAK_CLASSES; do
		n=$(leak_class_n "$name" "$c")
		LEAK_VERDICT="$LEAK_VERDICT $c=$n"
		if [ "$expect" = none ] && [ "$n" -eq 0 ]; then
			ok "detector: no $c leak on $place"
		elif [ "$expect" = none ]; then
			LEAK_RES=FAIL
			fail "detector: no $c leak on $place" "$n frame(s); the first ones:" \
				"$(leak_read "$name" "$(leak_filter "$c")" | head -n 10 | cut -c 1-200)"
		elif [ "$n" -gt 0 ]; then
			ok "detector without torfw: it finds $c leaks on $place ($n)"
			note "$c on $place, the first ones:" \
				"$(leak_read "$name" "$(leak_filter "$c")" | head -n 3 | cut -c 1-160)"
		else
			LEAK_RES=FAIL
			fail "detector without torfw: it finds $c leaks on $place" \
				"none: the detector would miss this class"
		fi
	done
	LEAK_VERDICT=${LEAK_VERDICT# }
}

# leak_class_n NAME CLASS: the count of CLASS in NAME's classification.
leak_class_n() {
	awk -v c="$2" '$1 == c { print $2 }' "$LEAK_STATE/$1.classes"
}

# ---- diagnostics -------------------------------------------------------------

# leak_trace_on: the scenario's shell traces itself (set -x) into
# $LEAK_STATE/trace.NAME instead of the console; if it ends with a failure
# status (set -e), the last lines of the trace become '#' notes, so that
# "ran to completion" failing says where. LEAK_EXIT_HOOK, if set, is run
# first (the scenario's own clean-up).
leak_trace_on() {
	mkdir -p "$LEAK_STATE"
	LEAK_TRACE=$LEAK_STATE/trace.${TORFW_SCENARIO:-scenario}
	trap 'leak_on_exit $?' EXIT
	exec 2>"$LEAK_TRACE"
	set -x
}

leak_on_exit() {
	set +x
	[ -z "${LEAK_EXIT_HOOK:-}" ] || $LEAK_EXIT_HOOK || true
	if [ "$1" -ne 0 ]; then
		note "exit status $1; the end of the shell's trace ($LEAK_TRACE):" \
			"$(tail -n 25 "$LEAK_TRACE" | cut -c 1-200)"
	fi
	exit "$1"
}

# ---- the suite: scenarios 50 (Tor, the Internet, the LAN), 51 (local
# services) and 52 (the clearnet namespace and the detector) ---------------

# leak_suite_begin: what they share, once per boot: the network additions,
# the reference policy, the captures (before anything is sent), Tor.
# torfwctl monitor writes every refusal event (rate-limited like the
# kernel log) to $LEAK_STATE/events, for the report of 54.
leak_suite_begin() {
	leak_up
	policy_up
	leak_capturing up0 || leak_capture_start up0 up0
	leak_capturing up1 || leak_capture_start up1 up1 internet
	if ! leak_capturing monitor; then
		torfwctl monitor >>"$LEAK_STATE/events" 2>&1 &
		echo $! >"$LEAK_STATE/monitor.pid"
	fi
	tor_start 120
}

# leak_suite_end: captures closed, Tor stopped, the monitor too (so that
# nothing holds the module's netlink family: 55-anti unloads it).
leak_suite_end() {
	leak_capture_stop up0
	leak_capture_stop up1
	leak_capture_stop monitor
	tor_stop
}
