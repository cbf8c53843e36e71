#!/usr/bin/python3
"""catalog_table.py - a SuperNet file's catalog as a reST table.

Owns: printing the catalog the way training.rst shows it: MACs, int8
weight bytes, cold latency on the default SushiAccel, validation int8
accuracy (the selection's) and test int8 accuracy (measured once) with
standard errors, float test accuracy, the paired test against the
previous entry, and the sample accuracy.
Usage: /usr/bin/python3 tools/supernet/catalog_table.py FILE
"""
import sys

import sfile


def pct(p, se=None):
    return "%.2f" % (100 * p) if se is None else "%.2f +- %.2f" % (
        100 * p, 100 * se)


def rows(sf):
    yield ("id", "arch_name", "MACs", "weight B", "latency us",
           "val int8 %", "test int8 %", "z vs prev", "test float %",
           "sample %")
    for c in sf.catalog:
        z = c.get("z_vs_previous")
        yield (c["id"], c["arch_name"], str(c["macs"]),
               str(c["weight_bytes"]), "%.2f" % (c["latency_ns"] / 1e3),
               pct(c["acc_val_int8"], c["acc_val_int8_se"]),
               pct(c["accuracy"], c["accuracy_se"]),
               "-" if z is None else "%.2f%s" % (
                   z, "" if c["distinct_from_previous"] else " (n.s.)"),
               pct(c["acc_float"]), pct(c["acc_int8_sample1000"]))


def table(sf):
    rs = list(rows(sf))
    w = [max(len(r[i]) for r in rs) for i in range(len(rs[0]))]
    rule = " ".join("=" * n for n in w)
    out = [rule, " ".join(h.ljust(n) for h, n in zip(rs[0], w)), rule]
    out += [" ".join(v.ljust(n) for v, n in zip(r, w)) for r in rs[1:]]
    out.append(rule)
    return "\n".join(out)


def main():
    if len(sys.argv) != 2:
        print(__doc__.split("\n")[-2].strip(), file=sys.stderr)
        return 2
    print(table(sfile.read(sys.argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
