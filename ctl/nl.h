/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink client: socket, family, requests, dumps, events. */
#ifndef TORFWCTL_NL_H
#define TORFWCTL_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

struct tf_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	struct tf_family fam;
	char *buf;
	size_t bufsize;
	struct tf_nlerr err;	/* of the last request: errno, extack */
	bool dump_intr;
};

/*
 * Opens the socket and resolves the family. If it is absent, runs
 * "modprobe torfw" once when modprobe is set (only load does: loading
 * closes the network), else fails with TF_EXIT_NOMODULE. Prints one line
 * on failure. Returns an exit status.
 */
int nl_connect(struct tf_nl *nl, bool modprobe);
void nl_close(struct tf_nl *nl);

/* A request header for cmd with NLM_F_REQUEST | NLM_F_ACK, in nl->buf. */
struct nlmsghdr *nl_request(struct tf_nl *nl, uint8_t cmd);

/*
 * Sends nlh (its own buffer or nl_request's) and reads the replies until
 * the ack; cb (may be NULL) sees each reply. 0 or -errno; nl->err holds
 * the kernel's errno and extack message.
 */
int nl_transact(struct tf_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data);

/*
 * Dumps cmd; cb sees each message. Restarts (reset(data), fresh socket)
 * when the kernel flags the dump as interrupted by a policy change.
 */
int nl_dump(struct tf_nl *nl, uint8_t cmd, mnl_cb_t cb, void (*reset)(void *),
	    void *data);

/* Joins the events group and calls cb for each message, forever. */
int nl_monitor(struct tf_nl *nl, mnl_cb_t cb, void *data);

/* "torfwctl: what: Strerror (ENAME): extack" on stderr. */
void nl_perror(const struct tf_nl *nl, const char *what, int err);

#endif
