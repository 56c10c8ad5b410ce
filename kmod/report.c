// SPDX-License-Identifier: GPL-2.0
/*
 * What torfw tells about its decisions: per-reason and per-entry counters
 * (per CPU), a rate-limited kernel log line per refusal, the same refusal
 * as a generic netlink multicast event so a desktop can say who was
 * blocked, and the count of torfw's objects alive (leak tests).
 */

#include <linux/ctype.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/in.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "torfw.h"

struct torfw_counters {
	u64 reason[__TORFW_R_MAX];
};

static DEFINE_PER_CPU(struct torfw_counters, torfw_counters);
atomic_t torfw_objects = ATOMIC_INIT(0);
static DEFINE_RATELIMIT_STATE(torfw_log_rs, HZ, 10);
static DEFINE_RATELIMIT_STATE(torfw_event_rs, HZ, 10);
static bool torfw_log_on = true;

void torfw_count(u8 reason)
{
	this_cpu_inc(torfw_counters.reason[reason]);
}

u64 torfw_count_read(u8 reason)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&torfw_counters, cpu)->reason[reason];
	return sum;
}

/* Per allow-list entry: the policy's own per-CPU counters (compile.c). */
void torfw_policy_hit(const struct torfw_policy *p, s32 svc)
{
	if (svc < 0 || !p->hits)
		return;
	this_cpu_inc(p->hits[svc / TORFW_HITS_CHUNK][svc % TORFW_HITS_CHUNK]);
}

u64 torfw_policy_hits(const struct torfw_policy *p, u32 svc)
{
	u64 sum = 0;
	int cpu;

	if (svc >= p->n_svc)
		return 0;
	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(p->hits[svc / TORFW_HITS_CHUNK],
				   cpu)[svc % TORFW_HITS_CHUNK];
	return sum;
}

static void ratelimit_set(struct ratelimit_state *rs, u32 rate, u32 burst)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&rs->lock, flags);
	/* burst refusals per burst/rate seconds: rate per second on average */
	rs->burst = rate ? max(burst, 1U) : 0;
	rs->interval = rate ? max_t(unsigned long, 1,
				    (unsigned long)rs->burst * HZ / rate) : HZ;
	raw_spin_unlock_irqrestore(&rs->lock, flags);
}

void torfw_report_configure(const struct torfw_options *opt)
{
	ratelimit_set(&torfw_log_rs, opt->log_rate, opt->log_burst);
	ratelimit_set(&torfw_event_rs, opt->log_rate, opt->log_burst);
	ratelimit_set_flags(&torfw_event_rs, RATELIMIT_MSG_ON_RELEASE);
	WRITE_ONCE(torfw_log_on, opt->log_rate != 0);
}

static const char *proto_name(u8 proto, char *buf, size_t len)
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
	default:
		snprintf(buf, len, "proto-%u", proto);
		return buf;
	}
}

static void report_log(const struct torfw_facts *f,
		       const struct torfw_decision *d, const char *cg)
{
	static const char *const hook_name[] = {
		[TORFW_HOOK_OUT] = "",
		[TORFW_HOOK_IN] = " in",
		[TORFW_HOOK_FORWARD] = " forward",
		[TORFW_HOOK_FRAME] = " frame",
	};
	char uid[16] = "-", pbuf[16], dst[64];
	const char *proto = proto_name(f->proto, pbuf, sizeof(pbuf));

	if (f->has_uid)
		snprintf(uid, sizeof(uid), "%u", f->uid);
	if (f->hook == TORFW_HOOK_FRAME) {
		pr_info("refused frame uid=%s%s%s reason=%s\n", uid,
			cg ? " cgroup=" : "", cg ?: "",
			torfw_reason_names[d->reason]);
		return;
	}
	if (f->family == AF_INET)
		snprintf(dst, sizeof(dst), "%pI4", &f->daddr.ip);
	else
		snprintf(dst, sizeof(dst), "[%pI6c]", &f->daddr.in6);
	if (f->ports)
		pr_info("refused%s uid=%s%s%s %s %s:%u reason=%s\n",
			hook_name[f->hook], uid, cg ? " cgroup=" : "",
			cg ?: "", proto, dst, f->dport,
			torfw_reason_names[d->reason]);
	else
		pr_info("refused%s uid=%s%s%s %s %s reason=%s\n",
			hook_name[f->hook], uid, cg ? " cgroup=" : "",
			cg ?: "", proto, dst, torfw_reason_names[d->reason]);
}

