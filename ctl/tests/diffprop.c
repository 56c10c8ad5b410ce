// SPDX-License-Identifier: GPL-2.0
/*
 * A property test of torfwctl diff (make check-prop): on random pairs of
 * policies, made like an integrator's edits,
 *  1. every sampled packet whose verdict changes is covered by a line
 *     (its principal in the line's list, its protocol, address class and
 *     port in the line's range, the same two reasons): nothing missing;
 *  2. every point sampled inside a line's class (each listed principal,
 *     ports across its range) gets the line's two reasons: nothing
 *     overstated;
 *  3. the lock refuses exactly when a '+' line is printed.
 * The decisions come from the module's torfw_decide() (kmod/decide.c)
 * under both policies, so this checks diff's enumeration and words, not
 * the decision itself (that is KUnit's). Deterministic seeds; prints one
 * line per failure and a summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "diff.h"
#include "kpolicy.h"
#include "policy.h"
#include "print.h"
#include "torfwctl.h"
#include "../kmod/policy.h"

/* diff.c's output options (torfwctl's main.c has the real one). */
struct tf_options_cli tf_cli;

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)(rng_state % n) : 0;
}

static const uint32_t uid_pool[] = { 0, 13, 42, 996, 997, 1000, 2000, 2001 };
#define N_UIDS (sizeof(uid_pool) / sizeof(uid_pool[0]))
static const uint16_t port_pool[] = { 1, 22, 53, 80, 443, 631, 9050, 9052,
				      17600, 65535 };
#define N_PORTS (sizeof(port_pool) / sizeof(port_pool[0]))
static const char *const addr4_pool[] = { "127.0.0.1", "127.0.0.2",
					  "0.0.0.0", "10.200.1.1" };
static const char *const addr6_pool[] = { "::1", "::" };
static const struct { const char *a; uint8_t len; } lan_pool[] = {
	{ "10.0.0.0", 8 }, { "192.168.0.0", 16 }, { "100.64.0.0", 10 },
	{ "172.16.0.0", 12 },
};
static const struct { uint8_t proto; uint16_t lo, hi; } refuse_pool[] = {
	{ IPPROTO_TCP, 53, 53 }, { IPPROTO_UDP, 53, 53 },
	{ IPPROTO_UDP, 137, 137 }, { IPPROTO_TCP, 22, 25 },
};

/*
 * Named cgroups, one below another; sockets also sit in unnamed ones,
 * some of them look-alikes: a named path's deepest name at its level
 * (/q/b, /c/b, against /a/b), its whole tail deeper down (/x/a/b), or
 * names that only begin like its (/a/bb).
 */
static const char *const cg_pool[] = { "/a", "/a/b", "/c" };
#define N_CG (sizeof(cg_pool) / sizeof(cg_pool[0]))
static const char *const cg_sock_pool[] = { "/a", "/a/b", "/c", "/a/x",
					    "/a/b/y", "/z", "/x/a/b", "/q/b",
					    "/c/b", "/a/bb" };
#define N_CG_SOCK (sizeof(cg_sock_pool) / sizeof(cg_sock_pool[0]))

/* A cgroup of the pool in pol's table, or -1 (full). */
static int pool_cg(struct tf_policy *pol)
{
	return policy_cgroup(pol, cg_pool[rnd(N_CG)]);
}

static void add_service_cg(struct tf_service *s, struct tf_policy *pol,
			   bool drop)
{
	int c = pool_cg(pol);

	if (c < 0 || cg_list_has(s->cg, s->ncg, (uint16_t)c) ||
	    cg_list_has(s->drop_cg, s->ndrop_cg, (uint16_t)c) ||
	    s->ncg + s->ndrop_cg >= TORFW_MAX_SERVICE_CGROUPS)
		return;
	if (drop)
		s->drop_cg[s->ndrop_cg++] = (uint16_t)c;
	else
		s->cg[s->ncg++] = (uint16_t)c;
}

static bool overlaps(const struct tf_policy *pol, const struct tf_service *n)
{
	size_t i;

	for (i = 0; i < pol->nservices; i++) {
		const struct tf_service *s = &pol->services[i];

		if (s != n && s->family == n->family && s->proto == n->proto &&
		    !memcmp(s->addr, n->addr, 16) && s->lo <= n->hi &&
		    n->lo <= s->hi)
			return true;
	}
	return false;
}

