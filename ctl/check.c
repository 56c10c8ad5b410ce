// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl check [--kernel | --root DIR] [--skip-missing-netns]
 * [--print [-j] [--names]] [FILE]: validate without loading. Without
 * --kernel nothing talks to the kernel, so it runs anywhere (image builds,
 * unprivileged, CI); with it the module validates and builds the policy
 * too (TORFW_LOAD_F_CHECK) and publishes nothing. --root DIR judges an
 * image from its build host: users and groups from DIR's own passwd and
 * group files, absolute includes inside DIR. --print writes the policy
 * as it would be loaded: includes expanded, users as numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "policysrc.h"
#include "print.h"
#include "torfw.h"
#include "torfwctl.h"
#include "userdb.h"

int check_main(int argc, char *argv[])
{
	struct tf_resolver res = tf_resolver_nss;
	struct tf_parse_opts opts = { .resolver = &res };
	struct tf_userdb *db = NULL;
	struct tf_policy *pol = NULL;
	struct load_args a;
	uint64_t gen;
	int ret;

	ret = load_args_parse(argc, argv, "check", true, &a);
	if (ret >= 0)
		return ret;
	if (a.root) {
		db = root_users("check", a.root);
		if (!db)
			return TF_EXIT_USAGE;
		res = userdb_resolver(db);
		opts.sysroot = a.root;
		opts.path_in_root = true;
	}
	ret = read_config_opts(a.path, &opts, &pol);
	if (!ret && a.kernel)
		ret = send_policy(pol, TORFW_LOAD_F_CHECK,
				  a.skip_missing_netns, &gen);
	if (!ret && a.print) {
		policy_sort(pol);
		if (tf_cli.json)
			policy_print_json(stdout, pol, a.names ? &res : NULL);
		else
			policy_print(stdout, pol, a.names ? &res : NULL);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "torfwctl: check: cannot write the policy: %s\n",
				strerror(errno));
			ret = TF_EXIT_USAGE;
		}
	}
	policy_free(pol);
	userdb_free(db);
	return ret;
}