static void report_event(const struct torfw_facts *f,
			 const struct torfw_decision *d, const char *cg)
{
	struct sk_buff *msg;
	struct nlattr *ev;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &torfw_genl_family, 0, TORFW_CMD_EVENT);
	if (!hdr)
		goto err;
	ev = nla_nest_start(msg, TORFW_A_EVENT);
	if (!ev ||
	    nla_put_u16(msg, TORFW_EV_REASON, d->reason) ||
	    nla_put_u8(msg, TORFW_EV_HOOK, f->hook) ||
	    nla_put_u8(msg, TORFW_EV_FAMILY, f->family) ||
	    nla_put_u8(msg, TORFW_EV_PROTO, f->proto))
		goto err;
	if (f->family && nla_put(msg, TORFW_EV_DADDR,
				 f->family == AF_INET ? 4 : 16, &f->daddr))
		goto err;
	if (f->ports && nla_put_u16(msg, TORFW_EV_DPORT, f->dport))
		goto err;
	if (f->has_uid && nla_put_u32(msg, TORFW_EV_UID, f->uid))
		goto err;
	if (cg && nla_put_string(msg, TORFW_EV_CGROUP, cg))
		goto err;
	/* Only in process context is current the sender of the packet. */
	if (f->hook != TORFW_HOOK_IN && f->hook != TORFW_HOOK_FORWARD &&
	    in_task() &&
	    (nla_put_u32(msg, TORFW_EV_PID, task_tgid_nr(current)) ||
	     nla_put_string(msg, TORFW_EV_COMM, current->comm)))
		goto err;
	nla_nest_end(msg, ev);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&torfw_genl_family, &init_net, msg, 0, 0,
				GFP_ATOMIC);
	return;
err:
	nlmsg_free(msg);
}

/*
 * Called for refused packets. Inbound drops are only counted: the LAN's
 * broadcasts would flood the log and they reveal nothing about us.
 */
/*
 * The socket's cgroup path from its names, "/..." for levels past the
 * facts' 16 or past the buffer. A user names the cgroups of its own
 * subtree (any byte but '/' and NUL): with esc, everything outside a
 * plain set is \xNN, so that a name cannot forge a log line or a field.
 */
static void cg_join(char *dst, size_t size, const char *const *names,
		    int n, bool deeper, bool esc)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0;
	const char *c;
	int i;

	for (i = 0; i < n; i++) {
		/* Room for what is written here and for "/..." after it. */
		if (len + 1 + 5 > size)
			goto more;
		dst[len++] = '/';
		for (c = names[i]; *c; c++) {
			u8 b = *c;

			if (len + 4 + 5 > size)
				goto more;
			if (!esc || isalnum(b) || strchr("._-@:+,~", b)) {
				dst[len++] = b;
			} else {
				dst[len++] = '\\';
				dst[len++] = 'x';
				dst[len++] = hex[b >> 4];
				dst[len++] = hex[b & 15];
			}
		}
	}
	if (!deeper) {
		dst[len] = '\0';
		return;
	}
more:
	memcpy(dst + len, "/...", 5);
}

void torfw_report(const struct torfw_policy *p, const struct torfw_facts *f,
		  const struct torfw_decision *d)
{
	/* One buffer: the log's escaped path, then the event's raw one. */
	char path[TORFW_CG_PATH_MAX];
	const char *names[TORFW_CG_DEPTH_MAX];
	const char *const *cg = f->cg;
	bool log, event, deeper = f->cg_deeper, named;
	int n = f->cg_n;

	if (f->hook == TORFW_HOOK_IN || !f->init_net ||
	    d->reason == TORFW_R_SERVICE_DROP || !READ_ONCE(torfw_log_on))
		return;
	log = __ratelimit(&torfw_log_rs);
	event = READ_ONCE(torfw_netlink_up) &&
		genl_has_listeners(&torfw_genl_family, &init_net, 0) &&
		__ratelimit(&torfw_event_rs);
	/*
	 * Which program: its cgroup, when the policy tells programs apart.
	 * The decision may have read it already (a closing segment's owner
	 * has no f->sk).
	 */
	named = (log || event) && p && p->n_cg && f->has_uid &&
		(f->cg_known || f->sk);
	if (named && !f->cg_known) {
		n = torfw_cgroup_names(f->sk, names, &deeper);
		cg = names;
	}
	if (log) {
		if (named)
			cg_join(path, sizeof(path), cg, n, deeper, true);
		report_log(f, d, named ? path : NULL);
	}
	if (event) {
		if (named)
			cg_join(path, sizeof(path), cg, n, deeper, false);
		report_event(f, d, named ? path : NULL);
	}
}
