/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Users and groups read from an image's passwd and group files (check
 * --root), not from the build host's name service: the same answers as
 * glibc's "files" source, but a malformed line is an error, not skipped.
 */
#ifndef TORFWCTL_USERDB_H
#define TORFWCTL_USERDB_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "resolve.h"

/* Larger passwd or group files are refused: bounded memory. */
#define TF_USERDB_MAX_FILE	(16u << 20)

struct tf_userdb;

/*
 * Parses the texts of a passwd and a group file; pw_name and gr_name name
 * them in messages (file:line:col). NULL with err set on failure.
 */
struct tf_userdb *userdb_parse(const char *pw_name, const char *pw,
			       size_t pw_len, const char *gr_name,
			       const char *gr, size_t gr_len,
			       struct tf_cfg_error *err);

/* etc/passwd and etc/group inside the root rootfd, named display/... */
struct tf_userdb *userdb_load(int rootfd, const char *display,
			      struct tf_cfg_error *err);

void userdb_free(struct tf_userdb *db);

/* A resolver answering from db, which must outlive it. */
struct tf_resolver userdb_resolver(struct tf_userdb *db);

#endif
