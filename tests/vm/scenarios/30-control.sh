#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The control plane against the real module (the control-plane issue's VM
# acceptance; torfwctl(8), kmod/uapi/torfw.h):
#   - show round-trips byte for byte through load;
#   - stats counters move with traffic (a refusal reason, an allow-list
#     entry);
#   - monitor prints a refused curl of uid 1000 within 1 s; a program
#     named with invalid UTF-8, a quote, a backslash and control bytes is
#     escaped, and every -j line (status, show, stats, monitor) passes a
#     strict JSON parser (tests/vm/tools/jsoncheck);
#   - a bad file (syntax error, unknown user) exits 1 with file:line:col
#     and changes neither the generation nor the behaviour;
#   - an unprivileged uid, and root of a user namespace (unshare -Urn), get
#     EPERM for load, flush, status (CAP_NET_ADMIN in the initial user
#     namespace);
#   - hand-made netlink requests (tests/vm/tools/nlpoke) with a service
#     missing its address, an oversize namespace name, unknown attributes
#     get an errno and an extack message each, and the generation stays.
#   - 1,000 policy replacements (two files alternating) while traffic
#     runs: every load succeeds, permitted flows never fail, a refused uid
#     never reaches the internet (capture on up1).
# The lock has its own scenario, run last (90-lock): a locked module stays
# loaded until reboot.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

cleanup() {
	svc_stop_all
	touch /tmp/loop-stop
	[ -n "${MON_PID:-}" ] && kill "$MON_PID" 2>/dev/null
	if module_loaded torfw; then
		torfwctl flush >/dev/null 2>&1 || true
		rmmod torfw 2>/dev/null || true
	fi
	return 0
}
trap cleanup EXIT

policy_up
svc_listen tcp 127.0.0.1 9050
svc_listen tcp 127.0.0.1 7010

# ---- show -> load -> show -------------------------------------------------

roundtrip() {
	torfwctl show >/tmp/show1.conf || return 1
	torfwctl load /tmp/show1.conf || return 1
	torfwctl show >/tmp/show2.conf || return 1
	cmp /tmp/show1.conf /tmp/show2.conf && echo "identical, $(wc -c </tmp/show1.conf) bytes"
}
gen=$(policy_generation)
check "show: 'show > f; load f; show > g; cmp f g' finds no difference" roundtrip
expect_eq "show: that load made a new generation" $((gen + 1)) "$(policy_generation)"
expect_eq "show: the reference's 12 allow lines are in the output" 12 \
	"$(grep -c '^allow ' /tmp/show1.conf)"
check "show: after the round trip amnesia still reaches tcp 127.0.0.1:9050" \
	as amnesia svc_tcp 127.0.0.1 9050
refused_econn "show: after the round trip stranger is still refused on tcp 127.0.0.1:9050" \
	as stranger svc_tcp 127.0.0.1 9050
torfwctl load "$REFERENCE_CONF" >/dev/null

# ---- stats ------------------------------------------------------------------

ENTRY_9050='allow tcp 127.0.0.1:9050'
before=$(stat_reason internet-tcp)
as stranger http_get 192.0.2.1 80 >/dev/null 2>&1 || true
after=$(stat_reason internet-tcp)
note "stats internet-tcp: $before -> $after"
if [ "$before" != none ] && [ "$after" != none ] && [ "$after" -gt "$before" ]; then
	ok "stats: a refused curl to 192.0.2.1:80 moves the internet-tcp counter ($before -> $after)"
else
	fail "stats: a refused curl to 192.0.2.1:80 moves the internet-tcp counter" \
		"before $before, after $after" "$(torfwctl stats 2>&1 | head -n 30)"
fi

before=$(stat_entry "$ENTRY_9050")
for i in 1 2 3; do as amnesia svc_tcp 127.0.0.1 9050 >/dev/null 2>&1 || true; done
after=$(stat_entry "$ENTRY_9050")
note "stats '$ENTRY_9050 ...' hits: $before -> $after (3 connections)"
if [ "$before" != none ] && [ "$after" != none ] && [ "$after" -ge $((before + 3)) ]; then
	ok "stats: 3 connections of amnesia move the 9050 entry's counter by 3 or more ($before -> $after)"
