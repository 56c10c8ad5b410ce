#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The lock (DESIGN.md section 3; kmod/uapi/torfw.h, TORFW_CMD_LOCK): once
# locked, until reboot, the module cannot be unloaded and the policy can
# be neither flushed nor replaced by a looser one; a stricter one loads.
# "Looser" is decided on verdicts, not on text: the locked policy is the
# reference plus an exact entry that shadows an any-address one
# (127.0.0.1:5555 root beside 0.0.0.0:5555 for 1000) and an any-address
# range beside the reference's exact OnionShare range (0.0.0.0:17600-17700
# for 1500); removing the exact entry, or narrowing the exact range,
# opens ports to the any-address entry's users and is refused; removing
# the CUPS entry only takes amnesia's access away (debian-tor, the Tor
# role, reaches every IPv4 loopback port anyway) and loads.
# Last, 'rmmod -f' (CONFIG_MODULE_FORCE_UNLOAD ignores the reference the
# lock holds): the locked module's exit waits until reboot, so the rmmod
# never returns and the module and its policy stay.
# Run LAST: nothing after it in this boot can unload the module.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

LOCKED_CONF=/tmp/locked.conf
# The runner's list of kernel log lines that fail a run, and hung tasks.
KLOG_BAD_RE='Oops|\bBUG\b|WARNING|lockdep|refcount_t|general protection|Call Trace|KASAN|UBSAN|blocked for more than'

cleanup() {
	svc_stop_all
	return 0
}
trap cleanup EXIT

locked() { torfwctl status | sed -n 's/^locked: //p'; }

# ctl_refused_msg WORD CMD...: like ctl_fails_with, and the kernel said
# why (torfwctl prints the extack message after "(WORD): ").
ctl_refused_msg() {
	local word=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	echo "$out"
	echo "exit status $rc"
	[ $rc -ne 0 ] && echo "$out" | grep -q -- "($word): ."
}

topo_up
if module_loaded torfw; then
	torfwctl flush >/dev/null 2>&1 || true
else
	modprobe torfw
fi

# Nothing to lock without a policy (-ENOENT): it must not lock the
# closed default either, so a policy can still be loaded afterwards.
check "no policy: 'torfwctl lock' fails (ENOENT)" ctl_fails_with ENOENT torfwctl lock
expect_eq "no policy: status still says 'locked: no'" no \
	"$(torfwctl status | sed -n 's/^locked: //p')"

policy_up
{
	cat "$REFERENCE_CONF"
	echo "allow tcp 127.0.0.1:5555 root"
	echo "allow tcp 0.0.0.0:5555 1000"
	echo "allow tcp 0.0.0.0:17600-17700 1500"
	echo "allow tcp 127.0.0.1:5556 cgroup:/torfw-lock/app"
} >$LOCKED_CONF
check "the reference plus the shadowing entries loads" torfwctl load $LOCKED_CONF
svc_listen tcp 127.0.0.1 9050
svc_listen tcp 127.0.0.1 631
svc_listen tcp 127.0.0.1 5555
svc_listen tcp 127.0.0.1 17630
svc_listen tcp 127.0.0.1 17660
check "before the lock: amnesia reaches CUPS tcp 127.0.0.1:631" as amnesia svc_tcp 127.0.0.1 631
# The Tor role: every IPv4 loopback port, listed or not.
check "before the lock: debian-tor reaches CUPS tcp 127.0.0.1:631 (Tor role)" \
	as debian-tor svc_tcp 127.0.0.1 631
check "before the lock: root reaches tcp 127.0.0.1:5555 (exact entry)" svc_tcp 127.0.0.1 5555
refused_econn "before the lock: amnesia is refused on 127.0.0.1:5555 (the exact entry shadows 0.0.0.0:5555)" \
	as amnesia svc_tcp 127.0.0.1 5555
refused_econn "before the lock: stranger is refused on 127.0.0.1:17630 (the exact range shadows 0.0.0.0:17600-17700)" \
	as stranger svc_tcp 127.0.0.1 17630
check "before the lock: stranger reaches 127.0.0.1:17660 (any-address range only)" \
	as stranger svc_tcp 127.0.0.1 17660

check "'torfwctl lock' succeeds" torfwctl lock
expect_eq "status says 'locked: yes'" yes "$(torfwctl status | sed -n 's/^locked: //p')"
check "locking twice is not an error" torfwctl lock

# ---- the module stays ------------------------------------------------------------

check "locked: 'rmmod torfw' fails" ctl_fails_with torfw rmmod torfw
check "locked: 'modprobe -r torfw' fails" ctl_fails_with torfw modprobe -r torfw
if module_loaded torfw; then
	ok "locked: torfw is still in /proc/modules"
else
	fail "locked: torfw is still in /proc/modules"
fi

# ---- no flush, nothing looser ------------------------------------------------------

gen=$(policy_generation)
check "locked: 'torfwctl flush' fails with EPERM" ctl_fails_with EPERM torfwctl flush
expect_eq "locked: the policy is still loaded after the flush attempt" loaded \
	"$(torfwctl status | sed -n 's/^policy: //p')"

