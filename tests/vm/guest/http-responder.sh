#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One HTTP exchange on stdin/stdout (socat EXEC per connection): reads the
# request up to its blank line, answers 200 with the body "torfw-ok". The
# request is read first: closing with unread data would send a RST.

cr=$(printf '\r')
while IFS= read -r line; do
	[ "${line%"$cr"}" = "" ] && break
done
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n'
printf 'Content-Length: 9\r\nConnection: close\r\n\r\ntorfw-ok\n'
