// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl explain [-f FILE] [--root DIR] [-j] USER PROTO DEST[:PORT]
 * [--netns NAME] [--in | --forward] [--cgroup PATH]: what the module would do with the
 * first packet of a connection, and why. The policy (active, or FILE) is
 * compiled by the module's own code and the packet judged by its
 * torfw_decide() (kpolicy.h): the answer is the kernel's, with the
 * statement that decided it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "json.h"
#include "kpolicy.h"
#include "policysrc.h"
#include "print.h"
#include "torfwctl.h"
#include "explain.h"
#include "../kmod/policy.h"

#define EXPLAIN_USAGE "[-f FILE] [--root DIR] [-j] USER PROTO DEST[:PORT] [--netns NAME] [--in | --forward] [--cgroup PATH]"

/* What explain asks about (names: ip_proto_word()), and which have ports. */
static const struct {
	uint8_t proto;
	bool ports;
} protos[] = {
	{ IPPROTO_TCP, true }, { IPPROTO_UDP, true }, { IPPROTO_ICMP, false },
	{ IPPROTO_SCTP, true }, { IPPROTO_DCCP, true },
	{ IPPROTO_UDPLITE, true }, { IPPROTO_GRE, false },
};

/*
 * As the kernel sees the destination: an IPv4-mapped address is an IPv4
 * packet, and connect() to 0.0.0.0 or :: reaches loopback.
 */
static void normalise(uint8_t *family, uint8_t *addr)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[16];

	if (*family == AF_INET6 && !memcmp(addr, mapped, 12)) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
	}
	if (!memcmp(addr, zero, 16)) {
		if (*family == AF_INET)
			addr[0] = 127, addr[3] = 1;
		else
			addr[15] = 1;
	}
}

/* "a.b.c.d[:port]", "[v6][:port]" or a bare "v6"; port 0: none given. */
static int parse_dest(const char *s, uint8_t *family, uint8_t *addr,
		      uint16_t *port)
{
	char buf[INET6_ADDRSTRLEN + 2];
	const char *p = NULL, *a = s, *colon = strchr(s, ':');
	size_t n;

	*port = 0;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		a = s + 1;
		n = (size_t)(end - a);
		p = end[1] ? end + 2 : NULL;
		*family = AF_INET6;
	} else if (colon && strchr(colon + 1, ':')) {
		n = strlen(s);
		*family = AF_INET6;
	} else {
		n = colon ? (size_t)(colon - s) : strlen(s);
		p = colon ? colon + 1 : NULL;
		*family = AF_INET;
	}
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, a, n);
	buf[n] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(*family, buf, addr) != 1)
		return -EINVAL;
	normalise(family, addr);
	if (p) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (!*p || *end || errno || !v || v > 65535 || *p == '-' ||
		    *p == '+')
			return -EINVAL;
		*port = (uint16_t)v;
	}
	return 0;
}

/* USER: a name or number; kernel-socket, no-socket; "-" where unused. */
static int parse_user(const struct tf_resolver *res, const char *s,
		      struct explain_q *q)
{
	char *end;
	unsigned long v;
	int ret;

	if (!strcmp(s, "kernel-socket")) {
		q->who = EXPLAIN_KERNEL;
		return 0;
	}
	if (!strcmp(s, "no-socket") || !strcmp(s, "-")) {
		q->who = EXPLAIN_NONE;
		return 0;
	}
	q->who = EXPLAIN_UID;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s >= '0' && *s <= '9' && !*end && !errno && v < UINT32_MAX) {
		q->uid = (uint32_t)v;
		return 0;
	}
	ret = res->user_uid(res->ctx, s, &q->uid);
	return ret ? ret : (q->uid == UINT32_MAX ? -EINVAL : 0);
}

int explain_parse(int argc, char *argv[], const struct tf_resolver *res,
		  struct explain_q *q, const char **bad)
{
	unsigned int i;
	int ret;

