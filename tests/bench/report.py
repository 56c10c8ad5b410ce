#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py --console LOG --meta META --out DIR [--kunit TEST_LOG]

Turns the benchmark VM's console (the '@@bench:' lines of
tests/bench/guest/bench.sh) into DIR/results.json, DIR/results.md and
DIR/results.png (gnuplot). Every figure is a median over the rounds, with
the min and max beside it. The cost a contender adds over "none" comes
from the median rates: cost = 1/rate - 1/rate_none, in guest CPU time per
unit of work (the guest clock counts instructions). The targets are
reported, never asserted: the exit status says only whether the report
could be made.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

CONTENDERS = ["none", "conntrack", "iptables-nft", "iptables-legacy",
              "nftables", "nftables-narrow", "torfw", "torfw-nopolicy"]
LABEL = {"none": "none", "conntrack": "conntrack-only",
         "iptables-nft": "iptables (nft)", "iptables-legacy":
         "iptables (legacy)", "nftables": "nftables",
         "nftables-narrow": "nftables (uid.proto.port key)",
         "torfw": "torfw", "torfw-nopolicy": "torfw, no policy"}
IPT = ["iptables-nft", "iptables-legacy"]

# workload: (title, rate unit, cost unit, factor from seconds per unit of
# rate to the cost unit)
WORKLOADS = {
    "conn": ("TCP connect/accept/close, 127.0.0.1:9050", "conn/s",
             "µs/conn", 1e6),
    "conn-nat": ("same via automap 127.200.1.2:80 -> :9040 (NAT)",
                 "conn/s", "µs/conn", 1e6),
    "rr": ("TCP 1-byte request/response, one connection", "trans/s",
           "µs/trans", 1e6),
    "bulk": ("TCP bulk, loopback, 64 KiB writes", "MiB/s", "µs/MiB", 1e6),
    "udp": ("UDP 1-byte datagrams to the LAN host (veth)", "pkt/s",
            "µs/1000 pkt", 1e9),
    "udp-rr": ("UDP 1-byte request/response, unconnected socket, LAN host",
               "trans/s", "µs/trans", 1e6),
    "conn-busy": ("conn with 1,000 other connections open all along",
                  "conn/s", "µs/conn", 1e6),
    "conn-cgroup": ("conn to 127.0.0.1:9071, an entry naming only the "
                    "cgroup the client is in (torfw only)", "conn/s",
                    "µs/conn", 1e6),
}
SIZES = [10, 1000, 10000]
for _n in SIZES:
    WORKLOADS["conn-%d" % _n] = (
        "conn/s with %s extra allow-list entries" % format(_n, ","),
        "conn/s", "µs/conn", 1e6)
RATE_ORDER = ["conn", "conn-cgroup", "conn-busy", "conn-nat", "rr", "bulk", "udp",
              "udp-rr"] + \
    ["conn-%d" % n for n in SIZES]

LINE = re.compile(r"^@@bench: (\w+) ?(.*)$")


def kv(text):
    return dict(w.split("=", 1) for w in text.split() if "=" in w)


def parse_console(path):
    raw, probes, residue, errors, progress = [], [], [], [], []
    hooks = []
    end = False
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\r\n"))
            if not m:
                continue
            kind, rest = m.groups()
            if kind == "result":
                d = kv(rest)
                d["round"] = int(d["round"])
                d["value"] = float(d["value"])
                raw.append(d)
            elif kind == "probe":
                probes.append(kv(rest))
            elif kind == "residue":
                d = kv(rest.split(" hooks=")[0])
                d["hooks"] = rest.split(" hooks=", 1)[1] \
                    if " hooks=" in rest else ""
                residue.append(d)
            elif kind == "error":
                errors.append(rest)
            elif kind == "progress":
                progress.append(rest)
            elif kind == "hooks":
                hooks.append(kv(rest))
            elif kind == "end":
                end = True
    return raw, probes, residue, errors, progress, end, hooks


def summarize(raw):
    by = {}
    for r in raw:
        by.setdefault(r["contender"], {}).setdefault(
            r["workload"], []).append(r)
    out = {}
    for c, ws in by.items():
        for w, rs in ws.items():
            vals = [r["value"] for r in sorted(rs, key=lambda r: r["round"])]
            out.setdefault(c, {})[w] = {
                "unit": rs[0]["unit"],
                "median": statistics.median(vals),
                "min": min(vals), "max": max(vals), "n": len(vals),
                "values": vals,
                "spread_pct": 100.0 * (max(vals) - min(vals)) /
                statistics.median(vals),
            }
    return out