else
	fail "stats: 3 connections of amnesia move the 9050 entry's counter by 3 or more" \
		"before $before, after $after" "$(torfwctl stats 2>&1 | tail -n 14)"
fi
before=$(stat_reason loopback)
hits0=$(stat_entry "$ENTRY_9050")
as stranger svc_tcp 127.0.0.1 9050 >/dev/null 2>&1 || true
after=$(stat_reason loopback)
# torfwctl(8) says an entry counts the packets it allowed, torfw.conf(5)
# that an entry naming nobody still counts the attempts: shown, not judged.
note "9050 entry hits across stranger's refused connect: $hits0 -> $(stat_entry "$ENTRY_9050")"
if [ "$before" != none ] && [ "$after" != none ] && [ "$after" -gt "$before" ]; then
	ok "stats: stranger's refused connect to 9050 moves the loopback counter ($before -> $after)"
else
	fail "stats: stranger's refused connect to 9050 moves the loopback counter" \
		"before $before, after $after"
fi

# ---- monitor ------------------------------------------------------------------

# mon_wait FILE PATTERN: until FILE has a line matching PATTERN, at most
# 1 s; prints the line.
mon_wait() {
	local i=0
	while ! grep -E -- "$2" "$1"; do
		i=$((i + 1))
		[ $i -gt 10 ] && { echo "nothing matching '$2' within 1 s:"; cat "$1"; return 1; }
		sleep 0.1
	done
}

# mon_wait_fixed FILE STRING: the same for a fixed string.
mon_wait_fixed() {
	local i=0
	while ! grep -F -- "$2" "$1"; do
		i=$((i + 1))
		[ $i -gt 10 ] && { echo "no '$2' within 1 s:"; cat "$1"; return 1; }
		sleep 0.1
	done
}

# Events are rate limited like the log (bursts per 2 s): let it refill.
sleep 2.5
torfwctl monitor >/tmp/mon.out 2>&1 &
MON_PID=$!
sleep 1
refused_econn "monitor: amnesia's curl to 192.0.2.1:80 is refused (the event's cause)" \
	as amnesia http_get 192.0.2.1 80
check "monitor: prints 'refused uid=1000 comm=curl ... tcp 192.0.2.1:80 reason=internet-tcp' within 1 s" \
	mon_wait /tmp/mon.out '^refused uid=1000 comm=curl pid=[0-9]+ tcp 192\.0\.2\.1:80 reason=internet-tcp$'
kill $MON_PID 2>/dev/null || true
wait $MON_PID 2>/dev/null || true
note "monitor printed:" "$(cat /tmp/mon.out)"

sleep 2.5
torfwctl monitor -j >/tmp/mon.json 2>&1 &
MON_PID=$!
sleep 1
as amnesia dns_ask 192.0.2.1 53 >/dev/null 2>&1 || true
check "monitor -j: one JSON object with uid 1000, udp, port 53, reason internet-non-tcp" \
	mon_wait /tmp/mon.json '^\{"version":1,"event":"refused","uid":1000,.*"proto":"udp","daddr":"192\.0\.2\.1","dport":53,"reason":"internet-non-tcp"'
kill $MON_PID 2>/dev/null || true
wait $MON_PID 2>/dev/null || true
MON_PID=
note "monitor -j printed:" "$(cat /tmp/mon.json)"

# A program names itself (its comm is its file name): bytes that are not
# UTF-8, a quote, a backslash, control bytes. Every -j line must still
# parse strictly (tests/vm/tools/jsoncheck), the bad bytes as U+FFFD.
HOSTILE=$(printf '\377\376"\\\001\033[2J\303(x')
cp $TOOLS/sockconnect "/tmp/$HOSTILE"
chmod 755 "/tmp/$HOSTILE"
HOSTILE_JSON='"comm":"\ufffd\ufffd\"\\\u0001\u001b[2J\ufffd(x"'
sleep 2.5
torfwctl monitor -j >/tmp/mon-hostile.json 2>&1 &
MON_PID=$!
sleep 1
as stranger "/tmp/$HOSTILE" -t 1 tcp 192.0.2.1 80 >/dev/null 2>&1 || true
check "monitor -j: a comm of invalid UTF-8, quote, backslash, controls is escaped" \
	mon_wait_fixed /tmp/mon-hostile.json "$HOSTILE_JSON"
