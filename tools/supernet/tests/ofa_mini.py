#!/usr/bin/python3
"""ofa_mini.py - a small OFA-ResNet SuperNet with OFA's exact module layout.

Owns: a PyTorch model written after the structure of Once-for-All's
`OFAResNets` (mit-han-lab/once-for-all: ofa_resnets.py, dynamic_layers.py,
dynamic_op.py; our own code), so its state dict has exactly OFA's key names
(input_stem.0.conv.conv.weight, input_stem.1.conv.bn.bn.running_mean,
blocks.N.conv1.conv.conv.weight, blocks.N.downsample.bn.bn.weight,
classifier.linear.linear.bias, ...) and its SubNets follow OFA's rules
(set_active_subnet d/e/w, first channels, first blocks, the middle-channel
rule make_divisible(round(out * e)), stem skipping, the avgpool(ceil)+conv
shortcut), but at Fashion-MNIST scale: 1 input channel (the stem conv's
input channels are a parameter; OFA hard-codes 3), 32x32 input (the 28x28
image zero-padded by 2, so every stride-2 shortcut sees an even size),
small widths.  Also: OFA-style BN recalibration (set_running_statistics),
brief seeded training (the max net plus one random SubNet per step), and
the calibration / evaluation data as the .npz files import_ofa.py reads.

Usage: /usr/bin/python3 ofa_mini.py DATA_DIR OUT_DIR [--steps N]
           [--seed N] [--calib N] [--eval N]
Writes OUT_DIR/ofa_mini.pth (torch.save({"state_dict": ...}) with
"module." prefixes, as a DataParallel checkpoint has), OUT_DIR/space.json
(the --space file import_ofa.py takes), OUT_DIR/subnets.json (its
--subnets: min, max and seeded random OFA encodings), OUT_DIR/calib.npz
(training images) and OUT_DIR/eval.npz (test images).
"""
import argparse
import collections
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import arch as A      # noqa: E402
import fmnist         # noqa: E402

# the mini space (ofa_resnet.py's keys); OFA's own lists and divisor
SPACE = {
    "name": "ofa-mini-fmnist",
    "kind": "ofa-resnets",
    "input": [32, 32, 1],
    "n_classes": 10,
    "base_width": 16,
    "stage_width": [32, 48, 64, 96],
    "base_depth": [1, 1, 1, 1],
    "stage_stride": [1, 2, 2, 2],
    "depth_list": [0, 1, 2],
    "expand_list": [0.2, 0.25, 0.35],
    "width_list": [0.65, 0.8, 1.0],
    "divisor": 8,
}
MEAN, STD = [0.2860], [0.3530]    # Fashion-MNIST training pixels / 255


def md(v):
    return A.make_divisible(v, SPACE["divisor"])


