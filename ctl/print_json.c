// SPDX-License-Identifier: GPL-2.0
/* The policy as JSON: the same content as the text, typed for scripts. */
#include <arpa/inet.h>
#include <inttypes.h>

#include "json.h"
#include "print.h"

static void user_json(FILE *f, uint32_t uid, const struct tf_resolver *res)
{
	char name[256];

	fprintf(f, "{\"uid\":%" PRIu32, uid);
	if (res && res->user_name(res->ctx, uid, name, sizeof(name))) {
		fputs(",\"user\":", f);
		json_string(f, name);
	}
	fputc('}', f);
}

static void users_json(FILE *f, const char *key, const uint32_t *uids,
		       unsigned int n, const struct tf_resolver *res)
{
	unsigned int i;

	fprintf(f, ",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		user_json(f, uids[i], res);
	}
	fputc(']', f);
}

void cgroup_print_json(FILE *f, const struct tf_policy *pol, uint16_t cg)
{
	if (cg >= pol->ncgroups) {
		fputs("{\"path\":null}", f);
		return;
	}
	fputs("{\"path\":", f);
	json_string(f, pol->cgroups[cg].path);
	fputc('}', f);
}

static void cgroups_json(FILE *f, const char *key,
			 const struct tf_policy *pol, const uint16_t *v,
			 unsigned int n)
{
	unsigned int i;

	fprintf(f, ",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		cgroup_print_json(f, pol, v[i]);
	}
	fputc(']', f);
}

void service_print_json(FILE *f, const struct tf_policy *pol,
			const struct tf_service *svc,
			const struct tf_resolver *res)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int i;

	addr_format(a, sizeof(a), svc->family, svc->addr);
	fprintf(f, "\"proto\":\"%s\",\"family\":\"%s\",\"address\":\"%s\","
		"\"port_lo\":%u,\"port_hi\":%u",
		proto_name(svc->proto) ? proto_name(svc->proto) : "?",
		svc->family == AF_INET6 ? "ipv6" : "ipv4", a, svc->lo,
		svc->hi);
	users_json(f, "users", svc->uids, svc->nuids, res);
	users_json(f, "drop", svc->drops, svc->ndrops, res);
	cgroups_json(f, "cgroups", pol, svc->cg, svc->ncg);
	cgroups_json(f, "drop_cgroups", pol, svc->drop_cg, svc->ndrop_cg);
	fputs(",\"netns\":[", f);
	for (i = 0; i < svc->nnetns; i++) {
		if (i)
			fputc(',', f);
		json_string(f, svc->netns[i].name);
	}
	fputc(']', f);
}

static void sep(FILE *f, size_t i)
{
	if (i)
		fputc(',', f);
}

void policy_print_json(FILE *f, const struct tf_policy *pol,
		       const struct tf_resolver *res)
{
	const struct tf_options *o = &pol->opt;
	char a[INET_ADDRSTRLEN];
	size_t i;

	json_open(f);
	fprintf(f, ",\"generation\":%" PRIu64 ",\"options\":{\"nosocket\":\"%s\","
		"\"kernel_sockets\":\"%s\",\"log_rate\":%" PRIu32
		",\"log_burst\":%" PRIu32 ",\"mtu_probing\":%s},\"roles\":[",
		pol->generation,
		nosock_name(o->nosock) ? nosock_name(o->nosock) : "?",
		kernel_sockets_name(o->kernel) ?
		kernel_sockets_name(o->kernel) : "?",
		o->log_rate, o->log_burst,
		o->flags & TORFW_OPT_F_MTU_PROBING ? "true" : "false");
	for (i = 0; i < pol->nroles; i++) {
		sep(f, i);
		fprintf(f, "{\"role\":\"%s\",", role_kind_name(pol->roles[i].kind));
		if (pol->roles[i].is_cg) {
			fputs("\"cgroup\":", f);
			cgroup_print_json(f, pol, pol->roles[i].cg);
		} else {
			fputs("\"user\":", f);
			user_json(f, pol->roles[i].uid, res);
		}
		fputc('}', f);
	}
	fputs("],\"services\":[", f);
	for (i = 0; i < pol->nservices; i++) {
		sep(f, i);
		fputc('{', f);
		service_print_json(f, pol, &pol->services[i], res);
		fputc('}', f);
	}
	fputs("],\"lan\":[", f);
	for (i = 0; i < pol->nlan; i++) {
		sep(f, i);
		inet_ntop(AF_INET, pol->lan[i].addr, a, sizeof(a));
		fprintf(f, "\"%s/%u\"", a, pol->lan[i].len);
	}
	fputs("],\"lan_refuse\":[", f);
	for (i = 0; i < pol->nlan_refuse; i++) {
		const struct tf_portrange *r = &pol->lan_refuse[i];

		sep(f, i);
		fprintf(f, "{\"proto\":\"%s\",\"port_lo\":%u,\"port_hi\":%u}",
			proto_name(r->proto), r->lo, r->hi);
	}
	fputs("],\"grants\":[", f);
	for (i = 0; i < pol->ngrants; i++) {
		sep(f, i);
		json_string(f, pol->grants[i].name);
	}
	fputs("],\"redirects\":[", f);
	for (i = 0; i < pol->nredirects; i++) {
		const struct tf_redirect *r = &pol->redirects[i];

		sep(f, i);
		inet_ntop(AF_INET, r->addr, a, sizeof(a));
		fprintf(f, "{\"kind\":\"%s\",\"address\":\"%s\",\"prefixlen\":%u,"
			"\"port\":%u,\"to_port\":%u}",
			redirect_kind_name(r->kind), a, r->plen, r->port,
			r->to_port);
	}
	fputs("]}\n", f);
}
