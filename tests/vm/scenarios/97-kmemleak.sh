#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak, on kernels that have it (make check-debug boots one; Debian's
# does not, and there this scenario only says so): after everything the
# suite did, no unreferenced object may have been allocated by torfw.
set -eu
. /tests/vm/lib/common.sh

KML=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
if [ ! -e "$KML" ]; then
	note "kmemleak: not in this kernel; 'make check-debug' runs this check"
	exit 0
fi
# Module unload and RCU frees first, then two scans (kmemleak reports an
# object only once it was seen unreferenced twice).
if module_loaded torfw; then
	rmmod torfw 2>/dev/null || true
fi
sleep 2
echo scan >"$KML"
sleep 5
echo scan >"$KML"
cat "$KML" >/tmp/kmemleak.txt
total=$(grep -c 'unreferenced object' /tmp/kmemleak.txt || true)
ours=$(awk '/unreferenced object/ { if (obj) print obj; obj = ""; buf = $0; next }
	/torfw/ { obj = buf } END { if (obj) print obj }' /tmp/kmemleak.txt | wc -l)
note "kmemleak: $total unreferenced objects in all, $ours with torfw in their backtrace"
if [ "$ours" -eq 0 ]; then
	ok "kmemleak: no leaked object allocated by torfw"
else
	fail "kmemleak: no leaked object allocated by torfw" \
		"$(grep -B2 -A20 torfw /tmp/kmemleak.txt | head -n 60)"
fi
