// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces are named by ip-netns(8) names in the config but passed to the
 * kernel as open files: the kernel keeps the namespace itself (its cookie),
 * so a name reused later for another namespace grants nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

#define NETNS_RUN_DIR "/run/netns"

static bool open_one(struct tf_netns_fds *fds, const struct tf_netns *ns,
		     struct tf_cfg_error *err)
{
	char path[sizeof(NETNS_RUN_DIR) + TORFW_NS_NAME_MAX];
	struct tf_netns_fd *v;
	int fd;

	if (netns_fd(fds, ns->name) >= 0)
		return true;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", ns->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err->file, sizeof(err->file), "%s",
			 ns->loc.file ? ns->loc.file : "?");
		err->line = ns->loc.line;
		err->col = ns->loc.col;
		snprintf(err->msg, sizeof(err->msg),
			 "cannot open namespace '%s': %s: %s", ns->name, path,
			 strerror(errno));
		return false;
	}
	v = realloc(fds->v, (fds->n + 1) * sizeof(*v));
	if (!v) {
		close(fd);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return false;
	}
	fds->v = v;
	snprintf(v[fds->n].name, sizeof(v[fds->n].name), "%s", ns->name);
	v[fds->n].fd = fd;
	fds->n++;
	return true;
}

bool netns_open_all(const struct tf_policy *pol, struct tf_netns_fds *fds,
		    struct tf_cfg_error *err)
{
	size_t i, j;
	bool ok = true;

	memset(fds, 0, sizeof(*fds));
	memset(err, 0, sizeof(*err));
	for (i = 0; ok && i < pol->ngrants; i++)
		ok = open_one(fds, &pol->grants[i], err);
	for (i = 0; ok && i < pol->nservices; i++)
		for (j = 0; ok && j < pol->services[i].nnetns; j++)
			ok = open_one(fds, &pol->services[i].netns[j], err);
	if (!ok)
		netns_close_all(fds);
	return ok;
}

void netns_close_all(struct tf_netns_fds *fds)
{
	size_t i;

	for (i = 0; i < fds->n; i++)
		close(fds->v[i].fd);
	free(fds->v);
	fds->v = NULL;
	fds->n = 0;
}

int netns_fd(void *ctx, const char *name)
{
	const struct tf_netns_fds *fds = ctx;
	size_t i;

	for (i = 0; i < fds->n; i++)
		if (!strcmp(fds->v[i].name, name))
			return fds->v[i].fd;
	return -1;
}
