# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Host side, sourced by run.sh: builds the guest's initramfs from this
# machine's own binaries and Debian's kernel modules.
#
# The initrd is two gzip'd cpio archives concatenated; the kernel unpacks
# them in order and a later file replaces an earlier one:
#   base.cpio.gz     busybox, the tools, their libraries, /etc, the kernel's
#                    modules: slow to pack, rebuilt only when its key
#                    (this file, the kernel version, the binaries) changes
#   overlay.cpio.gz  /init, tests/vm, torfw.ko (and the depmod output that
#                    knows it), torfwctl: small, rebuilt on every run
#
# Both trees are laid out like Debian 12 (merged /usr: /bin, /sbin, /lib,
# /lib64 are symlinks into /usr). Files are always written under their /usr
# path (vm_canon) so that no archive ever holds a real /lib directory that
# would replace the base's symlink when unpacked.

# Programs the scenarios run, by the name the host knows them. Symlinks are
# kept (kmod and xtables dispatch on argv[0]).
VM_BINS=(
	/sbin/ip /bin/ss /usr/bin/setpriv /usr/bin/nsenter /usr/bin/ping
	/usr/bin/socat /usr/bin/ncat /usr/bin/curl /usr/bin/dig
	/usr/bin/tor /usr/bin/tcpdump /usr/sbin/nft /usr/bin/iperf3
	/sbin/modprobe /sbin/insmod /sbin/rmmod /sbin/lsmod /sbin/modinfo
	/sbin/depmod
)
for _t in iptables ip6tables; do
	for _v in "" -legacy -nft; do
		for _s in "" -save -restore; do
			VM_BINS+=("/usr/sbin/$_t$_v$_s")
		done
	done
done
unset _t _v _s

# Loaded with dlopen(), so ldd of the binaries does not name them.
VM_XTABLES=/usr/lib/x86_64-linux-gnu/xtables

# Users of the reference policy, plus 'stranger' whom no policy names.
# name:uid:gid
VM_USERS=(
	root:0:0 _apt:42:65534 proxy:13:13 debian-tor:107:114
	clearnet:108:115 htp:109:116 tails-upgrade-frontend:110:117
	tails-iuk-get-target-file:111:118 Debian-gdm:112:119
	amnesia:1000:1000 stranger:1500:1500 nobody:65534:65534
)

