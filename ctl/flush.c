// SPDX-License-Identifier: GPL-2.0
/* torfwctl flush: back to the fail-closed default, loopback only. */
#include <stdio.h>

#include "nl.h"
#include "torfwctl.h"

int flush_main(int argc, char *argv[])
{
	struct tf_nl nl;
	int i, ret;

	i = parse_common(argc, argv, "flush", "");
	if (i < 0)
		return i == -2 ? TF_EXIT_OK : TF_EXIT_USAGE;
	if (i < argc) {
		fprintf(stderr, "torfwctl: flush: too many arguments\n");
		return TF_EXIT_USAGE;
	}
	ret = nl_connect(&nl, false);
	if (ret)
		return ret;
	ret = nl_transact(&nl, nl_request(&nl, TORFW_CMD_FLUSH), NULL, NULL);
	if (ret) {
		nl_perror(&nl, "flush", ret);
		ret = TF_EXIT_KERNEL;
		goto out;
	}
	printf("flushed: loopback only until a policy is loaded\n");
out:
	nl_close(&nl);
	return ret;
}