	if (argc != 3)
		return -E2BIG;
	*bad = argv[0];
	ret = parse_user(res, argv[0], q);
	if (ret)
		return ret;
	*bad = argv[1];
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(argv[1], ip_proto_word(protos[i].proto)))
			break;
	if (i == sizeof(protos) / sizeof(protos[0]))
		return -EPROTONOSUPPORT;
	q->proto = protos[i].proto;
	*bad = argv[2];
	if (parse_dest(argv[2], &q->family, q->addr, &q->port))
		return -EINVAL;
	if (protos[i].ports != !!q->port)
		return -EDESTADDRREQ;
	if (q->family == AF_INET6 && q->proto == IPPROTO_ICMP)
		q->proto = IPPROTO_ICMPV6;
	return 0;
}

/*
 * Whether the kernel routes dest through loopback: 127/8 and ::1, and for
 * the active policy an address of this machine's devices (in torfwctl's
 * namespace). A file may be another machine's policy: there an address an
 * allow-list entry names is assumed to be one of that machine's
 * (EXPLAIN_LOCAL_ASSUMED, said in the answer).
 */
static bool is_loopback(uint8_t family, const uint8_t *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	return family == AF_INET ? a[0] == 127 : !memcmp(a, lo6, 16);
}

static int is_local(const struct torfw_policy *p, bool here, uint8_t family,
		    const uint8_t *a)
{
	struct ifaddrs *ifa, *i;
	bool local = false;
	u32 k;

	if (is_loopback(family, a))
		return EXPLAIN_LOCAL;
	if (!here) {
		for (k = 0; p && k < p->n_svc; k++)
			if (p->svc[k].family == family &&
			    !memcmp(&p->svc[k].addr, a,
				    family == AF_INET ? 4 : 16))
				return EXPLAIN_LOCAL_ASSUMED;
		return EXPLAIN_NOT_LOCAL;
	}
	if (getifaddrs(&ifa))
		return EXPLAIN_NOT_LOCAL;
	for (i = ifa; i && !local; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || sa->sa_family != family)
			continue;
		if (family == AF_INET)
			local = !memcmp(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, a, 4);
		else
			local = !memcmp(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, a, 16);
	}
	freeifaddrs(ifa);
	return local ? EXPLAIN_LOCAL : EXPLAIN_NOT_LOCAL;
}

static void fill_addr(union nf_inet_addr *u, uint8_t family,
		      const uint8_t *a)
{
	memset(u, 0, sizeof(*u));
	memcpy(u, a, family == AF_INET ? 4 : 16);
}

