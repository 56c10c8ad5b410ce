#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end leak suite (DESIGN.md, section 5), part 4 of 5 (the list: 50-leaks):
# The other local services of the reference policy's
# allow-list (control-port filter, accessibility on IPv4 and IPv6, CUPS,
# both ends of OnionShare's range) and unlisted ports, each as each user
# of the policy plus one it does not name. The servers are echo servers
# run by root (lib/leak.sh). Rule 4's loopback part: debian-tor reaches
# unlisted IPv4 loopback ports; nobody reaches unlisted ones on ::1.
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh
. /tests/vm/lib/tor.sh
. /tests/vm/lib/leak.sh
leak_trace_on

# Tor sends on up0 all along; "inet" counts only what it may not.
WATCH_DEVS="inet lan0 cn0"

# who|what|pass|drop|reason|probe: see leak_matrix in lib/leak.sh.
MATRIX="
*|tcp 127.0.0.1:951, control-port filter|amnesia root debian-tor|-|loopback|tcp_echo 127.0.0.1 951
*|tcp 127.0.0.1:4101, accessibility|amnesia Debian-gdm debian-tor|-|loopback|tcp_echo 127.0.0.1 4101
*|tcp [::1]:4101, accessibility|amnesia Debian-gdm|-|loopback|tcp_echo ::1 4101
*|tcp 127.0.0.1:631, CUPS|amnesia debian-tor|-|loopback|tcp_echo 127.0.0.1 631
*|tcp 127.0.0.1:17600, OnionShare (first)|amnesia debian-tor|-|loopback|tcp_echo 127.0.0.1 17600
*|tcp 127.0.0.1:17650, OnionShare (last)|amnesia debian-tor|-|loopback|tcp_echo 127.0.0.1 17650
*|tcp 127.0.0.1:17651, unlisted (after OnionShare)|debian-tor|-|loopback|tcp_echo 127.0.0.1 17651
*|tcp 127.0.0.1:5555, unlisted|debian-tor|-|loopback|tcp_echo 127.0.0.1 5555
*|tcp [::1]:5555, unlisted|-|-|loopback|tcp_echo ::1 5555
"

leak_suite_begin || true
leak_matrix "$MATRIX"
