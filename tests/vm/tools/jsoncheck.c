// SPDX-License-Identifier: GPL-2.0
/*
 * jsoncheck: reads lines on standard input and checks that each is one
 * JSON object (RFC 8259) with nothing after it, as strictly as Python's
 * json over a strict UTF-8 decode: strings are valid UTF-8 (no overlong
 * forms, surrogates or code points above U+10FFFF), hold no raw control
 * byte, use only the escapes of the RFC, and \u escapes of surrogates come
 * in pairs (stricter than Python there, which takes a lone one). The guest
 * has no Python; this is torfwctl -j's judge there.
 *
 * Prints "jsoncheck: N objects" and exits 0, or prints the first bad line
 * ("jsoncheck: line N, byte B: WHY") and exits 1. No input at all is an
 * error too (exit 1): a check of nothing must not pass.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cur {
	const unsigned char *s;
	size_t i;
	const char *why;
	int depth;
};

static bool bad(struct cur *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return false;
}

static void blanks(struct cur *c)
{
	while (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r')
		c->i++;
}

static bool lit(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	if (strncmp((const char *)c->s + c->i, w, n))
		return bad(c, "bad literal");
	c->i += n;
	return true;
}

static int hex4(const unsigned char *p)
{
	int v = 0, k;

	for (k = 0; k < 4; k++) {
		int d;

		if (p[k] >= '0' && p[k] <= '9')
			d = p[k] - '0';
		else if (p[k] >= 'a' && p[k] <= 'f')
			d = p[k] - 'a' + 10;
		else if (p[k] >= 'A' && p[k] <= 'F')
			d = p[k] - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* One UTF-8 sequence of two bytes or more at c->i (RFC 3629, table 3). */
static bool utf8(struct cur *c)
{
	const unsigned char *p = c->s + c->i;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, k;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return bad(c, "invalid UTF-8 lead byte");
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return bad(c, "invalid UTF-8 sequence");
	for (k = 2; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return bad(c, "truncated UTF-8 sequence");
	c->i += n;
	return true;
}

static bool string(struct cur *c)
{
	c->i++;	/* the opening quote */
	for (;;) {
		unsigned char ch = c->s[c->i];
		int u, v;

		if (ch == '"') {
			c->i++;
			return true;
		}
		if (ch < 0x20)
			return bad(c, ch ? "control byte in a string" :
				   "unterminated string");
		if (ch >= 0x80) {
			if (!utf8(c))
				return false;
			continue;
		}
		c->i++;
		if (ch != '\\')
			continue;
		ch = c->s[c->i++];
		if (strchr("\"\\/bfnrt", ch) && ch)
			continue;
		if (ch != 'u')
			return bad(c, "invalid escape");
		u = hex4(c->s + c->i);
		if (u < 0)
			return bad(c, "invalid \\u escape");
		c->i += 4;
		if (u >= 0xdc00 && u <= 0xdfff)
			return bad(c, "lone low surrogate");
		if (u < 0xd800 || u > 0xdbff)
			continue;
		if (c->s[c->i] != '\\' || c->s[c->i + 1] != 'u')
			return bad(c, "lone high surrogate");
		v = hex4(c->s + c->i + 2);
		if (v < 0xdc00 || v > 0xdfff)
			return bad(c, "high surrogate without its low one");
		c->i += 6;
	}
}

static bool digits(struct cur *c)
{
	size_t start = c->i;

	while (c->s[c->i] >= '0' && c->s[c->i] <= '9')
		c->i++;
	return c->i > start || bad(c, "digit expected");
}

static bool number(struct cur *c)
{
	if (c->s[c->i] == '-')
		c->i++;
	if (c->s[c->i] == '0')
		c->i++;
	else if (!digits(c))
		return false;
	if (c->s[c->i] == '.') {
		c->i++;
		if (!digits(c))
			return false;
	}
	if (c->s[c->i] == 'e' || c->s[c->i] == 'E') {
		c->i++;
		if (c->s[c->i] == '+' || c->s[c->i] == '-')
			c->i++;
		if (!digits(c))
			return false;
	}
	return true;
}

static bool value(struct cur *c);

/* An object or an array: open '{' or '[' at c->i. */
static bool container(struct cur *c, bool object)
{
	char close = object ? '}' : ']';

	if (++c->depth > 64)
		return bad(c, "nested too deeply");
	c->i++;
	blanks(c);
	if (c->s[c->i] == close) {
		c->i++;
		c->depth--;
		return true;
	}
	for (;;) {
		blanks(c);
		if (object) {
			if (c->s[c->i] != '"')
				return bad(c, "key expected");
			if (!string(c))
				return false;
			blanks(c);
			if (c->s[c->i++] != ':')
				return bad(c, "':' expected");
		}
		if (!value(c))
			return false;
		blanks(c);
		if (c->s[c->i] == ',') {
			c->i++;
			continue;
		}
		if (c->s[c->i] != close)
			return bad(c, "',' or the end expected");
		c->i++;
		c->depth--;
		return true;
	}
}

static bool value(struct cur *c)
{
	blanks(c);
	switch (c->s[c->i]) {
	case '{':
		return container(c, true);
	case '[':
		return container(c, false);
	case '"':
		return string(c);
	case 't':
		return lit(c, "true");
	case 'f':
		return lit(c, "false");
	case 'n':
		return lit(c, "null");
	default:
		if (c->s[c->i] == '-' ||
		    (c->s[c->i] >= '0' && c->s[c->i] <= '9'))
			return number(c);
		return bad(c, "value expected");
	}
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		struct cur c = { .s = (const unsigned char *)line };

		n++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			c.why = "NUL byte";
		} else {
			blanks(&c);
			if (line[c.i] != '{')
				c.why = "not an object";
			else if (value(&c)) {
				blanks(&c);
				if (line[c.i])
					c.why = "text after the object";
			}
		}
		if (c.why) {
			printf("jsoncheck: line %zu, byte %zu: %s\n", n,
			       c.i + 1, c.why);
			free(line);
			return 1;
		}
	}
	free(line);
	if (!n) {
		printf("jsoncheck: no input\n");
		return 1;
	}
	printf("jsoncheck: %zu objects\n", n);
	return 0;
}