/* The facts of the query's first packet, after a redirect (*redir). */
int explain_facts(const struct torfw_policy *p, struct kp_nstab *t,
		  const struct explain_q *q, struct torfw_facts *f,
		  const struct torfw_redir **redir)
{
	static const char *cg_name[TORFW_CG_DEPTH_MAX];
	bool ports = q->port != 0;
	int local;
	u8 dir = q->dir, i;

	memset(f, 0, sizeof(*f));
	*redir = NULL;
	f->init_net = true;
	f->family = q->family;
	f->proto = q->proto;
	f->ports = ports;
	f->dport = q->port;
	f->sport = ports ? 40000 : 0;
	f->tcp_syn = q->proto == IPPROTO_TCP;
	fill_addr(&f->daddr, q->family, q->addr);
	local = is_local(p, q->here, q->family, q->addr);
	f->lo = local != EXPLAIN_NOT_LOCAL;
	if (q->netns)
		f->from_ns = kp_ns_cookie(t, q->netns, true);
	/* A namespace's packet to this host is input, elsewhere forwarded. */
	if (dir == EXPLAIN_AUTO)
		dir = f->lo ? EXPLAIN_IN : EXPLAIN_FORWARD;
	switch (dir) {
	case EXPLAIN_IN:
		/* From outside or from a namespace: through a device, never lo. */
		f->hook = TORFW_HOOK_IN;
		f->ct = TORFW_CT_NEW;
		f->lo = false;
		return local;
	case EXPLAIN_FORWARD:
		f->hook = TORFW_HOOK_FORWARD;
		f->ct = TORFW_CT_NEW;
		f->lo = false;
		return local;
	default:
		break;
	}
	f->hook = TORFW_HOOK_OUT;
	f->has_uid = q->who == EXPLAIN_UID;
	f->kernel_sock = q->who == EXPLAIN_KERNEL;
	f->uid = f->has_uid ? q->uid : 0;
	f->stream = q->proto == IPPROTO_TCP && q->who != EXPLAIN_NONE;
	/*
	 * The socket's cgroup: none a policy names, or --cgroup's. The
	 * names' pointers live here: one query is decided at a time.
	 */
	f->cg_known = true;
	f->cg_n = q->who == EXPLAIN_NONE ? 0 : q->cg_n;
	for (i = 0; i < f->cg_n; i++)
		cg_name[i] = q->cg_names + q->cg_off[i];
	f->cg = cg_name;
	/* Without a socket only the kernel answers: RST, ACK, never SYN. */
	if (q->who == EXPLAIN_NONE)
		f->tcp_syn = false;
	/* The NAT rewrites before the filter sees the packet. */
	if (p && q->family == AF_INET && ports)
		*redir = torfw_redir_match(p, q->proto, f->daddr.ip, q->port);
	if (*redir) {
		f->daddr.ip = htonl(INADDR_LOOPBACK);
		f->dport = (*redir)->to_port;
		f->lo = true;
	}
	if (f->lo)
		f->saddr = f->daddr;
	return *redir ? EXPLAIN_LOCAL : local;
}

struct explain_args {
	const char *file;	/* -f FILE, or NULL: the active policy */
	const char *root;	/* --root DIR */
	const char *netns;
	const char *cgroup;	/* --cgroup PATH */
	uint8_t dir;
	int npos;
	char *pos[3];
};

static int args_parse(int argc, char *argv[], struct explain_args *a)
{
	int i;

	bool opts = true;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		bool more = i + 1 < argc;

		if (!opts || s[0] != '-' || !strcmp(s, "-")) {
			if (a->npos == 3) {
				fprintf(stderr, "torfwctl: explain: too many arguments\n");
				goto usage;
			}
			a->pos[a->npos++] = argv[i];
		} else if (!strcmp(s, "--")) {
			opts = false;
		} else if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			tf_cli.json = true;
		} else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			printf("Usage: torfwctl explain %s\n", EXPLAIN_USAGE);
			return TF_EXIT_OK;
		} else if ((!strcmp(s, "-f") || !strcmp(s, "--file")) && more) {
			a->file = argv[++i];
		} else if (!strcmp(s, "--root") && more) {
			a->root = argv[++i];
		} else if (!strcmp(s, "--netns") && more) {
			a->netns = argv[++i];
		} else if (!strcmp(s, "--cgroup") && more) {
			a->cgroup = argv[++i];
		} else if (!strcmp(s, "--in")) {
			a->dir = EXPLAIN_IN;
		} else if (!strcmp(s, "--forward")) {
			a->dir = EXPLAIN_FORWARD;
		} else {
			fprintf(stderr, "torfwctl: explain: unknown option or missing value '%s'\n",
				s);
			goto usage;
		}
	}
	if (a->npos < 3) {
		fprintf(stderr, "torfwctl: explain: USER, PROTO and DEST are needed\n");
		goto usage;
	}
	if (a->dir == EXPLAIN_FORWARD && !a->netns) {
		fprintf(stderr, "torfwctl: explain: --forward needs --netns NAME\n");
		goto usage;
	}
	if (a->netns && strlen(a->netns) >= TORFW_NS_NAME_MAX) {
		fprintf(stderr, "torfwctl: explain: namespace name longer than %d bytes\n",
			TORFW_NS_NAME_MAX - 1);
		goto usage;
	}
	if (a->cgroup && cgroup_socket_path_error(a->cgroup)) {
		fprintf(stderr, "torfwctl: explain: cgroup path '%s' %s\n",
			a->cgroup, cgroup_socket_path_error(a->cgroup));
		goto usage;
	}
	if (a->cgroup && a->dir != EXPLAIN_OUT) {
		fprintf(stderr, "torfwctl: explain: --cgroup is a local socket's: not with --in or --forward\n");
		goto usage;
	}
	if (a->root && !a->file) {
		fprintf(stderr, "torfwctl: explain: --root needs -f FILE\n");
		goto usage;
	}
	return -1;
