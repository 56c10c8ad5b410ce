// SPDX-License-Identifier: GPL-2.0
/*
 * The load path: config -> policy -> namespaces opened -> messages ->
 * kernel, stopping at the first failure. Nothing reaches the kernel unless
 * the whole config parsed, and the kernel publishes nothing unless every
 * message of the transaction was accepted.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "encode.h"
#include "loader.h"
#include "netns.h"
#include "nl.h"
#include "torfw.h"
#include "torfwctl.h"

/* main's argv: C has no implicit char ** -> const char *const *. */
// cppcheck-suppress constParameter
int load_args_parse(int argc, char *argv[], const char *cmd, bool check,
		    struct load_args *a)
{
	char usage[192];
	bool path_set = false;
	int i, ret = -1;

	snprintf(usage, sizeof(usage),
		 "Usage: torfwctl %s %s[--skip-missing-netns] %s[FILE]\n", cmd,
		 check ? "[--kernel | --root DIR] " : "",
		 check ? "[--print [-j] [--names]] " : "");
	memset(a, 0, sizeof(*a));
	a->path = TORFW_CONF;
	for (i = 1; i < argc && ret < 0; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage, stdout);
			ret = TF_EXIT_OK;
		} else if (!strcmp(arg, "-j") || !strcmp(arg, "--json")) {
			tf_cli.json = true;	/* nothing to print as JSON */
		} else if (check && (!strcmp(arg, "--kernel") ||
				     !strcmp(arg, "-k"))) {
			a->kernel = true;
		} else if (check && !strcmp(arg, "--root")) {
			if (i + 1 < argc) {
				a->root = argv[++i];
			} else {
				fprintf(stderr, "torfwctl: %s: missing directory after '--root'\n%s",
					cmd, usage);
				ret = TF_EXIT_USAGE;
			}
		} else if (check && !strncmp(arg, "--root=", 7)) {
			a->root = arg + 7;
		} else if (check && (!strcmp(arg, "--print") ||
				     !strcmp(arg, "-p"))) {
			a->print = true;
		} else if (check && (!strcmp(arg, "--names") ||
				     !strcmp(arg, "-N"))) {
			a->names = true;
		} else if (!strcmp(arg, "--skip-missing-netns")) {
			a->skip_missing_netns = true;
		} else if (arg[0] == '-' && arg[1]) {
			fprintf(stderr, "torfwctl: %s: unknown option '%s'\n%s",
				cmd, arg, usage);
			ret = TF_EXIT_USAGE;
		} else if (path_set) {
			fprintf(stderr, "torfwctl: %s: too many arguments\n%s",
				cmd, usage);
			ret = TF_EXIT_USAGE;
		} else {
			a->path = arg;
			path_set = true;
		}
	}
	/*
	 * The kernel's check would open this host's namespaces and judge the
	 * image's uids against the module running here: not the image's.
	 */
	if (ret < 0 && a->root && a->kernel) {
		fprintf(stderr, "torfwctl: %s: --root and --kernel exclude each other (the image's namespaces are not this host's)\n%s",
			cmd, usage);
		ret = TF_EXIT_USAGE;
	}
	if (ret < 0 && a->root && !a->root[0]) {
		fprintf(stderr, "torfwctl: %s: empty directory after '--root'\n%s",
			cmd, usage);
		ret = TF_EXIT_USAGE;
	}
	return ret;
}

static void print_cfg_error(const struct tf_cfg_error *err)
{
	char buf[1200];

	config_error_format(err, buf, sizeof(buf));
	fprintf(stderr, "%s\n", buf);
}

int read_config(const char *path, struct tf_policy **out)
{
	struct tf_parse_opts opts = { .resolver = &tf_resolver_nss };

	return read_config_opts(path, &opts, out);
}

int read_config_opts(const char *path, const struct tf_parse_opts *opts,
		     struct tf_policy **out)
{
	struct tf_parse_opts o = *opts;
	struct tf_cfg_errors errs;
	struct tf_cfg_error err;
	struct tf_policy *pol;

	*out = NULL;
	pol = policy_new();
	if (!pol) {
		fprintf(stderr, "torfwctl: out of memory\n");
		return TF_EXIT_USAGE;
	}
	o.errors = &errs;
	if (!config_parse_file(pol, path, &o, &err)) {
		unsigned int i;

		/* Not in the list: the root could not be opened. */
		if (!errs.n)
			print_cfg_error(&err);
		for (i = 0; i < errs.n; i++)
			print_cfg_error(&errs.v[i]);
		if (errs.truncated)
			fprintf(stderr, "torfwctl: too many errors, stopping\n");
		policy_free(pol);
		return TF_EXIT_USAGE;
	}
	*out = pol;
	return TF_EXIT_OK;
}

int loader_generation_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tf_status st;
	const char *why;

	/* Only the reply to COMMIT has a payload: the new generation. */
	if (!decode_status(nlh, &st, &why))
		*(uint64_t *)data = st.generation;
	return MNL_CB_OK;
}

/* The kernel's extack offset, mapped back to the config line if it can. */
static void report(const struct tf_nl *nl, const struct tf_batch *b,
		   size_t msg, int err)
{
	const struct tf_loc *loc = NULL;
	const char *name = strerrorname_np(-err);

	if (nl->err.has_offs)
		loc = batch_find(b, msg, nl->err.offs);
	if (loc && loc->file)
		fprintf(stderr, "%s:%u:%u: refused by the kernel: %s (%s)%s%s\n",
			loc->file, loc->line, loc->col, strerror(-err),
			name ? name : "?", nl->err.msg[0] ? ": " : "",
			nl->err.msg);
	else
		nl_perror(nl, "load", err);
}

int send_policy(struct tf_policy *pol, uint32_t extra_flags,
		bool skip_missing_netns, uint64_t *generation)
{
	struct tf_netns_fds fds = { 0 };
	struct tf_cfg_error err;
	struct tf_batch batch = { 0 };
	struct tf_nl nl = { 0 };
	size_t i;
	int ret, r;

	*generation = 0;
	if (!netns_open_all(pol, &fds, skip_missing_netns, &err)) {
		print_cfg_error(&err);
		return TF_EXIT_USAGE;
	}
	/* check --kernel looks only: it must not load the module. */
	ret = nl_connect(&nl, !(extra_flags & TORFW_LOAD_F_CHECK));
	if (ret)
		goto out;
	policy_sort(pol);
	r = encode_load(pol, nl.fam.id, 0, extra_flags, TF_MSG_MAX, netns_fd,
			&fds, &batch);
	if (r) {
		fprintf(stderr, "torfwctl: cannot encode the policy: %s\n",
			strerror(-r));
		ret = TF_EXIT_KERNEL;
		goto out;
	}
	for (i = 0; i < batch.nmsgs; i++) {
		r = nl_transact(&nl, (struct nlmsghdr *)batch.msgs[i].buf,
				loader_generation_cb, generation);
		if (r) {
			report(&nl, &batch, i, r);
			ret = TF_EXIT_KERNEL;
			goto out;
		}
	}
out:
	batch_free(&batch);
	nl_close(&nl);
	netns_close_all(&fds);
	return ret;
}
