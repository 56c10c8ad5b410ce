#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Faults (reliability issue, item 6), memory and concurrency:
#   - a load whose memory the kernel cannot have fails with ENOMEM and
#     leaves the active policy: same generation, same 'torfwctl show', same
#     behaviour. Debian's kernel: a memory cgroup's memory.max (torfw
#     charges a load to the loader's cgroup), over the whole load and over
#     its commit alone; the debug kernel (no memory cgroups): failslab.
#   - loads run by several processes at once are serialized: each applies
#     whole, the last one is active, no transaction is left behind.
# tests/vm/tools/faultload does the limited loads (see its header).
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/faults.sh

CG=/sys/fs/cgroup
FS=/sys/kernel/debug/failslab

cleanup() {
	[ ! -e "$FS/probability" ] || echo 0 >"$FS/probability"
	for d in "$CG"/torfw-*; do
		[ ! -d "$d" ] || rmdir "$d" 2>/dev/null || true
	done
	return 0
}
trap cleanup EXIT

show_same() { torfwctl show | cmp -s - "$1"; }

policy_up
big_conf 4000 127.0.0.3 >/tmp/big.conf
big_conf 2000 127.0.0.4 >/tmp/big-b.conf
[ -e "$CG/cgroup.controllers" ] || mount -t cgroup2 cgroup2 "$CG" 2>/dev/null || true
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true

# attempt DESC [-c] MODE ARG: faultload of /tmp/big.conf. A failure must
# be ENOMEM (failslab: or ENOBUFS, the socket's own buffer) and change
# nothing. Sets FAILED_AT (the message that failed, "loaded", or the exit
# status) and MSGS (how many messages the load has).
attempt() {
	local desc=$1 gen out rc=0 errs="ENOMEM"
	shift
	case " $* " in *" failslab "*) errs="ENOMEM|ENOBUFS" ;; esac
	gen=$(policy_generation)
	torfwctl show >/tmp/show.before
	out=$($FAULTLOAD "$@" /tmp/big.conf 2>&1) || rc=$?
	note "$desc: $out"
	if [ $rc -eq 0 ]; then
		FAILED_AT=loaded
		torfwctl load "$REFERENCE_CONF" >/dev/null
		return 0
	fi
	FAILED_AT=$(echo "$out" | sed -n 's/^faultload: message \([0-9]*\) of.*/\1/p')
	MSGS=$(echo "$out" | sed -n 's/^faultload: message [0-9]* of \([0-9]*\):.*/\1/p')
	[ -n "$FAILED_AT" ] || FAILED_AT="rc=$rc"
	if [ $rc -eq 1 ] && echo "$out" | grep -Eq "errno=($errs) " &&
		[ "$(policy_generation)" = "$gen" ] && show_same /tmp/show.before; then
		ok "$desc: fails with $(echo "$errs" | sed "s/|/ or /"), the active policy stays (generation $gen, same show)"
	else
		fail "$desc: fails with $(echo "$errs" | sed "s/|/ or /"), the active policy stays" \
			"exit status $rc, generation $gen -> $(policy_generation)" \
			"$(torfwctl show | diff /tmp/show.before - | head -n 5)"
	fi
}

# ladder WHAT [-c]: faultload in a fresh cgroup per limit, from 1/20 of
# the peak (measured first, without a limit) to 3/2 of it, denser near
# the peak. Sets POINTS (FAILED_AT of each).
ladder() {
	local what=$1 peak k lim
	shift
	mkdir "$CG/torfw-measure"
	attempt "memcg, $what: no limit" "$@" cgroup "$CG/torfw-measure"
	peak=$(cat "$CG/torfw-measure/memory.peak")
	rmdir "$CG/torfw-measure"
	note "memcg, $what: the load of /tmp/big.conf took $peak bytes at its peak"
	expect_eq "memcg, $what: without a limit the load succeeds" loaded "$FAILED_AT"
	POINTS=''
	for k in 1 2 4 6 8 10 12 14 16 17 18 19 20 21 22 23 24 26 28 30; do
		lim=$((peak * k / 20))
		mkdir "$CG/torfw-$k"
		echo "$lim" >"$CG/torfw-$k/memory.max"
		attempt "memcg, $what: memory.max $lim ($k/20 of the peak)" "$@" cgroup "$CG/torfw-$k"
		POINTS="$POINTS $FAILED_AT"
		rmdir "$CG/torfw-$k"
	done
	note "memcg, $what: where the loads failed (message number of $MSGS, or loaded):$POINTS"
	if echo "$POINTS" | grep -q loaded; then
		ok "memcg, $what: with enough memory the same load succeeds"
	else
		fail "memcg, $what: with enough memory the same load succeeds" "$POINTS"
	fi
}

# failed_at: the distinct message numbers of POINTS.
# shellcheck disable=SC2086 # one word per point
failed_at() { printf '%s\n' $POINTS | grep -E '^[0-9]+$' | sort -un; }

