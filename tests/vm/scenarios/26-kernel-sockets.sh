#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kernel-made sockets (DESIGN.md section 3, "No-socket and raw-frame
# traffic"): a socket the kernel creates to open connections for a
# process is not "no socket".
#   - MPTCP: the kernel makes the TCP subflows of an MPTCP socket and
#     links them to it; they are the MPTCP socket's user's, and the
#     policy treats them as that user's TCP (tests/vm/tools/sockconnect
#     mptcp). That includes the subflows the kernel adds later, from a
#     workqueue, toward an address the peer announces (ADD_ADDR): an
#     MPTCP echo server on the LAN host (reachable: LAN) announces
#     192.0.2.1, and the subflow the kernel then opens for amnesia is
#     refused as her TCP to the Internet (the log line names her uid),
#     and does not leave, "nosocket accept" or not.
#   - AF_SMC: without an SMC peer the connection falls back to TCP over
#     SMC's own TCP socket, which the kernel made and which has no file.
#     Nothing links it to the process in a way the module can verify, so
#     every connection it opens is refused at once (ECONNREFUSED),
#     loopback included, whoever the user, even where that user's plain
#     TCP passes; "nosocket accept" does not let it out either.
#   - "kernel-sockets lan" (the reference with "kernel-sockets refuse"
#     replaced) lets them reach the LAN host, and nothing else: loopback
#     (9052, root's; 9050, which amnesia's plain TCP reaches) and the
#     Internet stay refused at once, reason kernel-socket. The value
#     "loopback" no longer exists: a policy naming it fails to load with
#     a file:line:col error.
# Plain TCP cases beside them are the controls. A kernel without SMC or
# MPTCP fails those cases (both kernels the suite boots have them).
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

SC=$TOOLS/sockconnect
NOSOCK_ACCEPT=/tmp/nosocket-accept.conf
# Not in the reference policy's allow-list: refused to everyone.
UNLISTED=7300

MPTCP_LIMITS=''
cleanup() {
	svc_stop_all
	if [ -n "$MPTCP_LIMITS" ]; then
		# shellcheck disable=SC2086 # "add_addr_accepted N subflows N"
		ip mptcp limits set $MPTCP_LIMITS 2>/dev/null || true
		ip -n lan mptcp endpoint flush 2>/dev/null || true
	fi
	# The next scenario finds the reference policy, as policy_up leaves it.
	torfwctl load "$REFERENCE_CONF" >/dev/null 2>&1 || true
	return 0
}
trap cleanup EXIT

# mptcp_mib NAME: a counter of the MPTcpExt line of /proc/net/netstat.
mptcp_mib() {
	awk -v n="$1" '$1 == "MPTcpExt:" { if (!h) { for (i = 2; i <= NF; i++)
		if ($i == n) c = i; h = 1 } else print (c ? $c : 0) }' /proc/net/netstat
}

# add_addr_case WHAT: amnesia's MPTCP connection to the LAN host's echo
# server, held open 2 s (times TORFW_VM_SLOW: on the debug kernel the
# first announcement once came later); the server announces 192.0.2.1,
# and the kernel opens a subflow there for her (the MPTcpExt AddAddr
# counter shows the announcement arrived). Her LAN connection works; nothing leaves up0; the
# refusal of the subflow is logged as hers, from its first SYN on (the
# kernel links a new subflow to the MPTCP socket only after its connect
# started: a SYN sent before would be one without an owner).
add_addr_case() {
	local desc="mptcp ($1): the subflow the kernel adds for amnesia toward the announced 192.0.2.1 does not leave up0"
	local desc2="mptcp ($1): that subflow's SYNs are refused as amnesia's (logged uid=1000, never without a uid)"
	local adds why='' watch=$WATCH_DEVS
	adds=$(mptcp_mib AddAddr)
	klog_mark
	WATCH_DEVS=up0
	run_case "$CHECK_LIMIT" as amnesia $SC -e -k $((2 * SLOW)) mptcp 192.168.50.1 8443
	WATCH_DEVS=$watch
	adds=$(($(mptcp_mib AddAddr) - adds))
	SEEN="$SEEN add_addr+$adds"
	if [ "$PROBE_RC" -ne 0 ]; then
		why="amnesia's LAN connection failed"
	elif [ "$adds" -eq 0 ]; then
		why="no ADD_ADDR arrived: nothing tested"
	elif [ "$WATCH_SENT" -ne 0 ]; then
		why="packets left: $WATCH_DELTAS"
	fi
	if [ -z "$why" ]; then
		record "$desc" "amnesia(1000)" blocked "$SEEN" ok
		ok "$desc"
	else
		record "$desc" "amnesia(1000)" blocked "$SEEN" FAIL
		fail "$desc" "$why; seen: $SEEN" "$(probe_tail)"
	fi
	if klog_has "uid=1000 tcp 192.0.2.1:8443 " &&
		! klog_has "uid=- tcp 192.0.2.1:8443 "; then
		ok "$desc2"
	else
		fail "$desc2" "torfw's log lines since the case:" \
			"$(dmesg | tail -n +"$((KLOG_MARK + 1))" | grep -F 'torfw: ' | head -n 5)"
	fi
}

