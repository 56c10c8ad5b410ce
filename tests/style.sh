#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The style part of make check (also 'make style'): three gates, any
# finding fatal, one case per file or build.
#  1. checkpatch: kmod/*.[ch], kmod/uapi/*.h, kmod/tests/*.c, no ERROR and
#     no WARNING from the kernel's scripts/checkpatch.pl, taken from the
#     source tree that tests/kunit/run.sh unpacks;
#  2. sparse: the module built with C=2 against KDIR (the top Makefile's,
#     else the newest Debian headers), then policy.c and netlink.c once
#     more with their KUnit suites compiled in;
#  3. shellcheck: every shell script of the repository (*.sh, and files
#     with a sh or bash shebang), ctl's included: this is the one list.
#
# Usage: tests/style.sh [checkpatch|sparse|shellcheck]...  (default: all)
# Ends with "N passed, N failed", the line tests/check.sh counts.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
cache=${TORFW_CACHE:-/var/cache/torfw}

passed=0
failed=0
tmp=
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT

# result NAME OUTPUT: the case passes if OUTPUT is empty; else OUTPUT is
# printed under it, indented.
result() {
	if [ -z "$2" ]; then
		echo "ok - $1"
		passed=$((passed + 1))
	else
		echo "FAIL - $1"
		printf '    %s\n' "${2//$'\n'/$'\n    '}"
		failed=$((failed + 1))
	fi
}

# ---- checkpatch -------------------------------------------------------------
#
# As for a file of the kernel tree, except two types: COMPLEX_MACRO, because
# the reason list of the UAPI header is an X-macro on purpose, and
# FILE_PATH_CHANGES, a patch-mode check that means nothing with -f.
CHECKPATCH_IGNORE=COMPLEX_MACRO,FILE_PATH_CHANGES

