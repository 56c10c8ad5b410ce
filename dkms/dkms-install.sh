#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make dkms-install: registers this tree's module source with DKMS.
#
# Copies kmod/ into /usr/src/torfw-VERSION (VERSION from dkms/version.sh)
# with a dkms.conf, and runs "dkms add". The same version registered
# before (a dirty tree installed twice) is removed first, so the source is
# always the current one. Building and installing are DKMS's own steps:
#
#   dkms build   -m torfw -v VERSION -k 6.1.0-NN-amd64
#   dkms install -m torfw -v VERSION -k 6.1.0-NN-amd64
#
# (-k is needed where the running kernel is not a Debian one.) With
# AUTOINSTALL=yes every kernel installed later gets the module too.
#
# Environment (for tests, so the system's DKMS state is left alone):
# DKMS_SOURCETREE (default /usr/src), DKMS_TREE (default /var/lib/dkms),
# DKMS_INSTALLTREE (default /lib/modules): dkms's --sourcetree, --dkmstree
# and --installtree.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
command -v dkms >/dev/null || { echo "dkms-install: no dkms: run 'make deps'" >&2; exit 1; }
src_root=${DKMS_SOURCETREE:-/usr/src}
set -- --sourcetree "$src_root"
[ -z "${DKMS_TREE:-}" ] || set -- "$@" --dkmstree "$DKMS_TREE"
[ -z "${DKMS_INSTALLTREE:-}" ] || set -- "$@" --installtree "$DKMS_INSTALLTREE"

version=$("$repo/dkms/version.sh" "$repo")
dest=$src_root/torfw-$version

if dkms status -m torfw -v "$version" "$@" | grep -q .; then
	echo "dkms-install: torfw/$version is registered already: removing it first"
	dkms remove -m torfw -v "$version" --all "$@"
fi
rm -rf "$dest"
"$repo/dkms/install-source.sh" "$repo" "$dest" "$version"
dkms add -m torfw -v "$version" "$@"

# shellcheck disable=SC2012 # Debian's names: no odd characters
kv=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
kv=${kv#/usr/src/linux-headers-}
echo "dkms-install: torfw/$version registered (source: $dest)"
echo "  next: dkms install -m torfw -v $version -k ${kv:-KERNELVERSION}"
