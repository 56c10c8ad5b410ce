#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # busybox ash: local, like dash
#
# The benchmark, inside the VM (busybox sh, one vCPU, qemu -icount: the
# guest's clock counts instructions). Reads /bench/plan (one line per
# round: "ROUND CONTENDER..." in the order to run) and /bench/params
# (iteration counts), and prints everything the host needs as lines:
#
#   @@bench: progress TEXT
#   @@bench: result round=R contender=C workload=W value=V unit=U [k=v...]
#   @@bench: probe contender=C probe=P expected=E seen=S
#   @@bench: residue round=R after=C modules=M all=M
#   @@bench: hooks contender=C traffic=T crossings=N calls=N funcs=F:N,...
#   @@bench: error round=R contender=C workload=W TEXT
#   @@bench: end
#
# For each round and contender: a clean start (teardown of everything),
# the reference policy, two policy probes, the workloads, then for the
# contenders with a policy the allow-list sizes of the scaling workload
# (each load timed: the control-plane figures), then the teardown again.
# Workloads run as amnesia (uid 1000), the user the policy allows.

# shellcheck source=SCRIPTDIR/../../vm/lib/common.sh
. /tests/vm/lib/common.sh
# shellcheck source=/dev/null # written by run.sh: ROUNDS, N_*, W_*, ...
. /bench/params
: "${ROUNDS:?}"

B=/bench/bin
P=/bench/policy
LAN_SINK=192.168.50.1:9
LAN_ECHO=192.168.50.1:7
AMNESIA=1000
STRANGER=1500
ROUND=0
CONTENDER=

say() { echo "@@bench: $*"; }

# Guest seconds since boot, for the progress lines.
uptime_s() { cut -d' ' -f1 /proc/uptime; }

as_uid() {
	local u=$1
	shift
	/usr/bin/setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@"
}

# ---- contenders --------------------------------------------------------------

# The netfilter modules a contender may leave behind; teardown unloads
# every unused one (never veth, which would delete the topology).
NF_MODS='^(torfw|nf_.*|nft_.*|nfnetlink.*|xt_.*|ipt_.*|ip6t_.*|iptable_.*|ip6table_.*|ip_tables|ip6_tables|x_tables|nf_tables)$'

nf_modules() {
	awk '{ print $1 }' /proc/modules | grep -E "$NF_MODS" | sort | tr '\n' ' '
}

ct_loaded() { [ -e /proc/sys/net/netfilter/nf_conntrack_count ]; }

ct_flush() {
	ct_loaded || return 0
	/usr/sbin/conntrack -F >/dev/null 2>&1 || true
}

legacy_flush() {
	local ipt=$1 names=$2 t
	[ -e "$names" ] || return 0
	while read -r t; do
		"$ipt" -t "$t" -F
		"$ipt" -t "$t" -X
		"$ipt" -t "$t" -Z
	done <"$names"
}

# Everything any contender sets up goes, then every netfilter module that
# nothing uses (in dependency order: a few passes).
teardown() {
	local m
	if [ -e /sys/module/torfw ]; then
		torfwctl flush >/dev/null 2>&1
		rmmod torfw 2>/dev/null
	fi
	# (nft itself would load nf_tables just to flush nothing.)
	[ ! -e /sys/module/nf_tables ] || nft flush ruleset 2>/dev/null
	legacy_flush iptables-legacy /proc/net/ip_tables_names
	legacy_flush ip6tables-legacy /proc/net/ip6_tables_names
	ct_flush
	# The unused ones at once, then those they held, and so on.
	for _ in 1 2 3 4 5 6 7 8; do
		m=$(awk '$3 == 0 { print $1 }' /proc/modules | grep -E "$NF_MODS")
		[ -n "$m" ] || break
		# shellcheck disable=SC2086 # one word per module
		rmmod $m 2>/dev/null
	done
}

# residue AFTER: what a teardown left: netfilter modules, every module.
# With no netfilter module loaded nothing can have a hook registered
# (Debian's kernel has no nfnetlink_hook to list them).
residue() {
	say "residue round=$ROUND after=$1 modules=$(nf_modules | tr ' ' ',')" \
		"all=$(awk '{ print $1 }' /proc/modules | sort | tr '\n' ',')"
}

