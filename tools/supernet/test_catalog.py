#!/usr/bin/python3
"""test_catalog.py - the shipped catalog's provenance (TAP output).

Owns: checks that the shipped Fashion-MNIST catalog is what training.rst
says it is: every accuracy field names a recorded split; the catalog is the
Pareto front of (latency_ns, acc_val_int8), the axes the selection saw;
latency_ns is the model library's cold latency on the default SushiAccel
(`sushictl eval --json`, given as argv[1]); standard errors and the paired
test against the previous entry follow their formulas; and, when the
Fashion-MNIST IDX files are present (SUSHI_FMNIST_DIR, default
../shared/data/fashion-mnist next to the checkout), that the recorded split
hashes are those files' splits and that the smallest SubNet's recorded
validation and test accuracies are re-measured exactly by int8ref.py.
Run: /usr/bin/python3 tools/supernet/test_catalog.py SUSHICTL
Exit status is non-zero when any check fails.
"""
import json
import math
import os
import subprocess
import sys
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fmnist                        # noqa: E402
import int8ref as R                  # noqa: E402
import sfile                         # noqa: E402

SHIPPED = os.path.join(HERE, "data", "fmnist-supernet.safetensors")
FMNIST = os.environ.get("SUSHI_FMNIST_DIR", os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "shared", "data", "fashion-mnist")))
_n = [0, 0]


class Skip(Exception):
    """A check that cannot run here (TAP SKIP, with the reason)."""


def check(name, fn):
    _n[0] += 1
    try:
        fn()
        print("ok %d - %s" % (_n[0], name))
    except Skip as e:
        print("ok %d - %s # SKIP %s" % (_n[0], name, e))
    except Exception:  # noqa: BLE001 - report any failure as TAP not ok
        _n[1] += 1
        print("not ok %d - %s" % (_n[0], name))
        for line in traceback.format_exc().splitlines():
            print("# " + line)


SF = sfile.read(SHIPPED)
CAT = SF.catalog
ACC = SF.arch["accuracy"]


def t_fields_name_splits():
    fields, splits = ACC["fields"], ACC["splits"]
    keys = {k for c in CAT for k in c
            if k.startswith("acc") and not k.endswith("_se")}
    assert keys <= set(fields), keys - set(fields)
    for k in keys:
        assert fields[k].split()[0] in splits, (k, fields[k])
    for name, sp in splits.items():
        assert len(sp["sha256"]) == 64 and sp["images"] > 0, name
    assert ACC["split"] == "fashion-mnist test"
    assert splits["test"]["images"] == ACC["images"]


def t_pareto_latency_val():
    pts = sorted(CAT, key=lambda c: (c["latency_ns"], -c["acc_val_int8"]))
    for a, b in zip(pts, pts[1:]):
        assert b["acc_val_int8"] > a["acc_val_int8"], (a["id"], b["id"])
        assert b["latency_ns"] > a["latency_ns"], (a["id"], b["id"])
    macs = [c["macs"] for c in CAT]
    assert macs == sorted(set(macs)), "catalog not sorted by MACs"


def t_latency_is_the_models():
    out = subprocess.run([sys.argv[1], "eval", "--supernet", SHIPPED,
                          "--json", "--policy", "no-pb", "-n", "1"],
                         check=True, stdout=subprocess.PIPE).stdout
    got = {e["id"]: e["latency_ns"] for e in json.loads(out)["subnets"]}
    for c in CAT:
        assert got[c["id"]] == c["latency_ns"], (c["id"], got[c["id"]],
                                                 c["latency_ns"])


def t_statistics():
    nt = ACC["splits"]["test"]["images"]
    nv = ACC["splits"]["val"]["images"]
    for i, c in enumerate(CAT):
        for p, se, n in ((c["accuracy"], c["accuracy_se"], nt),
                         (c["acc_val_int8"], c["acc_val_int8_se"], nv)):
            assert abs(se - math.sqrt(p * (1 - p) / n)) < 1e-12, c["id"]
        # accuracies are counts of images
        assert abs(c["accuracy"] * nt - round(c["accuracy"] * nt)) < 1e-6
        if i == 0:
            assert "z_vs_previous" not in c
            continue
        b, d = c["discordant_vs_previous"]
        z = (d - b) / math.sqrt(b + d) if b + d else 0.0
        assert abs(z - c["z_vs_previous"]) < 1e-9, c["id"]
        assert c["distinct_from_previous"] == (abs(z) >= 1.96), c["id"]
        # the discordant pairs account for the accuracy difference
        diff = round((c["accuracy"] - CAT[i - 1]["accuracy"]) * nt)
        assert d - b == diff, (c["id"], d - b, diff)


def need_data():
    if not os.path.isdir(FMNIST):
        raise Skip("no Fashion-MNIST IDX files at %s (set SUSHI_FMNIST_DIR)"
                   ": NOT checked" % FMNIST)


def t_split_hashes():
    need_data()
    for name in ("test", "val"):
        x, y = fmnist.load(FMNIST, name)
        sp = ACC["splits"][name]
        assert sp["images"] == len(y), name
        assert sp["sha256"] == fmnist.split_hash(x, y), name


def t_remeasure_smallest():
    need_data()
    c = CAT[0]
    for name, key in (("val", "acc_val_int8"), ("test", "accuracy")):
        x, y = fmnist.load(FMNIST, name)
        pred = R.predict(c["layers"], SF.weights, SF.epis, x)
        got = float(np.mean(pred == y))
        assert got == c[key], (c["id"], name, got, c[key])


def main():
    if len(sys.argv) != 2:
        print("usage: test_catalog.py SUSHICTL", file=sys.stderr)
        return 2
    for name, fn in (
            ("every accuracy field names a recorded split with its hash",
             t_fields_name_splits),
            ("the catalog is the (latency, validation int8) Pareto front, "
             "sorted by MACs", t_pareto_latency_val),
            ("latency_ns is sushictl eval's cold latency on the default "
             "SushiAccel", t_latency_is_the_models),
            ("standard errors and paired tests follow their formulas",
             t_statistics),
            ("the recorded split hashes are the data's splits",
             t_split_hashes),
            ("the smallest SubNet's validation and test accuracies "
             "re-measure exactly", t_remeasure_smallest)):
        check(name, fn)
    print("1..%d" % _n[0])
    print("# %d passed, %d failed" % (_n[0] - _n[1], _n[1]))
    return 1 if _n[1] else 0


if __name__ == "__main__":
    sys.exit(main())
