// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl check [--kernel] [--skip-missing-netns] [FILE]: validate
 * without loading. Without --kernel nothing talks to the kernel, so it
 * runs anywhere (image builds, unprivileged, CI); with it the module
 * validates and builds the policy too (TORFW_LOAD_F_CHECK) and publishes
 * nothing.
 */
#include <stdio.h>

#include "loader.h"
#include "torfw.h"
#include "torfwctl.h"

int check_main(int argc, char *argv[])
{
	struct tf_policy *pol = NULL;
	struct load_args a;
	uint64_t gen;
	int ret;

	ret = load_args_parse(argc, argv, "check", true, &a);
	if (ret >= 0)
		return ret;
	ret = read_config(a.path, &pol);
	if (!ret && a.kernel)
		ret = send_policy(pol, TORFW_LOAD_F_CHECK,
				  a.skip_missing_netns, &gen);
	policy_free(pol);
	return ret;
}
