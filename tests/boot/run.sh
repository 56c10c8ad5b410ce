#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/boot/run.sh: the packages, installed and booted for real.
#
# Installs the Debian packages of build/deb/ (make deb) into an overlay on
# a cached Debian root file system (debootstrap: systemd, initramfs-tools,
# Debian's kernel and headers, dkms, nftables, ifupdown, NetworkManager),
# so torfw-dkms's postinst builds the module with DKMS inside the chroot
# and the torfw package's hook puts it and the fallback table into the
# initramfs. Then boots that system with its own kernel and initramfs in
# qemu (TCG), its e1000 uplink on qemu's user-mode network with
# restrict=on (nothing reaches the host or beyond), and every frame on the
# uplink captured by qemu itself (filter-dump) from before the guest's
# firmware runs. The boots (systemd-networkd unless said otherwise; the
# other managers masked on the kernel command line):
#
#   normal    module loaded from the initramfs before the uplink is up,
#             policy loaded (torfwctl status: a generation), the fallback
#             table gone, the capture holds nothing but the Tor uid's probe
#   nomodule  module_blacklist=torfw: torfw.service fails, so the network
#             managers (torfw.service is requisite for them) do not start,
#             and the fallback table is in place; the guest then deletes it
#             and leaks on purpose, and the capture must see it (the
#             detector works)
#   broken    a broken file in /etc/torfw/torfw.d/: torfw.service fails and
#             says why, the uplink stays down, and even brought up by hand
#             nothing but loopback passes (capture: no frame at all)
#   absent-ifupdown, absent-nm
#             no torfw.ko (removed, depmod, a new initramfs: the hook warns),
#             with an allow-hotplug ifupdown interface (net.ifnames=0, so
#             the uplink is the eth0 of its stanza) or NetworkManager: the
#             manager does not start; run by hand (ifup, NetworkManager) it
#             tries DHCP; the uplink configured by hand; not one frame
#             leaves (capture from qemu start)
#   refused-ifupdown, refused-nm
#             the same with torfw.ko there but refused at load:
#             module.sig_enforce=1, and DKMS signed it with its own key,
#             generated in the chroot and enrolled nowhere (what Secure
#             Boot does to it)
#   toolonly  another copy of the root file system with only the torfwctl
#             package installed: nothing enforced, networkd configures the
#             uplink and the probes leave (the capture sees them)
#
# Before the boots, on the host: lintian found no error in the packages
# (build/deb/lintian.log), "make dkms-install" and "dkms build" work
# against the installed Debian headers (in private DKMS trees); in the
# chroot: DKMS built and installed the module, the initramfs holds it and
# the fallback table (nft), the hook fails the initramfs build without nft,
# the package's autopkgtest scripts pass (debian/tests), systemd-analyze
# verify accepts the units and drop-ins, and a later Debian kernel
# installed afterwards gets the module from DKMS (AUTOINSTALL) and in its
# initramfs. The boots use that newest kernel.
#
# Why the real torfw-dkms package and not a prebuilt module: DKMS building
# inside the chroot is what a live-build image does, and it costs ~10 s a
# kernel; the compiler and headers live in the cached rootfs.
#
# Times on 2 cores: the rootfs once (debootstrap and a kernel download,
# ~4 min); then each run: chroot 1-3 min (two DKMS builds, four small
# initramfs images, a kernel unpacked), three images of 5-15 s, eight
# boots of 25-90 s.
#
# Prints TAP and a last line "N passed, N failed"; exit 0 only if all pass.
#
# Environment:
#   TORFW_CACHE          the rootfs is cached in $TORFW_CACHE/boot-rootfs
#                        (default /var/cache/torfw); rebuilt when missing
#   TORFW_BOOT_DIR       work dir (image, logs, captures)
#                        default /var/tmp/torfw-boot
#   TORFW_BOOT_TIMEOUT   seconds for each boot (default 300)
#
# "run.sh --prepare" makes the images only (no qemu), "run.sh --boots"
# boots them: so the machine's qemu lock is held only for the boots.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${TORFW_CACHE:-/var/cache/torfw}
WORK=${TORFW_BOOT_DIR:-/var/tmp/torfw-boot}
TIMEOUT=${TORFW_BOOT_TIMEOUT:-300}
ROOTFS_CACHE=$CACHE/boot-rootfs
ROOT=$WORK/rootfs
GUEST_MAC=52:54:00:12:34:56
# The Tor uid's probe (guest/torfw-boottest): the one thing allowed out.
TOR_PROBE=tcp:198.51.100.9:9001
KLOG_BAD='Oops|\bBUG\b|WARNING:|general protection|Call Trace|KASAN|UBSAN'

