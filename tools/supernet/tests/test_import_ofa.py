#!/usr/bin/python3
"""test_import_ofa.py - import_ofa.py's output against the OFA-structured model.

Owns: the Python half of `make supernet-import-test` (TAP).  Given the
directory where ofa_mini.py wrote a checkpoint and its data and
import_ofa.py wrote the SuperNet file (ofa-mini.safetensors) and sample,
it checks, for every catalog SubNet, against ofa_mini.OFAMini (our own
model with OFA's module layout and SubNet rules, independent of the
importer's key mapping and layer graph):
  - the importer's float SuperNet (its key mapping, first-channel / first-
    block slicing, middle-channel rule, stem skipping, shortcut) gives the
    same logits as OFAMini with the SubNet set by set_active_subnet, both
    after OFA-style BN recalibration on the same calibration images, for
    every SubNet of subnets.json (the catalog keeps only its Pareto front);
  - the file's acc_float equals OFAMini's float top-1 on the evaluation
    images, and the file's int8 network (int8ref.py on the file's own
    weights and epilogues) reproduces the catalog accuracy, stays within
    INT8_TOL of the float top-1 and agrees with OFAMini's argmax on at
    least AGREE of the images;
  - the checkpoint's keys in OFA's single-wrapped form (conv.weight,
    bn.weight, linear.weight) map to the same state; a renamed key is
    rejected.
Exit status 0 when all pass.

Usage: /usr/bin/python3 test_import_ofa.py WORK_DIR [--batch N]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import import_ofa as I   # noqa: E402
import int8ref as R      # noqa: E402
import ofa_mini as M     # noqa: E402
import ofa_resnet as O   # noqa: E402
import sfile             # noqa: E402
import supernet as S     # noqa: E402

LOGIT_TOL = 1e-3    # max |difference| / max |logit|, float32 arithmetic
INT8_TOL = 0.03     # int8 top-1 within 3 points of float top-1
AGREE = 0.90        # int8 argmax equals the float model's on >= 90%

N = 0
FAILED = 0


def ok(cond, msg):
    global N, FAILED
    N += 1
    if not cond:
        FAILED += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", N, msg), flush=True)
    return cond


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("work_dir")
    ap.add_argument("--batch", type=int, default=100,
                    help="recalibration batch (import_ofa.py --batch)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    wd = args.work_dir
    ck = os.path.join(wd, "ofa_mini.pth")
    sf = sfile.read(os.path.join(wd, "ofa-mini.safetensors"))
    space = sf.arch["space"]
    mini = M.load_checkpoint(ck)
    mini.eval()
    c = np.load(os.path.join(wd, "calib.npz"))
    e = np.load(os.path.join(wd, "eval.npz"))
    smp = np.load(os.path.join(wd, "sample.npz"))
    xe, ye = e["images"], e["labels"].astype(np.int64)
    norm = I.InputNorm(sf.arch["input"]["normalize"]["mean"],
                       sf.arch["input"]["normalize"]["std"],
                       space["input"][2])
    ok(np.array_equal(smp["input"], norm.int8(xe)) and
       (norm.scale, norm.zp) == (sf.arch["input"]["scale"],
                                 sf.arch["input"]["zp"]),
       "sample.npz holds the evaluation images quantized as "
       "architecture.input says (scale %.6g, zp %d)" % (norm.scale, norm.zp))
    xc_mini = M.to_float(c["images"], M.MEAN, M.STD)
    xe_mini = M.to_float(xe, M.MEAN, M.STD)

    # the importer's float SuperNet, built the way import_ofa.run does
    sd = I.load_state_dict(ck)
    state = I.map_state(sd, space)
    net = S.SuperNet(space, O.layer_list, O.max_arch)
    net.load_float_state(state)
    xc_imp, xe_imp = norm.float_nchw(c["images"]), norm.float_nchw(xe)
    ok(len(sf.catalog) >= 2, "the catalog has %d SubNets (>= 2)"
       % len(sf.catalog))
    macs = [s["macs"] for s in sf.catalog]
    ok(macs == sorted(set(macs)) and len({s["id"] for s in sf.catalog})
       == len(macs), "catalog sorted by MACs strictly ascending, ids unique")
    # every named SubNet in float (the catalog keeps the Pareto front)
    with open(os.path.join(wd, "subnets.json")) as f:
        named = json.load(f)
    worst = 0.0
    for enc in named:
        a = O.from_ofa(space, enc)
        worst = max(worst, float_diff(mini, net, enc, a, xc_mini, xc_imp,
                                      xe_mini, xe_imp, args.batch)[0])
    ok(worst < LOGIT_TOL, "all %d named SubNets: importer's float logits "
       "equal OFAMini's (max rel. difference %.2e < %g)"
       % (len(named), worst, LOGIT_TOL))
    for s in sf.catalog:
        sid, a = s["id"], s["arch"]
        enc = s["ofa_encoding"]
        ok(O.from_ofa(space, enc) == a and s["macs"] == O.macs(space, a),
           "%s: OFA encoding %s is the arch, %d MACs" % (sid, s["arch_name"],
                                                        s["macs"]))
        rel, lm = float_diff(mini, net, enc, a, xc_mini, xc_imp, xe_mini,
                             xe_imp, args.batch)
        ok(rel < LOGIT_TOL, "%s: importer's float logits equal OFAMini's "
           "(max rel. difference %.2e < %g)" % (sid, rel, LOGIT_TOL))
        acc_f = float((lm.argmax(1) == ye).mean())
        ok(abs(acc_f - s["acc_float"]) <= 1.0 / len(ye) + 1e-12,
           "%s: catalog float top-1 %.4f = OFAMini's %.4f (+-1 image)"
           % (sid, s["acc_float"], acc_f))
        out = R.run_layers(s["layers"], sf.weights, sf.epis, smp["input"])
        am = out.reshape(out.shape[0], -1).argmax(1)
        acc_q = float((am == ye).mean())
        ok(acc_q == s["accuracy"], "%s: int8ref on the file gives the "
           "catalog accuracy %.4f (got %.4f)" % (sid, s["accuracy"], acc_q))
        ok(abs(acc_q - acc_f) <= INT8_TOL, "%s: int8 top-1 %.4f within %g "
           "of float %.4f" % (sid, acc_q, INT8_TOL, acc_f))
        agree = float((am == lm.argmax(1)).mean())
        ok(agree >= AGREE, "%s: int8 argmax equals OFAMini's on %.1f%% of "
           "the images (>= %.0f%%)" % (sid, 100 * agree, 100 * AGREE))

    # OFA's single-wrapped key form, and a foreign key
    single = {}
    for k, v in sd.items():
        k = k.replace("conv.conv.weight", "conv.weight")
        k = k.replace("bn.bn.", "bn.").replace("linear.linear.", "linear.")
        single[k] = v
    st2 = I.map_state(single, space)
    ok(st2.keys() == state.keys() and
       all(np.array_equal(st2[k], state[k]) for k in state),
       "single-wrapped keys (conv.weight, bn.weight, linear.weight) map to "
       "the same state")
    bad = dict(sd)
    bad["blocks.0.conv9.conv.conv.weight"] = bad.pop(
        "blocks.0.conv1.conv.conv.weight")
    try:
        I.map_state(bad, space)
        rejected = False
    except I.ImportError_:
        rejected = True
    ok(rejected, "a checkpoint with a renamed key is rejected")
    print("1..%d" % N)
    if FAILED:
        print("# %d of %d failed" % (FAILED, N))
    return 1 if FAILED else 0


def float_diff(mini, net, enc, a, xc_mini, xc_imp, xe_mini, xe_imp, batch):
    """SubNet enc/a in OFAMini and in the importer's float SuperNet, both
    BN-recalibrated on the calibration images: (max |logit difference| /
    max |logit|, OFAMini's logits)."""
    mini.set_active_subnet(**enc)
    M.set_running_statistics(mini, xc_mini, batch=batch)
    net.set_running_stats(a, xc_imp, batch=batch)
    net.bn_mode = "frozen"
    with torch.no_grad():
        lm = mini(xe_mini).numpy()
        li = net(xe_imp, a).numpy().reshape(lm.shape)
    return float(np.abs(lm - li).max() / np.abs(lm).max()), lm


if __name__ == "__main__":
    sys.exit(main())
