#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/run.sh (make bench): boots the test VM ONCE under
# 'qemu -smp 1 -icount shift=0,sleep=off' (VM-NOTES.md, "Benchmarks in the
# VM": the guest clock counts instructions, so rates measure CPU work
# whatever else runs on the host) and measures every contender in turn,
# interleaved over ROUNDS rounds, in an order shuffled per round from SEED.
# Writes bench/results.json, bench/results.md and bench/results.png.
#
# Environment:
#   TORFW_BENCH_ROUNDS   rounds (at least 5 for a real run)   default 5
#   TORFW_BENCH_SEED     seed of the per-round shuffle    default: random
#   TORFW_BENCH_QUICK=1  a tenth of the iterations, for trying things out
#   TORFW_BENCH_ONLY     contenders to run (space separated)  default all
#   TORFW_BENCH_DIR      work dir (console log, cache)  /var/tmp/torfw-bench
#   TORFW_BENCH_OUT      where the results go            default bench/
#   TORFW_BENCH_TIMEOUT  seconds for the whole VM          default 1500
#   TORFW_CACHE          for the KUnit log (kunit-build/test.log)
#                                                     default /var/cache/torfw
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${TORFW_BENCH_DIR:-/var/tmp/torfw-bench}
OUT=${TORFW_BENCH_OUT:-$REPO/bench}
ROUNDS=${TORFW_BENCH_ROUNDS:-5}
SEED=${TORFW_BENCH_SEED:-$((RANDOM * 32768 + RANDOM))}
TIMEOUT=${TORFW_BENCH_TIMEOUT:-1500}
CONTENDERS=${TORFW_BENCH_ONLY:-none conntrack iptables-nft iptables-legacy nftables nftables-narrow torfw torfw-nopolicy}
# shellcheck disable=SC2054 # shift=0,sleep=off is one argument
QEMU_ARGS=(-accel tcg -smp 1 -icount shift=0,sleep=off -m 1024
	-nographic -no-reboot -nodefaults -serial stdio)

# shellcheck source=../vm/lib/mkinitramfs.sh
. "$REPO/tests/vm/lib/mkinitramfs.sh"

die() {
	echo "bench: $*" >&2
	exit 2
}

log() { printf '[%4ds] %s\n' "$((SECONDS - T_START))" "$*"; }

