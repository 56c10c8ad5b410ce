// SPDX-License-Identifier: GPL-2.0
/*
 * Files and includes of torfw.conf: reads lines, hands words to the
 * statement parsers, and follows include statements (globs in byte order,
 * relative to the including file, bounded depth, loops refused).
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
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = 0;
	err->col = 0;
	snprintf(err->msg, sizeof(err->msg), "%s", strerror(errnum));
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
	char *line = malloc(TF_LINE_MAX + 1);
	ssize_t len;
	stmt_fn fn;
	bool ok = true;

	if (!line) {
		ok = fail(p->err, 0, "out of memory");
		goto out;
	}
	while ((len = read_line(f, line)) != -1) {
		p->line++;
		if (len == -2) {
			ok = fail(p->err, TF_LINE_MAX + 1,
				  "line too long (at most %d bytes)",
				  TF_LINE_MAX);
			goto out;
		}
		if (!lex_line(line, (size_t)len, &t, p->err)) {
			ok = false;
			goto out;
		}
		if (!t.n)
			continue;
		fn = statement_lookup(t.v[0].s);
		if (!fn) {
			ok = fail(p->err, t.v[0].col, "unknown keyword '%s'",
				  t.v[0].s);
			goto out;
		}
		if (!fn(p, t.v, t.n, t.eol)) {
			ok = false;
			goto out;
		}
	}
	if (ferror(f)) {
		file_error(p->err, p->file, errno);
		ok = false;
	}
out:
	if (!ok)
		position(p);
	free(line);
	free(t.v);
	return ok;
}

/*
 * An include is opened without blocking, so that a FIFO without a writer
 * is refused at once instead of waiting for one; the top level blocks as
 * any reader does.
 */
static FILE *open_file(const char *path, bool include)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | (include ? O_NONBLOCK : 0);
	int fd = open(path, flags);
	FILE *f;

	if (fd < 0)
		return NULL;
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

/* Reads one file; from is the include word naming it (NULL: top level). */
static bool read_file(struct parser *p, const char *path,
		      const struct tok *from)
{
	const char *saved_file = p->file;
	unsigned int saved_line = p->line, i;
	bool is_stdin = !from && !strcmp(path, "-");
	struct stat st;
	FILE *f;
	bool ok = false;

	f = is_stdin ? stdin : open_file(path, from != NULL);
	if (!f) {
		if (from)
			set_error(p->err, from->col, "cannot open '%s': %s", path,
				  strerror(errno));
		else
			file_error(p->err, path, errno);
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
	ok = parse_lines(p, f);
	p->depth--;
	p->file = saved_file;
	p->line = saved_line;
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
	const char *pat, *slash;
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
	slash = strrchr(p->file, '/');
	if (pat[0] == '/')
		r = snprintf(path, sizeof(path), "%s%s",
			     p->opts->sysroot ? p->opts->sysroot : "", pat);
	else if (slash)
		r = snprintf(path, sizeof(path), "%.*s/%s",
			     (int)(slash - p->file), p->file, pat);
	else
		r = snprintf(path, sizeof(path), "%s", pat);
	if (r < 0 || (size_t)r >= sizeof(path))
		return fail(p->err, t[1].col, "path too long: '%s'", pat);
	if (!strpbrk(pat, "*?["))
		return read_file(p, path, &t[1]);

	r = glob(path, GLOB_NOSORT, glob_error, &g);
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
	for (i = 0; i < g.gl_pathc; i++)
		if (!read_file(p, g.gl_pathv[i], &t[1]))
			goto out;
	ok = true;
out:
	globfree(&g);
	return ok;
}

void parser_release(struct parser *p)
{
	tdestroy(p->ranges, free);
	p->ranges = NULL;
}

static void parse_init(struct parser *p, struct tf_policy *pol,
		       const struct tf_parse_opts *opts,
		       struct tf_cfg_error *err)
{
	memset(err, 0, sizeof(*err));
	memset(p, 0, sizeof(*p));
	p->pol = pol;
	p->opts = opts;
	p->err = err;
}

bool config_parse_file(struct tf_policy *pol, const char *path,
		       const struct tf_parse_opts *opts,
		       struct tf_cfg_error *err)
{
	struct parser p;

	bool ok;

	parse_init(&p, pol, opts, err);
	ok = read_file(&p, path, NULL);
	parser_release(&p);
	return ok;
}

bool config_parse_string(struct tf_policy *pol, const char *name,
			 const char *text, const struct tf_parse_opts *opts,
			 struct tf_cfg_error *err)
{
	struct parser p;
	FILE *f;
	bool ok;

	parse_init(&p, pol, opts, err);
	p.file = policy_add_file(pol, name);
	if (!p.file) {
		file_error(err, name, ENOMEM);
		return false;
	}
	if (!*text)
		return true;
	f = fmemopen((void *)text, strlen(text), "r");
	if (!f) {
		file_error(err, name, errno);
		return false;
	}
	p.depth = 1;	/* a string cannot be included: no loop entry */
	ok = parse_lines(&p, f);
	fclose(f);
	parser_release(&p);
	return ok;
}
