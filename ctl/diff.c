// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl diff [--root DIR] [-j] [-N] OLD NEW: every class of packets
 * whose verdict changes from OLD to NEW (files, or "active"/"-" for the
 * loaded policy). The classes are the lock's (kmod/probe*.c: every
 * allow-list port range and its edges, LAN prefixes and their edges,
 * refusals, roles, namespaces, IPv6, kernel and socket-less packets),
 * each judged by the module's torfw_decide() under both policies: the
 * list is exact and finite, and a load the lock would refuse shows at
 * least one "+" line. Each class is printed with the port range (and for
 * addresses off loopback the LAN piece) around its probe on which both
 * policies keep their decisions. Exit status as diff(1): 0 no change,
 * 1 changes, 2 trouble.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "explain.h"
#include "json.h"
#include "kpolicy.h"
#include "policysrc.h"
#include "torfwctl.h"
#include "../kmod/policy.h"

#define DIFF_USAGE "[--root DIR] [-j] [-N] OLD NEW"

enum { DIFF_SAME = 0, DIFF_CHANGED = 1, DIFF_TROUBLE = 2 };

struct change {
	char sign;
	char who[1024];
	char proto[16];
	char dest[120];
	char addr[80];		/* dest without its ports */
	unsigned int lo, hi;	/* the ports of dest, 0-65535 without */
	uint8_t old_v, new_v, old_r, new_r;
};

struct diff {
	const struct torfw_policy *p[2];	/* old, new; NULL: none */
	const struct tf_policy *src[2];
	const struct kp_nstab *t;
	const struct tf_resolver *res;
	struct change *v;
	size_t n, cap;
	uint32_t *uids;		/* every uid either policy names, sorted */
	size_t n_uids;
	uint32_t other;		/* a uid that neither names */
	int err;
};

static int uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int add_uids(struct diff *df, size_t *cap, const uint32_t *u,
		    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (df->n_uids == *cap) {
			size_t c = *cap ? 2 * *cap : 64;
			uint32_t *v = reallocarray(df->uids, c, sizeof(*v));

			if (!v)
				return -ENOMEM;
			df->uids = v;
			*cap = c;
		}
		df->uids[df->n_uids++] = u[i];
	}
	return 0;
}

/* Every uid the policies name, once, and one they do not. */
static int collect_uids(struct diff *df)
{
	size_t cap = 0, i, j, n = 0;
	int k, ret = 0;

	for (k = 0; k < 2; k++) {
		const struct tf_policy *pol = df->src[k];

		for (i = 0; pol && !ret && i < pol->nroles; i++)
			ret = add_uids(df, &cap, &pol->roles[i].uid, 1);
		for (i = 0; pol && !ret && i < pol->nservices; i++) {
			const struct tf_service *s = &pol->services[i];

			ret = add_uids(df, &cap, s->uids, s->nuids);
			if (!ret)
				ret = add_uids(df, &cap, s->drops, s->ndrops);
		}
	}
	if (ret)
		return ret;
	if (df->n_uids)
		qsort(df->uids, df->n_uids, sizeof(*df->uids), uid_cmp);
	for (i = 0; i < df->n_uids; i++)
		if (!n || df->uids[i] != df->uids[n - 1])
			df->uids[n++] = df->uids[i];
	df->n_uids = n;
	/* The least uid from 65534 down, else up, that neither names. */
	df->other = 65534;
	for (j = 0; j < n && df->uids[j] <= df->other; j++)
		if (df->uids[j] == df->other)
			df->other++;
	return 0;
}

static const char *proto_word(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_DCCP:
		return "dccp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_GRE:
		return "gre";
	default:
		return "frames";
	}
}

static void decide2(const struct diff *df, const struct torfw_facts *f,
		    struct torfw_decision d[2])
{
	torfw_decide(df->p[0], f, &d[0]);
	torfw_decide(df->p[1], f, &d[1]);
}

static bool same2(const struct torfw_decision a[2],
		  const struct torfw_decision b[2])
{
	return a[0].verdict == b[0].verdict && a[0].reason == b[0].reason &&
	       a[1].verdict == b[1].verdict && a[1].reason == b[1].reason;
}

/*
 * The principals of a probe: the uids (and "other", standing for every uid
 * neither policy names) that both policies decide exactly as the probe's
 * own. A probe's uid stands for a class; this lists the whole class.
 */
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
	for (i = 0; i < m->n; i++)
		if (!same_for(df, f, m->uid[i], d0))
			return false;
	return !m->other || same_for(df, f, df->other, d0);
}