kill $MON_PID 2>/dev/null || true
wait $MON_PID 2>/dev/null || true
MON_PID=
note "monitor -j printed (hostile comm):" "$(cat /tmp/mon-hostile.json)"
sleep 2.5
torfwctl monitor >/tmp/mon-hostile.txt 2>&1 &
MON_PID=$!
sleep 1
as stranger "/tmp/$HOSTILE" -t 1 tcp 192.0.2.1 80 >/dev/null 2>&1 || true
check "monitor: the same comm as \\xNN in the text line" \
	mon_wait /tmp/mon-hostile.txt 'comm=\\xff\\xfe"\\x5c\\x01\\x1b\[2J\\xc3\(x pid='
kill $MON_PID 2>/dev/null || true
wait $MON_PID 2>/dev/null || true
MON_PID=
rm -f "/tmp/$HOSTILE"

# Every -j output through the strict parser, the hostile events included.
json_strict() {
	local f=/tmp/json-all.txt
	: >$f
	torfwctl -j status >>$f || return 1
	torfwctl show -j >>$f || return 1
	torfwctl stats -j >>$f || return 1
	cat /tmp/mon.json /tmp/mon-hostile.json >>$f
	grep -c . $f
	! grep -v '^{"version":1,' $f || { echo "lines without the version key"; return 1; }
	$TOOLS/jsoncheck <$f
}
check "-j: status, show, stats and monitor lines (hostile comm too) parse strictly" json_strict
# Its anti-test: the raw bytes the old encoder copied are refused.
json_judge_sees() {
	! printf '{"version":1,"comm":"\377\376"}\n' | $TOOLS/jsoncheck
}
check "-j: jsoncheck refuses a string of raw 0xff 0xfe (it can see)" json_judge_sees

check "monitor: an unprivileged uid cannot subscribe (EPERM)" \
	as amnesia ctl_fails_with EPERM torfwctl monitor

# ---- bad files ----------------------------------------------------------------

# Each is the reference plus a line that would let stranger reach 7010,
# and an error the whole file must be refused for.
BAD_SYNTAX=/tmp/bad-syntax.conf
cp "$REFERENCE_CONF" $BAD_SYNTAX
echo 'allow tcp 127.0.0.1:7010 1500' >>$BAD_SYNTAX
echo 'allow tcp 127.0.0.1:70x0 1000' >>$BAD_SYNTAX
SYNTAX_LINE=$(wc -l <$BAD_SYNTAX)
BAD_USER=/tmp/bad-user.conf
cp "$REFERENCE_CONF" $BAD_USER
echo 'allow tcp 127.0.0.1:7010 1500 nosuchuser' >>$BAD_USER
USER_LINE=$(wc -l <$BAD_USER)

# bad_load FILE REGEX: load exits 1 and its first line matches REGEX.
bad_load() {
	local out rc=0
	out=$(torfwctl load "$1" 2>&1) || rc=$?
	echo "$out"
	echo "exit status $rc"
	[ $rc -eq 1 ] && echo "$out" | head -n 1 | grep -qE -- "$2"
}

gen=$(policy_generation)
check "bad file: a syntax error exits 1 with $BAD_SYNTAX:$SYNTAX_LINE:COL: message" \
	bad_load $BAD_SYNTAX "^$BAD_SYNTAX:$SYNTAX_LINE:[0-9]+: ."
note "torfwctl load (syntax error): $(torfwctl load $BAD_SYNTAX 2>&1 | head -n 2)"
check "bad file: an unknown user exits 1 with $BAD_USER:$USER_LINE:31: unknown user 'nosuchuser'" \
	bad_load $BAD_USER "^$BAD_USER:$USER_LINE:31: unknown user 'nosuchuser'"
expect_eq "bad file: the generation is unchanged" "$gen" "$(policy_generation)"
refused_econn "bad file: stranger is still refused on tcp 127.0.0.1:7010 (nothing of the file applied)" \
	as stranger svc_tcp 127.0.0.1 7010
