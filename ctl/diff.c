// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl diff [--root DIR] [-j] OLD NEW: every class of packets whose
 * verdict changes from OLD to NEW (files, or "active"/"-" for the loaded
 * policy). The classes are the lock's (kmod/probe*.c: every allow-list
 * port range and its edges, LAN prefixes and their edges, refusals,
 * roles, namespaces, IPv6, kernel-made sockets and packets without one),
 * each judged by the module's torfw_decide() under both policies, plus
 * what the lock need not list separately: the kernel's answers without a
 * socket (TCP without SYN), and, against no policy at all, packets of
 * established and closing connections. diff_class.c puts each class in
 * words. Exit status as diff(1): 0 no change, 1 changes, 2 trouble.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "diff.h"
#include "explain.h"
#include "json.h"
#include "kpolicy.h"
#include "policysrc.h"
#include "print.h"
#include "torfwctl.h"
#include "../kmod/policy.h"

#define DIFF_USAGE "[--root DIR] [-j] OLD NEW"

enum { DIFF_SAME = 0, DIFF_CHANGED = 1, DIFF_TROUBLE = 2 };

static int add_change(struct diff *df, const struct torfw_facts *f,
		      const char *state)
{
	struct torfw_decision d[2];
	struct change c;
	int ret;

	decide2(df, f, d);
	if (d[0].verdict == d[1].verdict)
		return 0;
	ret = diff_describe(df, f, d, state, &c);
	if (ret)
		return ret < 0 ? ret : 0;
	if (d[1].verdict == TORFW_ACCEPT)
		c.sign = '+';
	else
		c.sign = d[0].verdict == TORFW_ACCEPT ? '-' : '~';
	if (df->n == df->cap) {
		size_t cap = df->cap ? 2 * df->cap : 64;
		struct change *v = reallocarray(df->v, cap, sizeof(*v));

		if (!v) {
			free(c.who);
			free(c.addr);
			return -ENOMEM;
		}
		df->v = v;
		df->cap = cap;
	}
	df->v[df->n++] = c;
	return 0;
}

/*
 * Against no policy, the states the module passes whatever its policy
 * says (established, closing, loopback streams) differ too.
 */
static int add_states(struct diff *df, const struct torfw_facts *f0)
{
	struct torfw_facts f = *f0;
	int ret;

	f.ct = TORFW_CT_ESTABLISHED;
	f.ct_reply = f.hook == TORFW_HOOK_OUT;
	f.tcp_syn = false;
	ret = add_change(df, &f, "established");
	if (ret || f0->proto != IPPROTO_TCP || f0->hook != TORFW_HOOK_OUT)
		return ret;
	f = *f0;
	f.tcp_syn = false;
	f.closing = true;
	return add_change(df, &f, "closing");
}

static int diff_probe_one(struct diff *df, const struct torfw_facts *f)
{
	struct torfw_facts g;
	int ret;

	ret = add_change(df, f, "");
	/* The kernel answering without a socket: TCP without SYN. */
	if (!ret && f->hook == TORFW_HOOK_OUT && !f->has_uid &&
	    !f->kernel_sock && f->proto == IPPROTO_TCP && f->tcp_syn) {
		g = *f;
		g.tcp_syn = false;
		ret = add_change(df, &g, "answer");
	}
	if (!ret && !df->p[0] != !df->p[1] && f->hook != TORFW_HOOK_FRAME)
		ret = add_states(df, f);
	return ret;
}

/*
 * The lock's probes repeat a user's socket only in the cgroups that the
 * probe's decision can consult (kmod/probe.c): enough for the lock, whose
 * probe in no cgroup then stands for every cgroup not consulted. diff
 * names cgroup classes, so it judges each user's socket in every class
 * itself: in no named cgroup and right in each named one (diff_cg_class()
 * says where a socket belongs), the probes already in a cgroup skipped:
 * its locally generated packets and its packet socket's raw frames.
 */