static void add_service(struct tf_policy *pol)
{
	struct tf_service *s = policy_add_service(pol);
	unsigned int k, n;

	if (!s)
		return;
	s->family = rnd(5) ? AF_INET : AF_INET6;
	s->proto = rnd(2) ? IPPROTO_TCP : IPPROTO_UDP;
	if (s->family == AF_INET)
		inet_pton(AF_INET, addr4_pool[rnd(4)], s->addr);
	else
		inet_pton(AF_INET6, addr6_pool[rnd(2)], s->addr);
	s->lo = rnd(3) ? port_pool[rnd(N_PORTS)] : (uint16_t)(1 + rnd(65535));
	s->hi = rnd(2) ? s->lo : (uint16_t)(s->lo + rnd(60) > 65535 ? 65535 :
					    s->lo + rnd(60));
	n = 1 + rnd(3);
	for (k = 0; k < n; k++) {
		uint32_t u = uid_pool[rnd(N_UIDS)];

		if (!uid_list_has(s->uids, s->nuids, u))
			s->uids[s->nuids++] = u;
	}
	if (!rnd(4)) {
		uint32_t u = uid_pool[rnd(N_UIDS)];

		if (!uid_list_has(s->uids, s->nuids, u))
			s->drops[s->ndrops++] = u;
	}
	if (!rnd(5)) {
		snprintf(s->netns[0].name, sizeof(s->netns[0].name), "web");
		s->nnetns = 1;
	}
	if (!rnd(3))
		add_service_cg(s, pol, false);
	if (!rnd(6))
		add_service_cg(s, pol, true);
	if (overlaps(pol, s))
		pol->nservices--;
}

static void add_role(struct tf_policy *pol)
{
	struct tf_role *r = &pol->roles[pol->nroles];
	size_t i;

	memset(r, 0, sizeof(*r));
	r->kind = (uint8_t)(1 + rnd(3));
	r->uid = uid_pool[rnd(N_UIDS)];
	if (!rnd(3)) {
		int c = pool_cg(pol);

		if (c < 0)
			return;
		r->is_cg = true;
		r->cg = (uint16_t)c;
		r->uid = 0;
	}
	for (i = 0; i < pol->nroles; i++)
		if (pol->roles[i].kind == r->kind &&
		    pol->roles[i].is_cg == r->is_cg &&
		    (r->is_cg ? pol->roles[i].cg == r->cg :
				pol->roles[i].uid == r->uid))
			return;
	pol->nroles++;
}

static void add_lan(struct tf_policy *pol)
{
	unsigned int k = rnd(4);
	uint8_t a[4];
	size_t i;

	inet_pton(AF_INET, lan_pool[k].a, a);
	for (i = 0; i < pol->nlan; i++)
		if (!memcmp(pol->lan[i].addr, a, 4))
			return;
	memcpy(pol->lan[pol->nlan].addr, a, 4);
	pol->lan[pol->nlan++].len = lan_pool[k].len;
}

static void add_refuse(struct tf_policy *pol)
{
	unsigned int k = rnd(4);
	size_t i;

	for (i = 0; i < pol->nlan_refuse; i++)
		if (pol->lan_refuse[i].proto == refuse_pool[k].proto &&
		    pol->lan_refuse[i].lo == refuse_pool[k].lo)
			return;
	pol->lan_refuse[pol->nlan_refuse].proto = refuse_pool[k].proto;
	pol->lan_refuse[pol->nlan_refuse].lo = refuse_pool[k].lo;
	pol->lan_refuse[pol->nlan_refuse++].hi = refuse_pool[k].hi;
}

static void random_policy(struct tf_policy *pol)
{
	unsigned int n, k;

	n = rnd(7);
	for (k = 0; k < n; k++)
		add_service(pol);
	n = rnd(4);
	for (k = 0; k < n; k++)
		add_role(pol);
	n = rnd(3);
	for (k = 0; k < n; k++)
		add_lan(pol);
	n = rnd(3);
	for (k = 0; k < n; k++)
		add_refuse(pol);
	if (!rnd(3)) {
		snprintf(pol->grants[0].name, sizeof(pol->grants[0].name),
			 "clearnet");
		pol->ngrants = 1;
	}
	pol->opt.nosock = (uint8_t)(rnd(4) ? TORFW_NOSOCK_LOOPBACK :
					       TORFW_NOSOCK_ACCEPT);
	pol->opt.kernel = (uint8_t)(rnd(4) ? TORFW_KERNEL_REFUSE :
					       TORFW_KERNEL_LAN);
}

