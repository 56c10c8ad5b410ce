#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds (once, cached) a debug kernel from Debian's linux-source-6.1 with
# KASAN, lockdep (PROVE_LOCKING), DEBUG_ATOMIC_SLEEP, kmemleak and failslab,
# torfw in tree as a module (through the top-level Kconfig, as for KUnit).
# Output in TORFW_CACHE (default /var/cache/torfw)/debug-kernel:
#   bzImage, modules/lib/modules/KV/..., kv (the version string).
# Cold: about 30-60 min on 2 cores. Warm: only what changed (torfw).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TORFW_CACHE:-/var/cache/torfw}
src=$cache/linux-source-6.1
build=$cache/debug-build
out=$cache/debug-kernel

# The kernel source with net/torfw linked in: tests/kunit/run.sh does it.
if [ ! -f "$src/Makefile" ] || [ ! -L "$src/net/torfw" ]; then
	"$top/tests/kunit/run.sh" --help >/dev/null 2>&1 || true
fi
ln -sfn "$top" "$src/net/torfw"
grep -q '^source "net/torfw/Kconfig"' "$src/net/Kconfig" || {
	echo "debug: net/Kconfig is not hooked: run tests/kunit/run.sh once" >&2
	exit 1
}

mkdir -p "$build" "$out"
frag="$top/tests/debug/kernel.config"
if [ ! -f "$build/.config" ] || [ "$frag" -nt "$build/.config" ]; then
	make -s -C "$src" O="$build" x86_64_defconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$build" \
		"$build/.config" "$frag" >/dev/null
	make -s -C "$src" O="$build" olddefconfig
	# merge_config warns; insist on what matters.
	for opt in KASAN PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK MPTCP \
		FAILSLAB NETFILTER_EGRESS XDP_SOCKETS MODULE_FORCE_UNLOAD \
		NF_CONNTRACK_PROCFS; do
		grep -q "^CONFIG_$opt=y" "$build/.config" ||
			{ echo "debug: CONFIG_$opt did not stick" >&2; exit 1; }
	done
	# The leak detector (tests/vm/lib/leak.sh) counts with nft 'dup'.
	grep -q '^CONFIG_NFT_DUP_NETDEV=m' "$build/.config" ||
		{ echo "debug: CONFIG_NFT_DUP_NETDEV=m did not stick" >&2; exit 1; }
	grep -q '^CONFIG_TORFW=m' "$build/.config" ||
		{ echo "debug: CONFIG_TORFW=m did not stick" >&2; exit 1; }
fi
nice make -s -C "$src" O="$build" -j"$(nproc)" bzImage modules
kv=$(make -s -C "$src" O="$build" kernelrelease)
rm -rf "$out/modules"
make -s -C "$src" O="$build" INSTALL_MOD_PATH="$out/modules" \
	INSTALL_MOD_STRIP=1 modules_install
cp "$build/arch/x86/boot/bzImage" "$out/bzImage"
echo "$kv" >"$out/kv"
echo "debug kernel $kv: $out/bzImage"
