/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel, as far as the module's pure policy code needs it: types,
 * allocation, bit and sort helpers, extack. The kernel's own tools/ share
 * lib/ code with userspace the same way (tools/include). With this shim,
 * kmod/decide.c, builder.c, compile.c, compare.c and probe*.c compile
 * unchanged into torfwctl, so that explain and diff run the module's own
 * decision function, not a copy of its rules.
 */
#ifndef TORFW_KSHIM_H
#define TORFW_KSHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;	/* as the kernel: %llu */
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef unsigned int gfp_t;

#define U16_MAX ((u16)~0U)
#define U32_MAX ((u32)~0U)
#define U64_MAX ((u64)~0ULL)
#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL

/* The module's union, as <linux/netfilter.h> has it. */
union nf_inet_addr {
	__u32 all[4];
	__be32 ip;
	__be32 ip6[4];
	struct in_addr in;
	struct in6_addr in6;
};

#define GFP_KERNEL 0U
#define GFP_KERNEL_ACCOUNT 0U
#define __GFP_RETRY_MAYFAIL 0U
#define __GFP_NOWARN 0U

#define __percpu
#define __rcu
#define __must_check
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define BITS_PER_LONG (8 * sizeof(long))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); \
		     _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); \
		     _a > _b ? _a : _b; })
#define min_t(t, a, b) min((t)(a), (t)(b))
#define max_t(t, a, b) max((t)(a), (t)(b))

/* Errors in pointers, as <linux/err.h>. */
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO;
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

/* Allocation: the heap; gfp flags mean nothing here. */
static inline void *kmalloc(size_t n, gfp_t gfp)
{
	(void)gfp;
	return malloc(n ? n : 1);
}

static inline void *kzalloc(size_t n, gfp_t gfp)
{
	(void)gfp;
	return calloc(1, n ? n : 1);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	(void)gfp;
	return calloc(n ? n : 1, size ? size : 1);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, gfp);
}

#define kvmalloc_array kmalloc_array
#define kvcalloc kcalloc
#define kvzalloc kzalloc

static inline void *kvrealloc(void *p, size_t old, size_t n, gfp_t gfp)
{
	(void)old;
	(void)gfp;
	return realloc(p, n ? n : 1);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

#define kvfree kfree

/* Per-CPU memory: one CPU. */
static inline void *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	(void)align;
	return kzalloc(size, gfp);
}

#define free_percpu kfree

/* Bits of a bitmap, as <linux/bitmap.h>. */
static inline void __set_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline unsigned long find_first_zero_bit(const unsigned long *map,
						 unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i++)
		if (!(map[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG))))
			return i;
	return size;
}

typedef struct {
	int counter;
} atomic_t;

static inline void atomic_inc(atomic_t *v)
{
	v->counter++;
}

static inline void atomic_dec(atomic_t *v)
{
	v->counter--;
}

static inline int atomic_read(const atomic_t *v)
{
	return v->counter;
}

struct rcu_head {
	void *next;
};

static inline void cond_resched(void)
{
}

/* The kernel's sort(): qsort, the swap function is always the default. */
static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	(void)swap;
	if (num)
		qsort(base, num, size, cmp);
}

/* Extended ack: the message of the first refusal, as netlink has it. */
struct netlink_ext_ack {
	const char *_msg;
};

#define NL_SET_ERR_MSG(extack, msg) do {		\
	struct netlink_ext_ack *__extack = (extack);	\
							\
	if (__extack)					\
		__extack->_msg = (msg);			\
} while (0)

/* The initial namespace: its cookie, which torfwctl never hands out. */
struct net {
	u64 net_cookie;
};

extern struct net init_net;

static inline bool ipv6_addr_v4mapped(const struct in6_addr *a)
{
	return a->s6_addr32[0] == 0 && a->s6_addr32[1] == 0 &&
	       a->s6_addr32[2] == htonl(0x0000ffff);
}

static inline bool ipv4_is_loopback(__be32 addr)
{
	return (addr & htonl(0xff000000)) == htonl(0x7f000000);
}

static inline ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size);

	if (!size)
		return -E2BIG;
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return (ssize_t)n;
}

/* Whole strings only (srclen -1, no delimiter), as kmod/tests use them. */
static inline int in4_pton(const char *src, int srclen, u8 *dst, int delim,
			   const char **end)
{
	(void)srclen;
	(void)delim;
	(void)end;
	return inet_pton(AF_INET, src, dst) == 1;
}

static inline int in6_pton(const char *src, int srclen, u8 *dst, int delim,
			   const char **end)
{
	(void)srclen;
	(void)delim;
	(void)end;
	return inet_pton(AF_INET6, src, dst) == 1;
}

u64 ktime_get_ns(void);

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}

#endif /* TORFW_KSHIM_H */
