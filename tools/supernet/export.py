#!/usr/bin/python3
"""export.py - SubNet search, int8 quantization, catalog and file export.

Owns: choosing the SubNet catalog (candidates ranked by float accuracy on
the validation split, then measured in int8 on the test split, keeping the
Pareto front of int8 accuracy vs MACs), and writing the SuperNet file plus
the 1,000-image test sample.

Usage: nice -n 15 /usr/bin/python3 export.py DATA_DIR FLOAT_CKPT OUT_FILE
           [--sample-dir DIR] [--work DIR]
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch

import arch as A
import fmnist
import int8ref as R
import quantize as Q
import safetensors_io as st
import sfile
import supernet as S

LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
          "Shirt", "Sneaker", "Bag", "Ankle boot"]


def log(*a):
    print(*a, flush=True)


def candidates(space, n_random, seed, n_near=20):
    """Max, min, every uniform architecture, and n_random random ones."""
    rng = random.Random(seed)
    out = {}
    for a in [A.max_arch(space), A.min_arch(space)]:
        out[A.arch_name(space, a)] = a
    for d in space["depth_list"]:
        for e in space["expand_list"]:
            for w in space["width_list"]:
                ns = A.n_stages(space)
                a = {"d": [d] * ns, "e": [[e] * d for _ in range(ns)],
                     "w": [w] * ns}
                out[A.arch_name(space, a)] = a
    while len(out) < n_random + 2 + 27:
        a = A.random_arch(space, rng)
        out[A.arch_name(space, a)] = a
    # near the largest SubNet (random sampling rarely gets there): one
    # choice lowered, then choices kept at their maximum with probability
    # 0.8 (seeded)
    full = A.max_arch(space)
    for i in range(A.n_stages(space)):
        for key, lst in (("d", "depth_list"), ("w", "width_list")):
            for v in space[lst][:-1]:
                a = json.loads(json.dumps(full))
                a[key][i] = v
                if key == "d":
                    a["e"][i] = a["e"][i][:v]
                out[A.arch_name(space, a)] = a
        for b in range(full["d"][i]):
            for v in space["expand_list"][:-1]:
                a = json.loads(json.dumps(full))
                a["e"][i][b] = v
                out[A.arch_name(space, a)] = a
    n = len(out)
    while len(out) < n + n_near:
        a = A.random_arch(space, rng)
        for i in range(A.n_stages(space)):
            if rng.random() < 0.8:
                a["w"][i] = full["w"][i]
            if rng.random() < 0.8:
                a["d"][i] = full["d"][i]
                a["e"][i] = (a["e"][i] + [max(space["expand_list"])] * 3)[
                    :full["d"][i]]
            a["e"][i] = [max(space["expand_list"]) if rng.random() < 0.8
                         else e for e in a["e"][i]]
        out[A.arch_name(space, a)] = a
    return list(out.values())


def pareto(points, key_cost, key_acc):
    """Points on the Pareto front (lower cost, higher accuracy), sorted by
    cost, accuracy strictly increasing."""
    pts = sorted(points, key=lambda p: (p[key_cost], -p[key_acc]))
    front, best = [], -1.0
    for p in pts:
        if p[key_acc] > best:
            front.append(p)
            best = p[key_acc]
    return front


def near_front(points, key_cost, key_acc, n):
    """The n points closest (in accuracy) to the front's staircase."""
    pts = sorted(points, key=lambda p: p[key_cost])
    best, gaps = -1.0, []
    for p in pts:
        best = max(best, p[key_acc])
        gaps.append((best - p[key_acc], p[key_cost], p))
    gaps.sort(key=lambda g: (g[0], g[1]))
    return [g[2] for g in gaps[:n]]


G = {}   # state shared with forked workers


def _search_one(a):
    space, net, calib, xv, yv = (G[k] for k in
                                 ("space", "net", "calib", "xv", "yv"))
    net.set_running_stats(a, calib[:1000])
    return {"arch": a, "macs": A.macs(space, a),
            "val_float": Q.float_accuracy(net, a, xv, yv)}


