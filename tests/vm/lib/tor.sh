# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# A real Tor daemon in the test VM (Debian's tor, copied from the host by
# mkinitramfs.sh). Sourced by the scenarios that need it; defines only.
#
# It runs as debian-tor (User), with the ports of the reference policy:
# SOCKS 9050, 9062, 9063, ControlPort 9052, TransPort 9040, DNSPort 5353,
# AutomapHostsOnResolve over 127.192.0.0/10. Its outbound connections are
# bound to 192.0.2.3 (OutboundBindAddress, an extra address on up0 that
# lib/leak.sh adds), so a capture can tell Tor's packets from anything
# else. It cannot reach a Tor network (the internet namespace answers
# every address with plain responders), so what can be checked is local:
# its listeners, the automap answers of its DNSPort, what it logs about
# the streams it receives, and that its own connection attempts leave.
#
# Its info-level log (SafeLogging 0, so names are not scrubbed) is
# $TOR_LOG.

TOR_RUN=/run/torfw-tor
TOR_LOG=$TOR_RUN/tor.log
TOR_DATA=/var/lib/tor/torfw-vm
TOR_BIND=192.0.2.3
TOR_VNET=127.192.0.0/10
TOR_TCP_PORTS='9050 9062 9063 9052 9040'
TOR_UDP_PORTS='5353'
# A well-formed v3 onion address (checksum and version valid): Tor's
# DNSPort automaps it without any network.
TOR_ONION=2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion
# How Tor's log names it (with or without the suffix).
# shellcheck disable=SC2034 # used by the scenarios
TOR_ONION_ID=${TOR_ONION%.onion}

tor_write_conf() {
	cat <<EOF
User debian-tor
DataDirectory $TOR_DATA
RunAsDaemon 0
Log notice stderr
Log info file $TOR_LOG
SafeLogging 0
AvoidDiskWrites 1
SocksPort 127.0.0.1:9050
SocksPort 127.0.0.1:9062 IsolateDestAddr IsolateDestPort
SocksPort 127.0.0.1:9063 IsolateDestAddr IsolateDestPort
ControlPort 127.0.0.1:9052
CookieAuthentication 1
TransPort 127.0.0.1:9040
DNSPort 127.0.0.1:5353
AutomapHostsOnResolve 1
VirtualAddrNetworkIPv4 $TOR_VNET
OutboundBindAddress $TOR_BIND
ClientUseIPv6 0
EOF
}

tor_running() {
	[ -s "$TOR_RUN/tor.pid" ] && kill -0 "$(cat "$TOR_RUN/tor.pid")" 2>/dev/null
}

# The ports of TOR_TCP_PORTS and TOR_UDP_PORTS that nothing listens on.
tor_missing_ports() {
	local have p
	have=$(/bin/ss -Hlntu | awk '{ n = split($5, a, ":"); print $1 ":" a[n] }')
	for p in $TOR_TCP_PORTS; do
		echo "$have" | grep -qx "tcp:$p" || echo "tcp:$p"
	done
	for p in $TOR_UDP_PORTS; do
		echo "$have" | grep -qx "udp:$p" || echo "udp:$p"
	done
}

# tor_start [SECONDS]: starts tor (as root; it switches to debian-tor) and
# waits until all its listeners are open (default 90 s: under TCG, the
# kernel's RNG may need a while after boot, and tor waits for it).
tor_start() {
	local limit=$((${1:-90} * 10)) i=0
	tor_running && return 0
	mkdir -p "$TOR_RUN" "$TOR_DATA"
	chown debian-tor:debian-tor "$TOR_DATA" "$TOR_RUN"
	chmod 700 "$TOR_DATA"
	: >"$TOR_LOG"
	chown debian-tor:debian-tor "$TOR_LOG"
	tor_write_conf >"$TOR_RUN/torrc"
	/usr/bin/tor --defaults-torrc /dev/null -f "$TOR_RUN/torrc" \
		</dev/null >"$TOR_RUN/stderr.log" 2>&1 &
	echo $! >"$TOR_RUN/tor.pid"
	while [ -n "$(tor_missing_ports)" ]; do
		i=$((i + 1))
		if [ $i -gt $limit ] || ! tor_running; then
			echo "tor_start: not listening: $(tor_missing_ports | tr '\n' ' ')" >&2
			tail -n 20 "$TOR_RUN/stderr.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

tor_stop() {
	local pid i=0
	[ -s "$TOR_RUN/tor.pid" ] || return 0
	pid=$(cat "$TOR_RUN/tor.pid")
	kill "$pid" 2>/dev/null || true
	# SIGTERM: tor closes its listeners and exits at once (a client).
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 50 ] || { kill -KILL "$pid" 2>/dev/null; break; }
		sleep 0.1
	done
	rm -f "$TOR_RUN/tor.pid"
}

# tor_uid: the uid tor runs as (its pid file's process), or nothing.
tor_uid() {
	tor_running || return 1
	awk '/^Uid:/ { print $2 }' "/proc/$(cat "$TOR_RUN/tor.pid")/status"
}

# tor_log_wait PATTERN [SECONDS]: until tor's log has a line matching the
# extended regex PATTERN (default 5 s); prints the first such line.
tor_log_wait() {
	local i=0 limit=$((${2:-5} * 10))
	until grep -Eq -- "$1" "$TOR_LOG"; do
		i=$((i + 1))
		[ $i -le $limit ] || return 1
		sleep 0.1
	done
	grep -E -m 1 -- "$1" "$TOR_LOG"
}

# ---- probes (run as some user through lib/leakprobe.sh) -----------------

# tor_resolve NAME: asks the system resolver (127.0.0.1:53, which the
# policy redirects to the DNSPort) for NAME's A record; prints the address
# and succeeds if it is one of Tor's automap addresses (TOR_VNET).
tor_resolve() {
	local out addr
	out=$(dig @127.0.0.1 +tries=1 +time=3 +noidnin +noidnout "$1" A 2>&1)
	addr=$(echo "$out" | awk '$4 == "A" { print $5; exit }')
	echo "${addr:-no A record}"
	[ -n "$addr" ] || { echo "$out" | grep -E '^;; |status:'; return 1; }
	case $addr in
	127.19[2-9].* | 127.2[0-5][0-9].*) return 0 ;;
	*) echo "not in $TOR_VNET"; return 1 ;;
	esac
}

# tor_socks NAME: an HTTP request for NAME through Tor's SOCKS port with
# the name resolved by Tor (socks5h). Without a Tor network it cannot
# succeed; it passes when Tor took the request, i.e. when curl failed at
# the SOCKS or transfer stage (97 proxy handshake error, 28 time-out)
# rather than at the connection (7, e.g. ECONNREFUSED).
tor_socks() {
	local rc=0
	curl -sS --max-time 3 --socks5-hostname 127.0.0.1:9050 \
		"http://$1/" >/dev/null 2>/tmp/curl.$$ || rc=$?
	cat /tmp/curl.$$
	rm -f /tmp/curl.$$
	echo "curl exit status $rc"
	case $rc in
	97 | 28) return 0 ;;
	*) return 1 ;;
	esac
}
