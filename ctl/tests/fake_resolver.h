/* SPDX-License-Identifier: GPL-2.0 */
/* A resolver with fixed users and groups, so tests never read /etc/passwd. */
#ifndef TORFWCTL_TESTS_FAKE_RESOLVER_H
#define TORFWCTL_TESTS_FAKE_RESOLVER_H

#include "config.h"
#include "resolve.h"

extern const struct tf_resolver fake_resolver;
/* resolver = fake_resolver, no sysroot */
extern const struct tf_parse_opts fake_opts;

/* Parses text as "t.conf"; fails the test with the message if it fails. */
struct tf_policy *parse_ok(const char *text);

/* Canonical text of pol (sorted first) in a malloc'd string. */
char *print_to_string(struct tf_policy *pol);

#endif
