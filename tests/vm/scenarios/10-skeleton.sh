#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fail-closed skeleton (acceptance of the foundation issue): once
# torfw is loaded and before any policy, only loopback passes; every other
# packet is refused at once and nothing reaches the uplink; unloading the
# module restores the network. With the module installed and not loaded,
# looking (torfwctl status and show, as root and as nobody, and a bare
# family lookup) leaves it unloaded and exits 3.
#
# The same probe matrix runs twice: before the module, where every probe
# must succeed (proof that a refusal later is the module's doing, not a
# broken probe), and after 'modprobe torfw', where every probe must be
# refused within REFUSE_LIMIT seconds with up0 and lan0 silent.
set -eu
. /tests/vm/lib/common.sh

KV=$(uname -r)
KO=/lib/modules/$KV/extra/torfw.ko

INBOUND_PORT=7777
INBOUND_PID=

cleanup() {
	[ -n "$INBOUND_PID" ] && kill "$INBOUND_PID" 2>/dev/null
	[ -e "$KO.hidden" ] && mv "$KO.hidden" "$KO"
	module_loaded torfw && rmmod torfw
	return 0
}
trap cleanup EXIT

# each_probe FN PHASE: FN "PHASE: USER PROBE" as USER CMD..., for every
# probe of the matrix and both users.
each_probe() {
	local fn=$1 phase=$2 u
	for u in root amnesia; do
		$fn "$phase: $u tcp 192.0.2.1:80 (curl)" as $u http_get 192.0.2.1 80
		$fn "$phase: $u udp 192.0.2.1:53 (dig)" as $u dns_query 192.0.2.1
		$fn "$phase: $u udp 192.0.2.1:7 (socat)" as $u udp_echo 192.0.2.1 7
		$fn "$phase: $u icmp 192.0.2.1 (ping)" as $u icmp_echo 192.0.2.1
		$fn "$phase: $u tcp 192.168.50.1:8080 (curl)" as $u http_get 192.168.50.1 8080
		$fn "$phase: $u udp 192.168.50.1:53 (dig)" as $u dns_query 192.168.50.1
		$fn "$phase: $u udp 192.168.50.1:137 (socat)" as $u udp_echo 192.168.50.1 137
		$fn "$phase: $u icmp 192.168.50.1 (ping)" as $u icmp_echo 192.168.50.1
		$fn "$phase: $u tcp [2001:db8::1]:80 (curl)" as $u http_get 2001:db8::1 80
		$fn "$phase: $u icmp 2001:db8::1 (ping)" as $u icmp_echo 2001:db8::1
	done
}

# each_loopback FN PHASE: loopback echo, listener and client as the user.
each_loopback() {
	local fn=$1 phase=$2 u
	for u in root amnesia; do
		$fn "$phase: $u tcp 127.0.0.1:5555 echo" as $u loopback_echo 127.0.0.1 5555
		$fn "$phase: $u tcp [::1]:5555 echo" as $u loopback_echo ::1 5555
	done
}

# ---- the harness can see success and silence --------------------------

topo_up

uplink_mark
sleep 2
if [ "$(uplink_tx_delta)" -eq 0 ]; then
	ok "harness: up0 sends nothing when idle (2 s)"
else
	fail "harness: up0 sends nothing when idle (2 s)" \
		"$(uplink_tx_delta) packets: per-case counting would be wrong"
fi
check "harness: a ping to 192.0.2.1 is counted on up0" leaves_uplink icmp_echo 192.0.2.1
check "harness: the internet answers any address (tcp 198.51.100.7:443)" \
	http_get 198.51.100.7 443
check "harness: the internet answers any address (tcp [2001:db8:ffff::7]:80)" \
	http_get 2001:db8:ffff::7 80

each_probe check "no module"
each_loopback check "no module"

