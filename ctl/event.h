/* SPDX-License-Identifier: GPL-2.0 */
/* A refusal event as one line of text or JSON (torfwctl monitor). */
#ifndef TORFWCTL_EVENT_H
#define TORFWCTL_EVENT_H

#include <stdio.h>

#include "decode.h"

/*
 * "refused uid=1000 [cgroup=/a.slice/b.service] comm=curl pid=123
 * udp 192.0.2.1:53 reason=NAME"
 */
void event_print(FILE *f, const struct tf_event *ev);
void event_print_json(FILE *f, const struct tf_event *ev);

#endif
