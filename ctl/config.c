// SPDX-License-Identifier: GPL-2.0
/*
 * Files and includes of torfw.conf: reads lines, hands words to the
 * statement parsers, and follows include statements (globs in byte order,
 * relative to the including file, bounded depth, loops refused). With a
 * root (check --root), absolute includes are read inside it, as the
 * image will read them.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <search.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"
#include "rootdir.h"

static void position(struct parser *p)
{
	struct tf_cfg_error *err = p->err;

	/* An error inside an included file is already positioned there. */
	if (err->file[0])
		return;
	snprintf(err->file, sizeof(err->file), "%s", p->file);
	err->line = p->line;
}

static void file_error(struct tf_cfg_error *err, const char *file, int errnum)
{
	/* A longer name is cut, as in every message. */
	snprintf(err->file, sizeof(err->file), "%.*s",
		 (int)sizeof(err->file) - 1, file);
	err->line = 0;
	err->col = 0;
	snprintf(err->msg, sizeof(err->msg), "%s", strerror(errnum));
}

/*
 * Keeps the error just made (a line, an include), positioned. Without an
 * error list the first error stops the parse; with one, parsing goes on
 * until it is full. An error an included file recorded itself is gone
 * from p->err already.
 */
static void record(struct parser *p)
{
	struct tf_cfg_errors *list = p->opts->errors;

	if (!p->err->msg[0])
		return;
	position(p);
	if (!list) {
		p->stop = true;
		return;
	}
	if (list->n < TF_MAX_ERRORS) {
		list->v[list->n++] = *p->err;
	} else {
		list->truncated = true;
		p->stop = true;
	}
	memset(p->err, 0, sizeof(*p->err));
}

struct counts {
	size_t roles, lan, lan_refuse, grants, redirects;
};

/*
 * A statement that failed half-way (the third prefix of a lan line) takes
 * back what it added, so that later lines are judged without it and no
 * error is an echo of an earlier one.
 */
static void counts_save(const struct tf_policy *pol, struct counts *c)
{
	c->roles = pol->nroles;
	c->lan = pol->nlan;
	c->lan_refuse = pol->nlan_refuse;
	c->grants = pol->ngrants;
	c->redirects = pol->nredirects;
}

static void counts_restore(struct tf_policy *pol, const struct counts *c)
{
	pol->nroles = c->roles;
	pol->nlan = c->lan;
	pol->nlan_refuse = c->lan_refuse;
	pol->ngrants = c->grants;
	pol->nredirects = c->redirects;
}

/*
 * One line of f into buf (TF_LINE_MAX + 1 bytes), without its newline and
 * NUL-terminated; NUL bytes inside are kept for the lexer to refuse.
 * Returns its length, -1 at the end of the file (or on a read error),
 * -2 if it is longer than TF_LINE_MAX.
 */
static ssize_t read_line(FILE *f, char *buf)
{
	size_t len = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (len == TF_LINE_MAX)
			return -2;
		buf[len++] = (char)c;
	}
	buf[len] = '\0';
	if (c == EOF && (!len || ferror(f)))
		return -1;
	return (ssize_t)len;
}

static bool parse_lines(struct parser *p, FILE *f)
{
	struct tokens t = { 0 };
	struct counts c;
	char *line = malloc(TF_LINE_MAX + 1);
	ssize_t len;
	stmt_fn fn;
	bool ok = true;

	if (!line) {
		ok = fail(p->err, 0, "out of memory");
		record(p);
		return ok;
	}
	while (!p->stop && (len = read_line(f, line)) != -1) {
		p->line++;
		if (len == -2) {
			/* The rest of the file would be read out of step. */
			ok = fail(p->err, TF_LINE_MAX + 1,
				  "line too long (at most %d bytes)",
				  TF_LINE_MAX);
			record(p);
			break;
		}
		if (!lex_line(line, (size_t)len, &t, p->err)) {
			ok = false;
			record(p);
			continue;
		}
		if (!t.n)
			continue;
		fn = statement_lookup(t.v[0].s);
		if (!fn) {
			ok = fail(p->err, t.v[0].col, "unknown keyword '%s'",
				  t.v[0].s);
			record(p);
			continue;
		}
		counts_save(p->pol, &c);
		if (!fn(p, t.v, t.n, t.eol)) {
			/* The lines an include read stay: each judged itself. */
			if (fn != parse_include)
				counts_restore(p->pol, &c);
			ok = false;
			record(p);
		}
	}
	if (!p->stop && ok && ferror(f)) {
		file_error(p->err, p->file, errno);
		ok = false;
		record(p);
	}
	free(line);
	free(t.v);
	return ok;
}

