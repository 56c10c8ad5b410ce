// SPDX-License-Identifier: GPL-2.0
/*
 * A decision of the module's torfw_decide() in words, with the statement
 * that made it: the allow-list entry, role, LAN prefix, refusal, grant,
 * option or redirect, as written (file:line) or as show prints it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "explain.h"
#include "print.h"
#include "../kmod/policy.h"

const char *verdict_word(uint8_t verdict)
{
	switch (verdict) {
	case TORFW_ACCEPT:
		return "accepted";
	case TORFW_REJECT:
		return "refused";
	default:
		return "dropped";
	}
}

void facts_dest(char *buf, size_t size, const struct torfw_facts *f)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(f->family, &f->daddr, a, sizeof(a));
	if (!f->ports)
		snprintf(buf, size, "%s", a);
	else if (f->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, f->dport);
	else
		snprintf(buf, size, "%s:%u", a, f->dport);
}

static void put(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;
	int r;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	/* Cut, and says so: a list must not read as complete. */
	if (r < 0 || (size_t)r >= size - n)
		memcpy(buf + size - 4, "...", 4);
}

/* The user word as show prints it (print.c). */
static void put_user(char *buf, size_t size, uint32_t uid,
		     const struct tf_resolver *res)
{
	char name[300] = "";
	FILE *m = fmemopen(name, sizeof(name), "w");

	if (m) {
		uid_print(m, uid, res);
		fclose(m);
	}
	put(buf, size, "%s", name);
}

/*
 * The deepest of set's cgroups that holds the facts' socket (decide.c's
 * torfw_cg_in(), one by one), or -1: which cgroup principal decided.
 */
static int cg_matched(const struct torfw_policy *p, const u16 *set, u32 n,
		      const struct torfw_facts *f)
{
	int best = -1;
	u32 i;

	for (i = 0; f->cg_known && i < n; i++)
		if (torfw_cg_in(p, &set[i], 1, f) &&
		    (best < 0 || p->cg[set[i]].level > p->cg[best].level))
			best = set[i];
	return best;
}

static void set_loc(struct why *w, const struct tf_loc *loc)
{
	w->loc = loc->file && loc->line ? loc : NULL;
}

static const struct tf_service *find_service(const struct tf_policy *src,
					     const struct torfw_svc *s)
{
	size_t i, n = s->family == AF_INET ? 4 : 16;

	for (i = 0; i < src->nservices; i++) {
		const struct tf_service *t = &src->services[i];

		if (t->family == s->family && t->proto == s->proto &&
		    t->lo == s->port_lo && !memcmp(t->addr, &s->addr, n))
			return t;
	}
	return NULL;
}

static void why_service(const struct tf_policy *src,
			const struct torfw_policy *p,
			const struct torfw_decision *d,
			const struct tf_resolver *res, struct why *w)
{
	const struct tf_service *t;
	FILE *m;

	if (d->service < 0 || (u32)d->service >= p->n_svc)
		return;
	t = find_service(src, &p->svc[d->service]);
	if (!t)
		return;
	m = fmemopen(w->stmt, sizeof(w->stmt), "w");
	if (m) {
		service_print(m, src, t, res);
		fclose(m);
	}
	set_loc(w, &t->loc);
}

/* The role statement: of the uid, or of the cgroup path cg (not NULL). */
static void why_role(const struct tf_policy *src, uint8_t kind, uint32_t uid,
		     const char *cg, const struct tf_resolver *res,
		     struct why *w)
{
	size_t i;

	for (i = 0; i < src->nroles; i++) {
		const struct tf_role *r = &src->roles[i];

		if (r->kind != kind || r->is_cg != !!cg)
			continue;
		if (cg && strcmp(src->cgroups[r->cg].path, cg) != 0)
			continue;
		if (cg) {
			snprintf(w->stmt, sizeof(w->stmt), "role %s cgroup:%s",
				 role_kind_name(kind), cg);
			set_loc(w, &r->loc);
			return;
		}
		if (r->uid != uid)
			continue;
		snprintf(w->stmt, sizeof(w->stmt), "role %s ",
			 role_kind_name(kind));
		put_user(w->stmt, sizeof(w->stmt), uid, res);
		set_loc(w, &src->roles[i].loc);
		return;
	}
}