def get(s, c, w, k="median"):
    return s.get(c, {}).get(w, {}).get(k)


def costs(s):
    """Added cost over none, from the median rates."""
    out = {}
    for w, (_, _, cu, factor) in WORKLOADS.items():
        base_w = "conn" if w.startswith("conn-") and w != "conn-nat" else w
        base = get(s, "none", base_w)
        if not base:
            continue
        for c in order(s):
            if c == "none":
                continue
            r = get(s, c, w)
            if r:
                out.setdefault(w, {})[c] = (1.0 / r - 1.0 / base) * factor
    return out


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


def targets(s, cost):
    t = []
    rate_ws = [w for w in RATE_ORDER if w in cost]
    for w in rate_ws:
        tc = cost[w].get("torfw")
        for ipt in IPT:
            r = ratio(tc, cost[w].get(ipt))
            if r is not None:
                t.append({"target": "torfw cost <= 1/2 %s cost: %s"
                          % (LABEL[ipt], w), "value": r, "limit": 0.5,
                          "met": r <= 0.5, "what": "ratio"})
        r = ratio(tc, cost[w].get("nftables"))
        if r is not None:
            t.append({"target": "torfw cost <= nftables cost: %s" % w,
                      "value": r, "limit": 1.0, "met": r <= 1.0,
                      "what": "ratio"})
    # Issue 15's targets: near-zero cost on the paths every program uses.
    none_conn = get(s, "none", "conn")
    if none_conn and get(s, "torfw", "conn"):
        v = 100.0 * (1 - get(s, "torfw", "conn") / none_conn)
        t.append({"target": "torfw conn rate at most 1.5 % below none",
                  "value": v, "limit": 1.5, "met": v <= 1.5,
                  "what": "percent"})
    for w, lim in (("conn", 0.1), ("rr", 0.3), ("bulk", 0.3)):
        r = ratio(cost.get(w, {}).get("torfw"),
                  cost.get(w, {}).get("iptables-legacy"))
        if r is not None:
            t.append({"target": "torfw cost <= %g x iptables (legacy) "
                      "cost: %s" % (lim, w), "value": r, "limit": lim,
                      "met": r <= lim, "what": "ratio"})
    for w in ("udp", "udp-rr"):
        r = ratio(cost.get(w, {}).get("torfw"),
                  cost.get(w, {}).get("conntrack"))
        if r is not None:
            t.append({"target": "torfw cost <= 1/2 conntrack-only cost: %s"
                      % w, "value": r, "limit": 0.5, "met": r <= 0.5,
                      "what": "ratio"})
    if none_conn and get(s, "torfw-nopolicy", "conn"):
        v = 100.0 * (1 - get(s, "torfw-nopolicy", "conn") / none_conn)
        t.append({"target": "torfw without a policy: conn rate under 1 % "
                  "below none", "value": v, "limit": 1.0, "met": v < 1.0,
                  "what": "percent"})
    a, b = get(s, "torfw", "conn"), get(s, "torfw", "conn-10000")
    if a and b:
        ch = 100.0 * (a - b) / a
        t.append({"target": "torfw conn-10000 within 1 % of conn",
                  "value": ch, "limit": 1.0, "met": abs(ch) <= 1.0,
                  "what": "percent"})
    a, b = get(s, "torfw", "conn-10"), get(s, "torfw", "conn-10000")
    if a and b:
        ch = 100.0 * (b - a) / a
        t.append({"target": "torfw conn rate change, 10 -> 10,000 entries",
                  "value": ch, "limit": 5.0, "met": abs(ch) < 5.0,
                  "what": "percent"})
    tl = get(s, "torfw", "load-10000")
    for ipt in IPT:
        il = get(s, ipt, "load-10000")
        if tl and il:
            t.append({"target": "torfwctl load faster than %s-restore, "
                      "10,000 entries" % ipt.replace("-", "-", 1),
                      "value": tl / il, "limit": 1.0, "met": tl < il,
                      "what": "time ratio"})
    return t


