#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# torfwctl explain and diff against the active policy when a namespace it
# grants is deleted and made again under the same name (issue 16): the
# module keeps the namespace it was given (its cookie), so the new one is
# refused until the policy is loaded again. explain must say so for
# --netns NAME, and diff between the active policy and its own file must
# show that loading the file again would open the new namespace (and
# close the old one, now "NAME/gone").
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

NS=tfstale
DROPIN=/etc/torfw/torfw.d/31-stale.conf

cleanup() {
	rm -f "$DROPIN"
	torfwctl load "$REFERENCE_CONF" >/dev/null 2>&1 || true
	ip netns del $NS 2>/dev/null || true
	return 0
}
trap cleanup EXIT

# verdict OUT: the first word of explain's answer.
verdict() { echo "${1%% *}"; }

policy_up
ip netns add $NS
mkdir -p "${DROPIN%/*}"
echo "grant netns $NS" >"$DROPIN"
check "a policy granting the new namespace $NS loads" \
	torfwctl load "$REFERENCE_CONF"

out=$(torfwctl explain - tcp 192.0.2.1:80 --netns $NS 2>&1) || true
expect_eq "explain: $NS's tcp to 192.0.2.1:80 is forwarded (granted)" \
	accepted "$(verdict "$out")" "$out"
torfwctl diff active "$REFERENCE_CONF" >/tmp/diff.out 2>&1 && st=0 || st=$?
expect_eq "diff: the active policy against its own file: nothing, exit 0" \
	"0:" "$st:$(cat /tmp/diff.out)"

# The same name, another namespace.
ip netns del $NS
ip netns add $NS
mkdir -p "${DROPIN%/*}"
out=$(torfwctl explain - tcp 192.0.2.1:80 --netns $NS 2>&1) || true
expect_eq "explain: the new $NS is not granted until the next load" \
	dropped "$(verdict "$out")" "$out"
torfwctl diff active "$REFERENCE_CONF" >/tmp/diff.out 2>&1 && st=0 || st=$?
expect_eq "diff: loading the file again opens the new $NS (exit 1)" 1 "$st" \
	"$(cat /tmp/diff.out)"
if grep -q "^+ netns:$NS(forwarded) tcp " /tmp/diff.out &&
	grep -q "^- netns:$NS/gone(forwarded) tcp " /tmp/diff.out; then
	ok "diff: '+' for the new $NS, '-' for the old one ($NS/gone)"
else
	fail "diff: '+' for the new $NS, '-' for the old one ($NS/gone)" \
		"$(cat /tmp/diff.out)"
fi
check "the policy loads again" torfwctl load "$REFERENCE_CONF"
out=$(torfwctl explain - tcp 192.0.2.1:80 --netns $NS 2>&1) || true
expect_eq "explain: after the load the new $NS is granted" \
	accepted "$(verdict "$out")" "$out"
