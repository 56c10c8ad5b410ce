/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The torfw.conf parser (grammar in torfw.conf.5). It fills a tf_policy and
 * stops at the first error, which it describes as file:line:col: message.
 */
#ifndef TORFWCTL_CONFIG_H
#define TORFWCTL_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"
#include "resolve.h"

/* Nesting of include statements, the top-level file being level 0. */
#define TF_INCLUDE_DEPTH	8
/*
 * Bytes of one line, without its newline: a role of 1,024 users of 32
 * characters fits twice, and no line can make the reader grow without end.
 */
#define TF_LINE_MAX	65536

struct tf_cfg_error {
	char file[512];
	unsigned int line;	/* 0: the error concerns the file itself */
	unsigned int col;
	char msg[512];
};

struct tf_parse_opts {
	const struct tf_resolver *resolver;
	/* Prefixed to absolute include patterns (tests); NULL for none. */
	const char *sysroot;
};

/* path "-" reads standard input, named "<stdin>" in messages. */
bool config_parse_file(struct tf_policy *pol, const char *path,
		       const struct tf_parse_opts *opts,
		       struct tf_cfg_error *err);
/* Includes in text are relative to the directory of name. */
bool config_parse_string(struct tf_policy *pol, const char *name,
			 const char *text, const struct tf_parse_opts *opts,
			 struct tf_cfg_error *err);
/* "file:line:col: message" (or "file: message" when line is 0). */
void config_error_format(const struct tf_cfg_error *err, char *buf,
			 size_t size);

#endif