def kunit_figures(path):
    figs = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = re.search(r"decide: (\d+) extra entries: (\d+) "
                              r"ns/decision", line)
                if m:
                    figs.append({"extra_entries": int(m.group(1)),
                                 "ns_per_decision": int(m.group(2))})
    except OSError:
        return None
    return figs or None


# ---- markdown ----------------------------------------------------------------

def fmt(v, w=None):
    if v is None:
        return "–"
    a = abs(v)
    if a >= 1000:
        return format(round(v), ",")
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3f" % v


def cell(s, c, w):
    d = s.get(c, {}).get(w)
    if not d:
        return "–"
    return "%s<br>[%s–%s]" % (fmt(d["median"]), fmt(d["min"]), fmt(d["max"]))


def order(s):
    """The six contenders first, then any profiling variant."""
    return [c for c in CONTENDERS if c in s] + \
        sorted(c for c in s if c not in CONTENDERS)


def hooks_md(hooks):
    """The hook functions each contender's packets ran (first round)."""
    if not hooks:
        return []
    L = ["## Hooks a packet crosses (first round)", "",
         "The function_graph tracer under `nf_hook_slow`, two levels deep: "
         "every netfilter hook function run for one loopback TCP "
         "connection as amnesia (connect, accept, close: all its packets) "
         "and for one UDP datagram to the LAN host. crossings: hook points "
         "with at least one function; calls: hook functions run.", "",
         "| contender | traffic | crossings | calls | functions (calls) |",
         "|---|---|---:|---:|---|"]
    for h in hooks:
        funcs = sorted((f.rsplit(":", 1) for f in
                        h.get("funcs", "").split(",") if ":" in f),
                       key=lambda x: (-int(x[1]), x[0]))
        L.append("| %s | %s | %s | %s | %s |" % (
            LABEL.get(h.get("contender"), h.get("contender")),
            h.get("traffic"), h.get("crossings"), h.get("calls"),
            ", ".join("`%s` %s" % (f, n) for f, n in funcs) or "none"))
    L.append("")
    return L


