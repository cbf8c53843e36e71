#!/usr/bin/python3
"""sweep.py - the SushiSched results: every policy on every trace family in
both select modes, and sweeps of PB size (from a PB that fits nothing to one
that fits the whole SuperNet), Q and W, by running `sushictl eval --json`,
for one or more dataflows (activation SRAM sizes); writes, per dataflow,
results.json, gnuplot plots (PNG), the timeline plot and results.rst (the
detailed tables), and over all dataflows summary.rst (the headline table,
the off-chip composition, SushiSched against best-static and the oracle, and
where SGS pays) and the plot comparing the dataflows.

Usage:
  /usr/bin/python3 tools/eval/sweep.py --sushictl build/sushictl/sushictl \\
      --supernet FILE --label NAME --out DIR [--queries N] [--pb-kib LIST|auto]
      [--act-sram-kib LIST] [--traces LIST] [--selects LIST] [--render-only]

--pb-kib: comma-separated PB sizes (KiB) of the PB sweep, or "auto" (the
default): 0 (fits nothing) and the powers of two from 1 KiB up to the first
that holds the whole SuperNet (from `sushictl eval --json`'s "weights").

--act-sram-kib: the dataflows, comma-separated: "default" (pass nothing:
the device default, reported in the JSON's "accelerator") or a size in KiB,
passed to sushictl eval as SRAM_FLAG (below) for the on-chip activation
SRAM; 0 is the layer-by-layer DRAM round trip.  With more than one, each
gets a subdirectory of --out ("sram-default", "sram-0", ...) and summary.rst
goes to --out itself.  Default: "default,0".

--render-only: do not run sushictl; rebuild the tables and plots from the
results.json files a previous run left in --out (the timeline plots are
kept as they are).

Every policy is run with --objective saving (the oracle maximises the
off-chip byte saving); best-static and the oracle are run again with
--objective offchip (the fewest off-chip bytes), reported as
"best-static (min off-chip)" and "oracle (min off-chip)".

Deterministic: fixed seeds (sushictl's defaults); the same inputs give the
same bytes in every output file.  The run time goes to stderr only.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

# the sushictl eval option that sizes the activation SRAM
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
# one style per policy in every plot
STYLE = {"sushi": "lc rgb '#d62728' lw 2 pt 7",
         "no-pb": "lc rgb '#000000' pt 1",
         "static-smallest": "lc rgb '#8c8c8c' pt 2",
         "static-intersect": "lc rgb '#8c564b' pt 4",
         "static-largest": "lc rgb '#bcbd22' pt 6",
         "best-static": "lc rgb '#1f77b4' lw 2 pt 5",
         "lru": "lc rgb '#2ca02c' pt 3",
         "oracle": "lc rgb '#9467bd' lw 2 pt 9",
         "best-static (min off-chip)": "lc rgb '#17becf' dt 2 pt 12",
         "oracle (min off-chip)": "lc rgb '#e377c2' dt 2 pt 8"}
# sushictl eval's defaults (the "default configuration"), for the labels
DEF_TRACE, DEF_SELECT, DEF_Q, DEF_W = "phased", "accuracy", 32, 64
TIMELINE_QUERIES = 3000
PAPER = ("paper (SUSHI)", "", "up to -25%", "+0.98%", "up to -78.7%", "(not reported)",
         "", "", "")


class Runner:
    def __init__(self, args, dataflow):
        self.args = args
        self.extra = [] if dataflow == "default" else [SRAM_FLAG, dataflow]
        self.runs = 0

    def cmd(self, extra):
        return [self.args.sushictl, "eval", "--supernet", self.args.supernet,
                "-n", str(self.args.queries)] + self.extra + extra

    def run(self, extra):
        cmd = self.cmd(["--json"] + extra)
        out = subprocess.run(cmd, capture_output=True, text=True)
        self.runs += 1
        if out.returncode:
            sys.exit("sweep.py: %s failed (%d): %s" % (" ".join(cmd), out.returncode,
                                                       out.stderr.strip()))
        return json.loads(out.stdout)

    def point(self, extra, policies=None):
        """all policies (saving objective) plus the offline ones minimising
        off-chip bytes; returns (results by policy, the JSON)"""
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


# ---------------------------------------------------------------- helpers

def pct(a, b):
    return 100.0 * a / b if b else float("nan")


def chg(a, b):
    """relative change of a against b, in percent"""
    return pct(a, b) - 100 if b else float("nan")


def table(rows, head):
    w = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(head)]
    line = "  ".join("=" * x for x in w)
    out = [line, "  ".join(str(h).ljust(w[i]) for i, h in enumerate(head)).rstrip(), line]
    out += ["  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    out.append(line)
    return "\n".join(out)


def gnuplot(path_png, title, xlabel, ylabel, dat, series, logx=False, key="outside right"):
    """series: (column, title, extra style or "")"""
    script = ["set terminal pngcairo size 1100,600",
              "set output '%s'" % path_png, "set title \"%s\"" % title,
              "set xlabel '%s'" % xlabel, "set ylabel '%s'" % ylabel,
              "set key %s" % key, "set grid"]
    if logx:
        script.append("set logscale x 2")
        script.append("set xtics add ('0' 0.5)")
    plots = ["'%s' using 1:%d with linespoints %s title '%s'" % (dat, s[0],
                                                                 s[2] if len(s) > 2 else "",
                                                                 s[1])
             for s in series]
    script.append("plot " + ", ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


def flow_name(df, R=None):
    if df == "0":
        return "no activation SRAM (DRAM round trip)"
    kib = (R["accelerator"]["act_sram_bytes"] // 1024) if R else None
    if df == "default":
        return "activation SRAM %s KiB (default)" % kib if R else "default activation SRAM"
    return "activation SRAM %s KiB" % df


def flow_short(df, R):
    if df == "0":
        return "SRAM 0"
    return "SRAM %d KiB" % (R["accelerator"]["act_sram_bytes"] // 1024)


def saving_pct_oracle(r, o):
    return pct(r["offchip_byte_saving"], o["upper_bound"]) if o and o["upper_bound"] > 0 \
        else float("nan")


def oracle_note(o, quantity):
    if not o:
        return ""
    if o["exact"]:
        return "%s: proven optimal (%d states, %d merged)." % (quantity, o["states"],
                                                               o["merged"])
    v, u = o["value"], o["upper_bound"]
    if v < 0:   # off-chip objective: minus the bytes
        return ("%s: not proven; its plan %d bytes, the optimum at least %d (%d states "
                "merged into intervals)." % (quantity, -v, -u, o["merged"]))
    return ("%s: not proven; its plan %d, the optimum at most %d (%d states "
            "merged into intervals)." % (quantity, v, u, o["merged"]))


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


# ------------------------------------------------------------- collection

def read_catalog(path):
    """the SubNet catalog from the SuperNet file's safetensors header"""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        meta = json.loads(f.read(n))["__metadata__"]
    return [{k: s[k] for k in ("id", "macs", "weight_bytes", "epilogue_bytes", "accuracy")}
            for s in json.loads(meta["catalog"])]


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


