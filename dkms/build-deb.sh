#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: builds the Debian packages into build/deb/ with Debian's own
# tooling (debhelper compat 13, dh-dkms, dpkg-buildpackage -us -uc -b),
# then runs lintian on them:
#
#   torfwctl        the tool and its manual pages; enforces nothing
#   torfw           the enforcing part: unit, fallback table, drop-ins,
#                   modules-load.d, initramfs hook, reference policy
#   torfw-dkms      the module source for DKMS
#   torfw-modules-KVERS   the module prebuilt for one kernel
#                   (dkms/build-modules-deb.sh; TORFW_KVERS, default the
#                   installed linux-headers-amd64's; signed if
#                   TORFW_SIGN_KEY and TORFW_SIGN_CERT are set)
#
# The packaging lives in dkms/debian/, because the repository's top level
# is fixed. The build tree build/deb/torfw-VERSION/ is a copy of kmod/,
# ctl/ and dkms/ (the files git knows plus new ones it does not ignore)
# with dkms/debian/ as debian/ and a generated debian/changelog for
# VERSION (dkms/version.sh): a source tree of the usual shape, where
# "dpkg-buildpackage" works as it is.
#
# Exit status: non-zero if a build fails or lintian reports an error or a
# warning (build/deb/lintian.log).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/build/deb
version=$("$repo/dkms/version.sh" "$repo")
src=$out/torfw-$version
maint="torfw developers <torfw@example.org>"

rm -rf "$out"
mkdir -p "$src"

# The sources: what git tracks or would track; outside git, everything
# but build products.
list_sources() {
	if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$repo" ls-files -z --cached --others --exclude-standard \
			-- kmod ctl dkms
	else
		(cd "$repo" && find kmod ctl dkms -type f ! -name '*.o' \
			! -name '*.ko' ! -name '*.d' ! -name '*.mod*' \
			! -name '.*' -print0)
	fi
}
(cd "$repo" && list_sources | while IFS= read -r -d '' f; do
	[ -e "$f" ] && printf '%s\0' "$f"
done | cpio -0 -pdm --quiet "$src")
mv "$src/dkms/debian" "$src/debian"

# The changelog carries the version: one entry, dated like HEAD.
if date=$(git -C "$repo" log -1 --format=%cD 2>/dev/null); then
	head=$(git -C "$repo" rev-parse --short HEAD)
	what="Built from git commit $head"
	case $version in *.dirty) what="$what with uncommitted changes" ;; esac
else
	date=$(date -R)
	what="Built from a source tree outside git"
fi
changelog() {
	cat <<CHANGELOG
$1 ($version) unstable; urgency=medium

  * $what.

 -- $maint  $date
CHANGELOG
}
changelog torfw >"$src/debian/changelog"

echo "deb: building torfw $version in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
	exit 1
}

# The prebuilt module: its own small source tree (kmod/ and the template
# dkms/debian-modules/ for KVERS).
if [ -z "${TORFW_KVERS:-}" ]; then
	TORFW_KVERS=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		sed -n 's/.*linux-headers-\([^ ,]*-amd64\).*/\1/p')
fi
[ -n "$TORFW_KVERS" ] || { echo "deb: no linux-headers-amd64: set TORFW_KVERS" >&2; exit 1; }
msrc=$out/torfw-modules-$TORFW_KVERS-$version
mkdir -p "$msrc/debian/source"
(cd "$src" && find kmod -print0 | cpio -0 -pdm --quiet "$msrc")
for f in rules source/format; do cp -p "$repo/dkms/debian-modules/$f" "$msrc/debian/$f"; done
cp -p "$repo/dkms/debian/copyright" "$msrc/debian/copyright"
for f in control postinst postrm triggers; do
	t=$f
	case $f in postinst | postrm | triggers) t=torfw-modules-$TORFW_KVERS.$f ;; esac
	in=$repo/dkms/debian-modules/$f
	[ -e "$in" ] || in=$in.in
	sed "s/@KVERS@/$TORFW_KVERS/g" "$in" >"$msrc/debian/$t"
done
echo "$TORFW_KVERS" >"$msrc/debian/kvers"
sed -i "s/^#define TORFW_VERSION \".*\"$/#define TORFW_VERSION \"$version\"/" "$msrc/kmod/version.h"
changelog "torfw-modules-$TORFW_KVERS" >"$msrc/debian/changelog"
echo "deb: building torfw-modules-$TORFW_KVERS $version in $msrc"
(cd "$msrc" && dpkg-buildpackage -us -uc -b) >"$out/build-modules.log" 2>&1 || {
	tail -n 40 "$out/build-modules.log" >&2
	echo "deb: dpkg-buildpackage (modules) failed (whole log: $out/build-modules.log)" >&2
	exit 1
}
ls -1 "$out"/*.deb

rc=0
lintian --fail-on error,warning --display-info "$out"/torfw_"$version"_*.changes \
	"$out/torfw-modules-${TORFW_KVERS}_${version}"_*.changes >"$out/lintian.log" 2>&1 || rc=$?
grep -v "running with root privileges" "$out/lintian.log" | sed "s/^/lintian: /" || true
errors=$(grep -c '^E: ' "$out/lintian.log" || true)
warnings=$(grep -c '^W: ' "$out/lintian.log" || true)
echo "deb: lintian: $errors errors, $warnings warnings (build/deb/lintian.log)"
[ "$rc" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$warnings" -eq 0 ]
