#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# explain and diff against golden files (tests/golden/), on an image's
# users (check --root's): cli.sh runs it as "explain.sh CTL ROOT" with
# ROOT holding the reference policy as /etc/torfw/torfw.conf; with a third
# argument "--update" it rewrites the golden files instead.
# explain: one question per rule of DESIGN.md section 2 (and its
# refusals); diff: the reference against itself and against five edits,
# each checked against the lock's own verdict on the same pair.
set -u

ctl=$1
root=$2
update=${3:-}
golden=$(cd "$(dirname "$0")" && pwd)/golden
conf=$root/etc/torfw
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; shift; printf '%s\n' "$@" | sed 's/^/#   /'; }

# golden NAME DESC: compares $root/out (paths of ROOT as ROOT) to NAME.
golden() {
	sed "s|$root|ROOT|g" "$root/out" >"$root/out.norm"
	if [ "$update" = --update ]; then
		cp "$root/out.norm" "$golden/$1"
	fi
	if cmp -s "$root/out.norm" "$golden/$1"; then
		ok "$2"
	else
		not_ok "$2" "$(diff -u "$golden/$1" "$root/out.norm" | head -n 40)"
	fi
}

# ---- explain ---------------------------------------------------------------

: >"$root/out"
while read -r q; do
	[ -n "$q" ] || continue
	{
		echo "\$ explain $q"
		# shellcheck disable=SC2086 # a question is words
		"$ctl" explain --root "$root" -f /etc/torfw/torfw.conf $q 2>&1
		echo "[exit $?]"
	} >>"$root/out"
done <<'Q'
amnesia tcp 127.0.0.1:9050
nobody tcp 127.0.0.1:9050
htp tcp 127.0.0.1:9050
amnesia tcp 127.0.0.1:9052
root tcp 127.0.0.1:9052
tails-iuk-get-target-file tcp 127.0.0.1:9063
amnesia tcp 127.0.0.1:951
amnesia tcp 127.0.0.1:17600
amnesia tcp 127.0.0.1:17651
amnesia udp 127.0.0.1:5353
_apt udp 127.0.0.1:5353
amnesia udp 127.0.0.1:53
root udp 127.0.0.1:53
amnesia tcp 127.192.0.7:80
htp tcp 127.192.0.7:80
amnesia tcp 127.0.0.1:7000
amnesia tcp [::1]:4101
amnesia tcp [::1]:631
clearnet tcp 192.0.2.1:443
clearnet udp 192.0.2.1:53
clearnet udp 192.0.2.1:123
debian-tor tcp 192.0.2.1:9001
debian-tor tcp 127.0.0.1:17600
debian-tor udp 192.0.2.1:53
amnesia tcp 192.168.1.10:445
amnesia udp 192.168.1.10:53
amnesia udp 10.1.2.3:137
amnesia tcp 192.0.2.1:443
amnesia udp 192.0.2.1:443
amnesia icmp 192.0.2.1
amnesia tcp [2001:db8::1]:443
kernel-socket tcp 127.0.0.1:9050
no-socket tcp 192.0.2.1:443
- tcp 192.0.2.1:443 --netns clearnet
- udp 192.0.2.1:443 --netns clearnet --forward
- tcp 127.0.0.1:9050 --netns clearnet --forward
- tcp 192.0.2.1:443 --netns other
- tcp 10.0.0.1:7777 --netns clearnet --in
- tcp 192.0.2.9:22 --in
-j amnesia udp 127.0.0.1:53
nosuchuser tcp 127.0.0.1:9050
amnesia tcp 127.0.0.1
amnesia icmp 127.0.0.1:7
amnesia bogus 127.0.0.1:1
amnesia tcp 127.0.0.1:99999
- tcp 192.0.2.1:443 --forward
amnesia tcp 0.0.0.0:9050
amnesia tcp [::ffff:127.0.0.1]:9052
amnesia tcp [::]:4101
no-socket tcp 192.0.2.1:443
-- amnesia tcp 127.0.0.1:9050
- tcp 192.0.2.1:443 --netns a123456789012345678901234567890123456789012345678901234567890123
Q
golden explain.out "explain: the rules of DESIGN.md section 2, usage errors"

# A service on an address of the host: the kernel routes it through
# loopback, where the allow-list decides, not the LAN range around it.
printf 'lan 10.0.0.0/8\nallow tcp 10.200.1.1:8080 amnesia\n' >"$conf/host.conf"
{
	"$ctl" explain --root "$root" -f /etc/torfw/host.conf amnesia tcp 10.200.1.1:8080
	"$ctl" explain --root "$root" -f /etc/torfw/host.conf nobody tcp 10.200.1.1:8080
	"$ctl" explain --root "$root" -f /etc/torfw/host.conf nobody tcp 10.200.1.2:8080
} >"$root/out" 2>&1
golden explain-host.out "explain: an address an entry names is local"

