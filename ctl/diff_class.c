// SPDX-License-Identifier: GPL-2.0
/*
 * A class of packets of torfwctl diff in words, all computed with the
 * module's torfw_decide() under both policies:
 *  - principals: every uid either policy names that both decide exactly
 *    as the probe's own (a probe's uid stands for a class), and
 *    other-users for every uid neither names; for a user's socket, in
 *    the probe's cgroup class (diff.h), which diff.c's collapse drops
 *    where every class changes alike;
 *  - destination: the probe's address, or the class it stands for
 *    (other-local, host, internet, the LAN class, off-loopback,
 *    any-ipv6), and the port range around the probe on which all its
 *    principals keep their two decisions. A decision can change with
 *    the port only where an allow-list entry or a LAN refusal of either
 *    policy starts or ends, or at 53 (decide.c): the range is found by
 *    one decision per such segment, not per port.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "diff.h"
#include "print.h"
#include "../kmod/policy.h"

/*
 * Each policy decides where its own redirects lead: the NAT rewrites a
 * locally generated packet before the filter sees it (explain_facts()
 * does the same), so an entry a redirect hides opens nothing.
 */
void decide2(const struct diff *df, const struct torfw_facts *f,
	     struct torfw_decision *d)
{
	const struct torfw_redir *r;
	struct torfw_facts g;
	int k;

	for (k = 0; k < 2; k++) {
		const struct torfw_policy *p = df->p[k];

		r = NULL;
		if (p && p->n_redir && f->hook == TORFW_HOOK_OUT &&
		    f->family == AF_INET && f->ports)
			r = torfw_redir_match(p, f->proto, f->daddr.ip, f->dport);
		if (!r) {
			torfw_decide(p, f, &d[k]);
			continue;
		}
		g = *f;
		g.daddr.ip = htonl(INADDR_LOOPBACK);
		g.dport = r->to_port;
		g.lo = true;
		torfw_decide(p, &g, &d[k]);
	}
}

