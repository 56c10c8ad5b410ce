#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The command line of torfwctl, without the module: usage errors, version,
# check on good and bad files, exit statuses. Usage: cli.sh ./torfwctl
set -u

ctl=${1:?usage: cli.sh PATH-TO-TORFWCTL}
dir=$(mktemp -d /tmp/torfwctl-cli.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/#   /' "$dir/out" "$dir/err"; }

# run EXPECTED-STATUS ARGS...: output in $dir/out and $dir/err
run() {
	want=$1
	shift
	"$ctl" "$@" >"$dir/out" 2>"$dir/err"
	got=$?
	[ "$got" -eq "$want" ] || { echo "# status $got, expected $want"; return 1; }
}

# An unknown command: one line naming it, then the usage, status 1.
if run 1 bogus && [ "$(head -n 1 "$dir/err")" = "torfwctl: unknown command 'bogus'" ] &&
	sed -n 2p "$dir/err" | grep -q '^Usage: torfwctl' && [ ! -s "$dir/out" ]; then
	ok "unknown command: one line + usage, exit 1"
else
	not_ok "unknown command: one line + usage, exit 1"
fi

if run 1 && grep -q '^Usage: torfwctl' "$dir/err"; then
	ok "no command: usage, exit 1"
else
	not_ok "no command: usage, exit 1"
fi

if run 0 --version && grep -Eq '^torfwctl [0-9A-Za-z.~+-]+ \(torfw netlink protocol [0-9]+\)$' "$dir/out"; then
	ok "--version"
else
	not_ok "--version"
fi

for h in help --help -h; do
	if run 0 "$h" && grep -q '^Usage: torfwctl' "$dir/out" &&
		grep -q '^  monitor ' "$dir/out" && grep -q 'Exit status' "$dir/out"; then
		ok "$h: usage on stdout, exit 0"
	else
		not_ok "$h: usage on stdout, exit 0"
	fi
done

if run 1 status --bogus && [ "$(head -n 1 "$dir/err")" = "torfwctl: status: unknown option '--bogus'" ]; then
	ok "unknown option of a subcommand"
else
	not_ok "unknown option of a subcommand"
fi

cat >"$dir/good.conf" <<'CONF'
# a small valid policy: root always exists
role tor 0
allow tcp 127.0.0.1:9050 root 1000
allow udp [::1]:53 root
lan 10.0.0.0/8
lan-refuse udp 53
redirect dns 127.0.0.1:53 to 5353
CONF
if run 0 check "$dir/good.conf" && [ ! -s "$dir/out" ] && [ ! -s "$dir/err" ]; then
	ok "check of a valid file: silent, exit 0"
else
	not_ok "check of a valid file: silent, exit 0"
fi

printf 'role tor 0 cgroup:/system.slice/tor.service\nallow tcp 127.0.0.1:9050 cgroup:/user.slice/a.slice drop cgroup:/user.slice\n' >"$dir/cg.conf"
printf 'role tor 0\nallow tcp 127.0.0.1:9050 root cgroup:/user.slice//a.slice\n' >"$dir/cg-bad.conf"
if run 0 check "$dir/cg.conf" && [ ! -s "$dir/out" ] && [ ! -s "$dir/err" ] &&
	run 1 check "$dir/cg-bad.conf" &&
	[ "$(cat "$dir/err")" = "$dir/cg-bad.conf:2:31: cgroup path '/user.slice//a.slice' has an empty component ('//')" ]; then
	ok "check: cgroup principals, and a bad path at file:line:col"
else
	not_ok "check: cgroup principals, and a bad path at file:line:col"
fi

printf 'role tor 0\n\nallow tcp 127.0.0.1:0 root\n' >"$dir/bad.conf"
if run 1 check "$dir/bad.conf" &&
	[ "$(cat "$dir/err")" = "$dir/bad.conf:3:21: port '0' out of range (1-65535)" ]; then
	ok "check of a bad file: file:line:col, exit 1"
else
	not_ok "check of a bad file: file:line:col, exit 1"
fi

printf 'allow tcp 127.0.0.1:80 no-such-user-torfw\n' >"$dir/user.conf"
if run 1 check "$dir/user.conf" &&
	[ "$(cat "$dir/err")" = "$dir/user.conf:1:24: unknown user 'no-such-user-torfw'" ]; then
	ok "check: unknown user through NSS"
else
	not_ok "check: unknown user through NSS"
fi

if run 1 check "$dir/missing.conf" &&
	[ "$(cat "$dir/err")" = "$dir/missing.conf: No such file or directory" ]; then
	ok "check of a missing file"
else
	not_ok "check of a missing file"
fi

# "-" reads standard input, named <stdin> in messages.
if printf 'lan 10.0.0.1/8\n' | "$ctl" check - 2>"$dir/err" >"$dir/out"; then
	not_ok "check - (stdin)"
elif [ "$(cat "$dir/err")" = "<stdin>:1:5: host bits set in '10.0.0.1/8' (did you mean 10.0.0.0/8?)" ]; then
	ok "check - (stdin)"
else
	not_ok "check - (stdin)"
fi

if run 1 check a.conf b.conf && grep -q 'too many arguments' "$dir/err"; then
	ok "check: too many arguments"
else
	not_ok "check: too many arguments"
fi

# 16,384 entries on distinct addresses in bounded memory (it took 4 GB
# with a port index per address): under a 100 MiB address-space limit.
i=0
while [ $i -lt 16384 ]; do
	echo "allow tcp 10.1.$((i / 256)).$((i % 256)):80 root"
	i=$((i + 1))
done >"$dir/many.conf"
if (ulimit -v 102400 && "$ctl" check "$dir/many.conf") >"$dir/out" 2>"$dir/err" &&
	[ ! -s "$dir/err" ]; then
	ok "check: 16,384 addresses in under 100 MiB"
else
	not_ok "check: 16,384 addresses in under 100 MiB"
fi

# include /dev/zero fails at once with file:line:col, and so does reading
# it as the configuration itself (the line cap), in bounded memory.
printf '# x\ninclude /dev/zero\n' >"$dir/zero.conf"
if (ulimit -v 102400 && ulimit -t 5 && "$ctl" check "$dir/zero.conf") >"$dir/out" 2>"$dir/err"; then
	not_ok "check: include /dev/zero"
elif [ "$(cat "$dir/err")" = "$dir/zero.conf:2:9: cannot include '/dev/zero': not a regular file (a character device)" ]; then
	ok "check: include /dev/zero"
else
	not_ok "check: include /dev/zero"
fi
if (ulimit -v 102400 && ulimit -t 5 && "$ctl" check /dev/zero) >"$dir/out" 2>"$dir/err"; then
	not_ok "check /dev/zero"
elif [ "$(cat "$dir/err")" = "/dev/zero:1:65537: line too long (at most 65536 bytes)" ]; then
	ok "check /dev/zero: line too long"
else
	not_ok "check /dev/zero: line too long"
fi

# A bad config stops load before any netlink: status 1, not 2 or 3.
if run 1 load "$dir/bad.conf" && grep -q ':3:21: ' "$dir/err"; then
	ok "load of a bad file fails before netlink"
else
	not_ok "load of a bad file fails before netlink"
fi

# Without the module (this machine cannot load it): one clear line, 3, for
# every command that only looks; none of them tries modprobe, which says
# so ("only 'torfwctl load' loads it").
if [ ! -d /sys/module/torfw ]; then
	for c in status show stats monitor flush lock "-j status" "check --kernel $dir/good.conf"; do
		# shellcheck disable=SC2086 # the words of $c are the arguments
		if run 3 $c &&
			[ "$(cat "$dir/err")" = "torfwctl: the torfw module is not loaded (only 'torfwctl load' loads it)" ] &&
			[ ! -s "$dir/out" ]; then
			ok "$c without the module: one line, exit 3"
		else
			not_ok "$c without the module: one line, exit 3"
		fi
	done
else
	echo "# not run: the torfw module is loaded here (exit 3 needs it absent)"
fi

# ---- every error at once -------------------------------------------------

# Eleven bad lines: ten reported, each at its place, then one line saying
# the rest was not read; good lines between them change nothing.
: >"$dir/many.conf"
i=1
while [ $i -le 11 ]; do
	printf 'role tor 0\nlan 10.0.0.%d/8\n' $i >>"$dir/many.conf"
	i=$((i + 1))
done
if run 1 check "$dir/many.conf" && [ "$(wc -l <"$dir/err")" -eq 11 ] &&
	[ "$(sed -n 1p "$dir/err")" = "$dir/many.conf:2:5: host bits set in '10.0.0.1/8' (did you mean 10.0.0.0/8?)" ] &&
	[ "$(sed -n 10p "$dir/err")" = "$dir/many.conf:20:5: host bits set in '10.0.0.10/8' (did you mean 10.0.0.0/8?)" ] &&
	[ "$(sed -n 11p "$dir/err")" = "torfwctl: too many errors, stopping" ]; then
	ok "check: 10 errors at once, then 'too many errors, stopping'"
else
	not_ok "check: 10 errors at once, then 'too many errors, stopping'"
fi

# ---- check --print: the effective policy -----------------------------------

mkdir -p "$dir/conf.d"
printf 'allow tcp 127.0.0.1:8080-8080 0\n' >"$dir/conf.d/a.conf"
{ cat "$dir/good.conf"; echo 'include conf.d/*.conf'; } >"$dir/inc.conf"
if run 0 check --print "$dir/inc.conf" && cp "$dir/out" "$dir/p1.conf" &&
	grep -qx 'allow tcp 127.0.0.1:8080 0' "$dir/p1.conf" &&
	grep -qx 'allow tcp 127.0.0.1:9050 0 1000' "$dir/p1.conf" &&
	! grep -q 'include\|root' "$dir/p1.conf" &&
	run 0 check --print "$dir/p1.conf" && cmp -s "$dir/p1.conf" "$dir/out"; then
	ok "check --print: includes expanded, numbers, ranges normalized; it checks to the same text"
else
	not_ok "check --print: includes expanded, numbers, ranges normalized; it checks to the same text"
fi

# uid 1000 may have a name on this host, root always has one.
if run 0 check --print -N "$dir/good.conf" &&
	{ grep -qx 'allow tcp 127.0.0.1:9050 root 1000' "$dir/out" ||
		grep -qx "allow tcp 127.0.0.1:9050 root $(id -nu 1000 2>/dev/null)" "$dir/out"; }; then
	ok "check --print --names: users by name"
else
	not_ok "check --print --names: users by name"
fi

for form in "check --print -j" "-j check --print"; do
	# shellcheck disable=SC2086 # the form is words
	if run 0 $form "$dir/inc.conf" &&
		jq -e '.roles == [{"role":"tor","user":{"uid":0}}] and
			(.services | map(select(.port_lo == 8080 and .port_hi == 8080)) | length == 1) and
			.redirects[0].to_port == 5353' "$dir/out" >/dev/null; then
		ok "$form: the same policy as JSON"
	else
		not_ok "$form: the same policy as JSON"
	fi
done

if run 1 check --print "$dir/bad.conf" && [ ! -s "$dir/out" ]; then
	ok "check --print of a bad file prints no policy"
else
	not_ok "check --print of a bad file prints no policy"
fi

# ---- check --root: an image's users and files ------------------------------

ref=$(cd "$(dirname "$ctl")" && pwd)/torfw.conf
# An absolute FILE is the image's, a relative one this host's; both
# include the image's torfw.d. A root file system as tests/boot's (debootstrap, then useradd of the
# users the reference policy names), at other uids than this host's.
mkroot() {
	mkdir -p "$1/etc/torfw/torfw.d"
	cat >"$1/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/bash
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PW
	cat >"$1/etc/group" <<'GR'
root:x:0:
proxy:x:13:
nogroup:x:65534:
GR
}
mkroot "$dir/bare"
cp "$ref" "$dir/bare/etc/torfw/torfw.conf"
mkroot "$dir/image"
cp "$ref" "$dir/image/etc/torfw/torfw.conf"
uid=997
for u in debian-tor clearnet htp tails-upgrade-frontend tails-iuk-get-target-file Debian-gdm; do
	echo "$u:x:$uid:$uid::/home/$u:/usr/sbin/nologin" >>"$dir/image/etc/passwd"
	echo "$u:x:$uid:" >>"$dir/image/etc/group"
	uid=$((uid - 1))
done
echo 'amnesia:x:1000:1000::/home/amnesia:/bin/bash' >>"$dir/image/etc/passwd"
echo 'amnesia:x:1000:' >>"$dir/image/etc/group"
echo 'allow tcp 127.0.0.1:8080 amnesia' >"$dir/image/etc/torfw/torfw.d/50-local.conf"

if run 0 check --root "$dir/image" && [ ! -s "$dir/out" ] && [ ! -s "$dir/err" ] &&
	run 0 check --root "$dir/image/" /etc/torfw/torfw.conf && [ ! -s "$dir/err" ] &&
	run 0 check --root "$dir/image" "$(realpath --relative-to=. "$ref")" &&
	[ ! -s "$dir/err" ]; then
	ok "check --root: the reference policy against an image's users, silent"
else
	not_ok "check --root: the reference policy against an image's users, silent"
fi

# The image's uids, not this host's; its drop-in, not this host's.
if run 0 check --root "$dir/image" --print && grep -qx 'role tor 997' "$dir/out" &&
	grep -qx 'allow tcp 127.0.0.1:9063 993' "$dir/out" &&
	grep -qx 'allow tcp 127.0.0.1:8080 1000' "$dir/out" &&
	run 0 check --root "$dir/image" --print -N && grep -qx 'role tor debian-tor' "$dir/out" &&
	grep -qx 'allow udp 127.0.0.1:5353 htp amnesia drop _apt' "$dir/out"; then
	ok "check --root --print: the image's uids and drop-ins"
else
	not_ok "check --root --print: the image's uids and drop-ins"
fi

# A bare debootstrap lacks the Tails users: all of them in one run.
if run 1 check --root "$dir/bare" && [ "$(wc -l <"$dir/err")" -eq 9 ] &&
	[ "$(sed -n 1p "$dir/err")" = "$dir/bare/etc/torfw/torfw.conf:40:10: unknown user 'debian-tor'" ] &&
	[ "$(sed -n 9p "$dir/err")" = "$dir/bare/etc/torfw/torfw.conf:76:27: unknown user 'Debian-gdm'" ] &&
	[ "$(grep -c "unknown user 'htp'" "$dir/err")" -eq 3 ]; then
	ok "check --root: a bare image's 9 unknown users in one run"
else
	not_ok "check --root: a bare image's 9 unknown users in one run"
fi

# A symlink in the image to a host file reads the image's file (absent).
mkroot "$dir/evil"
rm "$dir/evil/etc/passwd"
ln -s "$dir/image/etc/passwd" "$dir/evil/etc/passwd"
ln -s "$ref" "$dir/evil/etc/torfw/torfw.conf"
if run 1 check --root "$dir/evil" &&
	[ "$(cat "$dir/err")" = "$dir/evil/etc/passwd: No such file or directory" ]; then
	ok "check --root: a symlink out of the image is not followed (passwd)"
else
	not_ok "check --root: a symlink out of the image is not followed (passwd)"
fi
cp "$dir/image/etc/passwd" "$dir/evil/etc/passwd.real"
ln -sf passwd.real "$dir/evil/etc/passwd"
if run 1 check --root "$dir/evil" &&
	[ "$(cat "$dir/err")" = "$dir/evil/etc/torfw/torfw.conf: No such file or directory" ]; then
	ok "check --root: a symlink out of the image is not followed (config)"
else
	not_ok "check --root: a symlink out of the image is not followed (config)"
fi

printf 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1\n' >"$dir/evil/etc/passwd.real"
if run 1 check --root "$dir/evil" "$dir/good.conf" &&
	[ "$(cat "$dir/err")" = "$dir/evil/etc/passwd:2:13: 4 fields separated by ':' instead of 7" ]; then
	ok "check --root: a malformed passwd line is an error, located"
else
	not_ok "check --root: a malformed passwd line is an error, located"
fi

# The image chooses what its paths are: a FIFO as the policy must not read
# as an empty policy, and a device node is refused without being opened
# (a symlink to the image's /dev/null, a character device made here).
mkroot "$dir/odd"
rm -f "$dir/odd/etc/torfw/torfw.conf"
mkfifo "$dir/odd/etc/torfw/torfw.conf"
if run 1 check --root "$dir/odd" &&
	[ "$(cat "$dir/err")" = "$dir/odd/etc/torfw/torfw.conf: not a regular file" ]; then
	ok "check --root: a FIFO as the image's policy is refused at once"
else
	not_ok "check --root: a FIFO as the image's policy is refused at once"
fi
mkdir -p "$dir/odd/dev"
rm -f "$dir/odd/etc/torfw/torfw.conf"
if mknod "$dir/odd/dev/null" c 1 3 2>/dev/null; then
	ln -s /dev/null "$dir/odd/etc/torfw/torfw.conf"
	if run 1 check --root "$dir/odd" &&
		[ "$(cat "$dir/err")" = "$dir/odd/etc/torfw/torfw.conf: not a regular file" ]; then
		ok "check --root: a device node as the image's policy is refused"
	else
		not_ok "check --root: a device node as the image's policy is refused"
	fi
else
	echo "# not run: mknod needs root (the device node case)"
fi

if run 1 check --root "$dir/image" --kernel &&
	grep -q -- '--root and --kernel exclude each other' "$dir/err" &&
	run 1 check --root && grep -q "missing directory after '--root'" "$dir/err" &&
	run 1 check --root "$dir/none" && [ "$(cat "$dir/err")" = "torfwctl: check: $dir/none: No such file or directory" ] &&
	run 1 load --root "$dir/image" && grep -q "unknown option '--root'" "$dir/err"; then
	ok "check --root: usage errors"
else
	not_ok "check --root: usage errors"
fi

if run 0 show --help && [ "$(cat "$dir/out")" = "Usage: torfwctl show [-j] [-N]" ] &&
	run 1 status -N && grep -q "unknown option '-N'" "$dir/err"; then
	ok "show takes -N (names), status does not"
else
	not_ok "show takes -N (names), status does not"
fi

# ---- explain and diff: golden files, on the image's users -----------------

# TORFW_GOLDEN_UPDATE=1 rewrites tests/golden/ (then review the diff).
sh "$(dirname "$0")/explain.sh" "$ctl" "$dir/image" \
	${TORFW_GOLDEN_UPDATE:+--update} >"$dir/explain.log" 2>&1
cat "$dir/explain.log"
p=$(sed -n 's/^explain tests: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$dir/explain.log")
f=$(sed -n 's/^explain tests: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$dir/explain.log")
if [ -n "$p" ] && [ -n "$f" ]; then
	pass=$((pass + p))
	fail=$((fail + f))
else
	not_ok "explain.sh ran to its end"
fi

echo "cli tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
