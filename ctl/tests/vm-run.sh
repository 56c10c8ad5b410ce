#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs ctl/tests/vm/90-ctl.sh in the VM harness of tests/vm, from a scratch
# copy of the tree (tests/, kmod/torfw.ko and uapi/, ctl/ built) so that
# tests/vm is not modified. Needs root, qemu and a
# built module.
# Usage: ctl/tests/vm-run.sh [run.sh options]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
scratch=$(mktemp -d /tmp/torfwctl-vm.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

[ -f "$repo/kmod/torfw.ko" ] || { echo "vm-run.sh: build the module first (make module)" >&2; exit 2; }
[ -x "$repo/ctl/torfwctl" ] || { echo "vm-run.sh: build torfwctl first (make -C ctl)" >&2; exit 2; }
mkdir -p "$scratch/kmod" "$scratch/ctl"
cp -a "$repo/kmod/uapi" "$scratch/kmod/"
cp -a "$repo/tests" "$scratch/"
cp "$repo/kmod/torfw.ko" "$scratch/kmod/"
# All of ctl/: tests/vm/tools' faultload links ctl's objects and headers.
cp -a "$repo/ctl/." "$scratch/ctl/"
cp "$here/vm/90-ctl.sh" "$scratch/tests/vm/scenarios/"
# Its own work directory: another run.sh may hold the default one.
export TORFW_VM_DIR=${TORFW_VM_DIR:-/var/tmp/torfwctl-vm}
"$scratch/tests/vm/run.sh" "$@" 90-ctl
