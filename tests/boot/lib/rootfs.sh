# SPDX-License-Identifier: GPL-2.0
#
# The cached Debian root file system of the boot test: debootstrap
# (minbase) plus what the two packages need to be installed for real:
# systemd, udev, initramfs-tools, Debian's kernel and its headers, dkms
# and a compiler (dkms builds the module inside the chroot, as on a live
# system built with live-build). Nothing of torfw is in it: run.sh copies
# it and installs the freshly built packages into the copy.
#
# Rebuilt when missing, or when ROOTFS_PACKAGES below changes (the list is
# stamped into the tree). Sourced by run.sh.

ROOTFS_SUITE=bookworm
ROOTFS_PACKAGES=systemd,systemd-sysv,udev,dbus,iproute2,iputils-ping,kmod,initramfs-tools,linux-image-amd64,linux-headers-amd64,dkms,libmnl0

# The Debian mirror apt uses here (deb822 or one-line sources).
rootfs_mirror() {
	local m
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { u = $2 } /^Suites:/ && / '"$ROOTFS_SUITE"'( |$)/ { print u; exit }' |
		grep -v security | head -n 1)
	[ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $3 == "'"$ROOTFS_SUITE"'" { print $2; exit }')
	echo "${m:-http://deb.debian.org/debian}"
}

# rootfs_ensure DIR: DIR holds a complete root file system afterwards.
rootfs_ensure() {
	local dir=$1 stamp="$1/.torfw-rootfs" mirror tmp t0=$SECONDS
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ROOTFS_PACKAGES" ]; then
		echo "# rootfs: cached in $dir"
		return 0
	fi
	mirror=$(rootfs_mirror)
	echo "# rootfs: debootstrap $ROOTFS_SUITE from $mirror into $dir (a few minutes, once)"
	tmp=$dir.new
	rm -rf "$tmp"
	mkdir -p "$(dirname "$dir")"
	if ! debootstrap --variant=minbase --include="$ROOTFS_PACKAGES" \
		"$ROOTFS_SUITE" "$tmp" "$mirror" >"$tmp.log" 2>&1; then
		tail -n 20 "$tmp.log" | sed 's/^/#   /'
		echo "# rootfs: debootstrap failed (log: $tmp.log)"
		return 1
	fi
	# The packages' own downloads are not needed any more.
	rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*_Packages
	echo "$ROOTFS_PACKAGES" >"$tmp/.torfw-rootfs"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	echo "# rootfs: built in $((SECONDS - t0)) s ($(du -sh "$dir" | cut -f1))"
}
