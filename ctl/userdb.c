// SPDX-License-Identifier: GPL-2.0
/*
 * passwd(5) and group(5) parsed strictly: a line glibc would skip without
 * a word (too few fields, a uid that is not a number) is an error here,
 * because the image would then not know a user the policy may name. Blank
 * lines and # comments are skipped as glibc does. Lookups go through
 * sorted indexes, and each answer is the first entry in file order, as
 * getpwuid and getgrgid give it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "rootdir.h"
#include "userdb.h"

/* LOGIN_NAME_MAX: longer names are no names glibc would hand out. */
#define NAME_MAX_LEN	256

struct user {
	const char *name;
	uint32_t uid, gid;
	unsigned int line;
};

struct group {
	const char *name;
	uint32_t gid;
	size_t first, n;	/* members[first .. first + n) */
	unsigned int line;
};

struct tf_userdb {
	char *pw, *gr;		/* the texts, split in place */
	struct user *users;
	struct group *groups;
	const char **members;
	size_t nusers, ngroups, nmembers, users_cap, groups_cap, members_cap;
	/* indexes into users/groups, each sorted by its key, then by index */
	uint32_t *user_by_name, *user_by_uid, *user_by_gid, *group_by_name,
		 *group_by_gid;
};

struct text {
	const char *file;
	unsigned int line;
	const char *start;	/* of the line, for columns */
	struct tf_cfg_error *err;
};

static bool bad(struct text *t, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool bad(struct text *t, const char *at, const char *fmt, ...)
{
	va_list ap;

	snprintf(t->err->file, sizeof(t->err->file), "%s", t->file);
	t->err->line = t->line;
	t->err->col = (unsigned int)(at - t->start) + 1;
	va_start(ap, fmt);
	vsnprintf(t->err->msg, sizeof(t->err->msg), fmt, ap);
	va_end(ap);
	return false;
}

static bool check_name(struct text *t, const char *s, const char *what)
{
	const unsigned char *c;

	if (!*s)
		return bad(t, s, "empty %s name", what);
	if (s[0] == '+' || s[0] == '-')
		return bad(t, s,
			   "NIS compat entry '%.64s' (only plain entries are read)",
			   s);
	for (c = (const unsigned char *)s; *c; c++)
		if (*c <= ' ' || *c == 0x7f || *c == ',')
			return bad(t, (const char *)c,
				   "invalid character 0x%02x in %s name '%.64s'",
				   *c, what, s);
	if (strlen(s) > NAME_MAX_LEN)
		return bad(t, s, "%s name too long (at most %d bytes)", what,
			   NAME_MAX_LEN);
	return true;
}

static bool check_id(struct text *t, const char *s, const char *what,
		     uint32_t *out)
{
	unsigned long v;
	bool range;

	/* (uid_t)-1 is "no user" to the kernel, as in the config. */
	if (!parse_ulong(s, UINT32_MAX - 1, &v, &range))
		return bad(t, s, "invalid %s '%.64s' (expected 0-4294967294)",
			   what, s);
	*out = (uint32_t)v;
	return true;
}

/* Splits line at ':' into exactly n fields; false if the count differs. */
static bool fields(struct text *t, char *line, char **f, size_t n)
{
	size_t i;
	char *c;

	/* Each field set, to the empty end of the line until found. */
	for (i = 0; i < n; i++)
		f[i] = line + strlen(line);
	i = 0;
	f[i++] = line;
	for (c = line; *c; c++) {
		if (*c != ':')
			continue;
		if (i == n)
			return bad(t, c,
				   "more than %zu fields separated by ':'", n);
		*c = '\0';
		f[i++] = c + 1;
	}
	if (i < n)
		return bad(t, c, "%zu fields separated by ':' instead of %zu",
			   i, n);
	return true;
}

/* Calls fn for each line to parse; blank and comment lines are skipped. */
static bool each_line(struct tf_userdb *db, struct text *t, char *text,
		      size_t len,
		      bool (*fn)(struct tf_userdb *db, struct text *t,
				 char *line))
{
	char *line = text, *end = text + len, *nl;
	const char *c;

	t->line = 0;
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		*nl = '\0';
		t->line++;
		t->start = line;
		if (strlen(line) != (size_t)(nl - line))
			return bad(t, line + strlen(line), "NUL byte");
		for (c = line; *c == ' ' || *c == '\t' || *c == '\r'; c++)
			;
		if (*c && *c != '#') {
			if (c != line)
				return bad(t, line, "line starts with a blank");
			if (!fn(db, t, line))
				return false;
		}
		line = nl + 1;
	}
	return true;
}