def collect(args, dataflow, out):
    """run every point of one dataflow; returns the results dict"""
    runner = Runner(args, dataflow)
    t0 = time.monotonic()
    R = {"label": args.label, "supernet": args.supernet, "queries": args.queries,
         "dataflow": dataflow, "catalog": read_catalog(args.supernet), "traces": {},
         "sweeps": {}}
    for tr in args.traces:
        for sel in args.selects:
            res, j = runner.point(["--trace", tr, "--select", sel])
            R.setdefault("accelerator", j["accelerator"])
            R.setdefault("weights", j["weights"])
            R["traces"]["%s-%s" % (tr, sel)] = {
                "results": res, "oracle": j["oracle"], "oracle_offchip": j["oracle_offchip"],
                "universal_bound": j["universal_bound"], "candidates": j["candidates"]}
    pb = pb_list(args, runner)
    for tr in SWEEP_TRACES:
        for sel in args.selects:
            for name, flag, values, pols in (("pb", "--pb-kib", pb, None),
                                             ("q", "--q", QS, QW_POLICIES),
                                             ("w", "--w", WS, QW_POLICIES)):
                pts = []
                for v in values:
                    res, j = runner.point(["--trace", tr, "--select", sel, flag, str(v)],
                                          pols)
                    pts.append({"value": v, "results": res, "oracle": j.get("oracle"),
                                "oracle_offchip": j.get("oracle_offchip")})
                R["sweeps"]["%s-%s-%s" % (tr, sel, name)] = pts
    # the timeline of SushiSched on the phased trace (a plot, not data)
    cmd = runner.cmd(["--trace", "phased", "--policy", "sushi", "--plot",
                      os.path.join(out, "timeline-phased.png")])
    cmd[cmd.index("-n") + 1] = str(min(TIMELINE_QUERIES, args.queries))
    if subprocess.run(cmd, capture_output=True).returncode:
        sys.exit("sweep.py: %s failed" % " ".join(cmd))
    print("sweep.py: %s, %s: %d sushictl runs, %.0f s" % (
        args.label, flow_name(dataflow), runner.runs + 1, time.monotonic() - t0),
        file=sys.stderr)
    return R