/*
 * A file to read: on the host, or inside the root as the image sees it.
 * An include, and anything in the root, is opened without blocking, so
 * that a FIFO without a writer is refused at once instead of waiting for
 * one; the top level on the host blocks as any reader does.
 */
static FILE *open_config(const struct parser *p, const char *path,
			 bool in_root, bool include)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
	FILE *f;
	int fd;

	if (include || in_root)
		flags |= O_NONBLOCK;
	if (in_root) {
		/* Inside the root only regular files, top level included:
		 * the image's device nodes are never opened here. */
		fd = root_open_regular(p->rootfd, path, flags);
		if (fd < 0) {
			errno = -fd;
			return NULL;
		}
	} else {
		fd = open(path, flags);
		if (fd < 0)
			return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

static const char *file_type(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a file";
}

/*
 * Reads one file; from is the include word naming it (NULL: top level).
 * A path in_root is inside the root and named root/path in messages.
 */
static bool read_file(struct parser *p, const char *inpath, bool in_root,
		      const struct tok *from)
{
	const char *saved_file = p->file, *path = inpath;
	unsigned int saved_line = p->line, i;
	bool saved_in_root = p->in_root;
	bool is_stdin = !from && !strcmp(inpath, "-");
	char shown[PATH_MAX];
	struct stat st;
	FILE *f;
	bool ok = false;

	if (in_root) {
		int r = snprintf(shown, sizeof(shown), "%.*s%s", p->root_len,
				 p->opts->sysroot, inpath);

		if (r < 0 || (size_t)r >= sizeof(shown)) {
			if (from)
				set_error(p->err, from->col,
					  "path too long: '%s'", inpath);
			else
				file_error(p->err, inpath, ENAMETOOLONG);
			return false;
		}
		path = shown;
	}
	f = is_stdin ? stdin : open_config(p, inpath, in_root, from != NULL);
	if (!f) {
		/* root_open_regular's answer for a device, FIFO or socket */
		const char *why = in_root && errno == EINVAL ?
				  "not a regular file" : strerror(errno);

		if (from)
			set_error(p->err, from->col, "cannot open '%s': %s", path,
				  why);
		else
			file_error(p->err, path, errno);
		if (!from && in_root && errno == EINVAL)
			snprintf(p->err->msg, sizeof(p->err->msg), "%s", why);
		return false;
	}
	if (fstat(fileno(f), &st)) {
		file_error(p->err, path, errno);
		goto out;
	}
	/*
	 * An include names policy files: a device, a FIFO or a directory
	 * would read forever, block or fail obscurely. The top level may be
	 * a pipe ("-", <(...)); its lines are bounded all the same.
	 */
	if (from && !S_ISREG(st.st_mode)) {
		set_error(p->err, from->col,
			  "cannot include '%s': not a regular file (%s)", path,
			  file_type(st.st_mode));
		goto out;
	}
	for (i = 0; i < p->depth; i++) {
		if (p->stack[i].dev == st.st_dev &&
		    p->stack[i].ino == st.st_ino) {
			set_error(p->err, from ? from->col : 0,
				  "include loop: '%s' is already being read", path);
			goto out;
		}
	}
	p->file = policy_add_file(p->pol, is_stdin ? "<stdin>" : path);
	if (!p->file) {
		p->file = saved_file;
		set_error(p->err, from ? from->col : 0, "out of memory");
		goto out;
	}
	p->stack[p->depth].dev = st.st_dev;
	p->stack[p->depth].ino = st.st_ino;
	p->depth++;
	p->line = 0;
	p->in_root = in_root;
	ok = parse_lines(p, f);
	p->depth--;
	p->file = saved_file;
	p->line = saved_line;
	p->in_root = saved_in_root;
out:
	if (!is_stdin)
		fclose(f);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A missing directory is an empty glob; an unreadable one is an error. */
static int glob_error(const char *path, int errnum)
{
	(void)path;
	return errnum != ENOENT && errnum != ENOTDIR;
}

/* include PATTERN */
bool parse_include(struct parser *p, const struct tok *t, size_t n,
		   unsigned int eol)
{
	char path[PATH_MAX];
	const char *pat, *slash, *cur;
	bool in_root = p->in_root;
	glob_t g = { 0 };
	size_t i;
	int r;
	bool ok = false;

	if (n < 2)
		return fail(p->err, eol, "missing file or pattern after 'include'");
	if (n > 2)
		return fail(p->err, t[2].col,
			    "unexpected '%s' (expected end of line)", t[2].s);
	if (p->depth > TF_INCLUDE_DEPTH)
		return fail(p->err, t[0].col,
			    "includes nested too deeply (at most %d levels)",
			    TF_INCLUDE_DEPTH);
	pat = t[1].s;
	/*
	 * There is no quoting: a pattern quoted as nft writes them would
	 * keep its quotes and match nothing, silently.
	 */
	if (strpbrk(pat, "\"'")) {
		size_t len = strlen(pat);

		if (len > 2 && (pat[0] == '"' || pat[0] == '\'') &&
		    pat[len - 1] == pat[0])
			return fail(p->err, t[1].col,
				    "quotes in include pattern %s (there is no quoting: write include %.*s)",
				    pat, (int)(len - 2), pat + 1);
		return fail(p->err, t[1].col,
			    "quotes in include pattern '%s' (there is no quoting)",
			    pat);
	}
	/* The including file's own path: inside the root when it is there. */
	cur = in_root ? p->file + p->root_len : p->file;
	slash = strrchr(cur, '/');
	if (pat[0] == '/') {
		in_root = p->opts->sysroot != NULL;
		r = snprintf(path, sizeof(path), "%s", pat);
	} else if (slash) {
		r = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - cur),
			     cur, pat);
	} else {
		r = snprintf(path, sizeof(path), "%s", pat);
	}
	if (r < 0 || (size_t)r >= sizeof(path))
		return fail(p->err, t[1].col, "path too long: '%s'", pat);
	if (!strpbrk(pat, "*?["))
		return read_file(p, path, in_root, &t[1]);

	r = in_root ? root_glob(p->rootfd, path, GLOB_NOSORT, glob_error, &g) :
		      glob(path, GLOB_NOSORT, glob_error, &g);
	if (r == GLOB_NOMATCH) {
		ok = true;
		goto out;
	}
	if (r == GLOB_NOSPACE) {
		set_error(p->err, t[1].col, "out of memory");
		goto out;
	}
	if (r) {
		set_error(p->err, t[1].col, "cannot read the directory of '%s'",
			  pat);
		goto out;
	}
	/* glob sorts by the locale's collation; the order must not depend
	 * on it. */
	qsort(g.gl_pathv, g.gl_pathc, sizeof(g.gl_pathv[0]), cmp_str);
	/* With an error list, the next files are read after a bad one. */
	ok = true;
	for (i = 0; i < g.gl_pathc && !p->stop; i++) {
		if (!read_file(p, g.gl_pathv[i], in_root, &t[1])) {
			ok = false;
			record(p);
		}
	}
out:
	globfree(&g);
	return ok;
}

