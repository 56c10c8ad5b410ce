#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: builds the Debian packages torfw-dkms and torfwctl into
# build/deb/ with Debian's own tooling (debhelper compat 13, dh-dkms,
# dpkg-buildpackage -us -uc -b), then runs lintian on them.
#
# The packaging lives in dkms/debian/; the repository's top level stays as
# it is. The build tree is build/deb/torfw-VERSION/: a copy of kmod/, ctl/
# and dkms/ (the files git knows plus new ones it does not ignore) with
# dkms/debian/ as debian/ and a generated debian/changelog for VERSION
# (dkms/version.sh), so the .deb files land in build/deb/.
#
# Exit status: non-zero if the build fails or lintian reports an error.
# Warnings are listed (build/deb/lintian.log) but do not fail the build.
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
cat >"$src/debian/changelog" <<CHANGELOG
torfw ($version) unstable; urgency=medium

  * $what.

 -- $maint  $date
CHANGELOG

echo "deb: building torfw $version in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
	exit 1
}
ls -1 "$out"/*.deb

changes=$(ls "$out"/torfw_"$version"_*.changes)
rc=0
lintian --fail-on error --display-info "$changes" >"$out/lintian.log" 2>&1 || rc=$?
grep -v "running with root privileges" "$out/lintian.log" | sed "s/^/lintian: /" || true
errors=$(grep -c '^E: ' "$out/lintian.log" || true)
warnings=$(grep -c '^W: ' "$out/lintian.log" || true)
echo "deb: lintian: $errors errors, $warnings warnings (build/deb/lintian.log)"
[ "$rc" -eq 0 ] && [ "$errors" -eq 0 ]