# The same kernel choice as tests/vm/run.sh: the newest Debian kernel.
pick_kernel() {
	# shellcheck disable=SC2012 # Debian's names: no odd characters
	KERNEL=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$KERNEL" ] || die "no /boot/vmlinuz-*-amd64: run tests/deps.sh"
	KV=${KERNEL#/boot/vmlinuz-}
	[ -f "$REPO/kmod/torfw.ko" ] || die "kmod/torfw.ko not built (make module)"
	[ -x "$REPO/ctl/torfwctl" ] || die "ctl/torfwctl not built (make ctl)"
	[ "$(modinfo -F vermagic "$REPO/kmod/torfw.ko" | awk '{ print $1 }')" = "$KV" ] ||
		die "kmod/torfw.ko is not built for $KV (make module KDIR=/usr/src/linux-headers-$KV)"
}

# Iteration counts: each measurement lasts roughly 0.1-0.3 s of guest
# time for "none"; the warm-up part runs first, untimed.
write_params() {
	local d=1
	[ "${TORFW_BENCH_QUICK:-0}" = 1 ] && d=10
	cat >"$1" <<-EOF
		# SPDX-License-Identifier: GPL-2.0
		ROUNDS=$ROUNDS
		N_CONN=$((2000 / d))
		W_CONN=$((200 / d))
		# The scaling runs: a shorter warm-up, at most 1 s of guest time
		# (a 10,000-rule chain manages ~200 conn/s).
		W_CONN_SCALE=$((50 / d))
		T_CONN_SCALE=$(awk -v d=$d 'BEGIN { print 1 / d }')
		N_RR=$((10000 / d))
		W_RR=$((500 / d))
		MB_BULK=$((256 / d))
		W_BULK=$((16 / d))
		N_UDP=$((20000 / d))
		W_UDP=$((1000 / d))
		N_UDPRR=$((5000 / d))
		W_UDPRR=$((250 / d))
		HOLD_BUSY=$((1000 / d))
		SIZES="10 1000 10000"
		DEBUG=${TORFW_BENCH_DEBUG:-}
	EOF
}

# One line per round: the round number, then the contenders in the order
# they run, shuffled from the seed.
write_plan() {
	# shellcheck disable=SC2086 # one word per contender
	python3 - "$SEED" "$ROUNDS" $CONTENDERS >"$1" <<-'EOF'
		import random, sys
		seed, rounds, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
		rng = random.Random(seed)
		for r in range(1, rounds + 1):
		    order = names[:]
		    rng.shuffle(order)
		    print(r, *order)
	EOF
}

# The benchmark's own archive, unpacked after tests/vm's base and overlay:
# its /init replaces theirs.
build_bench_overlay() {
	local root=$WORK/bench-overlay
	rm -rf "$root"
	mkdir -p "$root/bench/bin" "$root/bench/guest" "$root/etc/modprobe.d"
	make -s -C "$HERE" O="$root/bench/bin"
	cp "$HERE/guest/bench.sh" "$root/bench/guest/"
	cp "$HERE/guest/init" "$root/init"
	chmod 755 "$root/init"
	python3 "$HERE/genpolicy.py" "$root/bench/policy"
	write_params "$root/bench/params"
	cp "$WORK/plan" "$root/bench/plan"
	vm_install_bin "$root" /usr/sbin/conntrack
	# The conntrack hash of a machine with more than 1 GiB (Tails' case)
	# instead of the 1 GiB guest's 8192 buckets, which the connection
	# workloads would overfill.
	echo "options nf_conntrack hashsize=65536" \
		>"$root/etc/modprobe.d/torfw-bench.conf"
	vm_pack "$root" "$WORK/bench.cpio.gz"
}

build_initrd() {
	local t0=$SECONDS
	vm_build_base "$WORK" "$KV"
	vm_build_overlay "$WORK" "$KV" "$REPO"
	build_bench_overlay
	cat "$WORK/base.cpio.gz" "$WORK/overlay.cpio.gz" "$WORK/bench.cpio.gz" \
		>"$WORK/initrd.img"
	log "initramfs $WORK/initrd.img ($((SECONDS - t0)) s)"
}

# The console as it comes: progress and errors echoed with the wall
# time, everything kept in console.log.
watch_console() {
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$WORK/console.log"
		case $line in
		'@@bench: progress '*) log "${line#@@bench: progress }" ;;
		'@@bench: error '* | '@@bench: probe '*) log "${line#@@bench: }" ;;
		'@@bench: residue '*) log "${line#@@bench: }" ;;
		*'Kernel panic'* | *'Oops'* | *'BUG:'*) log "guest: $line" ;;
		esac
	done
}

boot() {
	local rc=0
	: >"$WORK/console.log"
	log "booting $KERNEL: qemu ${QEMU_ARGS[*]}"
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${QEMU_ARGS[@]}" \
		-kernel "$KERNEL" -initrd "$WORK/initrd.img" \
		-append "console=ttyS0 panic=-1 quiet" </dev/null |
		watch_console || rc=$?
	QEMU_RC=${PIPESTATUS[0]}
	log "qemu exited ($QEMU_RC)"
}

# What was measured, taken before the boot (the tree may change meanwhile:
# others commit into it).
record_build() {
	GIT_DESC=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
	GIT_HEAD=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)
	GIT_DIRTY=$(git -C "$REPO" status --porcelain -- kmod ctl 2>/dev/null |
		awk '{ print $2 }' | tr '\n' ' ')
	KO_SRCVERSION=$(modinfo -F srcversion "$REPO/kmod/torfw.ko")
	KO_SHA=$(sha256sum "$REPO/kmod/torfw.ko" | cut -c1-16)
	KO_DATE=$(date -u -r "$REPO/kmod/torfw.ko" '+%F %T UTC')
	CTL_SHA=$(sha256sum "$REPO/ctl/torfwctl" | cut -c1-16)
	log "measuring $GIT_DESC: torfw.ko srcversion $KO_SRCVERSION ($KO_DATE)," \
		"uncommitted in kmod/ ctl/: ${GIT_DIRTY:-none}"
}

