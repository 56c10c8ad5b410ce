// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl check [--kernel] [FILE]: validate without loading. Without
 * --kernel nothing talks to the kernel, so it runs anywhere (image
 * builds, unprivileged, CI); with it the module validates and builds the
 * policy too (TORFW_LOAD_F_CHECK) and publishes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "torfw.h"
#include "torfwctl.h"

#define CHECK_USAGE "Usage: torfwctl check [--kernel] [FILE]\n"

int check_main(int argc, char *argv[])
{
	struct tf_policy *pol = NULL;
	const char *path = TORFW_CONF;
	bool kernel = false, path_set = false;
	uint64_t gen;
	int i, ret = TF_EXIT_OK;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel") || !strcmp(argv[i], "-k")) {
			kernel = true;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			fputs(CHECK_USAGE, stdout);
			goto out;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "torfwctl: check: unknown option '%s'\n"
				CHECK_USAGE, argv[i]);
			ret = TF_EXIT_USAGE;
			goto out;
		} else if (path_set) {
			fprintf(stderr, "torfwctl: check: too many arguments\n"
				CHECK_USAGE);
			ret = TF_EXIT_USAGE;
			goto out;
		} else {
			path = argv[i];
			path_set = true;
		}
	}
	ret = read_config(path, &pol);
	if (!ret && kernel)
		ret = send_policy(pol, TORFW_LOAD_F_CHECK, &gen);
out:
	policy_free(pol);
	return ret;
}