/* The ports around the probe's on which all its principals keep d0. */
static void port_range(const struct diff *df, const struct torfw_facts *f0,
		       bool source, const struct members *m,
		       const struct torfw_decision d0[2],
		       unsigned int *lo, unsigned int *hi)
{
	struct torfw_facts f = *f0;
	u16 *port = source ? &f.sport : &f.dport;
	unsigned int p0 = *port, p;

	for (p = p0; p > 0; p--) {
		*port = (u16)(p - 1);
		if (!all_same(df, &f, m, d0))
			break;
	}
	*lo = p;
	for (p = p0; p < 65535; p++) {
		*port = (u16)(p + 1);
		if (!all_same(df, &f, m, d0))
			break;
	}
	*hi = p;
}

static bool in_lan_of(const struct torfw_policy *p, u32 a)
{
	return p && torfw_in_lan(p, htonl(a));
}

/* Off loopback an IPv4 address counts only by the LAN pieces. */
static void lan_piece(const struct diff *df, u32 a, char *buf, size_t size)
{
	u64 lo = 0, hi = 0xffffffffULL;
	char x[INET_ADDRSTRLEN], y[INET_ADDRSTRLEN];
	__be32 bx, by;
	u32 k, i;

	if (!in_lan_of(df->p[0], a) && !in_lan_of(df->p[1], a)) {
		snprintf(buf, size, "internet");
		return;
	}
	for (k = 0; k < 2; k++) {
		const struct torfw_policy *p = df->p[k];

		for (i = 0; p && i < p->n_lan; i++) {
			u64 s = p->lan[i].lo, e = (u64)p->lan[i].hi + 1;

			if (s <= a && s > lo)
				lo = s;
			if (e <= a && e > lo)
				lo = e;
			if (s > a && s - 1 < hi)
				hi = s - 1;
			if (e > a && e - 1 < hi)
				hi = e - 1;
		}
	}
	bx = htonl((u32)lo);
	by = htonl((u32)hi);
	inet_ntop(AF_INET, &bx, x, sizeof(x));
	inet_ntop(AF_INET, &by, y, sizeof(y));
	if (lo == hi)
		snprintf(buf, size, "%s", x);
	else
		snprintf(buf, size, "%s-%s", x, y);
}

/* A loopback address that no entry of either policy names: any such. */
static bool exact_addr(const struct diff *df, const struct torfw_facts *f,
		       const union nf_inet_addr *a)
{
	u32 k, i;

	for (k = 0; k < 2; k++) {
		const struct torfw_policy *p = df->p[k];

		for (i = 0; p && i < p->n_svc; i++)
			if (p->svc[i].family == f->family &&
			    !memcmp(p->svc[i].addr.all, a->all, sizeof(a->all)))
				return true;
	}
	return false;
}

static void addr_word(const struct diff *df, const struct torfw_facts *f,
		      const union nf_inet_addr *a, char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN];

	if (f->family == AF_INET && !f->lo && f->hook == TORFW_HOOK_OUT &&
	    !f->to_ns) {
		lan_piece(df, ntohl(a->ip), buf, size);
		return;
	}
	if (f->hook == TORFW_HOOK_FORWARD && !f->to_ns) {
		snprintf(buf, size, f->family == AF_INET ? "any" : "any-ipv6");
		return;
	}
	if (f->family == AF_INET && f->lo &&
	    (!f->ports || !exact_addr(df, f, a))) {
		snprintf(buf, size, "127.0.0.0/8");
		return;
	}
	inet_ntop(f->family, a, s, sizeof(s));
	snprintf(buf, size, f->family == AF_INET6 ? "[%s]" : "%s", s);
}

/* The destination of a probe: address class, and the port range. */
static void dest_of(const struct diff *df, const struct torfw_facts *f,
		    const struct members *m, const struct torfw_decision d[2],
		    struct change *c)
{
	bool source = f->to_ns != 0;

	addr_word(df, f, source ? &f->saddr : &f->daddr, c->addr,
		  sizeof(c->addr));
	c->lo = 0;
	c->hi = 65535;
	if (f->ports)
		port_range(df, f, source, m, d, &c->lo, &c->hi);
	if (c->lo == 0 && c->hi == 65535)
		snprintf(c->dest, sizeof(c->dest), "%s", c->addr);
	else if (c->lo == c->hi)
		snprintf(c->dest, sizeof(c->dest), "%s:%u", c->addr, c->lo);
	else
		snprintf(c->dest, sizeof(c->dest), "%s:%u-%u", c->addr, c->lo,
			 c->hi);
}

