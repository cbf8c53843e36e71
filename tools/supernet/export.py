#!/usr/bin/python3
"""export.py - SubNet search, int8 quantization, catalog and file export.

Owns: choosing the SubNet catalog on the validation split alone (candidates
ranked by float accuracy, finalists quantized and measured in int8, the
catalog = the Pareto front of cold latency on the default SushiAccel
against validation int8 accuracy), measuring the chosen SubNets once on the
test split (accuracy, standard error, a paired test against the previous
entry), and writing the SuperNet file, with every split recorded (name,
image count, SHA-256), plus the 1,000-image test sample.

Usage: nice -n 15 /usr/bin/python3 export.py DATA_DIR FLOAT_CKPT OUT_FILE
           [--sample-dir DIR] [--work DIR]
"""
import argparse
import hashlib
import json
import math
import os
import random
import subprocess
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


def candidates(space, n_random, seed, n_near=20, gap=None):
    """Max, min, every uniform architecture, n_random random ones, the
    neighbours of the largest, n_near seeded ones near the largest, and
    gap = (n, lo, hi): n seeded random ones with lo <= MACs <= hi."""
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
    if gap:
        n_gap, lo, hi = gap
        grng = random.Random(seed + 1)
        n = len(out)
        for _ in range(200000):
            if len(out) >= n + n_gap:
                break
            a = A.random_arch(space, grng)
            if lo <= A.macs(space, a) <= hi:
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


def std_err(p, n):
    """Standard error of an accuracy p measured on n images (binomial)."""
    return math.sqrt(max(p * (1.0 - p), 0.0) / n) if n else float("nan")


def paired_z(ok_a, ok_b):
    """McNemar's statistic (normal approximation, no continuity
    correction) for B's accuracy minus A's on the same images: z =
    (c - b) / sqrt(b + c), b = images only A gets right, c = only B."""
    b = int(np.sum(ok_a & ~ok_b))
    c = int(np.sum(~ok_a & ok_b))
    return (c - b) / math.sqrt(b + c) if b + c else 0.0, b, c


G = {}   # state shared with forked workers


def _search_one(a):
    space, net, calib, xv, yv = (G[k] for k in
                                 ("space", "net", "calib", "xv", "yv"))
    net.set_running_stats(a, calib[:1000])
    return {"arch": a, "macs": A.macs(space, a),
            "val_float": Q.float_accuracy(net, a, xv, yv)}


def _val_one(p):
    """Quantize a finalist; its int8 predictions on the validation split."""
    space, net, calib, wq, weights = (G[k] for k in
                                      ("space", "net", "calib", "wq", "weights"))
    a = p["arch"]
    layers, epis = Q.quantize_subnet(net, space, a, wq, calib, "tmp")
    pred = R.predict(layers, weights, epis, G["xv"])
    return dict(p, name=A.arch_name(space, a),
                acc_val_int8=float((pred == G["yv"]).mean()),
                val_ok=(pred == G["yv"]).astype(np.uint8).tolist(),
                layers=layers, epis=epis)


def _test_one(p):
    """The catalog's measurement, once, on the test split: int8 (per image)
    and float (same BN recalibration)."""
    space, net, calib, weights = (G[k] for k in
                                  ("space", "net", "calib", "weights"))
    xs, ys = G["xs"], G["ys"]
    a = p["arch"]
    net.set_running_stats(a, calib)
    acc_f = Q.float_accuracy(net, a, xs, ys)
    pred = R.predict(p["layers"], weights, p["epis"], xs)
    return {"name": p["name"], "acc_float": acc_f,
            "test_ok": (pred == ys).astype(np.uint8).tolist()}


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


def cached(path, fn, todo, jobs, what):
    """Run fn over todo in pmap, caching each result as JSON in
    path/<name>.json; returns {name: result} for todo."""
    os.makedirs(path, exist_ok=True)
    out, run = {}, []
    for p in todo:
        fn_ = os.path.join(path, p["name"] + ".json")
        if os.path.exists(fn_):
            out[p["name"]] = json.load(open(fn_))
        else:
            run.append(p)
    for r in pmap(fn, run, jobs):
        js = dict(r)
        if "epis" in js:
            js["epis"] = {k: v.tolist() for k, v in js["epis"].items()}
        json.dump(js, open(os.path.join(path, r["name"] + ".json"), "w"))
        out[r["name"]] = json.loads(json.dumps(js))
        log("%s %-28s %s" % (what, r["name"], " ".join(
            "%s %.4f" % (k, v) for k, v in r.items()
            if k.startswith("acc") and isinstance(v, float))))
    for r in out.values():
        if "epis" in r:
            r["epis"] = {k: np.array(v, dtype=np.int32)
                         for k, v in r["epis"].items()}
    return out


