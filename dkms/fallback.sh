#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /usr/lib/torfw/fallback install|remove|netdev IFINDEX|status
#
# The fallback firewall: closed without the torfw module. torfw.ko is the
# one that can be missing at boot (DKMS could not build it, no headers for
# this kernel) or refused at load (Secure Boot and a module signed by an
# unenrolled key, a vermagic mismatch). nf_tables is Debian's own signed
# module, so this table loads where torfw.ko may not. Installed from the
# initramfs (scripts/init-top/torfw) before any network device is
# configured, again early in userspace (torfw-fallback.service) if the
# initramfs did not, and removed by torfw.service only once the torfw
# policy is loaded (ExecStartPost), so a failed policy load keeps it.
#
# What it closes, all families, everything but loopback:
#   inet    input, forward and output: IPv4 and IPv6, including what the
#           kernel itself sends (IPv6 router solicitations, DAD, MLD, IGMP)
#   arp     input and output: neighbour resolution
#   netdev  an egress chain on every device but lo: frames from packet
#           sockets (DHCP clients: dhclient, dhcpcd, NetworkManager's and
#           networkd's), which no inet chain sees. A netdev chain names its
#           device, so devices that appear later get theirs from the udev
#           rule (60-torfw-fallback.rules: "netdev IFINDEX"), which runs
#           before ifupdown's hotplug rule (80-ifupdown.rules) and before
#           systemd or a network manager sees the device.
#
# Limits (torfw.ko covers the first three once loaded): a device moved
# into another network namespace, or a physical device made there, is out
# of this table's reach; AF_XDP and netpoll (netconsole) transmit past the
# egress hook; Bluetooth is not a netdev. Each needs root doing it on
# purpose. Wi-Fi's 802.11 management frames (probes, authentication,
# association) and EAPOL over nl80211's control port pass no netfilter
# hook at all, with torfw.ko too. "nft flush ruleset" (Debian's
# /etc/nftables.conf begins with it) deletes this table: the torfw
# package orders nftables.service after torfw.service. Only
# initramfs-tools images get the table from the initramfs (no dracut
# module); torfw-fallback.service installs it in userspace otherwise.
#
# POSIX sh: it also runs under the initramfs's busybox.
set -eu

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
NAME=torfw-fallback
# Before any other chain of the same hook (iptables, nft, firewalld).
PRIO=-500

say() { echo "torfw-fallback: $*" >&2; }

have_table() { nft list table "$1" "$NAME" >/dev/null 2>&1; }

# One egress chain per device, named by ifindex (never reused while the
# machine runs; renames do not matter: the hook follows the device, and the
# kernel drops the chain when its device goes away).
add_netdev() {
	idx=$1
	dev=
	for d in /sys/class/net/*; do
		if [ "$(cat "$d/ifindex" 2>/dev/null)" = "$idx" ]; then
			dev=${d##*/}
			break
		fi
	done
	[ -n "$dev" ] || { say "no device with ifindex $idx"; return 1; }
	[ "$dev" != lo ] || return 0
	have_table netdev || return 0
	if nft list chain netdev "$NAME" "out$idx" >/dev/null 2>&1; then
		return 0
	fi
	nft add chain netdev "$NAME" "out$idx" \
		"{ type filter hook egress device \"$dev\" priority $PRIO; policy drop; }"
}

# Each family in its own batch: a kernel without one of them (nf_tables'
# arp family is a build option) must still get the others.
install_tables() {
	rc=0
	modprobe nf_tables 2>/dev/null || true
	if ! have_table inet; then
		nft -f - <<-EOF || { say "cannot install the inet table"; rc=1; }
		table inet $NAME {
			chain input {
				type filter hook input priority $PRIO; policy drop;
				iif lo accept
			}
			chain forward {
				type filter hook forward priority $PRIO; policy drop;
			}
			chain output {
				type filter hook output priority $PRIO; policy drop;
				oif lo accept
			}
		}
		EOF
	fi
	if ! have_table arp; then
		nft -f - <<-EOF || { say "cannot install the arp table"; rc=1; }
		table arp $NAME {
			chain input {
				type filter hook input priority $PRIO; policy drop;
			}
			chain output {
				type filter hook output priority $PRIO; policy drop;
			}
		}
		EOF
	fi
	if ! have_table netdev; then
		nft add table netdev "$NAME" || { say "cannot install the netdev table"; rc=1; }
	fi
	[ $rc -ne 0 ] || say "installed: only loopback passes until the torfw policy is loaded"
	# After the table: a device registered from here on gets its chain from
	# the udev rule; one registered before is in /sys/class/net now.
	for d in /sys/class/net/*; do
		[ -e "$d/ifindex" ] || continue
		add_netdev "$(cat "$d/ifindex")" || rc=1
	done
	return $rc
}

remove_tables() {
	for f in inet arp netdev; do
		if have_table "$f"; then
			nft delete table "$f" "$NAME"
		fi
	done
	say "removed"
}

case ${1:-} in
install) install_tables ;;
remove) remove_tables ;;
netdev)
	[ $# -eq 2 ] || { say "usage: $0 netdev IFINDEX"; exit 2; }
	add_netdev "$2"
	;;
status)
	# Exit 0 if the fallback is in place, 1 if not.
	have_table inet && have_table arp && have_table netdev
	;;
*)
	echo "usage: $0 install|remove|netdev IFINDEX|status" >&2
	exit 2
	;;
esac
