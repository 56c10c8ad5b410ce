/* SPDX-License-Identifier: GPL-2.0 */
/* Just enough JSON output for -j: escaped strings, versioned objects. */
#ifndef TORFWCTL_JSON_H
#define TORFWCTL_JSON_H

#include <stdio.h>

/*
 * The "version" key of every object torfwctl prints (torfwctl.8, JSON
 * OUTPUT): a new key leaves it, a key changed or removed increments it.
 */
#define TF_JSON_VERSION	1

/*
 * "s" with quotes: '"' and '\' escaped, control bytes as \u00XX, valid
 * UTF-8 as is, and each byte that is not as \ufffd (U+FFFD).
 */
void json_string(FILE *f, const char *s);

/* Starts an object with its version: '{"version":1'; keys follow with
 * a leading comma. */
void json_open(FILE *f);

#endif