def markdown(meta, s, cost, tg, probes, residue, errors, kunit, progress,
             hooks=None):
    present = order(s)
    L = []
    host = meta.get("host", {})
    L += ["<!-- SPDX-License-Identifier: GPL-2.0 -->",
          "# torfw benchmark results", "",
          "Generated by `%s` on %s, commit `%s`."
          % (meta.get("command"), meta.get("date"), meta.get("git")),
          "",
          "- machine: %s, %s, %s cores, %s, host kernel %s; "
          "load average %s at the start, %s at the end (other jobs ran "
          "meanwhile: the guest clock does not see them)"
          % (host.get("os"), host.get("cpu"), host.get("cores"),
             host.get("memory"), host.get("kernel"),
             host.get("loadavg_start"),
             " ".join(host.get("loadavg_end", []))),
          "- measured: commit %s (`git describe` before the boot), "
          "uncommitted changes in kmod/ and ctl/: %s; torfw.ko srcversion "
          "%s, built %s"
          % (meta.get("build", {}).get("head", "?")[:12],
             ", ".join(meta.get("build", {}).get("uncommitted_kmod_ctl", []))
             or "none", meta.get("build", {}).get("torfw_ko_srcversion"),
             meta.get("build", {}).get("torfw_ko_built")),
          "- VM: %s, `qemu-system-x86_64 %s`, guest kernel %s, one boot"
          % (meta.get("qemu"), meta.get("qemu_args"),
             meta.get("guest_kernel")),
          "- %d rounds, contender order shuffled per round with seed %s "
          "(`TORFW_BENCH_SEED=%s` repeats it); wall time %d s"
          % (meta.get("rounds"), meta.get("seed"), meta.get("seed"),
             meta.get("wall_seconds", 0)),
          "- every figure: median over the rounds, [min–max] below it; "
          "rates in guest time (1 instruction = 1 ns under `-icount "
          "shift=0`), so they measure CPU work per operation",
          ""]
    if meta.get("env"):
        L += ["- environment: %s" % " ".join(
            "%s=%s" % kv_ for kv_ in sorted(meta["env"].items())), ""]
    if errors:
        L += ["**%d errors** (see the console log):" % len(errors), ""]
        L += ["- `%s`" % e[:200] for e in errors[:20]] + [""]

    L += ["## Rates", "",
          "| workload | unit | " + " | ".join(LABEL.get(c, c) for c in present)
          + " |", "|---|---|" + "---:|" * len(present)]
    for w in RATE_ORDER:
        if not any(w in s.get(c, {}) for c in present):
            continue
        L.append("| %s: %s | %s | " % (w, WORKLOADS[w][0], WORKLOADS[w][1])
                 + " | ".join(cell(s, c, w) for c in present) + " |")
    L += ["", "conn-nat for none and conntrack-only (nothing redirects "
          "there): a direct connection to the same listener, "
          "127.0.0.1:9040. The conn-N rows load the reference policy plus "
          "N extra loopback entries (linear contenders: the hit entry "
          "last); none and conntrack-only have no allow-list, their "
          "baseline is the conn row.", ""]

    cc = [c for c in present if c != "none"]
    L += ["## Cost added over none", "",
          "cost = 1/rate − 1/rate(none), medians; ratios of torfw's "
          "added cost to the others' (target: ≤ 0.5 against iptables, "
          "≤ 1 against nftables).", "",
          "| workload | unit | " + " | ".join(LABEL.get(c, c) for c in cc)
          + " | torfw / ipt-nft | torfw / ipt-legacy | torfw / nftables |",
          "|---|---|" + "---:|" * (len(cc) + 3)]
    for w in RATE_ORDER:
        if w not in cost:
            continue
        tc = cost[w].get("torfw")
        L.append("| %s | %s | " % (w, WORKLOADS[w][2])
                 + " | ".join(fmt(cost[w].get(c)) for c in cc) + " | "
                 + " | ".join(fmt(ratio(tc, cost[w].get(o)))
                              for o in IPT + ["nftables"]) + " |")
    L.append("")

    loads = ["load-ref"] + ["load-%d" % n for n in SIZES] + ["check-10000"]
    lc = [c for c in present if any(l in s.get(c, {}) for l in loads[1:])]
    if lc:
        L += ["## Control plane", "",
              "Guest seconds for the one command that loads the policy "
              "(`torfwctl load`, `iptables-restore`, `nft -f`). load-ref "
              "is the first load after a clean teardown (modules "
              "auto-loaded meanwhile included; iptables: the IPv4 "
              "ruleset only, ip6tables-restore runs untimed after it); "
              "load-N atomically replaces the previous policy with the "
              "reference one plus N extra entries (10, then 1,000, then "
              "10,000).", "",
              "| load | " + " | ".join(LABEL.get(c, c) for c in lc) + " |",
              "|---|" + "---:|" * len(lc)]
        for l in loads:
            if not any(l in s.get(c, {}) for c in lc):
                continue
            L.append("| %s (s) | " % l
                     + " | ".join(cell(s, c, l) for c in lc) + " |")
        L.append("")

    L += ["## Targets (reported, not asserted)", "",
          "| target | value | limit | met |", "|---|---:|---:|:---:|"]
    for t in tg:
        v = ("%+.1f %%" % t["value"]) if t["what"] == "percent" \
            else "%.2f" % t["value"]
        L.append("| %s | %s | %s | %s |" % (
            t["target"], v, ("< %g %%" % t["limit"]) if t["what"] ==
            "percent" else "≤ %g" % t["limit"], "yes" if t["met"] else
            "**no**"))
    L.append("")

    L += hooks_md(hooks)

    if kunit:
        L += ["## KUnit micro-benchmark of the decision function", "",
              "From the KUnit run's test.log (UML on the host, wall-clock "
              "ns, not guest time):", ""]
        L += ["- decide: %s extra entries: %d ns/decision"
              % (format(k["extra_entries"], ","), k["ns_per_decision"])
              for k in kunit]
        L.append("")

    if probes:
        L += ["## Policy probes (first round)", "",
              "Each contender must refuse what the policy refuses; none "
              "and conntrack-only must let it pass.", "",
              "| contender | probe | expected | seen |", "|---|---|---|---|"]
        for p in probes:
            ok = "" if p.get("expected") == p.get("seen") else " **(!)**"
            L.append("| %s | %s | %s | %s%s |" % (
                LABEL.get(p.get("contender"), p.get("contender")),
                p.get("probe"), p.get("expected"), p.get("seen"), ok))
        L.append("")

    if residue:
        left = sorted({m for r in residue for m in
                       r.get("modules", "").split(",") if m})
        every = sorted({m for r in residue for m in
                        r.get("all", "").split(",") if m})
        L += ["## Teardown between contenders", "",
              "After each contender: rulesets flushed, `torfwctl flush`, "
              "`rmmod torfw`, conntrack table flushed, then every unused "
              "netfilter module unloaded. Netfilter modules still loaded "
              "after a teardown: %s. Every module loaded after a teardown: "
              "%s. With no netfilter module loaded no hook can be "
              "registered, so \"none\" runs with no netfilter hook at all "
              "(Debian's kernel lacks nfnetlink_hook, so the hooks "
              "themselves cannot be listed)."
              % (", ".join(left) or "none", ", ".join(every) or "none"),
              ""]
    L += ["## Parameters", "", "```", meta.get("params", "").strip(), "```",
          "", "Order of the contenders per round:", "", "```"]
    L += meta.get("plan", [])
    L += ["```", ""]
    return "\n".join(L)