# shellcheck source=lib/rootfs.sh
. "$HERE/lib/rootfs.sh"

N=0
FAILED=0
SKIPPED=0
T_START=$SECONDS

die() {
	echo "run.sh: $*" >&2
	exit 2
}

ok() {
	N=$((N + 1))
	echo "ok $N - $1"
}
not_ok() {
	local l
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	shift
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

# --- host side --------------------------------------------------------------

find_debs() {
	# shellcheck disable=SC2012 # our package names: no odd characters
	DEB_DKMS=$(ls "$REPO"/build/deb/torfw-dkms_*_all.deb 2>/dev/null | tail -n 1)
	# shellcheck disable=SC2012 # our package names: no odd characters
	DEB_ENF=$(ls "$REPO"/build/deb/torfw_*_all.deb 2>/dev/null | tail -n 1)
	# shellcheck disable=SC2012 # our package names: no odd characters
	DEB_CTL=$(ls "$REPO"/build/deb/torfwctl_*_amd64.deb 2>/dev/null | tail -n 1)
	{ [ -n "$DEB_DKMS" ] && [ -n "$DEB_ENF" ] && [ -n "$DEB_CTL" ]; } ||
		die "no packages in build/deb/: run 'make deb' (or 'make check-boot')"
	echo "# packages: $(basename "$DEB_DKMS") $(basename "$DEB_ENF") $(basename "$DEB_CTL")"
}

case_lintian() {
	local log=$REPO/build/deb/lintian.log e w
	if [ ! -f "$log" ]; then
		not_ok "lintian: no errors" "no $log (make deb)"
		return
	fi
	e=$(grep -c '^E: ' "$log" || true)
	w=$(grep -c '^W: ' "$log" || true)
	if [ "$e" -eq 0 ] && [ "$w" -eq 0 ]; then
		ok "lintian: no errors, no warnings ($(grep -c '^I: ' "$log" || true) info)"
	else
		not_ok "lintian: no errors, no warnings" "$(grep '^[EW]: ' "$log")"
	fi
}

# make dkms-install (dkms/dkms-install.sh) and dkms build against the
# installed Debian headers, in private DKMS trees: the host's own DKMS
# state is not touched.
case_dkms_host() {
	local kv d v ko magic opts
	# shellcheck disable=SC2012 # Debian's names: no odd characters
	kv=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
	kv=${kv#/usr/src/linux-headers-}
	if [ -z "$kv" ]; then
		not_ok "dkms build against linux-headers-amd64" "no /usr/src/linux-headers-*-amd64"
		return
	fi
	d=$WORK/dkms-host
	rm -rf "$d"
	mkdir -p "$d/tree" "$d/src" "$d/install"
	v=$("$REPO/dkms/version.sh" "$REPO")
	opts=(--dkmstree "$d/tree" --sourcetree "$d/src" --installtree "$d/install")
	if DKMS_TREE=$d/tree DKMS_SOURCETREE=$d/src DKMS_INSTALLTREE=$d/install \
		"$REPO/dkms/dkms-install.sh" >"$d/log" 2>&1 &&
		dkms build -m torfw -v "$v" -k "$kv" "${opts[@]}" >>"$d/log" 2>&1; then
		ko=$(find "$d/tree/torfw/$v/$kv" -name torfw.ko | head -n 1)
		magic=$(modinfo -F vermagic "$ko" 2>/dev/null | awk '{ print $1 }')
		if [ "$magic" = "$kv" ]; then
			ok "make dkms-install, dkms build -k $kv: torfw.ko version $(modinfo -F version "$ko")"
		else
			not_ok "dkms build produces a module for $kv" "vermagic: ${magic:-none} ($ko)"
		fi
	else
		not_ok "make dkms-install, dkms build -k $kv" "$(tail -n 20 "$d/log")" \
			"$(tail -n 20 "$d/tree/torfw/$v/build/make.log" 2>/dev/null)"
	fi
}

# --- the root file system ---------------------------------------------------

mount_chroot() {
	mount -t proc proc "$ROOT/proc"
	mount -t sysfs sys "$ROOT/sys"
	mount --bind /dev "$ROOT/dev"
	mount -t devpts devpts "$ROOT/dev/pts" -o newinstance,ptmxmode=0666
	mount -t tmpfs tmpfs "$ROOT/run"
}
umount_chroot() {
	local m
	for m in run dev/pts dev sys proc; do
		mountpoint -q "$ROOT/$m" && umount "$ROOT/$m"
	done
	return 0
}
# The work root is an overlay on the cache (nothing copied, the cache is
# never written); a plain copy where overlayfs is not available.
mount_root() {
	# Never rm -r through a bind mount of /dev or /proc.
	! findmnt -R "$ROOT" >/dev/null || die "$ROOT is still mounted: umount -R $ROOT"
	rm -rf --one-file-system "$ROOT.upper" "$ROOT.ovl-work" "$ROOT"
	mkdir -p "$ROOT.upper" "$ROOT.ovl-work" "$ROOT"
	if ! mount -t overlay overlay -o "lowerdir=$ROOTFS_CACHE,upperdir=$ROOT.upper,workdir=$ROOT.ovl-work" \
		"$ROOT" 2>/dev/null; then
		echo "# no overlayfs: copying $ROOTFS_CACHE"
		rmdir "$ROOT"
		cp -a "$ROOTFS_CACHE" "$ROOT"
	fi
}
umount_root() {
	umount_chroot
	if mountpoint -q "$ROOT"; then umount "$ROOT"; fi
	return 0
}
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# The test's own additions, none of them from the packages: the uplink's
# network config, the checker, the users the reference policy names.
customize() {
	local u
	echo torfw-boot >"$ROOT/etc/hostname"
	echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$ROOT/etc/fstab"
	install -m 0644 "$HERE/guest/uplink.network" "$ROOT/etc/systemd/network/50-uplink.network"
	# ifupdown's allow-hotplug stanza: only for boots with net.ifnames=0
	# (the others name the NIC ens*, which no stanza names).
	install -m 0644 "$HERE/guest/uplink.interfaces" "$ROOT/etc/network/interfaces.d/uplink"
	install -m 0755 "$HERE/guest/torfw-boottest" "$ROOT/usr/local/sbin/torfw-boottest"
	install -m 0644 "$HERE/guest/torfw-boottest.service" "$HERE/guest/torfw-boottest.target" \
		"$HERE/guest/clearnet-netns.service" "$ROOT/etc/systemd/system/"
	in_root systemctl -q enable systemd-networkd.service clearnet-netns.service
	# Small initramfs images: 5 s to build instead of 45 (MODULES=most packs
	# every driver). The torfw hook works the same either way.
	echo MODULES=list >"$ROOT/etc/initramfs-tools/conf.d/torfw-boottest.conf"
	printf '%s\n' virtio_pci virtio_blk ext4 >>"$ROOT/etc/initramfs-tools/modules"
	# Quiet, quick boots: no getty on the console, no timers.
	in_root systemctl -q mask serial-getty@ttyS0.service getty@tty1.service \
		apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
		fstrim.timer systemd-networkd-wait-online.service
	for u in debian-tor clearnet htp tails-upgrade-frontend \
		tails-iuk-get-target-file Debian-gdm; do
		in_root useradd --system --no-create-home --shell /usr/sbin/nologin "$u"
	done
	in_root useradd --uid 1000 --create-home --shell /bin/bash amnesia
}

# Sets up the work root, installs the two packages, checks what they did.
prepare_root() {
	local t0=$SECONDS t1 out kv
	umount_root 2>/dev/null || true
	mount_root
	mount_chroot
	trap 'umount_root' EXIT
	customize
	cp "$DEB_DKMS" "$DEB_ENF" "$DEB_CTL" "$ROOT/tmp/"
	echo "# chroot: set up and customized in $((SECONDS - t0)) s"
	t1=$SECONDS
	if out=$(in_root dpkg -i "/tmp/$(basename "$DEB_DKMS")" "/tmp/$(basename "$DEB_ENF")" \
		"/tmp/$(basename "$DEB_CTL")" 2>&1); then
		ok "dpkg -i torfw-dkms torfw torfwctl in the chroot"
	else
		not_ok "dpkg -i torfw-dkms torfw torfwctl in the chroot" "$(tail -n 30 <<<"$out")"
	fi
	echo "$out" >"$WORK/dpkg.log"
	echo "# chroot: dpkg -i (DKMS build, update-initramfs) in $((SECONDS - t1)) s"
	# shellcheck disable=SC2012 # kernel versions: no odd characters
	kv=$(ls "$ROOT/lib/modules" | sort -V | tail -n 1)
	KV=$kv
	if [ -f "$ROOT/lib/modules/$kv/updates/dkms/torfw.ko" ] &&
		in_root dkms status torfw | grep -q "$kv.*installed"; then
		ok "DKMS built and installed torfw for $kv in the chroot ($(in_root dkms status torfw))"
	else
		not_ok "DKMS built and installed torfw for $kv" "$(in_root dkms status 2>&1)" \
			"$(grep -iA3 'error\|building' "$WORK/dpkg.log" | head -n 20)"
	fi
	out=$(in_root lsinitramfs "/boot/initrd.img-$kv" 2>&1)
	local f missing=
	for f in 'updates/dkms/torfw.ko' 'scripts/init-top/torfw$' 'sbin/nft$' \
		'lib/torfw/fallback$' 'rules.d/60-torfw-fallback.rules$' 'nf_tables.ko'; do
		grep -q "$f" <<<"$out" || missing="$missing ${f%$}"
	done
	if [ -z "$missing" ]; then
		ok "initramfs of $kv holds torfw.ko, scripts/init-top/torfw and the fallback (nft, nf_tables.ko, fallback, udev rule)"
	else
		not_ok "initramfs of $kv holds torfw.ko, init-top/torfw and the fallback" "missing:$missing"
	fi
	hook_fails "$kv"
	if [ -L "$ROOT/etc/systemd/system/sysinit.target.wants/torfw.service" ] &&
		grep -qx 'Requisite=torfw.service' "$ROOT/lib/systemd/system/systemd-networkd.service.d/torfw.conf" &&
		grep -qx 'Requisite=torfw.service' "$ROOT/lib/systemd/system/ifup@.service.d/torfw.conf"; then
		ok "torfw.service enabled (sysinit.target wants it), requisite of systemd-networkd and ifup@"
	else
		not_ok "torfw.service enabled, requisite of systemd-networkd and ifup@" \
			"$(find "$ROOT/etc/systemd/system" "$ROOT/lib/systemd/system" -name 'torfw*')"
	fi
	if out=$(in_root systemd-analyze verify --man=no /lib/systemd/system/torfw.service \
		/lib/systemd/system/torfw-fallback.service /lib/systemd/system/systemd-networkd.service \
		/lib/systemd/system/NetworkManager.service /lib/systemd/system/ifup@eth0.service 2>&1) &&
		[ -z "$out" ]; then
		ok "systemd-analyze verify torfw, torfw-fallback, systemd-networkd, NetworkManager, ifup@eth0 (with the drop-ins): clean"
	else
		not_ok "systemd-analyze verify torfw, torfw-fallback and the managers" "$out"
	fi
	autopkgtest_in_root reference-policy
	rm -f "$ROOT"/tmp/*.deb
	upgrade_kernel
	dkms_signed
	echo "# chroot prepared in $((SECONDS - t0)) s"
}

# DKMS signed the module with the key it generated in the chroot
# (/var/lib/dkms/mok.key): the key nobody enrolled, which the refused
# boots (module.sig_enforce=1) show the kernel refusing.
dkms_signed() {
	local signer
	signer=$(modinfo -F signer "$ROOT/lib/modules/$KV/updates/dkms/torfw.ko" 2>/dev/null)
	if [ -n "$signer" ] && [ -f "$ROOT/var/lib/dkms/mok.key" ]; then
		ok "DKMS signed torfw.ko for $KV with its own key made in the chroot (signer: $signer)"
	else
		not_ok "DKMS signed torfw.ko for $KV with its own key" "signer: ${signer:-none}" \
			"$(ls -l "$ROOT/var/lib/dkms/" 2>&1)"
	fi
}

# The hook refuses to build an initramfs without the fallback table: with
# nft gone, update-initramfs fails and says why.
hook_fails() {
	local kv=$1 out rc=0
	mv "$ROOT/usr/sbin/nft" "$ROOT/usr/sbin/nft.torfw-boottest"
	out=$(in_root update-initramfs -u -k "$kv" 2>&1) || rc=$?
	mv "$ROOT/usr/sbin/nft.torfw-boottest" "$ROOT/usr/sbin/nft"
	if [ "$rc" -ne 0 ] && grep -q 'E: torfw: no /usr/sbin/nft' <<<"$out"; then
		ok "without nft, update-initramfs fails (exit $rc): $(grep -m1 'E: torfw:' <<<"$out")"
	else
		not_ok "without nft, update-initramfs fails loudly" "exit $rc" "$(tail -n 10 <<<"$out")"
	fi
}

# autopkgtest_in_root NAME: one of the package's autopkgtest scripts
# (dkms/debian/tests), run in the chroot as root.
autopkgtest_in_root() {
	local t=$1 out
	install -m 0755 "$REPO/dkms/debian/tests/$t" "$ROOT/tmp/autopkgtest-$t"
	mkdir -p "$ROOT/tmp/autopkgtest-tmp"
	if out=$(in_root AUTOPKGTEST_TMP=/tmp/autopkgtest-tmp "/tmp/autopkgtest-$t" 2>&1); then
		ok "autopkgtest $t in the chroot: $(tail -n 1 <<<"$out")"
	else
		not_ok "autopkgtest $t in the chroot" "$(tail -n 10 <<<"$out")"
	fi
	rm -rf "$ROOT/tmp/autopkgtest-$t" "$ROOT/tmp/autopkgtest-tmp"
}

# A kernel upgrade after torfw is installed: DKMS (AUTOINSTALL) builds the
# module for the new kernel and its initramfs holds it. The boots then use
# the newest kernel. Skipped if the archive has no kernel later than the
# one debootstrap installed.
upgrade_kernel() {
	local debs old=$KV out
	debs=$(cd "$ROOT$ROOTFS_UPGRADE" 2>/dev/null && ls -- *.deb 2>/dev/null) || true
	if [ -z "$debs" ]; then
		N=$((N + 1))
		SKIPPED=$((SKIPPED + 1))
		echo "ok $N - kernel upgrade rebuilds torfw # SKIP no kernel later than $old in the archive"
		return 0
	fi
	local t0=$SECONDS
	if ! out=$(in_root sh -c "dpkg -i $ROOTFS_UPGRADE/*.deb" 2>&1); then
		not_ok "kernel upgrade: dpkg -i $(echo "$debs" | grep -c .) packages" "$(tail -n 30 <<<"$out")"
	fi
	echo "$out" >"$WORK/upgrade.log"
	echo "# chroot: kernel upgrade ($(echo "$debs" | grep -c .) packages) in $((SECONDS - t0)) s"
	# shellcheck disable=SC2012 # kernel versions: no odd characters
	KV=$(ls "$ROOT/lib/modules" | sort -V | tail -n 1)
	if [ "$KV" = "$old" ]; then
		not_ok "kernel upgrade installs a later kernel than $old" "$(tail -n 20 <<<"$out")"
		return 0
	fi
	if [ -f "$ROOT/lib/modules/$KV/updates/dkms/torfw.ko" ] &&
		in_root dkms status torfw | grep -q "$KV.*installed" &&
		in_root lsinitramfs "/boot/initrd.img-$KV" | grep -q 'updates/dkms/torfw.ko'; then
		ok "kernel upgrade $old -> $KV: DKMS rebuilt torfw, the new initramfs holds it"
	else
		not_ok "kernel upgrade $old -> $KV: DKMS rebuilt torfw, the new initramfs holds it" \
			"$(in_root dkms status 2>&1)" "$(grep -i 'dkms\|torfw' <<<"$out" | tail -n 20)"
	fi
}

# make_image NAME: $WORK/NAME.img, NAME.vmlinuz and NAME.initrd from the
# work root (chroot mounts off), for the kernel $KV.
make_image() {
	local t0=$SECONDS name=$1
	umount_chroot
	rm -f "$WORK/$name.img"
	mkfs.ext4 -q -F -L torfwroot -d "$ROOT" "$WORK/$name.img" 4G
	cp "$ROOT/boot/vmlinuz-$KV" "$WORK/$name.vmlinuz"
	cp "$ROOT/boot/initrd.img-$KV" "$WORK/$name.initrd"
	echo "# image $name: $WORK/$name.img, kernel $KV ($((SECONDS - t0)) s)"
}

# The same system after DKMS failed to build torfw.ko for $KV (no headers
# in the image, a compiler error): the module file is gone, the initramfs
# rebuilt without it (the hook warns and goes on, the fallback in it).
make_nomod_image() {
	local out
	mount_chroot
	rm -f "$ROOT/lib/modules/$KV/updates/dkms/torfw.ko"
	in_root depmod "$KV"
	out=$(in_root update-initramfs -u -k "$KV" 2>&1)
	echo "$out" >"$WORK/nomod-initramfs.log"
	if grep -q "W: torfw: no torfw module for kernel $KV" <<<"$out" &&
		! in_root lsinitramfs "/boot/initrd.img-$KV" | grep -q 'torfw.ko' &&
		in_root lsinitramfs "/boot/initrd.img-$KV" | grep -q 'sbin/nft$'; then
		ok "no torfw.ko for $KV: update-initramfs warns, the initramfs has the fallback and no module"
	else
		not_ok "no torfw.ko for $KV: update-initramfs warns, the initramfs has the fallback" "$out"
	fi
	make_image nomod
}

# A second work root with only the tool package: what installing torfwctl
# alone does to a machine (nothing is enforced at the next boot).
prepare_tool_root() {
	local out
	ROOT=$WORK/rootfs-tool
	umount_root 2>/dev/null || true
	mount_root
	mount_chroot
	customize
	cp "$DEB_CTL" "$ROOT/tmp/"
	if out=$(in_root dpkg -i "/tmp/$(basename "$DEB_CTL")" 2>&1); then
		ok "toolonly: dpkg -i torfwctl alone in a fresh chroot"
	else
		not_ok "toolonly: dpkg -i torfwctl alone" "$(tail -n 20 <<<"$out")"
	fi
	rm -f "$ROOT"/tmp/*.deb
	# What the torfw package would install (the test's own torfw-boottest
	# files are not named like these).
	out=$(find "$ROOT/etc" "$ROOT/lib" "$ROOT/usr/lib" "$ROOT/usr/share/initramfs-tools" \
		\( -name torfw -o -name torfw.conf -o -name 'torfw.service*' -o -name 'torfw-fallback*' \) \
		2>/dev/null)
	if [ -z "$out" ] && [ -x "$ROOT/usr/sbin/torfwctl" ]; then
		ok "toolonly: torfwctl installed; no unit, drop-in, hook, modules-load.d, udev rule or policy"
	else
		not_ok "toolonly: nothing that enforces installed" "$out"
	fi
	autopkgtest_in_root tool-only
	# shellcheck disable=SC2012 # kernel versions: no odd characters
	KV=$(ls "$ROOT/lib/modules" | sort -V | tail -n 1)
	make_image tool
	umount_root
}

# --- boots ------------------------------------------------------------------

# The network managers a boot does not use, masked on its command line.
NO_NM="systemd.mask=NetworkManager.service"
NO_NETWORKD="systemd.mask=systemd-networkd.service"
# ifupdown's stanza names eth0 (guest/uplink.interfaces).
IFUPDOWN="net.ifnames=0 $NO_NM $NO_NETWORKD"
NM=$NO_NETWORKD

# boot MODE IMAGE [CMDLINE...]: one boot of $WORK/IMAGE.img with its
# kernel and initramfs; relays the guest's TAP lines, checks the capture.
# Leaves $WORK/MODE.{console,tap,journal,pcap}.
boot() {
	local mode=$1 image=$2 t0=$SECONDS rc=0 line re='^(not ok|ok) [0-9]+ - (.*)$'
	shift 2
	local base=$WORK/$mode
	rm -f "$base".*
	echo "# boot $mode ($image): $*"
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -smp 2 -m 1024 \
		-nographic -no-reboot -nodefaults \
		-kernel "$WORK/$image.vmlinuz" -initrd "$WORK/$image.initrd" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.unit=torfw-boottest.target torfw_boottest=$mode $*" \
		-drive file="$WORK/$image.img",if=virtio,format=raw \
		-netdev user,id=up,restrict=on \
		-device e1000,netdev=up,mac=$GUEST_MAC \
		-object filter-dump,id=cap,netdev=up,file="$base.pcap" \
		-serial file:"$base.console" -serial file:"$base.tap" \
		-serial file:"$base.journal" </dev/null >"$base.qemu" 2>&1 || rc=$?
	echo "# boot $mode: qemu ran $((SECONDS - t0)) s, exit $rc"
	local seen=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ $line =~ $re ]]; then
			if [ "${BASH_REMATCH[1]}" = ok ]; then
				ok "${BASH_REMATCH[2]}"
			else
				N=$((N + 1))
				FAILED=$((FAILED + 1))
				echo "not ok $N - ${BASH_REMATCH[2]}"
			fi
		elif [[ $line == '#'* ]]; then
			echo "$line"
		elif [[ $line == '@@boottest: end '* ]]; then
			seen=1
		fi
	done <"$base.tap"
	if [ "$seen" = 1 ] && grep -q '@@boottest: journal-end' "$base.journal"; then
		ok "$mode: guest ran its checks and powered off"
	else
		not_ok "$mode: guest ran its checks and powered off" "qemu exit $rc" \
			"last console lines:" "$(tr -d '\r' <"$base.console" | tail -n 20)"
	fi
	local bad
	bad=$(tr -d '\r' <"$base.journal" | grep -E "kernel: .*($KLOG_BAD)" | head -n 20 || true)
	if [ -z "$bad" ]; then
		ok "$mode: kernel log free of Oops/BUG/WARNING/GPF/Call Trace"
	else
		not_ok "$mode: kernel log free of Oops/BUG/WARNING/GPF/Call Trace" "$bad"
	fi
}

# capture MODE WANT: WANT is "tor-only" (nothing but the Tor probe and its
# ARP), "nothing" (no frame at all from the guest) or "leaks" (the
# detector must find IPv4 TCP, UDP, ICMP and IPv6 frames).
capture() {
	local mode=$1 want=$2 pcap=$WORK/$1.pcap out
	if [ ! -s "$pcap" ]; then
		not_ok "$mode: capture $pcap exists"
		return
	fi
	if [ "$want" = tor-only ]; then
		out=$(python3 "$HERE/lib/pcap-classify.py" "$pcap" "$GUEST_MAC" "$TOR_PROBE")
	else
		out=$(python3 "$HERE/lib/pcap-classify.py" "$pcap" "$GUEST_MAC")
	fi
	echo "$out" >"$WORK/$mode.capture"
	get() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/$mode.capture"; }
	local leaks summary
	leaks=$(($(get ipv4-tcp) + $(get ipv4-udp) + $(get ipv4-icmp) + $(get ipv4-other) + $(get ipv6) + $(get non-ip)))
	summary="$(get frames) frames on the uplink, from the guest: $(get expected) expected, $(get ipv4-tcp) IPv4 TCP, $(get ipv4-udp) UDP, $(get ipv4-icmp) ICMP, $(get ipv4-other) other IPv4, $(get ipv6) IPv6, $(get non-ip) non-IP"
	case $want in
	tor-only)
		if [ "$leaks" -eq 0 ] && [ "$(get expected)" -gt 0 ]; then
			ok "$mode: capture from qemu start: only the Tor uid's SYN left ($summary)"
		else
			not_ok "$mode: capture from qemu start: only the Tor uid's SYN left" "$summary" \
				"$(grep '^leak:' <<<"$out")"
		fi
		;;
	nothing)
		if [ "$leaks" -eq 0 ] && [ "$(get expected)" -eq 0 ]; then
			ok "$mode: capture from qemu start: not one frame left the guest ($summary)"
		else
			not_ok "$mode: capture from qemu start: not one frame left the guest" "$summary" \
				"$(grep '^leak:' <<<"$out")"
		fi
		;;
	leaks)
		if [ "$(get ipv4-tcp)" -gt 0 ] && [ "$(get ipv4-udp)" -gt 0 ] &&
			[ "$(get ipv4-icmp)" -gt 0 ] && [ "$(get ipv6)" -gt 0 ]; then
			ok "$mode: the same detector finds the leaks without torfw ($summary)"
		else
			not_ok "$mode: the detector finds the leaks without torfw" "$summary"
		fi
		;;
	esac
}

# initramfs_said MODE TEXT: the console shows what the initramfs said.
initramfs_said() {
	local line
	line=$(tr -d '\r' <"$WORK/$1.console" | grep -m1 -o -- "$2.*")
	if [ -n "$line" ]; then
		ok "$1: the initramfs said: $line"
	else
		not_ok "$1: the initramfs said \"$2\""
	fi
}

# A broken local addition, written into the (powered off) image.
break_config() {
	local f=$WORK/50-broken.conf
	cat >"$f" <<'CONF'
# A local addition with a typo: the whole load must fail, closed.
allow tcp 127.0.0.1:99999 root
CONF
	debugfs -w -R "write $f /etc/torfw/torfw.d/50-broken.conf" "$WORK/root.img" >/dev/null 2>&1
	if debugfs -R "cat /etc/torfw/torfw.d/50-broken.conf" "$WORK/root.img" 2>/dev/null | grep -q 99999; then
		ok "broken: /etc/torfw/torfw.d/50-broken.conf written into the image"
	else
		not_ok "broken: /etc/torfw/torfw.d/50-broken.conf written into the image"
	fi
}

# The images of the boots, made by prepare (no qemu: it needs no lock).
prepare() {
	find_debs
	case_lintian
	case_dkms_host
	rootfs_ensure "$ROOTFS_CACHE" || { not_ok "rootfs in $ROOTFS_CACHE"; exit 1; }
	prepare_root
	make_image root
	make_nomod_image
	umount_root
	prepare_tool_root
	trap - EXIT
}

boots() {
	local c m cmd i
	for i in root nomod tool; do
		[ -f "$WORK/$i.img" ] || die "no $WORK/$i.img: run without --boots first"
	done
	# A previous run's broken boot left its file in the image; the guest
	# checker is this tree's, even if it changed since --prepare.
	debugfs -w -R "rm /etc/torfw/torfw.d/50-broken.conf" "$WORK/root.img" >/dev/null 2>&1 || true
	for i in root nomod tool; do
		debugfs -w -f - "$WORK/$i.img" >/dev/null 2>&1 <<-EOF
		rm /usr/local/sbin/torfw-boottest
		write $HERE/guest/torfw-boottest /usr/local/sbin/torfw-boottest
		sif /usr/local/sbin/torfw-boottest mode 0100755
		EOF
		debugfs -R "cat /usr/local/sbin/torfw-boottest" "$WORK/$i.img" 2>/dev/null |
			cmp -s - "$HERE/guest/torfw-boottest" ||
			die "could not write the guest checker into $WORK/$i.img"
	done
	boot normal root "$NO_NM"
	initramfs_said normal 'torfw-fallback: installed'
	capture normal tor-only
	boot nomodule root module_blacklist=torfw "$NO_NM"
	initramfs_said nomodule 'torfw: cannot load the torfw module'
	capture nomodule leaks
	for c in absent refused; do
		for m in ifupdown nm; do
			case $m in ifupdown) cmd=$IFUPDOWN ;; nm) cmd=$NM ;; esac
			if [ $c = absent ]; then
				boot "$c-$m" nomod "$cmd"
			else
				boot "$c-$m" root module.sig_enforce=1 "$cmd"
			fi
			initramfs_said "$c-$m" 'torfw: cannot load the torfw module'
			capture "$c-$m" nothing
		done
	done
	boot toolonly tool "$NO_NM"
	capture toolonly leaks
	break_config
	boot broken root "$NO_NM"
	capture broken nothing
}

# run.sh [--prepare|--boots]: both by default; --prepare makes the images
# (chroot, DKMS, mkfs: minutes of CPU but no qemu, so no need to hold the
# machine's qemu lock), --boots boots the images a --prepare left in
# $TORFW_BOOT_DIR.
main() {
	local stage=${1:-all}
	case $stage in
	all | --prepare | --boots) ;;
	*) die "usage: $0 [--prepare|--boots]" ;;
	esac
	[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mount)"
	mkdir -p "$WORK"
	exec 9>"$WORK/lock"
	flock -w $((4 * TIMEOUT)) 9 || die "$WORK stays locked (another run.sh?)"
	[ "$stage" = --boots ] || prepare
	[ "$stage" = --prepare ] || boots
	echo "# total $((SECONDS - T_START)) s; logs in $WORK"
	echo "1..$N"
	if [ "$SKIPPED" -gt 0 ]; then
		echo "$((N - FAILED - SKIPPED)) passed, $FAILED failed, $SKIPPED skipped"
	else
		echo "$((N - FAILED)) passed, $FAILED failed"
	fi
	[ "$FAILED" -eq 0 ]
}

main "$@"