static bool same2(const struct torfw_decision a[2],
		  const struct torfw_decision b[2])
{
	return a[0].verdict == b[0].verdict && a[0].reason == b[0].reason &&
	       a[1].verdict == b[1].verdict && a[1].reason == b[1].reason;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Appends to a sorted-later array of uint32_t. */
static int push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		uint32_t *w = reallocarray(*v, c, sizeof(*w));

		if (!w)
			return -ENOMEM;
		*v = w;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t i, k = 0;

	if (n)
		qsort(v, n, sizeof(*v), u32_cmp);
	for (i = 0; i < n; i++)
		if (!k || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

static int collect_uids(struct diff *df)
{
	size_t cap = 0, i, j;
	int k, ret = 0;

	for (k = 0; k < 2; k++) {
		const struct tf_policy *pol = df->src[k];

		for (i = 0; pol && !ret && i < pol->nroles; i++)
			ret = push(&df->uids, &df->n_uids, &cap,
				   pol->roles[i].uid);
		for (i = 0; pol && !ret && i < pol->nservices; i++) {
			const struct tf_service *s = &pol->services[i];

			for (j = 0; !ret && j < s->nuids; j++)
				ret = push(&df->uids, &df->n_uids, &cap,
					   s->uids[j]);
			for (j = 0; !ret && j < s->ndrops; j++)
				ret = push(&df->uids, &df->n_uids, &cap,
					   s->drops[j]);
		}
	}
	if (ret)
		return ret;
	df->n_uids = sort_unique(df->uids, df->n_uids);
	/* From 65534 up, the first uid neither names. */
	df->other = 65534;
	for (i = 0; i < df->n_uids; i++)
		if (df->uids[i] == df->other)
			df->other++;
	return 0;
}

/* Where a decision may change with the port (see the top). */
static int collect_bounds(struct diff *df)
{
	size_t cap = 0;
	u32 i;
	int k, ret;

	ret = push(&df->bounds, &df->n_bounds, &cap, 0);
	if (!ret)
		ret = push(&df->bounds, &df->n_bounds, &cap, 53);
	if (!ret)
		ret = push(&df->bounds, &df->n_bounds, &cap, 54);
	if (!ret)
		ret = push(&df->bounds, &df->n_bounds, &cap, 65536);
	for (k = 0; k < 2; k++) {
		const struct torfw_policy *p = df->p[k];

		for (i = 0; p && !ret && i < p->n_svc; i++) {
			ret = push(&df->bounds, &df->n_bounds, &cap,
				   p->svc[i].port_lo);
			if (!ret)
				ret = push(&df->bounds, &df->n_bounds, &cap,
					   p->svc[i].port_hi + 1U);
		}
		for (i = 0; p && !ret && i < p->n_refuse; i++) {
			ret = push(&df->bounds, &df->n_bounds, &cap,
				   p->refuse[i].lo);
			if (!ret)
				ret = push(&df->bounds, &df->n_bounds, &cap,
					   p->refuse[i].hi + 1U);
		}
	}
	if (ret)
		return ret;
	df->n_bounds = sort_unique(df->bounds, df->n_bounds);
	return 0;
}

/* Every path either policy names, once, as kmod/probe.c's classes. */
static int collect_cgroups(struct diff *df)
{
	size_t cap = 0, j;
	u32 i;
	int k;

	for (k = 0; k < 2; k++)
		cap += df->p[k] ? df->p[k]->n_cg : 0;
	df->cgc = calloc(cap ? cap : 1, sizeof(struct diff_cg));
	if (!df->cgc)
		return -ENOMEM;
	for (k = 0; k < 2; k++) {
		for (i = 0; df->p[k] && i < df->p[k]->n_cg; i++) {
			const struct torfw_cgroup *c = &df->p[k]->cg[i];
			struct diff_cg *d = &df->cgc[df->n_cgc];

			for (j = 0; j < df->n_cgc; j++)
				if (df->cgc[j].label &&
				    !strcmp(df->cgc[j].label, c->path))
					break;
			if (j < df->n_cgc)
				continue;
			d->label = strdup(c->path);
			if (!d->label)
				return -ENOMEM;
			d->cg = c;
			df->n_cgc++;
		}
	}
	return 0;
}

int diff_prepare(struct diff *df)
{
	int ret = collect_uids(df);

	if (!ret)
		ret = collect_cgroups(df);
	return ret ? ret : collect_bounds(df);
}

void diff_release(struct diff *df)
{
	size_t i;

	free(df->uids);
	free(df->bounds);
	df->uids = df->bounds = NULL;
	for (i = 0; df->cgc && i < df->n_cgc; i++)
		free(df->cgc[i].label);
	free(df->cgc);
	df->cgc = NULL;
	df->n_cgc = 0;
}

bool diff_cg_socket(const struct torfw_facts *f)
{
	return f->has_uid && (f->hook == TORFW_HOOK_OUT ||
			      f->hook == TORFW_HOOK_FRAME);
}

/*
 * A socket's class: the deepest named cgroup among its ancestors (a
 * socket below it and above any other named one is decided as if right
 * in it), else 0.
 */
int diff_cg_class(const struct diff *df, const struct torfw_facts *f)
{
	int best = 0;
	size_t i;

	if (!diff_cg_socket(f))
		return -1;
	for (i = 0; f->cg_known && i < df->n_cgc; i++) {
		const struct torfw_cgroup *c = df->cgc[i].cg;

		if (torfw_cg_at(c, f) &&
		    (!best || c->level > df->cgc[best - 1].cg->level))
			best = (int)i + 1;
	}
	return best;
}

const char *diff_cg_word(const struct diff *df, int cgc)
{
	if (cgc < 0)
		return NULL;
	return cgc ? df->cgc[cgc - 1].label : "other";
}

void diff_who_print(FILE *o, const struct diff *df, const struct change *c)
{
	if (c->cgc < 0) {
		fputs(c->who, o);
		return;
	}
	if (c->cgc && !strcmp(c->who, "all-users")) {
		fprintf(o, "cgroup:%s", df->cgc[c->cgc - 1].label);
		return;
	}
	if (c->cgc)
		fprintf(o, "%s@cgroup:%s", c->who, df->cgc[c->cgc - 1].label);
	else
		fprintf(o, "%s@other-cgroups", c->who);
}

struct members {
	uint32_t *uid;
	size_t n;
	bool other;
};

static bool same_for(const struct diff *df, struct torfw_facts *f,
		     uint32_t uid, const struct torfw_decision d0[2])
{
	struct torfw_decision d[2];
	u32 keep = f->uid;

	f->uid = uid;
	decide2(df, f, d);
	f->uid = keep;
	return same2(d, d0);
}

static int members_of(const struct diff *df, const struct torfw_facts *f0,
		      const struct torfw_decision d0[2], struct members *m)
{
	struct torfw_facts f = *f0;
	size_t i;

	memset(m, 0, sizeof(*m));
	if (!f.has_uid)
		return 0;
	m->uid = calloc(df->n_uids ? df->n_uids : 1, sizeof(*m->uid));
	if (!m->uid)
		return -ENOMEM;
	for (i = 0; i < df->n_uids; i++)
		if (same_for(df, &f, df->uids[i], d0))
			m->uid[m->n++] = df->uids[i];
	m->other = same_for(df, &f, df->other, d0);
	return 0;
}

/* Whether every principal of m decides at f as d0. */
static bool all_same(const struct diff *df, struct torfw_facts *f,
		     const struct members *m, const struct torfw_decision d0[2])
{
	struct torfw_decision d[2];
	size_t i;

	decide2(df, f, d);
	if (!same2(d, d0))
		return false;
	if (!f->has_uid)
		return true;
	for (i = 0; i < m->n; i++)
		if (!same_for(df, f, m->uid[i], d0))
			return false;
	return !m->other || same_for(df, f, df->other, d0);
}

/* The segments of df->bounds around the probe's port that keep d0. */
static void port_range(const struct diff *df, const struct torfw_facts *f0,
		       const struct members *m,
		       const struct torfw_decision d0[2], struct change *c)
{
	struct torfw_facts f = *f0;
	u16 *port = f.to_ns ? &f.sport : &f.dport;
	size_t i = 0, j;

	while (i + 1 < df->n_bounds && df->bounds[i + 1] <= *port)
		i++;
	c->lo = df->bounds[i];
	c->hi = df->bounds[i + 1] - 1;
	for (j = i; j > 0; j--) {
		*port = (u16)df->bounds[j - 1];
		if (!all_same(df, &f, m, d0))
			break;
		c->lo = df->bounds[j - 1];
	}
	for (j = i + 1; j + 1 < df->n_bounds; j++) {
		*port = (u16)df->bounds[j];
		if (!all_same(df, &f, m, d0))
			break;
		c->hi = df->bounds[j + 1] - 1;
	}
}

static bool in_lan_of(const struct torfw_policy *p, u32 a)
{
	return p && torfw_in_lan(p, htonl(a));
}

static u8 lan_class(const struct diff *df, u64 a)
{
	return in_lan_of(df->p[0], (u32)a) | in_lan_of(df->p[1], (u32)a) << 1;
}

/* "10.0.0.0/8" when lo..hi is a prefix, else "lo-hi". */
static void range_word(FILE *o, u64 lo, u64 hi)
{
	char x[INET_ADDRSTRLEN], y[INET_ADDRSTRLEN];
	__be32 bx = htonl((u32)lo), by = htonl((u32)hi);
	u64 n = hi - lo + 1;
	int len = 32;

	while (len > 0 && (n >> (32 - len)) > 1)
		len--;
	inet_ntop(AF_INET, &bx, x, sizeof(x));
	inet_ntop(AF_INET, &by, y, sizeof(y));
	if (n == 1ULL << (32 - len) && !(lo & (n - 1)))
		fprintf(o, "%s/%d", x, len);
	else
		fprintf(o, "%s-%s", x, y);
}

/*
 * Off loopback an IPv4 address counts only by its LAN class (in OLD's
 * LAN, in NEW's): every piece of the address space of the same class,
 * "internet" for neither.
 */
static void lan_word(const struct diff *df, u32 a, char *buf, size_t size)
{
	u8 c = lan_class(df, a);
	u64 x, next, lo, hi;
	bool first = true;
	FILE *o;
	u32 k, i;

	if (!c) {
		snprintf(buf, size, "internet");
		return;
	}
	o = fmemopen(buf, size, "w");
	if (!o) {
		snprintf(buf, size, "?");
		return;
	}
	for (x = 0; x < (1ULL << 32); x = next) {
		next = 1ULL << 32;
		for (k = 0; k < 2; k++) {
			const struct torfw_policy *p = df->p[k];

			for (i = 0; p && i < p->n_lan; i++) {
				lo = p->lan[i].lo;
				hi = (u64)p->lan[i].hi + 1;
				if (lo > x && lo < next)
					next = lo;
				if (hi > x && hi < next)
					next = hi;
			}
		}
		if (lan_class(df, x) != c)
			continue;
		if (!first)
			fputc(',', o);
		first = false;
		range_word(o, x, next - 1);
	}
	fclose(o);
}

/*
 * Whether an entry of either policy names address a for (family, proto)
 * and covers port: elsewhere the address is like one no entry names.
 */
static bool exact_addr(const struct diff *df, u8 family, u8 proto,
		       const union nf_inet_addr *a, u16 port)
{
	u32 k;

	for (k = 0; k < 2; k++)
		if (df->p[k] &&
		    torfw_svc_find_exact(df->p[k], family, proto, a, port))
			return true;
	return false;
}

/*
 * The address class of a probe: an entry's own address (at a port an
 * entry of that address covers), "host" (an any-address entry: every
 * address of this host), "other-local" (every local address and port no
 * such entry of either policy covers; for a namespace's packets
 * "other-host"), "internet" and LAN classes off loopback, "off-loopback"
 * (forwarded), "any" and "any-ipv6".
 */
static void addr_word(const struct diff *df, const struct torfw_facts *f,
		      char *buf, size_t size)
{
	bool service_side = f->hook == TORFW_HOOK_IN || f->to_ns;
	const union nf_inet_addr *a = f->to_ns ? &f->saddr : &f->daddr;
	bool v6 = f->family == AF_INET6;
	char s[INET6_ADDRSTRLEN];

	if (f->hook == TORFW_HOOK_FRAME) {
		snprintf(buf, size, "any");
		return;
	}
	/* Forwarded: only whether it leaves for loopback counts. */
	if (f->hook == TORFW_HOOK_FORWARD) {
		if (v6)
			snprintf(buf, size, "any-ipv6");
		else
			snprintf(buf, size, ipv4_is_loopback(a->ip) ?
				 "127.0.0.0/8" : "off-loopback");
		return;
	}
	if (!f->lo && !service_side) {
		if (v6)
			snprintf(buf, size, "any-ipv6");
		else
			lan_word(df, ntohl(a->ip), buf, size);
		return;
	}
	if (torfw_addr_is_zero(a)) {
		snprintf(buf, size, v6 ? "host6" : "host");
		return;
	}
	if (!f->ports || !exact_addr(df, f->family, f->proto, a,
				     f->to_ns ? f->sport : f->dport)) {
		/* From a namespace, "local" is the host's other addresses. */
		if (service_side)
			snprintf(buf, size, v6 ? "other-host6" : "other-host");
		else
			snprintf(buf, size, v6 ? "other-local6" : "other-local");
		return;
	}
	inet_ntop(f->family, a, s, sizeof(s));
	snprintf(buf, size, v6 ? "[%s]" : "%s", s);
}

/*
 * On loopback a user's packets of any protocol but tcp and udp (which
 * have allow-list entries) are decided alike, whatever their ports: the
 * ICMP probe stands for them all.
 */
static void proto_of(const struct torfw_facts *f, const char *state,
		     char *buf, size_t size)
{
	const char *w = ip_proto_word(f->proto) ? ip_proto_word(f->proto) :
						  "other";

	if (f->hook == TORFW_HOOK_FRAME)
		w = "frames";
	else if (f->lo && f->has_uid && f->hook == TORFW_HOOK_OUT &&
		 f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		w = "other-protos";
	snprintf(buf, size, "%s%s%s", w, *state ? "/" : "", state);
}

static void uid_word(const struct diff *df, FILE *o, uint32_t uid,
		     bool *first)
{
	fputs(*first ? "" : ",", o);
	*first = false;
	uid_print(o, uid, df->res);
}

/*
 * "amnesia,nobody", "other-users" (every uid neither policy names),
 * "all-users", or "all-users-except:debian-tor,clearnet" when shorter.
 */
static void members_word(const struct diff *df, const struct members *m,
			 FILE *o)
{
	bool first = true;
	size_t i;

	if (m->other && m->n == df->n_uids) {
		fputs("all-users", o);
		return;
	}
	if (m->other && 2 * m->n > df->n_uids) {
		size_t j = 0;

		fputs("all-users-except:", o);
		for (i = 0; i < df->n_uids; i++) {
			if (j < m->n && m->uid[j] == df->uids[i])
				j++;
			else
				uid_word(df, o, df->uids[i], &first);
		}
		return;
	}
	for (i = 0; i < m->n; i++)
		uid_word(df, o, m->uid[i], &first);
	if (m->other)
		fputs(first ? "other-users" : ",other-users", o);
}

static void who_word(const struct diff *df, const struct torfw_facts *f,
		     const struct members *m, FILE *o)
{
	const char *in = kp_ns_name(df->t, f->from_ns);
	const char *out = kp_ns_name(df->t, f->to_ns);

	switch (f->hook) {
	case TORFW_HOOK_IN:
		fprintf(o, "netns:%s(to-host)", in ? in : "other");
		return;
	case TORFW_HOOK_FORWARD:
		fprintf(o, "netns:%s(%s)", in ? in : "other",
			f->to_ns ? "to-netns" : "forwarded");
		return;
	default:
		break;
	}
	if (f->kernel_sock)
		fputs("kernel-socket", o);
	else if (!f->has_uid)
		fputs("no-socket", o);
	else
		members_word(df, m, o);
	if (f->hook != TORFW_HOOK_FRAME && f->to_ns)
		fprintf(o, "(answering-netns:%s)", out ? out : "other");
}

/* Whether a change already listed covers the probe (see listed()). */
static bool listed(const struct diff *df, const struct change *c,
		   unsigned int port)
{
	size_t i;

	/* The probes of a range come in port order, among a few others. */
	for (i = df->n; i > 0 && df->n - i < 64; i--) {
		const struct change *l = &df->v[i - 1];

		if (l->old_r == c->old_r && l->new_r == c->new_r &&
		    l->old_v == c->old_v && l->new_v == c->new_v &&
		    l->cgc == c->cgc &&
		    port >= l->lo && port <= l->hi &&
		    !strcmp(l->who, c->who) && !strcmp(l->proto, c->proto) &&
		    !strcmp(l->addr, c->addr))
			return true;
	}
	return false;
}

void diff_words(const struct diff *df, const struct torfw_facts *f,
		const char *state, char *proto, size_t psize, char *addr,
		size_t asize)
{
	proto_of(f, state, proto, psize);
	addr_word(df, f, addr, asize);
}

int diff_describe(const struct diff *df, const struct torfw_facts *f,
		  const struct torfw_decision *d, const char *state,
		  struct change *c)
{
	char addr[DIFF_ADDR_MAX];
	struct members m;
	size_t len = 0;
	FILE *o;
	int ret;

	memset(c, 0, sizeof(*c));
	c->old_v = d[0].verdict;
	c->new_v = d[1].verdict;
	c->old_r = d[0].reason;
	c->new_r = d[1].reason;
	c->cgc = diff_cg_class(df, f);
	ret = members_of(df, f, d, &m);
	if (ret)
		return ret;
	o = open_memstream(&c->who, &len);
	if (!o) {
		free(m.uid);
		return -ENOMEM;
	}
	who_word(df, f, &m, o);
	if (fclose(o)) {
		free(m.uid);
		free(c->who);
		c->who = NULL;
		return -ENOMEM;
	}
	diff_words(df, f, state, c->proto, sizeof(c->proto), addr,
		   sizeof(addr));
	c->addr = addr;
	c->lo = 0;
	c->hi = 65535;
	if (f->ports && f->hook != TORFW_HOOK_FRAME) {
		if (listed(df, c, f->to_ns ? f->sport : f->dport)) {
			ret = 1;
			goto out;
		}
		port_range(df, f, &m, d, c);
	}
	c->addr = strdup(addr);
	ret = c->addr ? 0 : -ENOMEM;
out:
	free(m.uid);
	if (ret) {
		free(c->who);
		c->who = NULL;
		c->addr = NULL;
	}
	return ret;
}