void parser_release(struct parser *p)
{
	tdestroy(p->ranges, free);
	p->ranges = NULL;
}

static bool parse_init(struct parser *p, struct tf_policy *pol,
		       const struct tf_parse_opts *opts,
		       struct tf_cfg_error *err)
{
	const char *root = opts->sysroot;
	size_t len;

	memset(err, 0, sizeof(*err));
	memset(p, 0, sizeof(*p));
	p->pol = pol;
	p->opts = opts;
	p->err = err;
	p->rootfd = -1;
	if (opts->errors)
		memset(opts->errors, 0, sizeof(*opts->errors));
	if (!root)
		return true;
	for (len = strlen(root); len > 0 && root[len - 1] == '/'; len--)
		;
	p->root_len = (int)len;
	p->rootfd = root_open_dir(root);
	if (p->rootfd < 0) {
		file_error(err, root, -p->rootfd);
		return false;
	}
	return true;
}

/* The first error is in err, the others in opts->errors. */
static bool parse_done(struct parser *p, bool ok)
{
	const struct tf_cfg_errors *list = p->opts->errors;

	if (!ok)
		record(p);
	if (list && list->n)
		*p->err = list->v[0];
	if (p->rootfd >= 0)
		close(p->rootfd);
	parser_release(p);
	return ok && (!list || !list->n);
}

bool config_parse_file(struct tf_policy *pol, const char *path,
		       const struct tf_parse_opts *opts,
		       struct tf_cfg_error *err)
{
	struct parser p;

	if (!parse_init(&p, pol, opts, err))
		return false;
	return parse_done(&p, read_file(&p, path, opts->path_in_root &&
					opts->sysroot && path[0] == '/',
					NULL));
}

bool config_parse_string(struct tf_policy *pol, const char *name,
			 const char *text, const struct tf_parse_opts *opts,
			 struct tf_cfg_error *err)
{
	struct parser p;
	FILE *f;
	bool ok;

	if (!parse_init(&p, pol, opts, err))
		return false;
	p.file = policy_add_file(pol, name);
	if (!p.file) {
		file_error(err, name, ENOMEM);
		return parse_done(&p, false);
	}
	if (!*text)
		return parse_done(&p, true);
	f = fmemopen((void *)text, strlen(text), "r");
	if (!f) {
		file_error(err, name, errno);
		return parse_done(&p, false);
	}
	p.depth = 1;	/* a string cannot be included: no loop entry */
	ok = parse_lines(&p, f);
	fclose(f);
	return parse_done(&p, ok);
}