# A namespace's connection: to this host by default when the address is
# local, forwarded otherwise; loopback is its own (or a martian).
printf 'allow tcp 10.200.1.1:8080 netns clearnet\ngrant netns clearnet\n' >"$conf/ns.conf"
{
	for q in "- tcp 10.200.1.1:8080 --netns clearnet" \
		"- tcp 10.200.1.1:22 --netns clearnet" \
		"- tcp 192.0.2.1:22 --netns clearnet" \
		"- tcp 127.0.0.1:8080 --netns clearnet" \
		"- tcp 127.0.0.1:8080 --in"; do
		echo "\$ explain $q"
		# shellcheck disable=SC2086 # a question is words
		"$ctl" explain --root "$root" -f /etc/torfw/ns.conf $q 2>&1
		echo "[exit $?]"
	done
} >"$root/out"
golden explain-netns.out "explain: a namespace's connection, to the host or forwarded"

# cgroup principals: a socket in a named cgroup, below it, in another,
# in a look-alike (a named path's names under another parent). The
# principal is the path: no machine's cgroups are read.
B=/user.slice/user-1000.slice/user@1000.service/app.slice/tor-browser.service
# A socket's cgroup may be deeper and longer than a principal: the kernel
# matches it by the names of its first 16 levels (B under 16 others is
# not in B).
DEEP=/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16
LONG=$(printf '%0300d' 0)
printf 'role tor debian-tor cgroup:/system.slice/onionshare.service\nallow tcp 127.0.0.1:9050 amnesia cgroup:%s drop cgroup:/user.slice\n' \
	"$B" >"$conf/cg.conf"
{
	for q in "nobody tcp 127.0.0.1:9050 --cgroup $B" \
		"nobody tcp 127.0.0.1:9050 --cgroup $B/app-1.scope" \
		"nobody tcp 127.0.0.1:9050 --cgroup /user.slice/user-1000.slice" \
		"nobody tcp 127.0.0.1:9050 --cgroup /system.slice/user.slice" \
		"nobody tcp 127.0.0.1:9050" \
		"amnesia tcp 127.0.0.1:9050 --cgroup /user.slice" \
		"nobody tcp 192.0.2.1:443 --cgroup /system.slice/onionshare.service" \
		"-j nobody tcp 192.0.2.1:443 --cgroup /system.slice/onionshare.service" \
		"nobody tcp 127.0.0.1:9051 --cgroup /system.slice/onionshare.service" \
		"nobody tcp 127.0.0.1:9050 --cgroup /a/../b" \
		"nobody tcp 127.0.0.1:9050 --cgroup $B$DEEP" \
		"nobody tcp 127.0.0.1:9050 --cgroup /q$DEEP$B" \
		"nobody tcp 127.0.0.1:9050 --cgroup $B/$LONG" \
		"nobody tcp 127.0.0.1:9050 --cgroup /" \
		"nobody tcp 127.0.0.1:9050 --cgroup /a --in"; do
		echo "\$ explain $q"
		# shellcheck disable=SC2086 # a question is words
		"$ctl" explain --root "$root" -f /etc/torfw/cg.conf $q 2>&1
		echo "[exit $?]"
	done
} >"$root/out"
golden explain-cgroup.out "explain --cgroup: the principal that decided"

# ---- diff ------------------------------------------------------------------

sed 's/^\(allow tcp 127.0.0.1:9050 .*\) nobody /\1 /' "$conf/torfw.conf" >"$conf/minus-user.conf"
sed 's/^allow tcp 127.0.0.1:17600-17650 /allow tcp 127.0.0.1:17600-17640 /' "$conf/torfw.conf" >"$conf/narrow.conf"
sed 's|^lan 10.0.0.0/8 |lan 100.64.0.0/10 10.0.0.0/8 |' "$conf/torfw.conf" >"$conf/lan-added.conf"
sed 's/^role tor debian-tor$/role tor debian-tor htp/' "$conf/torfw.conf" >"$conf/tor-gains.conf"
sed 's/^grant netns clearnet$//' "$conf/torfw.conf" >"$conf/no-grant.conf"
sed 's|^redirect automap 127.192.0.0/10 to 9040$|redirect automap 127.192.0.0/10 to 9041|' "$conf/torfw.conf" >"$conf/redirect.conf"
# cgroup principals: one added to an entry, one given the tor role (and
# removed: the other way round, below).
sed 's|^\(allow tcp 127.0.0.1:9050 .*\)$|\1 cgroup:/user.slice/user-1000.slice/user@1000.service/app.slice/tor-browser.service|' "$conf/torfw.conf" >"$conf/cg-added.conf"
sed 's|^role tor debian-tor$|role tor debian-tor cgroup:/system.slice/onionshare.service|' "$conf/torfw.conf" >"$conf/cg-tor.conf"
for v in minus-user narrow lan-added tor-gains no-grant redirect cg-added cg-tor; do
	if cmp -s "$conf/torfw.conf" "$conf/$v.conf"; then
		not_ok "diff: the edit $v changes the reference" "sed matched nothing"
	fi
done

"$ctl" diff --root "$root" /etc/torfw/torfw.conf /etc/torfw/torfw.conf >"$root/out" 2>&1
st=$?
if [ $st -eq 0 ] && [ ! -s "$root/out" ]; then
	ok "diff: the reference against itself: nothing, exit 0"
