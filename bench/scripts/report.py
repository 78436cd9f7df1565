#!/usr/bin/env python3
"""The one table of compare.sh: medians per server and phase, Parkway/coturn ratios, the issue's targets.

Usage: report.py RESULTS [--n N --pps PPS --size BYTES --variant=TEXT --idle-n N --capacity-n N --capacity-ports N
                          --sweep-n N --max-loss PCT --histograms DIR --uclient=TEXT]

RESULTS holds one line per run: "PHASE SERVER key=value ...", PHASE one of load, sweep, step, idle.<run>, capacity,
uclient; SERVER parkway or coturn. Values are numbers, except errors= and limited_by=. Medians are over the runs of
each server; for GC pauses (Parkway only) the maximum over the runs is shown, since the target is "no pause > 10 ms".
With --histograms, the live-heap difference per idle allocation by class (jcmd GC.class_histogram before and while
holding, first idle run) follows the table.
"""
import argparse
import glob
import math
import os
import re
import statistics

NAN = float("nan")


def parse(path):
    rows = []
    for line in open(path):
        parts = line.split()
        if len(parts) < 2:
            continue
        kv = {}
        for x in parts[2:]:
            if "=" in x:
                k, v = x.split("=", 1)
                try:
                    kv[k] = float(v)
                except ValueError:
                    kv[k] = v
        rows.append((parts[0], parts[1], kv))
    return rows


def values(rows, phase, server, fn):
    out = []
    for p, s, kv in rows:
        if s != server or not re.fullmatch(phase, p):
            continue
        try:
            v = fn(kv)
        except (KeyError, TypeError, ZeroDivisionError):
            continue
        if isinstance(v, (int, float)) and not math.isnan(v):
            out.append(v)
    return out


def med(vals):
    return statistics.median(vals) if vals else NAN


