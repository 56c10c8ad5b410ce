#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An echo server (socat EXEC per connection, under 'socat -t3') that
# closes a second after the client's FIN: when the client closes as soon
# as its echo is back, the client's side is closed first and this side's
# FIN reaches an orphaned or TIME_WAIT socket (23-teardown).
cat
sleep 1