# Beyond loopback-only for local programs: forwarded and inbound traffic,
# which the design drops silently rather than rejects.
socat TCP4-LISTEN:$INBOUND_PORT,fork,reuseaddr PIPE &
INBOUND_PID=$!
wait_listen $INBOUND_PORT
check "no module: clearnet ns reaches tcp 192.0.2.1:80 via the host" \
	n_clearnet http_get 192.0.2.1 80
check "no module: internet ns reaches a host service tcp 192.0.2.2:$INBOUND_PORT" \
	n_internet tcp_echo 192.0.2.2 $INBOUND_PORT

# ---- module loaded, no policy: closed --------------------------------------

TAINT_BEFORE=$(cat /proc/sys/kernel/tainted)
if modprobe torfw 2>/tmp/modprobe.err; then
	ok "modprobe torfw"
else
	fail "modprobe torfw" "$(cat /tmp/modprobe.err)" "(is kmod/torfw.ko built?)"
fi
if module_loaded torfw; then
	ok "torfw is in /proc/modules"
else
	fail "torfw is in /proc/modules"
fi

# Out-of-tree (O, 4096) and unsigned (E, 8192) are expected; any other
# bit (W 512 after a WARN, D 128 after an Oops, ...) is not.
taint=$(cat /proc/sys/kernel/tainted)
if [ $((taint & ~(4096 | 8192))) -eq 0 ]; then
	ok "kernel taint at most O+E (tainted=$taint)"
else
	fail "kernel taint at most O+E (tainted=$taint)" \
		"before modprobe: $TAINT_BEFORE; unexpected bits: $((taint & ~(4096 | 8192)))"
fi

each_probe refused "no policy"
each_loopback check "no policy"
blocked "no policy: clearnet ns -> tcp 192.0.2.1:80 is not forwarded" \
	n_clearnet http_get 192.0.2.1 80
blocked "no policy: internet ns -> host tcp 192.0.2.2:$INBOUND_PORT gets no answer" \
	n_internet tcp_echo 192.0.2.2 $INBOUND_PORT

# ---- torfwctl against the loaded module -----------------------------------

# Without the tool every torfwctl case fails: "not found" is one line with
# a non-zero status too, and must not pass for the tool's answer.
need_ctl() {
	[ -x /usr/sbin/torfwctl ] || { echo "torfwctl is not installed"; return 1; }
}

ctl_status_no_policy() {
	local out rc=0
	need_ctl || return 1
	out=$(torfwctl status 2>&1) || rc=$?
	echo "$out"
	[ $rc -eq 0 ] || { echo "exit status $rc"; return 1; }
	echo "$out" | grep -qx 'policy: none' || { echo "no 'policy: none'"; return 1; }
	echo "$out" | grep -Eqi 'generation[ :=]+0([^0-9]|$)' ||
		{ echo "no 'generation 0'"; return 1; }
}

# One clear first line naming the bad word (the usage follows, as STYLE.md
# asks), and a failure status.
ctl_rejects_bogus() {
	local out rc=0
	need_ctl || return 1
	out=$(torfwctl bogus 2>&1) || rc=$?
	echo "$out"
	[ $rc -ne 0 ] || { echo "exit status 0"; return 1; }
	echo "$out" | head -n 1 | grep -q "unknown command 'bogus'" ||
		{ echo "the first line does not name 'bogus'"; return 1; }
}

if [ -x /usr/sbin/torfwctl ]; then
	ok "torfwctl is installed"
	note "torfwctl status:" "$(torfwctl status 2>&1 || true)"
else
	fail "torfwctl is installed" "ctl/torfwctl was not built (make ctl)"
fi
check "torfwctl status: 'policy: none', generation 0" ctl_status_no_policy
check "torfwctl bogus: a first line naming it, non-zero exit" ctl_rejects_bogus
note "torfwctl bogus (first lines):" "$(torfwctl bogus 2>&1 | head -n 3)"
# The anti-test of the lookup below: loaded, nobody's lookup finds it.
check "loaded: nobody's CTRL_CMD_GETFAMILY torfw finds the family" \
	as nobody /tests/vm/tools/nlpoke family