/*
 * Whether the probe falls in a change already listed: the probes of a
 * range come in port order, between those of the other principals of
 * the same pieces, and one scan over the range is enough.
 */
static bool listed(const struct diff *df, const struct change *c,
		   unsigned int port)
{
	size_t i;

	for (i = df->n; i > 0 && df->n - i < 64; i--) {
		const struct change *l = &df->v[i - 1];

		if (l->sign == c->sign && l->old_r == c->old_r &&
		    l->new_r == c->new_r && l->old_v == c->old_v &&
		    l->new_v == c->new_v && port >= l->lo && port <= l->hi &&
		    !strcmp(l->who, c->who) && !strcmp(l->proto, c->proto) &&
		    !strcmp(l->addr, c->addr))
			return true;
	}
	return false;
}

static void put_word(char *buf, size_t size, const char *w)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s", n ? "," : "", w);
}

static void uid_word(const struct diff *df, uint32_t uid, char *buf,
		     size_t size)
{
	char name[256];

	if (df->res && df->res->user_name(df->res->ctx, uid, name,
					  sizeof(name)))
		put_word(buf, size, name);
	else {
		snprintf(name, sizeof(name), "%" PRIu32, uid);
		put_word(buf, size, name);
	}
}

/*
 * "amnesia,nobody", "other-users" (every uid neither policy names),
 * "all-users", or "all-users-except:debian-tor,clearnet" when shorter.
 */
static void members_word(const struct diff *df, const struct members *m,
			 char *buf, size_t size)
{
	size_t i;

	if (m->other && m->n == df->n_uids) {
		put_word(buf, size, "all-users");
		return;
	}
	if (m->other && 2 * m->n > df->n_uids) {
		char ex[1024] = "";
		size_t j = 0;

		for (i = 0; i < df->n_uids; i++) {
			if (j < m->n && m->uid[j] == df->uids[i])
				j++;
			else
				uid_word(df, df->uids[i], ex, sizeof(ex));
		}
		snprintf(buf, size, "all-users-except:%s", ex);
		return;
	}
	for (i = 0; i < m->n; i++)
		uid_word(df, m->uid[i], buf, size);
	if (m->other)
		put_word(buf, size, "other-users");
}

static void who_word(const struct diff *df, const struct torfw_facts *f,
		     const struct members *m, char *buf, size_t size)
{
	const char *in = kp_ns_name(df->t, f->from_ns);
	const char *out = kp_ns_name(df->t, f->to_ns);
	buf[0] = '\0';
	switch (f->hook) {
	case TORFW_HOOK_IN:
		snprintf(buf, size, "netns:%s(to-host)", in ? in : "other");
		return;
	case TORFW_HOOK_FORWARD:
		snprintf(buf, size, "netns:%s(%s)", in ? in : "other",
			 f->to_ns ? "to-netns" : "forwarded");
		return;
	default:
		break;
	}
	if (f->kernel_sock)
		snprintf(buf, size, "kernel-socket");
	else if (!f->has_uid)
		snprintf(buf, size, "no-socket");
	if (f->has_uid)
		members_word(df, m, buf, size);
	if (f->hook != TORFW_HOOK_FRAME && f->to_ns)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 "(answering-netns:%s)", out ? out : "other");
}

static int diff_probe(const struct torfw_facts *f, void *arg)
{
	struct diff *df = arg;
	struct torfw_decision d[2];
	struct change c;
	struct members m;
	int ret;

	decide2(df, f, d);
	if (d[0].verdict == d[1].verdict)
		return 0;
	ret = members_of(df, f, d, &m);
	if (ret)
		return ret;
	memset(&c, 0, sizeof(c));
	if (d[1].verdict == TORFW_ACCEPT)
		c.sign = '+';
	else
		c.sign = d[0].verdict == TORFW_ACCEPT ? '-' : '~';
	c.old_v = d[0].verdict;
	c.new_v = d[1].verdict;
	c.old_r = d[0].reason;
	c.new_r = d[1].reason;
	who_word(df, f, &m, c.who, sizeof(c.who));
	snprintf(c.proto, sizeof(c.proto), "%s",
		 f->hook == TORFW_HOOK_FRAME ? "frames" : proto_word(f->proto));
	if (f->hook == TORFW_HOOK_FRAME) {
		snprintf(c.addr, sizeof(c.addr), "any");
		snprintf(c.dest, sizeof(c.dest), "any");
		c.hi = 65535;
	} else {
		addr_word(df, f, f->to_ns ? &f->saddr : &f->daddr, c.addr,
			  sizeof(c.addr));
		if (f->ports && listed(df, &c, f->to_ns ? f->sport : f->dport)) {
			free(m.uid);
			return 0;
		}
		dest_of(df, f, &m, d, &c);
	}
	free(m.uid);
	if (df->n == df->cap) {
		size_t cap = df->cap ? 2 * df->cap : 64;
		struct change *v = reallocarray(df->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		df->v = v;
		df->cap = cap;
	}
	df->v[df->n++] = c;
	return 0;
}

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	int c = strcmp(x->who, y->who);

	if (!c)
		c = strcmp(x->proto, y->proto);
	if (!c)
		c = strcmp(x->dest, y->dest);
	if (!c)
		c = x->sign - y->sign;
	if (!c)
		c = (int)x->old_r - (int)y->old_r;
	if (!c)
		c = (int)x->new_r - (int)y->new_r;
	return c;
}

