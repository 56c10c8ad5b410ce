// SPDX-License-Identifier: GPL-2.0
/*
 * xdpsend [-n COUNT] [-d DSTMAC] IFACE
 *
 * Sends COUNT (default 1) IPv4/UDP frames 192.0.2.2:40008 -> 192.0.2.1:9
 * (payload "torfw-xdpsend", header checksum set, UDP checksum 0) out of
 * IFACE through an AF_XDP socket in copy mode, the smallest one that
 * transmits (VM-NOTES.md): a UMEM of 4 frames with its fill and
 * completion rings, a TX ring and no RX ring, bound with XDP_COPY to
 * queue 0, no XDP program; each frame is one TX descriptor and a
 * sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0). Copy-mode transmission
 * hands the frame to the driver directly (__dev_direct_xmit): neither
 * the IP hooks nor the qdisc nor the netdev egress hook see it.
 * -d the destination MAC (default ff:ff:ff:ff:ff:ff); the source is
 * IFACE's own.
 *
 * Prints one line: the step that failed with its errno (strerror text
 * and name), or how many frames the kernel completed. Exit status: 0
 * every frame completed, 3 some did not (sendto failed or no completion
 * within 1 s), 1 a step before sending failed (socket() first of all: a
 * kernel or policy without AF_XDP), 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_xdp.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define NFRAMES 4
#define FRAME 4096
#define RING 4

static const char *step = "";

static int failed(const char *s)
{
	const char *name = strerrorname_np(errno);

	printf("xdpsend: %s: %s (%s)\n", s, strerror(errno), name ? name : "?");
	return 1;
}

static size_t build(unsigned char *frame, const unsigned char *src,
		    const unsigned char *dst)
{
	struct ether_header *eh = (struct ether_header *)frame;

	memcpy(eh->ether_dhost, dst, ETH_ALEN);
	memcpy(eh->ether_shost, src, ETH_ALEN);
	eh->ether_type = htons(ETHERTYPE_IP);
	return sizeof(*eh) + frame_udp4((unsigned char *)(eh + 1), 0x7f02,
					40008, "torfw-xdpsend");
}

/* A ring's producer, consumer and descriptors, mmap'ed. */
struct ring {
	void *map;
	size_t len;
	volatile uint32_t *producer, *consumer;
	void *desc;
};

static int map_ring(int fd, struct ring *r, const struct xdp_ring_offset *o,
		    size_t desc_size, off_t pgoff)
{
	r->len = o->desc + RING * desc_size;
	r->map = mmap(NULL, r->len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (r->map == MAP_FAILED)
		return -1;
	r->producer = (uint32_t *)((char *)r->map + o->producer);
	r->consumer = (uint32_t *)((char *)r->map + o->consumer);
	r->desc = (char *)r->map + o->desc;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char dst[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned char src[ETH_ALEN];
	struct sockaddr_xdp sx = { .sxdp_family = AF_XDP };
	struct xdp_mmap_offsets off;
	struct xdp_umem_reg mr;
	struct ring tx, cq;
	struct ifreq ifr;
	socklen_t olen = sizeof(off);
	int opt, fd, sk, i, count = 1, ring = RING, sent = 0, done = 0;
	int first_err = 0;
	unsigned char *umem;
	size_t len;

	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		switch (opt) {
		case 'n':
			count = atoi(optarg);
			break;
		case 'd':
			if (parse_mac(optarg, dst)) {
				fprintf(stderr, "xdpsend: bad MAC %s\n", optarg);
				return 2;
			}
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1 || count < 1 || count > RING)
		goto usage;

	/* The interface's index and MAC, through an ordinary socket. */
	sk = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[optind]);
	if (sk < 0 || ioctl(sk, SIOCGIFHWADDR, &ifr) < 0)
		return failed(argv[optind]);
	memcpy(src, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	sx.sxdp_ifindex = if_nametoindex(argv[optind]);
	close(sk);

	step = "socket(AF_XDP, SOCK_RAW, 0)";
	fd = socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0)
		return failed(step);
	umem = mmap(NULL, NFRAMES * FRAME, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (umem == MAP_FAILED)
		return failed("mmap UMEM");
	memset(&mr, 0, sizeof(mr));
	mr.addr = (uintptr_t)umem;
	mr.len = NFRAMES * FRAME;
	mr.chunk_size = FRAME;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)))
		return failed("XDP_UMEM_REG");
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring,
		       sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_TX_RING, &ring, sizeof(ring)))
		return failed("ring sizes");
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &olen))
		return failed("XDP_MMAP_OFFSETS");
	if (map_ring(fd, &tx, &off.tx, sizeof(struct xdp_desc),
		     XDP_PGOFF_TX_RING) ||
	    map_ring(fd, &cq, &off.cr, sizeof(uint64_t),
		     XDP_UMEM_PGOFF_COMPLETION_RING))
		return failed("mmap rings");
	sx.sxdp_queue_id = 0;
	sx.sxdp_flags = XDP_COPY;
	if (bind(fd, (struct sockaddr *)&sx, sizeof(sx)))
		return failed("bind XDP_COPY queue 0");

	len = build(umem, src, dst);
	for (i = 1; i < count; i++)
		memcpy(umem + i * FRAME, umem, len);
	for (i = 0; i < count; i++) {
		struct xdp_desc *d = (struct xdp_desc *)tx.desc +
				     (*tx.producer & (RING - 1));

		d->addr = (uint64_t)i * FRAME;
		d->len = (uint32_t)len;
		d->options = 0;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		(*tx.producer)++;
		if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0) {
			if (!first_err)
				first_err = errno;
		} else {
			sent++;
		}
	}
	/* Completions: the kernel is done with the frames (they left). */
	for (i = 0; i < 100 && done < count; i++) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		done = (int)(*cq.producer - *cq.consumer);
		if (done < count)
			usleep(10000);
	}
	printf("xdpsend: %s uid=%u: %d/%d accepted by sendto%s%s, %d completed\n",
	       argv[optind], getuid(), sent, count,
	       first_err ? ", first error " : "",
	       first_err ? strerrorname_np(first_err) : "", done);
	close(fd);
	return sent == count && done >= count ? 0 : 3;
usage:
	fprintf(stderr, "usage: %s [-n COUNT(1-%d)] [-d DSTMAC] IFACE\n",
		argv[0], RING);
	return 2;
}
