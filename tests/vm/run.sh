#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/run.sh [--demo] [--keep] [SCENARIO...]
#
# Boots Debian's own kernel in qemu (TCG) with an initramfs made of this
# machine's binaries plus kmod/torfw.ko and ctl/torfwctl when they are
# built, runs the scenarios of tests/vm/scenarios/ (all, or those named:
# "10-skeleton", "10" or "skeleton") and prints one TAP stream ending in
# the line "N passed, N failed". Exit status 0 only if every case passed,
# the guest finished and its kernel log is clean.
#
#   --demo   also print a table of the cases (case, user, expected, seen)
#   --keep   after the scenarios, give a root shell on the console, read
#            from this script's stdin (exit it to finish); no time limit
#
# Environment:
#   TORFW_VM_DIR       work dir (cache, logs)    default /var/tmp/torfw-vm
#   TORFW_VM_MEM       guest memory in MiB       default 1024
#   TORFW_VM_TIMEOUT   seconds for the whole VM  default 600
#   TORFW_VM_SCENARIO_TIMEOUT  seconds per scenario (guest side)  default 300
#   TORFW_VM_PANIC_ON_WARN=1  make a WARN or Oops panic the guest at once
#   TORFW_VM_SLOW      factor for the guest's time limits (check, refusal,
#                      leak cases)                default 1
#   TORFW_VM_CHURN     namespaces 62-faults-netns makes and destroys
#                                                 default 400
#   TORFW_VM_VETHS     veth pairs 63-faults-veth-churn makes in an
#                      unprivileged namespace (N, then 2N)  default 2000
#
# Kernel log policy: by default a WARN does not stop the guest, so every
# remaining case still runs; the runner checks the log after each scenario
# (a TAP case) and this script checks the whole log dumped at the end.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${TORFW_VM_DIR:-/var/tmp/torfw-vm}
TIMEOUT=${TORFW_VM_TIMEOUT:-600}
# The same list as guest/runner.sh.
KLOG_BAD='Oops|\bBUG\b|WARNING|lockdep|refcount_t|general protection|Call Trace|KASAN|UBSAN'
# Boot banners of a debug kernel (make check-debug), not reports.
KLOG_BANNER='RCU lockdep checking is enabled|kmemleak: Kernel memory leak detector initialized|KASAN init|kasan: KernelAddressSanitizer initialized'

# shellcheck source=lib/mkinitramfs.sh
. "$HERE/lib/mkinitramfs.sh"

DEMO=0
KEEP=0
SCENARIOS=()

die() {
	echo "run.sh: $*" >&2
	exit 2
}

