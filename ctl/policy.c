// SPDX-License-Identifier: GPL-2.0
/*
 * The policy object: allocation, canonical ordering and the small text
 * helpers every printer shares.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"

static void defaults(struct tf_policy *pol)
{
	memset(&pol->opt, 0, sizeof(pol->opt));
	pol->opt.nosock = TORFW_NOSOCK_LOOPBACK;
	pol->opt.kernel = TORFW_KERNEL_REFUSE;
	pol->opt.log_rate = TORFW_LOG_RATE_DEFAULT;
	pol->opt.log_burst = TORFW_LOG_BURST_DEFAULT;
}

struct tf_policy *policy_new(void)
{
	struct tf_policy *pol = calloc(1, sizeof(*pol));

	if (pol)
		defaults(pol);
	return pol;
}

void policy_clear(struct tf_policy *pol)
{
	defaults(pol);
	pol->nroles = 0;
	pol->nservices = 0;
	pol->nlan = 0;
	pol->nlan_refuse = 0;
	pol->ngrants = 0;
	pol->nredirects = 0;
	pol->ncgroups = 0;
	pol->generation = 0;
}

void policy_free(struct tf_policy *pol)
{
	size_t i;

	if (!pol)
		return;
	for (i = 0; i < pol->nfiles; i++)
		free(pol->files[i]);
	free(pol->files);
	free(pol->services);
	free(pol);
}

const char *policy_add_file(struct tf_policy *pol, const char *name)
{
	char **files;
	char *copy;

	files = realloc(pol->files, (pol->nfiles + 1) * sizeof(*files));
	if (!files)
		return NULL;
	pol->files = files;
	copy = strdup(name);
	if (!copy)
		return NULL;
	pol->files[pol->nfiles++] = copy;
	return copy;
}

struct tf_service *policy_add_service(struct tf_policy *pol)
{
	struct tf_service *svc;

	if (pol->nservices >= TORFW_MAX_SERVICES)
		return NULL;
	if (pol->nservices == pol->services_cap) {
		size_t cap = pol->services_cap ? pol->services_cap * 2 : 16;

		svc = realloc(pol->services, cap * sizeof(*svc));
		if (!svc)
			return NULL;
		pol->services = svc;
		pol->services_cap = cap;
	}
	svc = &pol->services[pol->nservices++];
	memset(svc, 0, sizeof(*svc));
	return svc;
}

bool uid_list_has(const uint32_t *uids, unsigned int n, uint32_t uid)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (uids[i] == uid)
			return true;
	return false;
}

bool cg_list_has(const uint16_t *cg, unsigned int n, uint16_t idx)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (cg[i] == idx)
			return true;
	return false;
}

int policy_cgroup(struct tf_policy *pol, const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < pol->ncgroups; i++)
		if (!strcmp(pol->cgroups[i].path, path))
			return (int)i;
	if (n >= sizeof(pol->cgroups[0].path))
		return -ENAMETOOLONG;
	if (pol->ncgroups >= TORFW_MAX_CGROUPS)
		return -E2BIG;
	memset(&pol->cgroups[i], 0, sizeof(pol->cgroups[i]));
	memcpy(pol->cgroups[i].path, path, n + 1);
	pol->ncgroups++;
	return (int)i;
}

/*
 * The components of an absolute cgroup path: none empty, none "." or
 * "..", no control character, at most max_depth of them (0: any).
 */