/* Removes a random one of the n elements of size at base (the last moves). */
static void take_out(void *base, size_t *n, size_t size)
{
	uint32_t j;

	if (!*n)
		return;
	j = rnd((uint32_t)*n);
	(*n)--;
	memmove((char *)base + j * size, (char *)base + *n * size, size);
}

/* A random entry of pol, NULL if it has none. */
static struct tf_service *any_service(struct tf_policy *pol)
{
	return pol->nservices ?
	       &pol->services[rnd((uint32_t)pol->nservices)] : NULL;
}

/* NEW: OLD with an integrator's edits. */
static void edit_policy(struct tf_policy *pol)
{
	unsigned int n = 1 + rnd(3), k;
	struct tf_service *s;

	for (k = 0; k < n; k++) {
		switch (rnd(11)) {
		case 9:
			s = any_service(pol);
			if (s)
				add_service_cg(s, pol, rnd(3) == 0);
			break;
		case 10:
			s = any_service(pol);
			if (s && s->ncg && (s->ncg > 1 || s->nuids))
				s->ncg--;
			else if (s && s->ndrop_cg)
				s->ndrop_cg--;
			break;
		case 0:
			add_service(pol);
			break;
		case 1:
			take_out(pol->services, &pol->nservices,
				 sizeof(pol->services[0]));
			break;
		case 2:
			s = any_service(pol);
			if (s && s->nuids > 1)
				s->nuids--;
			break;
		case 3:
			s = any_service(pol);
			if (s && s->hi > s->lo)
				s->hi--;
			break;
		case 4:
			add_role(pol);
			break;
		case 5:
			take_out(pol->roles, &pol->nroles, sizeof(pol->roles[0]));
			break;
		case 6:
			add_lan(pol);
			break;
		case 7:
			pol->ngrants = !pol->ngrants;
			snprintf(pol->grants[0].name, sizeof(pol->grants[0].name),
				 "clearnet");
			break;
		default:
			pol->opt.nosock ^= 1;
			break;
		}
	}
}

/* ---- sampling packets ---------------------------------------------------- */

static struct kp_nstab nstab;

/* cg_sock_pool's paths as a socket's names: '/' made NUL. */
static struct {
	uint8_t level;
	uint8_t off[TORFW_CG_DEPTH_MAX];
	char names[TORFW_CG_PATH_MAX];
} cg_sock[N_CG_SOCK];

static void split_pool(void)
{
	size_t i, j;

	for (i = 0; i < N_CG_SOCK; i++) {
		snprintf(cg_sock[i].names, sizeof(cg_sock[i].names), "%s",
			 cg_sock_pool[i]);
		for (j = 0; cg_sock[i].names[j]; j++) {
			if (cg_sock[i].names[j] != '/')
				continue;
			cg_sock[i].names[j] = '\0';
			cg_sock[i].off[cg_sock[i].level++] = (uint8_t)(j + 1);
		}
	}
}

/* A user's socket in no cgroup, a named one, or one below or beside. */
static void sample_cg(struct torfw_facts *f)
{
	/* One sample is judged at a time: its names can live here. */
	static const char *names[TORFW_CG_DEPTH_MAX];
	unsigned int c, j;

	if (!rnd(2))
		return;
	c = rnd(N_CG_SOCK);
	f->cg_n = cg_sock[c].level;
	for (j = 0; j < f->cg_n; j++)
		names[j] = cg_sock[c].names + cg_sock[c].off[j];
	f->cg = names;
}

static uint32_t sample_uid(void)
{
	return rnd(5) ? uid_pool[rnd(N_UIDS)] : 3000 + rnd(5);
}

/*
 * A raw frame leaving a device: a packet socket's (a user's, in a cgroup
 * the packet role may name), or one of the IP stack's.
 */
