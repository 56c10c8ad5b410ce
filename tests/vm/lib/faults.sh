# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by busybox ash scripts: local, like dash
#
# Sourced by the fault scenarios (60-62) after policy.sh: torfw's object
# count, a policy of many messages, and background traffic. Defines only.

# shellcheck disable=SC2034 # used by the scenarios
FAULTLOAD=$TOOLS/faultload
FLOWS=/tmp/faults.flows

# objects: torfw's objects alive (TORFW_A_OBJECTS: transactions, policies,
# egress hooks, namespace link tables).
objects() { "$TOOLS"/nlfuzz -S | sed -n 's/.* objects=//p'; }

# objects_settle WANT: the object count, once it is WANT or after a while
# (a replaced policy is freed after an RCU grace period).
objects_settle() {
	local i=0 n
	n=$(objects)
	while [ "$n" != "$1" ] && [ $i -lt $((50 * SLOW)) ]; do
		sleep 0.1
		i=$((i + 1))
		n=$(objects)
	done
	echo "$n"
}

# objects_quiet: the object count once it has not changed for 2 s (at most
# 30 s): a baseline taken right after a load would count the replaced
# policy, which is freed only after an RCU grace period.
objects_quiet() {
	local i=0 n last same=0
	last=$(objects)
	while [ $same -lt 10 ] && [ $i -lt $((150 * SLOW)) ]; do
		sleep 0.2
		i=$((i + 1))
		n=$(objects)
		if [ "$n" = "$last" ]; then
			same=$((same + 1))
		else
			same=0
			last=$n
		fi
	done
	echo "$last"
}

# big_conf N ADDR: the reference without its grant and include (faultload
# opens no namespace), plus N entries on ADDR with 48 uids each: a load of
# many messages.
big_conf() {
	sed '/^grant /d; /^include /d' "$REFERENCE_CONF"
	awk -v n="$1" -v a="$2" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "allow tcp %s:%d", a, i
			for (u = 0; u < 48; u++) printf " %d", 2000 + u
			printf "\n"
		} }'
}

# flows_start: background traffic until flows_stop, each flow a loop that
# writes one line (ok/fail) per run to $FLOWS/NAME: amnesia to the
# SocksPort, to an automap address (NAT to the TransPort), DNS (NAT to
# the DNSPort), a refused connect to the Internet, the clearnet
# namespace's forwarded HTTP, pings on loopback (refused). Needs the
# SocksPort, TransPort and DNSPort listeners (flows_listen).
flows_listen() {
	svc_listen tcp 127.0.0.1 9050
	svc_listen tcp 127.0.0.1 9040
	svc_listen udp 127.0.0.1 5353
}
FLOW_PIDS=''
flow() {
	local name=$1
	shift
	probe_loop "$FLOWS/stop" 0.1 "$@" >>"$FLOWS/$name" 2>&1 &
	FLOW_PIDS="$FLOW_PIDS $!"
}
flows_start() {
	mkdir -p "$FLOWS"
	rm -f "$FLOWS"/*
	flow socks as amnesia svc_tcp 127.0.0.1 9050
	flow automap as amnesia svc_tcp 127.192.0.7 80
	flow dns as amnesia udp_echo 127.0.0.1 53
	flow refused as amnesia http_get 192.0.2.1 80
	flow clearnet n_clearnet http_get 192.0.2.1 80
	flow ping ping -n -q -c 5 -i 0.2 127.0.0.1
	sleep 2
}
# flows_stop: ends the loops (the current run of each finishes first).
flows_stop() {
	[ -n "$FLOW_PIDS" ] || return 0
	touch "$FLOWS/stop"
	# shellcheck disable=SC2086 # one word per pid
	wait $FLOW_PIDS 2>/dev/null || true
	FLOW_PIDS=''
}

# flows_ran: every flow that should pass had passing runs (traffic did
# flow); prints the runs of each.
flows_ran() {
	local f quiet=''
	for f in socks automap dns clearnet; do
		grep -q '^ok' "$FLOWS/$f" || quiet="$quiet $f"
	done
	echo "runs (ok/fail): $(for f in "$FLOWS"/*; do
		[ "$f" = "$FLOWS/stop" ] && continue
		printf '%s %s/%s, ' "${f##*/}" "$(grep -c '^ok' "$f")" "$(grep -c '^fail' "$f")"
	done)"
	[ -z "$quiet" ] || { echo "no passing run:$quiet"; return 1; }
}