check "bad file: amnesia still reaches tcp 127.0.0.1:9050" as amnesia svc_tcp 127.0.0.1 9050
check "bad file: 'check' reports the same error without the kernel (exit 1)" \
	ctl_fails_with nosuchuser torfwctl check $BAD_USER

# ---- permissions ----------------------------------------------------------------

gen=$(policy_generation)
for sub in "load $REFERENCE_CONF" flush status; do
	# shellcheck disable=SC2086 # sub is the command and its argument
	check "EPERM: amnesia's 'torfwctl $sub' fails with EPERM" \
		as amnesia ctl_fails_with EPERM torfwctl $sub
done
for sub in "load $REFERENCE_CONF" flush status; do
	# shellcheck disable=SC2086
	check "EPERM: root of a user namespace (unshare -Urn) 'torfwctl $sub' fails with EPERM" \
		ctl_fails_with EPERM unshare -Urn torfwctl $sub
done
note "uid inside 'unshare -Urn': $(unshare -Urn id -u 2>&1)"
check "EPERM: root of a user namespace in the initial netns (unshare -Ur) 'torfwctl flush' fails with EPERM" \
	ctl_fails_with EPERM unshare -Ur torfwctl flush
expect_eq "EPERM: after all that the generation is unchanged" "$gen" "$(policy_generation)"
expect_eq "EPERM: and the policy is still loaded" loaded \
	"$(torfwctl status | sed -n 's/^policy: //p')"

# ---- hand-made netlink requests -------------------------------------------------

gen=$(policy_generation)
check "netlink: nlpoke's valid request (CHECK only) is accepted (the framing is right)" \
	$TOOLS/nlpoke ok
check "netlink: a service without its address: EINVAL with an extack message" \
	nl_refused no-addr EINVAL
check "netlink: a grant with a 300-byte namespace name: an errno with an extack message" \
	nl_refused long-name EINVAL ERANGE E2BIG
check "netlink: an unknown top-level attribute type: EINVAL/EOPNOTSUPP with an extack message" \
	nl_refused unknown-attr EINVAL EOPNOTSUPP
check "netlink: an unknown attribute inside a service: EINVAL/EOPNOTSUPP with an extack message" \
	nl_refused unknown-nested EINVAL EOPNOTSUPP
for c in no-addr long-name unknown-attr unknown-nested; do
	note "$($TOOLS/nlpoke $c 2>&1)"
done
expect_eq "netlink: the generation is unchanged by all of them" "$gen" "$(policy_generation)"
check "netlink: amnesia still reaches tcp 127.0.0.1:9050" as amnesia svc_tcp 127.0.0.1 9050

# ---- 1,000 policy replacements under traffic ---------------------------------

# Two valid policies: the reference, and the reference with another log
# rate and one more entry (13 entries), so every load changes something.
# Two loaders (one per vCPU) replace the policy 500 times each, each
# alternating the two files. Meanwhile debian-tor keeps opening
# connections to 192.0.2.1:80, amnesia to its SOCKS port, and stranger
# keeps probing 198.51.100.66 (tcp, udp, icmp), whose packets the capture
# on up1 must never see.
ALT=/tmp/torfw-alt.conf
sed 's/^log-rate 10$/log-rate 9/' "$REFERENCE_CONF" >"$ALT"
echo 'allow tcp 127.0.0.1:7001 1000' >>"$ALT"
LOADS=1000

# loader N FIRST SECOND: N loads alternating the files; prints the number
# of failed loads.
loader() {
	local n=$1 i=0 bad=0 f
	while [ $i -lt "$n" ]; do
		if [ $((i % 2)) -eq 0 ]; then f=$2; else f=$3; fi
		torfwctl load "$f" >/dev/null 2>>/tmp/loop-load.err || bad=$((bad + 1))
		i=$((i + 1))
	done
	echo $bad
}

