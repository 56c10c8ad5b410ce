/* SPDX-License-Identifier: GPL-2.0 */
/* A scratch directory per test, removed afterwards. */
#ifndef TORFWCTL_TESTS_TMPDIR_H
#define TORFWCTL_TESTS_TMPDIR_H

#include <limits.h>

struct tmpdir {
	char path[128];	/* short: paths built from it fit PATH_MAX */
};

/* cmocka setup/teardown: *state is a struct tmpdir. */
int tmpdir_setup(void **state);
int tmpdir_teardown(void **state);

/* Writes dir/name (creating dir/subdirs named in name); returns the path. */
const char *tmpdir_write(const struct tmpdir *d, const char *name,
			 const char *text, char *path, size_t size);

#endif
