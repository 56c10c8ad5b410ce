// SPDX-License-Identifier: GPL-2.0
/* Reading the policy of explain and diff: a file, or the active one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "loader.h"
#include "policysrc.h"
#include "query.h"
#include "rootdir.h"
#include "torfwctl.h"

struct tf_userdb *root_users(const char *cmd, const char *dir)
{
	struct tf_userdb *db = NULL;
	struct tf_cfg_error err;
	char msg[1200];
	size_t len = strlen(dir);
	int fd = root_open_dir(dir);

	if (fd == -ENOSYS) {
		fprintf(stderr, "torfwctl: %s: --root needs openat2(2) (Linux 5.6 or later)\n",
			cmd);
		return NULL;
	}
	if (fd < 0) {
		fprintf(stderr, "torfwctl: %s: %s: %s\n", cmd, dir,
			strerror(-fd));
		return NULL;
	}
	/* Files inside are named DIR/etc/passwd, without a double slash. */
	while (len > 0 && dir[len - 1] == '/')
		len--;
	snprintf(msg, sizeof(msg), "%.*s", (int)len, dir);
	db = userdb_load(fd, msg, &err);
	close(fd);
	if (!db) {
		config_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
	}
	return db;
}

int policy_src_init(struct policy_src *s, const char *cmd, const char *root)
{
	memset(s, 0, sizeof(*s));
	s->res = tf_resolver_nss;
	s->root = root;
	if (!root)
		return TF_EXIT_OK;
	s->db = root_users(cmd, root);
	if (!s->db)
		return TF_EXIT_USAGE;
	s->res = userdb_resolver(s->db);
	return TF_EXIT_OK;
}

void policy_src_free(struct policy_src *s)
{
	userdb_free(s->db);
	s->db = NULL;
}

int policy_src_read(struct policy_src *s, const char *what, const char *cmd,
		    struct tf_policy **out, bool *none)
{
	struct tf_parse_opts opts = { .resolver = &s->res };

	*out = NULL;
	*none = false;
	if (!strcmp(what, "active") || !strcmp(what, "-")) {
		struct tf_status st;
		int ret = query_active(cmd, out, &st);

		*none = !ret && !(st.flags & TORFW_STATUS_F_LOADED);
		return ret;
	}
	if (s->root) {
		opts.sysroot = s->root;
		opts.path_in_root = true;
	}
	return read_config_opts(what, &opts, out);
}