/* v, or v grown to hold one more element; NULL (v untouched) on failure. */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 64;

	if (n < *cap)
		return v;
	v = realloc(v, ncap * size);
	if (v)
		*cap = ncap;
	return v;
}

/* name:password:uid:gid:gecos:home:shell */
static bool passwd_line(struct tf_userdb *db, struct text *t, char *line)
{
	struct user *u;
	char *f[7];

	if (!fields(t, line, f, 7) || !check_name(t, f[0], "user"))
		return false;
	u = grow(db->users, db->nusers, &db->users_cap, sizeof(*u));
	if (!u)
		return bad(t, line, "out of memory");
	db->users = u;
	u = &db->users[db->nusers];
	if (!check_id(t, f[2], "uid", &u->uid) ||
	    !check_id(t, f[3], "gid", &u->gid))
		return false;
	u->name = f[0];
	u->line = t->line;
	db->nusers++;
	return true;
}

/* name:password:gid:member,member,... */
static bool group_line(struct tf_userdb *db, struct text *t, char *line)
{
	struct group *g;
	const char **mem;
	char *f[4], *m, *comma;

	if (!fields(t, line, f, 4) || !check_name(t, f[0], "group"))
		return false;
	g = grow(db->groups, db->ngroups, &db->groups_cap, sizeof(*g));
	if (!g)
		return bad(t, line, "out of memory");
	db->groups = g;
	g = &db->groups[db->ngroups];
	if (!check_id(t, f[2], "gid", &g->gid))
		return false;
	g->name = f[0];
	g->line = t->line;
	g->first = db->nmembers;
	g->n = 0;
	for (m = f[3]; *f[3]; m = comma + 1) {
		comma = strchr(m, ',');
		if (comma)
			*comma = '\0';
		if (!check_name(t, m, "member"))
			return false;
		mem = grow(db->members, db->nmembers, &db->members_cap,
			   sizeof(*mem));
		if (!mem)
			return bad(t, line, "out of memory");
		db->members = mem;
		db->members[db->nmembers++] = m;
		g->n++;
		if (!comma)
			break;
	}
	db->ngroups++;
	return true;
}

/* Comparisons of indexes: by key, then by position in the file. */
#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int by_user_name(const void *a, const void *b, void *ctx)
{
	const struct user *u = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int r = strcmp(u[x].name, u[y].name);

	return r ? r : CMP(x, y);
}

static int by_uid(const void *a, const void *b, void *ctx)
{
	const struct user *u = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return u[x].uid != u[y].uid ? CMP(u[x].uid, u[y].uid) : CMP(x, y);
}

static int by_user_gid(const void *a, const void *b, void *ctx)
{
	const struct user *u = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return u[x].gid != u[y].gid ? CMP(u[x].gid, u[y].gid) : CMP(x, y);
}

static int by_group_name(const void *a, const void *b, void *ctx)
{
	const struct group *g = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int r = strcmp(g[x].name, g[y].name);

	return r ? r : CMP(x, y);
}

static int by_gid(const void *a, const void *b, void *ctx)
{
	const struct group *g = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return g[x].gid != g[y].gid ? CMP(g[x].gid, g[y].gid) : CMP(x, y);
}

static uint32_t *sorted(size_t n, void *base,
			int (*cmp)(const void *, const void *, void *))
{
	uint32_t *ix = malloc((n ? n : 1) * sizeof(*ix));
	size_t i;

	if (!ix)
		return NULL;
	for (i = 0; i < n; i++)
		ix[i] = (uint32_t)i;
	qsort_r(ix, n, sizeof(*ix), cmp, base);
	return ix;
}

/* A name given twice: glibc would answer the first, the image's tools
 * (pwck, grpck) call it an error. */
