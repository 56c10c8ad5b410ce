#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms/version.sh [REPO]: prints the version of this tree, used for the
# DKMS source directory (/usr/src/torfw-VERSION) and the Debian packages.
#
#   0.1.0                  HEAD is tagged v0.1.0 and the tree is clean
#   0.1.0~git10.4c2e47a    10 commits, HEAD 4c2e47a, on the way to 0.1.0
#   0.1.0~git10.4c2e47a.dirty   the same with uncommitted changes
#
# The base comes from kmod/version.h; the rest from
# "git describe --always --dirty" and the commit count (so that a later
# commit is a later Debian version). "~" sorts before the release itself:
# a snapshot taken before 0.1.0 is tagged is older than 0.1.0, not newer.
# Outside a git tree: the base alone.
set -eu

repo=${1:-$(cd "$(dirname "$0")/.." && pwd)}
base=$(sed -n 's/^#define TORFW_VERSION "\(.*\)"$/\1/p' "$repo/kmod/version.h")
[ -n "$base" ] || { echo "version.sh: no TORFW_VERSION in $repo/kmod/version.h" >&2; exit 1; }

if ! desc=$(git -C "$repo" describe --always --dirty --match "v$base" 2>/dev/null); then
	echo "$base"
	exit 0
fi
case $desc in
"v$base") echo "$base" ;;
*)
	count=$(git -C "$repo" rev-list --count HEAD)
	hash=$(git -C "$repo" rev-parse --short HEAD)
	case $desc in
	*-dirty) echo "$base~git$count.$hash.dirty" ;;
	*) echo "$base~git$count.$hash" ;;
	esac
	;;
esac