def catalog_entries(space, pts, accs):
    """Catalog entries (ids sn00...) for pts sorted by MACs; accs[name]
    gives the accuracy fields; epilogue tensors renamed per SubNet."""
    catalog, all_epis = [], {}
    for i, p in enumerate(sorted(pts, key=lambda q: q["macs"])):
        sid = "sn%02d" % i
        layers = Q.name_epilogues(p["layers"], p["epis"], sid, all_epis)
        c = {"id": sid, "arch": p["arch"], "arch_name": p["name"],
             "macs": p["macs"], "weight_bytes": A.weight_bytes(space, p["arch"]),
             "epilogue_bytes": 12 * sum(L["out_c"] for L in layers
                                        if L["epilogue"])}
        c.update(accs(p))
        c["layers"] = layers
        catalog.append(c)
    return catalog, all_epis


def latencies(args, space, wq, fin):
    """Cold latency (ns, nothing pinned) of every finalist on the default
    modelled SushiAccel, from `sushictl eval --json` (the model library,
    the same cost the scheduler and the device use).  The scratch file's
    catalog carries placeholder accuracies: latency does not depend on
    them."""
    n = len(fin)
    cat, epis = catalog_entries(space, fin, lambda p: {
        "accuracy": (sorted(fin, key=lambda q: q["macs"]).index(p) + 1)
        / (n + 1.0)})
    raw = sfile.build(space, {k: v[0] for k, v in wq.items()},
                      {k: v[1] for k, v in wq.items()}, cat, epis,
                      extra_arch={"accuracy": {"source": "placeholder"}})
    tmp = os.path.join(args.work, "latency-scratch.safetensors")
    with open(tmp, "wb") as f:
        f.write(raw)
    out = subprocess.run([args.sushictl, "eval", "--supernet", tmp, "--json",
                          "--policy", "no-pb", "-n", "1"],
                         check=True, stdout=subprocess.PIPE).stdout
    lat = {e["id"]: e["latency_ns"] for e in json.loads(out)["subnets"]}
    return {c["arch_name"]: lat[c["id"]] for c in cat}