# policy_cmd SIZE: the one command that loads the contender's policy, the
# reference one (SIZE "ref") or with SIZE extra allow-list entries, as
# CMD (program and arguments) and IN (its standard input). Run again, it
# replaces the policy atomically, as an administrator would: that run is
# the timed part, the control-plane figure.
policy_cmd() {
	IN=/dev/null
	case $CONTENDER in
	none | torfw-nopolicy) CMD=true ;;
	conntrack) CMD="nft -f $P/ctonly.nft" ;;
	ct-nat) CMD="nft -f $P/ctnat.nft" ;;
	ct-notrack) CMD="nft -f $P/ctnotrack.nft" ;;
	hooks-10) CMD="nft -f $P/hooks10.nft" ;;
	iptables-nft | iptables-legacy)
		CMD=iptables-${CONTENDER#iptables-}-restore
		IN=$P/ipt-$1.rules
		;;
	nftables) CMD="nft -f $P/nft-$1.nft" ;;
	nftables-narrow) CMD="nft -f $P/nftn-$1.nft" ;;
	torfw) CMD="torfwctl load $P/torfw-$1.conf" ;;
	torfw-noredir) CMD="torfwctl load $P/torfw-noredir.conf" ;;
	esac
}

# What goes with the first load, untimed: the module, the IPv6 part.
pre_load() {
	case $CONTENDER in
	torfw*) [ -e /sys/module/torfw ] || modprobe torfw ;;
	esac
}

post_load() {
	case $CONTENDER in
	iptables-nft | iptables-legacy)
		"ip6tables-${CONTENDER#iptables-}-restore" <$P/ip6t.rules ;;
	esac
}

# Whether the contender has the reference policy (probes refused,
# scaling), a NAT redirect for automap, a way to the LAN.
has_policy() {
	case $1 in
	iptables-nft | iptables-legacy | nftables | nftables-narrow | torfw)
		return 0 ;;
	esac
	return 1
}

redirects() {
	has_policy "$1" && return 0
	[ "$1" = ct-nat ]
}

reaches_lan() { [ "$1" != torfw-nopolicy ]; }

# The profiling variants (TORFW_BENCH_ONLY; torfw-nopolicy is also in
# the default set: the cost of the module with no policy loaded):
#   torfw-nopolicy  the module loaded, no policy (only loopback passes)
#   torfw-noredir   the reference policy less its two redirects
#   ct-nat          conntrack with the two NAT redirects, nothing else
#   ct-notrack      conntrack and NAT hooks, every packet untracked in raw
#   hooks-10        ten empty nft base chains, no conntrack: the price of
#                   ten hook calls per packet
variant() {
	case $1 in torfw-nopolicy | torfw-noredir | ct-nat | ct-notrack | hooks-10) return 0 ;; esac
	return 1
}

# ---- measuring ----------------------------------------------------------------

# timed_load SIZE: loads (or replaces) the policy; records the guest
# seconds its command took as workload "load-SIZE".
timed_load() {
	local size=$1 out rc=0
	ct_flush
	[ "$size" != ref ] || pre_load || return 1
	policy_cmd "$size"
	# shellcheck disable=SC2086 # CMD is words
	out=$($B/bench-timeit $CMD <"$IN" 2>&1 >/dev/null) || rc=$?
	if [ $rc -ne 0 ]; then
		say "error round=$ROUND contender=$CONTENDER workload=load-$size" \
			"$(echo "$out" | tr '\n' ' ' | cut -c 1-300)"
		return 1
	fi
	[ "$size" != ref ] || post_load || return 1
	out=$(echo "$out" | tail -n 1)
	out=${out#secs=}
	say "result round=$ROUND contender=$CONTENDER workload=load-$size" \
		"value=${out% rc=*}" "unit=s"
}

# run WORKLOAD UNIT CMD...: CMD as amnesia after a conntrack flush;
# records its rate.
run() {
	local w=$1 unit=$2 out rc=0
	shift 2
	ct_flush
	[ -z "${DEBUG:-}" ] || cat /proc/net/snmp /proc/net/netstat >/tmp/before
	out=$(as_uid $AMNESIA "$@" 2>&1) || rc=$?
	[ -z "${DEBUG:-}" ] || netstat_delta /tmp/before
	case $rc:$out in
	0:rate=*)
		say "result round=$ROUND contender=$CONTENDER workload=$w" \
			"value=${out#rate=}" "unit=$unit"
		;;
	*)
		say "error round=$ROUND contender=$CONTENDER workload=$w" \
			"rc=$rc $(echo "$out" | tr '\n' ' ' | cut -c 1-300)"
		;;
	esac
}

