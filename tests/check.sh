#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test command (make check): ctl unit tests and linters, the style
# gates (checkpatch, sparse, shellcheck), KUnit on UML, then the VM suite.
# Every part runs even if an earlier one failed; the run fails if any
# part fails. The last line sums the cases of all parts.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
logdir=${TORFW_LOG_DIR:-$top/build/logs}
mkdir -p "$logdir"

passed=0
failed=0
bad_parts=()

# count LOG: adds the part's "N passed, N failed" (or kunit.py's) figures.
count() {
	local p f line
	line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*, }
		f=${f%% failed*}
	else
		line=$(grep -Eo 'Ran [0-9]+ tests: passed: [0-9]+(, failed: [0-9]+)?' "$1" | tail -n 1)
		[ -n "$line" ] || return 1
		p=$(sed -E 's/.*passed: ([0-9]+).*/\1/' <<<"$line")
		f=$(sed -nE 's/.*failed: ([0-9]+).*/\1/p' <<<"$line")
		f=${f:-0}
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

part() {
	local name=$1 log="$logdir/$1.log"
	shift
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	if ! count "$log"; then
		echo "=== $name: no test summary found" >&2
		rc=1
	fi
	if [ "$rc" -ne 0 ]; then
		echo "=== $name: FAILED (exit $rc)"
		bad_parts+=("$name")
	else
		echo "=== $name: ok"
	fi
}

echo "=== build: make all"
if ! make all > "$logdir/build.log" 2>&1; then
	tail -n 30 "$logdir/build.log"
	echo "=== build: FAILED"
	bad_parts+=(build)
fi
part ctl make -C ctl check
part style tests/style.sh
part kunit tests/kunit/run.sh
# The whole suite runs about 14 minutes in one boot (the fault scenarios
# about 6 of them), more on a loaded host.
part vm env TORFW_VM_TIMEOUT="${TORFW_VM_TIMEOUT:-2100}" tests/vm/run.sh
part boot make -s check-boot

echo
if [ ${#bad_parts[@]} -ne 0 ]; then
	echo "failed parts: ${bad_parts[*]}"
	failed=$((failed > 0 ? failed : 1))
fi
echo "$passed passed, $failed failed"
[ ${#bad_parts[@]} -eq 0 ] && [ "$failed" -eq 0 ]
