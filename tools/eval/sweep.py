#!/usr/bin/python3
"""sweep.py - the SushiSched results: every policy on every trace family in
both select modes, and sweeps of PB size (from a PB that fits nothing to one
that fits the whole SuperNet), Q and W, by running `sushictl eval --json`;
writes results.json, gnuplot plots (PNG) and results.rst (tables and the
findings: where SGS pays, dynamic against static) into --out.

Usage:
  /usr/bin/python3 tools/eval/sweep.py --sushictl build/sushictl/sushictl \\
      --supernet FILE --label NAME --out DIR [--queries N] [--pb-kib LIST|auto]
      [--act-sram-kib LIST] [--traces LIST] [--selects LIST]

--pb-kib: comma-separated PB sizes (KiB) of the PB sweep, or "auto" (the
default): 0 (fits nothing) and the powers of two from 1 KiB up to the first
that holds the whole SuperNet (from `sushictl eval --json`'s "weights").

--act-sram-kib: the dataflows, comma-separated: "default" (pass nothing:
the model's default dataflow) or a size in KiB, passed to sushictl eval as
SRAM_FLAG (below) for the on-chip activation SRAM; 0 is the layer-by-layer
DRAM round trip.  With more than one, each gets a subdirectory of --out
("sram-default", "sram-0", ...).  Default: "default" only.

Every policy is run with --objective saving (the oracle maximises the
off-chip byte saving); best-static and the oracle are run again with
--objective offchip (the fewest off-chip bytes), reported as
"best-static (min off-chip)" and "oracle (min off-chip)".

Deterministic: fixed seeds; the same inputs give the same numbers.
"""
import argparse
import json
import math
import os
import subprocess
import sys

# the sushictl eval option that sizes the activation SRAM (the activation
# SRAM model adds it; until then only "default" works)
SRAM_FLAG = "--act-sram-kib"

TRACES = ["uniform", "phased", "random-walk", "bursty"]
SWEEP_TRACES = ["phased", "random-walk"]
SELECTS = ["accuracy", "floor"]
ORDER = ["sushi", "no-pb", "static-smallest", "static-intersect",
         "static-largest", "best-static", "lru", "oracle"]
MIN_OFF = ["best-static (min off-chip)", "oracle (min off-chip)"]
QS = [4, 8, 16, 32, 64, 128]
WS = [8, 16, 32, 64, 128, 256]
QW_POLICIES = ["sushi", "no-pb", "best-static", "lru", "oracle"]


class Runner:
    def __init__(self, args, dataflow):
        self.args = args
        self.extra = [] if dataflow == "default" else [SRAM_FLAG, dataflow]

    def run(self, extra):
        cmd = [self.args.sushictl, "eval", "--supernet", self.args.supernet,
               "--json", "-n", str(self.args.queries)] + self.extra + extra
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode:
            sys.exit("sweep.py: %s failed (%d): %s" % (" ".join(cmd), out.returncode,
                                                       out.stderr.strip()))
        return json.loads(out.stdout)

    def point(self, extra, policies=None):
        """all policies (saving objective) plus the offline ones minimising
        off-chip bytes; returns (results by policy, oracle info, the JSON)"""
        pol = ["--policy", ",".join(policies)] if policies else []
        main = self.run(extra + pol)
        res = {r["policy"]: r for r in main["results"]}
        if not policies or "oracle" in policies:
            off = self.run(extra + ["--policy", "best-static,oracle",
                                    "--objective", "offchip"])
            for r in off["results"]:
                res["%s (min off-chip)" % r["policy"]] = r
            main["oracle_offchip"] = off["oracle"]
        return res, main


def pct(a, b):
    return 100.0 * a / b if b else float("nan")


