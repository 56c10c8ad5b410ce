// SPDX-License-Identifier: GPL-2.0
/*
 * Replies to unconnected UDP sockets, without conntrack.
 *
 * A connected UDP socket matches its own replies (facts.c); an
 * unconnected one (a DNS resolver's, dhclient's) accepts datagrams from
 * anyone, so a reply is told from an unsolicited datagram by what the
 * socket sent: a datagram from R to L passes only if an accepted one went
 * from L to R within the last TORFW_UDP_TIMEOUT. That is conntrack's UDP
 * rule with its unreplied timeout, for the cost of one bucket's lookup.
 *
 * Only the initial namespace decides such flows (other namespaces reach
 * the world through it), so there is one table: a fixed array of small
 * buckets, nothing allocated on the packet path. As in conntrack, a reply
 * keeps the flow alive for another TORFW_UDP_TIMEOUT. A full bucket gives
 * a new flow the sending uid's own oldest slot if it has one there, else
 * the oldest: a uid flooding the table with new flows evicts its own, and
 * can at worst make other flows' replies be refused (closed), never
 * accept one more.
 */

#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/limits.h>
#include <linux/random.h>
#include <linux/spinlock.h>

#include "torfw.h"

#define TORFW_UDP_TIMEOUT	(30 * HZ)
#define UDP_BUCKETS		2048
#define UDP_WAYS		4

struct udp_slot {
	__be32 laddr;
	__be32 raddr;
	u16 lport;
	u16 rport;
	u32 uid;		/* the sender's, or U32_MAX */
	u64 expires;		/* jiffies64; 0: free */
};

struct udp_bucket {
	spinlock_t lock;	/* slots are read and written under it */
	struct udp_slot slot[UDP_WAYS];
};

static struct udp_bucket udp_table[UDP_BUCKETS];
static u32 udp_seed __read_mostly;

static struct udp_bucket *udp_bucket(__be32 laddr, __be32 raddr,
				     u16 lport, u16 rport)
{
	u32 h = jhash_3words((__force u32)laddr, (__force u32)raddr,
			     (u32)lport << 16 | rport, udp_seed);

	return &udp_table[h & (UDP_BUCKETS - 1)];
}

static bool slot_is(const struct udp_slot *s, __be32 laddr, __be32 raddr,
		    u16 lport, u16 rport)
{
	return s->expires && s->laddr == laddr && s->raddr == raddr &&
	       s->lport == lport && s->rport == rport;
}

/* Whether slot s should give way before the victim chosen so far. */
static bool slot_before(const struct udp_slot *s, const struct udp_slot *v,
			u32 uid, u64 now)
{
	bool s_old = s->expires <= now, v_old = v->expires <= now;

	if (s_old != v_old)
		return s_old;
	if (!s_old && (s->uid == uid) != (v->uid == uid))
		return s->uid == uid;
	return s->expires < v->expires;
}

/* A datagram from laddr:lport to raddr:rport was accepted. */
void torfw_udp_sent(__be32 laddr, u16 lport, __be32 raddr, u16 rport,
		    u32 uid)
{
	struct udp_bucket *b = udp_bucket(laddr, raddr, lport, rport);
	u64 now = get_jiffies_64();
	struct udp_slot *s, *victim = NULL;
	int i;

	spin_lock_bh(&b->lock);
	for (i = 0; i < UDP_WAYS; i++) {
		s = &b->slot[i];
		if (slot_is(s, laddr, raddr, lport, rport)) {
			victim = s;
			break;
		}
		if (!victim || slot_before(s, victim, uid, now))
			victim = s;
	}
	victim->laddr = laddr;
	victim->raddr = raddr;
	victim->lport = lport;
	victim->rport = rport;
	victim->uid = uid;
	victim->expires = now + TORFW_UDP_TIMEOUT;
	spin_unlock_bh(&b->lock);
}

/*
 * Whether a datagram from raddr:rport to laddr:lport is a reply; if so it
 * keeps the flow for another TORFW_UDP_TIMEOUT.
 */
bool torfw_udp_reply(__be32 raddr, u16 rport, __be32 laddr, u16 lport)
{
	struct udp_bucket *b = udp_bucket(laddr, raddr, lport, rport);
	u64 now = get_jiffies_64();
	bool ret = false;
	int i;

	spin_lock_bh(&b->lock);
	for (i = 0; i < UDP_WAYS; i++) {
		struct udp_slot *s = &b->slot[i];

		if (slot_is(s, laddr, raddr, lport, rport)) {
			ret = s->expires > now;
			if (ret)
				s->expires = now + TORFW_UDP_TIMEOUT;
			break;
		}
	}
	spin_unlock_bh(&b->lock);
	return ret;
}

void torfw_udp_init(void)
{
	int i;

	for (i = 0; i < UDP_BUCKETS; i++)
		spin_lock_init(&udp_table[i].lock);
	udp_seed = get_random_u32();
}
