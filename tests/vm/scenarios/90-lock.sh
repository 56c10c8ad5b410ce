#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The lock (DESIGN.md section 3; kmod/uapi/torfw.h, TORFW_CMD_LOCK): once
# locked, until reboot, the module cannot be unloaded and the policy can
# be neither flushed nor replaced by a looser one; a stricter one loads.
# Run LAST: nothing after it in this boot can unload the module.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

cleanup() {
	svc_stop_all
	return 0
}
trap cleanup EXIT

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
svc_listen tcp 127.0.0.1 9050
svc_listen tcp 127.0.0.1 631
check "before the lock: amnesia reaches CUPS tcp 127.0.0.1:631" as amnesia svc_tcp 127.0.0.1 631

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

# looser N DESC SED-SCRIPT: the reference edited by SED-SCRIPT must not load.
looser() {
	local f=/tmp/looser-$1.conf
	sed "$3" "$REFERENCE_CONF" >"$f"
	if cmp -s "$f" "$REFERENCE_CONF"; then
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
note "torfwctl load (looser): $(torfwctl load /tmp/looser-1.conf 2>&1 | head -n 2)"
expect_eq "locked: the generation is unchanged by the refused loads" "$gen" \
	"$(policy_generation)"
refused_econn "locked: stranger is still refused on tcp 127.0.0.1:9050" \
	as stranger svc_tcp 127.0.0.1 9050
check "locked: amnesia still reaches tcp 127.0.0.1:9050" as amnesia svc_tcp 127.0.0.1 9050

# ---- stricter loads -------------------------------------------------------------------

STRICT=/tmp/stricter.conf
grep -v '^allow tcp 127\.0\.0\.1:631 ' "$REFERENCE_CONF" >$STRICT
check "locked: the same policy again loads (not looser)" torfwctl load "$REFERENCE_CONF"
gen=$(policy_generation)
check "locked: a stricter policy (the reference minus CUPS) loads" torfwctl load $STRICT
expect_eq "locked: it is a new generation with 11 entries" "$((gen + 1)) 11" \
	"$(policy_generation) $(torfwctl status | sed -n 's/^entries: //p')"
refused_econn "locked, stricter: amnesia is now refused on CUPS tcp 127.0.0.1:631" \
	as amnesia svc_tcp 127.0.0.1 631
check "locked, stricter: amnesia still reaches tcp 127.0.0.1:9050" as amnesia svc_tcp 127.0.0.1 9050
check "locked, stricter: the reference (with CUPS) is now looser and refused with EPERM" \
	ctl_fails_with EPERM torfwctl load "$REFERENCE_CONF"
expect_eq "locked: status still says 'locked: yes'" yes \
	"$(torfwctl status | sed -n 's/^locked: //p')"
refused_econn "locked: stranger's tcp 192.0.2.1:80 is still refused at once" \
	as stranger http_get 192.0.2.1 80
check "locked: debian-tor's tcp 192.0.2.1:80 still passes" as debian-tor http_get 192.0.2.1 80
