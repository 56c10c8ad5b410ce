#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Faults: what an unprivileged user costs the kernel through torfw.
# amnesia, in a user and network namespace of her own (unshare -Urn: no
# privilege on the host), makes N veth pairs there (one 'ip -batch') and
# exits, so that the kernel tears the namespace and its 2N devices down
# in one batch (cleanup_net, under RTNL). torfw watches every device of
# every namespace (the raw-frame egress hook): whatever it does per
# device must not make that teardown grow faster than the number of
# devices, or one user stalls the machine.
# Rounds of N and 2N pairs (N is TORFW_VM_VETHS, default 2,000; the
# debug run sets 5,000, so that its second round has 20,000 veths).
# Reported, not asserted (TCG timings scatter): the creation and teardown
# times and the 2N/N ratios (about 2 when the cost
# per device is constant, about 4 when it grows with the number of
# devices). Asserted: the rounds complete, torfw's object count (see
# lib/faults.sh) is back at its baseline after each, and the kernel log
# gains no soft lockup, RCU stall or hung task report.
# Teardown time: from the moment the namespace's last process is told to
# exit until the kernel has freed the namespace, which is the last step
# of cleanup_net: the namespace counts against amnesia's net namespace
# quota (user.max_net_namespaces of the initial user namespace, per uid)
# until then, so with that limit at 1 meanwhile, amnesia can make a new
# one exactly when the old one is gone. Also reported: when torfw's
# object count is back at its baseline (its per-device objects freed).
# The pairs must fit in the VM's memory: a round of 200 pairs measures
# what a pair takes, and N is lowered (with a note) if 2N would need
# more than 75% of what is available. On Debian's kernel a pair takes
# about 110 KiB and the 1 GiB guest has about 650 MiB available: 2 x
# 2,000 pairs fit; under KASAN a pair takes about 340 KiB and the debug
# run's 8 GiB guest fits 2 x 5,000.
# vm-timeout: 1500
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/faults.sh

N=${TORFW_VM_VETHS:-2000}
WORK=/tmp/veth-churn
# Kernel log lines of a machine that stalls.
STALL_RE='soft lockup|rcu_sched detected stall|rcu: INFO: rcu_|hung task|blocked for more than'
HOLDER=''

cleanup() {
	[ -z "$HOLDER" ] || kill_tree "$HOLDER"
	[ -z "${NETNS_MAX:-}" ] || setsys user/max_net_namespaces "$NETNS_MAX"
	return 0
}
trap cleanup EXIT

mem_avail() { awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo; }

# wait_for LIMIT CMD...: until CMD succeeds (every 0.2 s), at most LIMIT
# seconds; fails if it never did.
wait_for() {
	local left=$(($1 * 5))
	shift
	until "$@"; do
		left=$((left - 1))
		[ $left -gt 0 ] || return 1
		sleep 0.2
	done
}
# At most: the baseline may still hold an object on its way out.
objects_at() { [ "$(objects)" -le "$1" ]; }

# veth_round COUNT: amnesia's namespace with COUNT veth pairs, made and
# torn down. Sets CREATE_CS, TEARDOWN_CS, OBJECTS_CS (1/100 s; empty if
# it never happened), PEAK (torfw's objects with the pairs alive), MEM
# (MiB the pairs took), ROUND_OK.
veth_round() {
	local n=$1 f=$WORK/round-$1 t0 t1 m0 st left
	ROUND_OK=1
	CREATE_CS='' TEARDOWN_CS='' OBJECTS_CS='' PEAK='' MEM=''
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
		printf "link add va%d type veth peer name vb%d\n", i, i }' >"$f.batch"
	rm -f "$f.made" "$f.exit"
	m0=$(mem_avail)
	t0=$(now_cs)
	# The namespace lives until $f.exit appears; $f.made holds the
	# status of 'ip -batch'.
	# shellcheck disable=SC2016 # the inner shell expands them
	as amnesia unshare -Urn /bin/sh -c '/sbin/ip -batch "$1" >"$2.err" 2>&1
		echo $? >"$2"
		while [ ! -e "$3" ]; do sleep 0.2; done' veths \
		"$f.batch" "$f.made" "$f.exit" </dev/null >/dev/null 2>&1 &
	HOLDER=$!
	if ! wait_for $((900 * SLOW)) test -s "$f.made"; then
		fail "veths: amnesia makes $n veth pairs in her namespace" \
			"no result after $((900 * SLOW)) s"
		ROUND_OK=0
		return
	fi
	CREATE_CS=$(($(now_cs) - t0))
	st=$(cat "$f.made")
	PEAK=$(objects)
	MEM=$((m0 - $(mem_avail)))
	expect_eq "veths: amnesia makes $n veth pairs in her namespace (ip -batch status)" 0 "$st" \
		"$(head -n 5 "$f.made.err")"
	[ "$st" = 0 ] || ROUND_OK=0
	# From here until the namespace is freed amnesia cannot make another.
	setsys user/max_net_namespaces 1
	t1=$(now_cs)
	touch "$f.exit"
	wait "$HOLDER" || true
	HOLDER=''
	left=$((900 * SLOW * 5))
	while [ -z "$TEARDOWN_CS" ] || [ -z "$OBJECTS_CS" ]; do
		[ -n "$OBJECTS_CS" ] || ! objects_at "$OBJECTS_BASE" ||
			OBJECTS_CS=$(($(now_cs) - t1))
		[ -n "$TEARDOWN_CS" ] || ! as amnesia unshare -Urn true 2>/dev/null ||
			TEARDOWN_CS=$(($(now_cs) - t1))
		left=$((left - 1))
		[ $left -gt 0 ] || break
		sleep 0.2
	done
	setsys user/max_net_namespaces "$NETNS_MAX"
	if [ -n "$TEARDOWN_CS" ]; then
		ok "veths: the namespace with $n pairs is freed"
	else
		fail "veths: the namespace with $n pairs is freed" \
			"amnesia still cannot make a namespace after $((900 * SLOW)) s"
		ROUND_OK=0
	fi
	if objects_at "$OBJECTS_BASE"; then
		ok "veths: after the teardown of $n pairs torfw's objects are back at the baseline"
	else
		fail "veths: after the teardown of $n pairs torfw's objects are back at the baseline" \
			"baseline $OBJECTS_BASE, now $(objects), peak with the pairs alive: $PEAK"
	fi
	[ -n "$OBJECTS_CS" ] || ROUND_OK=0
}