def split_meta(name, x, y, what):
    return {"dataset": "fashion-mnist (project split, ../shared/data/"
                       "fashion-mnist/README.md)",
            "split": name, "images": int(len(y)), "what": what,
            "sha256": fmnist.split_hash(x, y)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir")
    ap.add_argument("float_ckpt")
    ap.add_argument("out_file")
    ap.add_argument("--sample-dir", help="write the 1,000-image test sample")
    ap.add_argument("--work", default=os.path.expanduser(
        "~/.cache/sushi/supernet/export"), help="cache of search results")
    ap.add_argument("--random", type=int, default=300)
    ap.add_argument("--near", type=int, default=30,
                    help="seeded random candidates near the largest SubNet")
    ap.add_argument("--gap", type=int, default=120,
                    help="seeded random candidates with MACs in "
                         "[--gap-lo, --gap-hi]")
    ap.add_argument("--gap-lo", type=float, default=1.5e6)
    ap.add_argument("--gap-hi", type=float, default=2.7e6)
    ap.add_argument("--finalists", type=int, default=64)
    ap.add_argument("--gap-finalists", type=int, default=20,
                    help="extra finalists closest to the front among the "
                         "candidates with MACs in [--gap-lo, --gap-hi]")
    ap.add_argument("--calib", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2,
                    help="worker processes (the machine has 2 cores)")
    ap.add_argument("--sushictl", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
        "sushictl", "sushictl"), help="sushictl binary (make sushictl)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    t0 = time.time()
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
    # calibration images: a fixed random subset of the training split
    sel = np.random.RandomState(args.seed).permutation(len(yt))[:args.calib]
    calib = S.to_float_images(xt[sel])

    G.update(space=space, net=net, calib=calib, xv=xv, yv=yv)

    # 1. candidates, float accuracy on the validation split
    cache = os.path.join(args.work, "search.json")
    done = {}
    if os.path.exists(cache):
        done = json.load(open(cache))
    cands = candidates(space, args.random, args.seed, args.near,
                       (args.gap, args.gap_lo, args.gap_hi))
    todo = [a for a in cands if A.arch_name(space, a) not in done]
    for i, r in enumerate(pmap(_search_one, todo, args.jobs)):
        name = A.arch_name(space, r["arch"])
        done[name] = r
        json.dump(done, open(cache, "w"))
        log("search %3d/%d %-28s %8d MACs val %.4f (%.0f s)" % (
            i + 1, len(todo), name, r["macs"], r["val_float"],
            time.time() - t0))
    pts = [dict(done[A.arch_name(space, a)], name=A.arch_name(space, a))
           for a in cands]
    front = near_front(pts, "macs", "val_float", args.finalists)
    names = {p["name"] for p in front}
    in_gap = [p for p in pts if args.gap_lo <= p["macs"] <= args.gap_hi]
    front += [p for p in near_front(in_gap, "macs", "val_float",
                                    args.gap_finalists)
              if p["name"] not in names]
    log("finalists: %d (%d in the gap)" % (len(front), len(front) - len(names)))

    # 2. finalists quantized; int8 accuracy on the validation split
    wq = Q.quantize_weights(state, space)
    weights = {"w." + k: v[0] for k, v in wq.items()}
    G.update(wq=wq, weights=weights)
    val = cached(os.path.join(args.work, "val"), _val_one, front, args.jobs,
                 "val")
    fin = [val[p["name"]] for p in front]
    # one finalist per MAC count (the file's catalog order): the best
    by_macs = {}
    for p in sorted(fin, key=lambda q: (-q["acc_val_int8"], q["name"])):
        by_macs.setdefault(p["macs"], p)
    fin = list(by_macs.values())

    # 3. latency on the default SushiAccel; the catalog is the Pareto
    #    front of (latency, validation int8 accuracy)
    lat = latencies(args, space, wq, fin)
    for p in fin:
        p["latency_ns"] = lat[p["name"]]
    chosen = pareto(fin, "latency_ns", "acc_val_int8")
    json.dump([{k: v for k, v in p.items()
                if k not in ("layers", "epis", "val_ok")} for p in
               sorted(fin, key=lambda q: q["macs"])],
              open(os.path.join(args.work, "finalists.json"), "w"), indent=1)
    log("catalog: %d of %d finalists on the (latency, val int8) front" % (
        len(chosen), len(fin)))

    # 4. measured once on the test split
    G.update(xs=xs, ys=ys)
    test = cached(os.path.join(args.work, "test"), _test_one, chosen,
                  args.jobs, "test")
    chosen.sort(key=lambda q: q["macs"])
    prev = None
    for p in chosen:
        t = test[p["name"]]
        ok = np.array(t["test_ok"], dtype=bool)
        p["acc_int8"], p["acc_float"] = float(ok.mean()), t["acc_float"]
        p["acc_int8_sample"] = float(ok[:1000].mean())
        p["z"] = None
        if prev is not None:
            z, b, c = paired_z(prev, ok)
            p["z"], p["disc"] = z, [b, c]
        prev = ok
    nv, nt = len(yv), len(ys)

    def accs(p):
        a = {"accuracy": p["acc_int8"],
             "accuracy_se": std_err(p["acc_int8"], nt),
             "acc_int8": p["acc_int8"], "acc_float": p["acc_float"],
             "acc_val_int8": p["acc_val_int8"],
             "acc_val_int8_se": std_err(p["acc_val_int8"], nv),
             "acc_val_float": p["val_float"],
             "acc_int8_sample1000": p["acc_int8_sample"],
             "latency_ns": p["latency_ns"]}
        if p["z"] is not None:
            a.update({"z_vs_previous": p["z"],
                      "discordant_vs_previous": p["disc"],
                      "distinct_from_previous": abs(p["z"]) >= 1.96})
        return a
    catalog, all_epis = catalog_entries(space, chosen, accs)
    extra = {"labels": LABELS,
             "accuracy": {
                 "metric": "top-1", "split": "fashion-mnist test",
                 "images": nt, "source": "measured",
                 "arithmetic": "int8 (int8ref.py)",
                 "selection": "Pareto front of (latency_ns: cold latency on "
                              "the default SushiAccel, acc_val_int8) among "
                              "%d finalists; the test split was measured "
                              "once, after the selection" % len(fin),
                 "fields": {
                     "accuracy": "test", "acc_int8": "test",
                     "acc_float": "test", "acc_int8_sample1000":
                     "test (its first 1,000 images: the shipped sample)",
                     "acc_val_int8": "val", "acc_val_float": "val"},
                 "splits": {
                     "test": split_meta("test", xs, ys, "all 10,000 test "
                                        "images (t10k-*)"),
                     "val": split_meta("val", xv, yv, "the last 5,000 "
                                       "training images (train-*), never "
                                       "trained on"),
                     "calib": {"images": args.calib, "what":
                               "a seeded random subset (seed %d) of the "
                               "first 55,000 training images" % args.seed,
                               "sha256": fmnist.split_hash(xt[sel], yt[sel])}},
                 "standard_error": "sqrt(p(1-p)/n), binomial",
                 "adjacent_test": "McNemar z on the test split against the "
                                  "previous catalog entry; distinct when "
                                  "|z| >= 1.96"},
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
        fmnist.write_idx(os.path.join(args.sample_dir,
                                      "fmnist-test-1000-images.idx"), xs[:1000])
        fmnist.write_idx(os.path.join(args.sample_dir,
                                      "fmnist-test-1000-labels.idx"), ys[:1000])
    for c in catalog:
        log("%s %-28s %8d MACs %6d B %7.2f us val %.4f+-%.4f test %.4f+-%.4f "
            "float %.4f z %s" % (
                c["id"], c["arch_name"], c["macs"], c["weight_bytes"],
                c["latency_ns"] / 1e3, c["acc_val_int8"], c["acc_val_int8_se"],
                c["acc_int8"], c["accuracy_se"], c["acc_float"],
                "%.2f" % c["z_vs_previous"] if "z_vs_previous" in c else "-"))
    log("export done in %.0f s" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
