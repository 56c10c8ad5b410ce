// SPDX-License-Identifier: GPL-2.0
/*
 * One function per statement of torfw.conf. Each checks its words, the
 * limits of the UAPI header and the conflicts with what earlier lines
 * (in any file) declared, then adds to the policy. Nothing is sent to the
 * kernel until the whole configuration parsed, so a failure here changes
 * nothing anywhere.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "config_int.h"

static struct tf_loc loc_at(const struct parser *p, unsigned int col)
{
	struct tf_loc loc = { .file = p->file, .line = p->line, .col = col };

	return loc;
}

/* "file:line" of an earlier element, for conflict messages. */
static const char *where(char *buf, size_t size, const struct tf_loc *loc)
{
	snprintf(buf, size, "%s:%u", loc->file ? loc->file : "?", loc->line);
	return buf;
}

static bool need(struct parser *p, const struct tok *t, size_t n, size_t i,
		 unsigned int eol, const char *what)
{
	if (i < n)
		return true;
	return fail(p->err, eol, "missing %s after '%s'", what, t[i - 1].s);
}

static bool end_here(struct parser *p, const struct tok *t, size_t n,
		     size_t i)
{
	if (i >= n)
		return true;
	return fail(p->err, t[i].col, "unexpected '%s' (expected end of line)",
		    t[i].s);
}

/* Receives the uids of a user or group word; sets failed with a message. */
struct sink {
	struct parser *p;
	const struct tok *t;
	int (*add)(struct sink *s, uint32_t uid);
	bool failed;
	uint8_t kind;			/* role */
	struct tf_service *svc;		/* allow */
	bool drop;
};

static int sink_fn(void *arg, uint32_t uid)
{
	struct sink *s = arg;

	return s->add(s, uid);
}

/* USER, UID, @GROUP or @GID: calls s->add for each uid it stands for. */
static bool principal(struct parser *p, const struct tok *t, struct sink *s)
{
	const struct tf_resolver *res = p->opts->resolver;
	const char *name = t->s;
	unsigned long v;
	uint32_t uid;
	bool range;
	int ret;

	s->t = t;
	s->failed = false;
	if (name[0] == '@') {
		name++;
		if (!*name)
			return fail(p->err, t->col, "missing group name after '@'");
		if (parse_ulong(name, UINT32_MAX - 1, &v, &range))
			ret = res->group_members(res->ctx, NULL, (uint32_t)v,
						 sink_fn, s);
		else if (range)
			return fail(p->err, t->col,
				    "gid '%s' out of range (0-4294967294)",
				    name);
		else
			ret = res->group_members(res->ctx, name, 0, sink_fn,
						 s);
		if (ret && !s->failed && ret == -ENOENT)
			return fail(p->err, t->col, "unknown group '%s'", name);
		if (ret && !s->failed)
			return fail(p->err, t->col,
				    "cannot resolve group '%s': %s", name,
				    strerror(-ret));
		return !ret;
	}
	if (parse_ulong(name, UINT32_MAX - 1, &v, &range)) {
		uid = (uint32_t)v;
	} else if (range) {
		/* (uid_t)-1 means "no change" to the kernel: never a user. */
		return fail(p->err, t->col,
			    "uid '%s' out of range (0-4294967294)", name);
	} else {
		ret = res->user_uid(res->ctx, name, &uid);
		if (ret == -ENOENT)
			return fail(p->err, t->col, "unknown user '%s'", name);
		if (ret)
			return fail(p->err, t->col,
				    "cannot resolve user '%s': %s", name,
				    strerror(-ret));
	}
	return !s->add(s, uid);
}

