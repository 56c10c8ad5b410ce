/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rawsend and xdpsend share: a MAC address from text, and the IPv4
 * UDP datagram 192.0.2.2:SPORT -> 192.0.2.1:9 they put in their frames
 * (header checksum set, UDP checksum 0), built by hand.
 */
#ifndef TORFW_VM_FRAME_H
#define TORFW_VM_FRAME_H

#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline int parse_mac(const char *s, unsigned char *mac)
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return 0;
}

static inline uint16_t ip_csum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The datagram at l3 (IP id, UDP source port, payload); its length. */
static inline size_t frame_udp4(unsigned char *l3, uint16_t id,
				uint16_t sport, const char *payload)
{
	struct iphdr *ip = (struct iphdr *)l3;
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	size_t plen = strlen(payload), ulen = sizeof(*udp) + plen;

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + ulen));
	ip->id = htons(id);
	inet_pton(AF_INET, "192.0.2.2", &ip->saddr);
	inet_pton(AF_INET, "192.0.2.1", &ip->daddr);
	ip->check = ip_csum(ip, sizeof(*ip));
	udp->source = htons(sport);
	udp->dest = htons(9);
	udp->len = htons((uint16_t)ulen);
	udp->check = 0;
	memcpy(udp + 1, payload, plen);
	return sizeof(*ip) + ulen;
}

#endif /* TORFW_VM_FRAME_H */
