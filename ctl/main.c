// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl: control tool of the torfw module. main() only dispatches; each
 * subcommand lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "torfw.h"
#include "torfwctl.h"

struct tf_options_cli tf_cli;

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "load", load_main,
	  "Parses a configuration and makes it the active policy" },
	{ "check", check_main,
	  "Parses and validates a configuration, loads nothing" },
	{ "show", show_main,
	  "Prints the active policy in the configuration language" },
	{ "stats", stats_main,
	  "Prints the counters of each reason and allow-list entry" },
	{ "monitor", monitor_main,
	  "Prints one line per refused packet as it happens" },
	{ "flush", flush_main, "Removes the policy: back to loopback only" },
	{ "lock", lock_main, "Locks the policy until reboot" },
	{ "status", status_main,
	  "Prints whether a policy is loaded, its generation, the lock" },
	{ "explain", explain_main,
	  "Says what the module does with a connection, and why" },
	{ "diff", diff_main,
	  "Lists every class of packets whose verdict two policies change" },
	{ "help", help_main, "Shows this help" },
};

void show_usage(bool to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;
	size_t i;

	fprintf(f, "Usage: torfwctl [-j] <command> [<args>]\n\n");
	fprintf(f, "Commands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name,
			subcommands[i].description);
	fprintf(f, "\nOptions:\n"
		"  -j, --json  JSON output (show, stats, status, monitor)\n"
		"  --help      this help; --version: the version\n\n"
		"Exit status: 0 success, 1 usage or configuration error, "
		"2 netlink or kernel error,\n3 the torfw module is not loaded. "
		"See torfwctl(8) and torfw.conf(5).\n");
}

int help_main(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	show_usage(false);
	return TF_EXIT_OK;
}

int version_main(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	printf("torfwctl %s (torfw netlink protocol %d)\n", TORFW_VERSION,
	       TORFW_GENL_VERSION);
	return TF_EXIT_OK;
}

int parse_common(int argc, char *argv[], const char *cmd,
		 const char *usage_args)
{
	return parse_options(argc, argv, cmd, usage_args, false);
}

int parse_options(int argc, char *argv[], const char *cmd,
		  const char *usage_args, bool names)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			tf_cli.json = true;
			continue;
		}
		if (names && (!strcmp(argv[i], "-N") ||
			      !strcmp(argv[i], "--names"))) {
			tf_cli.names = true;
			continue;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: torfwctl %s %s\n", cmd, usage_args);
			return -2;
		}
		fprintf(stderr, "torfwctl: %s: unknown option '%s'\n", cmd,
			argv[i]);
		fprintf(stderr, "Usage: torfwctl %s %s\n", cmd, usage_args);
		return -1;
	}
	return i;
}

int main(int argc, char *argv[])
{
	const char *cmd;
	size_t i;

	while (argc > 1 && (!strcmp(argv[1], "-j") ||
			    !strcmp(argv[1], "--json"))) {
		tf_cli.json = true;
		argv++;
		argc--;
	}
	if (argc < 2) {
		show_usage(true);
		return TF_EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		return help_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V"))
		return version_main(argc - 1, argv + 1);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(cmd, subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "torfwctl: unknown command '%s'\n", cmd);
	show_usage(true);
	return TF_EXIT_USAGE;
}
