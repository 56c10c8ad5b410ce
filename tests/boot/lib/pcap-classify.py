#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pcap-classify.py PCAP GUEST_MAC [EXPECTED...]

Reads a pcap file written by qemu's filter-dump on the guest's uplink
(from the instant qemu starts, before the guest's firmware runs) and
classifies every frame the guest sent (source MAC GUEST_MAC):

  expected   matches one of EXPECTED, "tcp:ADDR:PORT" (IPv4 TCP to
             ADDR:PORT, the Tor uid's probe), or is an ARP request (the
             neighbour lookup that such a packet needs)
  ipv4-tcp, ipv4-udp, ipv4-icmp, ipv4-other, ipv6, non-ip
             everything else: each is a frame that left without being Tor's

Prints one line per class "CLASS COUNT", then up to 20 lines
"leak: ..." describing the unexpected frames.
"""
import ipaddress
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return
        magic = struct.unpack("<I", hdr[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, incl, _ = struct.unpack(endian + "IIII", rec)
            data = f.read(incl)
            if len(data) < incl:
                return
            yield data


def mac(b):
    return ":".join(f"{x:02x}" for x in b)


def describe(eth_type, p):
    """(class, text) of one frame's payload after the Ethernet header."""
    if eth_type == 0x0806:
        return "arp", "ARP"
    if eth_type == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 0x0F) * 4
        proto = p[9]
        src = ipaddress.IPv4Address(p[12:16])
        dst = ipaddress.IPv4Address(p[16:20])
        l4 = p[ihl:]
        if proto == 6 and len(l4) >= 14:
            sport, dport = struct.unpack("!HH", l4[:4])
            flags = l4[13]
            return "ipv4-tcp", f"IPv4 TCP {src}:{sport} > {dst}:{dport} flags 0x{flags:02x}"
        if proto == 17 and len(l4) >= 4:
            sport, dport = struct.unpack("!HH", l4[:4])
            return "ipv4-udp", f"IPv4 UDP {src}:{sport} > {dst}:{dport}"
        if proto == 1 and len(l4) >= 2:
            return "ipv4-icmp", f"IPv4 ICMP {src} > {dst} type {l4[0]} code {l4[1]}"
        return "ipv4-other", f"IPv4 proto {proto} {src} > {dst}"
    if eth_type == 0x86DD and len(p) >= 40:
        nxt = p[6]
        src = ipaddress.IPv6Address(p[8:24])
        dst = ipaddress.IPv6Address(p[24:40])
        extra = f" ICMPv6 type {p[40]}" if nxt == 58 and len(p) > 40 else ""
        return "ipv6", f"IPv6 next-header {nxt} {src} > {dst}{extra}"
    return "non-ip", f"ethertype 0x{eth_type:04x}"


def main():
    path, guest = sys.argv[1], sys.argv[2].lower()
    expected = set()
    for e in sys.argv[3:]:
        kind, addr, port = e.split(":")
        assert kind == "tcp", e
        expected.add((addr, int(port)))
    classes = ["expected", "ipv4-tcp", "ipv4-udp", "ipv4-icmp", "ipv4-other",
               "ipv6", "non-ip"]
    count = dict.fromkeys(classes, 0)
    leaks = []
    total = 0
    for fr in frames(path):
        total += 1
        if len(fr) < 14 or mac(fr[6:12]) != guest:
            continue
        eth_type = struct.unpack("!H", fr[12:14])[0]
        p = fr[14:]
        if eth_type == 0x8100 and len(fr) >= 18:
            eth_type = struct.unpack("!H", fr[16:18])[0]
            p = fr[18:]
        cls, text = describe(eth_type, p)
        if cls == "arp" and expected:
            cls = "expected"
        elif cls == "arp":
            cls = "non-ip"
        elif cls == "ipv4-tcp" and len(p) >= 24:
            ihl = (p[0] & 0x0F) * 4
            dst = str(ipaddress.IPv4Address(p[16:20]))
            dport = struct.unpack("!H", p[ihl + 2:ihl + 4])[0]
            if (dst, dport) in expected:
                cls = "expected"
        count[cls] += 1
        if cls != "expected":
            leaks.append(text)
    print(f"frames {total}")
    for c in classes:
        print(f"{c} {count[c]}")
    for text in leaks[:20]:
        print(f"leak: {text}")


if __name__ == "__main__":
    main()