static int add_role(struct sink *s, uint32_t uid)
{
	struct tf_policy *pol = s->p->pol;
	size_t i;

	for (i = 0; i < pol->nroles; i++)
		if (pol->roles[i].kind == s->kind && pol->roles[i].uid == uid)
			return 0;
	if (pol->nroles >= TORFW_MAX_ROLES) {
		s->failed = true;
		set_error(s->p->err, s->t->col, "too many roles (at most %d)",
			  TORFW_MAX_ROLES);
		return -E2BIG;
	}
	pol->roles[pol->nroles].kind = s->kind;
	pol->roles[pol->nroles].uid = uid;
	pol->roles[pol->nroles].loc = loc_at(s->p, s->t->col);
	pol->nroles++;
	return 0;
}

static bool st_role(struct parser *p, const struct tok *t, size_t n,
		    unsigned int eol)
{
	struct sink s = { .p = p, .add = add_role };
	size_t i;

	if (!need(p, t, n, 1, eol, "role (tor, clearnet or packet)"))
		return false;
	if (!strcmp(t[1].s, "tor"))
		s.kind = TORFW_ROLE_TOR;
	else if (!strcmp(t[1].s, "clearnet"))
		s.kind = TORFW_ROLE_CLEARNET;
	else if (!strcmp(t[1].s, "packet"))
		s.kind = TORFW_ROLE_PACKET;
	else
		return fail(p->err, t[1].col,
			    "unknown role '%s' (expected tor, clearnet or packet)",
			    t[1].s);
	if (!need(p, t, n, 2, eol, "user"))
		return false;
	for (i = 2; i < n; i++)
		if (!principal(p, &t[i], &s))
			return false;
	return true;
}

static int add_service_uid(struct sink *s, uint32_t uid)
{
	struct tf_service *svc = s->svc;
	uint32_t *mine = s->drop ? svc->drops : svc->uids;
	uint32_t *other = s->drop ? svc->uids : svc->drops;
	unsigned int *n = s->drop ? &svc->ndrops : &svc->nuids;
	unsigned int nother = s->drop ? svc->nuids : svc->ndrops;

	if (uid_list_has(mine, *n, uid))
		return 0;
	if (uid_list_has(other, nother, uid)) {
		s->failed = true;
		set_error(s->p->err, s->t->col,
			  "'%s' (uid %u) is both allowed and dropped", s->t->s,
			  uid);
		return -EEXIST;
	}
	if (svc->nuids + svc->ndrops >= TORFW_MAX_SERVICE_UIDS) {
		s->failed = true;
		set_error(s->p->err, s->t->col,
			  "too many users in one entry (at most %d allowed and dropped)",
			  TORFW_MAX_SERVICE_UIDS);
		return -E2BIG;
	}
	mine[(*n)++] = uid;
	return 0;
}

static bool service_netns(struct parser *p, const struct tok *t,
			  struct tf_service *svc)
{
	struct tf_netns *ns;
	unsigned int i;

	if (svc->nnetns >= TORFW_MAX_SERVICE_NS)
		return fail(p->err, t->col,
			    "too many namespaces in one entry (at most %d)",
			    TORFW_MAX_SERVICE_NS);
	ns = &svc->netns[svc->nnetns];
	if (!parse_netns_name(p->err, t, ns->name))
		return false;
	for (i = 0; i < svc->nnetns; i++)
		if (!strcmp(svc->netns[i].name, ns->name))
			return fail(p->err, t->col,
				    "namespace '%s' listed twice", t->s);
	ns->loc = loc_at(p, t->col);
	svc->nnetns++;
	return true;
}

static bool service_conflict(struct parser *p, const struct tok *t,
			     const struct tf_service *svc)
{
	char other[80], at[600];
	size_t i;

	for (i = 0; i < p->pol->nservices; i++) {
		const struct tf_service *e = &p->pol->services[i];

		if (e->family != svc->family || e->proto != svc->proto ||
		    memcmp(e->addr, svc->addr, sizeof(e->addr)) != 0 ||
		    svc->lo > e->hi || e->lo > svc->hi)
			continue;
		endpoint_format(other, sizeof(other), e->family, e->addr,
				e->lo, e->hi);
		where(at, sizeof(at), &e->loc);
		if (e->lo == svc->lo && e->hi == svc->hi)
			return fail(p->err, t[2].col,
				    "duplicate allow entry '%s %s' (first at %s)",
				    t[1].s, t[2].s, at);
		return fail(p->err, t[2].col,
			    "allow entry '%s %s' overlaps '%s %s' (at %s)",
			    t[1].s, t[2].s, t[1].s, other, at);
	}
	return true;
}

