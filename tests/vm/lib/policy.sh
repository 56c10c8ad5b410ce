# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# Sourced by scenarios that need the module with a policy loaded. Defines
# only; no side effects. The reference policy is ctl/torfw.conf, installed
# in the guest as /etc/torfw/torfw.conf.

REFERENCE_CONF=/etc/torfw/torfw.conf

# policy_up: module loaded, topology up (the clearnet netns must exist for
# its grant), reference policy active.
policy_up() {
	topo_up
	grep -q '^torfw ' /proc/modules || modprobe torfw
	torfwctl load "$REFERENCE_CONF" >/dev/null
}

# policy_generation: the active generation (0 when none).
policy_generation() {
	torfwctl status | sed -n 's/^generation: //p'
}

# ---- helpers of the policy scenarios (20-policy, 24-conntrack, 30-control,
# 40-frames, 90-lock). Probes here also run under 'as USER' (common.sh
# sources this).

TOOLS=/tests/vm/tools
SVC_PIDS=/run/torfw-vm/svc-pids

# ---- assertions beyond check/refused/blocked --------------------------------

# refused_econn DESC CMD...: refused at once with ECONNREFUSED.
refused_econn() { refused_class ECONNREFUSED "$@"; }

# silent DESC CMD...: a silent drop. The client learns nothing: no answer
# and no error (it is still waiting when killed after REFUSE_LIMIT s, or
# it gave up with its own timeout), no ICMP error appears on loopback,
# nothing is sent on WATCH_DEVS.
silent() {
	local desc=$1 user why='' icmp
	shift
	[ -z "${EXPLAIN_AGREE:-}" ] || explain_agree dropped "$desc" "$@"
	user=$(case_user "$@")
	cap_start lo icmp >/dev/null
	run_case "$REFUSE_LIMIT" "$@"
	cap_stop
	icmp=$CAP_N
	SEEN="$SEEN lo-icmp:$icmp"
	if [ "$PROBE_CS" -lt $((REFUSE_LIMIT * 100)) ] && [ "$PROBE_RC" -eq 0 ]; then
		why="it succeeded"
	elif [ "$PROBE_CS" -lt $((REFUSE_LIMIT * 100)) ] && [ "$(error_class)" != timeout ]; then
		why="the client got an error instead of silence"
	elif [ "$WATCH_SENT" -ne 0 ]; then
		why="packets left: $WATCH_DELTAS"
	elif [ "$icmp" != 0 ]; then
		why="ICMP on loopback: $icmp packet(s)"
	fi
	if [ -z "$why" ]; then
		record "$desc" "$user" silent "$SEEN" ok
		ok "$desc"
	else
		record "$desc" "$user" silent "$SEEN" FAIL
		fail "$desc" "expected a silent drop: $why; seen: $SEEN" \
			"command: $*" "$(probe_tail)"
	fi
}

# expect_eq DESC WANT GOT [DETAIL...]: a case comparing two values.
expect_eq() {
	local desc=$1 want=$2 got=$3
	shift 3
	if [ "$want" = "$got" ]; then
		ok "$desc"
	else
		fail "$desc" "expected '$want', got '$got'" "$@"
	fi
}

# as_netraw USER ARGS...: tests/vm/tools/sockconnect ARGS as USER, with
# CAP_NET_RAW kept (as a program with the file capability cap_net_raw,
# such as ping, has it): what Linux 6.1 asks of IP_OPTIONS source routes.
as_netraw() {
	local user=$1
	shift
	$TOOLS/sockconnect -u "$(user_field "$user" 3):$(user_field "$user" 4)" "$@"
}

# ---- captures --------------------------------------------------------------

# cap_start DEV FILTER [NS]: tcpdump on DEV (in NS) to a file until
# cap_stop; returns once it listens. One capture at a time. Without
# --immediate-mode the first capture of a boot lost every packet (seen
# under TCG: "0 packets captured" while up1 received them).
CAP_FILE=/tmp/torfw-cap.pcap
cap_start() {
	local i=0
	rm -f "$CAP_FILE" "$CAP_FILE.err"
	if [ -n "${3:-}" ]; then
		/sbin/ip netns exec "$3" tcpdump -Z root -n -U --immediate-mode -i "$1" \
			-w "$CAP_FILE" "$2" 2>"$CAP_FILE.err" &
	else
		tcpdump -Z root -n -U --immediate-mode -i "$1" -w "$CAP_FILE" "$2" \
			2>"$CAP_FILE.err" &
	fi
	CAP_PID=$!
	until grep -q 'listening on' "$CAP_FILE.err" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "cap_start: tcpdump does not start: $(cat "$CAP_FILE.err")"
			return 1
		fi
		sleep 0.1
	done
}