/* Redirects rewrite before any decision: compared as statements. */
static void redirect_text(const struct tf_redirect *r, char *buf, size_t size)
{
	char a[INET_ADDRSTRLEN];
	size_t n;

	inet_ntop(AF_INET, r->addr, a, sizeof(a));
	snprintf(buf, size, "redirect %s %s", redirect_kind_name(r->kind), a);
	n = strlen(buf);
	if (r->plen != 32)
		n += (size_t)snprintf(buf + n, size - n, "/%u", r->plen);
	if (r->port)
		n += (size_t)snprintf(buf + n, size - n, ":%u", r->port);
	snprintf(buf + n, size - n, " to %u", r->to_port);
}

static bool has_redirect(const struct tf_policy *pol, const char *text)
{
	char buf[128];
	size_t i;

	for (i = 0; pol && i < pol->nredirects; i++) {
		redirect_text(&pol->redirects[i], buf, sizeof(buf));
		if (!strcmp(buf, text))
			return true;
	}
	return false;
}

/* Prints the redirects of a that b lacks with sign; returns how many. */
static size_t redirects_only(const struct tf_policy *a,
			     const struct tf_policy *b, char sign,
			     bool *first)
{
	char buf[128];
	size_t i, n = 0;

	for (i = 0; a && i < a->nredirects; i++) {
		redirect_text(&a->redirects[i], buf, sizeof(buf));
		if (has_redirect(b, buf))
			continue;
		n++;
		if (!tf_cli.json) {
			printf("%c %s\n", sign, buf);
			continue;
		}
		printf("%s{\"change\":\"%c\",\"statement\":", *first ? "" : ",",
		       sign);
		json_string(stdout, buf);
		printf("}");
		*first = false;
	}
	return n;
}

static void print_changes(const struct diff *df)
{
	size_t i;

	for (i = 0; i < df->n; i++) {
		const struct change *c = &df->v[i];

		if (i && !change_cmp(c, c - 1))
			continue;
		if (!tf_cli.json) {
			printf("%c %s %s %s %s -> %s (%s -> %s)\n", c->sign,
			       c->who, c->proto, c->dest,
			       verdict_word(c->old_v), verdict_word(c->new_v),
			       torfw_reason_names[c->old_r],
			       torfw_reason_names[c->new_r]);
			continue;
		}
		printf("%s{\"change\":\"%c\",\"principal\":", i ? "," : "",
		       c->sign);
		json_string(stdout, c->who);
		printf(",\"proto\":\"%s\",\"dest\":", c->proto);
		json_string(stdout, c->dest);
		printf(",\"old\":{\"verdict\":\"%s\",\"reason\":\"%s\"}",
		       verdict_word(c->old_v), torfw_reason_names[c->old_r]);
		printf(",\"new\":{\"verdict\":\"%s\",\"reason\":\"%s\"}}",
		       verdict_word(c->new_v), torfw_reason_names[c->new_r]);
	}
}

/*
 * What the lock (torfwctl lock) would do with NEW over OLD: the module's
 * own comparison, on the same probes; it refuses exactly when a "+" line
 * (or a redirect line) is printed.
 */
static void print_lock(const struct torfw_policy *new,
		       const struct torfw_policy *old)
{
	struct netlink_ext_ack extack = { 0 };
	int ret = torfw_policy_no_looser(new, old, &extack);

	if (tf_cli.json) {
		printf(",\"lock\":{\"loads\":%s,\"message\":",
		       ret ? "false" : "true");
		if (ret)
			json_string(stdout, extack._msg ? extack._msg :
				    strerror(-ret));
		else
			printf("null");
		printf("}}\n");
	} else if (ret) {
		printf("# a locked OLD refuses NEW: %s\n", extack._msg ?
		       extack._msg : strerror(-ret));
	} else {
		printf("# a locked OLD lets NEW load: it opens nothing\n");
	}
}

