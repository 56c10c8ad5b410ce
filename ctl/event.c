// SPDX-License-Identifier: GPL-2.0
/*
 * Events come from arbitrary processes: comm is chosen by the program that
 * was refused (prctl PR_SET_NAME), so it is escaped before it reaches a
 * terminal or a log parser.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "event.h"
#include "json.h"

static const char *hook_name(uint8_t hook)
{
	switch (hook) {
	case TORFW_HOOK_OUT:
		return "out";
	case TORFW_HOOK_IN:
		return "in";
	case TORFW_HOOK_FORWARD:
		return "forward";
	default:
		return "?";
	}
}

static void ip_proto(char *buf, size_t size, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		snprintf(buf, size, "tcp");
		break;
	case IPPROTO_UDP:
		snprintf(buf, size, "udp");
		break;
	case IPPROTO_ICMP:
		snprintf(buf, size, "icmp");
		break;
	case IPPROTO_ICMPV6:
		snprintf(buf, size, "icmpv6");
		break;
	case IPPROTO_SCTP:
		snprintf(buf, size, "sctp");
		break;
	case IPPROTO_GRE:
		snprintf(buf, size, "gre");
		break;
	default:
		snprintf(buf, size, "proto-%u", proto);
		break;
	}
}

static void reason_text(char *buf, size_t size, uint16_t reason)
{
	const char *name = reason_name(reason);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%u", reason);
}

/*
 * Anything but printable ASCII (and the escape itself) as \xNN. A cgroup
 * path is escaped alike: a user names the cgroups of its own subtree.
 */
static void comm_print(FILE *f, const char *comm)
{
	const unsigned char *c;

	for (c = (const unsigned char *)comm; *c; c++) {
		if (*c <= ' ' || *c >= 0x7f || *c == '\\')
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
	}
}

void event_print(FILE *f, const struct tf_event *ev)
{
	char addr[INET6_ADDRSTRLEN], proto[16], reason[32];

	addr_format(addr, sizeof(addr), ev->family, ev->daddr);
	ip_proto(proto, sizeof(proto), ev->proto);
	reason_text(reason, sizeof(reason), ev->reason);
	fputs("refused", f);
	if (ev->has_uid)
		fprintf(f, " uid=%" PRIu32, ev->uid);
	if (ev->has_cgroup) {
		fputs(" cgroup=", f);
		comm_print(f, ev->cgroup);
	}
	if (ev->has_comm) {
		fputs(" comm=", f);
		comm_print(f, ev->comm);
	}
	if (ev->has_pid)
		fprintf(f, " pid=%" PRIu32, ev->pid);
	/* Raw frames (reason packet) have no IP header to describe. */
	if (ev->has_daddr) {
		fprintf(f, " %s ", proto);
		if (ev->has_dport)
			fprintf(f, ev->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
				addr, ev->dport);
		else
			fputs(addr, f);
	}
	fprintf(f, " reason=%s", reason);
	if (ev->has_hook && ev->hook != TORFW_HOOK_OUT)
		fprintf(f, " hook=%s", hook_name(ev->hook));
	fputc('\n', f);
}

void event_print_json(FILE *f, const struct tf_event *ev)
{
	char addr[INET6_ADDRSTRLEN], proto[16], reason[32];

	addr_format(addr, sizeof(addr), ev->family, ev->daddr);
	ip_proto(proto, sizeof(proto), ev->proto);
	reason_text(reason, sizeof(reason), ev->reason);
	json_open(f);
	fputs(",\"event\":\"refused\"", f);
	if (ev->has_uid)
		fprintf(f, ",\"uid\":%" PRIu32, ev->uid);
	if (ev->has_cgroup) {
		fputs(",\"cgroup\":", f);
		json_string(f, ev->cgroup);
	}
	if (ev->has_comm) {
		fputs(",\"comm\":", f);
		json_string(f, ev->comm);
	}
	if (ev->has_pid)
		fprintf(f, ",\"pid\":%" PRIu32, ev->pid);
	if (ev->has_daddr) {
		fprintf(f, ",\"family\":\"%s\",\"proto\":\"%s\",\"daddr\":\"%s\"",
			ev->family == AF_INET6 ? "ipv6" : "ipv4", proto, addr);
		if (ev->has_dport)
			fprintf(f, ",\"dport\":%u", ev->dport);
	}
	fprintf(f, ",\"reason\":\"%s\"", reason);
	if (ev->has_hook)
		fprintf(f, ",\"hook\":\"%s\"", hook_name(ev->hook));
	fputs("}\n", f);
}
