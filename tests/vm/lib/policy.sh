# SPDX-License-Identifier: GPL-2.0
#
# Sourced by scenarios that need the module with a policy loaded. Defines
# only; no side effects. The reference policy is ctl/torfw.conf, installed
# in the guest as /etc/torfw/torfw.conf.

REFERENCE_CONF=/etc/torfw/torfw.conf

# policy_up: module loaded, topology up (the clearnet netns must exist for
# its grant), reference policy active.
policy_up() {
	topo_up
	grep -q '^torfw ' /proc/modules || modprobe torfw
	torfwctl load "$REFERENCE_CONF" >/dev/null
}

# policy_generation: the active generation (0 when none).
policy_generation() {
	torfwctl status | sed -n 's/^generation: //p'
}
