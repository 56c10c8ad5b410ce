// SPDX-License-Identifier: GPL-2.0
/*
 * torfwctl stats: packets per reason, and hits per allow-list entry next
 * to the entry. Counters name entries by their index in the policy dump,
 * so the policy and the counters must come from the same generation:
 * status before and after brackets both dumps, and a change retries.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "print.h"
#include "query.h"
#include "torfwctl.h"

#define STATS_RETRIES 5

struct snapshot {
	struct tf_policy *pol;
	struct tf_counters c;
	uint64_t *hits;		/* by kidx */
	bool loaded;
};

static int take(struct tf_nl *nl, struct snapshot *s, const char **why)
{
	struct tf_status before, after;
	int ret, tries;

	for (tries = 0; tries < STATS_RETRIES; tries++) {
		free(s->c.svc);
		s->c.svc = NULL;
		ret = query_status(nl, &before, why);
		if (ret)
			break;
		s->loaded = before.flags & TORFW_STATUS_F_LOADED;
		policy_clear(s->pol);
		if (s->loaded)
			ret = query_policy(nl, s->pol, why);
		if (!ret)
			ret = query_counters(nl, &s->c, why);
		if (!ret)
			ret = query_status(nl, &after, why);
		if (ret)
			break;
		if (before.generation == after.generation &&
		    (!s->loaded || s->pol->generation == before.generation) &&
		    (!s->c.has_generation ||
		     s->c.generation == before.generation))
			return 0;
		ret = -EAGAIN;
	}
	return ret;
}

static int map_hits(struct snapshot *s)
{
	size_t i, n = s->pol->nservices;

	s->hits = calloc(n ? n : 1, sizeof(*s->hits));
	if (!s->hits)
		return -ENOMEM;
	for (i = 0; i < s->c.nsvc; i++)
		if (s->c.svc[i].index < n)
			s->hits[s->c.svc[i].index] = s->c.svc[i].packets;
	return 0;
}

static void reason_line(unsigned int r, uint64_t packets)
{
	const char *name = reason_name(r);

	if (name)
		printf("  %-20s %12" PRIu64 "\n", name, packets);
	else
		printf("  reason-%-13u %12" PRIu64 "\n", r, packets);
}

static void print_text(const struct snapshot *s)
{
	static const char *const title[] = {
		[TORFW_RK_ACCEPT] = "accepted:",
		[TORFW_RK_REFUSE] = "refused (rejected):",
		[TORFW_RK_DROP] = "refused (dropped silently):",
	};
	unsigned int r;
	int kind;
	size_t i;
	bool unknown = false;

	for (kind = TORFW_RK_ACCEPT; kind <= TORFW_RK_DROP; kind++) {
		printf("%s\n", title[kind]);
		for (r = 0; r < TF_REASONS_MAX; r++)
			if (s->c.have_reason[r] && reason_kind(r) == kind)
				reason_line(r, s->c.reason[r]);
	}
	/* Reasons of a newer module than this tool: shown by number. */
	for (r = 0; r < TF_REASONS_MAX; r++) {
		if (!s->c.have_reason[r] || reason_kind(r) >= 0)
			continue;
		if (!unknown)
			printf("other:\n");
		unknown = true;
		reason_line(r, s->c.reason[r]);
	}
	printf("allow-list hits:\n");
	if (!s->pol->nservices)
		printf("  (none)\n");
	for (i = 0; i < s->pol->nservices; i++) {
		const struct tf_service *svc = &s->pol->services[i];

		printf("  %12" PRIu64 "  ", s->hits[svc->kidx]);
		service_print(stdout, s->pol, svc, &tf_resolver_nss);
		putchar('\n');
	}
}

static void print_json(const struct snapshot *s)
{
	unsigned int r;
	size_t i;
	bool first = true;

	json_open(stdout);
	printf(",\"generation\":%" PRIu64 ",\"reasons\":{",
	       s->loaded ? s->pol->generation : 0);
	for (r = 0; r < TF_REASONS_MAX; r++) {
		if (!s->c.have_reason[r])
			continue;
		if (!first)
			putchar(',');
		first = false;
		if (reason_name(r))
			printf("\"%s\":%" PRIu64, reason_name(r), s->c.reason[r]);
		else
			printf("\"reason-%u\":%" PRIu64, r, s->c.reason[r]);
	}
	printf("},\"services\":[");
	for (i = 0; i < s->pol->nservices; i++) {
		const struct tf_service *svc = &s->pol->services[i];

		if (i)
			putchar(',');
		putchar('{');
		service_print_json(stdout, s->pol, svc, &tf_resolver_nss);
		printf(",\"packets\":%" PRIu64 "}", s->hits[svc->kidx]);
	}
	printf("]}\n");
}

int stats_main(int argc, char *argv[])
{
	struct snapshot s = { 0 };
	struct tf_nl nl;
	const char *why = NULL;
	int i, ret;

	i = parse_common(argc, argv, "stats", "[-j]");
	if (i < 0)
		return i == -2 ? TF_EXIT_OK : TF_EXIT_USAGE;
	if (i < argc) {
		fprintf(stderr, "torfwctl: stats: too many arguments\n");
		return TF_EXIT_USAGE;
	}
	ret = nl_connect(&nl, false);
	if (ret)
		return ret;
	s.pol = policy_new();
	ret = s.pol ? take(&nl, &s, &why) : -ENOMEM;
	if (!ret)
		ret = map_hits(&s);
	if (ret) {
		query_perror(&nl, "stats", ret, why);
		ret = TF_EXIT_KERNEL;
		goto out;
	}
	policy_sort(s.pol);
	if (tf_cli.json)
		print_json(&s);
	else
		print_text(&s);
out:
	free(s.hits);
	free(s.c.svc);
	policy_free(s.pol);
	nl_close(&nl);
	return ret;
}
