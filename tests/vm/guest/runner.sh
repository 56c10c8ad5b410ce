#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs the scenarios named by the host, in order, each in its own shell,
# then dumps the kernel log and reboots. Everything goes to the console,
# which the host parses (run.sh): TAP lines, '# ' diagnostics, '#case'
# records (see lib/common.sh) and '@@torfw-vm:' markers.
#
# Besides the scenarios' own cases, each scenario gets two from here: it
# ran to completion (a setup error under 'set -e' or a time-out is a
# failure, not a silent stop), and the kernel log it produced is clean.

. /tests/vm/lib/common.sh

SCENARIO_TIMEOUT=${TORFW_VM_SCENARIO_TIMEOUT:-300}

# Kernel log lines that fail a run; the host applies the same list
# (run.sh) to the whole log.
KLOG_BAD='Oops|\bBUG\b|WARNING|lockdep|refcount_t|general protection|Call Trace|KASAN|UBSAN'
# Boot banners of a debug kernel (make check-debug), not reports.
KLOG_BANNER='RCU lockdep checking is enabled|kmemleak: Kernel memory leak detector initialized|KASAN init|kasan: KernelAddressSanitizer initialized'

marker() { echo "@@torfw-vm: $*"; }

klog_lines() { dmesg | wc -l; }

# The cases this runner adds after scenario $1, whose run ended with status
# $2; the kernel log is checked from line $3 on.
scenario_epilogue() {
	local name=$1 rc=$2 from=$3 bad
	if [ "$rc" -eq 0 ]; then
		ok "ran to completion"
	else
		fail "ran to completion" "exit status $rc" \
			"(124+: killed at its time limit; 1: a setup step failed under set -e)"
	fi
	bad=$(dmesg | tail -n +"$from" | grep -E "$KLOG_BAD" |
		grep -v -E "$KLOG_BANNER" | head -n 20)
	if [ -z "$bad" ]; then
		ok "left a clean kernel log"
	else
		fail "left a clean kernel log" "$bad"
	fi
}

# A scenario may need more than SCENARIO_TIMEOUT: a header line
# "# vm-timeout: N" gives it N seconds (times TORFW_VM_SLOW) if that is more.
scenario_timeout() {
	local own
	own=$(sed -n 's/^# vm-timeout: \([0-9]*\)$/\1/p' "$1" | head -n 1)
	own=$((${own:-0} * SLOW))
	[ "$own" -gt "$SCENARIO_TIMEOUT" ] && echo "$own" || echo "$SCENARIO_TIMEOUT"
}

run_scenario() {
	local name=$1 from rc t0 limit
	from=$(($(klog_lines) + 1))
	t0=$(now_cs)
	marker "scenario $name"
	rc=0
	limit=$(scenario_timeout "/tests/vm/scenarios/$name.sh")
	# Its own open of the console, and no console on stdin. The console
	# init got is one open file shared by every process; once, mid-run, a
	# scenario's printf to it failed (most likely EAGAIN: some program
	# had made that shared file non-blocking) and set -e ended it.
	TORFW_SCENARIO=$name timeout -s KILL "$limit" \
		/bin/sh "/tests/vm/scenarios/$name.sh" </dev/null >/dev/console 2>&1 ||
		rc=$?
	note "$name took $(cs_fmt $(($(now_cs) - t0)))"
	# shellcheck disable=SC2034 # ok/fail (common.sh) number from it
	CASE_N=0
	scenario_epilogue "$name" "$rc" "$from"
}

# The firmware leaves escape sequences on the console's current line.
echo
marker "begin kernel $(uname -r), up $(cs_fmt "$(now_cs)")"
for name in $(echo "${TORFW_VM_SCENARIOS:-}" | tr ',' ' '); do
	run_scenario "$name"
done
marker end

if [ "${TORFW_VM_KEEP:-0}" = 1 ]; then
	echo "torfw-vm: --keep: root shell; exit it to dump the kernel log and power off"
	# ENV: the interactive shell gets lib/common.sh (wrappers, n_lan, ...).
	ENV=/tests/vm/lib/common.sh setsid -c /bin/sh -i \
		</dev/console >/dev/console 2>&1 || true
fi

marker dmesg-begin
dmesg
marker dmesg-end
reboot -f
