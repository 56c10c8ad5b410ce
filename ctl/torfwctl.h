/* SPDX-License-Identifier: GPL-2.0 */
/* torfwctl: exit statuses, options and the subcommands. */
#ifndef TORFWCTL_H
#define TORFWCTL_H

#include <stdbool.h>

#ifndef TORFW_VERSION
#define TORFW_VERSION "unknown"
#endif
#ifndef TORFW_CONF
#define TORFW_CONF "/etc/torfw/torfw.conf"
#endif

/* Documented in torfwctl.8, EXIT STATUS. */
enum tf_exit {
	TF_EXIT_OK = 0,
	TF_EXIT_USAGE = 1,	/* bad command line or configuration */
	TF_EXIT_KERNEL = 2,	/* netlink or kernel refused the request */
	TF_EXIT_NOMODULE = 3,	/* the torfw module is not loaded */
};

/* The only mutable global: options of the command line. */
struct tf_options_cli {
	bool json;
	bool names;	/* show -N: users by name */
};
extern struct tf_options_cli tf_cli;

/*
 * Common subcommand options: -j/--json anywhere before the arguments.
 * Returns the index of the first argument, or -1 after printing an error.
 */
int parse_common(int argc, char *argv[], const char *cmd,
		 const char *usage_args);
/* The same, also taking -N/--names when names is true. */
int parse_options(int argc, char *argv[], const char *cmd,
		  const char *usage_args, bool names);

int load_main(int argc, char *argv[]);
int check_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int stats_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);
int flush_main(int argc, char *argv[]);
int lock_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int explain_main(int argc, char *argv[]);
int diff_main(int argc, char *argv[]);
int help_main(int argc, char *argv[]);
int version_main(int argc, char *argv[]);

/* The dispatcher's usage, to stdout (help) or stderr (errors). */
void show_usage(bool to_stderr);

#endif
