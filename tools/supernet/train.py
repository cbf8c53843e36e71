#!/usr/bin/python3
"""train.py - progressive-shrinking training of the Fashion-MNIST SuperNet.

Owns: the training schedule (full net, then elastic depth, expand, width;
sandwich rule with in-place distillation), data augmentation, validation
with per-SubNet BN recalibration, and checkpoints (float state as
safetensors, one per phase) in the output directory.

Usage: nice -n 15 /usr/bin/python3 train.py DATA_DIR OUT_DIR [--epochs a,b,c,d]
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import arch as A
import fmnist
import safetensors_io as st
import supernet as S

PHASES = ["full", "depth", "expand", "width"]


def augment(x, gen):
    """Random horizontal flip and random translation by up to 2 pixels."""
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    p = F.pad(x, (2, 2, 2, 2))
    dx = torch.randint(0, 5, (n,), generator=gen)
    dy = torch.randint(0, 5, (n,), generator=gen)
    out = torch.empty_like(x)
    for oy in range(5):
        for ox in range(5):
            m = (dx == ox) & (dy == oy)
            if m.any():
                out[m] = p[m, :, oy:oy + 28, ox:ox + 28]
    return out


def evaluate(net, a, calib, xv, yv):
    net.set_running_stats(a, calib)
    with torch.no_grad():
        correct = 0
        for i in range(0, xv.shape[0], 1000):
            correct += (net(xv[i:i + 1000], a).argmax(1) == yv[i:i + 1000]).sum().item()
    net.bn_mode = "batch"
    return correct / xv.shape[0]


def phase_space(phase):
    k = PHASES.index(phase)
    return dict(depth=k >= 1, expand=k >= 2, width=k >= 3)


def min_of_phase(space, phase):
    f = phase_space(phase)
    lo, hi = A.min_arch(space), A.max_arch(space)
    d = lo["d"] if f["depth"] else hi["d"]
    e = [[(min if f["expand"] else max)(space["expand_list"])] * d[i]
         for i in range(len(d))]
    w = lo["w"] if f["width"] else hi["w"]
    return {"d": d, "e": e, "w": w}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--epochs", default="6,2,2,4",
                    help="epochs of the full, depth, expand, width phases")
    ap.add_argument("--lr", default="0.1,0.03,0.03,0.03")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rand", type=int, default=1,
                    help="random SubNets per step besides max and min")
    ap.add_argument("--epoch-size", type=int, default=30000,
                    help="images drawn (without replacement) per epoch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0,
                    help="use only this many training images (smoke test)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    rng = random.Random(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)
    epochs = [int(v) for v in args.epochs.split(",")]
    lrs = [float(v) for v in args.lr.split(",")]

    space = A.FMNIST_SPACE
    xt, yt = fmnist.load(args.data_dir, "train")
    xv, yv = fmnist.load(args.data_dir, "val")
    if args.limit:
        xt, yt = xt[:args.limit], yt[:args.limit]
    xt, yt = S.to_float_images(xt), torch.from_numpy(yt.astype(np.int64))
    xv, yv = S.to_float_images(xv), torch.from_numpy(yv.astype(np.int64))
    calib = xt[:2000]
    net = S.SuperNet(space)
    full = A.max_arch(space)
    t0 = time.time()
    log = []
    print("space %s: %d SubNets, max %d MACs, min %d MACs, train %d, val %d"
          % (space["name"], A.space_size(space), A.macs(space, full),
             A.macs(space, A.min_arch(space)), xt.shape[0], xv.shape[0]),
          flush=True)
    for pi, phase in enumerate(PHASES):
        if epochs[pi] == 0:
            continue
        if phase == "expand":
            net.sort_mid_channels()
        if phase == "width":
            net.sort_stage_channels()
        f = phase_space(phase)
        lo = min_of_phase(space, phase)
        n_rand = 0 if phase == "full" else args.rand
        decay, no_decay = [], []
        for n_, p in net.named_parameters():
            (no_decay if p.ndim == 1 else decay).append(p)
        opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-5},
                               {"params": no_decay, "weight_decay": 0}],
                              lr=lrs[pi], momentum=0.9, nesterov=True)
        per_epoch = min(args.epoch_size, xt.shape[0]) // args.batch
        steps = epochs[pi] * per_epoch
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: 0.5 * (1 + np.cos(np.pi * min(s, steps) / steps)))
        for ep in range(epochs[pi]):
            net.train()
            net.bn_mode = "batch"
            perm = torch.randperm(xt.shape[0], generator=gen)
            tl, nb, te = 0.0, 0, time.time()
            for b in range(per_epoch):
                idx = perm[b * args.batch:(b + 1) * args.batch]
                x, y = augment(xt[idx], gen), yt[idx]
                opt.zero_grad()
                out = net(x, full)
                loss = F.cross_entropy(out, y, label_smoothing=0.1)
                loss.backward()
                tl += loss.item()
                nb += 1
                if n_rand:
                    soft = F.softmax(out.detach(), dim=1)
                    subs = [lo] + [A.random_arch(space, rng, **f)
                                   for _ in range(n_rand)]
                    for a in subs:
                        o = net(x, a)
                        kd = -(soft * F.log_softmax(o, dim=1)).sum(1).mean()
                        kd.backward()
                opt.step()
                sched.step()
                if (b + 1) % 20 == 0:
                    print("  %s ep %d step %d/%d loss %.4f %.1f s" % (
                        phase, ep + 1, b + 1, per_epoch, tl / nb,
                        time.time() - t0), flush=True)
            va_max = evaluate(net, full, calib, xv, yv)
            va_min = evaluate(net, lo, calib, xv, yv)
            rec = {"phase": phase, "epoch": ep + 1, "loss": round(tl / nb, 4),
                   "val_max": va_max, "val_min": va_min,
                   "epoch_s": round(time.time() - te, 1),
                   "total_s": round(time.time() - t0, 1)}
            log.append(rec)
            print(json.dumps(rec), flush=True)
        state = net.float_state()
        meta = {"space": json.dumps(space), "phase": phase,
                "log": json.dumps(log), "args": json.dumps(vars(args))}
        st.save(os.path.join(args.out_dir, "phase%d-%s.safetensors" % (pi, phase)),
                state, meta)
    st.save(os.path.join(args.out_dir, "supernet-float.safetensors"),
            net.float_state(),
            {"space": json.dumps(space), "log": json.dumps(log),
             "args": json.dumps(vars(args))})
    print("done in %.1f s" % (time.time() - t0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
