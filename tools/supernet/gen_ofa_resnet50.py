#!/usr/bin/python3
"""gen_ofa_resnet50.py - paper-scale OFA-ResNet50 SuperNet file for timing.

Owns: the exact OFA-ResNet50 search space (Cai et al., "Once-for-All",
ICLR 2020; the OFA repository's `ofa_resnet50`: depth list {0,1,2}, expand
{0.2,0.25,0.35}, width {0.65,0.8,1.0}, 224x224x3 input, 1000 classes;
its layer lists come from ofa_resnet.py), and a file in the SUSHI SuperNet
format with seeded random int8 weights and epilogues.  The catalog's accuracies are the published
ImageNet top-1 numbers of the OFA model zoo's "ResNet50 design space"
specialized sub-nets, mapped to architectures by MACs (an ASSUMPTION, see
Documentation/supernet/format.rst); the weights are random, so the file
is for timing and traffic studies only.  Deterministic and fast.

Usage: /usr/bin/python3 gen_ofa_resnet50.py OUT_FILE [--seed N]
"""
import argparse
import hashlib
import math
import random
import sys
import time

import numpy as np

import ofa_resnet as O
import sfile

SPACE = {
    "name": "ofa-resnet50",
    "kind": "ofa-resnet50",
    "input": [224, 224, 3],
    "n_classes": 1000,
    "base_width": 64,
    "stage_width": [256, 512, 1024, 2048],
    "base_depth": [2, 2, 4, 2],
    "stage_stride": [1, 2, 2, 2],
    "depth_list": [0, 1, 2],
    "expand_list": [0.2, 0.25, 0.35],
    "width_list": [0.65, 0.8, 1.0],
    "divisor": 8,
    "arch_encoding": "OFA set_active_subnet: d[5] (stem, 4 stages) in "
                     "depth_list, e[18] per block, w[6] width multipliers "
                     "(stem conv0/1, stem conv2, 4 stages)",
}

# OFA model zoo, "ResNet50 Design Space" (MACs, ImageNet top-1 %, net id)
PUBLISHED = [
    (0.6e9, 75.0, "resnet50D_MAC@0.6B_top1@75.0_finetune@25"),
    (0.9e9, 76.3, "resnet50D_MAC@0.9B_top1@76.3_finetune@25"),
    (1.2e9, 77.1, "resnet50D_MAC@1.2B_top1@77.1_finetune@25"),
    (1.8e9, 78.3, "resnet50D_MAC@1.8B_top1@78.3"),
    (2.4e9, 79.0, "resnet50D_MAC@2.4B_top1@79.0"),
    (3.0e9, 79.3, "resnet50D_MAC@3.0B_top1@79.3"),
    (3.7e9, 79.7, "resnet50D_MAC@3.7B_top1@79.7"),
    (4.1e9, 79.8, "resnet50D_MAC@4.1B_top1@79.8"),
]


MAX_REL_ERR = 0.10   # a target is used only if a SubNet is this close in MACs


def layer_list(a):
    """OFA-ResNet50 SubNet a -> layer list (ofa_resnet.layer_list)."""
    return O.layer_list(SPACE, a)


def max_arch():
    return O.max_arch(SPACE)


def arch_name(a):
    return O.arch_name(SPACE, a)


def macs(a):
    return O.macs(SPACE, a)


def wbytes(a):
    return O.wbytes(SPACE, a)


def random_arch(rng):
    """Each choice is the smallest option with a per-sample probability
    (uniform in [0,1)), else uniform: covers the whole MACs range."""
    lo = rng.random()

    def pick(opts):
        return opts[0] if rng.random() < lo else rng.choice(opts)
    return {"d": [pick(SPACE["depth_list"]) for _ in range(5)],
            "e": [pick(SPACE["expand_list"]) for _ in range(18)],
            "w": [pick(SPACE["width_list"]) for _ in range(6)]}


def targets():
    """Published points plus geometric midpoints (accuracy interpolated
    linearly in log MACs), as (MACs, top-1 fraction, source)."""
    out = []
    for j, (m, acc, nid) in enumerate(PUBLISHED):
        out.append((m, acc / 100.0, "published: OFA model zoo " + nid))
        if j + 1 < len(PUBLISHED):
            m2, acc2, nid2 = PUBLISHED[j + 1]
            mm = math.sqrt(m * m2)
            aa = acc + (acc2 - acc) * (math.log(mm) - math.log(m)) / (
                math.log(m2) - math.log(m))
            out.append((mm, round(aa, 2) / 100.0,
                        "interpolated (log-MACs) between %s and %s"
                        % (nid, nid2)))
    return out


