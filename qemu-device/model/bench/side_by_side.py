#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""side_by_side.py - merges runs of the model benchmark built with our flags
and with QEMU's (make bench) into one table: per kernel and fast family,
GMAC/s of each build and the QEMU build's share of the int8 peak of the
same family and of the host's best peak (VNNI when present).  Each input
file may hold several runs of one build (the best rate of each counts: the
cores are shared).  Usage: side_by_side.py OURS QEMU FLAGS_FILE
"""
import sys


def parse(path):
    peak, rate, order = {}, {}, []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 3 and w[0] == "peak":
                peak[w[1]] = max(peak.get(w[1], 0.0), float(w[2]))
            elif len(w) == 4 and w[0] == "fam":
                key = (w[1], w[2])
                if key not in rate:
                    order.append(key)
                rate[key] = max(rate.get(key, 0.0), float(w[3]))
    return peak, rate, order


def main(ours_path, qemu_path, flags_path):
    with open(flags_path) as f:
        src, cc, flags = (f.read().split("\n") + ["", "", ""])[:3]
    po, ro, order = parse(ours_path)
    pq, rq, _ = parse(qemu_path)
    peak = {k: max(po.get(k, 0.0), pq.get(k, 0.0)) for k in set(po) | set(pq)}
    best = peak.get("avx512-vnni", 0.0) or peak.get("avx2", 0.0)
    print("# == the model kernels built with our flags and with QEMU's ==")
    print("# ours: model.mk's flags ($(OPT) -O2 -g, C11; bench.c -O3)")
    print("# qemu: " + src)
    print("#       " + cc + " " + flags)
    print("# int8 peak (best of both runs): VNNI %.1f GMAC/s, AVX2 %.1f GMAC/s"
          % (peak.get("avx512-vnni", 0.0), peak.get("avx2", 0.0)))
    print("# %-20s %-12s %9s %9s %7s %10s %10s" % ("kernel", "family", "ours",
          "qemu", "q/o", "%fam-peak", "%best-peak"))
    for kern, fam in order:
        o, q = ro.get((kern, fam), 0.0), rq.get((kern, fam), 0.0)
        if fam == "ref" or (o <= 0 and q <= 0):
            continue
        fp = peak.get(fam, 0.0)
        print("# %-20s %-12s %9.2f %9.2f %6.2fx %9.1f%% %9.1f%%" % (
            kern, fam, o, q, q / o if o > 0 else 0.0,
            100 * q / fp if fp > 0 else 0.0, 100 * q / best if best > 0 else 0.0))
    print("# (GMAC/s, single thread, best batch; %fam-peak: the QEMU-flags rate against"
          " the peak of the same instruction family (vpdpbusd zmm for avx512-vnni,"
          " vpmaddwd ymm for avx2); %best-peak: against the host's best int8 peak)")
    for kern, fam in order:
        if fam != "ref" and rq.get((kern, fam), 0.0) > 0:
            print("bench-qemu %s %s %.2f %.2f" % (kern, fam, ro.get((kern, fam), 0.0),
                                                  rq[(kern, fam)]))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: side_by_side.py OURS QEMU FLAGS_FILE")
    sys.exit(main(*sys.argv[1:]))