usage:
	fprintf(stderr, "Usage: torfwctl explain %s\n", EXPLAIN_USAGE);
	return TF_EXIT_USAGE;
}

static void print_loc(FILE *f, const struct tf_loc *loc)
{
	fprintf(f, "%s:%u", loc->file, loc->line);
}

static void print_text(const struct torfw_decision *d, const struct why *w,
		       const struct why *r, const char *assumed,
		       const char *cgroup)
{
	printf("%s (%s", verdict_word(d->verdict), w->detail);
	if (w->loc) {
		printf("; ");
		print_loc(stdout, w->loc);
	}
	printf(")\n");
	if (w->stmt[0])
		printf("  by: %s\n", w->stmt);
	if (cgroup)
		printf("  socket in: cgroup:%s\n", cgroup);
	if (r) {
		printf("  after: %s", r->stmt[0] ? r->stmt : "a redirect");
		if (r->loc) {
			printf(" (");
			print_loc(stdout, r->loc);
			printf(")");
		}
		printf(", to %s\n", r->detail);
	}
	if (assumed)
		printf("  assuming: %s is an address of the machine the policy is for (an allow-list entry names it)\n",
		       assumed);
}

static void json_why(const char *key, const struct why *w, bool detail)
{
	printf(",\"%s\":{\"statement\":", key);
	if (w->stmt[0])
		json_string(stdout, w->stmt);
	else
		printf("null");
	if (detail) {
		printf(",\"detail\":");
		json_string(stdout, w->detail);
	}
	if (w->loc) {
		printf(",\"file\":");
		json_string(stdout, w->loc->file);
		printf(",\"line\":%u", w->loc->line);
	}
	printf("}");
}

static void print_json(const struct torfw_decision *d, const struct why *w,
		       const struct why *r, bool assumed, const char *cgroup)
{
	json_open(stdout);
	printf(",\"verdict\":\"%s\",\"reason\":\"%s\"",
	       verdict_word(d->verdict), torfw_reason_names[d->reason]);
	printf(",\"cgroup\":");
	if (cgroup)
		json_string(stdout, cgroup);
	else
		printf("null");
	json_why("decided_by", w, true);
	if (r) {
		json_why("redirect", r, false);
		printf(",\"redirected_to\":");
		json_string(stdout, r->detail);
	}
	if (assumed)
		printf(",\"local_assumed\":true");
	printf("}\n");
}

/*
 * --cgroup PATH: the names of the cgroup and its ancestors are PATH's
 * components, as the kernel compares them (no filesystem: the principal
 * is the path, whether a cgroup is there now or not). PATH is a socket's
 * (cgroup_socket_path_error()), not a principal's: it may be deeper and
 * longer than a principal, and as the kernel reads only the names of a
 * socket's first TORFW_CG_DEPTH_MAX levels, so does this.
 */
static int socket_cgroup(const char *path, struct explain_q *q)
{
	size_t len = strlen(path), i;

	if (len >= sizeof(q->cg_names) || path[0] != '/')
		return TF_EXIT_USAGE;
	memcpy(q->cg_names, path, len + 1);
	q->cg_n = 0;
	if (len == 1)
		return 0;	/* the root */
	for (i = 0; i < len; i++) {
		if (path[i] != '/')
			continue;
		q->cg_names[i] = '\0';
		if (q->cg_n < TORFW_CG_DEPTH_MAX)
			q->cg_off[q->cg_n++] = (uint16_t)(i + 1);
	}
	return 0;
}