# looser N DESC SED-SCRIPT: the locked policy edited by SED-SCRIPT must
# not load.
looser() {
	local f=/tmp/looser-$1.conf
	sed "$3" $LOCKED_CONF >"$f"
	if cmp -s "$f" $LOCKED_CONF; then
		fail "locked: looser policy ($2) is refused with EPERM" "the edit changed nothing"
		return
	fi
	check "locked: looser policy ($2) is refused with EPERM" \
		ctl_fails_with EPERM torfwctl load "$f"
}
looser 1 "the reference plus stranger on tcp/9050" \
	's/^allow tcp 127\.0\.0\.1:9050 .*/& stranger/'
# shellcheck disable=SC2016 # sed's $a: append
looser 2 "new role: clearnet stranger" '$a role clearnet stranger'
# shellcheck disable=SC2016 # sed's $a: append
looser 3 "new loopback entry tcp/7000 for amnesia" '$a allow tcp 127.0.0.1:7000 1000'
looser 4 "nosocket accept" 's/^nosocket loopback$/nosocket accept/'
looser 5 "lan-refuse udp 137 dropped" 's/^lan-refuse udp 53 137$/lan-refuse udp 53/'
# shellcheck disable=SC2016 # sed's $a: append
looser 6 "new LAN range 100.64.0.0/10" '$a lan 100.64.0.0/10'
# shellcheck disable=SC2016 # sed's $a: append
looser 7 "packet role for root" '$a role packet root'
looser 8 "no DNS redirect" '/^redirect dns /d'
looser 9 "a cgroup added to tcp/9050" \
	's/^allow tcp 127\.0\.0\.1:9050 .*/& cgroup:\/torfw-lock/'
looser 10 "tcp/5556's cgroup widened to its parent" \
	's/cgroup:\/torfw-lock\/app$/cgroup:\/torfw-lock/'
# shellcheck disable=SC2016 # sed's $a: append
looser 11 "new role: clearnet cgroup:/torfw-lock" '$a role clearnet cgroup:/torfw-lock'
note "torfwctl load (looser): $(torfwctl load /tmp/looser-1.conf 2>&1 | head -n 2)"
expect_eq "locked: the generation is unchanged by the refused loads" "$gen" \
	"$(policy_generation)"
refused_econn "locked: stranger is still refused on tcp 127.0.0.1:9050" \
	as stranger svc_tcp 127.0.0.1 9050
check "locked: amnesia still reaches tcp 127.0.0.1:9050" as amnesia svc_tcp 127.0.0.1 9050

# ---- looser on verdicts, not on text --------------------------------------------------

# ACTIVE is the file of the active policy. A load that should have been
# refused and was not replaced it (until reboot): the next edits start
# from it, so that each case tests its own edit only.
ACTIVE=$LOCKED_CONF

# verdict_looser DESC FILE: FILE is refused with EPERM and a message from
# the kernel, and the generation stays.
verdict_looser() {
	local g
	g=$(policy_generation)
	if cmp -s "$2" "$ACTIVE"; then
		fail "$1" "the edit changed nothing"
		return
	fi
	check "$1" ctl_refused_msg EPERM torfwctl load "$2"
	if [ "$(policy_generation)" != "$g" ]; then
		fail "${1%%:*}: the generation is unchanged" \
			"generation $g became $(policy_generation): $2 is active now"
		ACTIVE=$2
	else
		ok "${1%%:*}: the generation is unchanged"
	fi
}

# Removing the exact entry: uid 1000 would gain 127.0.0.1:5555 through the
# any-address entry.
sed '/^allow tcp 127\.0\.0\.1:5555 root$/d' "$ACTIVE" >/tmp/shadow.conf
verdict_looser "locked, shadowing: without the exact 127.0.0.1:5555 entry (1000 would gain it): EPERM with a message" \
	/tmp/shadow.conf
note "torfwctl load (shadowing): $(head -n 1 "$PROBE_OUT")"
refused_econn "locked, shadowing: amnesia is still refused on 127.0.0.1:5555" \
	as amnesia svc_tcp 127.0.0.1 5555
check "locked, shadowing: root still reaches 127.0.0.1:5555" svc_tcp 127.0.0.1 5555

# Narrowing the exact range: uid 1500 would gain 127.0.0.1:17621-17650
# through the any-address range.
sed 's/^allow tcp 127\.0\.0\.1:17600-17650 1000$/allow tcp 127.0.0.1:17600-17620 1000/' \
	"$ACTIVE" >/tmp/narrow.conf
verdict_looser "locked, narrowing: the exact 17600-17650 narrowed to 17600-17620 (1500 would gain 17621-17650): EPERM with a message" \
	/tmp/narrow.conf
note "torfwctl load (narrowing): $(head -n 1 "$PROBE_OUT")"
refused_econn "locked, narrowing: stranger is still refused on 127.0.0.1:17630" \
	as stranger svc_tcp 127.0.0.1 17630
check "locked, narrowing: stranger still reaches 127.0.0.1:17660" \
	as stranger svc_tcp 127.0.0.1 17660

# ---- stricter loads -------------------------------------------------------------------

