// SPDX-License-Identifier: GPL-2.0
/*
 * JSON strings from bytes that may be anything: a refused program names
 * itself (comm), and user, group and namespace names come from files and
 * the kernel. Every line must parse with a strict parser, or the program
 * being reported could blind the reader, so bytes that are not UTF-8
 * become U+FFFD, one per byte.
 */
#include "json.h"

/*
 * Length of the valid UTF-8 sequence at s (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF), 0 if s starts none. s is NUL-terminated:
 * a NUL is never a continuation byte, so nothing is read past it.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)	/* a continuation byte, or overlong */
		return 0;
	if (s[0] < 0xe0) {
		n = 2;
	} else if (s[0] < 0xf0) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] < 0xf5) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* beyond U+10FFFF */
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void json_string(FILE *f, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t n;

	fputc('"', f);
	while (*c) {
		if (*c == '"' || *c == '\\') {
			fprintf(f, "\\%c", *c);
			n = 1;
		} else if (*c < 0x20 || *c == 0x7f) {
			fprintf(f, "\\u%04x", *c);
			n = 1;
		} else {
			n = utf8_len(c);
			if (n)
				fwrite(c, 1, n, f);
			else
				fputs("\\ufffd", f);
		}
		c += n ? n : 1;
	}
	fputc('"', f);
}

void json_open(FILE *f)
{
	fprintf(f, "{\"version\":%d", TF_JSON_VERSION);
}
