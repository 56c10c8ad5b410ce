// SPDX-License-Identifier: GPL-2.0
/*
 * The lexer: a line is words separated by blanks; a word starting with #
 * starts a comment. There is no quoting because nothing in the language
 * (user, group and namespace names, addresses, numbers) contains blanks.
 */
#include <stdlib.h>

#include "config_int.h"

static bool is_blank(char c)
{
	/* \r too, so that a file edited on Windows still parses */
	return c == ' ' || c == '\t' || c == '\r';
}

static bool push(struct tokens *t, char *s, unsigned int col)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct tok *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return false;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].s = s;
	t->v[t->n].col = col;
	t->n++;
	return true;
}

bool lex_line(char *line, size_t len, struct tokens *t,
	      struct tf_cfg_error *err)
{
	size_t i = 0, start;

	t->n = 0;
	t->eol = 1;
	while (i < len) {
		unsigned char c = (unsigned char)line[i];

		if (is_blank(line[i])) {
			i++;
			continue;
		}
		if (c == '#')
			break;
		start = i;
		while (i < len && !is_blank(line[i])) {
			c = (unsigned char)line[i];
			/*
			 * Control bytes (NUL included) have no business in a
			 * config and would garble the messages that quote words.
			 */
			if (c < 0x20 || c == 0x7f)
				return fail(err, (unsigned int)i + 1,
					    "invalid character 0x%02x", c);
			i++;
		}
		if (!push(t, line + start, (unsigned int)start + 1))
			return fail(err, (unsigned int)start + 1,
				    "out of memory");
		t->eol = (unsigned int)i + 1;
		if (i < len)
			line[i++] = '\0';
	}
	return true;
}
