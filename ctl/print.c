// SPDX-License-Identifier: GPL-2.0
/*
 * The printer writes what the parser reads, in one canonical order, so that
 * "show > f; load f; show" gives the same bytes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "print.h"

/*
 * A name is printed only if the parser would read it back as that uid: not
 * a number, not a group (@), not a keyword of the allow statement, no
 * blank or control byte, and resolving to the same uid (two users can
 * share a uid).
 */
static bool name_usable(const char *name, uint32_t uid,
			const struct tf_resolver *res)
{
	const unsigned char *c;
	bool digits = true;
	uint32_t back;

	if (!name[0] || name[0] == '@' || name[0] == '#' ||
	    !strcmp(name, "drop") || !strcmp(name, "netns") ||
	    !strncmp(name, "cgroup:", 7))
		return false;
	for (c = (const unsigned char *)name; *c; c++) {
		if (*c <= ' ' || *c == 0x7f)
			return false;
		if (!isdigit(*c))
			digits = false;
	}
	return !digits && !res->user_uid(res->ctx, name, &back) && back == uid;
}

void uid_print(FILE *f, uint32_t uid, const struct tf_resolver *res)
{
	char name[256];

	if (res && res->user_name(res->ctx, uid, name, sizeof(name)) &&
	    name_usable(name, uid, res))
		fputs(name, f);
	else
		fprintf(f, "%" PRIu32, uid);
}

void cgroup_print(FILE *f, const struct tf_policy *pol, uint16_t cg)
{
	fprintf(f, "cgroup:%s", cg < pol->ncgroups ? pol->cgroups[cg].path :
		"/?");
}

void service_print(FILE *f, const struct tf_policy *pol,
		   const struct tf_service *svc,
		   const struct tf_resolver *res)
{
	char ep[80];
	unsigned int i;

	endpoint_format(ep, sizeof(ep), svc->family, svc->addr, svc->lo,
			svc->hi);
	fprintf(f, "allow %s %s", proto_name(svc->proto) ?
		proto_name(svc->proto) : "?", ep);
	for (i = 0; i < svc->nuids; i++) {
		fputc(' ', f);
		uid_print(f, svc->uids[i], res);
	}
	for (i = 0; i < svc->ncg; i++) {
		fputc(' ', f);
		cgroup_print(f, pol, svc->cg[i]);
	}
	if (svc->ndrops || svc->ndrop_cg)
		fputs(" drop", f);
	for (i = 0; i < svc->ndrops; i++) {
		fputc(' ', f);
		uid_print(f, svc->drops[i], res);
	}
	for (i = 0; i < svc->ndrop_cg; i++) {
		fputc(' ', f);
		cgroup_print(f, pol, svc->drop_cg[i]);
	}
	if (svc->nnetns)
		fputs(" netns", f);
	for (i = 0; i < svc->nnetns; i++)
		fprintf(f, " %s", svc->netns[i].name);
}

static void print_options(FILE *f, const struct tf_options *opt)
{
	fprintf(f, "nosocket %s\n", nosock_name(opt->nosock) ?
		nosock_name(opt->nosock) : "loopback");
	fprintf(f, "kernel-sockets %s\n", kernel_sockets_name(opt->kernel) ?
		kernel_sockets_name(opt->kernel) : "refuse");
	fprintf(f, "log-rate %" PRIu32 "\n", opt->log_rate);
	fprintf(f, "log-burst %" PRIu32 "\n", opt->log_burst);
	fprintf(f, "mtu-probing %s\n",
		opt->flags & TORFW_OPT_F_MTU_PROBING ? "on" : "off");
}

void redirect_print(FILE *f, const struct tf_redirect *r)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, r->addr, a, sizeof(a));
	fprintf(f, "redirect %s %s", redirect_kind_name(r->kind) ?
		redirect_kind_name(r->kind) : "?", a);
	if (r->plen != 32)
		fprintf(f, "/%u", r->plen);
	if (r->port)
		fprintf(f, ":%u", r->port);
	fprintf(f, " to %u", r->to_port);
}

void policy_print(FILE *f, const struct tf_policy *pol,
		  const struct tf_resolver *res)
{
	char a[INET_ADDRSTRLEN], ports[16];
	size_t i;

	print_options(f, &pol->opt);
	if (pol->nroles)
		fputc('\n', f);
	for (i = 0; i < pol->nroles; i++) {
		const struct tf_role *r = &pol->roles[i];

		fprintf(f, "role %s ", role_kind_name(r->kind) ?
			role_kind_name(r->kind) : "?");
		if (r->is_cg)
			cgroup_print(f, pol, r->cg);
		else
			uid_print(f, r->uid, res);
		fputc('\n', f);
	}
	if (pol->nservices)
		fputc('\n', f);
	for (i = 0; i < pol->nservices; i++) {
		const struct tf_service *s = &pol->services[i];

		service_print(f, pol, s, res);
		fputc('\n', f);
	}
	if (pol->nlan || pol->nlan_refuse)
		fputc('\n', f);
	for (i = 0; i < pol->nlan; i++) {
		inet_ntop(AF_INET, pol->lan[i].addr, a, sizeof(a));
		fprintf(f, "lan %s/%u\n", a, pol->lan[i].len);
	}
	for (i = 0; i < pol->nlan_refuse; i++) {
		const struct tf_portrange *r = &pol->lan_refuse[i];

		ports_format(ports, sizeof(ports), r->lo, r->hi);
		fprintf(f, "lan-refuse %s %s\n", proto_name(r->proto) ?
			proto_name(r->proto) : "?", ports);
	}
	if (pol->ngrants)
		fputc('\n', f);
	for (i = 0; i < pol->ngrants; i++)
		fprintf(f, "grant netns %s\n", pol->grants[i].name);
	if (pol->nredirects)
		fputc('\n', f);
	for (i = 0; i < pol->nredirects; i++) {
		redirect_print(f, &pol->redirects[i]);
		fputc('\n', f);
	}
}
