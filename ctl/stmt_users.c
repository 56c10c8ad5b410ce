// SPDX-License-Identifier: GPL-2.0
/*
 * The statements that name users: role and allow. A user word is a name
 * (resolved now, through the injected resolver), a number, a group
 * (@name, @gid) standing for its members, or a cgroup (cgroup:/path,
 * resolved only when the policy is built: by the kernel at load).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <search.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config_int.h"

/* Receives the uids of a user or group word; sets failed with a message. */
struct sink {
	struct parser *p;
	const struct tok *t;
	int (*add)(struct sink *s, uint32_t uid);
	bool (*add_cg)(struct sink *s, uint16_t cg);
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

#define CG_PREFIX "cgroup:"

/* cgroup:/path: its syntax (the UAPI's rule), then s->add_cg. */
static bool cgroup_principal(struct parser *p, const struct tok *t,
			     struct sink *s)
{
	const char *path = t->s + strlen(CG_PREFIX), *why;
	int idx;

	if (!*path)
		return fail(p->err, t->col, "missing cgroup path after '%s'",
			    CG_PREFIX);
	why = cgroup_path_error(path);
	if (why)
		return fail(p->err, t->col, "cgroup path '%.64s%s' %s", path,
			    strlen(path) > 64 ? "..." : "", why);
	idx = policy_cgroup(p->pol, path);
	if (idx < 0)
		return fail(p->err, t->col,
			    "too many cgroups (at most %d distinct paths)",
			    TORFW_MAX_CGROUPS);
	return s->add_cg(s, (uint16_t)idx);
}

/*
 * USER, UID, @GROUP or @GID: calls s->add for each uid it stands for;
 * cgroup:/PATH: s->add_cg.
 */
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
	if (!strncmp(name, CG_PREFIX, strlen(CG_PREFIX)))
		return cgroup_principal(p, t, s);
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
		if (pol->roles[i].kind == s->kind && !pol->roles[i].is_cg &&
		    pol->roles[i].uid == uid)
			return 0;
	if (pol->nroles >= TORFW_MAX_ROLES) {
		s->failed = true;
		set_error(s->p->err, s->t->col, "too many roles (at most %d)",
			  TORFW_MAX_ROLES);
		return -E2BIG;
	}
	memset(&pol->roles[pol->nroles], 0, sizeof(pol->roles[0]));
	pol->roles[pol->nroles].kind = s->kind;
	pol->roles[pol->nroles].uid = uid;
	pol->roles[pol->nroles].loc = loc_at(s->p, s->t->col);
	pol->nroles++;
	return 0;
}

static bool add_role_cg(struct sink *s, uint16_t cg)
{
	struct tf_policy *pol = s->p->pol;
	size_t i;

	for (i = 0; i < pol->nroles; i++)
		if (pol->roles[i].kind == s->kind && pol->roles[i].is_cg &&
		    pol->roles[i].cg == cg)
			return true;
	if (pol->nroles >= TORFW_MAX_ROLES)
		return fail(s->p->err, s->t->col,
			    "too many roles (at most %d)", TORFW_MAX_ROLES);
	memset(&pol->roles[pol->nroles], 0, sizeof(pol->roles[0]));
	pol->roles[pol->nroles].kind = s->kind;
	pol->roles[pol->nroles].is_cg = true;
	pol->roles[pol->nroles].cg = cg;
	pol->roles[pol->nroles].loc = loc_at(s->p, s->t->col);
	pol->nroles++;
	return true;
}