def fmt(v, f):
    if isinstance(v, str):
        return v
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f.format(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--pps", type=int, default=200)
    ap.add_argument("--size", type=int, default=170)
    ap.add_argument("--variant", default="UDP, channels")
    ap.add_argument("--idle-n", type=int, default=10000)
    ap.add_argument("--capacity-n", type=int, default=16000)
    ap.add_argument("--capacity-ports", type=int, default=16384)
    ap.add_argument("--sweep-n", type=int, default=100)
    ap.add_argument("--max-loss", type=float, default=0.1)
    ap.add_argument("--histograms")
    ap.add_argument("--uclient", default="")
    a = ap.parse_args()
    rows = parse(a.results)

    table = []  # (label, parkway, coturn, format, ratio?, target)

    def row(label, phase, fn, f, ratio=True, target="", agg=med, coturn=True, prefix=None):
        p = agg(values(rows, phase, "parkway", fn))
        c = agg(values(rows, phase, "coturn", fn)) if coturn else None
        if prefix:
            f = (prefix("parkway") + f, prefix("coturn") + f)
        table.append((label, p, c, f, ratio, target))

    def text_row(label, p, c, target=""):
        table.append((label, p, c, "{}", False, target))

    def section(title):
        table.append((title, None, None, None, False, ""))

    def n_runs(phase):
        return (len(values(rows, phase, "parkway", lambda kv: 1)), len(values(rows, phase, "coturn", lambda kv: 1)))

    mx = lambda v: max(v) if v else NAN
    if n_runs("load") != (0, 0):
        section(f"reference load: {a.n} allocations x {a.pps} pps each way x {a.size} B, {a.variant} "
                f"(target {2 * a.n * a.pps} relayed pps; runs {n_runs('load')[0]}+{n_runs('load')[1]})")
        row("CPU us per relayed packet", "load", lambda kv: kv["cpu_us_per_pkt"], "{:.2f}", target="<= 0.45x")
        row("relayed pps (measured)", "load", lambda kv: kv["relayed"] / kv["seconds"], "{:.0f}")
        row("loss %", "load", lambda kv: kv["loss_pct"], "{:.3f}", ratio=False)
        row("not offered by generator", "load", lambda kv: kv["not_offered"], "{:.0f}", ratio=False)
        row("RTT p50 us", "load", lambda kv: kv["rtt_p50_us"], "{:.0f}")
        row("RTT p99 us", "load", lambda kv: kv["rtt_p99_us"], "{:.0f}", target="<= 1x")
        row("RTT max us", "load", lambda kv: kv["rtt_max_us"], "{:.0f}")
        row("RTT mean us", "load", lambda kv: kv["rtt_mean_us"], "{:.0f}", target="<= 1x")
        row("jitter us", "load", lambda kv: kv["jitter_us"], "{:.0f}")
        row("allocation set-up /s (cold generator, 32 in flight)", "load", lambda kv: kv["setup_rate"], "{:.0f}")
        row("RSS after run KiB", "load", lambda kv: kv["rss_kib"], "{:.0f}")
        row("GC pauses per run (median)", "load", lambda kv: kv["gc_count"], "{:.0f}", ratio=False, coturn=False)
        row("GC pause max ms (all runs)", "load", lambda kv: kv["gc_max_ms"], "{:.2f}", ratio=False, agg=mx,
            target="<= 10 ms", coturn=False)

    if n_runs("sweep") != (0, 0):
        section(f"rate sweep: {a.sweep_n} allocations, rising pps; pass = loss < {a.max_loss} % and rate offered "
                f"(runs {n_runs('sweep')[0]}+{n_runs('sweep')[1]})")
        def lower_bound(server):  # some sweep of this server ended without the server losing: the generator did
            return ">=" if any(kv.get("limited_by") in ("generator", "none")
                               for p, s, kv in rows if p == "sweep" and s == server) else ""
        row(f"max relayed pps at < {a.max_loss} % loss", "sweep", lambda kv: kv["max_relayed_pps"], "{:.0f}",
            target=">= 2x", prefix=lower_bound)
        row("  CPU us per relayed packet there", "sweep", lambda kv: kv["cpu_us_per_pkt"], "{:.2f}")
        row("  server CPU % of one core there", "sweep", lambda kv: kv["server_cpu_pct"], "{:.0f}")
        row("  generator CPU % there", "sweep", lambda kv: kv["load_cpu_pct"], "{:.0f}", ratio=False)
        lim = {s: ",".join(str(kv.get("limited_by", "?")) for p, srv, kv in rows if p == "sweep" and srv == s)
               for s in ("parkway", "coturn")}
        text_row("  limited by (per run)", lim["parkway"] or "-", lim["coturn"] or "-",
                 "generator/none = lower bound")
        row("GC pause max ms (all sweeps)", "sweep", lambda kv: kv["gc_max_ms"], "{:.2f}", ratio=False, agg=mx,
            target="<= 10 ms", coturn=False)

    kib = lambda held, before: lambda kv: (kv[held] - kv[before]) / 1024 / kv["ready"]
    if n_runs(r"idle\.\d+") != (0, 0):
        ph = r"idle\.\d+"
        section(f"idle: {a.idle_n} allocations held (permission + channel each; runs {n_runs(ph)[0]}+{n_runs(ph)[1]})")
        row("heap KiB per idle allocation (live)", ph, kib("heap_held", "heap_before"), "{:.2f}", ratio=False,
            target="<= 2 KiB", coturn=False)
        row("RSS KiB per idle allocation", ph, lambda kv: (kv["rss_held"] - kv["rss_before"]) / kv["ready"], "{:.2f}")
        row("heap MiB per 10k idle allocations", ph,
            lambda kv: (kv["heap_held"] - kv["heap_before"]) / 2**20 / kv["ready"] * 10000, "{:.1f}", ratio=False,
            coturn=False)
        row("RSS MiB per 10k idle allocations", ph,
            lambda kv: (kv["rss_held"] - kv["rss_before"]) / 1024 / kv["ready"] * 10000, "{:.1f}")
        row("heap KiB left after release (total)", ph, lambda kv: (kv["heap_released"] - kv["heap_before"]) / 1024,
            "{:.0f}", ratio=False, coturn=False)
        row("allocation set-up /s (64 in flight)", ph, lambda kv: kv["setup_rate"], "{:.0f}", target=">= 2x")
        row("set-up errors", ph, lambda kv: kv["setup_errors"], "{:.0f}", ratio=False)

    if n_runs("capacity") != (0, 0):
        section(f"capacity: {a.capacity_n} allocations on one relay IP with {a.capacity_ports} relay ports")
        row("allocations ready", "capacity", lambda kv: kv["ready"], "{:.0f}", target=f"{a.capacity_n}, no error")
        errs = {s: ";".join(str(kv.get("errors", "?")) for p, srv, kv in rows if p == "capacity" and srv == s)
                for s in ("parkway", "coturn")}
        text_row("set-up errors by method and code", errs["parkway"] or "-", errs["coturn"] or "-")
        row("heap KiB per allocation", "capacity", kib("heap_held", "heap_before"), "{:.2f}", ratio=False,
            coturn=False)
        row("RSS KiB per allocation", "capacity", lambda kv: (kv["rss_held"] - kv["rss_before"]) / kv["ready"],
            "{:.2f}")
        row("allocation set-up /s", "capacity", lambda kv: kv["setup_rate"], "{:.0f}")

    if n_runs("uclient") != (0, 0):
        section(f"turnutils_uclient as the load: {a.uclient}, {a.size} B (runs {n_runs('uclient')[0]}+"
                f"{n_runs('uclient')[1]})")
        row("CPU us per relayed packet", "uclient", lambda kv: kv["cpu_us_per_pkt"], "{:.2f}", target="<= 0.45x")
        row("relayed pps while sending (1 s resolution)", "uclient", lambda kv: kv["relayed_pps_sending"], "{:.0f}")
        row("relayed pps over uclient's wall time", "uclient", lambda kv: kv["relayed_pps"], "{:.0f}")
        row("loss % (uclient)", "uclient", lambda kv: kv["loss_pct"], "{:.3f}", ratio=False)
        row("RTT avg ms (uclient, 1 ms resolution)", "uclient", lambda kv: kv["rtt_avg_ms"], "{:.3f}")
        row("RTT max ms (uclient)", "uclient", lambda kv: kv["rtt_max_ms"], "{:.0f}")
        row("jitter ms (uclient)", "uclient", lambda kv: kv["jitter_ms"], "{:.3f}")
        row("GC pause max ms (all runs)", "uclient", lambda kv: kv["gc_max_ms"], "{:.2f}", ratio=False, agg=mx,
            target="<= 10 ms", coturn=False)

    w = max([len(t[0]) for t in table if t[3] is not None] + [30])
    print()
    print(f"| {'metric':{w}} | {'Parkway':>12} | {'coturn':>12} | {'Parkway/coturn':>14} | {'target (issue 5)':16} |")
    print(f"|{'-' * (w + 2)}|{'-' * 14}|{'-' * 14}|{'-' * 16}|{'-' * 18}|")
    for label, p, c, f, ratio, target in table:
        if f is None:
            print(f"| **{label}** | | | | |")
            continue
        r = "-"
        if ratio and isinstance(p, float) and isinstance(c, float) and c and not math.isnan(p) and not math.isnan(c):
            r = f"{p / c:.2f}"
        fp, fc = f if isinstance(f, tuple) else (f, f)
        cs = "n/a" if c is None else fmt(c, fc)
        print(f"| {label:{w}} | {fmt(p, fp):>12} | {cs:>12} | {r:>14} | {target:16} |")

    if a.histograms:
        histo_diff(a.histograms, rows)


def read_histo(path):
    out = {}
    for line in open(path, errors="replace"):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(.*)$", line)
        if m:
            out[m.group(3).strip()] = (int(m.group(1)), int(m.group(2)))
    return out


def histo_diff(directory, rows):
    before = sorted(glob.glob(os.path.join(directory, "idle.*.parkway.histo0")))
    if not before:
        return
    tag = os.path.basename(before[0])[: -len(".parkway.histo0")]
    held = os.path.join(directory, tag + ".parkway.histo1")
    ready = [kv.get("ready") for p, s, kv in rows if p == tag and s == "parkway"]
    if not os.path.exists(held) or not ready or not ready[0]:
        return
    n = ready[0]
    h0, h1 = read_histo(before[0]), read_histo(held)
    diff = []
    for cls, (inst, size) in h1.items():
        i0, b0 = h0.get(cls, (0, 0))
        diff.append(((size - b0) / n, (inst - i0) / n, cls))
    diff.sort(reverse=True)
    total = sum(d[0] for d in diff)
    print(f"\nParkway live heap per idle allocation by class ({tag}, {n:.0f} allocations; total {total:.0f} B):")
    print(f"| {'bytes':>8} | {'instances':>9} | class |")
    print(f"|{'-' * 10}|{'-' * 11}|-------|")
    for b, i, cls in diff[:25]:
        if b < 1:
            break
        print(f"| {b:8.1f} | {i:9.2f} | {cls} |")


if __name__ == "__main__":
    main()
