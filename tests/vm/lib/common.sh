# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# Sourced by every scenario, and by the shell that runs each probe (so it
# only defines things: no output, no side effects). The topology and its
# diagram are in topology.sh.
#
# A scenario is a busybox sh script that prints TAP lines through these
# helpers:
#   check "desc" CMD...     CMD must succeed (within CHECK_LIMIT s)
#   refused "desc" CMD...   CMD must fail, and fast: within REFUSE_LIMIT s,
#                           measured; a hang is a failure, not a refusal
#   blocked "desc" CMD...   CMD must not succeed (a hang is fine), and
#                           nothing may be sent meanwhile (WATCH_DEVS)
#   ok "desc" / fail "desc" [detail...]   for anything else
# CMD may be a program or a shell function, prefixed by 'as USER' (then
# only functions of lib/, since it runs in a fresh shell as that user).
#
# Each check/refused/blocked case also prints one machine-readable record,
# for 'run.sh --demo' and any later report (fields separated by one TAB; no
# TAB or newline inside a field):
#   #case  DESC  USER(UID)[@NETNS]  EXPECTED  SEEN  ok|FAIL
# EXPECTED is "pass", "refused" or "blocked"; SEEN is what happened: "pass"
# or the error class (ECONNREFUSED, EPERM, timeout, ...), the time it took
# and how many packets each device of WATCH_DEVS sent meanwhile.

. /tests/vm/lib/topology.sh

export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# Busybox sh runs its own applet of a name before searching $PATH; these
# names must be the real tools (VM-NOTES.md).
ip() { /sbin/ip "$@"; }
setpriv() { /usr/bin/setpriv "$@"; }
nsenter() { /usr/bin/nsenter "$@"; }
ping() { /usr/bin/ping "$@"; }
modprobe() { /sbin/modprobe "$@"; }
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }
modinfo() { /sbin/modinfo "$@"; }
depmod() { /sbin/depmod "$@"; }

# TORFW_VM_SLOW (kernel command line, run.sh) scales every time limit: a
# debug kernel (KASAN, lockdep) under TCG is several times slower.
SLOW=${TORFW_VM_SLOW:-1}
CHECK_LIMIT=${CHECK_LIMIT:-$((10 * SLOW))}
REFUSE_LIMIT=${REFUSE_LIMIT:-$((2 * SLOW))}
# Devices whose tx_packets every case reports; a refused case fails if any
# of them sent a packet. A scenario where something legitimately sends
# meanwhile (a running Tor) narrows it.
WATCH_DEVS=${WATCH_DEVS:-up0 lan0}

CASE_N=0
PROBE_OUT=/tmp/torfw-probe.out

# ---- TAP -------------------------------------------------------------------

# say FORMAT ARGS...: printf, once more if it fails. The shell's own write
# to the slow serial console can fail with EINTR when a child of the shell
# ends meanwhile (ash's SIGCHLD handler); under set -e that ended a
# scenario twice. Child processes (sed, tr) are not affected.
# shellcheck disable=SC2059 # the caller's format
say() { printf "$@" 2>/dev/null || printf "$@"; }

ok() {
	CASE_N=$((CASE_N + 1))
	say 'ok %s - %s\n' "$CASE_N" "$1"
}

# fail DESC [DETAIL...]: each detail line becomes a '# ' diagnostic.
fail() {
	local desc=$1
	shift
	CASE_N=$((CASE_N + 1))
	say 'not ok %s - %s\n' "$CASE_N" "$desc"
	printf '%s\n' "$@" | sed -e '/^$/d' -e 's/^/#   /'
}

# note TEXT...: informational '# ' lines (what a tool printed, ...).
note() { printf '%s\n' "$@" | sed -e '/^$/d' -e 's/^/# /'; }

# record DESC USER EXPECTED SEEN RESULT: the '#case' line (header above).
record() {
	printf '#case\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" |
		tr -d '\r'
}

# ---- users -----------------------------------------------------------------

# user_field NAME N: field N of NAME's /etc/passwd line (3 uid, 4 gid).
user_field() {
	awk -F: -v u="$1" -v f="$2" '$1 == u { print $f; found = 1 }
		END { exit !found }' /etc/passwd
}

# as USER CMD...: runs CMD with USER's uid and gid and no supplementary
# groups, through a shell that has this file (CMD may be a function).
as() {
	local user=$1 uid gid
	shift
	if ! uid=$(user_field "$user" 3) || ! gid=$(user_field "$user" 4); then
		echo "as: no user $user" >&2
		return 127
	fi
	/usr/bin/setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
		/bin/sh -c '. /tests/vm/lib/common.sh; "$@"' as "$@"
}

