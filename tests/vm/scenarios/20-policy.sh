#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The reference policy (ctl/torfw.conf, DESIGN.md section 2) with real
# clients, each run with setpriv as the uid a rule names: every rule has
# at least one case that passes and one that is refused. Refusals of
# locally generated packets must come at once (refused: within
# REFUSE_LIMIT, nothing sent on up0/lan0; refused_econn: and the client
# saw ECONNREFUSED, its connect bounded to 1 s); silent drops (_apt's DNS)
# must leave the client without answer or error; forwarded and inbound
# refusals are drops (blocked). Every listener a refusal is tested against
# exists, so a refusal is the module's, not a missing server's.
#
# Then: automap (SO_ORIGINAL_DST through tests/vm/tools/origdst), the
# system DNS redirect, PLPMTUD and the kernel log lines. The 1,000 policy
# replacements under traffic are in 30-control (atomic replace is a
# control-plane promise, and each scenario has its own time limit).
set -eu
. /tests/vm/lib/common.sh
. /tests/vm/lib/policy.sh

cleanup() {
	svc_stop_all
	if module_loaded torfw; then
		torfwctl flush >/dev/null 2>&1 || true
		rmmod torfw 2>/dev/null || true
	fi
	return 0
}
trap cleanup EXIT

# ---- load ------------------------------------------------------------------

# PLPMTUD: the load itself turns it on (DESIGN.md: ICMP "fragmentation
# needed" never passes, so the tool enables tcp_mtu_probing).
setsys net/ipv4/tcp_mtu_probing 0
policy_up
expect_eq "load: policy loaded with the reference's 12 allow-list entries" \
	"loaded 12" "$(torfwctl status | awk '/^policy:/ { p = $2 } /^entries:/ { e = $2 } END { print p, e }')"
expect_eq "PLPMTUD: net.ipv4.tcp_mtu_probing is 1 after the load (was 0)" \
	1 "$(cat /proc/sys/net/ipv4/tcp_mtu_probing)"

# ---- servers ---------------------------------------------------------------

# Echo servers (as root) on every loopback allow-list port, on the edges
# of the OnionShare range and just outside it, on a port nobody is allowed
# (7000), and on ::1.
for p in 9050 9062 9063 9052 951 4101 631 17599 17600 17625 17650 17651 7000; do
	svc_listen tcp 127.0.0.1 $p
done
svc_listen tcp ::1 4101
svc_listen tcp ::1 631
# Just outside 127.192.0.0/10: not redirected, so it reaches this server.
svc_listen tcp 127.191.255.255 80
# The TransPort: reports what the client dialed (SO_ORIGINAL_DST).
svc_spawn as debian-tor $TOOLS/origdst 127.0.0.1 9040
wait_listen 9040
# The DNSPort: Tor answers its clients from loopback (rule 4).
svc_spawn as debian-tor socat -T1 UDP4-RECVFROM:5353,bind=127.0.0.1,fork \
	EXEC:"$GUEST/dns-responder.sh udp"
wait_udp 5353
# Host services on every address, for the namespaces to (not) reach.
svc_listen tcp 0.0.0.0 7777
svc_listen udp 0.0.0.0 7778
# Other UDP on the LAN host; a server in the clearnet namespace; a big
# download on the internet host.
svc_spawn /sbin/ip netns exec lan socat -T1 UDP4-RECVFROM:7,fork PIPE
svc_spawn /sbin/ip netns exec clearnet socat TCP4-LISTEN:7779,reuseaddr,fork PIPE
DL_BYTES=4000000
svc_spawn /sbin/ip netns exec internet socat TCP4-LISTEN:9100,reuseaddr,fork \
	EXEC:"head -c $DL_BYTES /dev/zero"
sleep 1
note "listening (host): $(/bin/ss -Hlnut | awk '{ print $1 ":" $5 }' | tr '\n' ' ')"

# ---- rule 2: the loopback allow-list ----------------------------------------