static void sample_frame(struct torfw_facts *f)
{
	f->hook = TORFW_HOOK_FRAME;
	if (rnd(4)) {
		f->packet_sock = true;
		f->has_uid = true;
		f->uid = sample_uid();
		sample_cg(f);
	} else {
		f->frame_ip = true;
	}
}

static void sample(struct torfw_facts *f)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_UDP, IPPROTO_ICMP,
					  IPPROTO_SCTP, IPPROTO_UDPLITE };
	unsigned int kind = rnd(11);

	memset(f, 0, sizeof(*f));
	f->init_net = true;
	f->cg_known = true;
	if (kind == 10) {
		sample_frame(f);
		return;
	}
	f->family = rnd(6) ? AF_INET : AF_INET6;
	f->proto = protos[rnd(sizeof(protos))];
	if (f->family == AF_INET6 && f->proto == IPPROTO_ICMP)
		f->proto = IPPROTO_ICMPV6;
	f->ports = f->proto != IPPROTO_ICMP && f->proto != IPPROTO_ICMPV6;
	f->dport = f->ports ? (rnd(2) ? port_pool[rnd(N_PORTS)] +
					(uint16_t)rnd(3) - 1 :
					(uint16_t)rnd(65536)) : 0;
	f->sport = f->ports ? 40000 : 0;
	f->tcp_syn = f->proto == IPPROTO_TCP;
	if (f->family == AF_INET) {
		static const char *const d[] = { "127.0.0.1", "127.0.0.2",
			"127.9.9.9", "10.200.1.1", "10.1.2.3", "192.168.7.7",
			"100.64.1.1", "172.20.0.1", "192.0.2.1", "8.8.8.8" };

		inet_pton(AF_INET, d[rnd(10)], &f->daddr.ip);
		f->lo = (ntohl(f->daddr.ip) >> 24) == 127 ||
			f->daddr.ip == htonl(0x0ac80101);
	} else {
		f->daddr.ip6[3] = htonl(rnd(2) ? 1 : 5);
		if (f->daddr.ip6[3] == htonl(5))
			f->daddr.ip6[0] = htonl(0x20010db8);
		f->lo = !f->daddr.ip6[0];
	}
	if (kind < 7) {
		f->hook = TORFW_HOOK_OUT;
		if (kind < 5) {
			f->has_uid = true;
			f->uid = sample_uid();
			sample_cg(f);
		} else if (kind == 5) {
			f->kernel_sock = true;
		} else if (f->proto == IPPROTO_TCP) {
			f->tcp_syn = false;	/* the kernel answering */
		}
		f->stream = f->proto == IPPROTO_TCP && (f->has_uid ||
							f->kernel_sock);
	} else if (kind < 9 && f->family == AF_INET && f->ports) {
		/* From a namespace to a host address. */
		f->hook = TORFW_HOOK_IN;
		f->ct = TORFW_CT_NEW;
		f->lo = false;
		f->from_ns = kp_ns_cookie(&nstab, rnd(2) ? "web" : "other", true);
		inet_pton(AF_INET, rnd(2) ? "10.200.1.1" : "127.0.0.1",
			  &f->daddr.ip);
	} else {
		f->hook = TORFW_HOOK_FORWARD;
		f->ct = TORFW_CT_NEW;
		f->lo = false;
		f->from_ns = kp_ns_cookie(&nstab, rnd(2) ? "clearnet" : "other",
					  true);
	}
}

/* ---- coverage ------------------------------------------------------------- */

/* Whether uid is one of the comma-separated words of list. */
static bool in_list(const char *list, uint32_t uid)
{
	char w[16];
	size_t n;

	snprintf(w, sizeof(w), "%" PRIu32, uid);
	n = strlen(w);
	while (*list) {
		if (!strncmp(list, w, n) && (list[n] == ',' || !list[n]))
			return true;
		list = strchr(list, ',');
		if (!list)
			break;
		list++;
	}
	return false;
}

static bool named(const struct diff *df, uint32_t uid)
{
	size_t i;

	for (i = 0; i < df->n_uids; i++)
		if (df->uids[i] == uid)
			return true;
	return false;
}

