// SPDX-License-Identifier: GPL-2.0
/* torfwctl status: is a policy loaded, which generation, locked or not. */
#include <inttypes.h>
#include <stdio.h>

#include "json.h"
#include "query.h"
#include "torfwctl.h"

static void print_text(const struct tf_status *st)
{
	bool loaded = st->flags & TORFW_STATUS_F_LOADED;

	printf("policy: %s\n", loaded ? "loaded" : "none");
	printf("generation: %" PRIu64 "\n", st->generation);
	if (loaded)
		printf("entries: %" PRIu32 "\n", st->services);
	printf("locked: %s\n", st->flags & TORFW_STATUS_F_LOCKED ? "yes" : "no");
	printf("module: %s\n", st->version[0] ? st->version : "unknown");
}

static void print_json(const struct tf_status *st)
{
	bool loaded = st->flags & TORFW_STATUS_F_LOADED;

	json_open(stdout);
	printf(",\"policy\":\"%s\",\"generation\":%" PRIu64,
	       loaded ? "loaded" : "none", st->generation);
	if (loaded)
		printf(",\"entries\":%" PRIu32, st->services);
	printf(",\"locked\":%s,\"module\":",
	       st->flags & TORFW_STATUS_F_LOCKED ? "true" : "false");
	json_string(stdout, st->version[0] ? st->version : "unknown");
	printf("}\n");
}

int status_main(int argc, char *argv[])
{
	struct tf_status st;
	struct tf_nl nl;
	const char *why = NULL;
	int i, ret;

	i = parse_common(argc, argv, "status", "[-j]");
	if (i < 0)
		return i == -2 ? TF_EXIT_OK : TF_EXIT_USAGE;
	if (i < argc) {
		fprintf(stderr, "torfwctl: status: too many arguments\n");
		return TF_EXIT_USAGE;
	}
	ret = nl_connect(&nl, false);
	if (ret)
		return ret;
	ret = query_status(&nl, &st, &why);
	if (ret) {
		query_perror(&nl, "status", ret, why);
		ret = TF_EXIT_KERNEL;
		goto out;
	}
	if (tf_cli.json)
		print_json(&st);
	else
		print_text(&st);
out:
	nl_close(&nl);
	return ret;
}
