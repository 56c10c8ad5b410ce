// SPDX-License-Identifier: GPL-2.0
/*
 * The active policy. Readers (the hooks) use RCU; writers (netlink
 * requests, module exit) serialize on one mutex, publish a whole new object
 * and free the old one after a grace period. NULL means no policy: the
 * fail-closed default.
 */

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <net/net_namespace.h>

#include <linux/netlink.h>

#include "torfw.h"

struct torfw_policy __rcu *torfw_active;
static DEFINE_MUTEX(torfw_update_mutex);
static u64 torfw_last_generation;
static bool torfw_is_locked;

void torfw_update_lock(void)
{
	mutex_lock(&torfw_update_mutex);
}

void torfw_update_unlock(void)
{
	mutex_unlock(&torfw_update_mutex);
}

struct torfw_policy *torfw_active_protected(void)
{
	return rcu_dereference_protected(torfw_active,
					 lockdep_is_held(&torfw_update_mutex));
}

/* Generation of the active policy, 0 when none. */
u64 torfw_state_generation(void)
{
	struct torfw_policy *p = torfw_active_protected();

	return p ? p->generation : 0;
}

static void torfw_policy_free_rcu(struct rcu_head *head)
{
	torfw_policy_free(container_of(head, struct torfw_policy, rcu));
}

/*
 * ICMP "fragmentation needed" never passes (it is RELATED, or off
 * loopback), so TCP relies on PLPMTUD: in the initial namespace and in
 * the granted ones, whose TCP is forwarded through the same uplink.
 */
static void mtu_probing_on(const struct torfw_policy *p)
{
	struct net *net;

	WRITE_ONCE(init_net.ipv4.sysctl_tcp_mtu_probing, 1);
	if (!p->n_grant)
		return;
	down_read(&net_rwsem);
	for_each_net(net)
		if (torfw_ns_granted(p, net->net_cookie))
			WRITE_ONCE(net->ipv4.sysctl_tcp_mtu_probing, 1);
	up_read(&net_rwsem);
}

/* Replaces the active policy with p (NULL: flush). Consumes p. */
void torfw_state_publish(struct torfw_policy *p)
{
	struct torfw_policy *old = torfw_active_protected();

	if (p) {
		p->generation = ++torfw_last_generation;
		torfw_report_configure(&p->opt);
		if (p->opt.flags & TORFW_OPT_F_MTU_PROBING)
			mtu_probing_on(p);
	}
	rcu_assign_pointer(torfw_active, p);
	if (old)
		call_rcu(&old->rcu, torfw_policy_free_rcu);
}

bool torfw_state_is_locked(void)
{
	lockdep_assert_held(&torfw_update_mutex);
	return torfw_is_locked;
}

/*
 * Replaces the active policy with p (NULL: flush), unless locked and p is
 * looser than the active one. On error p is untouched and still the
 * caller's; on success it is consumed.
 */
int torfw_state_replace(struct torfw_policy *p, struct netlink_ext_ack *extack)
{
	struct torfw_policy *old = torfw_active_protected();
	int ret;

	if (torfw_is_locked) {
		if (!p) {
			NL_SET_ERR_MSG(extack, "locked: the policy cannot be flushed until reboot");
			return -EPERM;
		}
		ret = torfw_policy_no_looser(p, old, extack);
		if (ret)
			return ret;
	}
	torfw_state_publish(p);
	return 0;
}

/* Until reboot: no unload, no flush, no looser policy. */
int torfw_state_lock_policy(struct netlink_ext_ack *extack)
{
	if (!torfw_active_protected()) {
		NL_SET_ERR_MSG(extack, "no policy loaded: nothing to lock");
		return -ENOENT;
	}
	if (!torfw_is_locked) {
		__module_get(THIS_MODULE);
		torfw_is_locked = true;
		pr_info("policy locked until reboot\n");
	}
	return 0;
}

/*
 * The module's exit runs while locked only when the unload is forced
 * (rmmod -f ignores the reference the lock holds, on kernels built with
 * MODULE_FORCE_UNLOAD). Unloading would open the machine, so that exit
 * never completes: the rmmod process waits until reboot, in TASK_IDLE
 * (no signal ends it, and the hung-task detector ignores it), and the
 * hooks, the policy and the netlink family stay (dumps fail: the module
 * is going, and the netlink core no longer takes references on it).
 */
void torfw_state_hold_if_locked(void)
{
	bool locked;

	torfw_update_lock();
	locked = torfw_is_locked;
	torfw_update_unlock();
	if (!locked)
		return;
	pr_crit("forced unload while locked: refused until reboot\n");
	for (;;) {
		/* Freezable: a suspend must not fail on this task. */
		set_current_state(TASK_IDLE | TASK_FREEZABLE);
		schedule();
	}
}

void torfw_state_exit(void)
{
	torfw_update_lock();
	torfw_state_publish(NULL);
	torfw_update_unlock();
	/* Wait for the frees queued above and by earlier replaces. */
	rcu_barrier();
}
