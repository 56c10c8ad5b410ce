#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Faults (reliability issue, item 6): unloading the module (unlocked) while
# traffic flows is clean, 15 times over: rmmod, modprobe, load, with
# redirected (NAT) and refused flows, forwarded traffic of the granted
# namespace and pings going on (lib/faults.sh). The runner fails the
# scenario on any kernel warning; afterwards the policy works as before.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/faults.sh

cleanup() {
	flows_stop
	svc_stop_all
	return 0
}
trap cleanup EXIT

policy_up
flows_listen
flows_start
cycles=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	rmmod torfw || break
	sleep 0.3
	modprobe torfw || break
	torfwctl load "$REFERENCE_CONF" >/dev/null || break
	sleep 0.5
	cycles=$i
done
flows_stop
expect_eq "unload under traffic: 15 times rmmod, modprobe, load while traffic flows" 15 "$cycles"
check "unload under traffic: the flows ran meanwhile" flows_ran
refused "unload under traffic: afterwards amnesia tcp 192.0.2.1:80 is refused" \
	as amnesia http_get 192.0.2.1 80
check "unload under traffic: afterwards amnesia's automap connect reaches the TransPort" \
	as amnesia svc_tcp 127.192.0.9 80
check "unload under traffic: afterwards the clearnet namespace's HTTP is forwarded" \
	n_clearnet http_get 192.0.2.1 80