gate_checkpatch() {
	local src=$cache/linux-source-6.1 tarball=/usr/src/linux-source-6.1.tar.xz
	local f out n=0
	# Unpacked as tests/kunit/run.sh does (it uses the same tree).
	if [ ! -f "$src/Makefile" ]; then
		if [ ! -f "$tarball" ]; then
			result "checkpatch" "$tarball missing: run 'make deps'"
			return
		fi
		echo "style: unpacking $tarball into $cache" >&2
		mkdir -p "$cache" && tar -C "$cache" -xf "$tarball"
	fi
	for f in kmod/*.c kmod/*.h kmod/uapi/*.h kmod/tests/*.c; do
		case $f in *.mod.c) continue ;; esac
		[ -f "$f" ] || continue
		n=$((n + 1))
		out=$("$src/scripts/checkpatch.pl" --no-tree --terse --show-types \
			--ignore "$CHECKPATCH_IGNORE" -f "$f" 2>&1) ||
			out=${out:-checkpatch.pl failed without a message}
		result "checkpatch $f" "$out"
	done
	[ $n -gt 0 ] || result "checkpatch" "no kmod/ source found"
}

# ---- sparse -----------------------------------------------------------------
#
# kbuild's own way: make C=2 runs $(CHECK) on every source file of the
# module, whether or not it is rebuilt. Any warning or error line fails,
# from the compiler or from sparse, in kmod/ or in a kernel header: sparse
# 0.6.4 on Debian's 6.1 headers reports none for this module, so there is
# nothing to filter; a header warning appearing with new headers is to be
# looked at, not hidden.
#
# sparse_build NAME DIR MAKE-ARGS...: runs kbuild on DIR (a kmod/ copy or
# kmod/ itself) and gives the case NAME the findings, with DIR shown as
# kmod/. A run without any CHECK line is a failure: sparse did not run.
sparse_build() {
	local name=$1 dir=$2 out rc=0 bad
	shift 2
	# MAKEFLAGS of a 'make -s style' would silence kbuild's CHECK lines.
	out=$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		make -C "$KDIR" M="$dir" C=2 CHECK=sparse "$@" 2>&1) || rc=$?
	out=${out//"$dir/"/kmod/}
	# A finding, with the lines that go with it (sparse's "expected ...",
	# "got ...", the compiler's "In function" and notes).
	if grep -Eq ': (warning|error):|^(ERROR|WARNING): ' <<<"$out"; then
		bad=$(grep -E '^[^ ]+:[0-9]+(:[0-9]+)?: |: In function |^(ERROR|WARNING): ' \
			<<<"$out")
	else
		bad=
	fi
	if [ $rc -ne 0 ]; then
		bad=$(printf '%s\n' "${bad:-$(tail -n 20 <<<"$out")}" "make: exit $rc")
	elif ! grep -q '^  CHECK ' <<<"$out"; then
		bad="no CHECK line: sparse did not run"
	fi
	result "$name" "$bad"
}

gate_sparse() {
	local f objs=()
	if [ -z "${KDIR:-}" ]; then
		KDIR=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' |
			sort -V | tail -n 1)
	fi
	if [ ! -f "${KDIR:-/nonexistent}/Makefile" ]; then
		result "sparse" "no kernel headers (KDIR='${KDIR:-}'): run 'make deps'"
		return
	fi
	if ! command -v sparse >/dev/null; then
		result "sparse" "sparse is not installed: run 'make deps'"
		return
	fi
	sparse_build "sparse kmod/ ($(basename "$KDIR"))" "$top/kmod" modules
	# Debian's kernel has no KUnit: the suites are compiled and checked in a
	# copy (no module is linked), so kmod/'s objects stay those of the module.
	for f in kmod/*.c; do
		grep -q '^#include "tests/' "$f" && objs+=("$(basename "${f%.c}").o")
	done
	# ...and the suites that are objects of their own (kmod/Kbuild's
	# torfw-$(CONFIG_TORFW_KUNIT_TEST) lines).
	mapfile -t -O "${#objs[@]}" objs < <(
		# shellcheck disable=SC2016 # a make variable, not the shell's
		sed -n '/^torfw-$(CONFIG_TORFW_KUNIT_TEST)/,/[^\\]$/p' \
			kmod/Kbuild | grep -o 'tests/[a-z_]*\.o')
	[ ${#objs[@]} -gt 0 ] || return
	tmp=$(mktemp -d /tmp/torfw-style.XXXXXX) || return
	mkdir "$tmp/kmod"
	cp -a kmod/Kbuild kmod/*.c kmod/*.h kmod/uapi kmod/tests "$tmp/kmod/"
	sparse_build "sparse kmod/ with the KUnit suites (${objs[*]})" \
		"$tmp/kmod" KCFLAGS=-DCONFIG_TORFW_KUNIT_TEST=1 "${objs[@]}"
	rm -rf "$tmp"
}

# ---- shellcheck -------------------------------------------------------------
#
# The scripts: *.sh, and any other file whose first line is a shebang of
# sh, dash, ash or bash (tests/vm/guest/init, .ci/run, dkms/initramfs/...).
# '#!/bin/sh' scripts run under dash (Debian's /bin/sh: dkms/, ctl's CLI
# tests) or busybox ash (the VM guests, the initramfs), which shellcheck
# knows as dash: they are checked as dash unless they name their shell in a
# 'shellcheck shell=' directive. Sourced files without a shebang must have
# that directive (else shellcheck fails them, SC2148).
#
# -x follows sourced files; the top of the tree is in the source path so
# that a guest's /tests/vm/lib/common.sh is this tree's tests/vm/lib/.
shell_scripts() {
	local f first
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		find . -path ./.git -prune -o -path ./build -prune -o -type f -print |
			sed 's|^\./||'
	fi | sort -u | while IFS= read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh) echo "$f" ;;
		*)
			IFS= read -r first <"$f" 2>/dev/null || continue
			grep -Eq '^#![[:space:]]*(/usr)?/bin/(env[[:space:]]+)?(ba|da|a)?sh([[:space:]]|$)' \
				<<<"$first" && echo "$f"
			;;
		esac
	done
}

gate_shellcheck() {
	local f out dialect n=0
	if ! command -v shellcheck >/dev/null; then
		result "shellcheck" "shellcheck is not installed: run 'make deps'"
		return
	fi
	while IFS= read -r f; do
		n=$((n + 1))
		dialect=()
		if head -n 1 "$f" | grep -Eq '^#![[:space:]]*/bin/sh([[:space:]]|$)' &&
			! grep -Eq '^[[:space:]]*# shellcheck .*shell=' "$f"; then
			dialect=(--shell=dash)
		fi
		out=$(shellcheck --format=gcc --external-sources \
			--source-path="SCRIPTDIR:$top" "${dialect[@]}" "$f" 2>&1) ||
			out=${out:-shellcheck failed without a message}
		result "shellcheck $f${dialect:+ (as dash)}" "$out"
	done < <(shell_scripts)
	[ $n -gt 0 ] || result "shellcheck" "no shell script found"
}

gates=("$@")
[ ${#gates[@]} -gt 0 ] || gates=(checkpatch sparse shellcheck)
for g in "${gates[@]}"; do
	case $g in
	checkpatch | sparse | shellcheck) "gate_$g" ;;
	*)
		echo "usage: tests/style.sh [checkpatch|sparse|shellcheck]..." >&2
		exit 2
		;;
	esac
done

echo "style: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