# From here on, every probe first asks torfwctl explain (lib/policy.sh).
EXPLAIN_AGREE=1

# allow_case ADDR PORT "ALLOWED USERS" "REFUSED USERS"
allow_case() {
	local addr=$1 port=$2 u
	for u in $3; do
		check "rule 2: $u may connect to tcp $(sock_addr "$addr" "$port") (listed)" \
			as "$u" svc_tcp "$addr" "$port"
	done
	for u in $4; do
		refused_econn "rule 2: $u is refused at once on tcp $(sock_addr "$addr" "$port") (not listed)" \
			as "$u" svc_tcp "$addr" "$port"
	done
}

allow_case 127.0.0.1 9050 "amnesia _apt proxy nobody tails-upgrade-frontend" \
	"stranger root htp"
allow_case 127.0.0.1 9062 "amnesia htp tails-upgrade-frontend" "stranger _apt"
allow_case 127.0.0.1 9063 "tails-iuk-get-target-file" "amnesia stranger"
allow_case 127.0.0.1 9052 root "amnesia stranger"
allow_case 127.0.0.1 951 "amnesia root" "stranger Debian-gdm"
allow_case 127.0.0.1 4101 "amnesia Debian-gdm" "stranger root"
allow_case 127.0.0.1 631 amnesia "stranger root"
allow_case ::1 4101 "amnesia Debian-gdm" "stranger root"

# OnionShare 17600-17650: both ends and the middle; one off either end.
allow_case 127.0.0.1 17600 amnesia stranger
allow_case 127.0.0.1 17625 amnesia ""
allow_case 127.0.0.1 17650 amnesia ""
allow_case 127.0.0.1 17599 "" amnesia
allow_case 127.0.0.1 17651 "" amnesia

# Anything else to loopback is refused, IPv4 and IPv6; Tor may (rule 4).
allow_case 127.0.0.1 7000 debian-tor "amnesia root"
allow_case ::1 631 "" amnesia

# TransPort 9040 (amnesia only), straight to the port: origdst answers.
check "rule 2: amnesia may connect to tcp 127.0.0.1:9040 (TransPort)" \
	as amnesia orig_dst 127.0.0.1 9040 127.0.0.1:9040
refused_econn "rule 2: htp is refused at once on tcp 127.0.0.1:9040" \
	as htp orig_dst 127.0.0.1 9040 127.0.0.1:9040

# DNS 5353 (amnesia, htp; _apt dropped silently).
check "rule 2: amnesia's query to udp 127.0.0.1:5353 is answered" \
	as amnesia dns_ask 127.0.0.1 5353
check "rule 2: htp's query to udp 127.0.0.1:5353 is answered" \
	as htp dns_ask 127.0.0.1 5353
refused_econn "rule 2: stranger's query to udp 127.0.0.1:5353 is refused at once" \
	as stranger dns_ask 127.0.0.1 5353
silent "rule 2: _apt's query to udp 127.0.0.1:5353 is dropped silently (no reply, no ICMP, no error)" \
	as _apt dns_ask 127.0.0.1 5353

# ---- system DNS: udp 127.0.0.1:53 -> the DNSPort 5353 -----------------------

note "udp/53 listeners on the host (none expected): $(/bin/ss -Hlnu 'sport = :53' | wc -l)"
check "system DNS: amnesia's dig @127.0.0.1 (port 53) is answered by the DNSPort on 5353" \
	as amnesia dns_ask 127.0.0.1 53
check "system DNS: htp's dig @127.0.0.1 is answered" as htp dns_ask 127.0.0.1 53
refused_econn "system DNS: stranger's dig @127.0.0.1 is refused at once" \
	as stranger dns_ask 127.0.0.1 53
refused_econn "system DNS: root's dig @127.0.0.1 is refused at once" \
	as root dns_ask 127.0.0.1 53
silent "system DNS: _apt's dig @127.0.0.1 (udp 53) is dropped silently" \
	as _apt dns_ask 127.0.0.1 53