# /lib/x -> /usr/lib/x: where a host path lives in a merged-/usr tree.
vm_canon() {
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

vm_skeleton() {
	local root=$1 d
	mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{dev,proc,sys,tmp,run}
	mkdir -p "$root"/{etc,root,var/lib,var/tmp,home/amnesia}
	for d in bin sbin lib lib64; do
		ln -sfn "usr/$d" "$root/$d"
	done
}

# Copies one file to its /usr path in the tree, dereferenced. rm first:
# cp onto a busybox applet symlink would overwrite busybox itself.
vm_copy() {
	local root=$1 src=$2 dst
	dst=$root$(vm_canon "$src")
	mkdir -p "${dst%/*}"
	rm -f "$dst"
	cp -L "$src" "$dst"
}

# The shared libraries (and the loader) that ldd resolves for a file.
vm_libs() {
	ldd "$1" 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

vm_install_libs() {
	local root=$1 file=$2 lib
	for lib in $(vm_libs "$file"); do
		[ -e "$root$(vm_canon "$lib")" ] || vm_copy "$root" "$lib"
	done
}

# Installs a program: the real file where the host keeps it, its libraries,
# and the requested name as a symlink to it when that is another name.
vm_install_bin() {
	local root=$1 bin=$2 real link
	[ -e "$bin" ] || { echo "run.sh: $bin missing: run tests/deps.sh" >&2; return 1; }
	real=$(readlink -f "$bin")
	vm_copy "$root" "$real"
	vm_install_libs "$root" "$real"
	link=$(vm_canon "$bin")
	if [ "$link" != "$(vm_canon "$real")" ]; then
		rm -f "$root$link"
		ln -s "$(vm_canon "$real")" "$root$link"
	fi
}

# Applets as symlinks, installed first so that the real tools replace them.
vm_install_busybox() {
	local root=$1 applet
	vm_copy "$root" /bin/busybox
	for applet in $(/bin/busybox --list-full); do
		applet=$root$(vm_canon "/$applet")
		mkdir -p "${applet%/*}"
		[ -e "$applet" ] || [ -L "$applet" ] || ln -s /usr/bin/busybox "$applet"
	done
}

vm_install_etc() {
	local root=$1 u name uid gid home
	: >"$root/etc/passwd"
	: >"$root/etc/group"
	for u in "${VM_USERS[@]}"; do
		IFS=: read -r name uid gid <<<"$u"
		home=/nonexistent
		[ "$name" = root ] && home=/root
		[ "$name" = amnesia ] && home=/home/amnesia
		echo "$name:x:$uid:$gid::$home:/bin/sh" >>"$root/etc/passwd"
		# One group per gid; nobody's 65534 is also nogroup (as on Debian).
		grep -q ":$gid:" "$root/etc/group" ||
			echo "$name:x:$gid:" >>"$root/etc/group"
	done
	chown 1000:1000 "$root/home/amnesia"
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' \
		>"$root/etc/nsswitch.conf"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
	# The system resolver is Tor's DNSPort behind the DNS redirect.
	echo 'nameserver 127.0.0.1' >"$root/etc/resolv.conf"
	echo torfw-vm >"$root/etc/hostname"
	cp /etc/protocols /etc/services "$root/etc/"
}

# The module subset VM-NOTES.md found sufficient for conntrack, NAT,
# nf_tables, iptables and veth, plus macvlan (a device that reaches the
# uplink, moved into a namespace: 65-userns) and ib_core, which net/smc
# needs (AF_SMC: 26-kernel-sockets; sctp and dccp are in net/ already);
# depmod so that modprobe resolves them.
vm_install_modules() {
	local root=$1 kv=$2 src=${TORFW_VM_MODROOT:-}/lib/modules/$2 dst d
	dst=$root/usr/lib/modules/$kv
	mkdir -p "$dst/kernel/drivers/net"
	for d in net lib crypto arch; do
		# A kernel with these built in has no such directory.
		[ ! -d "$src/kernel/$d" ] || cp -a "$src/kernel/$d" "$dst/kernel/"
	done
	cp -a "$src/kernel/drivers/net/veth.ko"* "$dst/kernel/drivers/net/"
	cp -a "$src/kernel/drivers/net/macvlan.ko"* "$dst/kernel/drivers/net/"
	# A kernel without InfiniBand (the debug one) has no SMC either.
	d=drivers/infiniband/core
	if compgen -G "$src/kernel/$d/ib_core.ko*" >/dev/null; then
		mkdir -p "$dst/kernel/$d"
		cp -a "$src/kernel/$d/ib_core.ko"* "$dst/kernel/$d/"
	fi
	cp -a "$src"/modules.order "$src"/modules.builtin* "$dst/"
	depmod -b "$root" "$kv"
}

vm_pack() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --quiet) | gzip -1 >"$2.tmp"
	mv "$2.tmp" "$2"
}

# What the base depends on; a change of any of it rebuilds the base.
vm_base_key() {
	local kv=$1 b
	{
		cat "${BASH_SOURCE[0]}"
		echo "$kv"
		stat -L -c '%n %s %Y' /bin/busybox \
			"${TORFW_VM_MODROOT:-}/lib/modules/$kv/modules.dep"
		for b in "${VM_BINS[@]}"; do
			stat -L -c '%n %s %Y' "$b" 2>/dev/null || echo "$b missing"
		done
	} | sha256sum | cut -d' ' -f1
}