# "amnesia(1000)" for 'as amnesia ...', "root(0)@lan" for 'n_lan ...',
# "amnesia(1000)@userns" for 'in_userns ...', else the caller ("root(0)").
case_user() {
	local name where=
	case $1 in
	as | as_netraw) name=$2 ;;
	n_*) where=@${1#n_} ;;
	# amnesia's own user and network namespace (65-userns): root inside
	in_userns) name=amnesia where=@userns ;;
	esac
	[ -n "${name:-}" ] ||
		name=$(awk -F: -v u="$(id -u)" '$3 == u { print $1; exit }' /etc/passwd)
	echo "$name($(user_field "$name" 3))$where"
}

# ---- timing and counters ---------------------------------------------------

# Time since boot in 1/100 s (the resolution of /proc/uptime).
now_cs() {
	local t
	read -r t _ </proc/uptime
	echo "${t%.*}${t#*.}" | sed 's/^0*//;s/^$/0/'
}

# cs_fmt CS: "1.05s"
cs_fmt() { printf '%d.%02ds' $(($1 / 100)) $(($1 % 100)); }

# watch_mark / watch_deltas: packets sent by WATCH_DEVS since the mark, as
# "up0+0 lan0+3". WATCH_SENT is their sum.
watch_mark() {
	local d
	WATCH_MARK=
	for d in $WATCH_DEVS; do
		WATCH_MARK="$WATCH_MARK $d=$(tx_packets "$d")"
	done
}

watch_deltas() {
	local m d before out=
	WATCH_SENT=0
	for m in $WATCH_MARK; do
		d=${m%%=*}
		before=${m#*=}
		before=$(($(tx_packets "$d") - before))
		WATCH_SENT=$((WATCH_SENT + before))
		out="$out $d+$before"
	done
	WATCH_DELTAS=${out# }
}

# The uplink counter of the brief: uplink_mark, CMD..., uplink_tx_delta.
uplink_mark() { UPLINK_MARK=$(tx_packets up0); }
uplink_tx_delta() { echo $(($(tx_packets up0) - UPLINK_MARK)); }

# leaves_uplink CMD...: runs CMD (its status is ignored) and succeeds if
# at least one packet left up0 meanwhile; prints how many.
leaves_uplink() {
	local n
	uplink_mark
	"$@" >/dev/null 2>&1 || true
	n=$(uplink_tx_delta)
	echo "up0 sent $n packet(s)"
	[ "$n" -gt 0 ]
}

# ---- running a case --------------------------------------------------------

# descendants PID: the processes below PID (by parent links in ps).
descendants() {
	ps -o pid,ppid | awk -v top="$1" 'NR > 1 { up[$1] = $2 }
		END { for (p in up) { q = p
			while ((q in up) && q != top) q = up[q]
			if (q == top && p != top) print p } }'
}

# kill_tree PID: PID and everything it started.
# shellcheck disable=SC2046 # one word per pid
kill_tree() { kill -KILL $(descendants "$1") "$1" 2>/dev/null || true; }

# watch_over PID LIMIT: kills PID's tree if it still runs after LIMIT
# seconds; returns as soon as PID is gone (so it never lingers).
watch_over() {
	local pid=$1 left=$(($2 * 10))
	while [ $left -gt 0 ]; do
		sleep 0.1
		kill -0 "$pid" 2>/dev/null || return 0
		left=$((left - 1))
	done
	kill_tree "$pid"
}

# run_limited LIMIT CMD...: runs CMD in a background subshell (so it may
# be a function of the scenario), output to $PROBE_OUT; after LIMIT
# seconds it is killed with everything it started (a client stuck in
# connect()). Sets PROBE_RC and PROBE_CS (elapsed, 1/100 s).
run_limited() {
	local limit=$1 pid t0
	shift
	t0=$(now_cs)
	("$@") </dev/null >"$PROBE_OUT" 2>&1 &
	pid=$!
	# Its own output elsewhere: a caller's $(...) waits for every writer.
	watch_over "$pid" "$limit" </dev/null >/dev/null 2>&1 &
	PROBE_RC=0
	wait "$pid" || PROBE_RC=$?
	PROBE_CS=$(($(now_cs) - t0))
}

# What a failing client said, as an errno-like class; else its last line.
error_class() {
	local out
	out=$(tr '[:upper:]' '[:lower:]' <"$PROBE_OUT")
	case $out in
	*port\ unreachable*) echo ICMP-port-unreachable ;;
	*prohibited* | *packet\ filtered*) echo ICMP-prohibited ;;
	*host\ unreachable* | *no\ route\ to\ host*) echo EHOSTUNREACH ;;
	*connection\ refused*) echo ECONNREFUSED ;;
	*operation\ not\ permitted* | *permission\ denied*) echo EPERM ;;
	*network\ is\ unreachable*) echo ENETUNREACH ;;
	*timed\ out* | *timeout* | *no\ servers\ could\ be\ reached*) echo timeout ;;
	*) echo "rc=$PROBE_RC:$(sed '/^$/d' "$PROBE_OUT" | tail -n 1 | cut -c 1-40)" ;;
	esac
}