int explain_main(int argc, char *argv[])
{
	const struct torfw_redir *redir;
	struct torfw_policy *p = NULL;
	struct tf_policy *pol = NULL;
	struct kp_nstab t = { 0 };
	struct torfw_decision d;
	struct torfw_facts f;
	struct explain_args a;
	struct policy_src src;
	struct explain_q q;
	struct why w, r;
	const char *bad = NULL;
	char msg[256];
	bool none = false;
	int ret, local;

	ret = args_parse(argc, argv, &a);
	if (ret >= 0)
		return ret;
	ret = policy_src_init(&src, "explain", a.root);
	if (ret)
		return ret;
	memset(&q, 0, sizeof(q));
	ret = explain_parse(a.npos, a.pos, &src.res, &q, &bad);
	if (ret) {
		if (ret == -EDESTADDRREQ)
			fprintf(stderr, "torfwctl: explain: '%s': tcp and udp need a port, the others none\n",
				bad);
		else if (ret == -ENOENT)
			fprintf(stderr, "torfwctl: explain: unknown user '%s'\n",
				bad);
		else
			fprintf(stderr, "torfwctl: explain: invalid %s '%s'\n",
				bad == a.pos[0] ? "user" : bad == a.pos[1] ?
				"protocol" : "destination", bad);
		ret = TF_EXIT_USAGE;
		goto out;
	}
	/* A namespace's programs: to this host or through it (explain_facts). */
	q.dir = a.netns && a.dir == EXPLAIN_OUT ? EXPLAIN_AUTO : a.dir;
	q.here = !a.file || !strcmp(a.file, "active") || !strcmp(a.file, "-");
	if (is_loopback(q.family, q.addr) &&
	    (q.dir == EXPLAIN_IN || q.dir == EXPLAIN_AUTO)) {
		if (q.dir == EXPLAIN_IN)
			fprintf(stderr, "torfwctl: explain: a packet from a device to %s never reaches the hooks (the kernel drops it as martian)\n",
				a.pos[2]);
		else
			fprintf(stderr, "torfwctl: explain: %s in namespace %s is its own loopback, which torfw does not judge\n",
				a.pos[2], a.netns);
		ret = TF_EXIT_USAGE;
		goto out;
	}
	q.netns = a.netns;
	if (a.cgroup) {
		ret = socket_cgroup(a.cgroup, &q);
		if (ret)
			goto out;
	}
	ret = policy_src_read(&src, a.file ? a.file : "active", "explain",
			      &pol, &none);
	if (ret)
		goto out;
	if (!none) {
		p = kp_build(pol, &t, msg, sizeof(msg));
		if (!p) {
			fprintf(stderr, "torfwctl: explain: the module would refuse this policy: %s\n",
				msg);
			ret = TF_EXIT_USAGE;
			goto out;
		}
	}
	local = explain_facts(p, &t, &q, &f, &redir);
	torfw_decide(p, &f, &d);
	why_decision(pol, p, &t, &f, &d, &src.res, &w);
	if (redir)
		why_redirect(pol, redir, &r);
	if (tf_cli.json)
		print_json(&d, &w, redir ? &r : NULL,
			   local == EXPLAIN_LOCAL_ASSUMED, a.cgroup);
	else {
		char addr[INET6_ADDRSTRLEN];

		inet_ntop(q.family, q.addr, addr, sizeof(addr));
		print_text(&d, &w, redir ? &r : NULL,
			   local == EXPLAIN_LOCAL_ASSUMED ? addr : NULL,
			   a.cgroup);
	}
out:
	kp_free(p);
	kp_nstab_free(&t);
	policy_free(pol);
	policy_src_free(&src);
	return ret;
}
