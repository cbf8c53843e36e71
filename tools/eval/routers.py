#!/usr/bin/python3
"""routers.py - the routers on a fleet: JSQ against SGS for 1, 2 and 4
devices, SushiSched and no PB, on a phased trace that loads every device as
the single-device runs load one (the mean gap divided by the devices), in
both select modes and both overload modes, by running `sushictl eval
--json`; prints Documentation/results.rst's "Several devices: routers"
tables (reStructuredText) and, with --commands, every command it ran.

Usage:
  /usr/bin/python3 tools/eval/routers.py --sushictl build/sushictl/sushictl \\
      --supernet FILE [--label NAME] [--queries N] [--commands]

The load: sushictl eval's default mean gap G is 1.25 x the latency of the
middle SubNet (about 80% load on one device, Documentation/results.rst);
with N devices the gap is G / N, so each device sees that load and the
trace has the same demands and seed.  G comes from the catalog as priced
by `sushictl eval --json` ("subnets": the fastest and slowest latency_ns),
exactly as sushictl computes it; --gap-us is printed so that sushictl's
conversion (microseconds x 1000, truncated) gives exactly G / N ns.

Deterministic (fixed seed): the same inputs give the same tables.  The run
time goes to stderr.
"""
import argparse
import json
import os
import subprocess
import sys
import time

DEVICES = [1, 2, 4]
ROUTERS = ["jsq", "sgs"]
POLICIES = ["sushi", "no-pb"]
SELECTS = ["accuracy", "floor"]
OVERLOADS = ["late", "shed"]


def eval_json(args, extra):
    """`sushictl eval --json` with the common options and @extra: (JSON, argv)."""
    cmd = [args.sushictl, "eval", "--supernet", args.supernet, "--trace", "phased",
           "-n", str(args.queries), "--policy", ",".join(POLICIES), "--json"] + extra
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out), cmd


def base_gap_ns(args):
    """sushictl's default mean gap: (fastest + slowest) / 2 * 5 / 4, in ns."""
    j, _ = eval_json(args, [])
    lat = [s["latency_ns"] for s in j["subnets"]]
    return (min(lat) + max(lat)) // 2 * 5 // 4


def gap_us(ns):
    """--gap-us for exactly @ns ns (sushictl truncates X * 1000)."""
    s = "%d.%03d5" % (ns // 1000, ns % 1000)
    assert int(float(s) * 1000) == ns
    return s


def runs(args, gap):
    """Every (select, overload, devices, router) run: {key: (JSON, argv)}."""
    out = {}
    for sel in SELECTS:
        for ov in OVERLOADS:
            for n in DEVICES:
                for r in ROUTERS if n > 1 else ROUTERS[:1]:
                    extra = ["--select", sel, "--overload", ov, "--devices", str(n),
                             "--router", r, "--gap-us", gap_us(gap // n)]
                    out[(sel, ov, n, r)] = eval_json(args, extra)
    return out


def table(rows, head):
    """A reStructuredText simple table."""
    w = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(len(head))]
    rule = "  ".join("=" * x for x in w)
    fmt = lambda r: "  ".join(c.ljust(x) for c, x in zip(r, w)).rstrip()
    return "\n".join([rule, fmt(head), rule] + [fmt(r) for r in rows] + [rule])


def row(j, n, router, res, big):
    """One table row of policy result @res of run @j."""
    q = j["trace"]["queries"]
    dq = res.get("device_queries", [q])
    late = res.get("shed", 0) if res.get("shed", 0) else res["fallbacks"]
    lat = res["latency_p99_us"] / (1e3 if big else 1)
    return [str(n), router if n > 1 else "any", res["policy"],
            "%.2f%%" % (100 * res["served_accuracy"]),
            "%.1f%%" % (100 * res["slo_attainment"]),
            "%.1f" % lat,
            "%.1f" % (res["offchip_bytes_per_query"] / (1e6 if big else 1e3)),
            "%.1f%%" % (100 * res["pb_hit_fraction"]),
            str(res["pb_reloads"]), str(late),
            "%.0f%%" % (100.0 * max(dq) / q)]


def tables(args, out):
    """The four tables (select x overload) of one SuperNet."""
    big = args.big
    head = ["devices", "router", "policy", "served acc", "SLO",
            "p99 ms" if big else "p99 us", "off-chip MB/q" if big else "off-chip KB/q",
            "PB hit", "reloads", "", "busiest"]
    text = []
    for sel in SELECTS:
        for ov in OVERLOADS:
            head[9] = "fallbacks" if ov == "late" else "shed"
            rows = []
            for pol in POLICIES:
                for n in DEVICES:
                    for r in ROUTERS if n > 1 else ROUTERS[:1]:
                        j = out[(sel, ov, n, r)][0]
                        res = [x for x in j["results"] if x["policy"] == pol][0]
                        rows.append(row(j, n, r, res, big))
            text.append("%s, %s rule, overload %s:\n\n%s\n" %
                        (args.label, sel, ov, table(rows, head)))
    return "\n".join(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sushictl", required=True)
    ap.add_argument("--supernet", required=True)
    ap.add_argument("--label", default="", help="the SuperNet's name in the tables "
                    "(default: the file's name)")
    ap.add_argument("--queries", type=int, default=10000)
    ap.add_argument("--big", action="store_true",
                    help="latency in ms and off-chip bytes in MB (paper-scale SuperNets)")
    ap.add_argument("--commands", action="store_true",
                    help="also print every sushictl command run")
    args = ap.parse_args()
    args.label = args.label or os.path.basename(args.supernet)
    t0 = time.time()
    gap = base_gap_ns(args)
    out = runs(args, gap)
    print("mean gap on one device: %d ns; --gap-us %s" %
          (gap, ", ".join("%s (%d device%s)" % (gap_us(gap // n), n, "s" if n > 1 else "")
                          for n in DEVICES)))
    print()
    print(tables(args, out))
    if args.commands:
        print("commands:\n")
        for key in sorted(out, key=lambda k: (SELECTS.index(k[0]), OVERLOADS.index(k[1]),
                                              k[2], ROUTERS.index(k[3]))):
            print("  " + " ".join(out[key][1]))
    sys.stderr.write("routers.py: %d runs in %.1f s\n" % (len(out) + 1, time.time() - t0))


if __name__ == "__main__":
    main()