policy_up
svc_listen tcp 127.0.0.1 9050
svc_listen tcp 127.0.0.1 9052
svc_listen tcp 127.0.0.1 $UNLISTED

# ---- controls: plain TCP through the same tool ----------------------------------

check "tcp: amnesia reaches 127.0.0.1:9050 (control)" as amnesia $SC -e tcp 127.0.0.1 9050
refused_econn "tcp: amnesia is refused at once on 127.0.0.1:9052 (control)" \
	as amnesia $SC tcp 127.0.0.1 9052
refused_econn "tcp: stranger is refused at once on 127.0.0.1:$UNLISTED (control)" \
	as stranger $SC tcp 127.0.0.1 $UNLISTED
check "tcp: root reaches 127.0.0.1:9052 (control)" $SC -e tcp 127.0.0.1 9052

# ---- MPTCP: subflows are the MPTCP socket's user's ----------------------------------

if [ ! -e /proc/sys/net/mptcp/enabled ]; then
	fail "mptcp: the cases of this section" "no MPTCP in $(uname -r)"
else
	if [ "$(cat /proc/sys/net/mptcp/enabled)" != 1 ]; then
		note "mptcp: net.mptcp.enabled was $(cat /proc/sys/net/mptcp/enabled); set to 1"
		setsys net/mptcp/enabled 1
	fi
	check "mptcp: amnesia reaches 127.0.0.1:9050 (allowed to amnesia)" \
		as amnesia $SC -e mptcp 127.0.0.1 9050
	refused_econn "mptcp: amnesia is refused at once on 127.0.0.1:9052 (root only)" \
		as amnesia $SC mptcp 127.0.0.1 9052
	refused_econn "mptcp: stranger is refused at once on 127.0.0.1:9050" \
		as stranger $SC mptcp 127.0.0.1 9050
	check "mptcp: root reaches 127.0.0.1:9052" $SC -e mptcp 127.0.0.1 9052
	refused_econn "mptcp: amnesia is refused at once on 192.0.2.1:80 (Internet)" \
		as amnesia $SC mptcp 192.0.2.1 80
	check "mptcp: debian-tor reaches 192.0.2.1:80 (the Tor role)" \
		as debian-tor $SC mptcp 192.0.2.1 80

	# The announced address: the LAN host's path manager signals
	# 192.0.2.1 on each connection; the host accepts announcements.
	MPTCP_LIMITS=$(ip mptcp limits show | tr '\n' ' ')
	ip mptcp limits set add_addr_accepted 2 subflows 2
	ip -n lan mptcp endpoint add 192.0.2.1 signal
	svc_spawn /sbin/ip netns exec lan $SC -l mptcp 192.168.50.1 8443
	in_ns lan wait_listen 8443 >/dev/null
	add_addr_case "reference policy"
	sed 's/^nosocket loopback$/nosocket accept/' "$REFERENCE_CONF" >$NOSOCK_ACCEPT
	check "mptcp: the 'nosocket accept' variant loads" torfwctl load $NOSOCK_ACCEPT
	add_addr_case "nosocket accept"
	check "mptcp: the reference loads again" torfwctl load "$REFERENCE_CONF"
fi

# ---- AF_SMC: SMC's own TCP socket is refused everywhere -------------------------------

smc=''
if ! out=$(modprobe smc 2>&1); then
	smc="no smc module in $(uname -r): $out"
elif ! out=$($SC -n smc 127.0.0.1 9 2>&1); then
	smc="socket(AF_SMC) fails: $out"
fi
if [ -n "$smc" ]; then
	fail "smc: the cases of this section" "$smc"
else
	note "smc: $(/sbin/lsmod | awk '$1 == "smc" || $1 == "ib_core" { printf "%s ", $1 }')loaded"
	for u in stranger nobody amnesia; do
		refused_econn "smc: $u is refused at once on 127.0.0.1:9052 (root only)" \
			as $u $SC -e smc 127.0.0.1 9052
		refused_econn "smc: $u is refused at once on unlisted 127.0.0.1:$UNLISTED" \
			as $u $SC -e smc 127.0.0.1 $UNLISTED
	done
	# Our choice: amnesia's plain TCP to 9050 passes (control above),
	# but SMC's TCP socket is not linked to her in a way the module can
	# verify.
	refused_econn "smc: amnesia is refused at once on 127.0.0.1:9050 too (kernel-made socket)" \
		as amnesia $SC -e smc 127.0.0.1 9050
	refused_econn "smc: root is refused at once on 127.0.0.1:9052 too (kernel-made socket)" \
		$SC -e smc 127.0.0.1 9052

	sed 's/^nosocket loopback$/nosocket accept/' "$REFERENCE_CONF" >$NOSOCK_ACCEPT
	if cmp -s $NOSOCK_ACCEPT "$REFERENCE_CONF"; then
		fail "nosocket accept: the policy variant differs from the reference" \
			"no 'nosocket loopback' line in $REFERENCE_CONF"
	else
		check "nosocket accept: the variant loads" torfwctl load $NOSOCK_ACCEPT
		refused_econn "nosocket accept: amnesia's plain TCP to 192.0.2.1:80 is still refused (control)" \
			as amnesia $SC tcp 192.0.2.1 80
		# A kernel-made socket is not "no socket": the option that lets
		# the kernel's own answers out does not open SMC.
		refused_econn "nosocket accept: amnesia via SMC to 192.0.2.1:80 is refused, nothing on up0" \
			as amnesia $SC smc 192.0.2.1 80
		refused_econn "nosocket accept: stranger via SMC to 192.0.2.1:80 is refused, nothing on up0" \
			as stranger $SC smc 192.0.2.1 80
		check "nosocket accept: the reference loads again" torfwctl load "$REFERENCE_CONF"
	fi