def choose(rng, n_samples=12000):
    """For each target, the sampled architecture with the closest MACs
    (relative error), keeping MACs strictly increasing."""
    cands = {}
    for a in [max_arch(), {"d": [0] * 5, "e": [0.2] * 18, "w": [0.65] * 6}]:
        cands[arch_name(a)] = (macs(a), a)
    for _ in range(n_samples):
        a = random_arch(rng)
        cands.setdefault(arch_name(a), (macs(a), a))
    pool = sorted(cands.values(), key=lambda t: t[0])
    chosen, last = [], 0
    for m, acc, src in targets():
        best = min((t for t in pool if t[0] > last),
                   key=lambda t: abs(math.log(t[0] / m)), default=None)
        if best is None or abs(best[0] / m - 1) > MAX_REL_ERR:
            continue     # e.g. published sub-nets below the 224x224 minimum
        chosen.append((best, acc, src, m))
        last = best[0]
    return chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_file")
    ap.add_argument("--seed", type=int, default=2020)
    args = ap.parse_args()
    t0 = time.time()
    rng = random.Random(args.seed)
    nrng = np.random.default_rng(args.seed)
    full = layer_list(max_arch())
    weights, scales = {}, {}
    for L in full:
        if "weight" in L:
            weights[L["weight"]] = nrng.integers(
                -127, 128, size=(L["rows_max"], L["row_stride"]),
                dtype=np.int8)
            scales[L["weight"]] = np.full(L["rows_max"], 1.0 / 127,
                                          np.float32)
    catalog, epis = [], {}
    for i, ((m, a), acc, src, target) in enumerate(choose(rng)):
        sid = "sn%02d" % i
        layers = []
        for L in layer_list(a):
            relu = L["act"] == "relu"
            zp = -128 if relu else 0
            R = {k: L[k] for k in ("name", "op", "inputs", "in_c", "in_h",
                                   "in_w", "out_c", "out_h", "out_w", "k",
                                   "s", "p", "groups")}
            src_zp = -128 if L["inputs"][0] < 0 else layers[L["inputs"][0]][
                "out_zp"]
            R.update(in_zp=src_zp, in2_zp=0, out_zp=zp,
                     act_min=zp if relu else -128, act_max=127,
                     add_mult_a=0, add_mult_b=0, add_shift=0, weight=None,
                     rows=0, row_bytes=0, row_stride=0, epilogue=None,
                     out_scale=0.05)
            if L["op"] in ("maxpool", "avgpool", "gap"):
                R["out_zp"] = src_zp
                R["act_min"] = -128
            if L["op"] == "add":
                R.update(in2_zp=layers[L["inputs"][1]]["out_zp"],
                         add_mult_a=1 << 30, add_mult_b=1 << 30, add_shift=31)
            if "weight" in L:
                red = L["row_bytes"]
                k = L["out_c"]
                # seeded epilogue: keeps random activations in range
                mreal = 40.0 / (math.sqrt(red) * 73.0 * 16.0)
                f, e = math.frexp(mreal)
                e_ = np.zeros((k, 3), dtype=np.int32)
                e_[:, 0] = nrng.integers(-2000, 2001, k)
                e_[:, 1] = int(round(f * (1 << 31)))
                e_[:, 2] = 31 - e
                name = "epi.%s.%s" % (sid, L["name"])
                epis[name] = e_
                R.update(weight="w." + L["weight"], rows=L["rows"],
                         row_bytes=L["row_bytes"],
                         row_stride=L["row_stride"], epilogue=name)
            layers.append(R)
        catalog.append({"id": sid, "arch": a, "arch_name": arch_name(a),
                        "macs": m, "weight_bytes": wbytes(a),
                        "epilogue_bytes": 12 * sum(L["out_c"] for L in layers
                                                   if L["epilogue"]),
                        "accuracy": acc, "acc_int8": None, "acc_float": acc,
                        "accuracy_source": src, "target_macs": int(target),
                        "layers": layers})
    extra = {"accuracy": {
        "metric": "ImageNet top-1 (float, published)",
        "source": "Cai et al., Once-for-All, ICLR 2020; OFA repository "
                  "model zoo, ResNet50 design space specialized sub-nets",
        "mapping": "ASSUMPTION: each published point is assigned to the "
                   "sampled SubNet (224x224) whose MACs are closest, if "
                   "within 10% (points below the 224x224 minimum are "
                   "dropped); midpoints are interpolated linearly in log "
                   "MACs",
        "weights": "random int8 (seed %d): not a trained network" % args.seed}}
    raw = sfile.build(SPACE, weights, scales, catalog, epis, extra_arch=extra,
                      max_layers=full)
    with open(args.out_file, "wb") as f:
        f.write(raw)
    print("wrote %s: %d bytes, %d SubNets, sha256 %s, %.1f s" % (
        args.out_file, len(raw), len(catalog),
        hashlib.sha256(raw).hexdigest()[:16], time.time() - t0))
    for c in catalog:
        print("%s %-40s %11d MACs %9d B top1 %.4f  (target %.2fG)" % (
            c["id"], c["arch_name"], c["macs"], c["weight_bytes"],
            c["accuracy"], c["target_macs"] / 1e9))
    return 0


if __name__ == "__main__":
    sys.exit(main())
