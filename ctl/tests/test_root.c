// SPDX-License-Identifier: GPL-2.0
/*
 * Includes inside a root (check --root): read as the image reads them, so
 * that a symlink or ".." in the image never reaches the build host's
 * files, and named root/path in messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "fake_resolver.h"
#include "tests.h"
#include "rootdir.h"
#include "tmpdir.h"
#include "userdb.h"

/* d/root is the image; d/host stands for the build host's own files. */
static bool parse_in(const struct tmpdir *d, const char *path,
		     bool in_root, struct tf_policy **pol,
		     struct tf_cfg_error *err)
{
	char root[PATH_MAX];
	struct tf_parse_opts opts = {
		.resolver = &fake_resolver, .sysroot = root,
		.path_in_root = in_root,
	};

	snprintf(root, sizeof(root), "%s/root/", d->path);
	*pol = policy_new();
	assert_non_null(*pol);
	return config_parse_file(*pol, path, &opts, err);
}

static void link_to(const struct tmpdir *d, const char *target,
		    const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", d->path, name);
	assert_int_equal(symlink(target, p), 0);
}

/* The top file by its path in the image, its relative includes there. */
static void test_top_in_root(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], want[PATH_MAX];

	tmpdir_write(d, "root/etc/torfw/torfw.conf",
		     "role tor 1\ninclude sub/a.conf\n"
		     "include /etc/torfw/torfw.d/*.conf\n", p, sizeof(p));
	tmpdir_write(d, "root/etc/torfw/sub/a.conf", "role tor 2\n", p,
		     sizeof(p));
	tmpdir_write(d, "root/etc/torfw/torfw.d/b.conf", "role tor 3\n", p,
		     sizeof(p));
	assert_true(parse_in(d, "/etc/torfw/torfw.conf", true, &pol, &err));
	assert_int_equal(pol->nroles, 3);
	snprintf(want, sizeof(want), "%s/root/etc/torfw/torfw.conf", d->path);
	assert_string_equal(pol->roles[0].loc.file, want);
	snprintf(want, sizeof(want), "%s/root/etc/torfw/sub/a.conf", d->path);
	assert_string_equal(pol->roles[1].loc.file, want);
	snprintf(want, sizeof(want), "%s/root/etc/torfw/torfw.d/b.conf",
		 d->path);
	assert_string_equal(pol->roles[2].loc.file, want);
	policy_free(pol);
}

/* An absolute symlink in the image points into the image. */
static void test_symlink_stays_inside(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], host[256], msg[PATH_MAX + 100];

	tmpdir_write(d, "host/secret.conf", "role tor 666\n", host,
		     sizeof(host));
	tmpdir_write(d, "root/etc/torfw/torfw.conf",
		     "include /etc/torfw/torfw.d/*.conf\n", p, sizeof(p));
	tmpdir_write(d, "root/etc/torfw/torfw.d/10-ok.conf", "role tor 1\n",
		     p, sizeof(p));
	link_to(d, host, "root/etc/torfw/torfw.d/20-evil.conf");
	assert_false(parse_in(d, "/etc/torfw/torfw.conf", true, &pol, &err));
	snprintf(msg, sizeof(msg),
		 "cannot open '%s/root/etc/torfw/torfw.d/20-evil.conf': No such file or directory",
		 d->path);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, 1);
	policy_free(pol);

	/* the same target made inside the image is what gets read */
	snprintf(msg, sizeof(msg), "root%s", host);
	tmpdir_write(d, msg, "role tor 7\n", p, sizeof(p));
	if (!parse_in(d, "/etc/torfw/torfw.conf", true, &pol, &err))
		fail_msg("%s:%u: %s", err.file, err.line, err.msg);
	assert_int_equal(pol->nroles, 2);
	assert_int_equal(pol->roles[1].uid, 7);
	policy_free(pol);
}

/* "..", in a pattern or a symlink, stops at the image's root. */
static void test_dotdot_stays_inside(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], inc[PATH_MAX * 2];

	tmpdir_write(d, "host/x.conf", "role tor 666\n", p, sizeof(p));
	tmpdir_write(d, "root/host/x.conf", "role tor 5\n", p, sizeof(p));
	snprintf(inc, sizeof(inc),
		 "include ../../../../../../../../host/x.conf\n"
		 "include /etc/up.conf\n");
	tmpdir_write(d, "root/etc/torfw/torfw.conf", inc, p, sizeof(p));
	link_to(d, "../../../../../../../host/x.conf", "root/etc/up.conf");
	assert_true(parse_in(d, "/etc/torfw/torfw.conf", true, &pol, &err));
	assert_int_equal(pol->nroles, 1);	/* the same file twice */
	assert_int_equal(pol->roles[0].uid, 5);
	policy_free(pol);
}

/* A symlinked directory to the host's lists the image's, here none. */
static void test_symlinked_dir_stays_inside(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], hostdir[PATH_MAX];

	tmpdir_write(d, "host/d/a.conf", "role tor 666\n", p, sizeof(p));
	snprintf(hostdir, sizeof(hostdir), "%s/host/d", d->path);
	tmpdir_write(d, "root/etc/torfw/torfw.conf",
		     "include /etc/torfw/torfw.d/*.conf\n"
		     "include /etc/torfw/*/a.conf\n", p, sizeof(p));
	link_to(d, hostdir, "root/etc/torfw/torfw.d");
	assert_true(parse_in(d, "/etc/torfw/torfw.conf", true, &pol, &err));
	assert_int_equal(pol->nroles, 0);
	policy_free(pol);
}

