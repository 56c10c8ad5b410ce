#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms/install-source.sh REPO DEST VERSION
#
# Copies the module's source (kmod/: Kbuild, *.c, *.h, uapi/, tests/) into
# DEST, the DKMS source directory, and writes DEST/dkms.conf with
# PACKAGE_VERSION=VERSION and the same version into DEST/version.h, so
# that modinfo and "dkms status" agree. Build products in kmod/ are left
# out. Used by "make dkms-install" and by the Debian package (debian/rules).
set -eu

[ $# -eq 3 ] || { echo "usage: $0 REPO DEST VERSION" >&2; exit 2; }
repo=$1 dest=$2 version=$3
src=$repo/kmod

mkdir -p "$dest"
(
	cd "$src"
	find . \( -name '*.mod.c' -o -name '.?*' \) -prune -o -type f \
		\( -name Kbuild -o -name '*.c' -o -name '*.h' \) -print
) | sort | while read -r f; do
	install -D -m 0644 "$src/$f" "$dest/$f"
done
sed "s/#MODULE_VERSION#/$version/" "$repo/dkms/dkms.conf" >"$dest/dkms.conf"
sed -i "s/^#define TORFW_VERSION \".*\"$/#define TORFW_VERSION \"$version\"/" \
	"$dest/version.h"
grep -q "^#define TORFW_VERSION \"$version\"$" "$dest/version.h" ||
	{ echo "$0: could not stamp $dest/version.h" >&2; exit 1; }
