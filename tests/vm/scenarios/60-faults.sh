#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Faults (reliability issue, item 6):
#   - a load whose memory the kernel cannot have fails with ENOMEM and
#     leaves the active policy: same generation, same 'torfwctl show', same
#     behaviour. Debian's kernel: a memory cgroup's memory.max (torfw
#     charges a load to the loader's cgroup), at 17 points of the load;
#     the debug kernel (no memory cgroups): failslab for the loader.
#   - loads run by several processes at once are serialized: each applies
#     whole, the last one is active, no transaction is left behind;
#   - unloading (unlocked) while traffic flows is clean, 15 times over;
#   - 1,000 namespaces created and destroyed, with veths to the host, while
#     traffic flows leak nothing: torfw's object count and the kernel's
#     count of namespaces return to their baselines.
# Traffic during the last two: amnesia to Tor's SocksPort, to an automap
# address (NAT to the TransPort), DNS (NAT to the DNSPort), a refused
# connect to the Internet, the clearnet namespace's forwarded HTTP, and a
# ping on loopback.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

FAULTLOAD=$TOOLS/faultload
STOP=/tmp/faults.stop
FLOWS=/tmp/faults.flows
CG=/sys/fs/cgroup
FS=/sys/kernel/debug/failslab

cleanup() {
	touch "$STOP"
	svc_stop_all
	[ -e "$FS/probability" ] && echo 0 >"$FS/probability"
	for d in "$CG"/torfw-*; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}
trap cleanup EXIT

objects() { $TOOLS/nlfuzz -S | sed -n 's/.* objects=//p'; }
# objects_settle WANT: the object count, once it is WANT or after a while
# (a replaced policy is freed after an RCU grace period).
objects_settle() {
	local i=0 n
	n=$(objects)
	while [ "$n" != "$1" ] && [ $i -lt $((50 * SLOW)) ]; do
		sleep 0.1
		i=$((i + 1))
		n=$(objects)
	done
	echo "$n"
}
show_same() { torfwctl show | cmp -s - "$1"; }

# big_conf N ADDR: the reference without its grant and include, plus N
# entries on ADDR with 48 uids each (a load of many messages).
big_conf() {
	sed '/^grant /d; /^include /d' "$REFERENCE_CONF"
	awk -v n="$1" -v a="$2" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "allow tcp %s:%d", a, i
			for (u = 0; u < 48; u++) printf " %d", 2000 + u
			printf "\n"
		} }'
}

topo_up
module_loaded torfw || modprobe torfw
policy_up
big_conf 4000 127.0.0.3 >/tmp/big.conf
big_conf 2000 127.0.0.4 >/tmp/big-b.conf

# ---- a load without memory ---------------------------------------------------

# attempt DESC MODE ARG: faultload; a failure must be ENOMEM (failslab:
# or ENOBUFS, the socket's own buffer) and change nothing. Sets FAILED_AT
# (the message that failed, or "loaded").
attempt() {
	local desc=$1 gen out rc=0 errs="ENOMEM"
	[ "$2" = failslab ] && errs="ENOMEM|ENOBUFS"
	gen=$(policy_generation)
	torfwctl show >/tmp/show.before
	out=$($FAULTLOAD "$2" "$3" /tmp/big.conf 2>&1) || rc=$?
	note "$desc: $out"
	if [ $rc -eq 0 ]; then
		FAILED_AT=loaded
		torfwctl load "$REFERENCE_CONF" >/dev/null
		return 0
	fi
	FAILED_AT=$(echo "$out" | sed -n 's/^faultload: message \([0-9]*\) of.*/\1/p')
	[ -n "$FAILED_AT" ] || FAILED_AT="rc=$rc"
	MSGS=$(echo "$out" | sed -n 's/^faultload: message [0-9]* of \([0-9]*\):.*/\1/p')
	if [ $rc -eq 1 ] && echo "$out" | grep -Eq "errno=($errs) " &&
		[ "$(policy_generation)" = "$gen" ] && show_same /tmp/show.before; then
		ok "$desc: fails with ${errs%%|*}, the active policy stays (generation $gen, same show)"
	else
		fail "$desc: fails with ${errs%%|*}, the active policy stays" \
			"exit status $rc, generation $gen -> $(policy_generation)" \
			"$(torfwctl show | diff /tmp/show.before - | head -n 5)"
	fi
}