fi

# ---- kernel-sockets lan: the LAN, never loopback --------------------------------

# The option lets kernel-made sockets reach the LAN (which every uid may
# reach anyway), nothing else: loopback stays closed to them, whatever
# the user could reach there with a socket of its own (a kernel-made
# socket on loopback would reach every local service for any uid).
KERNEL_LAN=/tmp/kernel-sockets-lan.conf
sed 's/^kernel-sockets refuse$/kernel-sockets lan/' "$REFERENCE_CONF" >$KERNEL_LAN
if [ -n "$smc" ]; then
	fail "kernel-sockets lan: the cases of this section" "$smc"
elif cmp -s $KERNEL_LAN "$REFERENCE_CONF"; then
	fail "kernel-sockets lan: the policy variant differs from the reference" \
		"no 'kernel-sockets refuse' line in $REFERENCE_CONF"
else
	check "kernel-sockets lan: the variant loads" torfwctl load $KERNEL_LAN
	before_k=$(stat_reason kernel-socket)
	before_a=$(stat_reason kernel-socket-allowed)
	for u in stranger amnesia; do
		for p in 9052 9050; do
			refused_econn "kernel-sockets lan: $u via SMC to 127.0.0.1:$p is refused at once (never loopback)" \
				as $u $SC -e smc 127.0.0.1 $p
		done
	done
	d_k=$(($(stat_reason kernel-socket) - before_k))
	d_a=$(($(stat_reason kernel-socket-allowed) - before_a))
	if [ $d_k -ge 4 ] && [ $d_a -eq 0 ]; then
		ok "kernel-sockets lan: those 4 counted as kernel-socket (+$d_k), none as kernel-socket-allowed"
	else
		fail "kernel-sockets lan: those 4 counted as kernel-socket, none as kernel-socket-allowed" \
			"kernel-socket +$d_k (want 4 or more), kernel-socket-allowed +$d_a (want 0)"
	fi
	before_a=$(stat_reason kernel-socket-allowed)
	check "kernel-sockets lan: amnesia via SMC connects to the LAN host's 192.168.50.1:8080" \
		as amnesia $SC smc 192.168.50.1 8080
	after_a=$(stat_reason kernel-socket-allowed)
	if [ "$after_a" -gt "$before_a" ]; then
		ok "kernel-sockets lan: that connection passed as kernel-socket-allowed ($before_a -> $after_a)"
	else
		fail "kernel-sockets lan: that connection passed as kernel-socket-allowed" \
			"$before_a -> $after_a"
	fi
	before_k=$(stat_reason kernel-socket)
	refused_econn "kernel-sockets lan: amnesia via SMC to the Internet 192.0.2.1:80 is refused at once, nothing on up0" \
		as amnesia $SC smc 192.0.2.1 80
	expect_eq "kernel-sockets lan: that refusal counted as kernel-socket" \
		1 "$(($(stat_reason kernel-socket) - before_k))"
	check "kernel-sockets lan: the reference loads again" torfwctl load "$REFERENCE_CONF"
fi

# The value 'loopback' no longer exists: a policy naming it does not
# load, the error points at it, the active policy stays.
KERNEL_LO=/tmp/kernel-sockets-loopback.conf
sed 's/^kernel-sockets refuse$/kernel-sockets loopback/' "$REFERENCE_CONF" >$KERNEL_LO
lo_line=$(grep -n '^kernel-sockets loopback$' $KERNEL_LO | cut -d: -f1)
gen=$(policy_generation)
# load_fails_at FILE LINE: torfwctl load FILE fails, its message starts
# with FILE:LINE:COL:.
load_fails_at() {
	local out rc=0
	out=$(torfwctl load "$1" 2>&1) || rc=$?
	echo "$out"
	echo "exit status $rc"
	[ $rc -ne 0 ] && echo "$out" | grep -qE "^$1:$2:[0-9]+: "
}
check "kernel-sockets loopback: torfwctl load fails with a file:line:col error ($KERNEL_LO:${lo_line:-?}:...)" \
	load_fails_at $KERNEL_LO "${lo_line:-0}"
expect_eq "kernel-sockets loopback: the active policy is unchanged (generation)" \
	"$gen" "$(policy_generation)"