# ---- automap: tcp 127.192.0.0/10 -> 127.0.0.1:9040 --------------------------

check "automap: amnesia dials 127.200.1.2:80, origdst on 9040 reports 127.200.1.2:80" \
	as amnesia orig_dst 127.200.1.2 80 127.200.1.2:80
check "automap: first address of the /10: 127.192.0.0:443 reported as dialed" \
	as amnesia orig_dst 127.192.0.0 443 127.192.0.0:443
check "automap: last address of the /10: 127.255.255.254:9999 reported as dialed" \
	as amnesia orig_dst 127.255.255.254 9999 127.255.255.254:9999
refused_econn "automap: stranger's connect to 127.200.1.2:80 is refused at once (9040 is amnesia's)" \
	as stranger orig_dst 127.200.1.2 80 127.200.1.2:80
refused_econn "automap: root's connect to 127.200.1.2:80 is refused at once" \
	as root orig_dst 127.200.1.2 80 127.200.1.2:80
check "automap: 127.191.255.255 (outside the /10) is not redirected: debian-tor reaches the server there" \
	as debian-tor svc_tcp 127.191.255.255 80
refused_econn "automap: amnesia to 127.191.255.255:80 is not redirected, so rule 2 refuses it" \
	as amnesia svc_tcp 127.191.255.255 80

# ---- rule 3: the clearnet uid -----------------------------------------------

check "rule 3: clearnet uid tcp 192.0.2.1:80 passes" as clearnet http_get 192.0.2.1 80
check "rule 3: clearnet uid tcp 198.51.100.7:443 passes" as clearnet http_get 198.51.100.7 443
check "rule 3: clearnet uid udp 53 to the internet (192.0.2.1) passes" \
	as clearnet dns_ask 192.0.2.1 53
check "rule 3: clearnet uid udp 53 to the LAN (192.168.50.1) passes" \
	as clearnet dns_ask 192.168.50.1 53
check "rule 3: clearnet uid tcp 53 to the LAN passes (any TCP; rule 3 before rule 5)" \
	as clearnet dns_ask 192.168.50.1 53 tcp
refused_econn "rule 3: clearnet uid udp 192.0.2.1:7 (not 53) is refused at once" \
	as clearnet udp_echo 192.0.2.1 7
refused "rule 3: clearnet uid icmp 192.0.2.1 is refused at once" \
	as clearnet icmp_echo 192.0.2.1

# ---- rule 4: debian-tor ---------------------------------------------------

check "rule 4: debian-tor tcp 192.0.2.1:80 passes" as debian-tor http_get 192.0.2.1 80
check "rule 4: debian-tor tcp 198.51.100.7:443 passes (anywhere)" \
	as debian-tor http_get 198.51.100.7 443
check "rule 4: debian-tor tcp 192.168.50.1:8080 passes" \
	as debian-tor http_get 192.168.50.1 8080
check "rule 4: debian-tor udp 53 to 192.0.2.1 passes" as debian-tor dns_ask 192.0.2.1 53
refused_econn "rule 4: debian-tor udp 192.0.2.1:7 (not 53) is refused at once" \
	as debian-tor udp_echo 192.0.2.1 7
refused "rule 4: debian-tor icmp 192.0.2.1 is refused at once" \
	as debian-tor icmp_echo 192.0.2.1

# Replies are matched to the socket, not to conntrack: a download of some
# size completes, and needs no conntrack entry.
ct_before=$(cat /proc/sys/net/netfilter/nf_conntrack_count)
check "rule 4: debian-tor downloads $DL_BYTES bytes from 192.0.2.1:9100 (replies without conntrack)" \
	as debian-tor tcp_bytes 192.0.2.1 9100 $DL_BYTES
expect_eq "rule 4: that download created no conntrack entry (nf_conntrack_count)" \
	"$ct_before" "$(cat /proc/sys/net/netfilter/nf_conntrack_count)"