objects_before=$(objects)
[ -e "$CG/cgroup.controllers" ] || mount -t cgroup2 cgroup2 "$CG" 2>/dev/null || true
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
if grep -qw memory "$CG/cgroup.controllers" 2>/dev/null; then
	echo +memory >"$CG/cgroup.subtree_control"
	# What the load takes: memory.peak of an unlimited cgroup.
	mkdir "$CG/torfw-measure"
	attempt "memcg: no limit" cgroup "$CG/torfw-measure"
	peak=$(cat "$CG/torfw-measure/memory.peak")
	rmdir "$CG/torfw-measure"
	note "memcg: the load of /tmp/big.conf took $peak bytes at its peak"
	expect_eq "memcg: without a limit the load succeeds" loaded "$FAILED_AT"
	# Denser near the peak: the commit (build, publish) fails there.
	points=''
	for k in 0 2 4 6 8 10 12 14 16 17 18 19 20 21 22 23 24 26 28 30; do
		lim=$((peak * k / 20))
		mkdir "$CG/torfw-$k"
		echo "$lim" >"$CG/torfw-$k/memory.max"
		attempt "memcg: memory.max $lim ($k/20 of the peak)" cgroup "$CG/torfw-$k"
		points="$points $FAILED_AT"
		rmdir "$CG/torfw-$k"
	done
	note "memcg: where the loads failed (message number of $MSGS, or loaded):$points"
	failed_at=$(printf '%s\n' $points | grep -E '^[0-9]+$' | sort -un)
	set -- $points
	case $1 in
	[0-9]*) [ "$1" -lt "$MSGS" ] && ok "memcg: with memory.max 0 the load fails before its commit (message $1 of $MSGS)" ||
		fail "memcg: with memory.max 0 the load fails before its commit" "at message $1 of $MSGS" ;;
	*) fail "memcg: with memory.max 0 the load fails before its commit" "got $1" ;;
	esac
	if [ "$(echo "$failed_at" | wc -l)" -ge 3 ] && echo "$failed_at" | grep -qx "$MSGS"; then
		ok "memcg: loads failed at $(echo "$failed_at" | wc -l) different messages, the commit (message $MSGS) among them"
	else
		fail "memcg: loads failed at 3 or more different messages, the commit among them" \
			"failed at: $(echo $failed_at)"
	fi
	echo "$points" | grep -q loaded &&
		ok "memcg: with enough memory the same load succeeds" ||
		fail "memcg: with enough memory the same load succeeds" "$points"
elif [ -e "$FS/probability" ]; then
	# failslab: the loader's slab allocations fail once, after a budget.
	echo Y >"$FS/task-filter"
	echo N >"$FS/ignore-gfp-wait"
	echo 0 >"$FS/verbose"
	echo 1 >"$FS/interval"
	echo 100 >"$FS/probability"
	points=''
	for space in 0 1000 4000 16000 64000 256000 1000000 4000000 16000000 64000000; do
		echo 1 >"$FS/times"
		attempt "failslab: one failure after $space bytes" failslab "$space"
		points="$points $FAILED_AT"
	done
	echo 0 >"$FS/probability"
	note "failslab: where the loads failed (message number, or loaded):$points"
	n=$(printf '%s\n' $points | grep -E '^[0-9]+$' | sort -u | wc -l)
	if [ "$n" -ge 3 ]; then
		ok "failslab: the loads failed at $n different messages"
	else
		fail "failslab: the loads failed at 3 or more different messages" "only:$points"
	fi
else
	fail "a load without memory: this kernel has neither a memory cgroup nor failslab"
fi
torfwctl load "$REFERENCE_CONF" >/dev/null
expect_eq "no memory: torfw's objects are back to the baseline" "$objects_before" \
	"$(objects_settle "$objects_before")"
refused "no memory: behaviour: amnesia tcp 192.0.2.1:80 still refused" \
	as amnesia http_get 192.0.2.1 80
check "no memory: behaviour: amnesia still reaches tcp 127.0.0.1:9050" \
	as amnesia loopback_echo 127.0.0.1 9050

# ---- loads at the same time ---------------------------------------------------

# Each config's show, loaded alone.
for c in big big-b; do
	torfwctl load /tmp/$c.conf >/dev/null
	torfwctl show >/tmp/show.$c