# cap_stop: stops the capture (in the shell that started it); CAP_N is
# how many packets it holds.
cap_stop() {
	sleep 0.3
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	CAP_N=$(cap_count '')
}

# cap_count FILTER: packets of the last capture matching FILTER (one line
# each starts with its time stamp; hex dumps of unknown ethertypes follow
# on lines of their own).
cap_count() {
	# shellcheck disable=SC2086 # the filter is several words
	tcpdump -Z root -n -tt -r "$CAP_FILE" $1 2>/dev/null | grep -c '^[0-9]' ||
		true
}

# cap_show FILTER: the first matching packets, for a failure's details.
cap_show() {
	# shellcheck disable=SC2086
	tcpdump -Z root -n -r "$CAP_FILE" $1 2>/dev/null | grep -v '^	' | head -n 5
}

# ---- local services ----------------------------------------------------------

# svc_listen tcp|udp ADDR PORT [USER]: an echo server in the background
# (as USER, default root), killed by svc_stop_all; returns once it listens.
svc_listen() {
	local proto=$1 addr=$2 port=$3 user=${4:-root} fam=4 bind=$2 i=0
	case $addr in *:*) fam=6 bind="[$addr]" ;; esac
	mkdir -p "${SVC_PIDS%/*}"
	if [ "$proto" = tcp ]; then
		as "$user" socat "TCP$fam-LISTEN:$port,bind=$bind,reuseaddr,fork" \
			PIPE </dev/null >/dev/null 2>&1 &
	else
		as "$user" socat -T1 "UDP$fam-RECVFROM:$port,bind=$bind,fork" \
			PIPE </dev/null >/dev/null 2>&1 &
	fi
	echo $! >>"$SVC_PIDS"
	until /bin/ss -Hln -A "$proto" "sport = :$port" | grep -qF "$bind:$port"; do
		i=$((i + 1))
		[ $i -gt 50 ] && { echo "svc_listen: nothing on $proto $bind:$port"; return 1; }
		sleep 0.1
	done
}

# wait_udp PORT: until a UDP socket of this netns is bound to PORT.
wait_udp() {
	local i=0
	until /bin/ss -Hlnu "sport = :$1" | grep -q .; do
		i=$((i + 1))
		[ $i -gt 50 ] && { echo "nothing bound to udp $1"; return 1; }
		sleep 0.1
	done
}

# svc_spawn CMD...: any other background server, killed by svc_stop_all.
svc_spawn() {
	mkdir -p "${SVC_PIDS%/*}"
	"$@" </dev/null >/dev/null 2>&1 &
	echo $! >>"$SVC_PIDS"
}

svc_stop_all() {
	local pid
	[ -e "$SVC_PIDS" ] || return 0
	# shellcheck disable=SC2013 # one pid per word
	for pid in $(cat "$SVC_PIDS"); do
		kill_tree "$pid"
	done
	rm -f "$SVC_PIDS"
}

# ---- probes ------------------------------------------------------------------

# svc_tcp ADDR PORT: one line there and back through an echo server. The
# connect gets 1 s: a refusal that takes longer is a timeout, not
# ECONNREFUSED (DESIGN.md: a refused connect fails at once).
svc_tcp() {
	local proto=TCP4 reply
	case $1 in *:*) proto=TCP6 ;; esac
	reply=$(echo torfw-probe | socat -T3 -t3 - \
		"$proto:$(sock_addr "$1" "$2"),connect-timeout=1,readbytes=12") ||
		return 1
	[ "$reply" = torfw-probe ] || { echo "svc_tcp: reply '$reply'"; return 1; }
}

# udp_sendto_echo HOST PORT: like udp_echo, from an unconnected socket
# (sendto/recvfrom, as many UDP clients do): the reply must come back.
udp_sendto_echo() {
	local reply
	reply=$(echo torfw-probe |
		socat -T3 -t3 - "UDP4-SENDTO:$1:$2,readbytes=12") || return 1
	[ "$reply" = torfw-probe ] || { echo "udp_sendto_echo: no reply"; return 1; }
}

# udp_sendto_from PEER PPORT SPORT: the same from local port SPORT (an
# unconnected socket bound to it: its replies are matched by kmod/udp.c).
udp_sendto_from() {
	local reply
	reply=$(echo torfw-probe | socat -T$((3 * SLOW)) -t$((3 * SLOW)) - \
		"UDP4-SENDTO:$1:$2,bind=0.0.0.0:$3,readbytes=12") || return 1
	[ "$reply" = torfw-probe ] || { echo "udp_sendto_from: no reply"; return 1; }
}

