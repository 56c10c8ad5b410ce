// SPDX-License-Identifier: GPL-2.0
/* torfwctl load [FILE]: make FILE the active policy. */
#include <inttypes.h>
#include <stdio.h>

#include "loader.h"
#include "torfwctl.h"

int load_main(int argc, char *argv[])
{
	struct tf_policy *pol = NULL;
	uint64_t gen = 0;
	int i, ret;

	i = parse_common(argc, argv, "load", "[FILE]");
	if (i < 0)
		return i == -2 ? TF_EXIT_OK : TF_EXIT_USAGE;
	if (argc - i > 1) {
		fprintf(stderr, "torfwctl: load: too many arguments\n"
			"Usage: torfwctl load [FILE]\n");
		return TF_EXIT_USAGE;
	}
	ret = read_config(i < argc ? argv[i] : TORFW_CONF, &pol);
	if (ret)
		goto out;
	ret = send_policy(pol, 0, &gen);
	if (ret)
		goto out;
	printf("loaded generation %" PRIu64 "\n", gen);
out:
	policy_free(pol);
	return ret;
}
