#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC3057 # busybox ash has ${var:offset:length}
#
# dns-responder.sh udp|tcp: answers one DNS query on stdin/stdout (socat
# EXEC per datagram or connection) with an empty NOERROR response: the
# query sent back with the QR (response) and RA bits set, which dig
# accepts as an answer. Enough to prove that a query reached a server.
#
# TCP messages carry a 2-byte length first, so the flags byte moves by 2.
# One read is one query: socat hands a datagram over in one piece, and
# dig sends its small TCP query in one segment.

case $1 in
udp) at=4 ;;
tcp) at=8 ;;
*) echo "usage: $0 udp|tcp" >&2; exit 2 ;;
esac

hex=$(dd bs=65536 count=1 2>/dev/null | xxd -p | tr -d '\n')
[ ${#hex} -ge $((at + 4)) ] || exit 0
flags=$(printf '%02x' $((0x${hex:$at:2} | 0x80)))
flags2=$(printf '%02x' $((0x${hex:$((at + 2)):2} | 0x80)))
printf '%s' "${hex:0:$at}$flags$flags2${hex:$((at + 4))}" | xxd -r -p