# ---- rule 5: the LAN --------------------------------------------------------

check "rule 5: amnesia tcp 192.168.50.1:8080 passes" as amnesia http_get 192.168.50.1 8080
check "rule 5: stranger tcp 192.168.50.1:8080 passes (any uid)" \
	as stranger http_get 192.168.50.1 8080
check "rule 5: amnesia udp 192.168.50.1:7 passes (other UDP)" \
	as amnesia udp_echo 192.168.50.1 7
check "rule 5: root udp 192.168.50.1:7 passes" as root udp_echo 192.168.50.1 7
check "rule 5: amnesia udp 192.168.50.1:7 from an unconnected socket (sendto) gets its reply" \
	as amnesia udp_sendto_echo 192.168.50.1 7
refused_econn "rule 5: amnesia udp 53 to the LAN is refused at once" \
	as amnesia dns_ask 192.168.50.1 53
refused_econn "rule 5: amnesia tcp 53 to the LAN is refused at once" \
	as amnesia dns_ask 192.168.50.1 53 tcp
refused_econn "rule 5: amnesia udp 137 (NetBIOS-NS) to the LAN is refused at once" \
	as amnesia udp_echo 192.168.50.1 137
check "rule 5: amnesia icmp echo to 192.168.50.1 passes (everything else passes; the reply is ESTABLISHED)" \
	as amnesia icmp_echo 192.168.50.1

# ---- rule 6: everything else --------------------------------------------------

for u in amnesia root stranger; do
	refused_econn "rule 6: $u tcp 192.0.2.1:80 is refused at once" \
		as $u http_get 192.0.2.1 80
	refused_econn "rule 6: $u tcp 198.51.100.7:443 is refused at once" \
		as $u http_get 198.51.100.7 443
	refused_econn "rule 6: $u udp 192.0.2.1:53 is refused at once" \
		as $u dns_ask 192.0.2.1 53
	refused_econn "rule 6: $u udp 192.0.2.1:7 is refused at once" \
		as $u udp_echo 192.0.2.1 7
	refused "rule 6: $u icmp 192.0.2.1 is refused at once" \
		as $u icmp_echo 192.0.2.1
done

# The rejection is an ICMP port-unreachable to the sender (on loopback,
# since the sender is local), besides the synchronous error.
icmp_unreach_seen() {
	local n
	cap_start lo 'icmp[icmptype] == icmp-unreach' || return 1
	"$@" >/dev/null 2>&1 || true
	sleep 0.5
	cap_stop
	n=$(cap_count 'icmp[icmpcode] == 3')
	echo "ICMP port-unreachable on lo: $n; all unreachables: $CAP_N"
	cap_show ''
	[ "$n" -ge 1 ]
}
check "rule 6: amnesia's refused udp 192.0.2.1:7 is answered with ICMP port-unreachable" \
	icmp_unreach_seen as amnesia udp_echo 192.0.2.1 7
check "rule 2: a refused loopback connect (stranger, 127.0.0.1:9050) gets its ICMP port-unreachable (RELATED on loopback passes)" \
	icmp_unreach_seen as stranger svc_tcp 127.0.0.1 9050

# ---- IPv6 ---------------------------------------------------------------------

for u in amnesia root debian-tor; do
	refused_econn "IPv6: $u tcp [2001:db8::1]:80 is refused at once" \
		as $u http_get 2001:db8::1 80
	refused_econn "IPv6: $u udp [2001:db8::1]:7 is refused at once" \
		as $u udp_echo 2001:db8::1 7
	refused "IPv6: $u icmp 2001:db8::1 is refused at once" \
		as $u icmp_echo 2001:db8::1
done
refused_econn "IPv6: clearnet uid tcp [2001:db8::1]:80 is refused at once" \
	as clearnet http_get 2001:db8::1 80

# ---- the clearnet namespace (granted) ----------------------------------------