static const char *cgroup_components_error(const char *path,
					   unsigned int max_depth)
{
	const char *c = path, *end;
	unsigned int depth = 0;

	while (*c) {
		size_t len, i;

		c++;	/* the '/' */
		end = strchrnul(c, '/');
		len = (size_t)(end - c);
		if (!len)
			return *end ? "has an empty component ('//')" :
				      "ends with '/'";
		if ((len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.'))
			return "has a '.' or '..' component";
		for (i = 0; i < len; i++)
			if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
				return "has a control character";
		if (max_depth && ++depth > max_depth)
			return "is too deep (at most 16 components)";
		c = end;
	}
	return NULL;
}

const char *cgroup_path_error(const char *path)
{
	if (!*path)
		return "is empty";
	if (strlen(path) >= TORFW_CG_PATH_MAX)
		return "is too long (at most 255 bytes)";
	if (path[0] != '/')
		return "is not absolute (it must start with '/')";
	if (!path[1])
		return "is the root, which holds every socket";
	return cgroup_components_error(path, TORFW_CG_DEPTH_MAX);
}

const char *cgroup_socket_path_error(const char *path)
{
	if (!*path)
		return "is empty";
	if (strlen(path) >= CG_SOCKET_PATH_MAX)
		return "is too long (at most 4095 bytes)";
	if (path[0] != '/')
		return "is not absolute (it must start with '/')";
	if (!path[1])
		return NULL;	/* the root */
	return cgroup_components_error(path, 0);
}

bool service_empty(const struct tf_service *svc)
{
	return !svc->nuids && !svc->ndrops && !svc->nnetns && !svc->ncg &&
	       !svc->ndrop_cg;
}

void policy_drop_netns(struct tf_policy *pol, const char *name)
{
	size_t i, j, n = 0;

	for (i = 0; i < pol->ngrants; i++)
		if (strcmp(pol->grants[i].name, name) != 0)
			pol->grants[n++] = pol->grants[i];
	pol->ngrants = n;
	n = 0;
	for (i = 0; i < pol->nservices; i++) {
		struct tf_service *s = &pol->services[i];
		unsigned int k = 0;

		for (j = 0; j < s->nnetns; j++)
			if (strcmp(s->netns[j].name, name) != 0)
				s->netns[k++] = s->netns[j];
		s->nnetns = k;
		if (service_empty(s))
			continue;
		if (n != i)
			pol->services[n] = *s;
		n++;
	}
	pol->nservices = n;
}

/* Three-way comparison without the overflow of a subtraction. */
#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int cmp_u32(const void *a, const void *b)
{
	return CMP(*(const uint32_t *)a, *(const uint32_t *)b);
}

static int cmp_netns(const void *a, const void *b)
{
	return strcmp(((const struct tf_netns *)a)->name,
		      ((const struct tf_netns *)b)->name);
}

static int cmp_u16(const void *a, const void *b)
{
	return CMP(*(const uint16_t *)a, *(const uint16_t *)b);
}

/* Per kind: uids, then cgroups (by index: path order once sorted). */
static int cmp_role(const void *a, const void *b)
{
	const struct tf_role *x = a, *y = b;

	if (x->kind != y->kind)
		return CMP(x->kind, y->kind);
	if (x->is_cg != y->is_cg)
		return CMP(x->is_cg, y->is_cg);
	if (x->is_cg)
		return CMP(x->cg, y->cg);
	return CMP(x->uid, y->uid);
}

static int cmp_cgroup_path(const void *a, const void *b)
{
	return strcmp(((const struct tf_cgroup *)a)->path,
		      ((const struct tf_cgroup *)b)->path);
}

/*
 * The cgroup table in path order, and every index into it renumbered:
 * two policies naming the same cgroups print and compare alike whatever
 * order their statements came in.
 */
static void sort_cgroups(struct tf_policy *pol)
{
	uint16_t map[TORFW_MAX_CGROUPS], to[TORFW_MAX_CGROUPS];
	struct tf_cgroup *old;
	size_t i, j, k;

	if (pol->ncgroups < 2)
		return;
	/* map[new] = old: an insertion sort of at most 64 indexes. */
	for (i = 0; i < pol->ncgroups; i++)
		map[i] = (uint16_t)i;
	for (i = 1; i < pol->ncgroups; i++)
		for (j = i; j > 0 &&
		     cmp_cgroup_path(&pol->cgroups[map[j - 1]],
				     &pol->cgroups[map[j]]) > 0; j--) {
			uint16_t t = map[j];

			map[j] = map[j - 1];
			map[j - 1] = t;
		}
	old = malloc(pol->ncgroups * sizeof(*old));
	if (!old)
		return;	/* left unsorted: still the same policy */
	memcpy(old, pol->cgroups, pol->ncgroups * sizeof(*old));
	for (i = 0; i < pol->ncgroups; i++) {
		pol->cgroups[i] = old[map[i]];
		to[map[i]] = (uint16_t)i;
	}
	free(old);
	for (i = 0; i < pol->nroles; i++)
		if (pol->roles[i].is_cg)
			pol->roles[i].cg = to[pol->roles[i].cg];
	for (i = 0; i < pol->nservices; i++) {
		struct tf_service *s = &pol->services[i];

		for (k = 0; k < s->ncg; k++)
			s->cg[k] = to[s->cg[k]];
		for (k = 0; k < s->ndrop_cg; k++)
			s->drop_cg[k] = to[s->drop_cg[k]];
	}
}

static int cmp_service(const void *a, const void *b)
{
	const struct tf_service *x = a, *y = b;
	int r;

	if (x->family != y->family)
		return CMP(x->family, y->family);
	if (x->proto != y->proto)
		return CMP(x->proto, y->proto);
	r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	if (x->lo != y->lo)
		return CMP(x->lo, y->lo);
	return CMP(x->hi, y->hi);
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct tf_prefix *x = a, *y = b;
	int r = memcmp(x->addr, y->addr, sizeof(x->addr));

	return r ? r : CMP(x->len, y->len);
}

static int cmp_portrange(const void *a, const void *b)
{
	const struct tf_portrange *x = a, *y = b;

	if (x->proto != y->proto)
		return CMP(x->proto, y->proto);
	if (x->lo != y->lo)
		return CMP(x->lo, y->lo);
	return CMP(x->hi, y->hi);
}

static int cmp_redirect(const void *a, const void *b)
{
	const struct tf_redirect *x = a, *y = b;
	int r;

	if (x->kind != y->kind)
		return CMP(x->kind, y->kind);
	r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	if (x->plen != y->plen)
		return CMP(x->plen, y->plen);
	return CMP(x->port, y->port);
}

void policy_sort(struct tf_policy *pol)
{
	size_t i;

	sort_cgroups(pol);
	for (i = 0; i < pol->nservices; i++) {
		struct tf_service *svc = &pol->services[i];

		qsort(svc->cg, svc->ncg, sizeof(svc->cg[0]), cmp_u16);
		qsort(svc->drop_cg, svc->ndrop_cg, sizeof(svc->drop_cg[0]),
		      cmp_u16);
		qsort(svc->uids, svc->nuids, sizeof(svc->uids[0]), cmp_u32);
		qsort(svc->drops, svc->ndrops, sizeof(svc->drops[0]), cmp_u32);
		qsort(svc->netns, svc->nnetns, sizeof(svc->netns[0]),
		      cmp_netns);
	}
	qsort(pol->roles, pol->nroles, sizeof(pol->roles[0]), cmp_role);
	if (pol->nservices)
		qsort(pol->services, pol->nservices, sizeof(pol->services[0]),
		      cmp_service);
	qsort(pol->lan, pol->nlan, sizeof(pol->lan[0]), cmp_prefix);
	qsort(pol->lan_refuse, pol->nlan_refuse, sizeof(pol->lan_refuse[0]),
	      cmp_portrange);
	qsort(pol->grants, pol->ngrants, sizeof(pol->grants[0]), cmp_netns);
	qsort(pol->redirects, pol->nredirects, sizeof(pol->redirects[0]),
	      cmp_redirect);
}

const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		return NULL;
	}
}

