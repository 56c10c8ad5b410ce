#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs the Debian packages the build and the tests need, when missing.
# The one place that knows the list: used by 'make deps', 'make check',
# 'make demo' and .ci/run.
set -eu

PKGS=(
	# build
	build-essential pkg-config libmnl-dev libelf-dev
	linux-headers-amd64
	# ctl unit tests and linters; the style part (checkpatch is in
	# linux-source-6.1, below)
	libcmocka-dev cppcheck clang-tidy man-db shellcheck sparse
	# VM: Debian's kernel, qemu, initramfs material
	linux-image-amd64 qemu-system-x86 busybox-static cpio kmod
	iproute2 util-linux
	# KUnit on UML from Debian's kernel source
	linux-source-6.1 python3 bc flex bison xz-utils
	# scenario clients and servers
	tor curl socat ncat bind9-dnsutils tcpdump iperf3 nftables iptables
	iputils-ping
	# packaging (make deb, dkms-install) and the boot test (check-boot)
	debhelper dh-dkms dkms lintian debootstrap systemd e2fsprogs
	# benchmarks (make bench): the plot, and conntrack -F in the guest
	gnuplot-nox conntrack
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "torfw: missing packages; as root run:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
echo "torfw: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
$cmd -q