check "clearnet ns: tcp 192.0.2.1:80 is forwarded" n_clearnet http_get 192.0.2.1 80
check "clearnet ns: udp 192.0.2.1:7 is forwarded" n_clearnet udp_echo 192.0.2.1 7
check "clearnet ns: udp 192.0.2.1:53 is forwarded" n_clearnet dns_ask 192.0.2.1 53
blocked "clearnet ns: icmp 192.0.2.1 is not forwarded (TCP and UDP only)" \
	n_clearnet icmp_echo 192.0.2.1
blocked "clearnet ns: no tcp to the host's 10.200.1.1:7777" n_clearnet tcp_echo 10.200.1.1 7777
blocked "clearnet ns: no tcp to the host's 192.0.2.2:7777" n_clearnet tcp_echo 192.0.2.2 7777
blocked "clearnet ns: no tcp to the host's 192.168.50.2:7777" n_clearnet tcp_echo 192.168.50.2 7777
blocked "clearnet ns: no udp to the host's 10.200.1.1:7778" n_clearnet udp_echo 10.200.1.1 7778
blocked "clearnet ns: no udp to the host's 192.0.2.2:7778" n_clearnet udp_echo 192.0.2.2 7778

# ---- inbound and forwarded from the internet --------------------------------

check "inbound: the host's tcp 7777 answers on loopback (control, debian-tor)" \
	as debian-tor tcp_echo 127.0.0.1 7777
blocked "inbound: the internet ns cannot connect to the host's tcp 192.0.2.2:7777" \
	n_internet tcp_echo 192.0.2.2 7777
blocked "inbound: the internet ns gets nothing from the host's udp 192.0.2.2:7778" \
	n_internet udp_echo 192.0.2.2 7778
# (The host itself may not open connections through a namespace link:
# 22-netns-order. The control is made inside the namespace.)
check "forward: the server on tcp 10.200.1.2:7779 in the clearnet ns answers there (control)" \
	n_clearnet tcp_echo 10.200.1.2 7779
blocked "forward: the internet ns cannot open tcp 10.200.1.2:7779 in the clearnet ns" \
	n_internet tcp_echo 10.200.1.2 7779

EXPLAIN_AGREE=
note "explain: asked before $EXPLAIN_ASKED probes, $EXPLAIN_SKIPPED without a question for it"
expect_eq "explain: asked before most probes of this scenario" yes \
	"$([ "$EXPLAIN_ASKED" -ge 100 ] && echo yes || echo no)" \
	"asked $EXPLAIN_ASKED, skipped $EXPLAIN_SKIPPED"

# ---- the kernel log -----------------------------------------------------------

# The log is rate limited (10/s, bursts of 20 per 2 s): let it refill.
sleep 2.5
klog_mark
as stranger http_get 192.0.2.1 80 >/dev/null 2>&1 || true
as amnesia dns_ask 192.0.2.1 53 >/dev/null 2>&1 || true
as debian-tor udp_echo 192.0.2.1 7 >/dev/null 2>&1 || true
as amnesia udp_echo 192.168.50.1 137 >/dev/null 2>&1 || true
as amnesia http_get 2001:db8::1 80 >/dev/null 2>&1 || true
as stranger svc_tcp 127.0.0.1 9050 >/dev/null 2>&1 || true
for l in 'refused uid=1500 tcp 192.0.2.1:80 reason=internet-tcp' \
	'refused uid=1000 udp 192.0.2.1:53 reason=internet-non-tcp' \
	'refused uid=107 udp 192.0.2.1:7 reason=internet-non-tcp' \
	'refused uid=1000 udp 192.168.50.1:137 reason=lan-refused' \
	'refused uid=1000 tcp [2001:db8::1]:80 reason=ipv6' \
	'refused uid=1500 tcp 127.0.0.1:9050 reason=loopback'; do
	check "kernel log: torfw: $l" klog_has "$l"
done
note "torfw kernel log since the mark:" \
	"$(dmesg | tail -n +"$((KLOG_MARK + 1))" | grep 'torfw: ')"
