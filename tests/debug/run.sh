#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the VM suite (fuzzer included) on a debug kernel built
# from Debian's linux-source-6.1 with KASAN, lockdep, DEBUG_ATOMIC_SLEEP and
# kmemleak, torfw built in tree (tests/debug/build-kernel.sh, cached).
# The harness fails the run on any KASAN, lockdep, WARNING or BUG line;
# scenario 97-kmemleak scans for leaks of torfw's objects at the end.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TORFW_CACHE:-/var/cache/torfw}
out=$cache/debug-kernel

"$top/tests/debug/build-kernel.sh"
kv=$(cat "$out/kv")
ko=$(find "$out/modules/lib/modules/$kv" -name torfw.ko | head -n 1)
[ -n "$ko" ] || { echo "check-debug: no torfw.ko in the debug build" >&2; exit 1; }
make -C "$top" ctl >/dev/null

export TORFW_VM_KERNEL=$out/bzImage
export TORFW_VM_MODROOT=$out/modules
export TORFW_VM_KO=$ko
export TORFW_VM_DIR=${TORFW_VM_DIR:-/var/tmp/torfw-vm-debug}
# KASAN and lockdep make the guest several times slower: the whole suite
# takes about three hours under TCG, more on a busy host.
export TORFW_VM_TIMEOUT=${TORFW_VM_TIMEOUT:-14400}
export TORFW_VM_SCENARIO_TIMEOUT=${TORFW_VM_SCENARIO_TIMEOUT:-1800}
# and every case's time limit with it (a refusal must still come before
# the limit: a hang is still a failure).
export TORFW_VM_SLOW=${TORFW_VM_SLOW:-4}
# 400 namespaces take about 80 s on Debian's kernel and would take over
# ten minutes here; 200 still make and free every per-namespace object.
export TORFW_VM_CHURN=${TORFW_VM_CHURN:-200}
# 63-faults-veth-churn: teardown of N and 2N veth pairs of an
# unprivileged namespace (2N = 10,000 pairs, 20,000 veths, here), where a
# per-device cost that grows with the number of devices shows as soft
# lockups and stalls. A pair takes about 110 KiB on Debian's kernel and
# about 340 KiB under KASAN: the guest gets 8 GiB (the scenario still
# lowers N to what fits). The scenario alone takes about an hour here.
export TORFW_VM_VETHS=${TORFW_VM_VETHS:-5000}
export TORFW_VM_MEM=${TORFW_VM_MEM:-8192}
exec "$top/tests/vm/run.sh" "$@"
