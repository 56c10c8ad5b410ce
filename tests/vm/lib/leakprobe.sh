#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# leakprobe.sh FUNCTION ARGS...: runs one probe of lib/leak.sh (lp_*) or
# any function of lib/*.sh in a shell that has them, as whoever runs it:
#   as amnesia /tests/vm/lib/leakprobe.sh lp_http 192.0.2.1 80
# ('as' gives its shell only common.sh.)
. /tests/vm/lib/common.sh
. /tests/vm/lib/tor.sh
. /tests/vm/lib/leak.sh
"$@"
