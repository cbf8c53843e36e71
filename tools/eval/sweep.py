#!/usr/bin/python3
"""sweep.py - the SushiSched results: every policy on every trace family,
and sweeps of PB size, Q and W, by running `sushictl eval --json`; writes
results.json, gnuplot plots (PNG) and results.rst (tables) into --out.

Usage:
  /usr/bin/python3 tools/eval/sweep.py --sushictl build/sushictl/sushictl \\
      --supernet FILE --label NAME --out DIR [--queries N] [--pb-kib LIST]

--pb-kib: comma-separated PB sizes (KiB) for the PB sweep; default
256,512,1024,2048,4096,8192.  The FMNIST SuperNet (119 KiB of weights) adds
8-128 KiB, where its weights do not all fit.

Deterministic: fixed seeds; the same inputs give the same numbers.
"""
import argparse
import json
import os
import subprocess
import sys

TRACES = ["uniform", "phased", "random-walk", "bursty"]
POLICIES = ["sushi", "no-pb", "static-smallest", "static-intersect", "lru",
            "oracle"]
PB_KIB = [256, 512, 1024, 2048, 4096, 8192]
QS = [4, 8, 16, 32, 64, 128]
WS = [8, 16, 32, 64, 128, 256]


def run(args, extra):
    cmd = [args.sushictl, "eval", "--supernet", args.supernet, "--json",
           "-n", str(args.queries)] + extra
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def by_policy(res):
    return {r["policy"]: r for r in res["results"]}


def saving_pct(r, oracle):
    o = oracle["offchip_byte_saving"]
    return 100.0 * r["offchip_byte_saving"] / o if o > 0 else float("nan")