done
torfwctl load "$REFERENCE_CONF" >/dev/null
torfwctl show >/tmp/show.ref
gen0=$(policy_generation)
bad=''
for round in 1 2 3 4 5; do
	pids=''
	for c in big big-b "$REFERENCE_CONF" big; do
		case $c in /*) f=$c ;; *) f=/tmp/$c.conf ;; esac
		out=/tmp/conc.$round.${#pids}.out
		(torfwctl load "$f" >"$out" 2>&1 ||
			echo "$f: $(cat "$out")" >>/tmp/conc.errors) &
		pids="$pids $!"
	done
	# Only these: the topology's responders are children of this shell.
	# shellcheck disable=SC2086 # one word per pid
	wait $pids
	torfwctl show >/tmp/show.now
	cmp -s /tmp/show.now /tmp/show.big || cmp -s /tmp/show.now /tmp/show.big-b ||
		cmp -s /tmp/show.now /tmp/show.ref || bad="$bad $round"
done
if [ ! -s /tmp/conc.errors ]; then
	ok "serialized: 5 rounds of 4 loads at once (3 of many messages): every load succeeded"
else
	fail "serialized: 5 rounds of 4 loads at once: every load succeeded" "$(head -n 5 /tmp/conc.errors)"
fi
expect_eq "serialized: the generation moved by exactly 20" $((gen0 + 20)) "$(policy_generation)"
expect_eq "serialized: after each round the active policy is one of the loaded ones, whole" \
	"" "$bad"
expect_eq "serialized: no transaction left open (torfw's objects at the baseline)" \
	"$objects_before" "$(objects_settle "$objects_before")"
torfwctl load "$REFERENCE_CONF" >/dev/null

# ---- traffic ------------------------------------------------------------------

svc_listen tcp 127.0.0.1 9050
svc_listen tcp 127.0.0.1 9040
svc_listen udp 127.0.0.1 5353
rm -f "$STOP"
mkdir -p "$FLOWS"
# flow NAME CMD...: CMD in a loop until $STOP, one line per run.
flow() {
	local name=$1
	shift
	probe_loop "$STOP" 0.1 "$@" >"$FLOWS/$name" 2>&1 &
}
flow socks as amnesia svc_tcp 127.0.0.1 9050
flow automap as amnesia svc_tcp 127.192.0.7 80
flow dns as amnesia udp_echo 127.0.0.1 53
flow refused as amnesia http_get 192.0.2.1 80
flow clearnet n_clearnet http_get 192.0.2.1 80
flow ping ping -n -c 5 -i 0.2 127.0.0.1
sleep 2

# flows_ran: every flow had runs that passed (so traffic did flow).
flows_ran() {
	local f quiet=''
	for f in socks automap dns clearnet ping; do
		grep -q '^ok' "$FLOWS/$f" || quiet="$quiet $f"
	done
	[ -z "$quiet" ] || { echo "no passing run:$quiet"; return 1; }
	echo "runs: $(wc -l "$FLOWS"/* | tr -s ' \n' ' ')"
}

# ---- unload while traffic flows ----------------------------------------------

klog_mark
cycles=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	rmmod torfw || break
	sleep 0.3
	modprobe torfw || break
	torfwctl load "$REFERENCE_CONF" >/dev/null || break
	sleep 0.5
	cycles=$i
done
expect_eq "unload under traffic: 15 times rmmod, modprobe, load while traffic flows" 15 "$cycles"
check "unload under traffic: the flows ran meanwhile" flows_ran
refused "unload under traffic: afterwards amnesia tcp 192.0.2.1:80 is refused" \
	as amnesia http_get 192.0.2.1 80
check "unload under traffic: afterwards amnesia's automap connect reaches the TransPort" \
	as amnesia svc_tcp 127.192.0.9 80

# ---- namespaces come and go while traffic flows --------------------------------

# One namespace per iteration with a veth to the host (10.99.K.1/24 on the
# host, .2 inside), up, and a ping from the host to it; 20 at a time, 50
# rounds, each round deleted while its pings are in flight.
ns_slab() { awk '$1 == "net_namespace" { print $2 }' /proc/slabinfo; }
objects_before=$(objects)
ns_before=$(ns_slab)
note "before: torfw objects $objects_before, net_namespace objects $ns_before"
made=0
for round in $(seq 1 50); do
	: >/tmp/ns.add
	: >/tmp/ns.del
	for k in $(seq 1 20); do
		n=torfw-churn-$k
		{
			echo "netns add $n"
			echo "link add vc$k type veth peer name vp netns $n"
			echo "addr add 10.99.$k.1/24 dev vc$k"
			echo "link set vc$k up"
		} >>/tmp/ns.add
		echo "netns del $n" >>/tmp/ns.del
	done
	ip -batch /tmp/ns.add >/dev/null 2>&1 || { note "round $round: ip -batch add failed"; break; }
	for k in $(seq 1 20); do
		printf 'addr add 10.99.%d.2/24 dev vp\nlink set vp up\n' "$k" |
			ip -n "torfw-churn-$k" -batch - >/dev/null 2>&1 ||
			{ note "round $round: setting up torfw-churn-$k failed"; break 2; }
	done
	for k in $(seq 1 20); do
		ping -n -q -c 3 -i 0.01 -W 1 "10.99.$k.2" >/dev/null 2>&1 &
	done
	sleep 0.1
	ip -batch /tmp/ns.del >/dev/null 2>&1 || { note "round $round: ip -batch del failed"; break; }
	made=$((made + 20))
done
wait_for_ns() {
	local i=0
	while [ "$(ns_slab)" -gt "$ns_before" ] && [ $i -lt $((60 * SLOW)) ]; do
		sleep 1
		i=$((i + 1))
	done
	[ "$(ns_slab)" -le "$ns_before" ]
}
expect_eq "churn: 1,000 namespaces with a veth each created and destroyed" 1000 "$made"
check "churn: the flows ran meanwhile" flows_ran
touch "$STOP"
sleep 1
wait_for_ns || true
expect_eq "churn: torfw's objects back to the baseline (egress hooks, link tables)" \
	"$objects_before" "$(objects_settle "$objects_before")"
if [ "$(ns_slab)" -le "$ns_before" ]; then
	ok "churn: every namespace was freed (net_namespace objects $(ns_slab), before $ns_before)"
else
	fail "churn: every namespace was freed" "net_namespace objects $(ns_slab), before $ns_before"
fi
refused "churn: afterwards amnesia tcp 192.0.2.1:80 is refused" \
	as amnesia http_get 192.0.2.1 80
check "churn: afterwards the clearnet namespace's HTTP is forwarded" \
	n_clearnet http_get 192.0.2.1 80