else
	not_ok "diff: the reference against itself: nothing, exit 0" "exit $st" "$(cat "$root/out")"
fi

# lock_agrees DESC ST: diff's output ($root/out, exit status ST) changed
# something, and the lock refuses exactly the loads that open something:
# a "+" line.
lock_agrees() {
	opens=no
	grep -q '^+ ' "$root/out" && opens=yes
	lock=loads
	grep -q '^# a locked OLD refuses NEW' "$root/out" && lock=refuses
	if [ "$2" -eq 1 ] && { [ $opens$lock = yesrefuses ] || [ $opens$lock = noloads ]; }; then
		ok "diff: $1: exit 1, and the lock agrees ('+' lines: $opens, lock $lock)"
	else
		not_ok "diff: $1: exit 1, and the lock agrees" "exit $2, '+' lines: $opens, lock $lock"
	fi
}

for v in minus-user narrow lan-added tor-gains no-grant redirect cg-added cg-tor; do
	"$ctl" diff --root "$root" /etc/torfw/torfw.conf "/etc/torfw/$v.conf" >"$root/out" 2>&1
	st=$?
	golden "diff-$v.out" "diff: reference -> $v (exit $st)"
	lock_agrees "reference -> $v" $st
	# And the other way round.
	"$ctl" diff --root "$root" "/etc/torfw/$v.conf" /etc/torfw/torfw.conf >"$root/out" 2>&1
	lock_agrees "$v -> reference" $?
done

# A cgroup removed from an entry: what cg-added opened, closed again.
"$ctl" diff --root "$root" /etc/torfw/cg-added.conf /etc/torfw/torfw.conf >"$root/out" 2>&1
golden diff-cg-removed.out "diff: a cgroup removed from an entry (exit $?)"
"$ctl" diff --root "$root" -j /etc/torfw/torfw.conf /etc/torfw/cg-added.conf >"$root/out" 2>&1
golden diff-cg-added.json "diff -j: a cgroup added to an entry"

# A redirect decides before the allow-list: an entry it hides opens
# nothing (the lock, comparing before redirects, still refuses it).
printf 'redirect dns 127.0.0.53:53 to 5353\nallow udp 127.0.0.1:5353 amnesia\n' >"$conf/r1.conf"
{ cat "$conf/r1.conf"; echo 'allow udp 127.0.0.53:53 nobody'; } >"$conf/r2.conf"
printf 'redirect dns 127.0.0.53:53 to 5353\nallow udp 127.0.0.1:5353 amnesia nobody\n' >"$conf/r3.conf"
for v in r2 r3; do
	"$ctl" diff --root "$root" /etc/torfw/r1.conf "/etc/torfw/$v.conf" >"$root/out" 2>&1
	echo "[exit $?]" >>"$root/out"
	golden "diff-r1-$v.out" "diff: r1 -> $v (redirects decide first)"
done

# Small policies: what the classes are called.
printf 'allow tcp 127.0.0.1:9050 amnesia\n' >"$conf/s-exact.conf"
printf 'allow tcp 127.0.0.1:9050 amnesia\nallow tcp 0.0.0.0:9050 nobody\n' >"$conf/s-any.conf"
printf 'allow udp 127.0.0.1:53 amnesia\nallow tcp 0.0.0.0:8080 netns web\n' >"$conf/s-netns.conf"
printf 'nosocket accept\n' >"$conf/s-nosock.conf"
printf 'allow tcp [::1]:4101 amnesia\nallow tcp [::]:8080 nobody\n' >"$conf/s-v6.conf"
# The packet role given to a cgroup: a packet socket's frames in it.
printf 'allow tcp 127.0.0.1:9050 amnesia\nrole packet cgroup:/system.slice/dhcp.service\n' >"$conf/s-pkt-cg.conf"
: >"$conf/s-empty.conf"
for v in "s-exact s-any" "s-empty s-netns" "s-empty s-nosock" "s-exact s-v6" \
	"s-exact s-pkt-cg"; do
	# shellcheck disable=SC2086 # two words
	set -- $v
	"$ctl" diff --root "$root" "/etc/torfw/$1.conf" "/etc/torfw/$2.conf" >"$root/out" 2>&1
	golden "diff-$1-$2.out" "diff: $1 -> $2 (the names of classes)"
done

"$ctl" diff --root "$root" -j /etc/torfw/torfw.conf /etc/torfw/narrow.conf >"$root/out" 2>&1
golden diff-narrow.json "diff -j: reference -> narrow"

"$ctl" diff --root "$root" /etc/torfw/torfw.conf >"$root/out" 2>&1
st=$?
"$ctl" diff --root "$root" /etc/torfw/torfw.conf /etc/torfw/none.conf >>"$root/out" 2>&1
st2=$?
if [ $st -eq 2 ] && [ $st2 -eq 2 ] && grep -q 'OLD and NEW are needed' "$root/out" &&
	grep -q 'none.conf' "$root/out"; then
	ok "diff: usage and file errors exit 2"
else
	not_ok "diff: usage and file errors exit 2" "exit $st and $st2" "$(cat "$root/out")"
fi

echo "explain tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
