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
	ok "# skip: the torfw module is loaded here"
fi

echo "cli tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