# round_note COUNT: what the last round measured.
round_note() {
	note "veths: $1 pairs: created in $(cs_fmt "${CREATE_CS:-0}"), namespace freed after $([ -n "$TEARDOWN_CS" ] && cs_fmt "$TEARDOWN_CS" || echo never), torfw's objects back after $([ -n "$OBJECTS_CS" ] && cs_fmt "$OBJECTS_CS" || echo never); torfw objects at the peak $PEAK; the pairs took $MEM MiB"
}

# a/b with two decimals, "n/a" without both.
ratio() {
	if [ -z "$1" ] || [ -z "$2" ] || [ "$2" -le 0 ]; then
		echo n/a
		return
	fi
	printf '%d.%02d' $(($1 / $2)) $(($1 * 100 / $2 % 100))
}

policy_up
mkdir -p $WORK
chmod 1777 $WORK
NETNS_MAX=$(cat /proc/sys/user/max_net_namespaces)
OBJECTS_BASE=$(objects_quiet)
klog_from=$(($(dmesg | wc -l) + 1))
note "veths: TORFW_VM_VETHS=$N; torfw objects before: $OBJECTS_BASE; MemAvailable $(mem_avail) MiB"

# Calibration (and warm-up): what a pair takes; N lowered to fit.
CAL=200
veth_round $CAL
round_note $CAL
per_pair=$((${MEM:-0} * 1024 / CAL))
[ "$per_pair" -ge 32 ] || per_pair=32
fit=$(($(mem_avail) * 1024 * 3 / 4 / per_pair))
if [ $((2 * N)) -gt "$fit" ]; then
	note "veths: a pair takes about $per_pair KiB; $((2 * N)) pairs would not fit in $(mem_avail) MiB: N lowered from $N to $((fit / 2))"
	N=$((fit / 2))
fi

c1='' t1='' o1='' c2='' t2='' o2=''
if [ "$ROUND_OK" = 1 ]; then
	veth_round "$N"
	round_note "$N"
	c1=$CREATE_CS t1=$TEARDOWN_CS o1=$OBJECTS_CS
fi
if [ "$ROUND_OK" = 1 ]; then
	veth_round $((2 * N))
	round_note $((2 * N))
	c2=$CREATE_CS t2=$TEARDOWN_CS o2=$OBJECTS_CS
fi
note "veths: 2N/N ratios (N=$N): creation $(ratio "$c2" "$c1"), teardown $(ratio "$t2" "$t1"), torfw's objects back $(ratio "$o2" "$o1")"

bad=$(dmesg | tail -n +"$klog_from" | grep -E "$STALL_RE" | head -n 10 || true)
if [ -z "$bad" ]; then
	ok "veths: no soft lockup, RCU stall or hung task in the kernel log"
else
	fail "veths: no soft lockup, RCU stall or hung task in the kernel log" "$bad"
fi
refused "veths: afterwards amnesia's tcp 192.0.2.1:80 is refused at once" \
	as amnesia http_get 192.0.2.1 80