def table(rows, head):
    w = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(head)]
    line = "  ".join("=" * x for x in w)
    out = [line, "  ".join(str(h).ljust(w[i]) for i, h in enumerate(head)), line]
    out += ["  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) for r in rows]
    out.append(line)
    return "\n".join(out)


def gnuplot(path_png, title, xlabel, ylabel, dat, series, logx=False):
    script = ["set terminal pngcairo size 900,560",
              "set output '%s'" % path_png, "set title '%s'" % title,
              "set xlabel '%s'" % xlabel, "set ylabel '%s'" % ylabel,
              "set key outside right", "set grid"]
    if logx:
        script.append("set logscale x 2")
    plots = ["'%s' using 1:%d with linespoints title '%s'" % (dat, col, name)
             for col, name in series]
    script.append("plot " + ", ".join(plots))
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sushictl", required=True)
    ap.add_argument("--supernet", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--queries", type=int, default=10000)
    ap.add_argument("--pb-kib", default=",".join(str(k) for k in PB_KIB),
                    help="comma-separated PB sizes (KiB) of the PB sweep")
    args = ap.parse_args()
    try:
        pb_kib = [int(k) for k in args.pb_kib.split(",")]
    except ValueError:
        ap.error("--pb-kib: expected comma-separated integers")
    os.makedirs(args.out, exist_ok=True)
    results = {"supernet": args.supernet, "queries": args.queries,
               "traces": {}, "sweeps": {}}
    rst = []

    # every policy on every trace family, default SushiAccel, Q=32, W=64
    for tr in TRACES:
        res = by_policy(run(args, ["--trace", tr]))
        results["traces"][tr] = res
        base, orc = res["no-pb"], res["oracle"]
        rows = []
        for p in POLICIES:
            r = res[p]
            rows.append([p, "%.2f" % (100 * r["served_accuracy"]),
                         "%.1f" % (100 * r["slo_attainment"]),
                         "%.1f" % r["latency_mean_us"], "%.1f" % r["latency_p99_us"],
                         "%.1f" % (r["offchip_bytes_per_query"] / 1e3),
                         "%.2f" % r["offchip_energy_uj_per_query"],
                         "%.1f" % (100 * r["pb_hit_fraction"]), r["pb_reloads"],
                         "%.1f" % saving_pct(r, orc)])
        s = res["sushi"]
        rst.append("%s, trace ``%s``\n" % (args.label, tr))
        rst.append(table(rows, ["policy", "acc %", "SLO %", "mean us", "p99 us",
                                "off-chip KB/q", "off-chip uJ/q", "PB hit %",
                                "reloads", "saving % of oracle"]))
        rst.append("\nSushiSched vs no PB: mean latency %+.1f%%, served accuracy %+.2f points, "
                   "off-chip energy %+.1f%%.\n" % (
                       100 * (s["latency_mean_us"] / base["latency_mean_us"] - 1),
                       100 * (s["served_accuracy"] - base["served_accuracy"]),
                       100 * (s["offchip_energy_uj_per_query"] /
                              base["offchip_energy_uj_per_query"] - 1)))

    # sweeps on the phased and random-walk traces
    for tr in ("phased", "random-walk"):
        for name, values, flag in (("pb", pb_kib, "--pb-kib"), ("q", QS, "--q"),
                                   ("w", WS, "--w")):
            pts = []
            for v in values:
                res = by_policy(run(args, ["--trace", tr, flag, str(v),
                                           "--policy", "sushi,no-pb,lru,oracle"]))
                pts.append((v, res))
            key = "%s-%s" % (tr, name)
            results["sweeps"][key] = [{"value": v, "results": r} for v, r in pts]
            dat = os.path.join(args.out, key + ".dat")
            with open(dat, "w") as f:
                f.write("# %s  latency(sushi no-pb lru oracle)  offchip_uJ(...)  acc(...)  saving%%(sushi lru)\n" % name)
                for v, r in pts:
                    cols = [v]
                    cols += [r[p]["latency_mean_us"] for p in ("sushi", "no-pb", "lru", "oracle")]
                    cols += [r[p]["offchip_energy_uj_per_query"] for p in ("sushi", "no-pb", "lru", "oracle")]
                    cols += [100 * r[p]["served_accuracy"] for p in ("sushi", "no-pb", "lru", "oracle")]
                    cols += [saving_pct(r["sushi"], r["oracle"]), saving_pct(r["lru"], r["oracle"])]
                    f.write(" ".join("%g" % c for c in cols) + "\n")
            xl = {"pb": "PB size (KiB)", "q": "Q (queries)", "w": "W (queries)"}[name]
            names = ["sushi", "no-pb", "lru", "oracle"]
            gnuplot(os.path.join(args.out, key + "-latency.png"),
                    "%s %s: mean latency" % (args.label, tr), xl, "mean latency (us)",
                    dat, [(2 + i, n) for i, n in enumerate(names)], logx=True)
            gnuplot(os.path.join(args.out, key + "-offchip.png"),
                    "%s %s: off-chip energy per query" % (args.label, tr), xl,
                    "off-chip energy (uJ/query)", dat,
                    [(6 + i, n) for i, n in enumerate(names)], logx=True)
            rows = [[v, "%.1f" % r["sushi"]["latency_mean_us"],
                     "%.1f" % r["no-pb"]["latency_mean_us"],
                     "%.2f" % (100 * r["sushi"]["served_accuracy"]),
                     "%.2f" % (100 * r["no-pb"]["served_accuracy"]),
                     "%.2f" % r["sushi"]["offchip_energy_uj_per_query"],
                     "%.2f" % r["no-pb"]["offchip_energy_uj_per_query"],
                     "%.1f" % saving_pct(r["sushi"], r["oracle"])] for v, r in pts]
            rst.append("%s, trace ``%s``, sweep of %s\n" % (args.label, tr, xl))
            rst.append(table(rows, [name, "sushi us", "no-pb us", "sushi acc %",
                                    "no-pb acc %", "sushi uJ/q", "no-pb uJ/q",
                                    "saving % of oracle"]) + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(args.out, "results.rst"), "w") as f:
        f.write("\n\n".join(rst) + "\n")
    print("\n\n".join(rst))


if __name__ == "__main__":
    sys.exit(main())