class DynamicConv2d(nn.Module):
    """Max-size conv whose active filter is weight[:out, :in] ('conv')."""

    def __init__(self, max_in, max_out, k=1, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(max_in, max_out, k, stride=stride, bias=False)
        self.k, self.stride = k, stride
        self.active_out_channel = max_out

    def forward(self, x):
        w = self.conv.weight[:self.active_out_channel, :x.shape[1]]
        return F.conv2d(x, w.contiguous(), None, self.stride, self.k // 2)


class DynamicBatchNorm2d(nn.Module):
    """Max-size BatchNorm ('bn') applied to the first channels."""
    SET_RUNNING_STATISTICS = False

    def __init__(self, max_c):
        super().__init__()
        self.bn = nn.BatchNorm2d(max_c)

    def forward(self, x):
        bn, c = self.bn, x.shape[1]
        if c == bn.num_features or DynamicBatchNorm2d.SET_RUNNING_STATISTICS:
            return bn(x)
        return F.batch_norm(x, bn.running_mean[:c], bn.running_var[:c],
                            bn.weight[:c], bn.bias[:c], bn.training,
                            bn.momentum if bn.training else 0.0, bn.eps)


class DynamicConvLayer(nn.Module):
    """conv + bn + relu with an active output width ('conv', 'bn')."""

    def __init__(self, in_list, out_list, k=3, stride=1):
        super().__init__()
        self.out_channel_list = out_list
        self.conv = DynamicConv2d(max(in_list), max(out_list), k, stride)
        self.bn = DynamicBatchNorm2d(max(out_list))
        self.act = nn.ReLU()
        self.active_out_channel = max(out_list)

    def forward(self, x):
        self.conv.active_out_channel = self.active_out_channel
        return self.act(self.bn(self.conv(x)))


class IdentityLayer(nn.Module):
    def forward(self, x):
        return x


class ResidualBlock(nn.Module):
    """conv(x) + shortcut(x), no activation after the sum."""

    def __init__(self, conv, shortcut):
        super().__init__()
        self.conv, self.shortcut = conv, shortcut

    def forward(self, x):
        return self.conv(x) + self.shortcut(x)


def _seq(*items):
    return nn.Sequential(collections.OrderedDict(items))


class DynamicResNetBottleneckBlock(nn.Module):
    """1x1 -> 3x3 (stride) -> 1x1 with elastic expand and width, and the
    avgpool(ceil) + 1x1 conv + bn shortcut ('downsample')."""

    def __init__(self, in_list, out_list, expand_list, stride):
        super().__init__()
        self.out_channel_list = out_list
        self.expand_ratio_list = expand_list
        mid = md(round(max(out_list) * max(expand_list)))
        self.conv1 = _seq(("conv", DynamicConv2d(max(in_list), mid)),
                          ("bn", DynamicBatchNorm2d(mid)), ("act", nn.ReLU()))
        self.conv2 = _seq(("conv", DynamicConv2d(mid, mid, 3, stride)),
                          ("bn", DynamicBatchNorm2d(mid)), ("act", nn.ReLU()))
        self.conv3 = _seq(("conv", DynamicConv2d(mid, max(out_list))),
                          ("bn", DynamicBatchNorm2d(max(out_list))))
        if stride == 1 and in_list == out_list:
            self.downsample = IdentityLayer()
        else:
            self.downsample = _seq(
                ("avg_pool", nn.AvgPool2d(stride, stride, 0, ceil_mode=True)),
                ("conv", DynamicConv2d(max(in_list), max(out_list))),
                ("bn", DynamicBatchNorm2d(max(out_list))))
        self.final_act = nn.ReLU()
        self.active_expand_ratio = max(expand_list)
        self.active_out_channel = max(out_list)

    @property
    def active_middle_channels(self):
        return md(round(self.active_out_channel * self.active_expand_ratio))

    def forward(self, x):
        mid = self.active_middle_channels
        self.conv1.conv.active_out_channel = mid
        self.conv2.conv.active_out_channel = mid
        self.conv3.conv.active_out_channel = self.active_out_channel
        if not isinstance(self.downsample, IdentityLayer):
            self.downsample.conv.active_out_channel = self.active_out_channel
        res = self.downsample(x)
        return self.final_act(self.conv3(self.conv2(self.conv1(x))) + res)


class DynamicLinearLayer(nn.Module):
    def __init__(self, in_list, n_out):
        super().__init__()
        self.linear = _seq(("linear", nn.Linear(max(in_list), n_out)))

    def forward(self, x):
        lin = self.linear.linear
        return F.linear(x, lin.weight[:, :x.shape[1]], lin.bias)


class OFAMini(nn.Module):
    """OFAResNets' layout: input_stem, max_pooling, blocks,
    global_avg_pool, classifier."""

    def __init__(self, space=SPACE):
        super().__init__()
        sp = self.space = space
        wl = sp["width_list"]
        inp = [md(sp["base_width"] * w) for w in wl]
        mid_inp = [md(c // 2) for c in inp]
        stages = [[md(sw * w) for w in wl] for sw in sp["stage_width"]]
        self.input_stem = nn.ModuleList([
            DynamicConvLayer([sp["input"][2]], mid_inp, 3, 2),
            ResidualBlock(DynamicConvLayer(mid_inp, mid_inp, 3, 1),
                          IdentityLayer()),
            DynamicConvLayer(mid_inp, inp, 3, 1)])
        self.max_pooling = nn.MaxPool2d(3, 2, 1)
        blocks, self.stage_blocks = [], []
        cur = inp
        for base, width, s in zip(sp["base_depth"], stages,
                                  sp["stage_stride"]):
            idx = []
            for i in range(base + max(sp["depth_list"])):
                idx.append(len(blocks))
                blocks.append(DynamicResNetBottleneckBlock(
                    cur, width, sp["expand_list"], s if i == 0 else 1))
                cur = width
            self.stage_blocks.append(idx)
        self.blocks = nn.ModuleList(blocks)
        self.classifier = DynamicLinearLayer(cur, sp["n_classes"])
        self.input_stem_skipping = False
        self.runtime_depth = [0] * len(stages)

    def set_active_subnet(self, d, e, w):
        """OFA's encoding: d per (stem, stages), e per block, w as indices
        (stem convs 0/1, stem conv 2, stages)."""
        md_ = max(self.space["depth_list"])
        for blk, r in zip(self.blocks, e):
            blk.active_expand_ratio = r
        s0 = self.input_stem[0]
        s0.active_out_channel = s0.out_channel_list[w[0]]
        self.input_stem[1].conv.active_out_channel = s0.active_out_channel
        s2 = self.input_stem[2]
        s2.active_out_channel = s2.out_channel_list[w[1]]
        self.input_stem_skipping = d[0] != md_
        for i, idx in enumerate(self.stage_blocks):
            self.runtime_depth[i] = md_ - d[1 + i]
            for j in idx:
                b = self.blocks[j]
                b.active_out_channel = b.out_channel_list[w[2 + i]]

    def sample_active_subnet(self, rng):
        sp = self.space
        ns = len(self.stage_blocks)
        a = {"d": [rng.choice([min(sp["depth_list"]), max(sp["depth_list"])])]
             + [rng.choice(sp["depth_list"]) for _ in range(ns)],
             "e": [rng.choice(sp["expand_list"]) for _ in self.blocks],
             "w": [rng.randrange(len(sp["width_list"]))
                   for _ in range(ns + 2)]}
        self.set_active_subnet(**a)
        return a

    def set_max_net(self):
        sp = self.space
        ns = len(self.stage_blocks)
        self.set_active_subnet([max(sp["depth_list"])] * (ns + 1),
                               [max(sp["expand_list"])] * len(self.blocks),
                               [len(sp["width_list"]) - 1] * (ns + 2))

    def forward(self, x):
        for layer in self.input_stem:
            if self.input_stem_skipping and isinstance(layer, ResidualBlock):
                continue
            x = layer(x)
        x = self.max_pooling(x)
        for i, idx in enumerate(self.stage_blocks):
            for j in idx[:len(idx) - self.runtime_depth[i]]:
                x = self.blocks[j](x)
        x = x.mean(dim=(2, 3))
        return self.classifier(x)


@torch.no_grad()
def set_running_statistics(model, images, batch=250):
    """OFA-style BN recalibration of the active SubNet: per batch, the
    batch mean and (biased) variance of every BatchNorm's input, averaged
    over batches weighted by size, become its running statistics."""
    stats, bns = {}, []

    def make(mod, name):
        def fwd(x):
            mu = x.mean(dim=(0, 2, 3))
            var = ((x - mu[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
            s = stats.setdefault(name, [0, 0.0, 0.0])
            s[0] += x.shape[0]
            s[1] = s[1] + x.shape[0] * mu
            s[2] = s[2] + x.shape[0] * var
            c = x.shape[1]
            return F.batch_norm(x, mu, var, mod.weight[:c], mod.bias[:c],
                                False, 0.0, mod.eps)
        return fwd

    for name, m in model.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            m.forward = make(m, name)      # instance attribute, removed below
            bns.append(m)
    model.eval()
    DynamicBatchNorm2d.SET_RUNNING_STATISTICS = True
    try:
        for i in range(0, images.shape[0], batch):
            model(images[i:i + batch])
    finally:
        DynamicBatchNorm2d.SET_RUNNING_STATISTICS = False
        for m in bns:
            del m.forward
    mods = dict(model.named_modules())
    for name, (n, mu, var) in stats.items():
        bn = mods[name]
        c = mu.shape[0]
        bn.running_mean[:c] = mu / n
        bn.running_var[:c] = var / n


def pad32(u8):
    """uint8 [N,28,28] -> [N,32,32,1] (2 black pixels on every side)."""
    out = np.zeros((u8.shape[0], 32, 32, 1), np.uint8)
    out[:, 2:30, 2:30, 0] = u8
    return out


def to_float(u8_nhwc, mean=MEAN, std=STD):
    """uint8 NHWC -> normalized float NCHW ((x / 255 - mean) / std)."""
    x = torch.from_numpy(u8_nhwc.astype(np.float32) / 255.0)
    x = (x - torch.tensor(mean, dtype=torch.float32)) / torch.tensor(
        std, dtype=torch.float32)
    return x.permute(0, 3, 1, 2).contiguous()


def load_checkpoint(path):
    """This file's checkpoint -> OFAMini (keys without "module.")."""
    sd = torch.load(path, map_location="cpu")["state_dict"]
    net = OFAMini()
    net.load_state_dict({k[len("module."):] if k.startswith("module.")
                         else k: v for k, v in sd.items()})
    return net


def train(net, x, y, steps, seed, batch=128, lr=3e-3):
    """Seeded Adam on the max net plus one random SubNet per step."""
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    net.train()
    for step in range(steps):
        idx = torch.randint(0, x.shape[0], (batch,), generator=g)
        xb, yb = x[idx], y[idx]
        opt.zero_grad()
        net.set_max_net()
        loss = F.cross_entropy(net(xb), yb)
        net.sample_active_subnet(rng)
        loss = loss + F.cross_entropy(net(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
    net.set_max_net()
    return float(loss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", help="Fashion-MNIST IDX directory, or one "
                    "IDX image file (labels: the same name with -labels)")
    ap.add_argument("out_dir")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--calib", type=int, default=1000)
    ap.add_argument("--eval", type=int, default=500)
    ap.add_argument("--subnets", type=int, default=8,
                    help="SubNets in subnets.json (min, max, random)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    t0 = time.time()
    if args.data_dir.endswith(".idx"):
        # one IDX image file (the shipped 1,000-image sample when the
        # Fashion-MNIST directory is absent): the last --eval images
        # evaluate, the rest calibrate and train
        x = fmnist.read_idx(args.data_dir)
        y = fmnist.read_idx(args.data_dir.replace("-images", "-labels"))
        if not 0 < args.eval < len(y) - args.calib:
            raise SystemExit("ofa_mini: %d images cannot give %d to evaluate "
                             "and %d to calibrate" % (len(y), args.eval,
                                                      args.calib))
        xt, yt, xs, ys = x[:-args.eval], y[:-args.eval], x[-args.eval:], \
            y[-args.eval:]
    else:
        xt, yt = fmnist.load(args.data_dir, "train")
        xs, ys = fmnist.load(args.data_dir, "test")
    os.makedirs(args.out_dir, exist_ok=True)
    perm = np.random.RandomState(args.seed).permutation(len(yt))
    tr = perm[args.calib:]
    cal = perm[:args.calib]
    net = OFAMini()
    loss = train(net, to_float(pad32(xt[tr])),
                 torch.from_numpy(yt[tr].astype(np.int64)), args.steps,
                 args.seed)
    sd = {"module." + k: v for k, v in net.state_dict().items()}
    torch.save({"epoch": args.steps, "state_dict": sd},
               os.path.join(args.out_dir, "ofa_mini.pth"))
    with open(os.path.join(args.out_dir, "space.json"), "w") as f:
        json.dump(SPACE, f, indent=1)
    # the SubNets to import: min, max and seeded random ones (mixed depths,
    # per-block expand ratios, per-stage widths, stem skipping)
    rng = random.Random(args.seed + 1)
    subs = []
    for _ in range(args.subnets - 2):
        subs.append(net.sample_active_subnet(rng))
    ns, nb = len(SPACE["stage_width"]), len(net.blocks)
    subs.append({"d": [0] * (ns + 1), "e": [0.2] * nb, "w": [0] * (ns + 2)})
    subs.append({"d": [2] * (ns + 1), "e": [0.35] * nb, "w": [2] * (ns + 2)})
    net.set_max_net()
    with open(os.path.join(args.out_dir, "subnets.json"), "w") as f:
        json.dump(subs, f)
    np.savez(os.path.join(args.out_dir, "calib.npz"),
             images=pad32(xt[cal]), labels=yt[cal])
    np.savez(os.path.join(args.out_dir, "eval.npz"),
             images=pad32(xs[:args.eval]), labels=ys[:args.eval])
    print("ofa_mini: %d steps, last loss %.3f, %d parameters, %.1f s" % (
        args.steps, loss, sum(p.numel() for p in net.parameters()),
        time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
