#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""genpolicy.py OUTDIR [EXTRA...]

Writes the reference policy of DESIGN.md section 2 once per contender, the
way an integrator would write it for that tool, plus variants with EXTRA
additional loopback allow-list entries (default 10 1000 10000):

  torfw-ref.conf, torfw-N.conf   torfwctl load (ctl/torfw.conf's content)
  ipt-ref.rules, ipt-N.rules     iptables-restore (legacy and nft backends):
                                 a first-match chain like Tails' ferm output
  ip6t.rules                     ip6tables-restore (the IPv6 part)
  nft-ref.nft, nft-N.nft         nft -f: sets, a verdict map keyed on a
                                 concatenation, meta skuid
  nftn-ref.nft, nftn-N.nft       the same with the loopback allow-list as
                                 a map keyed on uid . proto . port only
                                 (no address: how a careful nftables
                                 user writes it; [::1] and 127.0.0.1
                                 then share their entries)
  ctonly.nft                     the conntrack-only contender: conntrack and
                                 NAT hooks instantiated, no policy
  ctnat.nft, ctnotrack.nft,      profiling variants (guest/bench.sh)
  hooks10.nft,
  torfw-noredir.conf

The extra entries are 'tcp 127.0.0.1:PORT' for uid 1001 (ports 20000 up),
each one port. In the linear rulesets (iptables) they come before the
reference entries, and the entry the benchmark hits (tcp 9050 for amnesia)
is moved to the end: the worst case of a first-match walk.

Uids are numeric (the guest's /etc/passwd of tests/vm/lib/mkinitramfs.sh);
torfw.conf names users as the shipped config does.
"""
import os
import sys

UID = {
    "root": 0, "_apt": 42, "proxy": 13, "debian-tor": 107, "clearnet": 108,
    "htp": 109, "tails-upgrade-frontend": 110,
    "tails-iuk-get-target-file": 111, "Debian-gdm": 112, "amnesia": 1000,
    "nobody": 65534,
}

# (proto, address, port_lo, port_hi, allowed users, dropped users);
# DESIGN.md section 2, in ctl/torfw.conf's order.
SERVICES4 = [
    ("tcp", "127.0.0.1", 9050, 9050,
     ["amnesia", "_apt", "proxy", "nobody", "tails-upgrade-frontend"], []),
    ("tcp", "127.0.0.1", 9062, 9062,
     ["amnesia", "htp", "tails-upgrade-frontend"], []),
    ("tcp", "127.0.0.1", 9063, 9063, ["tails-iuk-get-target-file"], []),
    ("tcp", "127.0.0.1", 9052, 9052, ["root"], []),
    ("tcp", "127.0.0.1", 951, 951, ["amnesia", "root"], []),
    ("tcp", "127.0.0.1", 9040, 9040, ["amnesia"], []),
    ("udp", "127.0.0.1", 53, 53, ["amnesia", "htp"], ["_apt"]),
    ("udp", "127.0.0.1", 5353, 5353, ["amnesia", "htp"], ["_apt"]),
    ("tcp", "127.0.0.1", 4101, 4101, ["amnesia", "Debian-gdm"], []),
    ("tcp", "127.0.0.1", 631, 631, ["amnesia"], []),
    ("tcp", "127.0.0.1", 17600, 17650, ["amnesia"], []),
]
SERVICES6 = [("tcp", "::1", 4101, 4101, ["amnesia", "Debian-gdm"], [])]
HIT = ("tcp", 9050, "amnesia")
LAN4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
LAN_REFUSE = [("tcp", 53), ("udp", 53), ("udp", 137)]
EXTRA_UID = 1001
EXTRA_PORT0 = 20000
CLEARNET_DEV = "cn0"    # the veth of the granted namespace (topology.sh)


def extras(n):
    return [("tcp", "127.0.0.1", EXTRA_PORT0 + i, EXTRA_PORT0 + i,
             [EXTRA_UID], []) for i in range(n)]


def uid(u):
    return u if isinstance(u, int) else UID[u]


def ports(lo, hi, sep):
    return str(lo) if lo == hi else "%d%s%d" % (lo, sep, hi)


# ---- torfw ------------------------------------------------------------------

# torfw's reference also names a cgroup (workload conn-cgroup): amnesia in
# it connects to an entry that names only the cgroup.
CGROUP_ENTRY = "allow tcp 127.0.0.1:9071 cgroup:/bench-cg"


def torfw_conf(ref_conf, n):
    lines = [ref_conf.rstrip("\n"), ""]
    if not n:
        lines += ["# the cgroup entry of conn-cgroup (tests/bench)",
                  CGROUP_ENTRY]
    if n:
        lines.append("# %d extra entries (tests/bench/genpolicy.py)" % n)
        for p, a, lo, hi, allow, _ in extras(n):
            lines.append("allow %s %s:%s %s" % (p, a, ports(lo, hi, "-"),
                                                 " ".join(map(str, allow))))
    return "\n".join(lines) + "\n"


# ---- iptables ---------------------------------------------------------------

def ipt_service_rules(svcs, v6=False):
    """One rule per (entry, user), dropped users first: ferm's expansion."""
    out = []
    for p, a, lo, hi, allow, drop in svcs:
        m = "-o lo -d %s -p %s" % (a, p)
        m += " -m tcp --syn" if p == "tcp" else " -m udp"
        m += " --dport %s" % ports(lo, hi, ":")
        for u in drop:
            out.append("-A OUTPUT %s -m owner --uid-owner %d -j DROP"
                       % (m, uid(u)))
        for u in allow:
            out.append("-A OUTPUT %s -m owner --uid-owner %d "
                       "-m conntrack --ctstate NEW -j ACCEPT" % (m, uid(u)))
    return out


def ipt_rules(n):
    svcs = list(SERVICES4)
    if n is not None:
        # The hit entry last, after n extra entries.
        hit = [s for s in svcs if s[0] == HIT[0] and s[2] == HIT[1]][0]
        rest = [u for u in hit[4] if u != HIT[2]]
        svcs = extras(n) + [s for s in svcs if s is not hit]
        svcs.append(hit[:4] + (rest, hit[5]))
        svcs.append(hit[:4] + ([HIT[2]], []))
    log = ('-m limit --limit 10/sec --limit-burst 20 -j LOG '
           '--log-prefix "torfw-ipt refused: " --log-level 4 --log-uid')
    r = [
        "# The reference policy as a ferm-generated chain would be "
        "(tests/bench/genpolicy.py)",
        "*nat",
        ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
        "-A OUTPUT -d 127.192.0.0/10 -p tcp -j REDIRECT --to-ports 9040",
        "-A OUTPUT -d 127.0.0.1/32 -p udp -m udp --dport 53 "
        "-j REDIRECT --to-ports 5353",
        "COMMIT",
        "*filter",
        ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT DROP [0:0]",
        "-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT",
        "-A INPUT -i lo -j ACCEPT",
        "-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT",
        "-A FORWARD -i %s -d 127.0.0.0/8 -j DROP" % CLEARNET_DEV,
        "-A FORWARD -i %s -p tcp -j ACCEPT" % CLEARNET_DEV,
        "-A FORWARD -i %s -p udp -j ACCEPT" % CLEARNET_DEV,
        # 1. established
        "-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT",
        "-A OUTPUT -m conntrack --ctstate INVALID -j DROP",
        # 2. loopback
        "-A OUTPUT -o lo -p icmp -m conntrack --ctstate RELATED -j ACCEPT",
    ]
    r += ipt_service_rules(svcs)
    r += [
        "-A OUTPUT -o lo %s" % log,
        "-A OUTPUT -o lo -j REJECT --reject-with icmp-port-unreachable",
        # 3. clearnet
        "-A OUTPUT ! -o lo -p tcp -m owner --uid-owner %d -j ACCEPT"
        % UID["clearnet"],
        "-A OUTPUT ! -o lo -p udp -m udp --dport 53 -m owner --uid-owner %d "
        "-j ACCEPT" % UID["clearnet"],
        # 4. tor
        "-A OUTPUT -p tcp -m tcp --syn -m owner --uid-owner %d "
        "-m conntrack --ctstate NEW -j ACCEPT" % UID["debian-tor"],
        "-A OUTPUT -p udp -m udp --dport 53 -m owner --uid-owner %d -j ACCEPT"
        % UID["debian-tor"],
    ]
    # 5. LAN: ferm's "daddr ($LAN) { ... }" expands per prefix.
    for pfx in LAN4:
        for p, port in LAN_REFUSE:
            r.append("-A OUTPUT -d %s -p %s -m %s --dport %d %s"
                     % (pfx, p, p, port, log))
            r.append("-A OUTPUT -d %s -p %s -m %s --dport %d "
                     "-j REJECT --reject-with icmp-port-unreachable"
                     % (pfx, p, p, port))
        r.append("-A OUTPUT -d %s -j ACCEPT" % pfx)
    # 6. the rest
    r += ["-A OUTPUT %s" % log,
          "-A OUTPUT -j REJECT --reject-with icmp-port-unreachable",
          "COMMIT"]
    return "\n".join(r) + "\n"


def ip6t_rules():
    log = ('-m limit --limit 10/sec --limit-burst 20 -j LOG '
           '--log-prefix "torfw-ipt refused: " --log-level 4 --log-uid')
    r = [
        "*filter",
        ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT DROP [0:0]",
        "-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT",
        "-A INPUT -i lo -j ACCEPT",
        "-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT",
        "-A OUTPUT -m conntrack --ctstate INVALID -j DROP",
        "-A OUTPUT -o lo -p ipv6-icmp -m conntrack --ctstate RELATED -j ACCEPT",
    ]
    r += ipt_service_rules(SERVICES6, v6=True)
    r += ["-A OUTPUT %s" % log,
          "-A OUTPUT -j REJECT --reject-with icmp6-port-unreachable",
          "COMMIT"]
    return "\n".join(r) + "\n"


# ---- nftables ---------------------------------------------------------------

def nft_elems(svcs, addr_first=True):
    out = []
    for p, a, lo, hi, allow, drop in svcs:
        for u in drop:
            out.append("%s . %s . %s . %d : drop"
                       % (p, a, ports(lo, hi, "-"), uid(u)))
        for u in allow:
            out.append("%s . %s . %s . %d : accept"
                       % (p, a, ports(lo, hi, "-"), uid(u)))
    return out


def nft_ruleset(n):
    e4 = nft_elems(SERVICES4 + extras(n or 0))
    e6 = nft_elems(SERVICES6)

    def elems(lst):
        return ",\n\t\t\t".join(lst)
    refuse = ", ".join("%s . %d" % x for x in LAN_REFUSE)
    return """\
# The reference policy, idiomatic nftables (tests/bench/genpolicy.py)
flush ruleset

table ip torfw_nat {
	chain output {
		type nat hook output priority -100; policy accept;
		ip daddr 127.192.0.0/10 meta l4proto tcp redirect to :9040
		ip daddr 127.0.0.1 udp dport 53 redirect to :5353
	}
}

table inet torfw {
	set lan4 {
		type ipv4_addr
		flags interval
		elements = { %(lan)s }
	}
	set lan_refuse {
		type inet_proto . inet_service
		elements = { %(refuse)s }
	}
	map local4 {
		type inet_proto . ipv4_addr . inet_service . uid : verdict
		flags interval
		elements = {
			%(e4)s
		}
	}
	map local6 {
		type inet_proto . ipv6_addr . inet_service . uid : verdict
		flags interval
		elements = {
			%(e6)s
		}
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state established accept
		iif lo accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established accept
		iifname "%(cn)s" ip daddr 127.0.0.0/8 drop
		iifname "%(cn)s" meta l4proto { tcp, udp } accept
	}
	chain output {
		type filter hook output priority filter; policy drop;
		ct state vmap { established : accept, invalid : drop }
		oif lo jump loopback
		meta skuid vmap { %(clearnet)d : jump clearnet, %(tor)d : jump tor }
		ip daddr @lan4 jump lan
		jump refuse
	}
	chain loopback {
		ct state related meta l4proto { icmp, ipv6-icmp } accept
		meta l4proto tcp tcp flags & (fin | syn | rst | ack) != syn jump refuse
		meta l4proto . ip daddr . th dport . meta skuid vmap @local4
		meta l4proto . ip6 daddr . th dport . meta skuid vmap @local6
		jump refuse
	}
	chain clearnet {
		oif lo return
		meta l4proto tcp accept
		udp dport 53 accept
	}
	chain tor {
		meta l4proto tcp tcp flags & (fin | syn | rst | ack) == syn accept
		udp dport 53 accept
	}
	chain lan {
		meta l4proto . th dport @lan_refuse jump refuse
		accept
	}
	chain refuse {
		limit rate 10/second burst 20 packets log prefix "torfw-nft refused: " flags skuid
		reject with icmpx type port-unreachable
	}
}
""" % {"lan": ", ".join(LAN4), "refuse": refuse, "e4": elems(e4),
       "e6": elems(e6), "cn": CLEARNET_DEV, "clearnet": UID["clearnet"],
       "tor": UID["debian-tor"]}


def nft_narrow_elems(svcs):
    seen, out = set(), []
    for p, a, lo, hi, allow, drop in svcs:
        for u, v in [(u, "drop") for u in drop] + [(u, "accept")
                                                   for u in allow]:
            key = (uid(u), p, lo, hi)
            if key in seen:
                continue
            seen.add(key)
            out.append("%d . %s . %s : %s" % (uid(u), p,
                                                ports(lo, hi, "-"), v))
    return out


def nft_narrow_ruleset(n):
    """nft_ruleset with the allow-list keyed on uid . l4proto . dport."""
    text = nft_ruleset(n)
    start = text.index("\tmap local4 {")
    end = text.index("\tchain input {")
    elems = ",\n\t\t\t".join(
        nft_narrow_elems(SERVICES4 + extras(n or 0) + SERVICES6))
    text = text[:start] + """\tmap local {
		type uid . inet_proto . inet_service : verdict
		flags interval
		elements = {
			%s
		}
	}

""" % elems + text[end:]
    old = """		meta l4proto . ip daddr . th dport . meta skuid vmap @local4
		meta l4proto . ip6 daddr . th dport . meta skuid vmap @local6
"""
    assert old in text
    return text.replace(old, """		meta skuid . meta l4proto . th dport vmap @local
""").replace("idiomatic nftables", "nftables, narrow allow-list key")


CTNAT = """\
# conntrack with the reference policy's two NAT redirects, no filter: the
# floor of the automap path for any design that uses conntrack NAT
# (tests/bench/genpolicy.py)
flush ruleset

table ip ctnat {
	chain nat_output {
		type nat hook output priority -100; policy accept;
		ip daddr 127.192.0.0/10 meta l4proto tcp redirect to :9040
		ip daddr 127.0.0.1 udp dport 53 redirect to :5353
	}
}
"""

CTNOTRACK = """\
# conntrack and NAT hooks registered, every packet untracked at raw
# priority: what the hooks cost when conntrack has nothing to do
# (tests/bench/genpolicy.py)
flush ruleset

table ip ctnotrack {
	chain raw_output {
		type filter hook output priority raw; policy accept;
		notrack
	}
	chain raw_prerouting {
		type filter hook prerouting priority raw; policy accept;
		notrack
	}
	chain nat_output {
		type nat hook output priority -100; policy accept;
	}
	chain output {
		type filter hook output priority filter; policy accept;
		ct state established accept
	}
}
"""

# Ten empty base chains where conntrack, defrag and NAT put the ten hooks
# that torfw's nf_ct_netns_get() and nf_nat_ipv4_register_fn() register:
# what ten more hook calls per loopback packet cost, no conntrack at all.
HOOKS10 = "# ten empty base chains (tests/bench/genpolicy.py)\nflush ruleset\n\n" \
    "table ip hooks10 {\n" + "".join(
        "\tchain c%d {\n\t\ttype filter hook %s priority %d; "
        "policy accept;\n\t}\n" % (i, h, prio) for i, (h, prio) in enumerate([
            ("output", -400), ("output", -200), ("output", -100),
            ("postrouting", 100), ("postrouting", 300),
            ("prerouting", -400), ("prerouting", -200),
            ("prerouting", -100), ("input", 100), ("input", 300)])) + "}\n"

CTONLY = """\
# conntrack-only: conntrack and NAT hooks active, no policy
# (tests/bench/genpolicy.py)
flush ruleset

table ip ctonly {
	chain nat_output {
		type nat hook output priority -100; policy accept;
	}
	chain output {
		type filter hook output priority filter; policy accept;
		ct state established accept
	}
}
"""


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or [10, 1000, 10000]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "ctl", "torfw.conf")) as f:
        ref_conf = f.read()
    os.makedirs(out, exist_ok=True)

    def write(name, text):
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    write("torfw-ref.conf", torfw_conf(ref_conf, 0))
    write("ipt-ref.rules", ipt_rules(None))
    write("ip6t.rules", ip6t_rules())
    write("nft-ref.nft", nft_ruleset(None))
    write("nftn-ref.nft", nft_narrow_ruleset(None))
    write("ctonly.nft", CTONLY)
    write("ctnat.nft", CTNAT)
    write("ctnotrack.nft", CTNOTRACK)
    write("hooks10.nft", HOOKS10)
    write("torfw-noredir.conf", "".join(
        l for l in torfw_conf(ref_conf, 0).splitlines(True)
        if not l.startswith("redirect ")))
    for n in sizes:
        write("torfw-%d.conf" % n, torfw_conf(ref_conf, n))
        write("ipt-%d.rules" % n, ipt_rules(n))
        write("nft-%d.nft" % n, nft_ruleset(n))
        write("nftn-%d.nft" % n, nft_narrow_ruleset(n))


if __name__ == "__main__":
    main()
