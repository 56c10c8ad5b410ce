// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl monitor: one line per refused packet from the "events" group,
 * flushed at once so a pipe (a desktop notifier) sees it immediately.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/genetlink.h>

#include "event.h"
#include "nl.h"
#include "torfwctl.h"

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct tf_event ev;
	const char *why;

	(void)data;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
	    genl->cmd != TORFW_CMD_EVENT)
		return MNL_CB_OK;
	/* One bad event must not end the stream: say so and go on. */
	if (decode_event(nlh, &ev, &why)) {
		fprintf(stderr, "torfwctl: monitor: skipped an event: %s\n",
			why);
		return MNL_CB_OK;
	}
	if (tf_cli.json)
		event_print_json(stdout, &ev);
	else
		event_print(stdout, &ev);
	fflush(stdout);
	return MNL_CB_OK;
}

int monitor_main(int argc, char *argv[])
{
	struct tf_nl nl;
	int i, ret;

	i = parse_common(argc, argv, "monitor", "[-j]");
	if (i < 0)
		return i == -2 ? TF_EXIT_OK : TF_EXIT_USAGE;
	if (i < argc) {
		fprintf(stderr, "torfwctl: monitor: too many arguments\n");
		return TF_EXIT_USAGE;
	}
	ret = nl_connect(&nl, false);
	if (ret)
		return ret;
	ret = nl_monitor(&nl, event_cb, NULL);
	if (ret == -EOPNOTSUPP)
		fprintf(stderr, "torfwctl: monitor: the module has no '%s' multicast group\n",
			TORFW_MCGRP_EVENTS);
	else
		nl_perror(&nl, "monitor", ret);
	nl_close(&nl);
	return TF_EXIT_KERNEL;
}
