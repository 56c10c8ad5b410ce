/* SPDX-License-Identifier: GPL-2.0 */
/* The policy as TORFW_CMD_LOAD messages (see kmod/uapi/torfw.h). */
#ifndef TORFWCTL_ENCODE_H
#define TORFWCTL_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* Largest message of a load transaction ("about 32 KiB per message"). */
#define TF_MSG_MAX	32768

struct tf_msg {
	char *buf;		/* a struct nlmsghdr, nlmsg_len bytes */
	size_t flags_off;	/* offset of the TORFW_A_FLAGS payload */
};

/* Which config element a byte range of a message encodes. */
struct tf_elem_ref {
	size_t msg;
	uint32_t start, end;
	const struct tf_loc *loc;
};

struct tf_batch {
	struct tf_msg *msgs;
	size_t nmsgs, msgs_cap;
	struct tf_elem_ref *refs;
	size_t nrefs, refs_cap;
	size_t msg_max;
};

/* The open fd of namespace name (see netns.c), negative if none. */
typedef int (*tf_netns_fd_fn)(void *ctx, const char *name);

/*
 * Builds the messages of one load transaction: the first carries
 * TORFW_LOAD_F_BEGIN, the last TORFW_LOAD_F_COMMIT, every one carries
 * extra_flags (TORFW_LOAD_F_CHECK). Message i has sequence number seq + i.
 * 0 or -errno (-EMSGSIZE: an element larger than msg_max, -EBADF: a
 * namespace without fd).
 */
int encode_load(const struct tf_policy *pol, uint16_t family, uint32_t seq,
		uint32_t extra_flags, size_t msg_max, tf_netns_fd_fn netns_fd,
		void *ctx, struct tf_batch *out);
void batch_free(struct tf_batch *b);

/* The config location of the element at byte off of message msg. */
const struct tf_loc *batch_find(const struct tf_batch *b, size_t msg,
				uint32_t off);

#endif