# The first lines of the client's output, for a failure's diagnostics.
probe_tail() { head -n 6 "$PROBE_OUT"; }

# run_case LIMIT CMD...: run_limited plus the packet counters; sets SEEN.
run_case() {
	local limit=$1
	shift
	watch_mark
	run_limited "$limit" "$@"
	watch_deltas
	if [ "$PROBE_CS" -ge $((limit * 100)) ]; then
		SEEN="timeout(>${limit}s)"
	elif [ "$PROBE_RC" -eq 0 ]; then
		SEEN=pass
	else
		SEEN=$(error_class)
	fi
	SEEN="$SEEN $(cs_fmt "$PROBE_CS") ${WATCH_DELTAS}"
	SEEN=${SEEN% }
}

# check DESC CMD...: CMD must succeed within CHECK_LIMIT seconds.
check() {
	local desc=$1 user
	shift
	[ -z "${EXPLAIN_AGREE:-}" ] || explain_agree accepted "$desc" "$@"
	user=$(case_user "$@")
	run_case "$CHECK_LIMIT" "$@"
	if [ "$PROBE_RC" -eq 0 ] && [ "$PROBE_CS" -lt $((CHECK_LIMIT * 100)) ]; then
		record "$desc" "$user" pass "$SEEN" ok
		ok "$desc"
	else
		record "$desc" "$user" pass "$SEEN" FAIL
		fail "$desc" "expected success, seen: $SEEN" "command: $*" \
			"$(probe_tail)"
	fi
}

# refused DESC CMD...: CMD must fail within REFUSE_LIMIT seconds, and no
# device of WATCH_DEVS may send anything meanwhile.
refused() { refused_class '' "$@"; }

# refused_class CLASS DESC CMD...: like refused, and the client's error is
# CLASS as error_class names it (ECONNREFUSED, ...): a refusal for the
# right reason. An empty CLASS accepts any error.
refused_class() {
	local class=$1 desc=$2 user why='' expected=refused what="fast refusal"
	shift 2
	[ -z "$class" ] || { expected="refused($class)"; what="fast $class"; }
	[ -z "${EXPLAIN_AGREE:-}" ] || explain_agree refused "$desc" "$@"
	user=$(case_user "$@")
	run_case "$REFUSE_LIMIT" "$@"
	if [ "$PROBE_CS" -ge $((REFUSE_LIMIT * 100)) ]; then
		why="not refused within ${REFUSE_LIMIT}s (killed)"
	elif [ "$PROBE_RC" -eq 0 ]; then
		why="it succeeded"
	elif [ "$WATCH_SENT" -ne 0 ]; then
		why="refused, but packets left: $WATCH_DELTAS"
	elif [ -n "$class" ]; then
		case $SEEN in
		"$class "*) ;;
		*) why="the error is not $class" ;;
		esac
	fi
	if [ -z "$why" ]; then
		record "$desc" "$user" "$expected" "$SEEN" ok
		ok "$desc"
	else
		record "$desc" "$user" "$expected" "$SEEN" FAIL
		fail "$desc" "expected a $what: $why; seen: $SEEN" \
			"command: $*" "$(probe_tail)"
	fi
}

# blocked DESC CMD...: CMD must not succeed, quietly: it may fail or hang
# (it is killed after REFUSE_LIMIT s), but no device of WATCH_DEVS may send
# anything meanwhile. For what the design drops instead of rejecting:
# forwarded and inbound packets, whose sender is not ours to tell.
blocked() {
	local desc=$1 user why=
	shift
	[ -z "${EXPLAIN_AGREE:-}" ] || explain_agree blocked "$desc" "$@"
	user=$(case_user "$@")
	run_case "$REFUSE_LIMIT" "$@"
	if [ "$PROBE_RC" -eq 0 ] && [ "$PROBE_CS" -lt $((REFUSE_LIMIT * 100)) ]; then
		why="it succeeded"
	elif [ "$WATCH_SENT" -ne 0 ]; then
		why="packets left: $WATCH_DELTAS"
	fi
	if [ -z "$why" ]; then
		record "$desc" "$user" blocked "$SEEN" ok
		ok "$desc"
	else
		record "$desc" "$user" blocked "$SEEN" FAIL
		fail "$desc" "expected no answer and nothing sent: $why; seen: $SEEN" \
			"command: $*" "$(probe_tail)"
	fi
}