bool st_role(struct parser *p, const struct tok *t, size_t n,
	     unsigned int eol)
{
	struct sink s = { .p = p, .add = add_role, .add_cg = add_role_cg };
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

/*
 * A cgroup named twice in an entry is a mistake (unlike a uid, which a
 * user and a group may both stand for): said, as for namespaces.
 */
static bool add_service_cg(struct sink *s, uint16_t cg)
{
	struct tf_service *svc = s->svc;
	uint16_t *mine = s->drop ? svc->drop_cg : svc->cg;
	unsigned int *n = s->drop ? &svc->ndrop_cg : &svc->ncg;
	const char *path = s->p->pol->cgroups[cg].path;

	if (cg_list_has(svc->cg, svc->ncg, cg) ||
	    cg_list_has(svc->drop_cg, svc->ndrop_cg, cg))
		return fail(s->p->err, s->t->col,
			    cg_list_has(mine, *n, cg) ?
			    "cgroup '%s' listed twice" :
			    "cgroup '%s' is both allowed and dropped", path);
	if (svc->ncg + svc->ndrop_cg >= TORFW_MAX_SERVICE_CGROUPS)
		return fail(s->p->err, s->t->col,
			    "too many cgroups in one entry (at most %d allowed and dropped)",
			    TORFW_MAX_SERVICE_CGROUPS);
	mine[(*n)++] = cg;
	return true;
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

static int range_cmp(const void *a, const void *b)
{
	const struct port_range *x = a, *y = b;
	int r;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	if (x->hi < y->lo)
		return -1;
	if (x->lo > y->hi)
		return 1;
	return 0;	/* they overlap */
}

static void range_key(struct port_range *key, const struct tf_service *svc)
{
	memset(key, 0, sizeof(*key));
	key->family = svc->family;
	key->proto = svc->proto;
	memcpy(key->addr, svc->addr, sizeof(key->addr));
	key->lo = svc->lo;
	key->hi = svc->hi;
}

/* Refuses an entry that overlaps an earlier one. */
static bool service_conflict(struct parser *p, const struct tok *t,
			     const struct tf_service *svc)
{
	char other[80], at[600];
	const struct port_range *found = NULL;
	const struct tf_service *e;
	struct port_range key;
	void *node;

	/*
	 * The tree finds any earlier range that overlaps; name the one that
	 * holds the lowest common port, by narrowing the range below it.
	 */
	range_key(&key, svc);
	while ((node = tfind(&key, &p->ranges, range_cmp))) {
		found = *(const struct port_range **)node;
		if (found->lo <= key.lo)
			break;
		key.hi = found->lo - 1;
	}
	if (!found)
		return true;
	e = &p->pol->services[found->service];
	endpoint_format(other, sizeof(other), e->family, e->addr, e->lo, e->hi);
	where(at, sizeof(at), &e->loc);
	if (e->lo == svc->lo && e->hi == svc->hi)
		return fail(p->err, t[2].col,
			    "duplicate allow entry '%s %s' (first at %s)",
			    t[1].s, t[2].s, at);
	return fail(p->err, t[2].col,
		    "allow entry '%s %s' overlaps '%s %s' (at %s)",
		    t[1].s, t[2].s, t[1].s, other, at);
}

/* Claims the ports of the entry just added at index i of pol->services. */
static bool service_claim(struct parser *p, const struct tok *t, size_t i)
{
	struct port_range *r = malloc(sizeof(*r));

	if (!r)
		return fail(p->err, t[0].col, "out of memory");
	range_key(r, &p->pol->services[i]);
	r->service = (uint32_t)i;
	if (!tsearch(r, &p->ranges, range_cmp)) {
		free(r);
		return fail(p->err, t[0].col, "out of memory");
	}
	return true;
}

/* allow PROTO ENDPOINT [PRINCIPAL...] [drop PRINCIPAL...] [netns NAME...] */
bool st_allow(struct parser *p, const struct tok *t, size_t n,
	      unsigned int eol)
{
	static const char *const what[] = { NULL, "user", "namespace name" };
	enum { ALLOW, DROP, NETNS } mode = ALLOW;
	struct tf_service svc, *dst;
	struct sink s = { .p = p, .add = add_service_uid,
			  .add_cg = add_service_cg, .svc = &svc };
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
			    &svc.hi))
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
	if (service_empty(&svc) && n == 3)
		return fail(p->err, eol,
			    "allow entry '%s %s' names no user and no namespace",
			    t[1].s, t[2].s);
	if (service_empty(&svc))
		return fail(p->err, t[3].col,
			    "allow entry '%s %s' names no user and no namespace (its groups are empty)",
			    t[1].s, t[2].s);
	/* Its ports are claimed only once the entry is whole: a line with
	 * an error claims nothing, and later lines are judged without it. */
	if (!service_conflict(p, t, &svc))
		return false;
	dst = policy_add_service(p->pol);
	if (!dst)
		return fail(p->err, t[0].col, "out of memory");
	svc.loc = loc_at(p, t[0].col);
	*dst = svc;
	return service_claim(p, t, p->pol->nservices - 1);
}
