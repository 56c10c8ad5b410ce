#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Faults (reliability issue, item 6): TORFW_VM_CHURN (default 400)
# namespaces created and destroyed while traffic flows leak nothing.
# Rounds of 20: each namespace gets a veth to the host (10.99.K.1/24 on the
# host, .2 inside, up; K cycles through 250), the host pings each, and the
# round is deleted while its pings are in flight; meanwhile the flows of
# lib/faults.sh run.
# Afterwards torfw's object count (egress hooks, link tables, policies) and
# the host's namespace ids (one per namespace alive that had a veth here)
# are back at their baselines, and the refused flow was never let through.
# vm-timeout: 900
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/faults.sh

CHURN=${TORFW_VM_CHURN:-400}

cleanup() {
	flows_stop
	svc_stop_all
	churn_clear
	return 0
}
trap cleanup EXIT

# Namespaces alive that ever had a veth to the host: each got an id here
# (ip netns list-id), which the kernel removes only when the namespace is
# destroyed. A namespace kept alive by a reference keeps its id.
ns_ids() { ip netns list-id | grep -c '^nsid' || true; }
churn_clear() {
	for n in $(ip netns list | awk '/^torfw-churn-/ { print $1 }'); do
		ip netns del "$n"
	done
}

policy_up
flows_listen
flows_start
objects_before=$(objects_quiet)
ns_before=$(ns_ids)
note "before: torfw objects $objects_before, namespace ids $ns_before"
made=0
t0=$(now_cs)
while [ $made -lt "$CHURN" ]; do
	: >/tmp/ns.add
	: >/tmp/ns.del
	# Unique names: a namespace is freed (its veth with it) by a
	# workqueue, after 'netns del' returns.
	for k in $(seq $((made + 1)) $((made + 20))); do
		n=torfw-churn-$k
		{
			echo "netns add $n"
			echo "link add vc$k type veth peer name vp netns $n"
			echo "addr add 10.99.$((k % 250)).1/24 dev vc$k"
			echo "link set vc$k up"
		} >>/tmp/ns.add
		echo "netns del $n" >>/tmp/ns.del
	done
	ip -batch /tmp/ns.add >/dev/null || break
	[ $made -gt 0 ] || alive=$(ns_ids)
	for k in $(seq $((made + 1)) $((made + 20))); do
		printf 'addr add 10.99.%d.2/24 dev vp\nlink set vp up\n' $((k % 250)) |
			ip -n "torfw-churn-$k" -batch - >/dev/null || break 2
	done
	for k in $(seq $((made + 1)) $((made + 20))); do
		ping -n -q -c 3 -i 0.01 -W 1 "10.99.$((k % 250)).2" >/dev/null 2>&1 &
	done
	sleep 0.1
	ip -batch /tmp/ns.del >/dev/null || break
	made=$((made + 20))
	if [ $((made % 200)) -eq 0 ]; then
		note "$made namespaces in $(cs_fmt $(($(now_cs) - t0))), torfw objects $(objects)"
	fi
done
flows_stop
churn_clear	# what a failed round left behind
expect_eq "churn: $CHURN namespaces with a veth each created and destroyed" "$CHURN" "$made"
check "churn: the flows ran meanwhile" flows_ran
expect_eq "churn: the refused flow (amnesia to 192.0.2.1:80) never got through" 0 \
	"$(grep -c '^ok' "$FLOWS/refused")"

# Namespaces are destroyed by a workqueue: give it time.
i=0
while [ "$(ns_ids)" -gt "$ns_before" ] && [ $i -lt $((60 * SLOW)) ]; do
	sleep 1
	i=$((i + 1))
done
expect_eq "churn: torfw's objects back to the baseline (egress hooks, link tables)" \
	"$objects_before" "$(objects_settle "$objects_before")"
if [ "${alive:-0}" -ge $((ns_before + 20)) ]; then
	ok "churn: the namespace ids count them (first round: $alive, before $ns_before)"
else
	fail "churn: the namespace ids count them" "first round: ${alive:-none}, before $ns_before"
fi
expect_eq "churn: every namespace was destroyed (namespace ids in the host, after ${i} s)" \
	"$ns_before" "$(ns_ids)"
refused "churn: afterwards amnesia tcp 192.0.2.1:80 is refused" \
	as amnesia http_get 192.0.2.1 80
check "churn: afterwards the clearnet namespace's HTTP is forwarded" \
	n_clearnet http_get 192.0.2.1 80
