// SPDX-License-Identifier: GPL-2.0
/* The statements about addresses: lan, lan-refuse, grant, redirect. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "config_int.h"

bool st_lan(struct parser *p, const struct tok *t, size_t n,
	    unsigned int eol)
{
	struct tf_policy *pol = p->pol;
	char other[INET_ADDRSTRLEN], at[600];
	size_t i, j;

	if (!need(p, t, n, 1, eol, "prefix"))
		return false;
	for (i = 1; i < n; i++) {
		struct tf_prefix *pf;

		if (pol->nlan >= TORFW_MAX_LAN)
			return fail(p->err, t[i].col,
				    "too many LAN prefixes (at most %d)",
				    TORFW_MAX_LAN);
		pf = &pol->lan[pol->nlan];
		if (!parse_lan_prefix(p->err, &t[i], pf->addr, &pf->len))
			return false;
		for (j = 0; j < pol->nlan; j++) {
			const struct tf_prefix *e = &pol->lan[j];

			if (!prefix_overlaps(e->addr, e->len, pf->addr,
					     pf->len))
				continue;
			inet_ntop(AF_INET, e->addr, other, sizeof(other));
			where(at, sizeof(at), &e->loc);
			if (e->len == pf->len)
				return fail(p->err, t[i].col,
					    "duplicate LAN prefix '%s' (first at %s)",
					    t[i].s, at);
			return fail(p->err, t[i].col,
				    "LAN prefix '%s' overlaps '%s/%u' (at %s)",
				    t[i].s, other, e->len, at);
		}
		pf->loc = loc_at(p, t[i].col);
		pol->nlan++;
	}
	return true;
}

bool st_lan_refuse(struct parser *p, const struct tok *t, size_t n,
		   unsigned int eol)
{
	struct tf_policy *pol = p->pol;
	char other[16], at[600];
	uint8_t proto;
	size_t i, j;

	if (!need(p, t, n, 1, eol, "protocol") ||
	    !parse_proto(p->err, &t[1], &proto) ||
	    !need(p, t, n, 2, eol, "port"))
		return false;
	for (i = 2; i < n; i++) {
		struct tf_portrange *r;

		if (pol->nlan_refuse >= TORFW_MAX_LAN_REFUSE)
			return fail(p->err, t[i].col,
				    "too many lan-refuse ports (at most %d)",
				    TORFW_MAX_LAN_REFUSE);
		r = &pol->lan_refuse[pol->nlan_refuse];
		r->proto = proto;
		if (!parse_ports(p->err, t[i].s, t[i].col, &r->lo, &r->hi))
			return false;
		for (j = 0; j < pol->nlan_refuse; j++) {
			const struct tf_portrange *e = &pol->lan_refuse[j];

			if (e->proto != proto || r->lo > e->hi ||
			    e->lo > r->hi)
				continue;
			ports_format(other, sizeof(other), e->lo, e->hi);
			where(at, sizeof(at), &e->loc);
			if (e->lo == r->lo && e->hi == r->hi)
				return fail(p->err, t[i].col,
					    "duplicate lan-refuse '%s %s' (first at %s)",
					    t[1].s, t[i].s, at);
			return fail(p->err, t[i].col,
				    "lan-refuse '%s %s' overlaps '%s %s' (at %s)",
				    t[1].s, t[i].s, t[1].s, other, at);
		}
		r->loc = loc_at(p, t[i].col);
		pol->nlan_refuse++;
	}
	return true;
}

bool st_grant(struct parser *p, const struct tok *t, size_t n,
	      unsigned int eol)
{
	struct tf_policy *pol = p->pol;
	char at[600];
	size_t i, j;

	if (!need(p, t, n, 1, eol, "'netns'"))
		return false;
	if (strcmp(t[1].s, "netns") != 0)
		return fail(p->err, t[1].col,
			    "expected 'netns' after 'grant', got '%s'",
			    t[1].s);
	if (!need(p, t, n, 2, eol, "namespace name"))
		return false;
	for (i = 2; i < n; i++) {
		struct tf_netns *ns;

		if (pol->ngrants >= TORFW_MAX_GRANTS)
			return fail(p->err, t[i].col,
				    "too many granted namespaces (at most %d)",
				    TORFW_MAX_GRANTS);
		ns = &pol->grants[pol->ngrants];
		if (!parse_netns_name(p->err, &t[i], ns->name))
			return false;
		for (j = 0; j < pol->ngrants; j++)
			if (!strcmp(pol->grants[j].name, ns->name))
				return fail(p->err, t[i].col,
					    "namespace '%s' already granted (at %s)",
					    t[i].s,
					    where(at, sizeof(at),
						  &pol->grants[j].loc));
		ns->loc = loc_at(p, t[i].col);
		pol->ngrants++;
	}
	return true;
}

/*
 * The module takes one redirect of each kind (one TransPort, one DNSPort);
 * a second one is refused here rather than by the kernel at commit time.
 */
static bool redirect_once(struct parser *p, const struct tok *t,
			  uint8_t kind)
{
	char at[600];
	size_t i;

	for (i = 0; i < p->pol->nredirects; i++)
		if (p->pol->redirects[i].kind == kind)
			return fail(p->err, t[1].col,
				    "only one '%s' redirect is supported (the other at %s)",
				    t[1].s,
				    where(at, sizeof(at),
					  &p->pol->redirects[i].loc));
	return true;
}

/* redirect automap|dns ADDRESS[/LENGTH][:PORT] to PORT */
bool st_redirect(struct parser *p, const struct tok *t, size_t n,
		 unsigned int eol)
{
	struct tf_policy *pol = p->pol;
	struct tf_redirect r = { 0 };
	uint16_t hi;

	if (!need(p, t, n, 1, eol, "redirect kind (automap or dns)"))
		return false;
	if (!strcmp(t[1].s, "automap"))
		r.kind = TORFW_REDIR_AUTOMAP;
	else if (!strcmp(t[1].s, "dns"))
		r.kind = TORFW_REDIR_DNS;
	else
		return fail(p->err, t[1].col,
			    "unknown redirect kind '%s' (expected automap or dns)",
			    t[1].s);
	if (!redirect_once(p, t, r.kind) ||
	    !need(p, t, n, 2, eol, "address") ||
	    !parse_redirect_match(p->err, &t[2], r.addr, &r.plen, &r.port) ||
	    !need(p, t, n, 3, eol, "'to'"))
		return false;
	if (strcmp(t[3].s, "to") != 0)
		return fail(p->err, t[3].col, "expected 'to', got '%s'",
			    t[3].s);
	if (!need(p, t, n, 4, eol, "port") ||
	    !parse_ports(p->err, t[4].s, t[4].col, &r.to_port, &hi))
		return false;
	if (hi != r.to_port)
		return fail(p->err, t[4].col,
			    "a redirect goes to one port, not '%s'", t[4].s);
	if (!end_here(p, t, n, 5))
		return false;
	r.loc = loc_at(p, t[0].col);
	pol->redirects[pol->nredirects++] = r;
	return true;
}