# udp_big_echo HOST PORT SIZE: one datagram of SIZE bytes (fragmented on
# a 1500-byte link) through an unconnected socket; all of it must come
# back.
udp_big_echo() {
	local n
	n=$(head -c "$3" /dev/zero | tr '\000' x |
		socat -T$((3 * SLOW)) -t$((3 * SLOW)) -b 65536 - \
			"UDP4-SENDTO:$1:$2,readbytes=$3" | wc -c) || return 1
	[ "$n" -eq "$3" ] || { echo "udp_big_echo: $n of $3 bytes back"; return 1; }
}

# udp_send_only LOCAL LPORT PEER PPORT: one datagram, no answer expected
# where it is sent from; waits past REFUSE_LIMIT, so 'blocked' judges by
# the watched devices' silence (an answer would go elsewhere).
udp_send_only() {
	echo torfw-probe | socat -u - \
		"UDP4-SENDTO:$3:$4,bind=$(sock_addr "$1" "$2")" || return 1
	sleep $((REFUSE_LIMIT + 1))
	return 1
}

# udp_from LOCAL LPORT PEER PPORT: a datagram from LOCAL:LPORT to
# PEER:PPORT through a connected socket; its echo must come back (24-
# conntrack: the far end's connected socket is what answers).
udp_from() {
	local proto=UDP4 reply
	case $1 in *:*) proto=UDP6 ;; esac
	reply=$(echo torfw-probe | socat -T3 -t3 - \
		"$proto:$(sock_addr "$3" "$4"),bind=$(sock_addr "$1" "$2"),readbytes=12") ||
		return 1
	[ "$reply" = torfw-probe ] || { echo "udp_from: no reply"; return 1; }
}

# dns_from SERVER PORT SPORT: one DNS query (torfw.test A) from local
# port SPORT through an unconnected socket (sendto, as a resolver does:
# kmod/udp.c matches its answers); the answer (the query with the QR bit
# set, guest/dns-responder.sh) must come back within 3 s (times
# TORFW_VM_SLOW: a debug kernel answers slower). socat's error
# ("Connection refused") is passed on for error_class.
DNS_QUERY='\164\146\001\000\000\001\000\000\000\000\000\000\005torfw\004test\000\000\001\000\001'
dns_from() {
	local f=/tmp/dns_from.$$ rc=0 flags
	# shellcheck disable=SC2059 # the query is octal escapes
	printf "$DNS_QUERY" >"$f.q"
	socat -T$((3 * SLOW)) -t$((3 * SLOW)) - \
		"UDP4-SENDTO:$1:$2,bind=0.0.0.0:$3,readbytes=28" \
		<"$f.q" >"$f.r" || rc=$?
	flags=$(xxd -p -s 2 -l 1 "$f.r")
	rm -f "$f.q" "$f.r"
	[ $rc -eq 0 ] || return $rc
	case $flags in
	[89a-f]?) echo "dns_from: answered (flags $flags)" ;;
	*) echo "dns_from: no answer, timed out"; return 1 ;;
	esac
}

# dns_ask SERVER PORT [tcp]: one query, no retry (the responders answer
# NOERROR). Unlike dns_query it passes on every error line of dig, so that
# error_class sees "connection refused" when dig got it.
dns_ask() {
	local out tcp='' rc=0
	[ "${3:-}" = tcp ] && tcp=+tcp
	out=$(dig @"$1" -p "$2" $tcp +tries=1 +time=3 +noidnin +noidnout torfw.test A 2>&1) ||
		rc=$?
	echo "$out" | grep -Ei '^;; .*(error|refused|failed|timed out|no servers)|status:'
	[ $rc -eq 0 ] && echo "$out" | grep -q 'status: NOERROR'
}

# orig_dst ADDR PORT WANT: connects to ADDR:PORT, where the automap
# redirect should lead to origdst on the TransPort; succeeds if origdst
# reports WANT as the address the client dialed (SO_ORIGINAL_DST).
orig_dst() {
	local got
	got=$(socat -T3 -u "TCP4:$1:$2,connect-timeout=1" - 2>&1) || {
		echo "$got"
		return 1
	}
	echo "origdst says: $got"
	[ "$got" = "$3" ]
}

