// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "torfwctl.h"

struct qctx {
	void *out;
	const char *why;
};

static int fail_cb(int ret)
{
	errno = -ret;
	return ret ? MNL_CB_ERROR : MNL_CB_OK;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qctx *q = data;

	return fail_cb(decode_status(nlh, q->out, &q->why));
}

static int policy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qctx *q = data;

	return fail_cb(decode_policy(nlh, q->out, &q->why));
}

static int counters_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qctx *q = data;

	return fail_cb(decode_counters(nlh, q->out, &q->why));
}

static void policy_reset(void *data)
{
	policy_clear(((struct qctx *)data)->out);
}

static void counters_reset(void *data)
{
	struct tf_counters *c = ((struct qctx *)data)->out;

	free(c->svc);
	memset(c, 0, sizeof(*c));
}

int query_status(struct tf_nl *nl, struct tf_status *st, const char **why)
{
	struct qctx q = { .out = st };
	int ret;

	memset(st, 0, sizeof(*st));
	ret = nl_transact(nl, nl_request(nl, TORFW_CMD_GET_STATUS), status_cb,
			  &q);
	*why = q.why;
	return ret;
}

int query_policy(struct tf_nl *nl, struct tf_policy *pol, const char **why)
{
	struct qctx q = { .out = pol };
	int ret;

	policy_clear(pol);
	ret = nl_dump(nl, TORFW_CMD_GET_POLICY, policy_cb, policy_reset, &q);
	*why = q.why;
	return ret;
}

int query_counters(struct tf_nl *nl, struct tf_counters *c, const char **why)
{
	struct qctx q = { .out = c };
	int ret;

	memset(c, 0, sizeof(*c));
	ret = nl_dump(nl, TORFW_CMD_GET_STATS, counters_cb, counters_reset, &q);
	*why = q.why;
	return ret;
}

int query_active(const char *cmd, struct tf_policy **out,
		 struct tf_status *st)
{
	struct tf_policy *pol;
	struct tf_nl nl;
	const char *why = NULL;
	int ret;

	*out = NULL;
	ret = nl_connect(&nl, false);
	if (ret)
		return ret;
	pol = policy_new();
	ret = pol ? query_status(&nl, st, &why) : -ENOMEM;
	if (!ret && (st->flags & TORFW_STATUS_F_LOADED))
		ret = query_policy(&nl, pol, &why);
	if (ret) {
		query_perror(&nl, cmd, ret, why);
		policy_free(pol);
		nl_close(&nl);
		return TF_EXIT_KERNEL;
	}
	nl_close(&nl);
	*out = pol;
	return TF_EXIT_OK;
}

void query_perror(const struct tf_nl *nl, const char *cmd, int err,
		  const char *why)
{
	if (why && (err == -EBADMSG || err == -EOPNOTSUPP))
		fprintf(stderr, "torfwctl: %s: %s reply from the kernel: %s\n",
			cmd, err == -EBADMSG ? "malformed" : "unsupported",
			why);
	else
		nl_perror(nl, cmd, err);
}
