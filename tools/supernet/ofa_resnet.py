"""ofa_resnet.py - the OFA-ResNet (OFAResNets) search space and layer lists.

Owns: the structure of Once-for-All's `OFAResNets` SuperNet for any size
(ImageNet's ofa_resnet50 or a small one): channel lists from the width
multipliers (OFA's make_divisible with its divisor), the ResNet-D input
stem with its elastic residual conv, the bottleneck stages with elastic
depth (first blocks), expand ratio (OFA's middle-channel rule) and width,
the avgpool+conv shortcut, the classifier; OFA's `set_active_subnet`
encoding (d, e, w) and its conversion to our arch dicts (w as multipliers);
the expansion of a SubNet into the flat layer list the accelerator runs
(arch.layer_list format, plus `bn` and `ofa`: the BatchNorm name and the
OFA module path whose state-dict keys hold the layer's parameters); MACs and
weight bytes.  Pure Python.  Used by gen_ofa_resnet50.py and import_ofa.py.

A space is a JSON-able dict: input [H, W, C], n_classes, base_width (stem
output channels at width 1.0, OFA: 64), stage_width (stage output channels
at width 1.0, OFA: ResNets.STAGE_WIDTH_LIST), base_depth (OFA:
ResNets.BASE_DEPTH_LIST), stage_stride (OFA: [1, 2, 2, 2]), depth_list,
expand_list, width_list (each sorted ascending, as OFA sorts them) and
divisor (OFA: MyNetwork.CHANNEL_DIVISIBLE = 8).
"""
import arch as A


def md(space, v):
    return A.make_divisible(v, space["divisor"])


def n_stages(space):
    return len(space["stage_width"])


