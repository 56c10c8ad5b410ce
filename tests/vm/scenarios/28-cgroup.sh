#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cgroup v2 principals (issue 16): two programs of one uid in two cgroups,
# one allowed to 127.0.0.1:9050 by its cgroup and one not. In boot order:
# the module and the policy first, the cgroups and the programs after.
#  - the cgroup (made after the load) and one below it pass; a sibling,
#    the root and a look-alike path are refused at once; the uid alone
#    no longer passes; other principals of the entry still do
#  - stats counts the entry's hits
#  - a socket keeps the cgroup it was made in when its process moves
#  - the refusal's log line and event name the socket's cgroup (escaped);
#    explain --cgroup agrees with what the clients saw
#  - an MPTCP socket's subflow, made by the kernel, is its process's
#  - roles by cgroup: clearnet off loopback, packet for raw frames
#  - removed and made again: the same path, the same rights, no load; the
#    active policy and its file do not differ (diff)
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

CONF=/tmp/28-cgroup.conf

cleanup() {
	svc_stop_all
	torfwctl load "$REFERENCE_CONF" >/dev/null 2>&1 || true
	d=${DEEP:-}
	while [ -n "$d" ] && [ "$d" != torfw-other ]; do
		rmdir "$CG/$d" 2>/dev/null || true
		d=${d%/*}
	done
	for d in torfw-tb/child torfw-tb "torfw-other/a b" torfw-other/torfw-tb \
		torfw-other torfw-cn torfw-pk torfw-tbx; do
		rmdir "$CG/$d" 2>/dev/null || true
	done
	return 0
}
trap cleanup EXIT

# verdict OUT: the first word of explain's answer.
verdict() { echo "${1%% *}"; }

cg_mount

# The reference, but tcp/9050 names a cgroup instead of amnesia, and the
# clearnet role a cgroup too.
sed -e '/^include /d' \
	-e 's|^allow tcp 127.0.0.1:9050 1000 |allow tcp 127.0.0.1:9050 cgroup:/torfw-tb |' \
	"$REFERENCE_CONF" >"$CONF"
echo 'role clearnet cgroup:/torfw-cn' >>"$CONF"
echo 'role packet cgroup:/torfw-pk' >>"$CONF"
grep -q '^allow tcp 127.0.0.1:9050 cgroup:/torfw-tb ' "$CONF" ||
	fail "the test policy names cgroup:/torfw-tb on tcp/9050" "$(grep 9050 "$CONF")"

policy_up
check "a policy with cgroup principals loads (before the cgroups exist)" \
	torfwctl load "$CONF"
line=$(torfwctl show | grep 'cgroup:/torfw-' || true)
note "show:" "$line"
case $line in
*"cgroup:/torfw-tb"*) ok "show names cgroup:/torfw-tb" ;;
*) fail "show names cgroup:/torfw-tb" "$line" ;;
esac

# What the test policy changes against the reference, as diff says it.
torfwctl diff "$REFERENCE_CONF" "$CONF" >/tmp/28-diff.out 2>&1 && st=0 || st=$?
note "diff $REFERENCE_CONF $CONF (exit $st):" "$(cat /tmp/28-diff.out)"
if [ "$st" = 1 ] && grep -q '^+ .*cgroup:/torfw-tb.* tcp 127.0.0.1:9050 refused -> accepted' /tmp/28-diff.out &&
	grep -q '^- amnesia.* tcp 127.0.0.1:9050 accepted -> refused' /tmp/28-diff.out; then
	ok "diff REFERENCE FILE: tcp/9050 opens to cgroup:/torfw-tb, closes to amnesia elsewhere"
else
	fail "diff REFERENCE FILE: tcp/9050 opens to cgroup:/torfw-tb, closes to amnesia elsewhere" \
		"exit $st" "$(cat /tmp/28-diff.out)"
fi

# Made after the load, as at boot.
DEEP=torfw-other/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17
mkdir -p "$CG/$DEEP"
mkdir -p "$CG/torfw-tb/child" "$CG/torfw-other/a b" "$CG/torfw-cn" "$CG/torfw-pk" \
	"$CG/torfw-tbx" "$CG/torfw-other/torfw-tb"
svc_listen tcp 127.0.0.1 9050

check "amnesia in /torfw-tb reaches 127.0.0.1:9050 (cgroup principal)" \
	in_cg torfw-tb as amnesia svc_tcp 127.0.0.1 9050
check "amnesia in /torfw-tb/child reaches it (below the cgroup)" \
	in_cg torfw-tb/child as amnesia svc_tcp 127.0.0.1 9050
check "debian-tor in /torfw-tb reaches it too (uids OR cgroups)" \
	in_cg torfw-tb as debian-tor svc_tcp 127.0.0.1 9050
refused_class ECONNREFUSED "amnesia in /torfw-other is refused at once" \
	in_cg torfw-other as amnesia svc_tcp 127.0.0.1 9050
refused_class ECONNREFUSED "amnesia in the root cgroup is refused" \
	in_cg "" as amnesia svc_tcp 127.0.0.1 9050
refused_class ECONNREFUSED "amnesia in /torfw-tbx (a longer name) is refused" \
	in_cg torfw-tbx as amnesia svc_tcp 127.0.0.1 9050
refused_class ECONNREFUSED "amnesia in /torfw-other/torfw-tb (the name one level down) is refused" \
	in_cg torfw-other/torfw-tb as amnesia svc_tcp 127.0.0.1 9050
check "_apt (named by uid) still reaches it from /torfw-other" \
	in_cg torfw-other as _apt svc_tcp 127.0.0.1 9050

# stats counts the entry's hits under its cgroup principal.
line=$(torfwctl stats | grep 'allow tcp 127.0.0.1:9050 .*cgroup:/torfw-tb' || true)
note "stats: $line"
hits=$(echo "$line" | awk '{ print $1 }')
if [ "${hits:-0}" -ge 3 ] 2>/dev/null; then
	ok "stats: the entry naming cgroup:/torfw-tb counted its 3 connections"
else
	fail "stats: the entry naming cgroup:/torfw-tb counted its 3 connections" "$line"
fi

# The socket's cgroup is the one it was made in.
check "a socket made in /torfw-tb passes after its process moved out" \
	in_cg torfw-tb "$TOOLS"/sockconnect -e \
	-m "$CG/torfw-other/cgroup.procs" tcp 127.0.0.1 9050
refused_class ECONNREFUSED "a socket made in /torfw-other is refused after its process moved in" \
	in_cg torfw-other "$TOOLS"/sockconnect -e \
	-m "$CG/torfw-tb/cgroup.procs" tcp 127.0.0.1 9050

# The log and the events name the program's cgroup.
torfwctl monitor >/tmp/28-mon.out 2>&1 &
mon=$!
sleep 0.5
dmesg -c >/dev/null
in_cg torfw-other as amnesia svc_tcp 127.0.0.1 9050 >/dev/null 2>&1 || true
in_cg "torfw-other/a b" as amnesia svc_tcp 127.0.0.1 9050 >/dev/null 2>&1 || true
in_cg "$DEEP" as amnesia svc_tcp 127.0.0.1 9050 >/dev/null 2>&1 || true
sleep 0.5
kill $mon 2>/dev/null || true
wait $mon 2>/dev/null || true
lines=$(dmesg | grep 'refused uid=1000 ' | sed -n 's/.*refused \(uid=.*\)$/\1/p')
note "kernel log:" "$(dmesg | grep 'refused uid=1000 ')" "monitor:" "$(cat /tmp/28-mon.out)"
expect_eq "the refusal's log line carries cgroup=/torfw-other" \
	"uid=1000 cgroup=/torfw-other tcp 127.0.0.1:9050 reason=loopback" \
	"$(echo "$lines" | head -n 1)" "$lines"
expect_eq "a cgroup 18 levels deep: its first 16 names, then /..." \
	"uid=1000 cgroup=/torfw-other/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/... tcp 127.0.0.1:9050 reason=loopback" \
	"$(echo "$lines" | sed -n 3p)" "$lines"
expect_eq "a space in a cgroup's name is escaped in the log line" \
	"uid=1000 cgroup=/torfw-other/a\\x20b tcp 127.0.0.1:9050 reason=loopback" \
	"$(echo "$lines" | sed -n 2p)" "$lines"
if grep -q 'cgroup=/torfw-other ' /tmp/28-mon.out; then
	ok "monitor: the event carries cgroup=/torfw-other"
else
	fail "monitor: the event carries cgroup=/torfw-other" "$(cat /tmp/28-mon.out)"
fi

# explain agrees with what the clients saw.
out=$(torfwctl explain --cgroup /torfw-tb amnesia tcp 127.0.0.1:9050 2>&1) || true
note "explain --cgroup /torfw-tb amnesia tcp 127.0.0.1:9050:" "$out"
expect_eq "explain --cgroup /torfw-tb: accepted" accepted "$(verdict "$out")" "$out"
out=$(torfwctl explain --cgroup /torfw-tb/child amnesia tcp 127.0.0.1:9050 2>&1) || true
expect_eq "explain --cgroup /torfw-tb/child: accepted" accepted "$(verdict "$out")" "$out"
out=$(torfwctl explain --cgroup /torfw-other amnesia tcp 127.0.0.1:9050 2>&1) || true
note "explain --cgroup /torfw-other amnesia tcp 127.0.0.1:9050:" "$out"
expect_eq "explain --cgroup /torfw-other: refused" refused "$(verdict "$out")" "$out"

# A socket the kernel makes for a process: MPTCP's subflow takes its
# MPTCP socket's cgroup (and falls back to TCP against this listener).
rc=0
"$TOOLS"/sockconnect -n mptcp 127.0.0.1 9050 >/dev/null 2>&1 || rc=$?
if [ "$rc" = 4 ]; then
	note "no MPTCP in this kernel: its cases are not run"
else
	check "amnesia's MPTCP socket in /torfw-tb reaches 127.0.0.1:9050 (its subflow is in /torfw-tb)" \
		in_cg torfw-tb as amnesia "$TOOLS"/sockconnect -e mptcp 127.0.0.1 9050
	refused_class ECONNREFUSED "amnesia's MPTCP socket in /torfw-other is refused" \
		in_cg torfw-other as amnesia "$TOOLS"/sockconnect -e mptcp 127.0.0.1 9050
fi

# Raw frames: the packet role by cgroup (root has no packet role here).
frames_left() {
	local t
	t=$(tx_packets up0)
	in_cg "$1" "$TOOLS"/rawsend -n 3 -d "$MAC_UP1" up0 ether >/dev/null 2>&1 || true
	echo $(($(tx_packets up0) - t))
}
expect_eq "root's raw frames from /torfw-pk leave up0 (packet role by cgroup)" \
	3 "$(frames_left torfw-pk)"
expect_eq "root's raw frames from /torfw-other do not" 0 "$(frames_left torfw-other)"

# A role by cgroup.
check "amnesia in /torfw-cn reaches 192.0.2.1:80 (clearnet role by cgroup)" \
	in_cg torfw-cn as amnesia http_get 192.0.2.1 80
refused_class ECONNREFUSED "amnesia in /torfw-other does not" \
	in_cg torfw-other as amnesia http_get 192.0.2.1 80

# Removed and made again: the same path, the same rights, no load.
gen=$(policy_generation)
rmdir "$CG/torfw-tb/child" "$CG/torfw-tb"
refused_class ECONNREFUSED "with /torfw-tb removed, amnesia in /torfw-other is still refused" \
	in_cg torfw-other as amnesia svc_tcp 127.0.0.1 9050
mkdir "$CG/torfw-tb"
check "a /torfw-tb made again reaches 127.0.0.1:9050 at once" \
	in_cg torfw-tb as amnesia svc_tcp 127.0.0.1 9050
expect_eq "no policy was loaded meanwhile" "$gen" "$(policy_generation)"
out=$(torfwctl explain --cgroup /torfw-tb amnesia tcp 127.0.0.1:9050 2>&1) || true
expect_eq "explain --cgroup /torfw-tb (made again): accepted" accepted \
	"$(verdict "$out")" "$out"
torfwctl diff active "$CONF" >/tmp/28-diff.out 2>&1 && st=0 || st=$?
expect_eq "diff active FILE: nothing differs (exit 0)" "0:" \
	"$st:$(cat /tmp/28-diff.out)"
