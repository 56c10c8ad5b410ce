#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# slow-sink.sh FILE: a TCP receiver that reads nothing for a second (socat
# EXEC per connection, stdin is the connection), then counts every byte
# until the sender's FIN and writes the count to FILE. With a small
# receive buffer the sender's data waits in its own send queue meanwhile
# (23-teardown).
sleep 1
n=$(wc -c)
echo "$n" >"$1.tmp"
mv "$1.tmp" "$1"