static int diff_probe(const struct torfw_facts *f, void *arg)
{
	const char *names[TORFW_CG_DEPTH_MAX];
	struct diff *df = arg;
	struct torfw_facts g;
	size_t i;
	int ret;
	u8 j;

	if (!diff_cg_socket(f) || !df->n_cgc)
		return diff_probe_one(df, f);
	if (f->cg_n)
		return 0;
	ret = diff_probe_one(df, f);
	for (i = 0; !ret && i < df->n_cgc; i++) {
		const struct torfw_cgroup *c = df->cgc[i].cg;

		g = *f;
		g.cg_n = c->level;
		for (j = 0; j < c->level; j++)
			names[j] = c->names + c->off[j];
		g.cg = names;
		ret = diff_probe_one(df, &g);
	}
	return ret;
}

int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	int c = strcmp(x->who, y->who);

	if (!c)
		c = strcmp(x->proto, y->proto);
	if (!c)
		c = strcmp(x->addr, y->addr);
	if (!c)
		c = x->lo < y->lo ? -1 : x->lo > y->lo;
	if (!c)
		c = x->hi < y->hi ? -1 : x->hi > y->hi;
	if (!c)
		c = x->sign - y->sign;
	if (!c)
		c = (int)x->old_r - (int)y->old_r;
	if (!c)
		c = (int)x->new_r - (int)y->new_r;
	if (!c)
		c = x->cgc - y->cgc;
	return c;
}

/* change_cmp() but the cgroup class: the lines of one change. */
static bool same_but_class(const struct change *x, const struct change *y)
{
	struct change a = *x;

	a.cgc = y->cgc;
	return !change_cmp(&a, y);
}

/*
 * One line, without a cgroup, for a change that every cgroup class of
 * a user's socket makes alike (the classes come in order, after
 * change_cmp()): the output of a policy naming no cgroup is as before,
 * and a cgroup is printed only where it makes a difference.
 */
static void collapse(struct diff *df)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < df->n; i = j) {
		size_t distinct = 0;

		for (j = i + 1; j < df->n && same_but_class(&df->v[j], &df->v[i]);
		     j++)
			;
		for (k = i; k < j; k++)
			if (df->v[k].cgc >= 0 &&
			    (k == i || df->v[k].cgc != df->v[k - 1].cgc))
				distinct++;
		if (distinct == df->n_cgc + 1) {
			df->v[i].cgc = -1;
			for (k = i + 1; k < j; k++) {
				free(df->v[k].who);
				free(df->v[k].addr);
			}
			df->v[n++] = df->v[i];
			continue;
		}
		for (k = i; k < j; k++)
			df->v[n++] = df->v[k];
	}
	df->n = n;
	if (n)
		qsort(df->v, n, sizeof(*df->v), change_cmp);
}

int diff_collect(struct diff *df, const struct torfw_policy *empty)
{
	const struct torfw_policy *a = df->p[0] ? df->p[0] : empty;
	const struct torfw_policy *b = df->p[1] ? df->p[1] : empty;
	int ret = diff_prepare(df);

	if (!ret)
		ret = torfw_policy_probe(a, b, diff_probe, df);
	if (!ret && df->n) {
		qsort(df->v, df->n, sizeof(*df->v), change_cmp);
		collapse(df);
	}
	return ret;
}

void diff_free(struct diff *df)
{
	size_t i;

	for (i = 0; i < df->n; i++) {
		free(df->v[i].who);
		free(df->v[i].addr);
	}
	free(df->v);
	df->v = NULL;
	df->n = df->cap = 0;
	diff_release(df);
}

static void dest_print(FILE *o, const struct change *c)
{
	fputs(c->addr, o);
	if (c->lo == 0 && c->hi == 65535)
		return;
	if (c->lo == c->hi)
		fprintf(o, ":%u", c->lo);
	else
		fprintf(o, ":%u-%u", c->lo, c->hi);
}

static void who_json(const struct diff *df, const struct change *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m) {
		diff_who_print(m, df, c);
		fclose(m);
	}
	json_string(stdout, buf ? buf : c->who);
	free(buf);
}

