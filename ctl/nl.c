// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink side of torfwctl, on libmnl. Requests ask for NETLINK_EXT_ACK
 * so the kernel can say which attribute it refused, and NETLINK_CAP_ACK so
 * that the error of a 32 KiB load message is not echoed back whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nl.h"
#include "torfwctl.h"

/* A dump message is at most 32 KiB; an unCAPped error echoes a request. */
#define NL_BUFSIZE	((size_t)64 * 1024)
#define DUMP_RETRIES	8

struct run {
	struct tf_nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int run_data(const struct nlmsghdr *nlh, void *d)
{
	struct run *r = d;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->nl->dump_intr = true;
	return r->cb ? r->cb(nlh, r->data) : MNL_CB_OK;
}

static int run_err(const struct nlmsghdr *nlh, void *d)
{
	struct run *r = d;
	int e = decode_nlmsgerr(nlh, &r->nl->err);

	if (e) {
		errno = -e;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int run_noop(const struct nlmsghdr *nlh, void *d)
{
	(void)nlh;
	(void)d;
	return MNL_CB_OK;
}

static const mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = run_noop,
	[NLMSG_ERROR] = run_err,
	[NLMSG_DONE] = run_err,
	[NLMSG_OVERRUN] = run_noop,
};

static int receive(struct tf_nl *nl, uint32_t seq, mnl_cb_t cb, void *data)
{
	struct run r = { .nl = nl, .cb = cb, .data = data };
	ssize_t n;
	int ret;

	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, nl->bufsize);
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		errno = 0;
		ret = mnl_cb_run2(nl->buf, (size_t)n, seq, nl->portid,
				  run_data, &r, (mnl_cb_t *)ctl_cb,
				  NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	ret = ret < 0 ? -(errno ? errno : EPROTO) : 0;
out:
	return ret;
}

static int sock_open(struct tf_nl *nl)
{
	int one = 1, ret = 0;

	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	/* Both are optional: older kernels answer without them. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		goto out;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
out:
	return ret;
}

static struct nlmsghdr *put_header(struct tf_nl *nl, uint16_t type,
				   uint16_t flags, uint8_t cmd,
				   uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *nl_request(struct tf_nl *nl, uint8_t cmd)
{
	return put_header(nl, nl->fam.id, NLM_F_REQUEST | NLM_F_ACK, cmd,
			  TORFW_GENL_VERSION);
}

int nl_transact(struct tf_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	int ret;

	memset(&nl->err, 0, sizeof(nl->err));
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = receive(nl, nlh->nlmsg_seq, cb, data);
out:
	if (ret && !nl->err.error)
		nl->err.error = ret;
	return ret;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const char *why;

	if (decode_family(nlh, data, &why)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int resolve_family(struct tf_nl *nl)
{
	struct nlmsghdr *nlh;

	nlh = put_header(nl, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
			 CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TORFW_GENL_NAME);
	return nl_transact(nl, nlh, family_cb, &nl->fam);
}

/* fork/exec, no shell: the argument is fixed and nothing is interpreted. */
static bool run_modprobe(void)
{
	char *const argv[] = { "modprobe", "torfw", NULL };
	extern char **environ;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		/* Our one line says what failed; modprobe's would repeat it. */
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execve("/sbin/modprobe", argv, environ);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int nl_connect(struct tf_nl *nl, bool modprobe)
{
	bool loaded = false;
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->seq = (uint32_t)time(NULL);
	nl->bufsize = NL_BUFSIZE;
	nl->buf = malloc(nl->bufsize);
	if (!nl->buf) {
		ret = -ENOMEM;
		goto err;
	}
	ret = sock_open(nl);
	if (ret)
		goto err;
	ret = resolve_family(nl);
	if (ret != -ENOENT)
		goto done;
	if (!modprobe) {
		/* Loading closes the network: looking must not do it. */
		fprintf(stderr, "torfwctl: the torfw module is not loaded (only 'torfwctl load' loads it)\n");
		nl_close(nl);
		return TF_EXIT_NOMODULE;
	}
	loaded = run_modprobe();
	ret = resolve_family(nl);
	if (ret == -ENOENT) {
		fprintf(stderr, "torfwctl: the torfw module is not loaded (%s)\n",
			loaded ? "modprobe torfw succeeded but the kernel has no torfw family" :
			"modprobe torfw failed");
		nl_close(nl);
		return TF_EXIT_NOMODULE;
	}
done:
	if (!ret)
		return TF_EXIT_OK;
err:
	nl_perror(nl, "netlink", ret);
	nl_close(nl);
	return TF_EXIT_KERNEL;
}

void nl_close(struct tf_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
	free(nl->buf);
	nl->buf = NULL;
}

int nl_dump(struct tf_nl *nl, uint8_t cmd, mnl_cb_t cb, void (*reset)(void *),
	    void *data)
{
	int ret = 0, tries;

	for (tries = 0; tries < DUMP_RETRIES; tries++) {
		struct nlmsghdr *nlh;

		if (tries) {
			/*
			 * The rest of an interrupted dump may still be queued:
			 * a new socket starts clean.
			 */
			mnl_socket_close(nl->sock);
			ret = sock_open(nl);
			if (ret)
				break;
			if (reset)
				reset(data);
		}
		nl->dump_intr = false;
		nlh = put_header(nl, nl->fam.id, NLM_F_REQUEST | NLM_F_DUMP,
				 cmd, TORFW_GENL_VERSION);
		ret = nl_transact(nl, nlh, cb, data);
		if (ret != -EINTR && ret != -EAGAIN && !nl->dump_intr)
			break;
		ret = -EINTR;
	}
	return ret;
}

int nl_monitor(struct tf_nl *nl, mnl_cb_t cb, void *data)
{
	struct run r = { .nl = nl, .cb = cb, .data = data };
	uint32_t group = nl->fam.events_group;
	int ret;

	if (!group)
		return -EOPNOTSUPP;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf,
						nl->bufsize);

		if (n < 0 && errno == ENOBUFS) {
			/* The socket overflowed: say so, keep listening. */
			fprintf(stderr, "torfwctl: monitor: events lost (receive buffer overrun)\n");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run2(nl->buf, (size_t)n, 0, 0, run_data, &r,
				  (mnl_cb_t *)ctl_cb, NLMSG_MIN_TYPE);
		if (ret < 0) {
			ret = -errno;
			break;
		}
	}
	return ret;
}

void nl_perror(const struct tf_nl *nl, const char *what, int err)
{
	const char *name = strerrorname_np(-err);
	const char *hint = "";

	if (err == -EPERM && !nl->err.msg[0])
		hint = " (torfwctl needs CAP_NET_ADMIN: run it as root)";
	if (nl->err.msg[0])
		fprintf(stderr, "torfwctl: %s: %s (%s): %s\n", what,
			strerror(-err), name ? name : "?", nl->err.msg);
	else
		fprintf(stderr, "torfwctl: %s: %s (%s)%s\n", what,
			strerror(-err), name ? name : "?", hint);
}