# -------------------------------------------------------------- rendering

def trace_table(label, tr, sel, T):
    res, orc, off = T["results"], T["oracle"], T["oracle_offchip"]
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
                     "%.1f" % saving_pct_oracle(r, orc),
                     "%.2f" % pct(r["offchip_bytes"], min_off)])
    s, b, nopb = res["sushi"], res["best-static"], res["no-pb"]
    exact = "oracle" if orc["exact"] else "bound"
    return ["%s, trace ``%s``, select ``%s``\n" % (label, tr, sel),
            table(rows, ["policy", "acc %", "SLO %", "mean us", "p99 us",
                         "off-chip KB/q", "weights", "activations", "epilogues",
                         "PB loads", "off-chip uJ/q", "PB hit %", "reloads",
                         "saving %% of %s" % exact, "off-chip % of min"]),
            oracle_note(orc, "Oracle (saving)") + " " +
            oracle_note(off, "Oracle (min off-chip)"),
            "SushiSched vs no PB: mean latency %+.1f%%, served accuracy %+.2f points, "
            "off-chip energy %+.1f%%.  SushiSched vs best-static: saving %.1f%% of "
            "best-static's, off-chip bytes %+.2f%%, served accuracy %+.2f points; "
            "SushiSched reaches %.1f%% of the oracle's saving%s.\n" % (
                chg(s["latency_mean_us"], nopb["latency_mean_us"]),
                100 * (s["served_accuracy"] - nopb["served_accuracy"]),
                chg(s["offchip_energy_uj_per_query"], nopb["offchip_energy_uj_per_query"]),
                pct(s["offchip_byte_saving"], b["offchip_byte_saving"]),
                chg(s["offchip_bytes"], b["offchip_bytes"]),
                100 * (s["served_accuracy"] - b["served_accuracy"]),
                saving_pct_oracle(s, orc), "" if orc["exact"] else " (upper bound)")]


def sweep_render(R, out, key, pts, rst):
    tr, sel, name = key.rsplit("-", 2)
    label = R["label"]
    names = [p for p in ORDER if p in pts[0]["results"]] + \
            [p for p in MIN_OFF if p in pts[0]["results"]]
    dat = os.path.join(out, key + ".dat")
    with open(dat, "w") as f:
        f.write("# %s (0 plotted at 0.5)  then per policy (%s): off-chip KB/q, "
                "latency us, saving %% of the oracle's bound\n" % (name, ", ".join(names)))
        for p in pts:
            r = p["results"]
            cols = [max(p["value"], 0.5)]
            cols += [r[q]["offchip_bytes_per_query"] / 1e3 for q in names]
            cols += [r[q]["latency_mean_us"] for q in names]
            cols += [saving_pct_oracle(r[q], p["oracle"]) for q in names]
            f.write(" ".join("%g" % c for c in cols) + "\n")
    xl = {"pb": "PB size (KiB)", "q": "Q (queries)", "w": "W (queries)"}[name]
    n = len(names)
    fl = flow_short(R["dataflow"], R)
    gnuplot(os.path.join(out, key + "-offchip.png"),
            "%s, %s, %s (select %s): off-chip bytes per query" % (label, fl, tr, sel), xl,
            "off-chip KB per query", dat, [(2 + i, p, STYLE[p]) for i, p in enumerate(names)],
            logx=True)
    gnuplot(os.path.join(out, key + "-latency.png"),
            "%s, %s, %s (select %s): mean latency" % (label, fl, tr, sel), xl,
            "mean latency (us)", dat, [(2 + n + i, p, STYLE[p]) for i, p in enumerate(names)],
            logx=True)
    rows = []
    for p in pts:
        r, o = p["results"], p["oracle"]
        row = [p["value"], "%.1f" % (r["no-pb"]["offchip_bytes_per_query"] / 1e3)]
        row += ["%.1f" % (r[q]["offchip_bytes_per_query"] / 1e3)
                for q in names if q != "no-pb"]
        row += ["%.1f" % saving_pct_oracle(r["sushi"], o) if o and o["upper_bound"] > 0
                else "-", ("exact" if o["exact"] else "bound") if o else "-"]
        rows.append(row)
    rst.append("%s, trace ``%s``, select ``%s``, sweep of %s: off-chip KB per "
               "query\n" % (label, tr, sel, xl))
    rst.append(table(rows, [name, "no-pb"] + [q for q in names if q != "no-pb"] +
                     ["sushi saving % of oracle", "oracle"]) + "\n")