parse_args() {
	local a
	for a in "$@"; do
		case $a in
		--demo) DEMO=1 ;;
		--keep) KEEP=1 ;;
		-h | --help) sed -n '3,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		-*) die "unknown option $a" ;;
		*) SCENARIOS+=("$(resolve_scenario "$a")") ;;
		esac
	done
	if [ ${#SCENARIOS[@]} -eq 0 ]; then
		# shellcheck disable=SC2012 # our scenario names: no odd characters
		mapfile -t SCENARIOS < <(cd "$HERE/scenarios" && ls -- *.sh | sed 's/\.sh$//')
	fi
}

# "10", "skeleton", "10-skeleton" or a path -> "10-skeleton".
resolve_scenario() {
	local want found
	want=$(basename "$1" .sh)
	# shellcheck disable=SC2012 # our scenario names: no odd characters
	found=$(cd "$HERE/scenarios" && ls -- *.sh | sed 's/\.sh$//' |
		awk -v w="$want" '$0 == w || index($0, w "-") == 1 ||
			substr($0, length($0) - length(w)) == "-" w')
	[ "$(echo "$found" | grep -c .)" -eq 1 ] ||
		die "scenario '$1' matches: ${found:-nothing} (see $HERE/scenarios)"
	echo "$found"
}

# The newest Debian kernel installed; the module must be built for it.
# TORFW_VM_KERNEL (an image), TORFW_VM_MODROOT (where its lib/modules/KV
# is) and TORFW_VM_KO (its torfw.ko) boot another one: make check-debug.
pick_kernel() {
	local img
	if [ -n "${TORFW_VM_KERNEL:-}" ]; then
		KERNEL=$TORFW_VM_KERNEL
		# shellcheck disable=SC2012 # kernel versions: no odd characters
		KV=$(ls "$TORFW_VM_MODROOT/lib/modules" | head -n 1)
	else
		# shellcheck disable=SC2012 # Debian's names: no odd characters
		img=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
		[ -n "$img" ] || die "no /boot/vmlinuz-*-amd64: run tests/deps.sh"
		KERNEL=$img
		KV=${img#/boot/vmlinuz-}
	fi
	[ -d "${TORFW_VM_MODROOT:-}/lib/modules/$KV/kernel" ] ||
		die "${TORFW_VM_MODROOT:-}/lib/modules/$KV missing"
}

check_module() {
	local ko=${TORFW_VM_KO:-$REPO/kmod/torfw.ko} magic
	if [ ! -f "$ko" ]; then
		echo "# kmod/torfw.ko: not built (make module); scenarios that need it fail"
		return 0
	fi
	magic=$(modinfo -F vermagic "$ko" | awk '{ print $1 }')
	[ "$magic" = "$KV" ] ||
		die "kmod/torfw.ko is built for '$magic', the VM boots $KV: rebuild it (make module KDIR=/usr/src/linux-headers-$KV)"
	echo "# kmod/torfw.ko: vermagic $magic, $(date -r "$ko" '+%F %T')"
}

build_initrd() {
	local t0=$SECONDS
	vm_build_base "$WORK" "$KV"
	vm_build_overlay "$WORK" "$KV" "$REPO"
	cat "$WORK/base.cpio.gz" "$WORK/overlay.cpio.gz" >"$WORK/initrd.img"
	echo "# initramfs: $WORK/initrd.img ($((SECONDS - t0)) s)"
}

kernel_cmdline() {
	# A big log buffer: the namespace churn (62-faults-netns) logs
	# thousands of lines, and every line is checked at the end.
	local c="console=ttyS0 panic=-1 quiet log_buf_len=8M"
	[ "${TORFW_VM_PANIC_ON_WARN:-0}" = 1 ] && c="$c panic_on_warn=1 oops=panic"
	# Unknown name=value words reach init's environment (guest/init).
	c="$c TORFW_VM_SCENARIOS=$(
		IFS=,
		echo "${SCENARIOS[*]}"
	)"
	c="$c TORFW_VM_DEMO=$DEMO TORFW_VM_KEEP=$KEEP"
	c="$c TORFW_VM_SCENARIO_TIMEOUT=${TORFW_VM_SCENARIO_TIMEOUT:-300}"
	c="$c TORFW_VM_SLOW=${TORFW_VM_SLOW:-1}"
	[ -z "${TORFW_VM_CHURN:-}" ] || c="$c TORFW_VM_CHURN=$TORFW_VM_CHURN"
	[ -z "${TORFW_VM_VETHS:-}" ] || c="$c TORFW_VM_VETHS=$TORFW_VM_VETHS"
	echo "$c"
}

# Never KVM: on these machines a KVM guest hangs at "Booting from ROM".
run_qemu() {
	local limit=(timeout -k 10 "$TIMEOUT") input=/dev/null
	if [ "$KEEP" = 1 ]; then
		limit=()
		input=/dev/stdin
	fi
	"${limit[@]}" qemu-system-x86_64 -accel tcg -smp 2 -m "${TORFW_VM_MEM:-1024}" \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$KERNEL" -initrd "$WORK/initrd.img" \
		-append "$(kernel_cmdline)" <"$input"
}

# Reads the console as it comes and prints the guest's TAP lines,
# renumbered into one stream and prefixed with their scenario; '# '
# diagnostics pass through; '#case' records go to $WORK/cases.tsv with
# the case number and scenario in front.
parse_console() {
	local line scen=guest n=0 in_dmesg=0 re='^(not ok|ok) [0-9]+ - (.*)$'
	: >"$WORK/cases.tsv"
	: >"$WORK/results.tap"
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		'@@torfw-vm: scenario '*) scen=${line#@@torfw-vm: scenario } ;;
		'@@torfw-vm: dmesg-begin') in_dmesg=1 ;;
		'@@torfw-vm: dmesg-end') in_dmesg=0 ;;
		esac
		[ $in_dmesg = 1 ] && continue
		if [[ $line =~ $re ]]; then
			n=$((n + 1))
			line="${BASH_REMATCH[1]} $n - $scen: ${BASH_REMATCH[2]}"
			echo "$line" >>"$WORK/results.tap"
			echo "$line"
		elif [[ $line == '# '* ]]; then
			echo "$line"
		elif [[ $line == '#case'$'\t'* ]]; then
			printf '%s\t%s\t%s\n' "$((n + 1))" "$scen" "${line#*$'\t'}" \
				>>"$WORK/cases.tsv"
		fi
	done
}

