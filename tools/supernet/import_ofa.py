#!/usr/bin/python3
"""import_ofa.py - import a Once-for-All OFA-ResNet checkpoint as a SuperNet file.

Owns: reading an `OFAResNets` state dict (Cai et al., Once-for-All, ICLR
2020; mit-han-lab/once-for-all) as OFA saves it (torch.save, the weights
possibly under "state_dict", keys possibly prefixed "module.", conv/bn/
linear keys in OFA's dynamic double-wrapped form or the single form OFA's
own load_state_dict also accepts), checking it against an ofa_resnet.py
space (default: ofa_resnet50), mapping its keys to the SuperNet's layers,
the input normalization (per-channel mean/std as OFA uses) and the int8
network input it defines, the SubNet list (OFA set_active_subnet
encodings from the user, or a default set), and the catalog: per SubNet
OFA-style BN recalibration on the user's calibration images, D4
quantization (quantize.py: shared per-row int8 weights, per-tensor
activations, BN absorbed into epilogues), float and int8 (int8ref.py)
top-1 on the user's evaluation images, sorted by MACs (unique) and by
default Pareto-filtered; the file is written with sfile.py.  The layer
graph is ofa_resnet.py's, the float SuperNet supernet.py's.

Usage: /usr/bin/python3 import_ofa.py CHECKPOINT OUT_FILE --calib NPZ
           --eval NPZ [--space JSON] [--input-size H] [--subnets JSON]
           [--mean M ...] [--std S ...] [--keep-all] [--batch N]
           [--write-sample NPZ]

Data (.npz, numpy): "images" uint8 [N, H, W, C] (or [N, H, W] for one
channel), RGB order as OFA's ImageNet loader gives, already resized and
center-cropped to the network's input size; "labels" integer [N] (class
indices as the checkpoint's classifier numbers them).
See Documentation/supernet/import.rst.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import int8ref as R         # noqa: E402
import ofa_resnet as O      # noqa: E402
import quantize as Q        # noqa: E402
import sfile                # noqa: E402
from gen_ofa_resnet50 import SPACE as OFA_RESNET50   # noqa: E402

IMAGENET_MEAN = [0.485, 0.456, 0.406]     # OFA's ImageNet normalization
IMAGENET_STD = [0.229, 0.224, 0.225]
BN_KEYS = ("weight", "bias", "running_mean", "running_var")


class ImportError_(ValueError):
    """A checkpoint, space, data set or SubNet list the importer rejects."""


def log(*a):
    print(*a, flush=True)


# ------------------------------------------------------------ checkpoint
def load_state_dict(path):
    """torch.load a checkpoint -> {key: float64 numpy}, unwrapped from a
    "state_dict" entry and without "module." prefixes."""
    import torch
    try:
        ck = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:                       # torch without weights_only
        ck = torch.load(path, map_location="cpu")
    if isinstance(ck, dict) and isinstance(ck.get("state_dict"), dict):
        ck = ck["state_dict"]
    if not isinstance(ck, dict) or not ck:
        raise ImportError_("%s: no state dict" % path)
    out = {}
    for k, v in ck.items():
        if not hasattr(v, "detach"):
            raise ImportError_("%s: entry %r is not a tensor" % (path, k))
        while k.startswith("module."):
            k = k[len("module."):]
        out[k] = v.detach().cpu().double().numpy()
    return out


def expected_keys(space):
    """{canonical OFA key: (our state name, shape)} for every parameter
    and BN statistic of the space's SuperNet (OFAResNets key names)."""
    exp = {}
    for L in O.layer_list(space, O.max_arch(space)):
        if "weight" not in L:
            continue
        p = L["ofa"]
        k = L["k"]
        if L["op"] == "conv":
            exp[p + ".conv.conv.weight"] = (
                L["weight"], (L["rows_max"], L["row_stride"] // (k * k), k, k))
            for b in BN_KEYS:
                exp[p + ".bn.bn." + b] = (L["bn"] + "." + b, (L["rows_max"],))
        else:
            exp[p + ".linear.linear.weight"] = (
                L["weight"], (L["rows_max"], L["row_stride"]))
            exp[p + ".linear.linear.bias"] = (L["weight"] + ".bias",
                                              (L["rows_max"],))
    return exp


def canonical(key, exp):
    """A checkpoint key -> its canonical (dynamic, double-wrapped) form:
    the single forms conv.weight, bn.X and linear.X that OFA's own
    OFAResNets.load_state_dict also accepts are widened."""
    if key in exp:
        return key
    for old, new in ((".linear.", ".linear.linear."), ("bn.", "bn.bn."),
                     ("conv.weight", "conv.conv.weight")):
        if old in key:
            k2 = key.replace(old, new)
            if k2 in exp:
                return k2
    return key


def map_state(sd, space):
    """Checkpoint state dict -> our float state (supernet.py names: conv
    weights [K, C, k, k] by layer weight name, <bn>.weight/.bias/
    .running_mean/.running_var, fc and fc.bias).  Every expected key must
    be present with OFA's shape; any other key (but num_batches_tracked)
    is an error."""
    exp = expected_keys(space)
    state, extra = {}, []
    for k, v in sd.items():
        if k.endswith("num_batches_tracked"):
            continue
        ck = canonical(k, exp)
        if ck not in exp:
            extra.append(k)
            continue
        name, shape = exp[ck]
        if v.shape != shape:
            raise ImportError_("%s: shape %s, the space needs %s (check "
                               "--space: widths, depths, divisor)"
                               % (k, tuple(v.shape), shape))
        if name in state:
            raise ImportError_("%s: given twice (both key forms)" % k)
        state[name] = v
    missing = [k for k, (n, _) in exp.items() if n not in state]
    if missing or extra:
        raise ImportError_(
            "checkpoint does not match an OFAResNets SuperNet of this space:"
            " %d keys missing (first: %s), %d unknown (first: %s)"
            % (len(missing), missing[:3], len(extra), extra[:3]))
    return state


def make_space(args, sd):
    """The space: --space JSON or ofa_resnet50; input channels and classes
    from the checkpoint's stem conv and classifier, resolution from
    --input-size."""
    if args.space:
        with open(args.space) as f:
            space = json.load(f)
    else:
        space = json.loads(json.dumps(OFA_RESNET50))
    for k in ("base_width", "stage_width", "base_depth", "stage_stride",
              "depth_list", "expand_list", "width_list", "divisor",
              "input"):
        if k not in space:
            raise ImportError_("space: %s missing" % k)
    for k in ("depth_list", "expand_list", "width_list"):
        if space[k] != sorted(space[k]):
            raise ImportError_("space: %s must be ascending (OFA sorts it)"
                               % k)
    w0 = sd.get("input_stem.0.conv.conv.weight",
                sd.get("input_stem.0.conv.weight"))
    fc = sd.get("classifier.linear.linear.weight",
                sd.get("classifier.linear.weight"))
    if w0 is None or fc is None or w0.ndim != 4 or fc.ndim != 2:
        raise ImportError_("not an OFAResNets state dict (no input_stem.0 "
                           "conv or classifier.linear weight)")
    h = args.input_size or space["input"][0]
    space["input"] = [h, h, int(w0.shape[1])]
    space["n_classes"] = int(fc.shape[0])
    space["kind"] = "ofa-resnets"
    ns = len(space["stage_width"])
    space["arch_encoding"] = (
        "OFA set_active_subnet: d[%d] (stem, %d stages) in depth_list, "
        "e[%d] per block, w[%d] width multipliers (stem conv0/1, stem "
        "conv2, %d stages)" % (ns + 1, ns, sum(O.n_blocks(space)), ns + 2,
                               ns))
    inp, _, stages = O.widths(space)
    prev = inp
    for i, st in enumerate(stages):
        if space["stage_stride"][i] == 1 and st == prev:
            raise ImportError_("stage %d: same widths as its input and "
                               "stride 1 (OFA gives such a first block no "
                               "downsample and merges the stages)" % i)
        prev = st
    return space


# ------------------------------------------------------------------ data
def load_npz(path, space):
    z = np.load(path)
    if "images" not in z or "labels" not in z:
        raise ImportError_("%s: needs arrays 'images' and 'labels'" % path)
    x, y = z["images"], z["labels"].astype(np.int64).reshape(-1)
    if x.ndim == 3:
        x = x[..., None]
    H, W, C = space["input"]
    if x.dtype != np.uint8 or x.shape[1:] != (H, W, C) or \
            x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise ImportError_("%s: images must be uint8 [N, %d, %d, %d] with N "
                           "labels; got %s %s and %d labels" % (
                               path, H, W, C, x.dtype, x.shape, y.shape[0]))
    if y.min() < 0 or y.max() >= space["n_classes"]:
        raise ImportError_("%s: label outside 0..%d" % (
            path, space["n_classes"] - 1))
    return x, y


class InputNorm:
    """OFA's input normalization v = (pixel / 255 - mean[c]) / std[c] and
    the int8 network input it defines: one per-tensor (scale, zp) from
    the range of v over all channels, q = clamp(round(v / scale) + zp)
    with rounding half away from zero."""

    def __init__(self, mean, std, c):
        if len(mean) == 1:
            mean = mean * c
        if len(std) == 1:
            std = std * c
        if len(mean) != c or len(std) != c or min(std) <= 0:
            raise ImportError_("--mean/--std need 1 or %d values, std > 0"
                               % c)
        self.mean = np.array(mean, np.float64)
        self.std = np.array(std, np.float64)
        lo = float(np.min((0.0 - self.mean) / self.std))
        hi = float(np.max((1.0 - self.mean) / self.std))
        self.scale, self.zp = Q.qparams(lo, hi)

    def real(self, u8):
        return (u8.astype(np.float64) / 255.0 - self.mean) / self.std

    def float_nchw(self, u8):
        import torch
        return torch.from_numpy(
            self.real(u8).astype(np.float32).transpose(0, 3, 1, 2).copy())

    def int8(self, u8):
        v = self.real(u8) / self.scale
        q = np.sign(v) * np.floor(np.abs(v) + 0.5) + self.zp
        return np.clip(q, -128, 127).astype(np.int8)

    def describe(self, space):
        H, W, C = space["input"]
        return {"h": H, "w": W, "c": C, "layout": "NHWC", "dtype": "int8",
                "scale": self.scale, "zp": self.zp,
                "normalize": {"mean": self.mean.tolist(),
                              "std": self.std.tolist(),
                              "pixel_scale": 1.0 / 255.0},
                "quantize": "v = (pixel / 255 - mean[c]) / std[c]; "
                            "q = clamp(round(v / scale) + zp, -128, 127), "
                            "round half away from zero"}


# --------------------------------------------------------------- subnets
def default_subnets(space):
    """min, max, each uniform level of (d, e, w) together, and the two
    mixed corners (deep+narrow, shallow+wide), OFA encodings."""
    n = [len(space[k]) for k in ("depth_list", "expand_list", "width_list")]
    full = O.max_arch(space)
    levels = [(i * (n[0] - 1) // 2, i * (n[1] - 1) // 2, i * (n[2] - 1) // 2)
              for i in range(3)]
    levels += [(n[0] - 1, 0, 0), (0, n[1] - 1, n[2] - 1)]
    out = []
    for di, ei, wi in levels:
        out.append({"d": [space["depth_list"][di]] * len(full["d"]),
                    "e": [space["expand_list"][ei]] * len(full["e"]),
                    "w": [wi] * len(full["w"])})
    return out


def read_subnets(path, space):
    if not path:
        encs = default_subnets(space)
    else:
        with open(path) as f:
            encs = json.load(f)
        if isinstance(encs, dict):
            encs = [encs]
        if not isinstance(encs, list) or not encs:
            raise ImportError_("%s: a JSON list of {d, e, w} encodings"
                               % path)
    archs = {}
    for i, enc in enumerate(encs):
        try:
            a = O.from_ofa(space, enc)
        except ValueError as e:
            raise ImportError_("SubNet %d: %s" % (i, e))
        for L in O.layer_list(space, a):
            if L["op"] == "avgpool" and (L["in_h"] % L["s"] or
                                         L["in_w"] % L["s"]):
                raise ImportError_(
                    "SubNet %d: %s sees %dx%d, not a multiple of its stride "
                    "%d (OFA's ceil-mode average pool has no equal in the "
                    "accelerator's pooling; use an input size that is a "
                    "multiple of 32)" % (i, L["name"], L["in_h"], L["in_w"],
                                         L["s"]))
        archs.setdefault(O.arch_name(space, a), a)
    return list(archs.values())


# ------------------------------------------------------------- measuring
def float_top1(net, a, x, y, batch):
    import torch
    net.bn_mode = "frozen"
    ok = 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            ok += int((net(x[i:i + batch], a).argmax(1).numpy()
                       == y[i:i + batch]).sum())
    return ok / len(y)


def int8_top1(layers, weights, epis, xq, y, batch):
    ok = 0
    for i in range(0, len(y), batch):
        out = R.run_layers(layers, weights, epis, xq[i:i + batch])
        ok += int((out.reshape(out.shape[0], -1).argmax(1)
                   == y[i:i + batch]).sum())
    return ok / len(y)


def check_ranges(layers, epis):
    """The loader's epilogue bound: |(acc + bias) * mult| < 2^62 for every
    |acc| <= row_bytes * 255 * 127 (quantize.py keeps |bias| <= 2^30)."""
    for L in layers:
        if L["epilogue"]:
            e = epis[L["epilogue"]].astype(object)
            acc = L["row_bytes"] * 255 * 127
            worst = max((acc + abs(int(b))) * abs(int(m)) for b, m, _ in e)
            if worst >= 1 << 62:
                raise ImportError_("%s: epilogue may overflow (|acc+bias| * "
                                   "|mult| up to %d >= 2^62)"
                                   % (L["name"], worst))


def select(points, keep_all):
    """Sorted by MACs, one per MACs value (the more accurate; ties: the
    first); unless keep_all, only the Pareto front (accuracy strictly
    increasing with MACs)."""
    by = {}
    for p in points:
        if p["macs"] not in by or p["acc_int8"] > by[p["macs"]]["acc_int8"]:
            by[p["macs"]] = p
    pts = [by[m] for m in sorted(by)]
    if keep_all:
        return pts
    out, best = [], -1.0
    for p in pts:
        if p["acc_int8"] > best:
            out.append(p)
            best = p["acc_int8"]
    return out


# ------------------------------------------------------------------ main
def run(args):
    import torch
    import supernet as S
    torch.set_num_threads(args.threads)
    t0 = time.time()
    with open(args.checkpoint, "rb") as f:
        ck_sha = hashlib.sha256(f.read()).hexdigest()
    sd = load_state_dict(args.checkpoint)
    space = make_space(args, sd)
    state = map_state(sd, space)
    full = O.layer_list(space, O.max_arch(space))
    log("checkpoint %s: %d tensors, OFAResNets space %s, input %s, %d "
        "classes" % (os.path.basename(args.checkpoint), len(sd),
                     space["name"], space["input"], space["n_classes"]))
    net = S.SuperNet(space, O.layer_list, O.max_arch)
    net.load_float_state(state)
    with torch.no_grad():             # the checkpoint's own statistics too
        for k, bn in net.bns.items():
            n = S._unkey(k)
            bn.running_mean.copy_(torch.from_numpy(state[n + ".running_mean"]))
            bn.running_var.copy_(torch.from_numpy(state[n + ".running_var"]))

    C = space["input"][2]
    mean = args.mean or (IMAGENET_MEAN if C == 3 else None)
    std = args.std or (IMAGENET_STD if C == 3 else None)
    if mean is None or std is None:
        raise ImportError_("%d input channels: give --mean and --std" % C)
    norm = InputNorm(mean, std, C)
    xc, _ = load_npz(args.calib, space)
    xe, ye = load_npz(args.eval, space)
    calib = norm.float_nchw(xc)
    xe_f, xe_q = norm.float_nchw(xe), norm.int8(xe)
    log("input: mean %s std %s -> int8 scale %.6g zp %d; %d calibration, "
        "%d evaluation images" % (norm.mean.tolist(), norm.std.tolist(),
                                  norm.scale, norm.zp, len(xc), len(ye)))

    archs = read_subnets(args.subnets, space)
    wq = Q.quantize_weights(state, space, max_layers=full)
    weights = {"w." + k: v[0] for k, v in wq.items()}
    pts = []
    for a in archs:
        layers = O.layer_list(space, a)
        ql, epis = Q.quantize_subnet(net, space, a, wq, calib, "tmp",
                                     layers=layers,
                                     input_qp=(norm.scale, norm.zp),
                                     calib_batch=args.batch)
        check_ranges(ql, epis)
        p = {"arch": a, "name": O.arch_name(space, a),
             "macs": O.macs(space, a), "layers": ql, "epis": epis,
             "acc_float": float_top1(net, a, xe_f, ye, args.batch),
             "acc_int8": int8_top1(ql, weights, epis, xe_q, ye, args.batch)}
        pts.append(p)
        log("%-40s %12d MACs  float %.4f  int8 %.4f  (%.0f s)" % (
            p["name"], p["macs"], p["acc_float"], p["acc_int8"],
            time.time() - t0))

    chosen = select(pts, args.keep_all)
    catalog, all_epis = [], {}
    for i, p in enumerate(chosen):
        sid = "sn%02d" % i
        layers = Q.name_epilogues(p["layers"], p["epis"], sid, all_epis)
        catalog.append({
            "id": sid, "arch": p["arch"], "arch_name": p["name"],
            "ofa_encoding": O.to_ofa(space, p["arch"]), "macs": p["macs"],
            "weight_bytes": O.wbytes(space, p["arch"]),
            "epilogue_bytes": 12 * sum(L["out_c"] for L in layers
                                       if L["epilogue"]),
            "accuracy": p["acc_int8"], "acc_int8": p["acc_int8"],
            "acc_float": p["acc_float"], "layers": layers})
    extra = {
        "input": norm.describe(space),
        "accuracy": {"metric": "top-1", "images": int(len(ye)),
                     "split": os.path.basename(args.eval),
                     "source": "measured", "arithmetic": "int8 (int8ref.py)"},
        "quantization": {
            "weights": "int8 symmetric per output channel, scale = "
                       "max|row| / 127 over the SuperNet row",
            "activations": "int8 per-tensor asymmetric, min/max over "
                           "%d calibration images" % len(xc),
            "rounding": "half away from zero",
            "bn": "recalibrated per SubNet (OFA set_running_statistics: "
                  "batch means and variances averaged over the calibration "
                  "images), absorbed into epilogues"},
        "imported_from": {"format": "OFAResNets state dict (Once-for-All)",
                          "checkpoint": os.path.basename(args.checkpoint),
                          "sha256": ck_sha,
                          "catalog": "all named SubNets, unique MACs"
                                     if args.keep_all else
                                     "Pareto front of the named SubNets "
                                     "(int8 accuracy vs MACs)"}}
    raw = sfile.build(space, {k: v[0] for k, v in wq.items()},
                      {k: v[1] for k, v in wq.items()}, catalog, all_epis,
                      extra_arch=extra, max_layers=full)
    try:
        sfile.SuperNetFile(raw)            # the reader's invariant checks
    except ValueError as e:
        raise ImportError_("the written file fails sfile.py's checks: %s%s"
                           % (e, " (--keep-all needs a reader with the "
                              "relaxed catalog rule)" if args.keep_all
                              else ""))
    with open(args.out_file, "wb") as f:
        f.write(raw)
    if args.write_sample:
        np.savez(args.write_sample, input=xe_q, labels=ye.astype(np.uint8)
                 if space["n_classes"] <= 256 else ye)
    log("wrote %s: %d bytes, %d of %d SubNets in the catalog (%.0f s)" % (
        args.out_file, len(raw), len(catalog), len(pts), time.time() - t0))
    for c in catalog:
        log("%s %-40s %12d MACs int8 %.4f float %.4f" % (
            c["id"], c["arch_name"], c["macs"], c["acc_int8"],
            c["acc_float"]))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint", help="OFAResNets state dict (torch.save)")
    ap.add_argument("out_file")
    ap.add_argument("--calib", required=True,
                    help=".npz of calibration images (BN recalibration, "
                         "activation ranges)")
    ap.add_argument("--eval", required=True,
                    help=".npz of evaluation images and labels (the "
                         "catalog's accuracies)")
    ap.add_argument("--space", help="ofa_resnet.py space JSON (default: "
                                    "ofa_resnet50)")
    ap.add_argument("--input-size", type=int,
                    help="input resolution (default: the space's, 224)")
    ap.add_argument("--subnets", help="JSON list of OFA set_active_subnet "
                                      "encodings {d, e, w} (w: indices)")
    ap.add_argument("--mean", type=float, nargs="+",
                    help="per-channel mean of pixel/255 (3 channels: "
                         "ImageNet's, as OFA)")
    ap.add_argument("--std", type=float, nargs="+")
    ap.add_argument("--keep-all", action="store_true",
                    help="every named SubNet (unique MACs), not only the "
                         "Pareto front")
    ap.add_argument("--batch", type=int, default=100,
                    help="images per forward pass (memory)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--write-sample", metavar="NPZ",
                    help="write the int8 evaluation inputs and labels "
                         "(dump_vectors.py --npz)")
    args = ap.parse_args()
    try:
        return run(args)
    except (ImportError_, OSError) as e:
        print("import_ofa: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