static int args_parse(int argc, const char *const argv[], const char **root,
		      const char *pos[2])
{
	int i, n = 0;

	*root = NULL;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			tf_cli.json = true;
		} else if (!strcmp(s, "-N") || !strcmp(s, "--names")) {
			tf_cli.names = true;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			printf("Usage: torfwctl diff %s\n", DIFF_USAGE);
			return DIFF_SAME;
		} else if (!strcmp(s, "--root") && i + 1 < argc) {
			*root = argv[++i];
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "torfwctl: diff: unknown option or missing value '%s'\n",
				s);
			goto usage;
		} else if (n < 2) {
			pos[n++] = s;
		} else {
			fprintf(stderr, "torfwctl: diff: too many arguments\n");
			goto usage;
		}
	}
	if (n == 2)
		return -1;
	fprintf(stderr, "torfwctl: diff: OLD and NEW are needed\n");
usage:
	fprintf(stderr, "Usage: torfwctl diff %s\n", DIFF_USAGE);
	return DIFF_TROUBLE;
}

int diff_main(int argc, char *argv[])
{
	struct tf_policy *pol[2] = { NULL, NULL }, *empty = NULL;
	struct torfw_policy *p[2] = { NULL, NULL }, *e = NULL;
	struct diff df = { .err = 0 };
	struct kp_nstab t = { 0 };
	struct policy_src src;
	const char *root, *pos[2];
	bool none, first = true;
	size_t nredir;
	char msg[256];
	int ret, k;

	ret = args_parse(argc, (const char *const *)argv, &root, pos);
	if (ret >= 0)
		return ret;
	if (policy_src_init(&src, "diff", root))
		return DIFF_TROUBLE;
	ret = DIFF_TROUBLE;
	for (k = 0; k < 2; k++) {
		if (policy_src_read(&src, pos[k], "diff", &pol[k], &none))
			goto out;
		if (none)
			continue;
		p[k] = kp_build(pol[k], &t, msg, sizeof(msg));
		if (!p[k]) {
			fprintf(stderr, "torfwctl: diff: %s: the module would refuse this policy: %s\n",
				pos[k], msg);
			goto out;
		}
	}
	/* No policy loaded: its classes are an empty policy's. */
	empty = policy_new();
	e = empty ? kp_build(empty, &t, msg, sizeof(msg)) : NULL;
	if (!e) {
		fprintf(stderr, "torfwctl: diff: out of memory\n");
		goto out;
	}
	df.p[0] = p[0];
	df.p[1] = p[1];
	df.src[0] = p[0] ? pol[0] : NULL;
	df.src[1] = p[1] ? pol[1] : NULL;
	df.t = &t;
	df.res = tf_cli.names || !root ? &src.res : NULL;
	if (root)
		df.res = &src.res;
	df.err = collect_uids(&df);
	if (!df.err)
		df.err = torfw_policy_probe(p[0] ? p[0] : e, p[1] ? p[1] : e,
				    diff_probe, &df);
	if (df.err) {
		fprintf(stderr, "torfwctl: diff: %s\n", strerror(-df.err));
		goto out;
	}
	if (df.n)
		qsort(df.v, df.n, sizeof(*df.v), change_cmp);
	if (tf_cli.json) {
		json_open(stdout);
		printf(",\"changes\":[");
	}
	print_changes(&df);
	if (tf_cli.json)
		printf("],\"redirects\":[");
	nredir = redirects_only(df.src[0], df.src[1], '-', &first);
	nredir += redirects_only(df.src[1], df.src[0], '+', &first);
	if (tf_cli.json)
		printf("]");
	ret = df.n || nredir ? DIFF_CHANGED : DIFF_SAME;
	if (ret == DIFF_CHANGED && p[0] && p[1])
		print_lock(p[1], p[0]);
	else if (tf_cli.json)
		printf("}\n");
out:
	free(df.v);
	free(df.uids);
	kp_free(e);
	kp_free(p[0]);
	kp_free(p[1]);
	policy_free(empty);
	policy_free(pol[0]);
	policy_free(pol[1]);
	kp_nstab_free(&t);
	policy_src_free(&src);
	return ret;
}