# vm_build_base WORKDIR KV: WORKDIR/base.cpio.gz, reused when up to date.
vm_build_base() {
	local work=$1 kv=$2 key root b so
	key=$(vm_base_key "$kv")
	if [ -s "$work/base.cpio.gz" ] && [ "$(cat "$work/base.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	echo "run.sh: building the base initramfs for $kv" >&2
	root=$work/base
	rm -rf "$root" "$work/base.key"
	vm_skeleton "$root"
	mknod -m 600 "$root/dev/console" c 5 1
	vm_install_busybox "$root"
	for b in "${VM_BINS[@]}"; do
		vm_install_bin "$root" "$b"
	done
	cp -a "$VM_XTABLES" "$root/usr/lib/x86_64-linux-gnu/"
	for so in "$VM_XTABLES"/*.so; do
		vm_install_libs "$root" "$so"
	done
	vm_install_etc "$root"
	vm_install_modules "$root" "$kv"
	vm_pack "$root" "$work/base.cpio.gz"
	echo "$key" >"$work/base.key"
}

# vm_build_overlay_notools WORKDIR KV REPO: the parts that change between
# runs (vm_build_overlay below adds tests/vm/tools).
vm_build_overlay_notools() {
	local work=$1 kv=$2 repo=$3 root mods
	root=$work/overlay
	rm -rf "$root" "$work/modroot"
	mkdir -p "$root/tests"
	cp -a "$repo/tests/vm" "$root/tests/"
	cp "$repo/tests/vm/guest/init" "$root/init"
	chmod 755 "$root/init"
	local ko=${TORFW_VM_KO:-$repo/kmod/torfw.ko}
	if [ -f "$ko" ]; then
		# depmod needs the whole tree: a hard-linked copy of the base's,
		# whose index files are unlinked first so the base keeps its own.
		mods=usr/lib/modules/$kv
		mkdir -p "$work/modroot/usr/lib/modules"
		cp -al "$work/base/$mods" "$work/modroot/$mods"
		rm -f "$work/modroot/$mods"/modules.{dep,alias,symbols,softdep,devname}*
		mkdir -p "$work/modroot/$mods/extra"
		cp "$ko" "$work/modroot/$mods/extra/"
		ln -sfn usr/lib "$work/modroot/lib"
		depmod -b "$work/modroot" "$kv"
		mkdir -p "$root/$mods"
		cp -a "$work/modroot/$mods/extra" "$work/modroot/$mods"/modules.* \
			"$root/$mods/"
		rm -rf "$work/modroot"
	fi
	if [ -x "$repo/ctl/torfwctl" ]; then
		mkdir -p "$root/usr/sbin"
		cp "$repo/ctl/torfwctl" "$root/usr/sbin/torfwctl"
		vm_install_libs "$root" "$repo/ctl/torfwctl"
	fi
	if [ -f "$repo/ctl/torfw.conf" ]; then
		mkdir -p "$root/etc/torfw"
		cp "$repo/ctl/torfw.conf" "$root/etc/torfw/"
	fi
	vm_pack "$root" "$work/overlay.cpio.gz"
}

# ---- tests/vm/tools: C helpers of the scenarios ----------------------------
#
# Built here (make -C tests/vm/tools) so that the overlay's copy of tests/vm
# carries them as /tests/vm/tools/NAME; the libraries they link that the
# base lacks are added to the overlay, which is then packed again.
# vm_build_overlay WORKDIR KV REPO: the overlay, with the tools.
vm_build_overlay() {
	local work=$1 repo=$3 t lib
	make -s -C "$repo/tests/vm/tools" >&2 ||
		{ echo "run.sh: building tests/vm/tools failed" >&2; return 1; }
	vm_build_overlay_notools "$@"
	for t in "$repo"/tests/vm/tools/*; do
		{ [ -f "$t" ] && [ -x "$t" ]; } || continue
		for lib in $(vm_libs "$t"); do
			[ -e "$work/base$(vm_canon "$lib")" ] ||
				[ -e "$work/overlay$(vm_canon "$lib")" ] ||
				vm_copy "$work/overlay" "$lib"
		done
	done
	vm_pack "$work/overlay" "$work/overlay.cpio.gz"
}
