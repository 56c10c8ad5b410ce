# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# amnesia's own user and network namespace (65-userns): the way in, and
# the steps run inside (they run in a fresh shell, so they live here).
# UNS_PID is the process that holds the namespaces. Defines only.

# in_userns CMD...: CMD (a program or a function of lib/) as amnesia
# entered into its namespaces: uid 0 there, full capabilities over them
# (amnesia's own uid and gid, mapped to 0; unshare denied setgroups).
in_userns() {
	as amnesia nsenter -t "$UNS_PID" -U -n --preserve-credentials /bin/sh -c \
		'. /tests/vm/lib/common.sh; . /tests/vm/lib/policy.sh
		. /tests/vm/lib/userns.sh; "$@"' in_userns "$@"
}

# ---- run inside ----------------------------------------------------------------

uns_is_root() { [ "$(id -u)" = 0 ] && ip link set lo up; }

# A device made inside cannot be moved to the host's namespace (pid 1's).
uns_no_move_out() {
	local rc=0
	ip link add ux type veth peer name uy || return 1
	ip link set uy netns 1 2>&1 && rc=1
	ip link del ux
	return $rc
}

# A veth whose peer is made right in the host's namespace: Linux 6.1 does
# not check CAP_NET_ADMIN over the peer's namespace (fixed upstream later).
uns_peer_out() { ip link add ua type veth peer name ub netns 1; }

# The namespace's end of the veth to the host: 10.98.0.2, default route
# through the host.
uns_veth_up() {
	ip addr add 10.98.0.2/24 dev ua && ip link set ua up &&
		ip route add default via 10.98.0.1
}

# The macvlan of the uplink moved in: an address on the uplink's wire and
# the far end's MAC, so that nothing needs ARP.
uns_macvlan_up() {
	ip addr add 192.0.2.77/24 dev mv0 && ip link set mv0 up &&
		ip neigh replace 192.0.2.1 lladdr 02:00:00:00:01:01 dev mv0 nud permanent
}
