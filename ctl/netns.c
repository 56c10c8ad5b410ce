// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces are named by ip-netns(8) names in the config but passed to the
 * kernel as open files: the kernel keeps the namespace itself (its cookie),
 * so a name reused later for another namespace grants nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "netns.h"

#define NETNS_RUN_DIR "/run/netns"

static void located(struct tf_cfg_error *err, const struct tf_netns *ns)
{
	snprintf(err->file, sizeof(err->file), "%s",
		 ns->loc.file ? ns->loc.file : "?");
	err->line = ns->loc.line;
	err->col = ns->loc.col;
}

/* 1 opened (or already), 0 absent and skipped, -1 error in err. */
static int open_one(struct tf_netns_fds *fds, const struct tf_netns *ns,
		    bool skip_missing, struct tf_cfg_error *err)
{
	char path[sizeof(NETNS_RUN_DIR) + TORFW_NS_NAME_MAX];
	struct tf_netns_fd *v;
	int fd;

	if (netns_fd(fds, ns->name) >= 0)
		return 1;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", ns->name);
	/* Non-blocking: a FIFO planted there must not hang the load. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && skip_missing) {
		fprintf(stderr, "%s:%u:%u: warning: namespace '%s' does not exist: left out until the policy is loaded again\n",
			ns->loc.file ? ns->loc.file : "?", ns->loc.line,
			ns->loc.col, ns->name);
		return 0;
	}
	if (fd < 0) {
		located(err, ns);
		snprintf(err->msg, sizeof(err->msg),
			 "cannot open namespace '%s': %s: %s", ns->name, path,
			 strerror(errno));
		return -1;
	}
	v = realloc(fds->v, (fds->n + 1) * sizeof(*v));
	if (!v) {
		close(fd);
		located(err, ns);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	fds->v = v;
	snprintf(v[fds->n].name, sizeof(v[fds->n].name), "%s", ns->name);
	v[fds->n].fd = fd;
	fds->n++;
	return 1;
}

/*
 * Visits each namespace mention until one is absent (its name goes to
 * missing) or fails; 1 when all are open.
 */
static int open_pass(const struct tf_policy *pol, struct tf_netns_fds *fds,
		     bool skip_missing, char *missing,
		     struct tf_cfg_error *err)
{
	const struct tf_netns *ns;
	size_t i, j;
	int r;

	for (i = 0; i < pol->ngrants; i++) {
		ns = &pol->grants[i];
		r = open_one(fds, ns, skip_missing, err);
		if (r <= 0)
			goto found;
	}
	for (i = 0; i < pol->nservices; i++) {
		for (j = 0; j < pol->services[i].nnetns; j++) {
			ns = &pol->services[i].netns[j];
			r = open_one(fds, ns, skip_missing, err);
			if (r <= 0)
				goto found;
		}
	}
	return 1;
found:
	if (!r)
		memcpy(missing, ns->name, strlen(ns->name) + 1);
	return r;
}

bool netns_open_all(struct tf_policy *pol, struct tf_netns_fds *fds,
		    bool skip_missing, struct tf_cfg_error *err)
{
	char missing[TORFW_NS_NAME_MAX];
	int r;

	memset(fds, 0, sizeof(*fds));
	memset(err, 0, sizeof(*err));
	/* Each absent namespace leaves the policy, then the walk restarts. */
	while ((r = open_pass(pol, fds, skip_missing, missing, err)) == 0)
		policy_drop_netns(pol, missing);
	if (r < 0)
		netns_close_all(fds);
	return r > 0;
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

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/*
 * A child enters the namespace and asks a socket there for its cookie;
 * its status says why it could not (an errno).
 */
int netns_live_cookie(const char *name, uint64_t *cookie)
{
	char path[sizeof(NETNS_RUN_DIR) + TORFW_NS_NAME_MAX];
	int fd, pfd[2], st, err;
	struct stat sb;
	pid_t pid;

	*cookie = 0;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	/* Non-blocking: a FIFO planted there must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		err = -errno;
		close(fd);
		return err;
	}
	pid = fork();
	if (pid == 0) {
		uint64_t c = 0;
		socklen_t len = sizeof(c);
		int s;

		close(pfd[0]);
		if (setns(fd, CLONE_NEWNET))
			_exit(errno & 0xff);
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0 || getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &c,
					&len) || len != sizeof(c))
			_exit(s < 0 ? errno & 0xff : EOPNOTSUPP);
		_exit(write(pfd[1], &c, sizeof(c)) == sizeof(c) ? 0 : EIO);
	}
	err = pid < 0 ? -errno : 0;
	close(fd);
	close(pfd[1]);
	if (!err && read(pfd[0], cookie, sizeof(*cookie)) != sizeof(*cookie))
		*cookie = 0;
	close(pfd[0]);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st))
		err = -WEXITSTATUS(st);
	if (!err && !*cookie)
		err = -EIO;
	return err;
}