# ---- unloaded: open again ----------------------------------------------------

if rmmod torfw 2>/tmp/rmmod.err; then
	ok "rmmod torfw"
else
	fail "rmmod torfw" "$(cat /tmp/rmmod.err)"
fi
check "unloaded: root tcp 192.0.2.1:80 (curl) works again" as root http_get 192.0.2.1 80
check "unloaded: amnesia tcp 192.0.2.1:80 (curl) works again" as amnesia http_get 192.0.2.1 80

# Looking must not load the module: loading it closes the network, so a
# user who could trigger it could cut the machine off. With torfw.ko
# installed and not loaded, status and show (as root and as nobody) say
# it is not loaded and exit 3, and a bare CTRL_CMD_GETFAMILY "torfw" by
# nobody (the genetlink controller loads aliased families) loads nothing.
ctl_not_loaded() {
	local out rc=0
	need_ctl || return 1
	out=$("$@" 2>&1) || rc=$?
	echo "$out"
	[ $rc -eq 3 ] || { echo "exit status $rc, not 3"; return 1; }
	echo "$out" | grep -q 'not loaded' || { echo "no 'not loaded'"; return 1; }
	! module_loaded torfw || { echo "torfw got loaded"; return 1; }
}

family_lookup_loads_nothing() {
	local out rc=0
	out=$(as nobody /tests/vm/tools/nlpoke family 2>&1) || rc=$?
	echo "$out"
	[ $rc -eq 3 ] || { echo "exit status $rc, not 3 (ENOENT)"; return 1; }
	! module_loaded torfw || { echo "torfw got loaded"; return 1; }
}

if [ -e "$KO" ] && ! module_loaded torfw; then
	ok "installed, not loaded: $KO present, torfw not in /proc/modules"
else
	fail "installed, not loaded: $KO present, torfw not in /proc/modules"
fi
if modinfo -F alias "$KO" | grep -q 'family-torfw'; then
	fail "torfw.ko declares no genetlink family alias" "$(modinfo -F alias "$KO")"
else
	ok "torfw.ko declares no genetlink family alias"
fi
for c in status show; do
	check "installed, not loaded: root 'torfwctl $c' exits 3, loads nothing" \
		ctl_not_loaded /usr/sbin/torfwctl $c
	check "installed, not loaded: nobody 'torfwctl $c' exits 3, loads nothing" \
		ctl_not_loaded as nobody /usr/sbin/torfwctl $c
done
check "installed, not loaded: root 'torfwctl status -j' exits 3, loads nothing" \
	ctl_not_loaded /usr/sbin/torfwctl -j status
check "installed, not loaded: nobody's CTRL_CMD_GETFAMILY torfw gets ENOENT, loads nothing" \
	family_lookup_loads_nothing
note "torfwctl status as nobody, installed, not loaded:" \
	"$(as nobody /usr/sbin/torfwctl status 2>&1 || true)"

# With the file renamed too: status fails with one line and the module
# stays absent.
ctl_status_absent() {
	local out rc=0
	need_ctl || return 1
	out=$(torfwctl status 2>&1) || rc=$?
	echo "$out"
	[ $rc -ne 0 ] || { echo "exit status 0"; return 1; }
	[ "$(echo "$out" | wc -l)" -eq 1 ] ||
		{ echo "$(echo "$out" | wc -l) lines, not one"; return 1; }
	! module_loaded torfw || { echo "torfw got loaded"; return 1; }
}

[ -e "$KO" ] && mv "$KO" "$KO.hidden"
check "module absent: torfwctl status fails with one line" ctl_status_absent
note "torfwctl status, module absent:" "$(torfwctl status 2>&1 || true)"
[ -e "$KO.hidden" ] && mv "$KO.hidden" "$KO"
if module_loaded torfw; then
	fail "module absent: it was not loaded behind our back"
else
	ok "module absent: it was not loaded behind our back"
fi

note "kernel log of torfw:" "$(dmesg | grep -i torfw | tail -n 10)"