# ---- a load without memory ---------------------------------------------------

objects_before=$(objects_quiet)
if grep -qw memory "$CG/cgroup.controllers" 2>/dev/null; then
	echo +memory >"$CG/cgroup.subtree_control"
	ladder "whole load"
	if [ "$(failed_at | wc -l)" -ge 3 ]; then
		ok "memcg, whole load: loads failed at $(failed_at | wc -l) different messages"
	else
		fail "memcg, whole load: loads failed at 3 or more different messages" \
			"failed at: $(failed_at | tr '\n' ' ')"
	fi
	ladder "commit alone" -c
	if [ "$(failed_at)" = "$MSGS" ]; then
		ok "memcg, commit alone: the loads that failed, failed at the commit (message $MSGS)"
	else
		fail "memcg, commit alone: the loads that failed, failed at the commit" \
			"failed at: $(failed_at | tr '\n' ' ') of $MSGS"
	fi
elif [ -e "$FS/probability" ]; then
	# failslab: the loader's slab allocations fail once, after a budget.
	echo Y >"$FS/task-filter"
	echo N >"$FS/ignore-gfp-wait"
	echo 0 >"$FS/verbose"
	echo 1 >"$FS/interval"
	echo 100 >"$FS/probability"
	POINTS=''
	for space in 0 1000 4000 16000 64000 256000 1000000 4000000 16000000 64000000; do
		echo 1 >"$FS/times"
		attempt "failslab: one failure after $space bytes" failslab "$space"
		POINTS="$POINTS $FAILED_AT"
	done
	for space in 0 1000 10000 100000 1000000; do
		echo 1 >"$FS/times"
		attempt "failslab, commit alone: one failure after $space bytes" -c failslab "$space"
		POINTS="$POINTS $FAILED_AT"
	done
	echo 0 >"$FS/probability"
	note "failslab: where the loads failed (message number, or loaded):$POINTS"
	if [ "$(failed_at | wc -l)" -ge 3 ] && failed_at | grep -qx "$MSGS"; then
		ok "failslab: the loads failed at $(failed_at | wc -l) different messages, the commit among them"
	else
		fail "failslab: the loads failed at 3 or more different messages, the commit among them" \
			"failed at: $(failed_at | tr '\n' ' ') of $MSGS"
	fi
else
	fail "a load without memory: this kernel has neither a memory cgroup nor failslab"
fi
torfwctl load "$REFERENCE_CONF" >/dev/null
expect_eq "no memory: torfw's objects are back to the baseline" "$objects_before" \
	"$(objects_settle "$objects_before")"
refused "no memory: behaviour: amnesia tcp 192.0.2.1:80 still refused" \
	as amnesia http_get 192.0.2.1 80
check "no memory: behaviour: amnesia still reaches tcp 127.0.0.1:9050" \
	as amnesia loopback_echo 127.0.0.1 9050

# ---- loads at the same time ---------------------------------------------------

# Each config's show, loaded alone.
for c in big big-b; do
	torfwctl load /tmp/$c.conf >/dev/null
	torfwctl show >/tmp/show.$c
done
torfwctl load "$REFERENCE_CONF" >/dev/null
torfwctl show >/tmp/show.ref
gen0=$(policy_generation)
bad=''
: >/tmp/conc.errors
for round in 1 2 3 4 5; do
	pids=''
	for c in big big-b "$REFERENCE_CONF" big; do
		case $c in /*) f=$c ;; *) f=/tmp/$c.conf ;; esac
		out=/tmp/conc.$round.${#pids}.out
		(torfwctl load "$f" >"$out" 2>&1 ||
			echo "$f: $(cat "$out")" >>/tmp/conc.errors) &
		pids="$pids $!"
	done
	# Only these: the topology's responders are children of this shell.
	# shellcheck disable=SC2086 # one word per pid
	wait $pids
	torfwctl show >/tmp/show.now
	cmp -s /tmp/show.now /tmp/show.big || cmp -s /tmp/show.now /tmp/show.big-b ||
		cmp -s /tmp/show.now /tmp/show.ref || bad="$bad $round"
done
if [ ! -s /tmp/conc.errors ]; then
	ok "serialized: 5 rounds of 4 loads at once (3 of many messages): every load succeeded"
else
	fail "serialized: 5 rounds of 4 loads at once: every load succeeded" "$(head -n 5 /tmp/conc.errors)"
fi
expect_eq "serialized: the generation moved by exactly 20" $((gen0 + 20)) "$(policy_generation)"
expect_eq "serialized: after each round the active policy is one of the loaded ones, whole" \
	"" "$bad"
expect_eq "serialized: no transaction left open (torfw's objects at the baseline)" \
	"$objects_before" "$(objects_settle "$objects_before")"
torfwctl load "$REFERENCE_CONF" >/dev/null
