#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# torfwctl against the real module, as a scenario of the tests/vm harness
# (ctl/tests/vm-run.sh runs it from a scratch copy of the tree, so that
# tests/vm itself is untouched). Every subcommand, the chunked load of a
# large policy, the show/load round trip, counters, events, the mapping of
# a kernel refusal to its config line, the lock.
# shellcheck shell=dash
set -u
# shellcheck source=/dev/null
. /tests/vm/lib/common.sh
# shellcheck source=/dev/null
. /tests/vm/lib/topology.sh

topo_up
modprobe torfw

# t DESC WANT-STATUS PATTERN CMD...: the command's status is WANT-STATUS
# and its output (stdout and stderr) has a line matching PATTERN (ERE).
t() {
	local desc="$1" want="$2" pat="$3" out rc=0
	shift 3
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		ok "$desc"
	else
		fail "$desc" "status $rc (expected $want), no line matching '$pat' in:" "$out"
	fi
}

# t_none DESC PATTERN CMD...: the command succeeds, no line matches.
t_none() {
	local desc="$1" pat="$2" out rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = 0 ] && ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		ok "$desc"
	else
		fail "$desc" "status $rc, or a line matching '$pat' in:" "$out"
	fi
}

t "status without policy" 0 '^policy: none$' torfwctl status
t "status without policy: generation 0" 0 '^generation: 0$' torfwctl status
t "check of the reference policy" 0 '' torfwctl check /etc/torfw/torfw.conf
t "check --kernel of the reference policy" 0 '' torfwctl check --kernel /etc/torfw/torfw.conf
t "check --kernel loads nothing" 0 '^policy: none$' torfwctl status
t "load of the reference policy" 0 '^loaded generation [1-9][0-9]*$' torfwctl load
t "status: loaded" 0 '^policy: loaded$' torfwctl status
t "status: 12 entries" 0 '^entries: 12$' torfwctl status
t "status -j" 0 '^\{"version":1,"policy":"loaded","generation":[0-9]+,"entries":12,"locked":false,"module":"[^"]+"\}$' torfwctl -j status

# Users by number (it must load at early boot, before the name service
# knows them), by name with -N; both load back as the same policy.
torfwctl show >/tmp/a.conf
t "show: the DNS entry by uid" 0 '^allow udp 127.0.0.1:5353 109 1000 drop 42$' cat /tmp/a.conf
t "show: the roles by uid" 0 '^role tor 107$' cat /tmp/a.conf
t_none "show: every user word a number" '[^0-9 ]' sh -c \
	'sed -En "s/^(role [a-z]+|allow [a-z]+ [^ ]+) //p" /tmp/a.conf | sed "s/ drop / /; s/ netns .*//"'
t "load of what show printed" 0 '^loaded generation ' torfwctl load /tmp/a.conf
torfwctl show >/tmp/b.conf
t "show, load, show: the same bytes" 0 '' cmp /tmp/a.conf /tmp/b.conf
torfwctl show -N >/tmp/n1.conf
t "show -N: the DNS entry by user names" 0 '^allow udp 127.0.0.1:5353 htp amnesia drop _apt$' cat /tmp/n1.conf
t "show --names: the roles by name" 0 '^role tor debian-tor$' torfwctl show --names
t "load of what show -N printed" 0 '^loaded generation ' torfwctl load /tmp/n1.conf
torfwctl show >/tmp/n2.conf
t "show -N, load, show: the same policy as show" 0 '' cmp /tmp/a.conf /tmp/n2.conf
t "show -j" 0 '^\{"version":1,"generation":[0-9]+,"options":\{"nosocket":"loopback","kernel_sockets":"refuse"' torfwctl show -j

# An option away from its default: dumped, shown, and loaded back.
printf 'kernel-sockets lan\nrole tor debian-tor\n' >/tmp/k.conf
t "load with kernel-sockets lan" 0 '^loaded generation ' torfwctl load /tmp/k.conf
torfwctl show >/tmp/k1.conf
t "show: kernel-sockets lan" 0 '^kernel-sockets lan$' cat /tmp/k1.conf
t "load of what show printed (kernel-sockets lan)" 0 '^loaded generation ' torfwctl load /tmp/k1.conf
torfwctl show >/tmp/k2.conf
t "kernel-sockets lan: show, load, show: the same bytes" 0 '' cmp /tmp/k1.conf /tmp/k2.conf
t "show -j: kernel_sockets lan" 0 '"kernel_sockets":"lan"' torfwctl show -j
t "the reference policy again" 0 '^loaded generation ' torfwctl load