/* allow PROTO ENDPOINT [PRINCIPAL...] [drop PRINCIPAL...] [netns NAME...] */
static bool st_allow(struct parser *p, const struct tok *t, size_t n,
		     unsigned int eol)
{
	static const char *const what[] = { NULL, "user", "namespace name" };
	enum { ALLOW, DROP, NETNS } mode = ALLOW;
	struct tf_service svc, *dst;
	struct sink s = { .p = p, .add = add_service_uid, .svc = &svc };
	bool seen[3] = { true, false, false };
	size_t i, kw = 0, count = 1;

	memset(&svc, 0, sizeof(svc));
	if (p->pol->nservices >= TORFW_MAX_SERVICES)
		return fail(p->err, t[0].col,
			    "too many allow entries (at most %d)",
			    TORFW_MAX_SERVICES);
	if (!need(p, t, n, 1, eol, "protocol") ||
	    !parse_proto(p->err, &t[1], &svc.proto) ||
	    !need(p, t, n, 2, eol, "ADDRESS:PORT") ||
	    !parse_endpoint(p->err, &t[2], &svc.family, svc.addr, &svc.lo,
			    &svc.hi) ||
	    !service_conflict(p, t, &svc))
		return false;
	for (i = 3; i <= n; i++) {
		bool is_drop = i < n && !strcmp(t[i].s, "drop");
		bool is_netns = i < n && !strcmp(t[i].s, "netns");

		if (i == n || is_drop || is_netns) {
			if (!count)
				return fail(p->err, i < n ? t[i].col : eol,
					    "missing %s after '%s'",
					    what[mode], t[kw].s);
			if (i == n)
				break;
			mode = is_drop ? DROP : NETNS;
			if (seen[mode])
				return fail(p->err, t[i].col,
					    "'%s' given twice", t[i].s);
			seen[mode] = true;
			kw = i;
			count = 0;
			continue;
		}
		count++;
		s.drop = mode == DROP;
		if (mode == NETNS ? !service_netns(p, &t[i], &svc) :
				    !principal(p, &t[i], &s))
			return false;
	}
	/* The module refuses an entry that lets nobody in: say it here. */
	if (!svc.nuids && !svc.ndrops && !svc.nnetns && n == 3)
		return fail(p->err, eol,
			    "allow entry '%s %s' names no user and no namespace",
			    t[1].s, t[2].s);
	if (!svc.nuids && !svc.ndrops && !svc.nnetns)
		return fail(p->err, t[3].col,
			    "allow entry '%s %s' names no user and no namespace (its groups are empty)",
			    t[1].s, t[2].s);
	dst = policy_add_service(p->pol);
	if (!dst)
		return fail(p->err, t[0].col, "out of memory");
	svc.loc = loc_at(p, t[0].col);
	*dst = svc;
	return true;
}

static bool st_lan(struct parser *p, const struct tok *t, size_t n,
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

static bool st_lan_refuse(struct parser *p, const struct tok *t, size_t n,
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

static bool st_grant(struct parser *p, const struct tok *t, size_t n,
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
static bool st_redirect(struct parser *p, const struct tok *t, size_t n,
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

static bool log_number(struct parser *p, const struct tok *t, size_t n,
		       unsigned int eol, uint32_t *out)
{
	unsigned long v;
	bool range;

	if (!need(p, t, n, 1, eol, "number"))
		return false;
	if (!parse_ulong(t[1].s, TF_MAX_LOG, &v, &range))
		return fail(p->err, t[1].col,
			    range ? "%s '%s' out of range (0-10000)" :
			    "invalid %s '%s'", t[0].s, t[1].s);
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
