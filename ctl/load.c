// SPDX-License-Identifier: GPL-2.0
/* torfwctl load [--skip-missing-netns] [FILE]: make FILE the active policy. */
#include <inttypes.h>
#include <stdio.h>

#include "loader.h"
#include "torfwctl.h"

int load_main(int argc, char *argv[])
{
	struct tf_policy *pol = NULL;
	struct load_args a;
	uint64_t gen = 0;
	int ret;

	ret = load_args_parse(argc, argv, "load", false, &a);
	if (ret >= 0)
		return ret;
	ret = read_config(a.path, &pol);
	if (ret)
		goto out;
	ret = send_policy(pol, 0, a.skip_missing_netns, &gen);
	if (ret)
		goto out;
	printf("loaded generation %" PRIu64 "\n", gen);
out:
	policy_free(pol);
	return ret;
}
