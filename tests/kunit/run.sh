#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the KUnit suites of kmod/ on UML, built from Debian's linux-source-6.1
# with the module linked in-tree through the top-level Kconfig.
#
# The source and the build tree are cached outside the repository
# (TORFW_CACHE, default /var/cache/torfw): the first run unpacks and builds
# a UML kernel (~4 min on 2 cores), later runs rebuild only what changed.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TORFW_CACHE:-/var/cache/torfw}
src=$cache/linux-source-6.1
build=$cache/kunit-build
tarball=/usr/src/linux-source-6.1.tar.xz

if [ ! -f "$src/Makefile" ]; then
	[ -f "$tarball" ] || { echo "kunit: $tarball missing: run 'make deps'" >&2; exit 1; }
	echo "kunit: unpacking $tarball into $cache" >&2
	mkdir -p "$cache"
	tar -C "$cache" -xf "$tarball"
fi

# net/torfw is this checkout: Kconfig at its top, Kbuild in kmod/.
ln -sfn "$top" "$src/net/torfw"
grep -q '^source "net/torfw/Kconfig"' "$src/net/Kconfig" ||
	sed -i 's|^endif   # if NET$|source "net/torfw/Kconfig"\n\n&|' "$src/net/Kconfig"
grep -q '^source "net/torfw/Kconfig"' "$src/net/Kconfig" ||
	{ echo "kunit: could not hook net/Kconfig" >&2; exit 1; }
# shellcheck disable=SC2016 # make's $(CONFIG_TORFW), not the shell's
grep -q 'torfw/kmod/' "$src/net/Makefile" ||
	echo 'obj-$(CONFIG_TORFW)		+= torfw/kmod/' >> "$src/net/Makefile"

cd "$src"
exec python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$top/tests/kunit/.kunitconfig" \
	--build_dir="$build" --arch=um --jobs="$(nproc)" "$@"