static void why_lan(const struct tf_policy *src, __be32 daddr, struct why *w)
{
	uint32_t a = ntohl(daddr);
	size_t i;

	for (i = 0; i < src->nlan; i++) {
		const struct tf_prefix *l = &src->lan[i];
		uint32_t net = (uint32_t)l->addr[0] << 24 |
			       (uint32_t)l->addr[1] << 16 |
			       (uint32_t)l->addr[2] << 8 | l->addr[3];
		uint32_t mask = l->len ? ~0U << (32 - l->len) : 0;

		if ((a & mask) != net)
			continue;
		snprintf(w->stmt, sizeof(w->stmt), "lan %u.%u.%u.%u/%u",
			 l->addr[0], l->addr[1], l->addr[2], l->addr[3],
			 l->len);
		set_loc(w, &l->loc);
		return;
	}
}

static void why_lan_refused(const struct tf_policy *src, uint8_t proto,
			    uint16_t port, struct why *w)
{
	char ports[16];
	size_t i;

	if (proto == IPPROTO_UDPLITE)
		proto = IPPROTO_UDP;
	else if (proto == IPPROTO_SCTP || proto == IPPROTO_DCCP)
		proto = IPPROTO_TCP;
	for (i = 0; i < src->nlan_refuse; i++) {
		const struct tf_portrange *r = &src->lan_refuse[i];

		if (r->proto != proto || port < r->lo || port > r->hi)
			continue;
		ports_format(ports, sizeof(ports), r->lo, r->hi);
		snprintf(w->stmt, sizeof(w->stmt), "lan-refuse %s %s",
			 proto_name(proto), ports);
		set_loc(w, &r->loc);
		return;
	}
}

static void why_grant(const struct tf_policy *src, const char *name,
		      struct why *w)
{
	size_t i;

	for (i = 0; name && i < src->ngrants; i++) {
		if (strcmp(src->grants[i].name, name) != 0)
			continue;
		snprintf(w->stmt, sizeof(w->stmt), "grant netns %s", name);
		set_loc(w, &src->grants[i].loc);
		return;
	}
}

static void why_option(const struct tf_policy *src, unsigned int opt,
		       struct why *w)
{
	if (opt == TF_OPT_NOSOCK)
		snprintf(w->stmt, sizeof(w->stmt), "nosocket %s",
			 nosock_name(src->opt.nosock));
	else
		snprintf(w->stmt, sizeof(w->stmt), "kernel-sockets %s",
			 kernel_sockets_name(src->opt.kernel));
	set_loc(w, &src->opt.set[opt]);
}

/* "127.0.0.1:9052 allows root only", from the entry itself. */
static void entry_users(const struct torfw_policy *p,
			const struct torfw_decision *d,
			const struct tf_resolver *res, char *buf, size_t size)
{
	const struct torfw_svc *s;
	const u16 *cg;
	const u32 *u;
	u32 i, n;

	if (d->service < 0 || (u32)d->service >= p->n_svc) {
		put(buf, size, " has no allow-list entry");
		return;
	}
	s = &p->svc[d->service];
	u = p->uids + s->uid_off;
	cg = p->svc_cg + s->cg_off;
	n = s->n_allow + s->n_allow_cg;
	if (!n) {
		put(buf, size, " allows no user");
		return;
	}
	put(buf, size, " allows ");
	for (i = 0; i < n; i++) {
		if (i)
			put(buf, size, i + 1 == n ? " and " : ", ");
		if (i < s->n_allow)
			put_user(buf, size, u[i], res);
		else
			put(buf, size, "cgroup:%s",
			    p->cg[cg[i - s->n_allow]].path);
	}
	put(buf, size, " only");
}

/*
 * The principal an entry allowed or dropped: the uid if the entry lists
 * it (decide.c asks the uid first), else the cgroup that holds the
 * socket.
 */
static void put_principal(char *buf, size_t size,
			  const struct torfw_policy *p,
			  const struct torfw_decision *d,
			  const struct torfw_facts *f,
			  const struct tf_resolver *res)
{
	const struct torfw_svc *s;
	bool drop = d->reason == TORFW_R_SERVICE_DROP;
	int cg;

	if (d->service < 0 || (u32)d->service >= p->n_svc) {
		put_user(buf, size, f->uid, res);
		return;
	}
	s = &p->svc[d->service];
	if (torfw_uid_in(p->uids + s->uid_off + (drop ? s->n_allow : 0),
			 drop ? s->n_drop : s->n_allow, f->uid)) {
		put_user(buf, size, f->uid, res);
		return;
	}
	cg = cg_matched(p, p->svc_cg + s->cg_off + (drop ? s->n_allow_cg : 0),
			drop ? s->n_drop_cg : s->n_allow_cg, f);
	if (cg >= 0)
		put(buf, size, "cgroup:%s", p->cg[cg].path);
	else
		put_user(buf, size, f->uid, res);
}

