#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end leak suite (DESIGN.md, section 5), part 2 of 5 (the list: 50-leaks):
# IPv6 and the LAN, each probe as each user of the
# reference policy plus one it does not name (lib/leak.sh: leak_matrix).
# IPv6 is refused to everyone (Tor does not use it); the LAN is open
# except DNS and NetBIOS name service, which the clearnet and Tor roles
# (rules 3 and 4, before the LAN rule 5) may still use for DNS.
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
*|tcp [2001:db8::1]:80, IPv6 (curl)|-|-|ipv6|lp_http 2001:db8::1 80
*|udp [2001:db8::1]:53, IPv6 DNS (dig)|-|-|ipv6|lp_dns 2001:db8::1
*|icmpv6 echo 2001:db8::1 (ping)|-|-|ipv6|lp_icmp 2001:db8::1
root amnesia stranger|MLD report: join ff05::1:3 on up0 (socat)|-|*|-/nosock|lp_mcast6 ff05::1:3
*|tcp 192.168.50.1:8080, LAN http (curl)|*|-|-|lp_http 192.168.50.1 8080
*|icmp echo 192.168.50.1, LAN (ping)|*|-|-|lp_icmp 192.168.50.1
*|udp 192.168.50.1:53, LAN DNS (dig)|debian-tor clearnet|-|lan-refused|lp_dns 192.168.50.1
*|tcp 192.168.50.1:53, LAN DNS (dig +tcp)|debian-tor clearnet|-|lan-refused|lp_dns 192.168.50.1 tcp
*|udp 192.168.50.1:137, LAN NetBIOS-NS (socat)|-|-|lan-refused|lp_udp 192.168.50.1 137
"

leak_suite_begin || true
leak_matrix "$MATRIX"