# ---- probes: one client each, exit 0 only if the far end answered --------

# [v6]:port or v4:port, as socat wants it.
sock_addr() {
	case $1 in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

# http_get HOST [PORT]: curl; the responders answer "torfw-ok". -v for the
# "connect to ... failed: <errno text>" line that error_class reads.
http_get() {
	local body
	body=$(curl -sS -v --max-time 8 "http://$(sock_addr "$1" "${2:-80}")/" \
		2>/tmp/curl.$$) || {
		grep -Ei '^\* .*(fail|refused|denied|permitted|unreachable)|^curl:' \
			/tmp/curl.$$
		rm -f /tmp/curl.$$
		return 1
	}
	rm -f /tmp/curl.$$
	[ "$body" = torfw-ok ] || { echo "http_get: unexpected body '$body'"; return 1; }
}

# The echo probes below: socat -t3, after its stdin ends, waits 3 s for
# the reply (default 0.5 s, short under TCG); readbytes=12, the length of
# "torfw-probe\n", ends the reply direction, so socat exits as soon as the
# echo is back.

# tcp_echo HOST PORT: one line there and back (TCP 9001, loopback tests).
tcp_echo() {
	local proto=TCP4 reply
	case $1 in *:*) proto=TCP6 ;; esac
	reply=$(echo torfw-probe |
		socat -T3 -t3 - "$proto:$(sock_addr "$1" "$2"),readbytes=12") ||
		return 1
	[ "$reply" = torfw-probe ] || { echo "tcp_echo: reply '$reply'"; return 1; }
}

# udp_echo HOST PORT: a datagram must come back. A silent drop is no
# refusal: socat then waits for -T and the caller's limit decides.
udp_echo() {
	local proto=UDP4 reply
	case $1 in *:*) proto=UDP6 ;; esac
	reply=$(echo torfw-probe |
		socat -T3 -t3 - "$proto:$(sock_addr "$1" "$2"),readbytes=12") ||
		return 1
	[ "$reply" = torfw-probe ] || { echo "udp_echo: no reply"; return 1; }
}

# dns_query SERVER [tcp]: one query, no retry; the responders answer
# NOERROR.
dns_query() {
	local out tcp='' rc=0
	[ "${2:-}" = tcp ] && tcp=+tcp
	out=$(dig @"$1" $tcp +tries=1 +time=3 +noidnin +noidnout torfw.test A 2>&1) ||
		rc=$?
	echo "$out" | grep -E '^;; (communications error|connection|no servers)|status:'
	[ $rc -eq 0 ] && echo "$out" | grep -q 'status: NOERROR'
}

# icmp_echo HOST: one echo request, the reply within 3 s.
icmp_echo() { ping -n -c 1 -i 0.2 -W 3 "$1"; }

# loopback_echo ADDR PORT: a one-shot echo server started here, then a
# client (the caller may run this whole function 'as' some user).
loopback_echo() {
	local proto=TCP4 bind=$1 pid rc=0
	case $1 in *:*) proto=TCP6 bind="[$1]" ;; esac
	socat "$proto-LISTEN:$2,bind=$bind,reuseaddr" PIPE &
	pid=$!
	wait_listen "$2" || { kill $pid; return 1; }
	tcp_echo "$1" "$2" || rc=$?
	kill $pid 2>/dev/null
	return $rc
}

# wait_listen PORT: until a TCP socket of this netns listens on PORT.
wait_listen() {
	local i=0
	until /bin/ss -Hltn "sport = :$1" | grep -q .; do
		i=$((i + 1))
		[ $i -gt 50 ] && { echo "nothing listens on $1"; return 1; }
		sleep 0.1
	done
}

# ---- module ----------------------------------------------------------------

module_loaded() { grep -q "^$1 " /proc/modules; }

# ---- policy helpers in probe shells ----------------------------------------

# The probes of policy.sh (for the policy scenarios) must exist in the
# fresh shell of 'as USER' and 'in_ns' too; policy.sh only defines.
if [ -r /tests/vm/lib/policy.sh ]; then . /tests/vm/lib/policy.sh; fi
# The same for the probes of 23-teardown.
if [ -r /tests/vm/lib/teardown.sh ]; then . /tests/vm/lib/teardown.sh; fi