/* Globs list the image's directories, through its own symlinks. */
static void test_glob_through_image_links(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX];

	tmpdir_write(d, "root/srv/drop/a.conf", "role tor 1\n", p, sizeof(p));
	tmpdir_write(d, "root/etc/torfw/sub/b.conf", "role tor 2\n", p,
		     sizeof(p));
	tmpdir_write(d, "root/etc/torfw/torfw.conf",
		     "include /etc/torfw/torfw.d/*.conf\n"
		     "include /etc/torfw/*/b.conf\n", p, sizeof(p));
	/* absolute: /srv/drop of the image, not of this machine */
	link_to(d, "/srv/drop", "root/etc/torfw/torfw.d");
	if (!parse_in(d, "/etc/torfw/torfw.conf", true, &pol, &err))
		fail_msg("%s:%u: %s", err.file, err.line, err.msg);
	assert_int_equal(pol->nroles, 2);
	assert_int_equal(pol->roles[0].uid, 1);
	assert_int_equal(pol->roles[1].uid, 2);
	policy_free(pol);
}

/* A top file given by a host path: its absolute includes in the root. */
static void test_top_on_host(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], top[PATH_MAX];

	tmpdir_write(d, "root/etc/torfw/torfw.d/a.conf", "role tor 4\n", p,
		     sizeof(p));
	tmpdir_write(d, "host/extra.conf", "role tor 6\n", p, sizeof(p));
	tmpdir_write(d, "host/torfw.conf",
		     "include /etc/torfw/torfw.d/*.conf\ninclude extra.conf\n",
		     top, sizeof(top));
	assert_true(parse_in(d, top, false, &pol, &err));
	assert_int_equal(pol->nroles, 2);
	assert_int_equal(pol->roles[0].uid, 4);
	assert_int_equal(pol->roles[1].uid, 6);
	policy_free(pol);
}

static void test_missing_root(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char want[PATH_MAX];

	assert_false(parse_in(d, "/etc/torfw/torfw.conf", true, &pol, &err));
	snprintf(want, sizeof(want), "%s/root/", d->path);
	assert_string_equal(err.file, want);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "No such file or directory");
	policy_free(pol);
}

static void test_missing_top_in_root(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_policy *pol;
	char p[PATH_MAX], want[PATH_MAX];

	tmpdir_write(d, "root/etc/passwd", "", p, sizeof(p));
	assert_false(parse_in(d, "/etc/torfw/torfw.conf", true, &pol, &err));
	snprintf(want, sizeof(want), "%s/root/etc/torfw/torfw.conf", d->path);
	assert_string_equal(err.file, want);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "No such file or directory");
	policy_free(pol);
}

/* d/root's passwd and group; NULL with err set when they do not load. */
static struct tf_userdb *load_users(const struct tmpdir *d,
				    struct tf_cfg_error *err)
{
	struct tf_userdb *db;
	char root[PATH_MAX];
	int fd;

	snprintf(root, sizeof(root), "%s/root", d->path);
	fd = root_open_dir(root);
	assert_true(fd >= 0);
	db = userdb_load(fd, root, err);
	close(fd);
	return db;
}

static void test_users_in_root(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	struct tf_userdb *db;
	struct tf_resolver r;
	char p[PATH_MAX];
	uint32_t uid = 0;

	tmpdir_write(d, "root/etc/passwd",
		     "debian-tor:x:997:997::/:/usr/sbin/nologin\n", p,
		     sizeof(p));
	tmpdir_write(d, "root/etc/group", "debian-tor:x:997:\n", p, sizeof(p));
	db = load_users(d, &err);
	assert_non_null(db);
	r = userdb_resolver(db);
	assert_int_equal(r.user_uid(r.ctx, "debian-tor", &uid), 0);
	assert_int_equal(uid, 997);
	userdb_free(db);
}

/* The image's passwd as a symlink to the host's file reads nothing. */
static void test_passwd_symlink_stays_inside(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	char host[PATH_MAX], want[PATH_MAX];

	tmpdir_write(d, "host/shadow", "root:x:0:0::/:\n", host, sizeof(host));
	tmpdir_write(d, "root/etc/group", "", want, sizeof(want));
	link_to(d, host, "root/etc/passwd");
	assert_null(load_users(d, &err));
	snprintf(want, sizeof(want), "%s/root/etc/passwd", d->path);
	assert_string_equal(err.file, want);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "No such file or directory");
}

/* A FIFO does not hang the read, a huge file is not read. */
static void test_passwd_not_regular_or_huge(void **state)
{
	struct tmpdir *d = *state;
	struct tf_cfg_error err;
	char p[PATH_MAX];
	int fd;

	tmpdir_write(d, "root/etc/passwd", "root:x:0:0::/:\n", p, sizeof(p));
	snprintf(p, sizeof(p), "%s/root/etc/group", d->path);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_null(load_users(d, &err));
	assert_string_equal(err.msg, "not a regular file");
	assert_int_equal(unlink(p), 0);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, TF_USERDB_MAX_FILE + 1), 0);
	close(fd);
	assert_null(load_users(d, &err));
	assert_string_equal(err.msg, "larger than 16 MiB: not read");
}

#define T(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int test_root_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		T(test_top_in_root),
		T(test_symlink_stays_inside),
		T(test_dotdot_stays_inside),
		T(test_symlinked_dir_stays_inside),
		T(test_glob_through_image_links),
		T(test_top_on_host),
		T(test_missing_root),
		T(test_missing_top_in_root),
		T(test_users_in_root),
		T(test_passwd_symlink_stays_inside),
		T(test_passwd_not_regular_or_huge),
	};

	return RUN_GROUP("root", tests, count);
}
