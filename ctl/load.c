// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl load [--skip-missing-netns] [FILE]: make FILE the active
 * policy, then warn of each cgroup the kernel found absent.
 */
#include <inttypes.h>
#include <stdio.h>

#include "loader.h"
#include "print.h"
#include "query.h"
#include "torfwctl.h"

/*
 * The kernel kept a cgroup path that names no cgroup now as absent: the
 * load succeeds, and whoever loads at boot, before the session's cgroups
 * exist, learns it here. Read back from the kernel (its resolution, not
 * ours); if that fails, or another load came in between, nothing is said.
 */
static void warn_absent(uint64_t gen)
{
	struct tf_policy *pol;

	fflush(stdout);
	pol = query_active_quiet();
	if (pol && pol->generation == gen)
		cgroup_absent_warn(stderr, pol, "does not exist: it matches nothing until the policy is loaded again");
	policy_free(pol);
}

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
	warn_absent(gen);
out:
	policy_free(pol);
	return ret;
}