# tcp_bytes HOST PORT BYTES: the server sends BYTES bytes; all must arrive.
tcp_bytes() {
	local n
	n=$(socat -T5 -u "TCP4:$1:$2,connect-timeout=2" - | wc -c)
	echo "received $n of $3 bytes"
	[ "$n" -eq "$3" ]
}

# leak_probe HOST: tcp 80, udp 7 and an ICMP echo to HOST; succeeds if
# any of them is answered.
leak_probe() {
	http_get "$1" 80 || udp_echo "$1" 7 || icmp_echo "$1"
}

# probe_loop STOPFILE PAUSE CMD...: runs CMD until STOPFILE exists, PAUSE
# seconds apart, one line "ok" or "fail" per run (a background flow during
# another test).
probe_loop() {
	local stop=$1 pause=$2
	shift 2
	while [ ! -e "$stop" ]; do
		if "$@" >/dev/null 2>&1; then echo ok; else echo fail; fi
		sleep "$pause"
	done
}

# ---- torfwctl ----------------------------------------------------------------

# stat_reason NAME: the counter of one reason in 'torfwctl stats'.
stat_reason() {
	torfwctl stats | awk -v r="$1" '$1 == r && NF == 2 { print $2; f = 1 }
		END { if (!f) print "none" }'
}

# stat_entry TEXT: the hit counter of the allow-list entry printed as TEXT
# ("allow tcp 127.0.0.1:9050 ...": the beginning is enough).
stat_entry() {
	torfwctl stats | awk -v e="$1" '{ line = $0; n = $1
			sub(/^ *[0-9]+  /, "", line)
			if (index(line, e) == 1) { print n; f = 1; exit } }
		END { if (!f) print "none" }'
}

# klog_mark, then klog_has TEXT: a torfw line of the kernel log written
# since the mark contains TEXT.
klog_mark() { KLOG_MARK=$(dmesg | wc -l); }
klog_has() {
	dmesg | tail -n +"$((${KLOG_MARK:-0} + 1))" | grep -F 'torfw: ' |
		grep -qF -- "$1"
}

# ctl_fails_with WORD CMD...: CMD (a torfwctl call, possibly behind
# 'unshare' or 'as') exits non-zero and its message names WORD (EPERM, ...).
ctl_fails_with() {
	local word=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	echo "$out"
	echo "exit status $rc"
	[ $rc -ne 0 ] && echo "$out" | grep -qw -- "$word"
}

# nl_refused CASE ERRNO...: tests/vm/tools/nlpoke CASE is refused by the
# kernel with one of the ERRNO names and an extack message.
nl_refused() {
	local c=$1 out rc=0 e
	shift
	out=$($TOOLS/nlpoke "$c" 2>&1) || rc=$?
	echo "$out"
	[ $rc -eq 0 ] || { echo "nlpoke exit status $rc"; return 1; }
	echo "$out" | grep -q 'extack="[^"]' || { echo "no extack message"; return 1; }
	for e in "$@"; do
		echo "$out" | grep -q "errno=$e " && return 0
	done
	echo "errno is not one of: $*"
	return 1
}

# ---- explain agrees with the clients (issue 16) ------------------------------

# With EXPLAIN_AGREE set (20-policy), check, refused, silent and blocked
# first ask torfwctl explain about the probe they are about to make and
# compare its verdict with what the case expects of the module: check
# accepted, refused refused, silent and blocked dropped (blocked also
# accepts refused: for packets not of this host, both are drops). Probes
# that explain has no question for (other tools, a namespace's own
# addresses, forwarding from outside into a namespace) are counted in
# EXPLAIN_SKIPPED.
EXPLAIN_ASKED=0
EXPLAIN_SKIPPED=0

# host_addr ADDR: an address of one of the host's devices.
host_addr() { ip -o addr show | grep -Eq " inet6? $1/"; }

# ns_addr NS ADDR: an address of one of namespace NS's devices.
ns_addr() { ip netns exec "$1" /sbin/ip -o addr show | grep -Eq " inet6? $2/"; }

