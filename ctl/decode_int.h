/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the decoders (decode.c, decode_policy.c). */
#ifndef TORFWCTL_DECODE_INT_H
#define TORFWCTL_DECODE_INT_H

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "decode.h"

#define NSPEC(a) (sizeof(a) / sizeof((a)[0]))

/* The top-level attributes of every command's messages. */
extern const enum mnl_attr_data_type decode_top_spec[TORFW_A_MAX + 1];

/* 1: known and valid, 0: unknown (skip it), -1: malformed. */
static inline int check(const struct nlattr *a,
			const enum mnl_attr_data_type *spec, size_t nspec)
{
	uint16_t type = mnl_attr_get_type(a);

	if (type >= nspec || spec[type] == MNL_TYPE_UNSPEC)
		return 0;
	return mnl_attr_validate(a, spec[type]) < 0 ? -1 : 1;
}

static inline int bad(const char **why, const char *what)
{
	*why = what;
	return -EBADMSG;
}

static inline int unsupported(const char **why, const char *what)
{
	*why = what;
	return -EOPNOTSUPP;
}

static inline bool genl_ok(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN;
}

#endif
