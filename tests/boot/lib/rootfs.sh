# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The cached Debian root file system of the boot test: debootstrap
# (minbase) plus what the packages need to be installed for real:
# systemd, udev, initramfs-tools, Debian's kernel and its headers, dkms
# and a compiler (dkms builds the module inside the chroot, as on a live
# system built with live-build), nftables (the fallback table); and the
# network managers the boots try: systemd-networkd (in systemd), ifupdown
# with isc-dhcp-client (allow-hotplug: udev starts ifup@) and
# NetworkManager; openssl, with which DKMS makes its own signing key in
# the chroot and signs the module (the key that nobody enrolled: what
# Secure Boot refuses). Nothing of torfw is in it: run.sh copies it and installs
# the freshly built packages into the copy.
#
# It also holds, unpacked nowhere, the packages of a later Debian kernel
# and its headers (from the security or updates suite, when there is one)
# in /var/cache/torfw-kernel-upgrade/: run.sh installs them after torfw to
# show that DKMS rebuilds the module for a new kernel (AUTOINSTALL) and the
# new initramfs holds it.
#
# Rebuilt when missing, or when ROOTFS_STAMP below changes (it is stamped
# into the tree). Sourced by run.sh.

ROOTFS_SUITE=bookworm
ROOTFS_PACKAGES=systemd,systemd-sysv,udev,dbus,iproute2,iputils-ping,kmod,initramfs-tools,linux-image-amd64,linux-headers-amd64,dkms,libmnl0,nftables,ifupdown,isc-dhcp-client,network-manager,libpam-systemd,openssl
ROOTFS_STAMP="3 $ROOTFS_PACKAGES"
ROOTFS_UPGRADE=/var/cache/torfw-kernel-upgrade

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

# The host's Debian sources (main, updates, security), for the chroot.
rootfs_sources() {
	local root=$1 f
	rm -f "$root/etc/apt/sources.list"
	for f in /etc/apt/sources.list.d/*.sources; do
		grep -q "$ROOTFS_SUITE" "$f" && grep -q 'debian\.org\|/debian' "$f" &&
			cp "$f" "$root/etc/apt/sources.list.d/"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		grep -E "^deb .*debian.* $ROOTFS_SUITE" "$f" >>"$root/etc/apt/sources.list.d/host.list" || true
	done
}

# Downloads (does not install) the newest kernel and headers of all the
# host's Debian suites into $ROOTFS_UPGRADE, if newer than the installed.
rootfs_fetch_upgrade() {
	local root=$1 c=(chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive)
	rootfs_sources "$root"
	mount -t proc proc "$root/proc"
	"${c[@]}" apt-get -q update &&
		"${c[@]}" apt-get -q -y --no-install-recommends --download-only \
			install linux-image-amd64 linux-headers-amd64
	local rc=$?
	umount "$root/proc"
	mkdir -p "$root$ROOTFS_UPGRADE"
	mv "$root"/var/cache/apt/archives/*.deb "$root$ROOTFS_UPGRADE/" 2>/dev/null || true
	return $rc
}

# rootfs_ensure DIR: DIR holds a complete root file system afterwards.
rootfs_ensure() {
	local dir=$1 stamp="$1/.torfw-rootfs" mirror tmp t0=$SECONDS
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ROOTFS_STAMP" ]; then
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
	rm -rf "$tmp"/var/cache/apt/archives/*.deb
	if ! rootfs_fetch_upgrade "$tmp" >>"$tmp.log" 2>&1; then
		tail -n 20 "$tmp.log" | sed 's/^/#   /'
		echo "# rootfs: apt-get in the chroot failed (log: $tmp.log)"
		return 1
	fi
	echo "# rootfs: kernel upgrade packages: $(find "$tmp$ROOTFS_UPGRADE" -name '*.deb' | wc -l)"
	rm -rf "$tmp"/var/lib/apt/lists/*_Packages
	echo "$ROOTFS_STAMP" >"$tmp/.torfw-rootfs"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	echo "# rootfs: built in $((SECONDS - t0)) s ($(du -sh "$dir" | cut -f1))"
}