# explain_agree WANT DESC CMD...
explain_agree() {
	local want=$1 desc=$2 user=- ns='' dir='' proto port addr dest out got
	shift 2
	case $1 in
	as) user=$2 ; shift 2 ;;
	n_clearnet) ns=clearnet ; shift ;;
	n_internet | n_lan) dir=--in ; shift ;;
	*) EXPLAIN_SKIPPED=$((EXPLAIN_SKIPPED + 1)) ; return 0 ;;
	esac
	addr=${2:-}
	port=${3:-}
	case $1 in
	svc_tcp | tcp_echo | tcp_bytes | orig_dst) proto=tcp ;;
	http_get) proto=tcp port=${3:-80} ;;
	dns_ask) proto=udp ; [ "${4:-}" != tcp ] || proto=tcp ;;
	dns_query) proto=udp port=53 ; [ "${3:-}" != tcp ] || proto=tcp ;;
	udp_echo | udp_sendto_echo) proto=udp ;;
	icmp_echo) proto=icmp port='' ;;
	*) EXPLAIN_SKIPPED=$((EXPLAIN_SKIPPED + 1)) ; return 0 ;;
	esac
	if [ -n "$ns" ]; then
		if ns_addr "$ns" "$addr"; then
			EXPLAIN_SKIPPED=$((EXPLAIN_SKIPPED + 1))
			return 0
		fi
		host_addr "$addr" && dir=--in || dir=--forward
	elif [ "$dir" = --in ] && ! host_addr "$addr"; then
		EXPLAIN_SKIPPED=$((EXPLAIN_SKIPPED + 1))
		return 0
	fi
	case $addr in
	*:*) dest="[$addr]" ; [ -n "$port" ] || dest=$addr ;;
	*) dest=$addr ;;
	esac
	[ -z "$port" ] || dest=$dest:$port
	EXPLAIN_ASKED=$((EXPLAIN_ASKED + 1))
	# shellcheck disable=SC2086 # dir and the --netns pair are words
	out=$(torfwctl explain "$user" "$proto" "$dest" \
		${ns:+--netns "$ns"} $dir 2>&1)
	got=${out%% *}
	case $want:$got in
	accepted:accepted | refused:refused | dropped:dropped | blocked:dropped | \
		blocked:refused)
		ok "explain agrees: $desc ($out)" ;;
	*) fail "explain agrees: $desc" "expected $want, explain says: $out" \
		"asked: torfwctl explain $user $proto $dest ${ns:+--netns $ns} $dir" ;;
	esac
}

# ---- conntrack and reason counters (24-conntrack, 25-other-conntrack) -------

# wait_udp_sock PORT: until a UDP socket of this netns, connected or
# not, is bound to PORT (wait_udp sees unconnected ones only).
wait_udp_sock() {
	local i=0
	until /bin/ss -Hanu "sport = :$1" | grep -q .; do
		i=$((i + 1))
		[ $i -gt 50 ] && { echo "nothing bound to udp $1"; return 1; }
		sleep 0.1
	done
}

# ct_has TEXT: a line of the conntrack table contains TEXT, within 1 s
# (times TORFW_VM_SLOW). Once, on a loaded host, an answered flow's entry
# was missing from /proc/net/nf_conntrack 0.06 s after the answer and
# there a few seconds later; its UDP timeout is 30 s, so a second look
# asserts the same thing.
ct_has() {
	local i=0
	until grep -F -- "$1" /proc/net/nf_conntrack; do
		i=$((i + 1))
		if [ $i -gt $((5 * SLOW)) ]; then
			echo "no conntrack entry with '$1'; $(wc -l </proc/net/nf_conntrack) entries"
			return 1
		fi
		sleep 0.2
	done
}

# counters_mark REASON...: remembers those reason counters; then
# counters_delta prints "REASON+N ..." for the same reasons.
counters_mark() {
	local r
	COUNTERS_MARK=
	for r in "$@"; do
		COUNTERS_MARK="$COUNTERS_MARK $r=$(stat_reason "$r")"
	done
}

counters_delta() {
	local m r out=
	for m in $COUNTERS_MARK; do
		r=${m%%=*}
		out="$out $r+$(($(stat_reason "$r") - ${m#*=}))"
	done
	echo "${out# }"
}

# ct_lacks TEXT: no line of the conntrack table contains TEXT.
ct_lacks() {
	if grep -F -- "$1" /proc/net/nf_conntrack; then
		echo "a conntrack entry has '$1'"
		return 1
	fi
}

# ---- cgroups (28-cgroup, 90-lock) ----------------------------------------------

CG=/sys/fs/cgroup

# cg_mount: the cgroup v2 hierarchy at $CG.
cg_mount() {
	[ -e "$CG/cgroup.controllers" ] || mount -t cgroup2 cgroup2 "$CG"
}

# in_cg CGROUP CMD...: CMD in CGROUP ("" for the root), moved there
# first (as root), so that CMD may still be 'as USER ...'.
in_cg() {
	local procs=$CG/$1/cgroup.procs
	shift
	/bin/sh -c 'echo $$ >"$0" && . /tests/vm/lib/common.sh &&
		. /tests/vm/lib/policy.sh && "$@"' "$procs" "$@"
}