const char *ip_proto_word(uint8_t proto)
{
	switch (proto) {
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
		return proto_name(proto);
	}
}

void addr_format(char *buf, size_t size, uint8_t family, const uint8_t *addr)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf,
		       (socklen_t)size))
		snprintf(buf, size, "?");
}

void ports_format(char *buf, size_t size, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		snprintf(buf, size, "%u", lo);
	else
		snprintf(buf, size, "%u-%u", lo, hi);
}

void endpoint_format(char *buf, size_t size, uint8_t family,
		     const uint8_t *addr, uint16_t lo, uint16_t hi)
{
	char a[INET6_ADDRSTRLEN], p[16];

	addr_format(a, sizeof(a), family, addr);
	ports_format(p, sizeof(p), lo, hi);
	if (family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", a, p);
	else
		snprintf(buf, size, "%s:%s", a, p);
}

const char *role_kind_name(uint8_t kind)
{
	switch (kind) {
	case TORFW_ROLE_TOR:
		return "tor";
	case TORFW_ROLE_CLEARNET:
		return "clearnet";
	case TORFW_ROLE_PACKET:
		return "packet";
	default:
		return NULL;
	}
}

const char *redirect_kind_name(uint8_t kind)
{
	switch (kind) {
	case TORFW_REDIR_AUTOMAP:
		return "automap";
	case TORFW_REDIR_DNS:
		return "dns";
	default:
		return NULL;
	}
}

const char *nosock_name(uint8_t nosock)
{
	switch (nosock) {
	case TORFW_NOSOCK_LOOPBACK:
		return "loopback";
	case TORFW_NOSOCK_ACCEPT:
		return "accept";
	default:
		return NULL;
	}
}

const char *kernel_sockets_name(uint8_t kernel)
{
	switch (kernel) {
	case TORFW_KERNEL_REFUSE:
		return "refuse";
	case TORFW_KERNEL_LAN:
		return "lan";
	default:
		return NULL;
	}
}

#define REASON_ENTRY(e, name, kind) [TORFW_R_##e] = { name, TORFW_RK_##kind },
static const struct {
	const char *name;
	enum torfw_reason_kind kind;
} reasons[] = {
	TORFW_REASONS(REASON_ENTRY)
};
#undef REASON_ENTRY

const char *reason_name(unsigned int reason)
{
	return reason < sizeof(reasons) / sizeof(reasons[0]) ?
	       reasons[reason].name : NULL;
}

int reason_kind(unsigned int reason)
{
	return reason < sizeof(reasons) / sizeof(reasons[0]) ?
	       (int)reasons[reason].kind : -1;
}