as amnesia curl -s -m 2 http://127.0.0.1:9050/ >/dev/null 2>&1
t "stats: the SOCKS entry counted amnesia's connection" 0 \
	'^ +[1-9][0-9]*  allow tcp 127.0.0.1:9050 ' torfwctl stats
t "stats: reasons by name" 0 '^  service +[1-9][0-9]*$' torfwctl stats
t "stats -j" 0 '"packets":[1-9]' torfwctl -j stats

torfwctl monitor >/tmp/mon.txt 2>&1 &
mon=$!
torfwctl -j monitor >/tmp/monj.txt 2>&1 &
monj=$!
sleep 1
as amnesia curl -s -m 2 http://192.0.2.1/ >/dev/null 2>&1
sleep 1
kill $mon $monj
t "monitor: one line per refusal" 0 \
	'^refused uid=1000 comm=curl pid=[0-9]+ tcp 192.0.2.1:80 reason=internet-tcp$' cat /tmp/mon.txt
t "monitor -j" 0 '^\{"version":1,"event":"refused","uid":1000,"comm":"curl",.*"reason":"internet-tcp"' cat /tmp/monj.txt

# 3000 entries of 20 users: about 20 messages of one transaction.
{
	echo "role tor debian-tor"
	i=1
	while [ $i -le 3000 ]; do
		echo "allow tcp 127.0.0.1:$((20000 + i)) $(seq -s ' ' 1000 1019)"
		i=$((i + 1))
	done
} >/tmp/big.conf
t "load of a policy of 3000 entries (chunked)" 0 '^loaded generation ' torfwctl load /tmp/big.conf
t "status: 3000 entries" 0 '^entries: 3000$' torfwctl status
torfwctl show >/tmp/big1.conf
torfwctl load /tmp/big1.conf >/dev/null
torfwctl show >/tmp/big2.conf
t "large policy: show, load, show: the same bytes" 0 '' cmp /tmp/big1.conf /tmp/big2.conf
t "stats of 3000 entries" 0 '^ +0  allow tcp 127.0.0.1:23000 ' torfwctl stats

# A refusal only the kernel can see, mapped back to the config line.
touch /run/netns/host
mount --bind /proc/1/ns/net /run/netns/host
printf 'role tor 0\n\ngrant netns host\n' >/tmp/host.conf
t "kernel refusal located in the config" 2 \
	'^/tmp/host.conf:3:13: refused by the kernel: .*initial namespace' torfwctl load /tmp/host.conf
printf 'allow tcp 127.0.0.1:80 0 netns nosuchns\n' >/tmp/nons.conf
t "missing namespace: config error, nothing sent" 1 \
	"^/tmp/nons.conf:1:32: cannot open namespace 'nosuchns'" torfwctl load /tmp/nons.conf

printf 'role tor 0\nallow tcp 127.0.0.1:80 0 netns nosuchns\ngrant netns nosuchns\n' >/tmp/skip.conf
t "--skip-missing-netns: a warning located in the config" 0 \
	"^/tmp/skip.conf:3:13: warning: namespace 'nosuchns' does not exist" \
	torfwctl load --skip-missing-netns /tmp/skip.conf
t "--skip-missing-netns: the entry without the namespace" 0 \
	'^allow tcp 127.0.0.1:80 0$' torfwctl show
t_none "--skip-missing-netns: no grant" '^grant ' torfwctl show

t "flush" 0 '^flushed' torfwctl flush
t "status after flush" 0 '^policy: none$' torfwctl status
t "show after flush" 0 '^# no policy loaded' torfwctl show
t "lock without a policy is refused" 2 '^torfwctl: lock: .*\(E[A-Z]+\)' torfwctl lock
t "load again" 0 '^loaded generation ' torfwctl load
t "lock" 0 '^locked until reboot$' torfwctl lock
t "status: locked" 0 '^locked: yes$' torfwctl status
t "locked: flush refused with the kernel's reason" 2 \
	'^torfwctl: flush: Operation not permitted \(EPERM\): ' torfwctl flush
t "locked: a looser policy is refused" 2 \
	'^torfwctl: load: Operation not permitted \(EPERM\): locked' torfwctl load /tmp/big.conf
t "locked: the same policy loads" 0 '^loaded generation ' torfwctl load
t "without CAP_NET_ADMIN: EPERM, exit 2" 2 'EPERM' as amnesia torfwctl status
