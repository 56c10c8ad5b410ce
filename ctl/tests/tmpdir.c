// SPDX-License-Identifier: GPL-2.0
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tmpdir.h"

int tmpdir_setup(void **state)
{
	struct tmpdir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/torfwctl-test.XXXXXX");
	if (!mkdtemp(d->path)) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int tmpdir_teardown(void **state)
{
	struct tmpdir *d = *state;
	int ret = nftw(d->path, remove_one, 16, FTW_DEPTH | FTW_PHYS);

	free(d);
	return ret;
}

const char *tmpdir_write(const struct tmpdir *d, const char *name,
			 const char *text, char *path, size_t size)
{
	char *slash;
	FILE *f;

	snprintf(path, size, "%s/%s", d->path, name);
	/* mkdir -p of the directories in name */
	for (slash = strchr(path + strlen(d->path) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}