def render_flow(R, out):
    title = "%s, %s" % (R["label"], flow_name(R["dataflow"], R))
    rst = [title + "\n" + "-" * len(title) + "\n",
           "Columns of the trace tables: off-chip KB per query, then its weights / "
           "activations / epilogues / PB loads; *saving % of oracle*: off-chip byte "
           "saving (PB bytes served - PB bytes loaded) against the oracle's optimum "
           "(*of bound*: its proven upper bound); *off-chip % of min*: off-chip bytes "
           "against the fewest any plan of one candidate SubGraph per window of Q "
           "queries achieves (oracle (min off-chip)).  Policies pinning the same "
           "SubGraph throughout share a row.\n"]
    for key, T in R["traces"].items():
        tr, sel = key.rsplit("-", 1)
        rst += trace_table(R["label"], tr, sel, T)
    for key, pts in R["sweeps"].items():
        sweep_render(R, out, key, pts, rst)
    with open(os.path.join(out, "results.rst"), "w") as f:
        f.write("\n\n".join(rst) + "\n")


# ---------------------------------------------------------------- summary

def fmt_chg(x, unit="%"):
    return "%+.1f%s" % (x, unit)


def headline(R):
    rows = []
    for key, T in R["traces"].items():
        tr, sel = key.rsplit("-", 1)
        r = T["results"]
        s, n, b, o = r["sushi"], r["no-pb"], r["best-static"], T["oracle"]
        m = r["oracle (min off-chip)"]
        rows.append([tr, sel,
                     "%.0f (%s)" % (s["latency_mean_us"],
                                    fmt_chg(chg(s["latency_mean_us"], n["latency_mean_us"]))),
                     "%.2f (%+.2f)" % (100 * s["served_accuracy"],
                                       100 * (s["served_accuracy"] - n["served_accuracy"])),
                     "%.2f (%s)" % (s["offchip_energy_uj_per_query"],
                                    fmt_chg(chg(s["offchip_energy_uj_per_query"],
                                                n["offchip_energy_uj_per_query"]))),
                     "%.1f" % (100 * s["pb_hit_fraction"]),
                     "%.1f" % pct(s["offchip_byte_saving"], b["offchip_byte_saving"]),
                     "%.1f%s" % (saving_pct_oracle(s, o), "" if o["exact"] else " (bound)"),
                     "%.1f" % saving_pct_oracle(b, o),
                     "%.1f / %.1f" % (pct(s["offchip_bytes"], m["offchip_bytes"]),
                                      pct(b["offchip_bytes"], m["offchip_bytes"]))])
    rows.append(list(PAPER) + [""])
    return table(rows, ["trace", "select", "latency us (vs no PB)",
                        "accuracy % (points)", "off-chip uJ/q (vs no PB)", "PB hit %",
                        "saving % of best-static", "saving % of oracle",
                        "best-static % of oracle",
                        "off-chip % of min: sushi / best-static"])