void why_decision(const struct tf_policy *src, const struct torfw_policy *p,
		  const struct kp_nstab *t, const struct torfw_facts *f,
		  const struct torfw_decision *d,
		  const struct tf_resolver *res, struct why *w)
{
	const char *ns = kp_ns_name(t, f->from_ns);
	char dest[80], *b = w->detail;
	size_t n = sizeof(w->detail);
	uint8_t kind;
	int cg;

	memset(w, 0, sizeof(*w));
	facts_dest(dest, sizeof(dest), f);
	put(b, n, "%s", torfw_reason_names[d->reason]);
	switch (d->reason) {
	case TORFW_R_SERVICE:
	case TORFW_R_SERVICE_DROP:
		put(b, n, ": %s %s ", dest, d->reason == TORFW_R_SERVICE ?
		    "allows" : "drops");
		put_principal(b, n, p, d, f, res);
		why_service(src, p, d, res, w);
		break;
	case TORFW_R_LOOPBACK:
		put(b, n, ": %s", dest);
		entry_users(p, d, res, b, n);
		why_service(src, p, d, res, w);
		break;
	case TORFW_R_TOR_LOOPBACK:
	case TORFW_R_TOR:
	case TORFW_R_CLEARNET:
		kind = d->reason == TORFW_R_CLEARNET ? TORFW_ROLE_CLEARNET :
						       TORFW_ROLE_TOR;
		/* The uid's role first, as decide.c asks it first. */
		cg = torfw_has_role(p, kind, f->uid) ? -1 :
		     cg_matched(p, p->role_cg[kind], p->n_role_cg[kind], f);
		put(b, n, ": ");
		if (cg >= 0)
			put(b, n, "cgroup:%s", p->cg[cg].path);
		else
			put_user(b, n, f->uid, res);
		put(b, n, " has the %s role",
		    d->reason == TORFW_R_CLEARNET ? "clearnet" : "tor");
		if (d->reason == TORFW_R_TOR_LOOPBACK)
			put(b, n, ", every IPv4 loopback port");
		why_role(src, kind, f->uid, cg >= 0 ? p->cg[cg].path : NULL,
			 res, w);
		break;
	case TORFW_R_LAN:
		put(b, n, ": %s is on the LAN", dest);
		why_lan(src, f->daddr.ip, w);
		break;
	case TORFW_R_LAN_REFUSED:
		put(b, n, ": %s is on the LAN, its port refused", dest);
		why_lan_refused(src, f->proto, f->dport, w);
		break;
	case TORFW_R_INTERNET_TCP:
	case TORFW_R_INTERNET_NON_TCP:
		put(b, n, ": ");
		put_user(b, n, f->uid, res);
		put(b, n, " has no role that reaches %s", dest);
		break;
	case TORFW_R_NOSOCK:
	case TORFW_R_NOSOCK_ACCEPT:
	case TORFW_R_NOSOCK_LOOPBACK:
		put(b, n, ": a packet without a socket");
		why_option(src, TF_OPT_NOSOCK, w);
		break;
	case TORFW_R_KERNEL:
	case TORFW_R_KERNEL_ALLOWED:
		put(b, n, ": a socket the kernel made");
		why_option(src, TF_OPT_KERNEL, w);
		break;
	case TORFW_R_GRANT_FORWARD:
		put(b, n, ": namespace %s is granted", ns ? ns : "?");
		why_grant(src, ns, w);
		break;
	case TORFW_R_GRANT_SERVICE:
		put(b, n, ": %s serves namespace %s", dest, ns ? ns : "?");
		why_service(src, p, d, res, w);
		break;
	case TORFW_R_FORWARD:
		put(b, n, ": namespace %s may not forward to %s",
		    ns ? ns : "(none)", dest);
		break;
	case TORFW_R_INBOUND:
		put(b, n, ": a new connection to %s from %s", dest,
		    ns ? ns : "outside");
		break;
	case TORFW_R_IPV6:
		put(b, n, ": only loopback carries IPv6");
		break;
	case TORFW_R_NO_POLICY:
	case TORFW_R_NOPOLICY_LOOPBACK:
		put(b, n, ": no policy loaded, only loopback passes");
		break;
	default:
		break;
	}
}

void why_redirect(const struct tf_policy *src, const struct torfw_redir *r,
		  struct why *w)
{
	size_t i;
	FILE *m;

	memset(w, 0, sizeof(*w));
	snprintf(w->detail, sizeof(w->detail), "127.0.0.1:%u", r->to_port);
	for (i = 0; i < src->nredirects; i++) {
		const struct tf_redirect *t = &src->redirects[i];

		if (t->kind != r->kind)
			continue;
		m = fmemopen(w->stmt, sizeof(w->stmt), "w");
		if (m) {
			redirect_print(m, t);
			fclose(m);
		}
		set_loc(w, &t->loc);
		return;
	}
}