# ---- plot --------------------------------------------------------------------

GP = r"""
set terminal pngcairo size 1400,1000 font "sans,10"
set output "%(png)s"
set multiplot layout 2,2 title "torfw benchmark: %(title)s\n(medians, bars: min-max over %(rounds)d rounds; qemu TCG -icount, guest time)"
set grid ytics
set key outside right top vertical
set style data points
set datafile separator "\t"
set border 3
set xtics nomirror rotate by -25
set ytics nomirror

set xtics (%(xtics)s)
set title "Rates relative to none (median of none = 1)"
set ylabel "rate / rate(none)"
set yrange [0:1.1]
set xrange [-0.5:%(nw)d-0.5]
plot %(relplot)s

set title "Cost added over none (µs per unit of work, log scale)"
set ylabel "added cost"
set logscale y
set autoscale y
set xrange [-0.5:%(nw)d-0.5]
plot %(costplot)s
unset logscale y

set title "Scaling: connection rate vs extra allow-list entries"
set ylabel "conn/s"
set xlabel "extra entries"
set logscale x
set xrange [5:20000]
set yrange [0:*]
set xtics (10, 1000, 10000) norotate
plot %(scaleplot)s

set title "Control plane: load or replace the policy"
set ylabel "guest seconds"
set logscale y
set yrange [*:*]
plot %(loadplot)s
unset multiplot
"""

STYLE_MORE = ['lc rgb "#7570b3" pt 4', 'lc rgb "#66a61e" pt 6',
              'lc rgb "#a6761d" pt 8', 'lc rgb "#e6ab02" pt 10']
STYLE = {"none": 'lc rgb "#000000" pt 7', "conntrack": 'lc rgb "#999999" pt 5',
         "iptables-nft": 'lc rgb "#d95f02" pt 9',
         "iptables-legacy": 'lc rgb "#e7298a" pt 11',
         "nftables": 'lc rgb "#1b9e77" pt 13',
         "nftables-narrow": 'lc rgb "#66a61e" pt 12',
         "torfw": 'lc rgb "#386cb0" pt 15',
         "torfw-nopolicy": 'lc rgb "#7fc97f" pt 14'}


