// SPDX-License-Identifier: GPL-2.0
/*
 * rawsend [-b] [-n COUNT] [-d DSTMAC] IFACE ether|ipv4
 *
 * Sends COUNT (default 3) Ethernet frames through an AF_PACKET SOCK_RAW
 * socket bound to IFACE, the way a DHCP client or a sniffer-turned-sender
 * would, bypassing the IP stack and its hooks:
 *   ether  ethertype 0x88b5 (IEEE local experimental), 46 bytes of payload
 *   ipv4   an IPv4/UDP datagram 192.0.2.2:40007 -> 192.0.2.1:9 built by
 *          hand (header checksum set, UDP checksum 0), payload
 *          "torfw-rawsend"
 * -b sets PACKET_QDISC_BYPASS (packet_direct_xmit instead of the qdisc).
 * -d the destination MAC (default ff:ff:ff:ff:ff:ff); the source is
 * IFACE's own.
 *
 * Prints one line: what was sent and how each sendto() ended. Exit
 * status: 0 every frame was accepted by sendto(), 3 some were not, 1 the
 * socket could not be opened or bound (errno printed), 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"

#define ETHERTYPE_EXPERIMENTAL 0x88b5

/* Builds the frame after the Ethernet header; returns its whole length. */
static size_t build(unsigned char *frame, const char *kind)
{
	struct ether_header *eh = (struct ether_header *)frame;
	unsigned char *l3 = frame + sizeof(*eh);
	static const char payload[] = "torfw-rawsend";

	if (strcmp(kind, "ether") == 0) {
		eh->ether_type = htons(ETHERTYPE_EXPERIMENTAL);
		memset(l3, 0x5a, 46);
		memcpy(l3, payload, sizeof(payload) - 1);
		return sizeof(*eh) + 46;
	}
	if (strcmp(kind, "ipv4") == 0) {
		eh->ether_type = htons(ETHERTYPE_IP);
		return sizeof(*eh) + frame_udp4(l3, 0x7f01, 40007, payload);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char frame[ETH_FRAME_LEN] = { 0 };
	unsigned char dst[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct ether_header *eh = (struct ether_header *)frame;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr;
	int opt, fd, i, count = 3, bypass = 0, sent = 0, one = 1;
	int first_err = 0;
	size_t len;

	while ((opt = getopt(argc, argv, "bn:d:")) != -1) {
		switch (opt) {
		case 'b':
			bypass = 1;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'd':
			if (parse_mac(optarg, dst)) {
				fprintf(stderr, "rawsend: bad MAC %s\n", optarg);
				return 2;
			}
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	len = build(frame, argv[optind + 1]);
	if (!len)
		goto usage;

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		printf("rawsend: socket(AF_PACKET, SOCK_RAW): %s\n",
		       strerrorname_np(errno));
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[optind]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		printf("rawsend: %s: %s\n", argv[optind], strerrorname_np(errno));
		return 1;
	}
	sll.sll_ifindex = ifr.ifr_ifindex;
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, dst, ETH_ALEN);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		printf("rawsend: SIOCGIFHWADDR: %s\n", strerrorname_np(errno));
		return 1;
	}
	memcpy(eh->ether_shost, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(eh->ether_dhost, dst, ETH_ALEN);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		printf("rawsend: bind %s: %s\n", argv[optind],
		       strerrorname_np(errno));
		return 1;
	}
	if (bypass && setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
				 sizeof(one)) < 0) {
		printf("rawsend: PACKET_QDISC_BYPASS: %s\n",
		       strerrorname_np(errno));
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) == (ssize_t)len)
			sent++;
		else if (!first_err)
			first_err = errno;
	}
	printf("rawsend: %s %s%s uid=%u: %d/%d accepted by sendto%s%s\n",
	       argv[optind], argv[optind + 1], bypass ? " qdisc-bypass" : "",
	       getuid(), sent, count, first_err ? ", first error " : "",
	       first_err ? strerrorname_np(first_err) : "");
	close(fd);
	return sent == count ? 0 : 3;
usage:
	fprintf(stderr, "usage: %s [-b] [-n COUNT] [-d DSTMAC] IFACE ether|ipv4\n",
		argv[0]);
	return 2;
}