static void print_changes(const struct diff *df)
{
	size_t i;
	bool first = true;

	for (i = 0; i < df->n; i++) {
		const struct change *c = &df->v[i];

		if (i && !change_cmp(c, c - 1))
			continue;
		if (!tf_cli.json) {
			printf("%c ", c->sign);
			diff_who_print(stdout, df, c);
			printf(" %s ", c->proto);
			dest_print(stdout, c);
			printf(" %s -> %s (%s -> %s)\n",
			       verdict_word(c->old_v), verdict_word(c->new_v),
			       torfw_reason_names[c->old_r],
			       torfw_reason_names[c->new_r]);
			continue;
		}
		printf("%s{\"change\":\"%c\",\"principal\":", first ? "" : ",",
		       c->sign);
		first = false;
		who_json(df, c);
		printf(",\"cgroup\":");
		if (diff_cg_word(df, c->cgc))
			json_string(stdout, diff_cg_word(df, c->cgc));
		else
			printf("null");
		printf(",\"proto\":\"%s\",\"address\":", c->proto);
		json_string(stdout, c->addr);
		printf(",\"port_lo\":%u,\"port_hi\":%u", c->lo, c->hi);
		printf(",\"old\":{\"verdict\":\"%s\",\"reason\":\"%s\"}",
		       verdict_word(c->old_v), torfw_reason_names[c->old_r]);
		printf(",\"new\":{\"verdict\":\"%s\",\"reason\":\"%s\"}}",
		       verdict_word(c->new_v), torfw_reason_names[c->new_r]);
	}
}

/* Redirects rewrite before any decision: compared as statements. */
static void redirect_text(const struct tf_redirect *r, char *buf, size_t size)
{
	FILE *m = fmemopen(buf, size, "w");

	buf[0] = '\0';
	if (m) {
		redirect_print(m, r);
		fclose(m);
	}
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


/*
 * What the lock (torfwctl lock) would do with NEW over a locked OLD: the
 * module's own comparison on the same probes. It refuses where a "+" or
 * redirect line is printed, and also where the policies are too large to
 * compare (TORFW_COMPARE_MAX probes): printed then even if nothing
 * changes. Returns whether it printed.
 */
static bool print_lock(const struct torfw_policy *new,
		       const struct torfw_policy *old, bool changed)
{
	struct netlink_ext_ack extack = { 0 };
	int ret = torfw_policy_no_looser(new, old, &extack);
	const char *msg = extack._msg ? extack._msg : strerror(-ret);

	if (!changed && !ret)
		return false;
	if (tf_cli.json) {
		printf(",\"lock\":{\"loads\":%s,\"message\":",
		       ret ? "false" : "true");
		if (ret)
			json_string(stdout, msg);
		else
			printf("null");
		printf("}");
	} else if (ret) {
		printf("# a locked OLD refuses NEW: %s\n", msg);
	} else {
		printf("# a locked OLD lets NEW load: it opens nothing\n");
	}
	return true;
}

static int args_parse(int argc, const char *const argv[], const char **root,
		      const char *pos[2])
{
	bool opts = true;
	int i, n = 0;

	*root = NULL;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!opts || s[0] != '-' || !strcmp(s, "-")) {
			if (n == 2) {
				fprintf(stderr, "torfwctl: diff: too many arguments\n");
				goto usage;
			}
			pos[n++] = s;
		} else if (!strcmp(s, "--")) {
			opts = false;
		} else if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			tf_cli.json = true;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			printf("Usage: torfwctl diff %s\n", DIFF_USAGE);
			return DIFF_SAME;
		} else if (!strcmp(s, "--root") && i + 1 < argc) {
			*root = argv[++i];
		} else {
			fprintf(stderr, "torfwctl: diff: unknown option or missing value '%s'\n",
				s);
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
	struct diff df;
	struct kp_nstab t = { 0 };
	struct policy_src src;
	const char *root, *pos[2];
	bool none, first = true;
	size_t nredir;
	char msg[256];
	int ret, k, err;

	memset(&df, 0, sizeof(df));
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
	df.res = &src.res;
	err = diff_collect(&df, e);
	if (err) {
		fprintf(stderr, "torfwctl: diff: %s\n", strerror(-err));
		goto out;
	}
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
	if (p[0] && p[1])
		print_lock(p[1], p[0], ret == DIFF_CHANGED);
	if (tf_cli.json)
		printf("}\n");
out:
	diff_free(&df);
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
