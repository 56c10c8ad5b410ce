/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of the config parser, shared by its files. */
#ifndef TORFWCTL_CONFIG_INT_H
#define TORFWCTL_CONFIG_INT_H

#include <stdarg.h>
#include <sys/types.h>

#include "config.h"

/* A word of a line: NUL-terminated inside the line buffer, 1-based column. */
struct tok {
	char *s;
	unsigned int col;
};

struct tokens {
	struct tok *v;
	size_t n, cap;
	unsigned int eol;	/* column just after the last word */
};

/*
 * The port range of an allow-list entry, in the parser's tree ordered by
 * (family, protocol, address, ports). Ranges of one address never overlap
 * once accepted, so a range that overlaps compares equal: a conflict is
 * found in O(log n), in memory linear in the entries (a port index per
 * address took 256 KiB each, 4 GB for 16,384 addresses).
 */
struct port_range {
	uint8_t family, proto, addr[16];
	uint16_t lo, hi;
	uint32_t service;	/* index in pol->services */
};

struct parser {
	void *ranges;		/* tsearch(3) tree of struct port_range */
	struct tf_policy *pol;
	const struct tf_parse_opts *opts;
	struct tf_cfg_error *err;
	const char *file;	/* interned in pol->files */
	unsigned int line;
	unsigned int depth;
	struct {
		dev_t dev;
		ino_t ino;
	} stack[TF_INCLUDE_DEPTH + 1];	/* files being read, for loops */
	/* opts->sysroot: its descriptor, the length of its name without
	 * trailing slashes (messages name files sysroot/path), and whether
	 * the file being read is inside it */
	int rootfd;
	int root_len;
	bool in_root;
	bool stop;		/* too many errors, or the first without a list */
};

/* Frees what the parser allocated for itself (not the policy). */
void parser_release(struct parser *p);

/* Sets err->col and err->msg. */
void set_error(struct tf_cfg_error *err, unsigned int col, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));
/*
 * "return fail(...);" in a parser: false, visibly so to the compiler and
 * the static analyzers, which then know no output was set.
 */
#define fail(err, col, ...) (set_error((err), (col), __VA_ARGS__), false)

/* lex.c: splits line (modified in place) into words, # starts a comment. */
bool lex_line(char *line, size_t len, struct tokens *t,
	      struct tf_cfg_error *err);

/* values.c: one value each, false with a message quoting it. */
bool parse_ulong(const char *s, unsigned long max, unsigned long *out,
		 bool *range_error);
bool parse_proto(struct tf_cfg_error *err, const struct tok *t,
		 uint8_t *proto);
bool parse_ports(struct tf_cfg_error *err, const char *s, unsigned int col,
		 uint16_t *lo, uint16_t *hi);
bool parse_endpoint(struct tf_cfg_error *err, const struct tok *t,
		    uint8_t *family, uint8_t *addr, uint16_t *lo,
		    uint16_t *hi);
bool parse_lan_prefix(struct tf_cfg_error *err, const struct tok *t,
		      uint8_t *addr, uint8_t *len);
bool parse_redirect_match(struct tf_cfg_error *err, const struct tok *t,
			  uint8_t *addr, uint8_t *plen, uint16_t *port);
bool parse_netns_name(struct tf_cfg_error *err, const struct tok *t,
		      char *name);
bool prefix_overlaps(const uint8_t *a, uint8_t alen, const uint8_t *b,
		     uint8_t blen);

/* statements.c: helpers of the statement parsers */
struct tf_loc loc_at(const struct parser *p, unsigned int col);
/* "file:line" of an earlier element, for conflict messages. */
const char *where(char *buf, size_t size, const struct tf_loc *loc);
/* word i exists, or "missing WHAT after 'word i-1'" at column eol */
bool need(struct parser *p, const struct tok *t, size_t n, size_t i,
	  unsigned int eol, const char *what);
/* no word from i on, or "unexpected 'word i'" */
bool end_here(struct parser *p, const struct tok *t, size_t n, size_t i);

/* stmt_users.c, stmt_net.c: the statements */
bool st_role(struct parser *p, const struct tok *t, size_t n,
	     unsigned int eol);
bool st_allow(struct parser *p, const struct tok *t, size_t n,
	      unsigned int eol);
bool st_lan(struct parser *p, const struct tok *t, size_t n,
	    unsigned int eol);
bool st_lan_refuse(struct parser *p, const struct tok *t, size_t n,
		   unsigned int eol);
bool st_grant(struct parser *p, const struct tok *t, size_t n,
	      unsigned int eol);
bool st_redirect(struct parser *p, const struct tok *t, size_t n,
		 unsigned int eol);

/* statements.c */
typedef bool (*stmt_fn)(struct parser *p, const struct tok *t, size_t n,
			unsigned int eol);
stmt_fn statement_lookup(const char *keyword);

/* config.c: the include statement needs the file reader. */
bool parse_include(struct parser *p, const struct tok *t, size_t n,
		   unsigned int eol);

#endif