rm -f /tmp/loop-stop /tmp/loop-load.err
cap_start up1 'host 198.51.100.66 or (host 192.0.2.1 and tcp port 80)' internet
as debian-tor probe_loop /tmp/loop-stop 1 http_get 192.0.2.1 80 >/tmp/loop-tor.log 2>&1 &
LOOP1=$!
as amnesia probe_loop /tmp/loop-stop 1 svc_tcp 127.0.0.1 9050 >/tmp/loop-amnesia.log 2>&1 &
LOOP2=$!
as stranger probe_loop /tmp/loop-stop 0.5 leak_probe 198.51.100.66 >/tmp/loop-stranger.log 2>&1 &
LOOP3=$!
sleep 1

gen0=$(policy_generation)
t0=$(now_cs)
loader $((LOADS / 2)) "$ALT" "$REFERENCE_CONF" >/tmp/loader1.out &
L1=$!
loader $((LOADS - LOADS / 2)) "$REFERENCE_CONF" "$ALT" >/tmp/loader2.out &
L2=$!
wait $L1 $L2 || true
t1=$(now_cs)
bad=$(($(cat /tmp/loader1.out) + $(cat /tmp/loader2.out)))
gen1=$(policy_generation)
sleep 1
touch /tmp/loop-stop
wait $LOOP1 $LOOP2 $LOOP3 || true
cap_stop
note "$LOADS loads (two loaders) in $(cs_fmt $((t1 - t0)))"

expect_eq "replace x$LOADS: every load succeeded" 0 "$bad" "$(head -n 3 /tmp/loop-load.err)"
expect_eq "replace x$LOADS: the generation advanced by $LOADS" \
	$((gen0 + LOADS)) "$gen1"
torfwctl load "$REFERENCE_CONF" >/dev/null
expect_eq "replace x$LOADS: then the reference loads again (12 entries)" \
	12 "$(torfwctl status | sed -n 's/^entries: //p')"

# loop_result LOG: "N ok, M fail"
loop_result() {
	echo "$(grep -c '^ok$' "$1" || true) ok, $(grep -c '^fail$' "$1" || true) fail"
}
res=$(loop_result /tmp/loop-tor.log)
note "debian-tor http 192.0.2.1:80 during the loads: $res"
case $res in
"0 ok"*) fail "replace x$LOADS: debian-tor's connections kept working" "$res" ;;
*", 0 fail") ok "replace x$LOADS: debian-tor's connections kept working ($res)" ;;
*) fail "replace x$LOADS: debian-tor's connections kept working" "$res" ;;
esac
res=$(loop_result /tmp/loop-amnesia.log)
note "amnesia tcp 127.0.0.1:9050 during the loads: $res"
case $res in
"0 ok"*) fail "replace x$LOADS: amnesia's SOCKS connections kept working" "$res" ;;
*", 0 fail") ok "replace x$LOADS: amnesia's SOCKS connections kept working ($res)" ;;
*) fail "replace x$LOADS: amnesia's SOCKS connections kept working" "$res" ;;
esac
res=$(loop_result /tmp/loop-stranger.log)
note "stranger probes of 198.51.100.66 during the loads: $res"
case $res in
"0 ok, 0 fail") fail "replace x$LOADS: stranger's probes were all refused" "no probe ran" ;;
"0 ok"*) ok "replace x$LOADS: stranger's probes were all refused ($res)" ;;
*) fail "replace x$LOADS: stranger's probes were all refused" "$res" ;;
esac
n_leak=$(cap_count 'host 198.51.100.66')
n_tor=$(cap_count 'host 192.0.2.1 and tcp port 80')
note "capture on up1: $CAP_N packets; debian-tor's http: $n_tor; to/from 198.51.100.66: $n_leak"
expect_eq "replace x$LOADS: the capture on up1 has no packet of stranger's (198.51.100.66)" \
	0 "$n_leak" "$(cap_show 'host 198.51.100.66')"
if [ "$n_tor" -gt 0 ]; then
	ok "replace x$LOADS: the same capture saw debian-tor's flow ($n_tor packets)"
else
	fail "replace x$LOADS: the same capture saw debian-tor's flow" "the capture saw nothing"
fi
check "after the loads: amnesia still reaches 127.0.0.1:9050" as amnesia svc_tcp 127.0.0.1 9050
refused_econn "after the loads: stranger is still refused on 192.0.2.1:80" \
	as stranger http_get 192.0.2.1 80