static bool who_covers(const struct diff *df, const char *who,
		       const struct torfw_facts *f)
{
	const char *tail = strchr(who, '(');
	size_t n = tail ? (size_t)(tail - who) : strlen(who);
	const char *ns = kp_ns_name(df->t, f->from_ns);
	char list[1024];

	if (f->hook == TORFW_HOOK_IN || f->hook == TORFW_HOOK_FORWARD) {
		char want[128];

		snprintf(want, sizeof(want), "netns:%s(%s)", ns ? ns : "other",
			 f->hook == TORFW_HOOK_IN ? "to-host" :
			 f->to_ns ? "to-netns" : "forwarded");
		return !strcmp(who, want);
	}
	/* The sampler makes no packets into a namespace. */
	if (tail)
		return false;
	if (f->kernel_sock)
		return !strcmp(who, "kernel-socket");
	if (!f->has_uid)
		return !strcmp(who, "no-socket");
	snprintf(list, sizeof(list), "%.*s", (int)n, who);
	if (!strcmp(list, "all-users"))
		return true;
	if (!strncmp(list, "all-users-except:", 17))
		return !in_list(list + 17, f->uid);
	if (!named(df, f->uid))
		return strstr(list, "other-users") != NULL;
	return in_list(list, f->uid);
}

static bool covered(const struct diff *df, const struct torfw_facts *f,
		    const struct torfw_decision d[2], const char *state)
{
	char proto[32], addr[DIFF_ADDR_MAX];
	unsigned int port = f->to_ns ? f->sport : f->dport;
	size_t i;

	diff_words(df, f, state, proto, sizeof(proto), addr, sizeof(addr));
	for (i = 0; i < df->n; i++) {
		const struct change *c = &df->v[i];

		if (c->old_r == d[0].reason && c->new_r == d[1].reason &&
		    !strcmp(c->proto, proto) && !strcmp(c->addr, addr) &&
		    (!f->ports || (port >= c->lo && port <= c->hi)) &&
		    (c->cgc < 0 || c->cgc == diff_cg_class(df, f)) &&
		    who_covers(df, c->who, f))
			return true;
	}
	return false;
}

static unsigned int checked, missing, overstated, lock_bad, pairs;
/* DIFFPROP_SHOW=N prints pair N's policies and lines. */
static unsigned long show = ~0UL;

static void report(const char *what, unsigned int pair,
		   const struct torfw_facts *f, const struct torfw_decision d[2])
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(f->family, &f->daddr, a, sizeof(a)))
		snprintf(a, sizeof(a), "-");	/* a frame */
	printf("# pair %u: %s: hook %u uid %" PRIu32 "%s%s proto %u %s:%u -> %s/%s\n",
	       pair, what, f->hook, f->uid, f->has_uid ? "" : " (no uid)",
	       f->kernel_sock ? " (kernel)" : "", f->proto, a, f->dport,
	       torfw_reason_names[d[0].reason], torfw_reason_names[d[1].reason]);
}

/* Points inside a line's class: its principals across its port range. */
static void check_line(struct diff *df, unsigned int pair, const struct change *c)
{
	struct torfw_decision d[2];
	struct torfw_facts f;
	unsigned int k, tries;

	/* Resample until a packet of this line's words; then check it. */
	for (k = 0, tries = 0; k < 4 && tries < 4000; tries++) {
		char proto[32], addr[DIFF_ADDR_MAX];
		const char *state = "";

		sample(&f);
		if (!f.has_uid && !f.kernel_sock && f.proto == IPPROTO_TCP &&
		    !f.tcp_syn)
			state = "answer";
		if (f.ports)
			f.dport = (uint16_t)(c->lo + rnd(c->hi - c->lo + 1));
		diff_words(df, &f, state, proto, sizeof(proto), addr,
			   sizeof(addr));
		if (strcmp(proto, c->proto) != 0 || strcmp(addr, c->addr) != 0)
			continue;
		if (!who_covers(df, c->who, &f))
			continue;
		if (c->cgc >= 0 && c->cgc != diff_cg_class(df, &f))
			continue;
		k++;
		checked++;
		decide2(df, &f, d);
		if (d[0].reason != c->old_r || d[1].reason != c->new_r) {
			overstated++;
			printf("# pair %u: line '%c %s %s %s:%u-%u' overstates:\n",
			       pair, c->sign, c->who, c->proto, c->addr, c->lo,
			       c->hi);
			report("point", pair, &f, d);
		}
	}
}

