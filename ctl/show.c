// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl show [-j] [-N]: the active policy in the config language, in
 * canonical order, so that its output loads back as the same policy.
 * Users are numbers unless -N asks for names: "show > torfw.conf" must
 * load at early boot, before the name service knows every user, and
 * printing must not hang on a name service that is not up yet.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "json.h"
#include "print.h"
#include "query.h"
#include "torfwctl.h"

int show_main(int argc, char *argv[])
{
	struct tf_policy *pol = NULL;
	struct tf_status st;
	int i, ret;

	i = parse_options(argc, argv, "show", "[-j] [-N]", true);
	if (i < 0)
		return i == -2 ? TF_EXIT_OK : TF_EXIT_USAGE;
	if (i < argc) {
		fprintf(stderr, "torfwctl: show: too many arguments\n");
		return TF_EXIT_USAGE;
	}
	ret = query_active("show", &pol, &st);
	if (ret)
		return ret;
	if (!(st.flags & TORFW_STATUS_F_LOADED)) {
		if (tf_cli.json) {
			json_open(stdout);
			printf(",\"policy\":\"none\",\"generation\":%" PRIu64 "}\n",
			       st.generation);
		}
		else
			printf("# no policy loaded: only loopback passes\n");
		goto out;
	}
	policy_sort(pol);
	if (tf_cli.json)
		policy_print_json(stdout, pol,
				  tf_cli.names ? &tf_resolver_nss : NULL);
	else
		policy_print(stdout, pol,
			     tf_cli.names ? &tf_resolver_nss : NULL);
out:
	policy_free(pol);
	return ret;
}