# The reference's CUPS line names amnesia only; without it, debian-tor
# keeps 127.0.0.1:631 (the Tor role) and nobody else gains it: stricter.
STRICT=/tmp/stricter.conf
grep -v '^allow tcp 127\.0\.0\.1:631 ' "$ACTIVE" >"$STRICT"
check "locked: the same policy again loads (not looser)" torfwctl load "$ACTIVE"
gen=$(policy_generation)
entries=$(torfwctl status | sed -n 's/^entries: //p')
check "locked: a stricter policy (minus CUPS: no verdict opens) loads" torfwctl load "$STRICT"
expect_eq "locked: it is a new generation with one entry less" "$((gen + 1)) $((entries - 1))" \
	"$(policy_generation) $(torfwctl status | sed -n 's/^entries: //p')"
refused_econn "locked, stricter: amnesia is now refused on CUPS tcp 127.0.0.1:631" \
	as amnesia svc_tcp 127.0.0.1 631
# A cgroup principal is its path: a cgroup made after the lock, and made
# again, is matched with no load (the lock compares paths).
cg_mount
mkdir -p "$CG/torfw-lock/app"
svc_listen tcp 127.0.0.1 5556
check "locked: amnesia in /torfw-lock/app, made after the lock, reaches tcp 127.0.0.1:5556" \
	in_cg torfw-lock/app as amnesia svc_tcp 127.0.0.1 5556
refused_econn "locked: amnesia in its parent /torfw-lock is refused on tcp 127.0.0.1:5556" \
	in_cg torfw-lock as amnesia svc_tcp 127.0.0.1 5556
rmdir "$CG/torfw-lock/app" && mkdir "$CG/torfw-lock/app"
check "locked: /torfw-lock/app made again still reaches tcp 127.0.0.1:5556" \
	in_cg torfw-lock/app as amnesia svc_tcp 127.0.0.1 5556
rmdir "$CG/torfw-lock/app" "$CG/torfw-lock"
check "locked, stricter: debian-tor still reaches CUPS tcp 127.0.0.1:631 (Tor role)" \
	as debian-tor svc_tcp 127.0.0.1 631
check "locked, stricter: amnesia still reaches tcp 127.0.0.1:9050" as amnesia svc_tcp 127.0.0.1 9050
check "locked, stricter: the policy with CUPS is now looser and refused with EPERM" \
	ctl_fails_with EPERM torfwctl load "$ACTIVE"
expect_eq "locked: status still says 'locked: yes'" yes "$(locked)"
refused_econn "locked: stranger's tcp 192.0.2.1:80 is still refused at once" \
	as stranger http_get 192.0.2.1 80
check "locked: debian-tor's tcp 192.0.2.1:80 still passes" as debian-tor http_get 192.0.2.1 80

# ---- rmmod -f: the last thing this scenario does with the module ------------------------

# A forced unload ignores the reference the lock holds; the locked
# module's exit then waits until reboot, so rmmod never returns and the
# module, its hooks and its policy stay. rmmod by full path: $! of a
# backgrounded function is a subshell's pid (VM-NOTES.md). It is left
# blocked: the runner's 'reboot -f' ends it (97-kmemleak's own rmmod then
# fails at once with EBUSY: the module is no longer live).
klog_from=$(($(dmesg | wc -l) + 1))
/sbin/rmmod -f torfw >/tmp/rmmod-f.out 2>&1 </dev/null &
RMMOD_PID=$!
sleep 5
if kill -0 $RMMOD_PID 2>/dev/null; then
	ok "rmmod -f: after 5 s the rmmod is still waiting (pid $RMMOD_PID: $(cat /proc/$RMMOD_PID/wchan 2>/dev/null))"
else
	rc=0
	wait $RMMOD_PID || rc=$?
	fail "rmmod -f: after 5 s the rmmod is still waiting" \
		"it ended with exit status $rc: $(cat /tmp/rmmod-f.out)"
fi
# Before anything asks for the netlink family: that request would load
# a module that is gone again (with no policy: closed).
refused_econn "rmmod -f: stranger's tcp 192.0.2.1:80 is still refused at once" \
	as stranger http_get 192.0.2.1 80
if [ -d /sys/module/torfw ]; then
	ok "rmmod -f: /sys/module/torfw still exists ($(cat /sys/module/torfw/initstate 2>/dev/null))"
else
	fail "rmmod -f: /sys/module/torfw still exists" "$(grep '^torfw ' /proc/modules || echo 'not in /proc/modules')"
fi
bad=$(dmesg | tail -n +"$klog_from" | grep -E "$KLOG_BAD_RE" | head -n 20 || true)
if [ -z "$bad" ]; then
	ok "rmmod -f: no splat in the kernel log"
else
	fail "rmmod -f: no splat in the kernel log" "$bad"
fi
expect_eq "rmmod -f: status still says 'locked: yes'" yes "$(locked 2>/dev/null || true)" \
	"$(torfwctl status 2>&1 | head -n 3)"
note "rmmod -f: kernel log since: $(dmesg | tail -n +"$klog_from" | tail -n 5)"
note "rmmod -f: /proc/modules now: $(grep '^torfw ' /proc/modules || echo 'no torfw')"