write_meta() {
	local load0=$1
	python3 - "$1" >"$WORK/meta.json" <<-EOF
		import json, platform, sys
		def first(path, key):
		    try:
		        for l in open(path):
		            if l.startswith(key):
		                return l.split(":", 1)[1].strip() if ":" in l else l.split("=", 1)[1].strip().strip('"')
		    except OSError:
		        return None
		json.dump({
		    "command": "make bench" if "${MAKELEVEL:-}" else "tests/bench/run.sh",
		    "env": {k: v for k, v in {
		        "TORFW_BENCH_ROUNDS": "${TORFW_BENCH_ROUNDS:-}",
		        "TORFW_BENCH_SEED": "${TORFW_BENCH_SEED:-}",
		        "TORFW_BENCH_QUICK": "${TORFW_BENCH_QUICK:-}",
		        "TORFW_BENCH_ONLY": "${TORFW_BENCH_ONLY:-}"}.items() if v},
		    "seed": $SEED,
		    "rounds": $ROUNDS,
		    "contenders": "$CONTENDERS".split(),
		    "date": "$(date -u '+%F %T UTC')",
		    "wall_seconds": $((SECONDS - T_START)),
		    "git": "$GIT_DESC",
		    "build": {
		        "head": "$GIT_HEAD",
		        "uncommitted_kmod_ctl": "$GIT_DIRTY".split(),
		        "torfw_ko_srcversion": "$KO_SRCVERSION",
		        "torfw_ko_sha256_16": "$KO_SHA",
		        "torfw_ko_built": "$KO_DATE",
		        "torfwctl_sha256_16": "$CTL_SHA",
		    },
		    "host": {
		        "os": first("/etc/os-release", "PRETTY_NAME"),
		        "kernel": platform.release(),
		        "cpu": first("/proc/cpuinfo", "model name"),
		        "cores": $(nproc),
		        "memory": first("/proc/meminfo", "MemTotal"),
		        "loadavg_start": "$load0",
		        "loadavg_end": open("/proc/loadavg").read().split(" ")[:3],
		    },
		    "qemu": "$(qemu-system-x86_64 --version | head -n 1)",
		    "qemu_args": "${QEMU_ARGS[*]}",
		    "guest_kernel": "$KV",
		    "params": open("$WORK/bench-overlay/bench/params").read(),
		    "plan": open("$WORK/plan").read().splitlines(),
		}, sys.stdout, indent=1)
	EOF
}

main() {
	local load0 rc=0
	T_START=$SECONDS
	[ "$(id -u)" = 0 ] || die "must run as root (mknod, chown, depmod in the initramfs tree)"
	[ "$ROUNDS" -ge 1 ] || die "TORFW_BENCH_ROUNDS must be at least 1"
	mkdir -p "$WORK" "$OUT"
	exec 9>"$WORK/lock"
	flock -n 9 || die "another benchmark uses $WORK (set TORFW_BENCH_DIR)"
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	pick_kernel
	record_build
	write_plan "$WORK/plan"
	log "seed $SEED, $ROUNDS rounds, order per round:"
	sed 's/^/         round /' "$WORK/plan"
	build_initrd
	boot
	write_meta "$load0"
	grep -q '^@@bench: end' "$WORK/console.log" || {
		log "the guest did not finish (qemu $QEMU_RC): last lines:"
		tail -n 20 "$WORK/console.log" | LC_ALL=C tr -cd '\11\12\40-\176' >&2
		rc=1
	}
	python3 "$HERE/report.py" --console "$WORK/console.log" \
		--meta "$WORK/meta.json" \
		--kunit "${TORFW_CACHE:-/var/cache/torfw}/kunit-build/test.log" \
		--out "$OUT" || rc=1
	log "results: $OUT/results.md, results.json, results.png"
	grep -q '^@@bench: error' "$WORK/console.log" && rc=1
	return $rc
}

main "$@"
