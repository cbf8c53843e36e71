"""supernet.py - the weight-shared OFA-ResNet-style SuperNet in PyTorch.

Owns: the float SuperNet (max-size parameters), running any SubNet by
slicing first channels / first blocks (OFA weight sharing), BatchNorm in
batch-statistics, recalibration and frozen modes, channel-importance
sorting before elastic expand/width phases, and the float state as a plain
dict of numpy arrays (saved with safetensors_io, no pickle).
The graph follows arch.layer_list exactly, so the exporter and the int8
reference see the same layers.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import arch as A


class SuperNet(nn.Module):
    def __init__(self, space, layer_list=A.layer_list, max_arch=A.max_arch):
        """layer_list(space, a) and max_arch(space) define the graph
        (default: arch.py's space; ofa_resnet.py's for imported OFA nets)."""
        super().__init__()
        self.space = space
        self._layer_list = layer_list
        full = max_arch(space)
        self.convs = nn.ParameterDict()
        self.bns = nn.ModuleDict()
        for L in layer_list(space, full):
            if L["op"] == "conv":
                w = torch.empty(L["rows_max"], L["row_stride"] // (L["k"] ** 2),
                                L["k"], L["k"])
                nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
                self.convs[_key(L["weight"])] = nn.Parameter(w)
                bn = nn.BatchNorm2d(L["rows_max"])
                if L["name"].endswith("conv3"):
                    nn.init.zeros_(bn.weight)  # zero-init last BN of a block
                self.bns[_key(L["bn"])] = bn
            elif L["op"] == "fc":
                self.fc = nn.Linear(L["row_stride"], L["rows_max"])
        self.bn_mode = "batch"      # batch | recal | frozen
        self.recal = {}

    # ---------------------------------------------------------------- BN
    def _bn(self, name, x):
        bn = self.bns[_key(name)]
        c = x.shape[1]
        g, b = bn.weight[:c], bn.bias[:c]
        if self.bn_mode == "frozen":
            return F.batch_norm(x, bn.running_mean[:c], bn.running_var[:c],
                                g, b, False, 0.0, bn.eps)
        if self.bn_mode == "recal":
            m = x.mean(dim=(0, 2, 3))
            v = x.var(dim=(0, 2, 3), unbiased=False)
            self.recal.setdefault(name, []).append(
                (x.shape[0], m.detach(), v.detach()))
        return F.batch_norm(x, None, None, g, b, True, 0.0, bn.eps)

    def set_running_stats(self, a, images, batch=1000):
        """Recalibrate BN statistics for SubNet a on float images [N,C,H,W]
        (mean of per-batch means and variances weighted by batch size, as
        OFA's set_running_statistics does; with equal batches the plain
        mean, in the arithmetic the shipped export used, so that it
        reproduces byte for byte)."""
        self.bn_mode, self.recal = "recal", {}
        with torch.no_grad():
            for i in range(0, images.shape[0], batch):
                self.forward(images[i:i + batch], a)
            for name, stats in self.recal.items():
                bn = self.bns[_key(name)]
                ns = [n for n, _, _ in stats]
                if len(set(ns)) == 1:      # equal batches: the plain mean
                    m = sum(m for _, m, _ in stats) / len(stats)
                    v = sum(v for _, _, v in stats) / len(stats)
                else:                      # weighted by batch size (OFA)
                    m = sum(n * m for n, m, _ in stats) / sum(ns)
                    v = sum(n * v for n, _, v in stats) / sum(ns)
                c = m.shape[0]
                bn.running_mean[:c] = m
                bn.running_var[:c] = v
        self.bn_mode, self.recal = "frozen", {}

    # ----------------------------------------------------------- forward
    def forward(self, x, a, collect=None):
        """Run SubNet a on x [N,C,H,W] float (Fashion-MNIST: [N,1,28,28] in
        [0,1]).  If collect is a dict, the output of every layer (by layer
        index) is stored in it."""
        outs = {}
        res = None
        for idx, L in enumerate(self._layer_list(self.space, a)):
            srcs = [x if i < 0 else outs[i] for i in L["inputs"]]
            op = L["op"]
            if op == "conv":
                w = self.convs[_key(L["weight"])][:L["out_c"], :L["in_c"]]
                y = F.conv2d(srcs[0], w, None, L["s"], L["p"])
                y = self._bn(L["bn"], y)
            elif op == "maxpool":
                y = F.max_pool2d(srcs[0], L["k"], L["s"], L["p"])
            elif op == "avgpool":
                y = F.avg_pool2d(srcs[0], L["k"], L["s"], L["p"],
                                 count_include_pad=False)
            elif op == "add":
                y = srcs[0] + srcs[1]
            elif op == "gap":
                y = srcs[0].mean(dim=(2, 3), keepdim=True)
            elif op == "fc":
                h = srcs[0].flatten(1)
                y = F.linear(h, self.fc.weight[:, :L["in_c"]], self.fc.bias)
            else:
                raise ValueError(op)
            if L["act"] == "relu":
                y = F.relu(y)
            outs[idx] = y
            res = y
            if collect is not None:
                collect[idx] = y
        return res

    # ---------------------------------------------------- importance sort
    @torch.no_grad()
    def sort_mid_channels(self):
        """Sort each block's middle channels by importance (L1 norm of the
        conv3 weights that read them), most important first."""
        full = A.max_arch(self.space)
        for L in A.layer_list(self.space, full):
            if not L["name"].endswith("conv3"):
                continue
            pre = L["name"][:-len("conv3")]
            w3 = self.convs[_key(pre + "conv3")]
            idx = torch.argsort(w3.abs().sum(dim=(0, 2, 3)), descending=True)
            w1 = self.convs[_key(pre + "conv1")]
            w2 = self.convs[_key(pre + "conv2")]
            w1.data = w1.data[idx].clone()
            w2.data = w2.data[idx][:, idx].clone()
            w3.data = w3.data[:, idx].clone()
            for bn in (pre + "bn1", pre + "bn2"):
                _perm_bn(self.bns[_key(bn)], idx)

    @torch.no_grad()
    def sort_stage_channels(self):
        """Sort each stage's output channels (shared by all of its blocks
        through the residual path) by importance, most important first."""
        sp = self.space
        full = A.max_arch(sp)
        md = full["d"]
        for i in range(A.n_stages(sp)):
            writers = ["s%d.b%d.conv3" % (i, b) for b in range(md[i])]
            writers.append("s%d.b0.sc" % i)
            imp = sum(self.convs[_key(n)].abs().sum(dim=(1, 2, 3))
                      for n in writers)
            idx = torch.argsort(imp, descending=True)
            for n in writers:
                w = self.convs[_key(n)]
                w.data = w.data[idx].clone()
            for b in range(md[i]):
                _perm_bn(self.bns[_key("s%d.b%d.bn3" % (i, b))], idx)
            _perm_bn(self.bns[_key("s%d.b0.scbn" % i)], idx)
            readers = ["s%d.b%d.conv1" % (i, b) for b in range(1, md[i])]
            if i + 1 < A.n_stages(sp):
                readers += ["s%d.b0.conv1" % (i + 1), "s%d.b0.sc" % (i + 1)]
            for n in readers:
                w = self.convs[_key(n)]
                w.data = w.data[:, idx].clone()
            if i + 1 == A.n_stages(sp):
                self.fc.weight.data = self.fc.weight.data[:, idx].clone()

    # -------------------------------------------------------- state I/O
    def float_state(self):
        """Float parameters as {name: float32 numpy array}: conv weights
        [K, C, k, k] under their layer weight name, BN gamma/beta/eps-free,
        fc weight [classes, C] and bias."""
        st = {}
        for k, p in self.convs.items():
            st[_unkey(k)] = p.detach().numpy().astype(np.float32)
        for k, bn in self.bns.items():
            n = _unkey(k)
            st[n + ".weight"] = bn.weight.detach().numpy().astype(np.float32)
            st[n + ".bias"] = bn.bias.detach().numpy().astype(np.float32)
        st["fc"] = self.fc.weight.detach().numpy().astype(np.float32)
        st["fc.bias"] = self.fc.bias.detach().numpy().astype(np.float32)
        return st

    def load_float_state(self, st):
        with torch.no_grad():
            for k, p in self.convs.items():
                p.copy_(torch.from_numpy(np.array(st[_unkey(k)])))
            for k, bn in self.bns.items():
                n = _unkey(k)
                bn.weight.copy_(torch.from_numpy(np.array(st[n + ".weight"])))
                bn.bias.copy_(torch.from_numpy(np.array(st[n + ".bias"])))
            self.fc.weight.copy_(torch.from_numpy(np.array(st["fc"])))
            self.fc.bias.copy_(torch.from_numpy(np.array(st["fc.bias"])))


def _key(name):
    return name.replace(".", "__")


def _unkey(k):
    return k.replace("__", ".")


def _perm_bn(bn, idx):
    for t in (bn.weight, bn.bias):
        t.data = t.data[idx].clone()
    bn.running_mean.copy_(bn.running_mean[idx])
    bn.running_var.copy_(bn.running_var[idx])


def to_float_images(u8):
    """uint8 [N,28,28] -> float tensor [N,1,28,28] in [0,1] (the network's
    input; the int8 input is pixel - 128 with scale 1/255, zero point -128)."""
    return torch.from_numpy(u8.astype(np.float32) / 255.0).unsqueeze(1)