# The SNMP counters that changed since FILE (TORFW_BENCH_DEBUG=1).
netstat_delta() {
	cat /proc/net/snmp /proc/net/netstat | awk -v f="$1" '
		BEGIN { while ((getline l < f) > 0) { n = split(l, a, " ")
			if (a[2] ~ /^[0-9-]+$/) { for (i = 2; i <= n; i++) old[a[1] i] = a[i] }
			else { for (i = 2; i <= n; i++) nm[a[1] i] = a[i] } } }
		{ if ($2 ~ /^[0-9-]+$/) { for (i = 2; i <= NF; i++)
			if ($i != old[$1 i]) printf "%s%s=%d ", $1, nm[$1 i], $i - old[$1 i] } }
		END { print "" }' | sed 's/^/@@bench: debug /'
}

# probe NAME CMD...: a request the policy refuses (CMD runs as given);
# the first round only.
probe() {
	local name=$1 expected=refused seen=refused
	shift
	[ "$ROUND" = 1 ] || return 0
	! variant "$CONTENDER" || return 0
	has_policy "$CONTENDER" || expected=passes
	"$@" >/dev/null 2>&1 && seen=passes
	say "probe contender=$CONTENDER probe=$name expected=$expected seen=$seen"
}

conn_nat_target() {
	if redirects "$CONTENDER"; then
		echo 127.200.1.2:80	# automap: redirected to 9040
	else
		echo 127.0.0.1:9040	# nothing redirects: the same listener
	fi
}

# in_cgroup CMD...: CMD with this shell (and so its clients) in the
# cgroup /bench-cg, the one torfw's reference names for 127.0.0.1:9071.
in_cgroup() {
	local cg=/sys/fs/cgroup rc=0
	[ -e $cg/cgroup.controllers ] || mount -t cgroup2 cgroup2 $cg
	mkdir -p $cg/bench-cg
	echo $$ >$cg/bench-cg/cgroup.procs
	"$@" || rc=$?
	echo $$ >$cg/cgroup.procs
	return $rc
}

workloads() {
	run conn conn/s $B/bench-conn 127.0.0.1:9050 127.0.0.1:9050 \
		"$N_CONN" "$W_CONN"
	# The same against an entry that names only a cgroup: each SYN reads
	# the socket's cgroup and is decided again (issue 16), side by side
	# with conn (an entry naming amnesia's uid).
	if [ "$CONTENDER" = torfw ]; then
		in_cgroup run conn-cgroup conn/s $B/bench-conn 127.0.0.1:9071 \
			127.0.0.1:9071 "$N_CONN" "$W_CONN"
	fi
	run conn-nat conn/s $B/bench-conn 127.0.0.1:9040 "$(conn_nat_target)" \
		"$N_CONN" "$W_CONN"
	run rr trans/s $B/bench-rr 127.0.0.1:9050 "$N_RR" "$W_RR"
	run bulk MiB/s $B/bench-bulk 127.0.0.1:9050 "$MB_BULK" "$W_BULK"
	# conn with HOLD connections open all along (a busy machine).
	run conn-busy conn/s $B/bench-conn 127.0.0.1:9050 127.0.0.1:9050 \
		"$N_CONN" "$W_CONN" 0 "$HOLD_BUSY"
	if reaches_lan "$CONTENDER"; then
		run udp pkt/s $B/bench-udp $LAN_SINK "$N_UDP" 1 "$W_UDP"
		run udp-rr trans/s $B/bench-udprr $LAN_ECHO "$N_UDPRR" "$W_UDPRR"
	fi
	if variant "$CONTENDER" && [ "$ROUND" = 1 ] && [ -e /sys/module/torfw ]; then
		# Userspace alone (parse, resolve, check) against a full load.
		run_check
	fi
}

# ---- the hooks a packet crosses ------------------------------------------------

TRACE=/sys/kernel/tracing

# hook_profile: round 1 only, not timed. The function_graph tracer under
# nf_hook_slow, two levels deep, lists the hook functions each netfilter
# hook point runs: for one loopback TCP connection (connect, accept,
# close: every packet of it) and one UDP datagram to the LAN host.
hook_profile() {
	[ "$ROUND" = 1 ] || return 0
	[ -e $TRACE/available_tracers ] ||
		mount -t tracefs nodev $TRACE 2>/dev/null || return 0
	grep -qw function_graph $TRACE/available_tracers || return 0
	echo 0 >$TRACE/tracing_on
	echo function_graph >$TRACE/current_tracer
	echo nf_hook_slow >$TRACE/set_graph_function
	echo 2 >$TRACE/max_graph_depth
	profile_one lo-conn as_uid $AMNESIA $B/bench-conn 127.0.0.1:9050 \
		127.0.0.1:9050 1
	if reaches_lan "$CONTENDER"; then
		profile_one lan-udp as_uid $AMNESIA $B/bench-udp $LAN_SINK 1
	fi
	echo nop >$TRACE/current_tracer
	echo >$TRACE/set_graph_function
	echo 0 >$TRACE/max_graph_depth
}

