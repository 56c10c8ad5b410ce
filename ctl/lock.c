// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl lock: until reboot the module cannot be unloaded, the policy
 * cannot be flushed, and only stricter policies load. There is no unlock.
 */
#include <stdio.h>

#include "nl.h"
#include "torfwctl.h"

int lock_main(int argc, char *argv[])
{
	struct tf_nl nl;
	int i, ret;

	i = parse_common(argc, argv, "lock", "");
	if (i < 0)
		return i == -2 ? TF_EXIT_OK : TF_EXIT_USAGE;
	if (i < argc) {
		fprintf(stderr, "torfwctl: lock: too many arguments\n");
		return TF_EXIT_USAGE;
	}
	ret = nl_connect(&nl, false);
	if (ret)
		return ret;
	ret = nl_transact(&nl, nl_request(&nl, TORFW_CMD_LOCK), NULL, NULL);
	if (ret) {
		nl_perror(&nl, "lock", ret);
		ret = TF_EXIT_KERNEL;
		goto out;
	}
	printf("locked until reboot\n");
out:
	nl_close(&nl);
	return ret;
}