static bool unique(const char *file, const uint32_t *ix, size_t n,
		   const char *(*name)(const struct tf_userdb *db, uint32_t i),
		   unsigned int (*line)(const struct tf_userdb *db,
					uint32_t i),
		   const struct tf_userdb *db, const char *what,
		   struct tf_cfg_error *err)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (strcmp(name(db, ix[i - 1]), name(db, ix[i])) != 0)
			continue;
		snprintf(err->file, sizeof(err->file), "%s", file);
		err->line = line(db, ix[i]);
		err->col = 1;
		snprintf(err->msg, sizeof(err->msg),
			 "duplicate %s '%.64s' (first at line %u)", what,
			 name(db, ix[i]), line(db, ix[i - 1]));
		return false;
	}
	return true;
}

static const char *user_name_at(const struct tf_userdb *db, uint32_t i)
{
	return db->users[i].name;
}

static unsigned int user_line_at(const struct tf_userdb *db, uint32_t i)
{
	return db->users[i].line;
}

static const char *group_name_at(const struct tf_userdb *db, uint32_t i)
{
	return db->groups[i].name;
}

static unsigned int group_line_at(const struct tf_userdb *db, uint32_t i)
{
	return db->groups[i].line;
}

static char *copy(const char *s, size_t len)
{
	char *c = malloc(len + 1);

	if (c) {
		memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

struct tf_userdb *userdb_parse(const char *pw_name, const char *pw,
			       size_t pw_len, const char *gr_name,
			       const char *gr, size_t gr_len,
			       struct tf_cfg_error *err)
{
	struct tf_userdb *db = calloc(1, sizeof(*db));
	struct text t = { .err = err };

	memset(err, 0, sizeof(*err));
	if (!db)
		goto nomem;
	db->pw = copy(pw, pw_len);
	db->gr = copy(gr, gr_len);
	if (!db->pw || !db->gr)
		goto nomem;
	t.file = pw_name;
	if (!each_line(db, &t, db->pw, pw_len, passwd_line))
		goto fail;
	t.file = gr_name;
	if (!each_line(db, &t, db->gr, gr_len, group_line))
		goto fail;
	db->user_by_name = sorted(db->nusers, db->users, by_user_name);
	db->user_by_uid = sorted(db->nusers, db->users, by_uid);
	db->user_by_gid = sorted(db->nusers, db->users, by_user_gid);
	db->group_by_name = sorted(db->ngroups, db->groups, by_group_name);
	db->group_by_gid = sorted(db->ngroups, db->groups, by_gid);
	if (!db->user_by_name || !db->user_by_uid || !db->user_by_gid ||
	    !db->group_by_name || !db->group_by_gid)
		goto nomem;
	if (!unique(pw_name, db->user_by_name, db->nusers, user_name_at,
		    user_line_at, db, "user", err) ||
	    !unique(gr_name, db->group_by_name, db->ngroups, group_name_at,
		    group_line_at, db, "group", err))
		goto fail;
	return db;
nomem:
	snprintf(err->file, sizeof(err->file), "%s", pw_name);
	snprintf(err->msg, sizeof(err->msg), "out of memory");
fail:
	userdb_free(db);
	return NULL;
}

static bool read_one(int rootfd, const char *display, const char *path,
		     char *name, size_t size, char **buf, size_t *len,
		     struct tf_cfg_error *err)
{
	int r;

	snprintf(name, size, "%s%s", display, path);
	r = root_read_file(rootfd, path, TF_USERDB_MAX_FILE, buf, len);
	if (!r)
		return true;
	snprintf(err->file, sizeof(err->file), "%s", name);
	if (r == -EFBIG)
		snprintf(err->msg, sizeof(err->msg),
			 "larger than %u MiB: not read", TF_USERDB_MAX_FILE >> 20);
	else if (r == -EINVAL)
		snprintf(err->msg, sizeof(err->msg), "not a regular file");
	else
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(-r));
	return false;
}

struct tf_userdb *userdb_load(int rootfd, const char *display,
			      struct tf_cfg_error *err)
{
	char pw_name[512], gr_name[512], *pw = NULL, *gr = NULL;
	size_t pw_len = 0, gr_len = 0;
	struct tf_userdb *db = NULL;

	memset(err, 0, sizeof(*err));
	if (read_one(rootfd, display, "/etc/passwd", pw_name, sizeof(pw_name),
		     &pw, &pw_len, err) &&
	    read_one(rootfd, display, "/etc/group", gr_name, sizeof(gr_name),
		     &gr, &gr_len, err))
		db = userdb_parse(pw_name, pw, pw_len, gr_name, gr, gr_len,
				  err);
	free(pw);
	free(gr);
	return db;
}

void userdb_free(struct tf_userdb *db)
{
	if (!db)
		return;
	free(db->pw);
	free(db->gr);
	free(db->users);
	free(db->groups);
	free(db->members);
	free(db->user_by_name);
	free(db->user_by_uid);
	free(db->user_by_gid);
	free(db->group_by_name);
	free(db->group_by_gid);
	free(db);
}

/* The first position in ix (n entries) whose key is not below the key. */
static size_t lower(const uint32_t *ix, size_t n,
		    int (*below)(const struct tf_userdb *db, uint32_t i,
				 const void *key),
		    const struct tf_userdb *db, const void *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (below(db, ix[mid], key))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int user_name_below(const struct tf_userdb *db, uint32_t i,
			   const void *key)
{
	return strcmp(db->users[i].name, key) < 0;
}

static int uid_below(const struct tf_userdb *db, uint32_t i, const void *key)
{
	return db->users[i].uid < *(const uint32_t *)key;
}

static int user_gid_below(const struct tf_userdb *db, uint32_t i,
			  const void *key)
{
	return db->users[i].gid < *(const uint32_t *)key;
}

static int group_name_below(const struct tf_userdb *db, uint32_t i,
			    const void *key)
{
	return strcmp(db->groups[i].name, key) < 0;
}

static int gid_below(const struct tf_userdb *db, uint32_t i, const void *key)
{
	return db->groups[i].gid < *(const uint32_t *)key;
}

static const struct user *find_user(const struct tf_userdb *db,
				    const char *name)
{
	size_t i = lower(db->user_by_name, db->nusers, user_name_below, db,
			 name);

	if (i < db->nusers && !strcmp(db->users[db->user_by_name[i]].name, name))
		return &db->users[db->user_by_name[i]];
	return NULL;
}

static int db_user_uid(void *ctx, const char *name, uint32_t *uid)
{
	const struct user *u = find_user(ctx, name);

	if (!u)
		return -ENOENT;
	*uid = u->uid;
	return 0;
}

static bool db_user_name(void *ctx, uint32_t uid, char *buf, size_t size)
{
	const struct tf_userdb *db = ctx;
	size_t i = lower(db->user_by_uid, db->nusers, uid_below, db, &uid);
	const struct user *u;

	if (i >= db->nusers)
		return false;
	u = &db->users[db->user_by_uid[i]];
	if (u->uid != uid || strlen(u->name) >= size)
		return false;
	memcpy(buf, u->name, strlen(u->name) + 1);
	return true;
}

static int db_group_members(void *ctx, const char *name, uint32_t gid,
			    tf_uid_fn fn, void *arg)
{
	const struct tf_userdb *db = ctx;
	const struct group *g = NULL;
	size_t i;
	int ret;

	if (name) {
		i = lower(db->group_by_name, db->ngroups, group_name_below, db,
			  name);
		if (i < db->ngroups &&
		    !strcmp(db->groups[db->group_by_name[i]].name, name))
			g = &db->groups[db->group_by_name[i]];
	} else {
		i = lower(db->group_by_gid, db->ngroups, gid_below, db, &gid);
		if (i < db->ngroups && db->groups[db->group_by_gid[i]].gid == gid)
			g = &db->groups[db->group_by_gid[i]];
	}
	if (!g)
		return -ENOENT;
	/* A stale member name (user deleted, group file not) is skipped. */
	for (i = g->first; i < g->first + g->n; i++) {
		const struct user *u = find_user(db, db->members[i]);

		if (!u)
			continue;
		ret = fn(arg, u->uid);
		if (ret)
			return ret;
	}
	for (i = lower(db->user_by_gid, db->nusers, user_gid_below, db,
		       &g->gid);
	     i < db->nusers && db->users[db->user_by_gid[i]].gid == g->gid;
	     i++) {
		ret = fn(arg, db->users[db->user_by_gid[i]].uid);
		if (ret)
			return ret;
	}
	return 0;
}

struct tf_resolver userdb_resolver(struct tf_userdb *db)
{
	struct tf_resolver res = {
		.user_uid = db_user_uid,
		.user_name = db_user_name,
		.group_members = db_group_members,
		.ctx = db,
	};

	return res;
}