def widths(space):
    """(stem output channels, stem middle channels, per stage output
    channels), one entry per width multiplier (OFAResNets.__init__)."""
    wl = space["width_list"]
    inp = [md(space, space["base_width"] * w) for w in wl]
    mid_inp = [md(space, c // 2) for c in inp]
    stages = [[md(space, sw * w) for w in wl] for sw in space["stage_width"]]
    return inp, mid_inp, stages


def n_blocks(space):
    """Blocks per stage in the SuperNet: base depth + max(depth_list)."""
    return [b + max(space["depth_list"]) for b in space["base_depth"]]


def mid_channels(space, out_c, e):
    """OFA's active middle channels: make_divisible(round(out * e))."""
    return md(space, round(out_c * e))


def max_arch(space):
    ns = n_stages(space)
    return {"d": [max(space["depth_list"])] * (ns + 1),
            "e": [max(space["expand_list"])] * sum(n_blocks(space)),
            "w": [max(space["width_list"])] * (ns + 2)}


def min_arch(space):
    ns = n_stages(space)
    return {"d": [min(space["depth_list"])] * (ns + 1),
            "e": [min(space["expand_list"])] * sum(n_blocks(space)),
            "w": [min(space["width_list"])] * (ns + 2)}


def from_ofa(space, enc):
    """OFA set_active_subnet encoding -> our arch dict.

    enc: {"d": ..., "e": ..., "w": ...} as OFA's set_active_subnet takes
    them: d per (stem, stage...) in depth_list, e per block in expand_list,
    w per (stem conv 0/1, stem conv 2, stage...) as an INDEX into
    width_list (OFA's convention); a JSON float in w is taken as the
    multiplier itself.  A scalar applies to every entry (OFA's val2list).
    Missing keys mean the maximum.  Returns {"d", "e", "w"} with w as
    multipliers (the form our catalogs store)."""
    if not isinstance(enc, dict) or not set(enc) <= {"d", "e", "w"}:
        raise ValueError("SubNet encoding must be a dict with (only) the "
                         "keys d, e, w")
    full = max_arch(space)

    def lst(key, n):
        v = enc.get(key)
        if v is None:
            return list(full[key])
        if not isinstance(v, list):
            v = [v] * n
        if len(v) != n:
            raise ValueError("%s needs %d entries, got %d" % (key, n, len(v)))
        return list(v)

    d = lst("d", len(full["d"]))
    e = lst("e", len(full["e"]))
    w = []
    raw_w = enc.get("w")
    if raw_w is None:
        w = list(full["w"])
    else:
        for v in (raw_w if isinstance(raw_w, list)
                  else [raw_w] * len(full["w"])):
            if isinstance(v, bool):
                raise ValueError("w: bad value %r" % v)
            if isinstance(v, int):
                if not 0 <= v < len(space["width_list"]):
                    raise ValueError("w: index %d outside width_list" % v)
                w.append(space["width_list"][v])
            else:
                w.append(v)
    a = {"d": d, "e": e, "w": w}
    check_arch(space, a)
    return a


def to_ofa(space, a):
    """Our arch dict -> OFA set_active_subnet encoding (w as indices)."""
    return {"d": list(a["d"]), "e": list(a["e"]),
            "w": [space["width_list"].index(v) for v in a["w"]]}


def check_arch(space, a):
    """Raise ValueError unless a (w as multipliers) is a SubNet of space."""
    full = max_arch(space)
    if not (isinstance(a, dict) and set(a) == {"d", "e", "w"}):
        raise ValueError("arch must have exactly the keys d, e, w")
    for k, lst in (("d", "depth_list"), ("e", "expand_list"),
                   ("w", "width_list")):
        if len(a[k]) != len(full[k]):
            raise ValueError("arch: %s needs %d entries" % (k, len(full[k])))
        for v in a[k]:
            if v not in space[lst]:
                raise ValueError("arch: %s value %r not in %s %r"
                                 % (k, v, lst, space[lst]))


def layer_list(space, a):
    """OFA-ResNet SubNet a -> layer list (arch.layer_list format).

    Conv and fc layers also carry `bn` (the BatchNorm's name, None for fc)
    and `ofa` (the OFAResNets module path: input_stem.N[.conv],
    blocks.N.conv1/conv2/conv3/downsample, classifier)."""
    wl = space["width_list"]
    inp, mid_inp, stages = widths(space)
    H, W, C = space["input"]
    nb = n_blocks(space)
    layers = []

    def add(name, op, inputs, in_c, out_c, k, s, p, act, max_in=None,
            max_out=None, ofa=None):
        src = inputs[0]
        ih, iw = (H, W) if src < 0 else (layers[src]["out_h"],
                                         layers[src]["out_w"])
        if op == "gap":
            oh = ow = 1
        elif op in ("add", "fc"):
            oh, ow = ih, iw
        else:
            oh, ow = (ih + 2 * p - k) // s + 1, (iw + 2 * p - k) // s + 1
        L = {"name": name, "op": op, "inputs": list(inputs), "in_c": in_c,
             "in_h": ih, "in_w": iw, "out_c": out_c, "out_h": oh,
             "out_w": ow, "k": k, "s": s, "p": p, "groups": 1, "act": act}
        if op in ("conv", "fc"):
            L.update({"weight": name, "rows_max": max_out,
                      "row_stride": max_in * k * k, "rows": out_c,
                      "row_bytes": in_c * k * k,
                      "bn": name + ".bn" if op == "conv" else None,
                      "ofa": ofa})
        layers.append(L)
        return len(layers) - 1

    wi = [wl.index(v) for v in a["w"]]
    c0, c0m = mid_inp[wi[0]], max(mid_inp)
    c1, c1m = inp[wi[1]], max(inp)
    cur = add("stem0", "conv", [-1], C, c0, 3, 2, 1, "relu", C, c0m,
              "input_stem.0")
    if a["d"][0] == max(space["depth_list"]):
        x = cur
        cur = add("stem1", "conv", [cur], c0, c0, 3, 1, 1, "relu", c0m, c0m,
                  "input_stem.1.conv")
        cur = add("stem1.add", "add", [cur, x], c0, c0, 0, 1, 0, "none")
    cur = add("stem2", "conv", [cur], c0, c1, 3, 1, 1, "relu", c0m, c1m,
              "input_stem.2")
    cur = add("pool", "maxpool", [cur], c1, c1, 3, 2, 1, "none")
    cur_c, cur_m = c1, c1m
    bi = 0
    for i in range(n_stages(space)):
        out_c, out_m = stages[i][wi[2 + i]], max(stages[i])
        mid_m = mid_channels(space, out_m, max(space["expand_list"]))
        n_act = space["base_depth"][i] + a["d"][1 + i]
        for b in range(nb[i]):
            e = a["e"][bi]
            bi += 1
            if b >= n_act:
                continue
            blk = "blocks.%d." % (bi - 1)
            mid = mid_channels(space, out_c, e)
            s = space["stage_stride"][i] if b == 0 else 1
            pre = "s%d.b%d." % (i, b)
            x = cur
            c = add(pre + "conv1", "conv", [cur], cur_c, mid, 1, 1, 0, "relu",
                    cur_m, mid_m, blk + "conv1")
            c = add(pre + "conv2", "conv", [c], mid, mid, 3, s, 1, "relu",
                    mid_m, mid_m, blk + "conv2")
            c3 = add(pre + "conv3", "conv", [c], mid, out_c, 1, 1, 0, "none",
                     mid_m, out_m, blk + "conv3")
            if b == 0:
                sc = x
                if s > 1:
                    sc = add(pre + "scpool", "avgpool", [x], cur_c, cur_c, s,
                             s, 0, "none")
                sc = add(pre + "sc", "conv", [sc], cur_c, out_c, 1, 1, 0,
                         "none", cur_m, out_m, blk + "downsample")
            else:
                sc = x
            cur = add(pre + "add", "add", [c3, sc], out_c, out_c, 0, 1, 0,
                      "relu")
            cur_c, cur_m = out_c, out_m
    g = add("gap", "gap", [cur], cur_c, cur_c, 0, 1, 0, "none")
    add("fc", "fc", [g], cur_c, space["n_classes"], 1, 1, 0, "none", cur_m,
        space["n_classes"], "classifier")
    return layers


def arch_name(space, a):
    dl, el, wl = space["depth_list"], space["expand_list"], space["width_list"]
    return "d%s_w%s_e%s" % ("".join(str(dl.index(v)) for v in a["d"]),
                            "".join(str(wl.index(v)) for v in a["w"]),
                            "".join(str(el.index(v)) for v in a["e"]))


def macs(space, a):
    return sum(A.layer_macs(L) for L in layer_list(space, a))


def wbytes(space, a):
    return sum(L["rows"] * L["row_bytes"] for L in layer_list(space, a)
               if "weight" in L)
