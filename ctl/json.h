/* SPDX-License-Identifier: GPL-2.0 */
/* Just enough JSON output for -j: escaped strings. */
#ifndef TORFWCTL_JSON_H
#define TORFWCTL_JSON_H

#include <stdio.h>

/* "s" with quotes, escaping what RFC 8259 requires and control bytes. */
void json_string(FILE *f, const char *s);

#endif
