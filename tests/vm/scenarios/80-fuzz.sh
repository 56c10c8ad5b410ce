#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hostile netlink input (reliability issue, item 4): 100,000 random and
# mutated messages as root, 100,000 as an unprivileged uid. Nothing may
# crash or warn (the harness checks the kernel log after the scenario),
# the active policy must be the one loaded before (same generation, same
# 'torfwctl show', same behaviour), nothing may be accepted from the
# unprivileged uid, and the kernel's own count of policy objects and load
# transactions must return to its baseline.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

FUZZ=/tests/vm/tools/nlfuzz
COUNT=${FUZZ_COUNT:-100000}

trap 'module_loaded torfw && rmmod torfw; return 0' EXIT

policy_up
torfwctl show >/tmp/show.before
before=$($FUZZ -S)
note "before: $before"

# fuzz AS LABEL: runs the fuzzer, keeps its summary line in /tmp/fuzz.LABEL.
fuzz() {
	local who=$1 seed=$2 rc=0
	if [ "$who" = root ]; then
		$FUZZ -n "$COUNT" -s "$seed" >"/tmp/fuzz.$who" 2>&1 || rc=$?
	else
		as "$who" $FUZZ -n "$COUNT" -s "$seed" >"/tmp/fuzz.$who" 2>&1 || rc=$?
	fi
	note "$(cat "/tmp/fuzz.$who")"
	if [ $rc -eq 0 ] && grep -q "sent=$COUNT " "/tmp/fuzz.$who"; then
		ok "fuzz: $COUNT messages as $who, the fuzzer ran to the end"
	else
		fail "fuzz: $COUNT messages as $who" "exit status $rc"
	fi
}

fuzz root 1
fuzz stranger 2

if grep -q ' acks=0 dump-parts=0 ' /tmp/fuzz.stranger &&
	! grep -qw 'EPERM=0' /tmp/fuzz.stranger &&
	grep -q 'EPERM=' /tmp/fuzz.stranger; then
	ok "fuzz: the unprivileged uid got nothing but errors (EPERM among them)"
else
	fail "fuzz: the unprivileged uid got nothing but errors" \
		"$(cat /tmp/fuzz.stranger)"
fi

after=$($FUZZ -S)
note "after: $after"
if [ "${before%% *}" = "${after%% *}" ]; then
	ok "fuzz: the generation is unchanged (${before%% *})"
else
	fail "fuzz: the generation is unchanged" "before $before, after $after"
fi
if [ "${before##* }" = "${after##* }" ]; then
	ok "fuzz: kernel objects back to the baseline (${before##* })"
else
	fail "fuzz: kernel objects back to the baseline" "before $before, after $after"
fi
torfwctl show >/tmp/show.after
if cmp -s /tmp/show.before /tmp/show.after; then
	ok "fuzz: 'torfwctl show' is byte for byte the same"
else
	fail "fuzz: 'torfwctl show' is byte for byte the same" \
		"$(diff /tmp/show.before /tmp/show.after | head -n 20)"
fi
refused "fuzz: behaviour: amnesia tcp 192.0.2.1:80 still refused" \
	as amnesia http_get 192.0.2.1 80
check "fuzz: behaviour: amnesia still reaches tcp 127.0.0.1:9050" \
	as amnesia loopback_echo 127.0.0.1 9050