def table(rows, head):
    w = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(head)]
    line = "  ".join("=" * x for x in w)
    out = [line, "  ".join(str(h).ljust(w[i]) for i, h in enumerate(head)), line]
    out += ["  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) for r in rows]
    out.append(line)
    return "\n".join(out)


def gnuplot(path_png, title, xlabel, ylabel, dat, series, logx=False):
    script = ["set terminal pngcairo size 1000,600",
              "set output '%s'" % path_png, "set title \"%s\"" % title,
              "set xlabel '%s'" % xlabel, "set ylabel '%s'" % ylabel,
              "set key outside right", "set grid"]
    if logx:
        script.append("set logscale x 2")
        script.append("set xtics add ('0' 0.5)")
    plots = ["'%s' using 1:%d with linespoints title '%s'" % (dat, col, name)
             for col, name in series]
    script.append("plot " + ", ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


def oracle_note(j, key, quantity):
    o = j.get(key)
    if not o:
        return ""
    if o["exact"]:
        return "%s: proven optimal (%d states, %d merged)." % (quantity, o["states"],
                                                               o["merged"])
    return ("%s: not proven; its plan %d, the optimum at most %d (%d states "
            "merged into intervals)." % (quantity, o["value"], o["upper_bound"],
                                         o["merged"]))


def rows_of(res):
    """table rows, policies sharing one SubGraph throughout merged"""
    names = {}
    for p in ORDER + MIN_OFF:
        if p not in res:
            continue
        same = res[p].get("same_subgraph_as")
        if same and same in names:
            names[same].append(p)
        else:
            names[p] = [p]
    return [(" = ".join(v), res[k]) for k, v in names.items()]


def trace_table(label, tr, sel, res, j):
    orc = res["oracle"]
    min_off = res["oracle (min off-chip)"]["offchip_bytes"]
    rows = []
    for name, r in rows_of(res):
        rows.append([name, "%.2f" % (100 * r["served_accuracy"]),
                     "%.1f" % (100 * r["slo_attainment"]),
                     "%.1f" % r["latency_mean_us"], "%.1f" % r["latency_p99_us"],
                     "%.1f" % (r["offchip_bytes_per_query"] / 1e3),
                     "%.1f" % (r["offchip_weight_bytes_per_query"] / 1e3),
                     "%.1f" % (r["offchip_activation_bytes_per_query"] / 1e3),
                     "%.1f" % (r["offchip_epilogue_bytes_per_query"] / 1e3),
                     "%.2f" % (r["offchip_pb_load_bytes_per_query"] / 1e3),
                     "%.2f" % r["offchip_energy_uj_per_query"],
                     "%.1f" % (100 * r["pb_hit_fraction"]), r["pb_reloads"],
                     "%.1f" % pct(r["offchip_byte_saving"], j["oracle"]["upper_bound"]),
                     "%.2f" % pct(r["offchip_bytes"], min_off)])
    s, b, nopb = res["sushi"], res["best-static"], res["no-pb"]
    exact = "oracle" if j["oracle"]["exact"] else "bound"
    out = ["%s, trace ``%s``, select ``%s``\n" % (label, tr, sel),
           table(rows, ["policy", "acc %", "SLO %", "mean us", "p99 us",
                        "off-chip KB/q", "weights", "activations", "epilogues",
                        "PB loads", "off-chip uJ/q", "PB hit %", "reloads",
                        "saving %% of %s" % exact, "off-chip % of min"]),
           "",
           "Columns: off-chip KB per query, then its weights / activations / "
           "epilogues / PB loads; *saving %% of %s*: off-chip byte saving (PB bytes "
           "served - PB bytes loaded) against the oracle's %s; *off-chip %% of min*: "
           "off-chip bytes against the fewest any plan of one candidate SubGraph "
           "per window of Q queries achieves (oracle (min off-chip), %s)." % (
               exact, "optimum" if j["oracle"]["exact"] else "upper bound",
               "exact" if j["oracle_offchip"]["exact"] else "a bound"),
           oracle_note(j, "oracle", "Oracle (saving)") + " " +
           oracle_note(j, "oracle_offchip", "Oracle (min off-chip)"),
           "SushiSched vs no PB: mean latency %+.1f%%, served accuracy %+.2f points, "
           "off-chip energy %+.1f%%.  SushiSched vs best-static: saving %.1f%% of "
           "best-static's, off-chip bytes %+.2f%%, served accuracy %+.2f points; "
           "SushiSched reaches %.1f%% of the oracle's saving%s.\n" % (
               pct(s["latency_mean_us"], nopb["latency_mean_us"]) - 100,
               100 * (s["served_accuracy"] - nopb["served_accuracy"]),
               pct(s["offchip_energy_uj_per_query"],
                   nopb["offchip_energy_uj_per_query"]) - 100,
               pct(s["offchip_byte_saving"], b["offchip_byte_saving"]),
               pct(s["offchip_bytes"], b["offchip_bytes"]) - 100,
               100 * (s["served_accuracy"] - b["served_accuracy"]),
               pct(s["offchip_byte_saving"], j["oracle"]["upper_bound"]),
               "" if j["oracle"]["exact"] else " (upper bound)")]
    return out


def pb_list(args, runner):
    if args.pb_kib != "auto":
        try:
            return [int(k) for k in args.pb_kib.split(",")]
        except ValueError:
            sys.exit("sweep.py: --pb-kib: expected 'auto' or comma-separated integers")
    w = runner.run(["--policy", "no-pb", "-n", "1"])["weights"]
    top = math.ceil(w["supernet_bytes"] / 1024)
    kib, k = [0], 1
    while True:
        kib.append(k)
        if k >= top:
            return kib
        k *= 2


def sweep(runner, args, out, tr, sel, name, values, flag, policies, results, rst,
          label):
    pts = []
    for v in values:
        res, j = runner.point(["--trace", tr, "--select", sel, flag, str(v)],
                              policies)
        pts.append((v, res, j))
    key = "%s-%s-%s" % (tr, sel, name)
    results["sweeps"][key] = [{"value": v, "results": r, "oracle": j.get("oracle"),
                               "oracle_offchip": j.get("oracle_offchip")}
                              for v, r, j in pts]
    names = [p for p in (policies or ORDER) if p in pts[0][1]] + \
            [p for p in MIN_OFF if p in pts[0][1]]
    dat = os.path.join(out, key + ".dat")
    with open(dat, "w") as f:
        f.write("# %s (0 plotted at 0.5)  then per policy (%s): off-chip KB/q, "
                "latency us, saving %% of the oracle's bound\n" % (name, ", ".join(names)))
        for v, r, j in pts:
            cols = [max(v, 0.5)]
            cols += [r[p]["offchip_bytes_per_query"] / 1e3 for p in names]
            cols += [r[p]["latency_mean_us"] for p in names]
            cols += [pct(r[p]["offchip_byte_saving"], j["oracle"]["upper_bound"])
                     if "oracle" in j else float("nan") for p in names]
            f.write(" ".join("%g" % c for c in cols) + "\n")
    xl = {"pb": "PB size (KiB)", "q": "Q (queries)", "w": "W (queries)"}[name]
    n = len(names)
    gnuplot(os.path.join(out, key + "-offchip.png"),
            "%s %s (select %s): off-chip bytes per query" % (label, tr, sel), xl,
            "off-chip KB per query", dat, [(2 + i, p) for i, p in enumerate(names)],
            logx=True)
    gnuplot(os.path.join(out, key + "-latency.png"),
            "%s %s (select %s): mean latency" % (label, tr, sel), xl,
            "mean latency (us)", dat, [(2 + n + i, p) for i, p in enumerate(names)],
            logx=True)
    rows = []
    for v, r, j in pts:
        o = j.get("oracle", {})
        row = [v, "%.1f" % (r["no-pb"]["offchip_bytes_per_query"] / 1e3)]
        row += ["%.1f" % (r[p]["offchip_bytes_per_query"] / 1e3)
                for p in names if p != "no-pb"]
        row += ["%.1f" % pct(r["sushi"]["offchip_byte_saving"], o["upper_bound"])
                if o and o["upper_bound"] > 0 else "-",
                ("exact" if o.get("exact") else "bound") if o else "-"]
        rows.append(row)
    rst.append("%s, trace ``%s``, select ``%s``, sweep of %s: off-chip KB per "
               "query\n" % (label, tr, sel, xl))
    rst.append(table(rows, [name, "no-pb"] + [p for p in names if p != "no-pb"] +
                     ["sushi saving % of oracle", "oracle"]) + "\n")
    return pts


def findings(pts_by_key):
    """where SGS pays, and whether switching ever beats the best static plan"""
    lines = []
    dyn, tot, sushi_wins = 0, 0, 0
    for key, pts in pts_by_key.items():
        for v, r, j in pts:
            if "oracle" not in r:
                continue
            tot += 1
            dyn += r["oracle"]["offchip_byte_saving"] > r["best-static"]["offchip_byte_saving"]
            sushi_wins += r["sushi"]["offchip_byte_saving"] > \
                r["best-static"]["offchip_byte_saving"]
        best = max(pts, key=lambda p: 1 - p[1]["oracle (min off-chip)"]["offchip_bytes"] /
                   p[1]["no-pb"]["offchip_bytes"] if "oracle (min off-chip)" in p[1] else 0)
        if "oracle (min off-chip)" in best[1]:
            lines.append("* %s: the largest off-chip reduction any plan reaches is "
                         "%.1f%% (at %s), SushiSched %.1f%% there." % (
                             key, 100 - pct(best[1]["oracle (min off-chip)"]["offchip_bytes"],
                                            best[1]["no-pb"]["offchip_bytes"]),
                             best[0],
                             100 - pct(best[1]["sushi"]["offchip_bytes"],
                                       best[1]["no-pb"]["offchip_bytes"])))
    lines.append("* Over the %d sweep points, the oracle's plan (switching SubGraphs "
                 "every Q queries) saves more than the best static SubGraph at %d; "
                 "SushiSched saves more than best-static at %d." % (tot, dyn, sushi_wins))
    return lines


def one_dataflow(args, dataflow, out, results):
    runner = Runner(args, dataflow)
    os.makedirs(out, exist_ok=True)
    rst = []
    results.update({"supernet": args.supernet, "queries": args.queries,
                    "dataflow": dataflow, "traces": {}, "sweeps": {}})
    for tr in args.traces:
        for sel in args.selects:
            res, j = runner.point(["--trace", tr, "--select", sel])
            results["traces"]["%s-%s" % (tr, sel)] = {
                "results": res, "oracle": j["oracle"], "oracle_offchip": j["oracle_offchip"],
                "universal_bound": j["universal_bound"], "candidates": j["candidates"],
                "weights": j["weights"]}
            rst += trace_table(args.label, tr, sel, res, j)
    pb = pb_list(args, runner)
    pts_by_key = {}
    for tr in SWEEP_TRACES:
        for sel in args.selects:
            pts_by_key["%s/%s PB" % (tr, sel)] = sweep(
                runner, args, out, tr, sel, "pb", pb, "--pb-kib", None, results,
                rst, args.label)
            sweep(runner, args, out, tr, sel, "q", QS, "--q", QW_POLICIES, results,
                  rst, args.label)
            sweep(runner, args, out, tr, sel, "w", WS, "--w", QW_POLICIES, results,
                  rst, args.label)
    rst.append("Findings (computed by sweep.py from the sweeps above):\n")
    rst += findings(pts_by_key)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, separators=(",", ":"))
    with open(os.path.join(out, "results.rst"), "w") as f:
        f.write("\n\n".join(rst) + "\n")
    print("\n\n".join(rst))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sushictl", required=True)
    ap.add_argument("--supernet", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--queries", type=int, default=10000)
    ap.add_argument("--pb-kib", default="auto",
                    help="comma-separated PB sizes (KiB) of the PB sweep, or auto")
    ap.add_argument("--act-sram-kib", default="default",
                    help="dataflows: 'default' or activation SRAM sizes in KiB")
    ap.add_argument("--traces", default=",".join(TRACES))
    ap.add_argument("--selects", default=",".join(SELECTS))
    args = ap.parse_args()
    args.traces = args.traces.split(",")
    args.selects = args.selects.split(",")
    flows = args.act_sram_kib.split(",")
    for df in flows:
        if df != "default" and not df.isdigit():
            ap.error("--act-sram-kib: expected 'default' or KiB, got '%s'" % df)
    for df in flows:
        out = args.out if len(flows) == 1 else os.path.join(args.out, "sram-" + df)
        one_dataflow(args, df, out, {})


if __name__ == "__main__":
    sys.exit(main())
