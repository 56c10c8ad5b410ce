// SPDX-License-Identifier: GPL-2.0
/*
 * Value parsers of the config language. Each checks one word (or a part of
 * one, with the column of that part) and on failure describes it in one
 * message quoting the bad text.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config_int.h"

/*
 * Decimal digits only: strtoul alone would accept blanks, a sign ("-1"
 * wraps to ULONG_MAX) and an empty string.
 */
bool parse_ulong(const char *s, unsigned long max, unsigned long *out,
		 bool *range_error)
{
	unsigned long v;
	char *end;

	*range_error = false;
	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return false;
	if (errno == ERANGE || v > max) {
		*range_error = true;
		return false;
	}
	*out = v;
	return true;
}

bool parse_proto(struct tf_cfg_error *err, const struct tok *t,
		 uint8_t *proto)
{
	if (!strcmp(t->s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(t->s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return fail(err, t->col,
			    "unknown protocol '%s' (expected tcp or udp)",
			    t->s);
	return true;
}

static bool parse_port(struct tf_cfg_error *err, const char *s,
		       unsigned int col, uint16_t *port)
{
	unsigned long v = 0;
	bool range, ok = parse_ulong(s, 65535, &v, &range);

	if (!ok && !range)
		return fail(err, col, "invalid port '%s'", s);
	if (!ok || v == 0)
		return fail(err, col, "port '%s' out of range (1-65535)", s);
	*port = (uint16_t)v;
	return true;
}

bool parse_ports(struct tf_cfg_error *err, const char *s, unsigned int col,
		 uint16_t *lo, uint16_t *hi)
{
	char buf[32];
	const char *dash = strchr(s, '-');
	size_t n;

	if (!dash) {
		if (!parse_port(err, s, col, lo))
			return false;
		*hi = *lo;
		return true;
	}
	n = (size_t)(dash - s);
	if (n >= sizeof(buf))
		return fail(err, col, "invalid port '%.*s'", (int)n, s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!parse_port(err, buf, col, lo) ||
	    !parse_port(err, dash + 1, col + (unsigned int)n + 1, hi))
		return false;
	if (*lo > *hi)
		return fail(err, col,
			    "invalid port range '%s' (%u is above %u)", s,
			    *lo, *hi);
	return true;
}

/* Copies at most size - 1 bytes of s[0..n) and NUL-terminates. */
static const char *part(char *buf, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

bool parse_endpoint(struct tf_cfg_error *err, const struct tok *t,
		    uint8_t *family, uint8_t *addr, uint16_t *lo,
		    uint16_t *hi)
{
	/* ::ffff:0:0/96 */
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char a[INET6_ADDRSTRLEN + 8];
	const char *s = t->s, *colon, *close;

	if (s[0] == '[') {
		close = strchr(s, ']');
		if (!close)
			return fail(err, t->col,
				    "invalid address '%s' (missing ']')", s);
		part(a, sizeof(a), s + 1, (size_t)(close - s - 1));
		if ((size_t)(close - s - 1) >= sizeof(a) ||
		    inet_pton(AF_INET6, a, addr) != 1)
			return fail(err, t->col + 1,
				    "invalid IPv6 address '%s'", a);
		if (close[1] != ':')
			return fail(err, t->col,
				    "missing port in '%s' (expected [ADDRESS]:PORT)",
				    s);
		/* The kernel matches IPv4 traffic by IPv4 entries only. */
		if (!memcmp(addr, v4mapped, sizeof(v4mapped)))
			return fail(err, t->col + 1,
				    "IPv4-mapped address '%s': write it as IPv4",
				    a);
		*family = AF_INET6;
		colon = close + 1;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			return fail(err, t->col,
				    "IPv6 address in '%s' needs brackets, as in [::1]:4101",
				    s);
		if (!colon)
			return fail(err, t->col,
				    "missing port in '%s' (expected ADDRESS:PORT)",
				    s);
		part(a, sizeof(a), s, (size_t)(colon - s));
		if ((size_t)(colon - s) >= sizeof(a) ||
		    inet_pton(AF_INET, a, addr) != 1)
			return fail(err, t->col,
				    "invalid IPv4 address '%s'", a);
		*family = AF_INET;
	}
	if (!colon[1])
		return fail(err, t->col,
			    "missing port in '%s' (expected ADDRESS:PORT)", s);
	return parse_ports(err, colon + 1,
			   t->col + (unsigned int)(colon + 1 - s), lo, hi);
}

static void mask4(uint8_t *out, const uint8_t *addr, uint8_t len)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		unsigned int bits = len > i * 8 ? len - i * 8 : 0;

		out[i] = bits >= 8 ? addr[i] :
			 (uint8_t)(addr[i] & (0xff00u >> bits));
	}
}

bool prefix_overlaps(const uint8_t *a, uint8_t alen, const uint8_t *b,
		     uint8_t blen)
{
	uint8_t len = alen < blen ? alen : blen, x[4], y[4];

	mask4(x, a, len);
	mask4(y, b, len);
	return !memcmp(x, y, sizeof(x));
}

/* ADDRESS/LENGTH, IPv4, host bits zero, length in [minlen, 32]. */
static bool parse_prefix4(struct tf_cfg_error *err, const char *s,
			  unsigned int col, bool need_len, uint8_t minlen,
			  uint8_t *addr, uint8_t *plen)
{
	char a[INET_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint8_t masked[4];
	unsigned long len = 32;
	bool range;

	if (!slash && need_len)
		return fail(err, col,
			    "missing prefix length in '%s' (expected ADDRESS/LENGTH)",
			    s);
	part(a, sizeof(a), s, n);
	if (strchr(a, ':'))
		return fail(err, col, "IPv6 prefix '%s' is not supported here",
			    s);
	if (n >= sizeof(a) || inet_pton(AF_INET, a, addr) != 1)
		return fail(err, col, "invalid IPv4 address '%s'", a);
	if (slash) {
		unsigned int lcol = col + (unsigned int)n + 1;
		bool ok = parse_ulong(slash + 1, 32, &len, &range);

		if (!ok && !range)
			return fail(err, lcol, "invalid prefix length '%s'",
				    slash + 1);
		if (!ok || len < minlen)
			return fail(err, lcol,
				    "prefix length '%s' out of range (%u-32)",
				    slash + 1, minlen);
	}
	mask4(masked, addr, (uint8_t)len);
	if (memcmp(masked, addr, sizeof(masked)) != 0) {
		char fixed[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, masked, fixed, sizeof(fixed));
		return fail(err, col,
			    "host bits set in '%s' (did you mean %s/%lu?)", s,
			    fixed, len);
	}
	*plen = (uint8_t)len;
	return true;
}

bool parse_lan_prefix(struct tf_cfg_error *err, const struct tok *t,
		      uint8_t *addr, uint8_t *len)
{
	return parse_prefix4(err, t->s, t->col, true, 0, addr, len);
}

/* ADDRESS[/LENGTH][:PORT] inside 127.0.0.0/8. */
bool parse_redirect_match(struct tf_cfg_error *err, const struct tok *t,
			  uint8_t *addr, uint8_t *plen, uint16_t *port)
{
	char pfx[64];
	const char *colon = strchr(t->s, ':');
	size_t n = colon ? (size_t)(colon - t->s) : strlen(t->s);

	if (n >= sizeof(pfx))
		return fail(err, t->col, "invalid address '%s'", t->s);
	part(pfx, sizeof(pfx), t->s, n);
	if (colon && strchr(colon + 1, ':'))
		return fail(err, t->col,
			    "IPv6 address '%s' cannot be redirected (IPv4 only)",
			    t->s);
	if (!parse_prefix4(err, pfx, t->col, false, 8, addr, plen))
		return false;
	if (addr[0] != 127)
		return fail(err, t->col,
			    "redirected address '%s' is not in 127.0.0.0/8",
			    pfx);
	*port = 0;
	if (colon) {
		uint16_t hi;
		unsigned int pcol = t->col + (unsigned int)n + 1;

		if (!colon[1])
			return fail(err, t->col, "missing port in '%s'", t->s);
		if (!parse_ports(err, colon + 1, pcol, port, &hi))
			return false;
		if (hi != *port)
			return fail(err, pcol,
				    "a redirect matches one port, not '%s'",
				    colon + 1);
	}
	return true;
}

/* Like ip-netns(8): a file name under /run/netns. */
bool parse_netns_name(struct tf_cfg_error *err, const struct tok *t,
		      char *name)
{
	size_t n = strlen(t->s);

	if (n >= TORFW_NS_NAME_MAX)
		return fail(err, t->col,
			    "namespace name '%s' is too long (at most %d characters)",
			    t->s, TORFW_NS_NAME_MAX - 1);
	if (strchr(t->s, '/') || !strcmp(t->s, ".") || !strcmp(t->s, ".."))
		return fail(err, t->col, "invalid namespace name '%s'", t->s);
	memcpy(name, t->s, n + 1);
	return true;
}
