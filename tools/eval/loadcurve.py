#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""loadcurve.py - latency against offered load, measured with `sushictl
loadgen` against `sushid` in the guest: one boot with N sushi-accel devices,
the daemon started once, then one open-loop Poisson run per rate (the same
seed), answers timed by loadgen on the guest's clock; once per device count.
Writes OUT/loadcurve-Nd.dat (one row per rate) and OUT/loadcurve-Nd.json
(loadgen's JSON per rate) for each count N, OUT/loadcurve-latency.png (p50
and p99 against offered load) and OUT/loadcurve-slo.png (SLO attainment),
and prints an RST table per count for Documentation/results.rst.

Needs `make module sushictl sushid` first (run from the checkout's top).

usage: tools/eval/loadcurve.py OUT [--devices N,N,...] [--rates R,R,...]
           [--duration S] [--ceiling-us U] [--router jsq|sgs]
"""
import argparse
import json
import os
import re
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = ["tools/supernet/data/fmnist-supernet.safetensors",
        "tools/supernet/data/fmnist-test-1000-images.idx",
        "tools/supernet/data/fmnist-test-1000-labels.idx"]


def guest_script(a):
    rates = " ".join(str(r) for r in a.rates)
    return f"""
/bin/sushid --socket /tmp/sushid.sock --supernet /data/fmnist-supernet.safetensors \
    --router {a.router} &
pid=$!
i=0
while [ ! -S /tmp/sushid.sock ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
for r in {rates}; do
  echo "LOADCURVE-BEGIN $r"
  /bin/sushictl loadgen --socket /tmp/sushid.sock --rate $r --duration {a.duration} \
      --ceiling-us {a.ceiling_us} --images /data/fmnist-test-1000-images.idx \
      --labels /data/fmnist-test-1000-labels.idx --json | tr -d '\\n'
  echo
  echo "LOADCURVE-END $r"
done
kill -TERM $pid
wait $pid
"""


def run_guest(a, out, n):
    build = os.path.join(TOP, "build")
    cpio = os.path.join(build, "guest", "loadcurve.cpio")
    cmd = [os.path.join(TOP, "tools/guest/mkinitramfs.sh"), "-o", cpio, "-m", "cmd",
           "-k", os.path.join(build, "kmod/driver/sushi.ko"),
           "-b", os.path.join(build, "sushid/sushid"),
           "-b", os.path.join(build, "sushictl/sushictl"),
           "-c", guest_script(a)]
    for d in DATA:
        cmd += ["-d", os.path.join(TOP, d)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    log = os.path.join(out, "loadcurve-%dd-console.log" % n)
    env = dict(os.environ, SUSHI_GUEST_NDEV=str(n), SUSHI_GUEST_LOG=log,
               SUSHI_GUEST_TIMEOUT=str(120 + len(a.rates) * (a.duration + 60)))
    subprocess.run([os.path.join(TOP, "tools/guest/run-guest.sh"), cpio], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return open(log, errors="replace").read()


def parse(console):
    runs = []
    for m in re.finditer(r"LOADCURVE-BEGIN (\S+)\s*\n(.*?)\n\s*LOADCURVE-END", console, re.S):
        text = m.group(2).strip()
        start = text.find("{")
        runs.append(json.loads(text[start:]))
    return runs


def rows_of(runs):
    rows = []
    for j in runs:
        lat = j["latency_ns"]
        st = j["status"]
        rows.append((j["offered_qps"], j["throughput_qps"], lat["p50"] / 1e6,
                     lat["p99"] / 1e6, 100 * j["slo_attainment"],
                     st.get("shed", 0), st.get("failed", 0), j["answered"], j["sent"]))
    return rows


def write(out, n, runs):
    rows = rows_of(runs)
    with open(os.path.join(out, "loadcurve-%dd.json" % n), "w") as f:
        json.dump(runs, f, indent=1)
    with open(os.path.join(out, "loadcurve-%dd.dat" % n), "w") as f:
        f.write("# offered_qps throughput_qps p50_ms p99_ms slo_pct shed failed answered sent\n")
        for r in rows:
            f.write("%.2f %.2f %.3f %.3f %.2f %d %d %d %d\n" % r)
    print("%d device%s:\n\n.. list-table::\n   :header-rows: 1\n" % (n, "" if n == 1 else "s"))
    print("   * - offered q/s\n     - served q/s\n     - p50 ms\n     - p99 ms\n"
          "     - SLO\n     - shed\n     - failed\n     - answered / sent")
    for r in rows:
        print("   * - %.1f\n     - %.1f\n     - %.2f\n     - %.2f\n     - %.1f %%\n"
              "     - %d\n     - %d\n     - %d / %d" % r)
    print()


def plot(out, a):
    def dat(n):
        return os.path.join(out, "loadcurve-%dd.dat" % n)
    head = ["set terminal pngcairo size 1000,560", "set grid", "set key top left",
            "set xlabel 'offered load (queries/s, open-loop Poisson, %d s per rate)'"
            % a.duration, "set logscale x"]
    lat = head + ["set output '%s'" % os.path.join(out, "loadcurve-latency.png"),
                  "set title 'sushid + sushictl loadgen in the guest (TCG): latency'",
                  "set ylabel 'latency (ms)'", "set logscale y",
                  "plot " + ", ".join(
                      "'%s' u 1:4 w lp lw 2 t 'p99, %d dev', '' u 1:3 w lp dt 2 t 'p50, %d dev'"
                      % (dat(n), n, n) for n in a.devices)]
    slo = head + ["set output '%s'" % os.path.join(out, "loadcurve-slo.png"),
                  "set title 'sushid + sushictl loadgen in the guest (TCG): SLO attainment "
                  "(ceiling %g ms)'" % (a.ceiling_us / 1000.0),
                  "set ylabel 'SLO attainment (%)'", "set yrange [0:105]",
                  "plot " + ", ".join("'%s' u 1:5 w lp lw 2 t '%d dev'" % (dat(n), n)
                                      for n in a.devices)]
    for script in (lat, slo):
        subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--devices", default="1,2,4")
    ap.add_argument("--rates", default="25,50,100,200,300,400,600,800")
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--ceiling-us", type=int, default=50000)
    ap.add_argument("--router", default="jsq")
    a = ap.parse_args()
    a.rates = [float(r) for r in a.rates.split(",")]
    a.devices = [int(n) for n in a.devices.split(",")]
    os.makedirs(a.out, exist_ok=True)
    for n in a.devices:
        runs = parse(run_guest(a, a.out, n))
        if len(runs) != len(a.rates):
            sys.exit("loadcurve: %d of %d runs in the console log" % (len(runs), len(a.rates)))
        write(a.out, n, runs)
    plot(a.out, a)


if __name__ == "__main__":
    main()