static bool run_pair(unsigned int pair)
{
	struct tf_policy *pol[2] = { policy_new(), policy_new() };
	struct torfw_policy *p[2] = { NULL, NULL }, *e = NULL;
	struct tf_policy *empty = policy_new();
	struct netlink_ext_ack extack = { 0 };
	struct torfw_decision d[2];
	struct torfw_facts f;
	struct diff df;
	bool plus = false, ok = true;
	char msg[256];
	size_t i;
	int k, lock;

	memset(&df, 0, sizeof(df));
	if (!pol[0] || !pol[1] || !empty)
		goto out;
	random_policy(pol[0]);
	*pol[1] = *pol[0];
	pol[1]->services = NULL;
	pol[1]->services_cap = pol[1]->nservices = 0;
	for (i = 0; i < pol[0]->nservices; i++) {
		struct tf_service *s = policy_add_service(pol[1]);

		if (s)
			*s = pol[0]->services[i];
	}
	pol[1]->files = NULL;
	pol[1]->nfiles = 0;
	edit_policy(pol[1]);
	for (k = 0; k < 2; k++) {
		p[k] = kp_build(pol[k], &nstab, msg, sizeof(msg));
		if (!p[k])
			goto out;	/* a policy the module refuses: skip */
	}
	e = kp_build(empty, &nstab, msg, sizeof(msg));
	df.p[0] = p[0];
	df.p[1] = p[1];
	df.src[0] = pol[0];
	df.src[1] = pol[1];
	df.t = &nstab;
	if (!e || diff_collect(&df, e)) {
		ok = false;
		goto out;
	}
	pairs++;
	if (show == pair) {
		FILE *o = stdout;

		for (k = 0; k < 2; k++) {
			printf("# policy %d:\n", k);
			policy_sort(pol[k]);
			policy_print(o, pol[k], NULL);
		}
		for (i = 0; i < df.n; i++)
			printf("# line: %c %s/%d %s %s:%u-%u %s/%s\n", df.v[i].sign,
			       df.v[i].who, df.v[i].cgc, df.v[i].proto, df.v[i].addr,
			       df.v[i].lo, df.v[i].hi,
			       torfw_reason_names[df.v[i].old_r],
			       torfw_reason_names[df.v[i].new_r]);
	}
	for (i = 0; i < 3000; i++) {
		const char *state = "";

		sample(&f);
		decide2(&df, &f, d);
		if (d[0].verdict == d[1].verdict)
			continue;
		if (!f.has_uid && !f.kernel_sock && f.proto == IPPROTO_TCP &&
		    !f.tcp_syn && f.hook == TORFW_HOOK_OUT)
			state = "answer";
		checked++;
		if (!covered(&df, &f, d, state)) {
			missing++;
			report("no line covers", pair, &f, d);
		}
	}
	for (i = 0; i < df.n; i++) {
		plus |= df.v[i].sign == '+';
		check_line(&df, pair, &df.v[i]);
	}
	lock = torfw_policy_no_looser(p[1], p[0], &extack);
	if ((lock == -EPERM) != plus && pol[0]->nredirects == pol[1]->nredirects) {
		lock_bad++;
		printf("# pair %u: lock %d but '+' lines: %d\n", pair, lock, plus);
	}
out:
	diff_free(&df);
	kp_free(e);
	kp_free(p[0]);
	kp_free(p[1]);
	policy_free(empty);
	/* pol[1]'s files were not its own: only its services are. */
	if (pol[1]) {
		pol[1]->files = NULL;
		pol[1]->nfiles = 0;
	}
	policy_free(pol[0]);
	policy_free(pol[1]);
	return ok;
}

int main(int argc, char *argv[])
{
	const char *env = getenv("DIFFPROP_SHOW");
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 400;
	unsigned int i;
	bool ok = true;

	if (env)
		show = strtoul(env, NULL, 10);
	split_pool();
	for (i = 0; i < n; i++) {
		rng_state = 0x9e3779b97f4a7c15ULL * (i + 1);
		ok &= run_pair(i);
	}
	kp_nstab_free(&nstab);
	printf("diff property: %u policy pairs, %u points checked: %u missing, %u overstated, %u lock disagreements\n",
	       pairs, checked, missing, overstated, lock_bad);
	return ok && !missing && !overstated && !lock_bad && pairs > n / 2 ?
	       0 : 1;
}