def composition(Rs):
    rows = []
    for df, R in Rs:
        T = R["traces"].get("%s-%s" % (DEF_TRACE, DEF_SELECT))
        if not T:
            continue
        for p in ["no-pb", "sushi", "best-static", "oracle (min off-chip)"]:
            r = T["results"][p]
            tot = r["offchip_bytes_per_query"]
            cells = [flow_short(df, R), p, "%.1f" % (tot / 1e3),
                     "%.2f" % r["offchip_energy_uj_per_query"]]
            for k in ["weight", "activation", "epilogue", "pb_load"]:
                v = r["offchip_%s_bytes_per_query" % k]
                cells.append("%.1f (%.1f%%)" % (v / 1e3, pct(v, tot)))
            cells.append("%.1f" % (100 * r["pb_hit_fraction"]))
            rows.append(cells)
    return table(rows, ["dataflow", "policy", "off-chip KB/q", "off-chip uJ/q", "weights",
                        "activations",
                        "epilogues", "PB loads", "PB hit %"])


def points(R):
    """every distinct (trace, select, PB, Q, W) point with the oracle"""
    seen = {}
    acc = R["accelerator"]
    for key, T in R["traces"].items():
        tr, sel = key.rsplit("-", 1)
        seen[(tr, sel, acc["pb_bytes"] // 1024, DEF_Q, DEF_W)] = T
    for key, pts in R["sweeps"].items():
        tr, sel, name = key.rsplit("-", 2)
        for p in pts:
            k = {"pb": (p["value"], DEF_Q, DEF_W), "q": (acc["pb_bytes"] // 1024, p["value"],
                                                         DEF_W),
                 "w": (acc["pb_bytes"] // 1024, DEF_Q, p["value"])}[name]
            if p["oracle"]:
                seen.setdefault((tr, sel) + k, p)
    return seen


def where(k):
    tr, sel, pb, q, w = k
    s = "%s/%s, PB %d KiB" % (tr, sel, pb)
    if q != DEF_Q:
        s += ", Q %d" % q
    if w != DEF_W:
        s += ", W %d" % w
    return s


def dynamic_static(R):
    """oracle against best-static and SushiSched against both, over every
    distinct point with a non-empty PB"""
    pts = {k: p for k, p in points(R).items() if k[2] > 0}
    st = {"points": len(pts), "dyn": 0, "dyn_max": (0.0, None), "dyn_off": 0,
          "dyn_off_max": (0.0, None), "sushi_wins": 0, "sushi_win_max": (0.0, None),
          "sushi_lo": (1e9, None), "sushi_hi": -1e9, "bs_lo": (1e9, None),
          "inexact": 0, "gap_max": 0.0, "sushi_below_bs": (0.0, None)}
    for k, p in sorted(pts.items()):
        r, o, oo = p["results"], p["oracle"], p["oracle_offchip"]
        bs, su, orc = r["best-static"], r["sushi"], r["oracle"]
        if o["upper_bound"] <= 0:
            continue
        if not o["exact"] or not oo["exact"]:
            st["inexact"] += 1
            st["gap_max"] = max(st["gap_max"],
                                pct(o["upper_bound"] - o["value"], o["value"]))
            st["gap_off_max"] = max(st.get("gap_off_max", 0.0),
                                    pct(oo["upper_bound"] - oo["value"], -oo["value"]))
        g = pct(orc["offchip_byte_saving"] - bs["offchip_byte_saving"],
                orc["offchip_byte_saving"])
        if orc["offchip_byte_saving"] > bs["offchip_byte_saving"]:
            st["dyn"] += 1
            st["dyn1"] = st.get("dyn1", 0) + (g > 1)
            if g > st["dyn_max"][0]:
                st["dyn_max"] = (g, k)
        bo, oo_r = r["best-static (min off-chip)"], r["oracle (min off-chip)"]
        if oo_r["offchip_bytes"] < bo["offchip_bytes"]:
            st["dyn_off"] += 1
            d = pct(bo["offchip_bytes"] - oo_r["offchip_bytes"], bo["offchip_bytes"])
            st["dyn_off1"] = st.get("dyn_off1", 0) + (d > 1)
            if d > st["dyn_off_max"][0]:
                st["dyn_off_max"] = (d, k)
        sp = saving_pct_oracle(su, o)
        if sp < st["sushi_lo"][0]:
            st["sushi_lo"] = (sp, k)
        st["sushi_hi"] = max(st["sushi_hi"], sp)
        bp = saving_pct_oracle(bs, o)
        if bp < st["bs_lo"][0]:
            st["bs_lo"] = (bp, k)
        if su["offchip_byte_saving"] > bs["offchip_byte_saving"]:
            st["sushi_wins"] += 1
            d = pct(su["offchip_byte_saving"] - bs["offchip_byte_saving"],
                    bs["offchip_byte_saving"])
            if d > st["sushi_win_max"][0]:
                st["sushi_win_max"] = (d, k)
        elif bs["offchip_byte_saving"] > 0:
            d = pct(bs["offchip_byte_saving"] - su["offchip_byte_saving"],
                    bs["offchip_byte_saving"])
            if d > st["sushi_below_bs"][0]:
                st["sushi_below_bs"] = (d, k)
    return st


def dynamic_lines(R):
    st = dynamic_static(R)
    lines = [
        "* %d distinct points with a non-empty PB (the trace families at the default "
        "configuration and the PB, Q and W sweeps of the phased and random-walk traces, "
        "both select modes); the oracle (both objectives) proven optimal at %d of them%s." % (
            st["points"], st["points"] - st["inexact"],
            "" if not st["inexact"] else
            ", elsewhere bracketed: its plan within %.2g%% of the proven bound on the "
            "saving, within %.2g%% on the off-chip bytes" % (st["gap_max"],
                                                               st.get("gap_off_max", 0.0))),
        "* Switching SubGraphs every Q queries (the oracle) saves more off-chip bytes "
        "than the best static SubGraph at %d of them%s." % (
            st["dyn"], "" if not st["dyn"] else
            ", by more than 1%% of the saving at %d, by at most %.1f%% (%s)" % (
                st.get("dyn1", 0), st["dyn_max"][0], where(st["dyn_max"][1]))),
        "* Minimising off-chip bytes, the best switching plan beats the best static "
        "one at %d points%s." % (
            st["dyn_off"], "" if not st["dyn_off"] else
            ", by more than 1%% of the off-chip bytes at %d, by at most %.2f%% (%s)" % (
                st.get("dyn_off1", 0), st["dyn_off_max"][0], where(st["dyn_off_max"][1]))),
        "* SushiSched reaches %.1f%% (%s) to %.1f%% of the oracle's saving; best-static "
        "at least %.1f%% (%s)." % (st["sushi_lo"][0], where(st["sushi_lo"][1]),
                                   st["sushi_hi"], st["bs_lo"][0], where(st["bs_lo"][1])),
        "* SushiSched saves more than best-static at %d points%s; elsewhere it is below "
        "best-static by up to %.1f%% of best-static's saving%s." % (
            st["sushi_wins"], "" if not st["sushi_wins"] else
            " (by up to %.1f%%, %s)" % (st["sushi_win_max"][0],
                                        where(st["sushi_win_max"][1])),
            st["sushi_below_bs"][0],
            "" if not st["sushi_below_bs"][1] else " (%s)" % where(st["sushi_below_bs"][1]))]
    return lines


def switching(R, name="pb"):
    """per sweep value: the best switching plan's and SushiSched's off-chip
    bytes against the best static plan's, for every swept trace and select"""
    keys = [k for k in R["sweeps"] if k.endswith("-" + name)]
    m = {k: {p["value"]: p for p in R["sweeps"][k]} for k in keys}
    values = sorted(set(v for k in keys for v in m[k]))
    rows = []
    for v in values:
        row = [v]
        for k in keys:
            p = m[k].get(v)
            if not p or "oracle (min off-chip)" not in p["results"]:
                row += ["-", "-"]
                continue
            r = p["results"]
            b = r["best-static (min off-chip)"]["offchip_bytes"]
            row += ["%+.2f%%" % chg(r["oracle (min off-chip)"]["offchip_bytes"], b),
                    "%+.2f%%" % chg(r["sushi"]["offchip_bytes"], b)]
        rows.append(row)
    head = [{"pb": "PB KiB", "q": "Q", "w": "W"}[name]]
    for k in keys:
        tr, sel, _ = k.rsplit("-", 2)
        head += ["%s/%s: best switching" % (tr, sel), "sushi"]
    return table(rows, head)


def pays(Rs, tr=DEF_TRACE, sel=DEF_SELECT):
    """SushiSched and the best plan against no PB over the PB sweep, per
    dataflow"""
    key = "%s-%s-pb" % (tr, sel)
    cols = [(df, R, {p["value"]: p for p in R["sweeps"].get(key, [])}) for df, R in Rs]
    values = sorted(set(v for _, _, m in cols for v in m))
    rows = []
    for v in values:
        row = [v]
        for df, R, m in cols:
            p = m.get(v)
            if not p:
                row += ["-"] * 5
                continue
            r = p["results"]
            n, s, o = r["no-pb"], r["sushi"], r["oracle (min off-chip)"]
            row += ["%.1f" % (n["offchip_bytes_per_query"] / 1e3),
                    fmt_chg(chg(s["offchip_bytes"], n["offchip_bytes"])),
                    fmt_chg(chg(o["offchip_bytes"], n["offchip_bytes"])),
                    fmt_chg(chg(s["latency_mean_us"], n["latency_mean_us"])),
                    "%+.2f" % (100 * (s["served_accuracy"] - n["served_accuracy"]))]
        rows.append(row)
    head = ["PB KiB"]
    for df, R, _ in cols:
        f = flow_short(df, R)
        head += ["%s: no-pb KB/q" % f, "sushi off-chip", "min off-chip", "sushi latency",
                 "sushi acc. pts"]
    return table(rows, head)


def pays_plot(Rs, out, tr=DEF_TRACE, sel=DEF_SELECT):
    """off-chip bytes per query against no PB over the PB sweep, both
    dataflows in one plot"""
    key = "%s-%s-pb" % (tr, sel)
    pols = ["sushi", "best-static", "lru", "oracle (min off-chip)"]
    values = sorted(set(p["value"] for _, R in Rs for p in R["sweeps"].get(key, [])))
    dat = os.path.join(out, "%s-%s-pb-dataflows.dat" % (tr, sel))
    series = []
    with open(dat, "w") as f:
        f.write("# PB KiB (0 plotted at 0.5), then per dataflow (%s) and policy (%s): "
                "off-chip bytes per query, %% of no-pb\n" % (
                    ", ".join(df for df, _ in Rs), ", ".join(pols)))
        for v in values:
            cols = [max(v, 0.5)]
            for df, R in Rs:
                m = {p["value"]: p for p in R["sweeps"].get(key, [])}
                for p in pols:
                    if v in m:
                        r = m[v]["results"]
                        cols.append(pct(r[p]["offchip_bytes"], r["no-pb"]["offchip_bytes"]))
                    else:
                        cols.append(float("nan"))
            f.write(" ".join("%g" % c for c in cols) + "\n")
    c = 2
    for i, (df, R) in enumerate(Rs):
        for j, p in enumerate(pols):
            st = STYLE[p].replace("dt 2 ", "")
            series.append((c, "%s, %s" % (flow_short(df, R), p),
                           st + (" dt 2" if i else "")))
            c += 1
    png = os.path.join(out, "%s-%s-pb-dataflows.png" % (tr, sel))
    gnuplot(png, "%s, %s (select %s): off-chip bytes per query, %% of no PB" % (
        Rs[0][1]["label"], tr, sel), "PB size (KiB)", "off-chip bytes, % of no PB", dat,
        series, logx=True, key="left bottom")


def summary(Rs, out):
    label = Rs[0][1]["label"]
    acc = Rs[0][1]["accelerator"]
    rst = []
    for df, R in Rs:
        t = "%s, %s: SushiSched against no PB, best-static and the oracle" % (
            label, flow_name(df, R))
        rst.append(".. rubric:: %s\n" % t)
        rst.append("Default configuration (PB %d KiB, Q %d, W %d), %d queries per trace. "
                   "Latency, accuracy, off-chip energy: SushiSched's value (its change "
                   "against no PB); PB hit: SushiSched's. Then off-chip byte *savings* "
                   "(PB bytes served minus PB bytes loaded) against best-static's and the "
                   "saving oracle's (*(bound)*: an oracle bracketed, not proven optimal); "
                   "last, the off-chip bytes of SushiSched and best-static against the "
                   "fewest any switching plan reaches (oracle (min off-chip)).\n" % (R["accelerator"]["pb_bytes"] // 1024, DEF_Q, DEF_W,
                                   R["queries"]))
        rst.append(headline(R))
    rst.append(".. rubric:: %s: off-chip bytes per query by what they carry\n" % label)
    rst.append("Trace ``%s``, select ``%s``, PB %d KiB, Q %d, W %d (the default "
               "configuration of ``sushictl eval``); KB per query (share of the "
               "total).\n" % (DEF_TRACE, DEF_SELECT, acc["pb_bytes"] // 1024, DEF_Q, DEF_W))
    rst.append(composition(Rs))
    cat = Rs[0][1].get("catalog") or read_catalog(Rs[0][1]["supernet"])
    ratio = [c["epilogue_bytes"] / c["weight_bytes"] for c in cat]
    rst.append("Epilogues (bias and requantization, 12 bytes per output channel, one "
               "array per SubNet and layer): %.1f to %.1f KB per SubNet, %.1f%% to %.1f%% "
               "of the SubNet's own weight bytes (%d SubNets; weights %.1f to %.1f KB). "
               "The PB holds weight rows only, so every policy reads them from DRAM.\n" % (
                   min(c["epilogue_bytes"] for c in cat) / 1e3,
                   max(c["epilogue_bytes"] for c in cat) / 1e3,
                   100 * min(ratio), 100 * max(ratio), len(cat),
                   min(c["weight_bytes"] for c in cat) / 1e3,
                   max(c["weight_bytes"] for c in cat) / 1e3))
    rst.append(".. rubric:: %s: where SGS pays (PB sweep, trace ``%s``, select ``%s``)\n"
               % (label, DEF_TRACE, DEF_SELECT))
    rst.append("Per PB size and dataflow: no PB's off-chip KB per query; SushiSched's "
               "off-chip bytes, and the fewest any switching plan reaches (oracle (min "
               "off-chip)), against no PB; SushiSched's mean latency against no PB and "
               "served accuracy against no PB (points).\n")
    rst.append(pays(Rs))
    for df, R in Rs:
        rst.append(".. rubric:: %s, %s: dynamic SubGraphs against the best static one\n"
                   % (label, flow_name(df, R)))
        rst.append("\n".join(dynamic_lines(R)))
        rst.append("Off-chip bytes per query of the best switching plan (oracle (min "
                   "off-chip), one candidate per window of Q = %d) and of SushiSched, "
                   "against the best static SubGraph's (best-static (min off-chip)), over "
                   "the PB sweep; negative: fewer bytes than any static SubGraph.\n" % DEF_Q)
        rst.append(switching(R))
    with open(os.path.join(out, "summary.rst"), "w") as f:
        f.write("\n\n".join(rst) + "\n")
    pays_plot(Rs, out)
    print("\n\n".join(rst))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sushictl")
    ap.add_argument("--supernet")
    ap.add_argument("--label")
    ap.add_argument("--out", required=True)
    ap.add_argument("--queries", type=int, default=10000)
    ap.add_argument("--pb-kib", default="auto",
                    help="comma-separated PB sizes (KiB) of the PB sweep, or auto")
    ap.add_argument("--act-sram-kib", default="default,0",
                    help="dataflows: 'default' or activation SRAM sizes in KiB")
    ap.add_argument("--traces", default=",".join(TRACES))
    ap.add_argument("--selects", default=",".join(SELECTS))
    ap.add_argument("--render-only", action="store_true",
                    help="rebuild tables and plots from the results.json files in --out")
    args = ap.parse_args()
    if not args.render_only and not (args.sushictl and args.supernet and args.label):
        ap.error("--sushictl, --supernet and --label are required unless --render-only")
    args.traces = args.traces.split(",")
    args.selects = args.selects.split(",")
    if DEF_TRACE not in args.traces or DEF_SELECT not in args.selects:
        ap.error("--traces and --selects must include %s and %s" % (DEF_TRACE, DEF_SELECT))
    flows = args.act_sram_kib.split(",")
    for df in flows:
        if df != "default" and not df.isdigit():
            ap.error("--act-sram-kib: expected 'default' or KiB, got '%s'" % df)
    Rs = []
    for df in flows:
        out = args.out if len(flows) == 1 else os.path.join(args.out, "sram-" + df)
        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, "results.json")
        if args.render_only:
            with open(path) as f:
                R = json.load(f)
        else:
            R = collect(args, df, out)
            with open(path, "w") as f:
                json.dump(R, f, separators=(",", ":"))
        render_flow(R, out)
        Rs.append((df, R))
    summary(Rs, args.out)


if __name__ == "__main__":
    sys.exit(main())
