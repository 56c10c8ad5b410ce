// SPDX-License-Identifier: GPL-2.0
/*
 * The NSS resolver: users and groups as the system knows them, including
 * LDAP or systemd-userdb users. Reentrant calls where glibc has them; the
 * enumeration of primary-group members has no reentrant form that is more
 * than a wrapper, and torfwctl is single-threaded.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"

static size_t buf_size(int name)
{
	long n = sysconf(name);

	return n > 0 ? (size_t)n : 16384;
}

static int nss_user_uid(void *ctx, const char *name, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	size_t size = buf_size(_SC_GETPW_R_SIZE_MAX);
	char *buf = NULL;
	int ret;

	(void)ctx;
	for (;;) {
		char *nbuf = realloc(buf, size);

		if (!nbuf) {
			ret = -ENOMEM;
			goto out;
		}
		buf = nbuf;
		ret = getpwnam_r(name, &pw, buf, size, &res);
		if (ret != ERANGE)
			break;
		size *= 2;
	}
	if (ret) {
		ret = -ret;
		goto out;
	}
	if (!res) {
		ret = -ENOENT;
		goto out;
	}
	*uid = res->pw_uid;
out:
	free(buf);
	return ret;
}

static bool nss_user_name(void *ctx, uint32_t uid, char *out, size_t outsize)
{
	struct passwd pw, *res = NULL;
	size_t size = buf_size(_SC_GETPW_R_SIZE_MAX);
	char *buf = NULL;
	bool ok = false;
	int ret;

	(void)ctx;
	for (;;) {
		char *nbuf = realloc(buf, size);

		if (!nbuf)
			goto out;
		buf = nbuf;
		ret = getpwuid_r(uid, &pw, buf, size, &res);
		if (ret != ERANGE)
			break;
		size *= 2;
	}
	if (ret || !res || strlen(res->pw_name) >= outsize)
		goto out;
	memcpy(out, res->pw_name, strlen(res->pw_name) + 1);
	ok = true;
out:
	free(buf);
	return ok;
}

static int nss_group_members(void *ctx, const char *name, uint32_t gid,
			     tf_uid_fn fn, void *arg)
{
	struct group gr, *res = NULL;
	struct passwd *pw;
	size_t size = buf_size(_SC_GETGR_R_SIZE_MAX);
	char *buf = NULL, **mem;
	int ret;

	for (;;) {
		char *nbuf = realloc(buf, size);

		if (!nbuf) {
			ret = -ENOMEM;
			goto out;
		}
		buf = nbuf;
		ret = name ? getgrnam_r(name, &gr, buf, size, &res) :
			     getgrgid_r(gid, &gr, buf, size, &res);
		if (ret != ERANGE)
			break;
		size *= 2;
	}
	if (ret) {
		ret = -ret;
		goto out;
	}
	if (!res) {
		ret = -ENOENT;
		goto out;
	}
	/* A stale member name (user deleted, group file not) is skipped. */
	for (mem = res->gr_mem; *mem; mem++) {
		uint32_t uid = 0;

		ret = nss_user_uid(ctx, *mem, &uid);
		if (ret == -ENOENT)
			continue;
		if (!ret)
			ret = fn(arg, uid);
		if (ret)
			goto out;
	}
	ret = 0;
	setpwent();
	while ((pw = getpwent())) {
		if (pw->pw_gid != res->gr_gid)
			continue;
		ret = fn(arg, pw->pw_uid);
		if (ret)
			break;
	}
	endpwent();
out:
	free(buf);
	return ret;
}

const struct tf_resolver tf_resolver_nss = {
	.user_uid = nss_user_uid,
	.user_name = nss_user_name,
	.group_members = nss_group_members,
};