def _final_one(p):
    space, net, calib, wq, weights = (G[k] for k in
                                      ("space", "net", "calib", "wq", "weights"))
    xs, ys = G["xs"], G["ys"]
    a = p["arch"]
    layers, epis = Q.quantize_subnet(net, space, a, wq, calib, "tmp")
    acc_f = Q.float_accuracy(net, a, xs, ys)
    acc_q = R.accuracy(layers, weights, epis, xs, ys)
    acc_s = R.accuracy(layers, weights, epis, xs[:1000], ys[:1000])
    return dict(p, name=A.arch_name(space, a), acc_float=acc_f,
                acc_int8=acc_q, acc_int8_sample=acc_s, layers=layers,
                epis=epis)


def pmap(fn, items, jobs):
    """Map over items with up to `jobs` forked workers (results in order)."""
    if jobs <= 1 or len(items) <= 1:
        for it in items:
            yield fn(it)
        return
    import multiprocessing as mp
    with mp.get_context("fork").Pool(jobs) as pool:
        for r in pool.imap(fn, items):
            yield r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir")
    ap.add_argument("float_ckpt")
    ap.add_argument("out_file")
    ap.add_argument("--sample-dir", help="write the 1,000-image test sample")
    ap.add_argument("--work", default=os.path.expanduser(
        "~/.cache/sushi/supernet/export"), help="cache of search results")
    ap.add_argument("--random", type=int, default=120)
    ap.add_argument("--near", type=int, default=20,
                    help="seeded random candidates near the largest SubNet")
    ap.add_argument("--finalists", type=int, default=56)
    ap.add_argument("--calib", type=int, default=2000)
    ap.add_argument("--test-limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2,
                    help="worker processes (the machine has 2 cores)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    t0 = time.time()
    import hashlib
    with open(args.float_ckpt, "rb") as f:
        args.work = os.path.join(args.work,
                                 hashlib.sha256(f.read()).hexdigest()[:16])
    os.makedirs(args.work, exist_ok=True)

    state, meta, _ = st.load(args.float_ckpt)
    space = json.loads(meta["space"])
    net = S.SuperNet(space)
    net.load_float_state(state)
    xt, yt = fmnist.load(args.data_dir, "train")
    xv, yv = fmnist.load(args.data_dir, "val")
    xs, ys = fmnist.load(args.data_dir, "test")
    if args.test_limit:
        xs, ys = xs[:args.test_limit], ys[:args.test_limit]
    # calibration images: a fixed random subset of the training split
    sel = np.random.RandomState(args.seed).permutation(len(yt))[:args.calib]
    calib = S.to_float_images(xt[sel])

    G.update(space=space, net=net, calib=calib, xv=xv, yv=yv, xs=xs, ys=ys)

    # 1. candidates, float accuracy on the validation split
    cache = os.path.join(args.work, "search.json")
    done = {}
    if os.path.exists(cache):
        done = json.load(open(cache))
    cands = candidates(space, args.random, args.seed, args.near)
    todo = [a for a in cands if A.arch_name(space, a) not in done]
    for i, r in enumerate(pmap(_search_one, todo, args.jobs)):
        name = A.arch_name(space, r["arch"])
        done[name] = r
        json.dump(done, open(cache, "w"))
        log("search %3d/%d %-28s %8d MACs val %.4f (%.0f s)" % (
            i + 1, len(todo), name, r["macs"], r["val_float"],
            time.time() - t0))
    pts = [done[A.arch_name(space, a)] for a in cands]
    front = near_front(pts, "macs", "val_float", args.finalists)
    front.sort(key=lambda p: p["macs"])
    log("finalists: %d" % len(front))

    # 2. quantize finalists, int8 and float accuracy on the test split
    wq = Q.quantize_weights(state, space)
    weights = {"w." + k: v[0] for k, v in wq.items()}
    G.update(wq=wq, weights=weights)
    fdir = os.path.join(args.work, "final")
    os.makedirs(fdir, exist_ok=True)
    fin, todo = [], []
    for p in front:
        fn = os.path.join(fdir, A.arch_name(space, p["arch"]) + ".json")
        if os.path.exists(fn):
            r = json.load(open(fn))
            r["epis"] = {k: np.array(v, dtype=np.int32)
                         for k, v in r["epis"].items()}
            fin.append(r)
        else:
            todo.append(p)
    for r in pmap(_final_one, todo, args.jobs):
        fin.append(r)
        fn = os.path.join(fdir, r["name"] + ".json")
        json.dump(dict(r, epis={k: v.tolist() for k, v in r["epis"].items()}),
                  open(fn, "w"))
        log("final %-28s %8d MACs val %.4f test float %.4f int8 %.4f "
            "(%.0f s)" % (r["name"], r["macs"], r["val_float"],
                          r["acc_float"], r["acc_int8"], time.time() - t0))
    fin.sort(key=lambda r: r["macs"])
    json.dump([{k: v for k, v in r.items() if k not in ("layers", "epis")}
               for r in fin],
              open(os.path.join(args.work, "finalists.json"), "w"), indent=1)

    # 3. catalog: Pareto front of int8 test accuracy vs MACs
    cat_pts = pareto(fin, "macs", "acc_int8")
    catalog, all_epis = [], {}
    for i, p in enumerate(cat_pts):
        sid = "sn%02d" % i
        a = p["arch"]
        layers = []
        for L in p["layers"]:
            L = dict(L)
            if L["epilogue"]:
                e = p["epis"][L["epilogue"]]
                L["epilogue"] = L["epilogue"].replace("epi.tmp.",
                                                      "epi.%s." % sid, 1)
                all_epis[L["epilogue"]] = e
            layers.append(L)
        catalog.append({
            "id": sid, "arch": a, "arch_name": p["name"], "macs": p["macs"],
            "weight_bytes": A.weight_bytes(space, a),
            "epilogue_bytes": 12 * sum(L["out_c"] for L in layers
                                       if L["epilogue"]),
            "accuracy": p["acc_int8"], "acc_int8": p["acc_int8"],
            "acc_float": p["acc_float"], "acc_val_float": p["val_float"],
            "acc_int8_sample1000": p["acc_int8_sample"],
            "layers": layers})
    extra = {"labels": LABELS,
             "accuracy": {"metric": "top-1", "split": "fashion-mnist test",
                          "images": int(len(ys)), "source": "measured",
                          "arithmetic": "int8 (int8ref.py)"},
             "quantization": {
                 "weights": "int8 symmetric per output channel, scale = "
                            "max|row| / 127 over the SuperNet row",
                 "activations": "int8 per-tensor asymmetric, min/max over "
                                "%d training images" % args.calib,
                 "rounding": "half away from zero",
                 "bn": "recalibrated per SubNet, absorbed into epilogues"}}
    raw = sfile.build(space, {k: v[0] for k, v in wq.items()},
                      {k: v[1] for k, v in wq.items()}, catalog, all_epis,
                      extra_arch=extra,
                      extra_meta={"training_log": meta.get("log", "[]")})
    with open(args.out_file, "wb") as f:
        f.write(raw)
    log("wrote %s: %d bytes, %d SubNets" % (args.out_file, len(raw),
                                             len(catalog)))
    if args.sample_dir:
        os.makedirs(args.sample_dir, exist_ok=True)
        xs_all, ys_all = fmnist.load(args.data_dir, "test")
        fmnist.write_idx(os.path.join(args.sample_dir,
                                      "fmnist-test-1000-images.idx"),
                         xs_all[:1000])
        fmnist.write_idx(os.path.join(args.sample_dir,
                                      "fmnist-test-1000-labels.idx"),
                         ys_all[:1000])
    for c in catalog:
        log("%s %-28s %8d MACs %7d B int8 %.4f float %.4f" % (
            c["id"], c["arch_name"], c["macs"], c["weight_bytes"],
            c["acc_int8"], c["acc_float"]))
    log("export done in %.0f s" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
