/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The torfw.conf parser (grammar in torfw.conf.5). It fills a tf_policy and
 * describes errors as file:line:col: message: the first one, or with an
 * error list, each bad line until the list is full.
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

/* A bad line contributes nothing, so later errors are not its echoes. */
#define TF_MAX_ERRORS	10

struct tf_cfg_errors {
	struct tf_cfg_error v[TF_MAX_ERRORS];
	unsigned int n;
	bool truncated;		/* an error beyond the list: parsing stopped */
};

struct tf_parse_opts {
	const struct tf_resolver *resolver;
	/*
	 * The root of absolute include patterns (check --root, tests), which
	 * resolve inside it as if chrooted there, symlinks included, and
	 * relative includes of the files read there; NULL for none.
	 */
	const char *sysroot;
	/* An absolute top-level path is inside sysroot too. */
	bool path_in_root;
	/* Go on after an error and collect up to TF_MAX_ERRORS; NULL: stop. */
	struct tf_cfg_errors *errors;
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