boot() {
	local rc=0 t0=$SECONDS
	echo "# booting $KERNEL: $(kernel_cmdline)"
	if [ "$KEEP" = 1 ]; then
		run_qemu | tee "$WORK/console.log" /dev/stderr | parse_console || rc=$?
	else
		run_qemu | tee "$WORK/console.log" | parse_console || rc=$?
	fi
	QEMU_RC=${PIPESTATUS[0]}
	[ $rc -eq 0 ] || die "console parser failed ($rc)"
	echo "# qemu ran $((SECONDS - t0)) s, exit status $QEMU_RC"
}

# The console without CRs and the firmware's escape sequences.
printable() { sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | LC_ALL=C tr -cd '\11\12\40-\176'; }

# A case of this script's own, after the guest's.
host_case() {
	local n
	n=$(($(wc -l <"$WORK/results.tap") + 1))
	echo "$1 $n - vm: $2" | tee -a "$WORK/results.tap"
	shift 2
	[ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/#   /'
}

check_finished() {
	local why
	if grep -q '^@@torfw-vm: end' "$WORK/console.log" &&
		grep -q '^@@torfw-vm: dmesg-end' "$WORK/console.log"; then
		host_case ok "guest ran every scenario and dumped its kernel log"
		return 0
	fi
	if [ "$QEMU_RC" = 124 ] || [ "$QEMU_RC" = 137 ]; then
		why="killed after ${TIMEOUT}s (TORFW_VM_TIMEOUT)"
	elif grep -q 'Kernel panic' "$WORK/console.log"; then
		why="guest kernel panicked: $(grep -m1 'Kernel panic' "$WORK/console.log")"
	else
		why="qemu exited ($QEMU_RC) before the end marker"
	fi
	host_case "not ok" "guest ran every scenario and dumped its kernel log" "$why" \
		"last console lines:" "$(tail -n 15 "$WORK/console.log" | printable)"
}

# The dumped kernel log, or the whole console if the guest never got there.
check_kernel_log() {
	local bad
	sed -n '/^@@torfw-vm: dmesg-begin/,/^@@torfw-vm: dmesg-end/p' \
		"$WORK/console.log" | tr -d '\r' | sed '1d;$d' >"$WORK/dmesg.log"
	[ -s "$WORK/dmesg.log" ] || tr -d '\r' <"$WORK/console.log" >"$WORK/dmesg.log"
	bad=$(grep -E "$KLOG_BAD" "$WORK/dmesg.log" | grep -v -E "$KLOG_BANNER" |
		head -n 30 || true)
	if [ -z "$bad" ]; then
		host_case ok "kernel log free of Oops/BUG/WARNING/lockdep/refcount_t/GPF/Call Trace/KASAN/UBSAN"
	else
		host_case "not ok" "kernel log free of Oops/BUG/WARNING/lockdep/refcount_t/GPF/Call Trace/KASAN/UBSAN" \
			"$bad" "(whole log: $WORK/dmesg.log)"
	fi
}

# The '#case' records as an aligned table, one section per scenario. A
# case text equal to the row above is shown as "  \"" (a probe run as one
# user after another). Then the totals, every failed row again, and the
# summary rows (user field "(...)": a scenario's verdict, such as the leak
# detector's) again, so that they close the table.
demo_table() {
	[ -s "$WORK/cases.tsv" ] || { echo "# (no case records)"; return 0; }
	echo "#"
	awk -F'\t' '
		function row(a, b, c2, d, e2, f) {
			return sprintf("# %*s | %-*s | %-*s | %-*s | %-*s | %s", w[1], a,
				w[3], b, w[4], c2, w[5], d, w[6], e2, f)
		}
		{ for (i = 1; i <= 7; i++) { f[NR, i] = $i
			if (length($i) > w[i]) w[i] = length($i) }
		  n = NR }
		END {
			if (w[1] < 1) w[1] = 1
			if (w[3] < 4) w[3] = 4
			if (w[4] < 4) w[4] = 4
			if (w[5] < 8) w[5] = 8
			print row("N", "case", "user", "expected", "seen", "result")
			for (r = 1; r <= n; r++) {
				if (f[r, 2] != f[r - 1, 2]) {
					line = "# ---- " f[r, 2] " "
					while (length(line) < 60) line = line "-"
					print line
				}
				c = f[r, 3]
				if (r > 1 && c == f[r - 1, 3] && f[r, 2] == f[r - 1, 2])
					c = "  \""
				print row(f[r, 1], c, f[r, 4], f[r, 5], f[r, 6], f[r, 7])
				tot[f[r, 5]]++
				if (f[r, 7] != "ok") bad[++nb] = r
				if (substr(f[r, 4], 1, 1) == "(") sum[++ns] = r
			}
			line = ""
			for (e in tot) line = line ", " tot[e] " " e
			print "#"
			printf "# %d cases (expected:%s): %d ok, %d failed\n", n,
				substr(line, 2), n - nb, nb
			for (i = 1; i <= nb; i++) {
				if (i == 1) print "# failed:"
				r = bad[i]
				print row(f[r, 1], f[r, 2] ": " f[r, 3], f[r, 4], f[r, 5], f[r, 6], f[r, 7])
			}
			for (i = 1; i <= ns; i++) {
				if (i == 1) print "# verdicts:"
				r = sum[i]
				print row(f[r, 1], f[r, 3], f[r, 4], f[r, 5], f[r, 6], f[r, 7])
			}
		}' "$WORK/cases.tsv"
}

summary() {
	local passed failed
	passed=$(grep -c '^ok ' "$WORK/results.tap" || true)
	failed=$(grep -c '^not ok ' "$WORK/results.tap" || true)
	[ "$DEMO" = 1 ] && demo_table
	[ "$failed" -eq 0 ] || echo "# console log: $WORK/console.log"
	echo "1..$((passed + failed))"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

main() {
	parse_args "$@"
	[ "$(id -u)" = 0 ] || die "must run as root (mknod, chown, depmod in the initramfs tree)"
	mkdir -p "$WORK"
	exec 9>"$WORK/lock"
	if ! flock -n 9; then
		echo "# waiting for another run.sh using $WORK" >&2
		flock -w $((TIMEOUT + 120)) 9 || die "$WORK stays locked (set TORFW_VM_DIR)"
	fi
	pick_kernel
	check_module
	if [ -x "$REPO/ctl/torfwctl" ]; then
		echo "# ctl/torfwctl: $(date -r "$REPO/ctl/torfwctl" '+%F %T')"
	else
		echo "# ctl/torfwctl: not built (make ctl)"
	fi
	build_initrd
	boot
	check_finished
	check_kernel_log
	summary
}

main "$@"