# profile_one NAME CMD...: the hook functions CMD's packets ran.
profile_one() {
	local name=$1
	shift
	echo >$TRACE/trace
	echo 1 >$TRACE/tracing_on
	"$@" >/dev/null 2>&1
	echo 0 >$TRACE/tracing_on
	say "hooks contender=$CONTENDER traffic=$name $(awk '
		/nf_hook_slow\(\) \{/ { n++; next }
		/\(\);/ { l = $0; sub(/.*\| */, "", l); sub(/\(\);.*/, "", l)
			sub(/ \[.*\]$/, "", l); c[l]++; t++ }
		END { printf "crossings=%d calls=%d funcs=", n, t; s = ""
			for (f in c) { printf "%s%s:%d", s, f, c[f]; s = "," }
			print "" }' $TRACE/trace)"
}

# torfwctl check of the 10,000-entry policy, timed: the part of the
# control-plane time spent before the kernel sees anything.
run_check() {
	local out rc=0
	out=$($B/bench-timeit torfwctl check "$P/torfw-10000.conf" 2>&1 >/dev/null) ||
		rc=$?
	out=$(echo "$out" | tail -n 1)
	out=${out#secs=}
	say "result round=$ROUND contender=$CONTENDER workload=check-10000" \
		"value=${out% rc=*}" "unit=s rc=$rc"
}

scaling() {
	local n
	for n in $SIZES; do
		timed_load "$n" || continue
		run "conn-$n" conn/s $B/bench-conn 127.0.0.1:9050 \
			127.0.0.1:9050 "$N_CONN" "$W_CONN_SCALE" "$T_CONN_SCALE"
	done
}

one_contender() {
	CONTENDER=$1
	say "progress round $ROUND/$ROUNDS: $CONTENDER (guest time $(uptime_s) s)"
	teardown
	timed_load ref || { teardown; return 0; }
	probe stranger-tcp-9050 as_uid $STRANGER \
		$B/bench-conn 127.0.0.1:9050 127.0.0.1:9050 1
	probe amnesia-udp-lan-53 as_uid $AMNESIA \
		$B/bench-udp 192.168.50.1:53 1
	workloads
	hook_profile
	if has_policy "$CONTENDER"; then
		scaling
	fi
	teardown
	residue "$CONTENDER"
}

# ---- the run ------------------------------------------------------------------

setup_vm() {
	local ns
	# No late timers from the boot: the first measurement starts quiet.
	setsys kernel/printk "3 4 1 3"
	# No TIME_WAIT sockets: one left by another contender's run for the
	# same 4-tuple (the NAT'd and the direct connections to 9040 have
	# unrelated sequence numbers and timestamps) answers the next SYN
	# with an ACK, and the client waits 1 s to retry: a stall that has
	# nothing to do with the filter. The packets exchanged stay the same.
	setsys net/ipv4/tcp_max_tw_buckets 0
	for ns in internet lan clearnet; do
		/sbin/ip netns add $ns
		/sbin/ip -n $ns link set lo up
	done
	topo_uplink
	topo_lan
	topo_clearnet
	/sbin/ip netns exec lan $B/bench-sink 9 </dev/null >/dev/null 2>&1 &
	/sbin/ip netns exec lan $B/bench-echo 7 </dev/null >/dev/null 2>&1 &
	say "progress guest ready: kernel $(uname -r), $(nproc) cpu," \
		"$(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)," \
		"clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
}

main() {
	local line c t0
	setup_vm
	while read -r line; do
		# shellcheck disable=SC2086 # the round, then the contenders
		set -- $line
		ROUND=$1
		shift
		t0=$(now_cs)
		for c in "$@"; do
			one_contender "$c"
		done
		say "progress round $ROUND/$ROUNDS done in $(cs_fmt $(($(now_cs) - t0))) guest time"
	done </bench/plan
	residue all
	say end
}

main
