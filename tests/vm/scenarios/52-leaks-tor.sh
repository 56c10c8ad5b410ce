#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end leak suite (DESIGN.md, section 5), part 3 of 5 (the list: 50-leaks):
# Tor's ports and the two redirects, each as each user
# of the reference policy plus one it does not name: SOCKS 9050, 9062,
# 9063, ControlPort 9052, TransPort 9040, DNSPort 5353, system DNS
# (udp 127.0.0.1:53 -> 5353) and automap (tcp 127.192.0.0/10 -> 9040).
# The filter sees the rewritten destination, so a redirect is open only
# to the users of the port it leads to. _apt's DNS is dropped silently.
# debian-tor may reach loopback ports that no entry lists (rule 4), not
# those an entry gives to others: its own ports included.
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
*|tcp 127.0.0.1:9050, Tor SOCKS|amnesia _apt proxy nobody tails-upgrade-frontend debian-tor|-|loopback|lp_tcp 127.0.0.1 9050
*|tcp 127.0.0.1:9062, Tor SOCKS (browser)|amnesia htp tails-upgrade-frontend debian-tor|-|loopback|lp_tcp 127.0.0.1 9062
*|tcp 127.0.0.1:9063, Tor SOCKS (upgrader)|tails-iuk-get-target-file debian-tor|-|loopback|lp_tcp 127.0.0.1 9063
*|tcp 127.0.0.1:9052, Tor ControlPort|root debian-tor|-|loopback|lp_tcp 127.0.0.1 9052
*|tcp 127.0.0.1:9040, Tor TransPort|amnesia debian-tor|-|loopback|lp_tcp 127.0.0.1 9040
*|tcp 127.192.0.10:80, automap -> TransPort|amnesia debian-tor|-|loopback|lp_tcp 127.192.0.10 80
*|udp 127.0.0.1:53, system DNS -> DNSPort (dig .onion)|amnesia htp debian-tor|_apt|loopback/service-drop|lp_dns 127.0.0.1 udp 53 $TOR_ONION
*|udp 127.0.0.1:5353, Tor DNSPort (dig .onion)|amnesia htp debian-tor|_apt|loopback/service-drop|lp_dns 127.0.0.1 udp 5353 $TOR_ONION
"

leak_suite_begin || true
leak_matrix "$MATRIX"
