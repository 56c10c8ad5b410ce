// SPDX-License-Identifier: GPL-2.0
/*
 * The statements of torfw.conf: the keyword table, the helpers every
 * statement uses, and the options. One function per statement (the others
 * in stmt_users.c and stmt_net.c); each checks its words, the limits of
 * the UAPI header and the conflicts with what earlier lines (in any file)
 * declared, then adds to the policy. Nothing is sent to the kernel until
 * the whole configuration parsed, so a failure here changes nothing.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "config_int.h"

struct tf_loc loc_at(const struct parser *p, unsigned int col)
{
	struct tf_loc loc = { .file = p->file, .line = p->line, .col = col };

	return loc;
}

/* "file:line" of an earlier element, for conflict messages. */
const char *where(char *buf, size_t size, const struct tf_loc *loc)
{
	snprintf(buf, size, "%s:%u", loc->file ? loc->file : "?", loc->line);
	return buf;
}

bool need(struct parser *p, const struct tok *t, size_t n, size_t i,
	  unsigned int eol, const char *what)
{
	if (i < n)
		return true;
	return fail(p->err, eol, "missing %s after '%s'", what, t[i - 1].s);
}

bool end_here(struct parser *p, const struct tok *t, size_t n, size_t i)
{
	if (i >= n)
		return true;
	return fail(p->err, t[i].col, "unexpected '%s' (expected end of line)",
		    t[i].s);
}

/* Options may be set once in the whole configuration, includes too. */
static bool option_once(struct parser *p, const struct tok *t,
			enum tf_opt_index idx)
{
	struct tf_loc *set = &p->pol->opt.set[idx];

	if (set->line) {
		char at[600];

		return fail(p->err, t[0].col, "'%s' already set (at %s)",
			    t[0].s, where(at, sizeof(at), set));
	}
	*set = loc_at(p, t[0].col);
	return true;
}

static bool st_nosocket(struct parser *p, const struct tok *t, size_t n,
			unsigned int eol)
{
	uint8_t v;

	if (!need(p, t, n, 1, eol, "'loopback' or 'accept'"))
		return false;
	if (!strcmp(t[1].s, "loopback"))
		v = TORFW_NOSOCK_LOOPBACK;
	else if (!strcmp(t[1].s, "accept"))
		v = TORFW_NOSOCK_ACCEPT;
	else
		return fail(p->err, t[1].col,
			    "unknown nosocket mode '%s' (expected loopback or accept)",
			    t[1].s);
	if (!end_here(p, t, n, 2) || !option_once(p, t, TF_OPT_NOSOCK))
		return false;
	p->pol->opt.nosock = v;
	return true;
}

static bool st_kernel_sockets(struct parser *p, const struct tok *t,
			      size_t n, unsigned int eol)
{
	uint8_t v;

	if (!need(p, t, n, 1, eol, "'refuse' or 'lan'"))
		return false;
	if (!strcmp(t[1].s, "refuse"))
		v = TORFW_KERNEL_REFUSE;
	else if (!strcmp(t[1].s, "lan"))
		v = TORFW_KERNEL_LAN;
	else
		return fail(p->err, t[1].col,
			    "unknown kernel-sockets mode '%s' (expected refuse or lan)",
			    t[1].s);
	if (!end_here(p, t, n, 2) || !option_once(p, t, TF_OPT_KERNEL))
		return false;
	p->pol->opt.kernel = v;
	return true;
}

static bool log_number(struct parser *p, const struct tok *t, size_t n,
		       unsigned int eol, uint32_t *out)
{
	unsigned long v;
	bool range;

	if (!need(p, t, n, 1, eol, "number"))
		return false;
	if (!parse_ulong(t[1].s, TORFW_LOG_MAX, &v, &range)) {
		if (range)
			return fail(p->err, t[1].col,
				    "%s '%s' out of range (0-%u)", t[0].s,
				    t[1].s, TORFW_LOG_MAX);
		return fail(p->err, t[1].col, "invalid %s '%s'", t[0].s,
			    t[1].s);
	}
	*out = (uint32_t)v;
	return end_here(p, t, n, 2);
}

static bool st_log_rate(struct parser *p, const struct tok *t, size_t n,
			unsigned int eol)
{
	uint32_t v = 0;

	if (!log_number(p, t, n, eol, &v) ||
	    !option_once(p, t, TF_OPT_LOG_RATE))
		return false;
	p->pol->opt.log_rate = v;
	return true;
}

static bool st_log_burst(struct parser *p, const struct tok *t, size_t n,
			 unsigned int eol)
{
	uint32_t v = 0;

	if (!log_number(p, t, n, eol, &v) ||
	    !option_once(p, t, TF_OPT_LOG_BURST))
		return false;
	p->pol->opt.log_burst = v;
	return true;
}

static bool st_mtu_probing(struct parser *p, const struct tok *t, size_t n,
			   unsigned int eol)
{
	bool on;

	if (!need(p, t, n, 1, eol, "'on' or 'off'"))
		return false;
	if (!strcmp(t[1].s, "on"))
		on = true;
	else if (!strcmp(t[1].s, "off"))
		on = false;
	else
		return fail(p->err, t[1].col, "expected on or off, got '%s'",
			    t[1].s);
	if (!end_here(p, t, n, 2) || !option_once(p, t, TF_OPT_MTU_PROBING))
		return false;
	if (on)
		p->pol->opt.flags |= TORFW_OPT_F_MTU_PROBING;
	else
		p->pol->opt.flags &= ~(uint32_t)TORFW_OPT_F_MTU_PROBING;
	return true;
}

static const struct {
	const char *keyword;
	stmt_fn fn;
} statements[] = {
	{ "include", parse_include },
	{ "role", st_role },
	{ "allow", st_allow },
	{ "lan", st_lan },
	{ "lan-refuse", st_lan_refuse },
	{ "grant", st_grant },
	{ "redirect", st_redirect },
	{ "nosocket", st_nosocket },
	{ "kernel-sockets", st_kernel_sockets },
	{ "log-rate", st_log_rate },
	{ "log-burst", st_log_burst },
	{ "mtu-probing", st_mtu_probing },
};

stmt_fn statement_lookup(const char *keyword)
{
	size_t i;

	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
		if (!strcmp(statements[i].keyword, keyword))
			return statements[i].fn;
	return NULL;
}