def plot(s, cost, meta, png):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("report.py: no gnuplot (tests/deps.sh installs gnuplot-nox): "
              "no %s" % png, file=sys.stderr)
        return False
    present = order(s)
    ws = [w for w in RATE_ORDER if any(w in s.get(c, {}) for c in present)]
    tmp = tempfile.mkdtemp(prefix="torfw-bench-plot.")
    rel, cst, scl, lod = [], [], [], []
    more = iter(STYLE_MORE * 4)
    for c in present:
        if c not in STYLE:
            STYLE[c] = next(more)
            LABEL.setdefault(c, c)
    for i, c in enumerate(present):
        off = (i - (len(present) - 1) / 2.0) * 0.1
        f = os.path.join(tmp, "%s.rel" % c)
        with open(f, "w") as o:
            for j, w in enumerate(ws):
                base_w = "conn" if w.startswith("conn-") and \
                    w != "conn-nat" else w
                b = get(s, "none", base_w)
                d = s.get(c, {}).get(w)
                if b and d:
                    o.write("%g\t%g\t%g\t%g\t%s\n" % (
                        j + off, d["median"] / b, d["min"] / b, d["max"] / b,
                        w))
        rel.append('"%s" using 1:2:3:4 with yerrorbars %s '
                   'title "%s"' % (f, STYLE[c], LABEL[c]))
        if c != "none":
            f = os.path.join(tmp, "%s.cost" % c)
            with open(f, "w") as o:
                for j, w in enumerate(ws):
                    v = cost.get(w, {}).get(c)
                    if v is not None and v > 0:
                        o.write("%g\t%g\t%s\n" % (j + off, v, w))
            cst.append('"%s" using 1:2 with points %s title "%s"'
                       % (f, STYLE[c], LABEL[c]))
        pts = [(n, s.get(c, {}).get("conn-%d" % n)) for n in SIZES]
        if c in ("none", "conntrack"):
            pts = [(n, s.get(c, {}).get("conn")) for n in SIZES]
        if any(d for _, d in pts):
            f = os.path.join(tmp, "%s.scale" % c)
            with open(f, "w") as o:
                for n, d in pts:
                    if d:
                        o.write("%d\t%g\t%g\t%g\n" % (n, d["median"],
                                                       d["min"], d["max"]))
            scl.append('"%s" using 1:2:3:4 with yerrorlines %s title "%s%s"'
                       % (f, STYLE[c], LABEL[c], " (no list)" if c in
                          ("none", "conntrack") else ""))
        lp = [(n, s.get(c, {}).get("load-%d" % n)) for n in SIZES]
        if c not in ("none", "conntrack") and any(d for _, d in lp):
            f = os.path.join(tmp, "%s.load" % c)
            with open(f, "w") as o:
                for n, d in lp:
                    if d:
                        o.write("%d\t%g\t%g\t%g\n" % (n, d["median"],
                                                       d["min"], d["max"]))
            lod.append('"%s" using 1:2:3:4 with yerrorlines %s title "%s"'
                       % (f, STYLE[c], LABEL[c]))
    script = GP % {
        "png": png, "title": "%s, %s" % (meta.get("git"), meta.get("date")),
        "rounds": meta.get("rounds", 0), "nw": len(ws),
        "xtics": ", ".join('"%s" %d' % (w, j) for j, w in enumerate(ws)),
        "relplot": ", ".join(rel) or "0 notitle",
        "costplot": ", ".join(cst) or "1 notitle",
        "scaleplot": ", ".join(scl) or "0 notitle",
        "loadplot": ", ".join(lod) or "1 notitle"}
    with open(os.path.join(tmp, "plot.gp"), "w") as o:
        o.write(script)
    r = subprocess.run([gnuplot, os.path.join(tmp, "plot.gp")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("report.py: gnuplot failed:\n" + r.stderr, file=sys.stderr)
        return False
    shutil.rmtree(tmp)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--console", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--kunit")
    a = ap.parse_args()
    with open(a.meta) as f:
        meta = json.load(f)
    raw, probes, residue, errors, progress, end, hooks = \
        parse_console(a.console)
    s = summarize(raw)
    cost = costs(s)
    tg = targets(s, cost)
    kunit = kunit_figures(a.kunit) if a.kunit else None
    os.makedirs(a.out, exist_ok=True)
    doc = {"SPDX-License-Identifier": "GPL-2.0", "meta": meta,
           "finished": end, "errors": errors,
           "summary": s, "added_cost": {
               w: {"unit": WORKLOADS[w][2], **v} for w, v in cost.items()},
           "targets": tg, "probes": probes, "residue": residue,
           "kunit": kunit, "hooks": hooks, "progress": progress,
           "raw": raw}
    for name, text in (
            ("results.json", json.dumps(doc, indent=1, ensure_ascii=False)),
            ("results.md", markdown(meta, s, cost, tg, probes, residue,
                                    errors, kunit, progress, hooks))):
        tmp = os.path.join(a.out, name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, os.path.join(a.out, name))
    ok = plot(s, cost, meta, os.path.join(a.out, "results.png"))
    # REUSE: the license of a file that cannot carry a comment.
    with open(os.path.join(a.out, "results.png.license"), "w") as f:
        f.write("SPDX-License-Identifier: GPL-2.0\n")
    for t in tg:
        print("%-60s %8.2f  %s" % (t["target"], t["value"],
                                   "met" if t["met"] else "MISSED"))
    return 0 if ok and end else 1


if __name__ == "__main__":
    sys.exit(main())
