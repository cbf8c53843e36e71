"""arch.py - the SuperNet search space and SubNet layer lists (pure Python).

Owns: the description of an OFA-ResNet-style search space (a JSON-able
dict), SubNet architectures (depth per stage, expand ratio per active block,
width multiplier per stage), their canonical names, and the expansion of a
SubNet into the flat layer list the accelerator runs (shapes, kernels, weight
slices at the SuperNet row stride, MACs, weight bytes).  Used by training,
quantization, export, the int8 reference and the OFA-ResNet50 generator, so
all of them agree on one graph.
"""
import itertools
import random

# Default space: Fashion-MNIST, 28x28x1 input.
FMNIST_SPACE = {
    "name": "fmnist-ofa-resnet",
    "input": [28, 28, 1],            # H, W, C
    "n_classes": 10,
    "stem": [                        # stem convolutions, each conv+BN+ReLU
        {"c": 16, "k": 3, "s": 1},
    ],
    "stem_pool": {"op": "maxpool", "k": 3, "s": 2, "p": 1},
    "stage_base": [24, 48, 96] ,     # stage output channels at width 1.0
    "stage_stride": [1, 2, 2],
    "depth_list": [1, 2, 3],         # active blocks per stage
    "expand_list": [0.25, 0.375, 0.5],
    "width_list": [0.5, 0.75, 1.0],
    "divisor": 2,                    # channel counts are multiples of this
    "stem_width_elastic": False,
}


def make_divisible(v, d):
    """Nearest multiple of d (half up), at least d, not below 0.9*v."""
    n = max(d, int(v + d / 2.0) // d * d)
    if n < 0.9 * v:
        n += d
    return n


def n_stages(space):
    return len(space["stage_base"])


def max_depth(space):
    return max(space["depth_list"])


def stage_out(space, i, w):
    return make_divisible(space["stage_base"][i] * w, space["divisor"])


def mid_channels(space, out_c, e):
    return make_divisible(out_c * e, space["divisor"])


def stem_channels(space, w=None):
    """Output channels of each stem conv (width elastic only if enabled)."""
    if not space.get("stem_width_elastic") or w is None:
        return [s["c"] for s in space["stem"]]
    return [make_divisible(s["c"] * w, space["divisor"]) for s in space["stem"]]


def max_arch(space):
    ns, md = n_stages(space), max_depth(space)
    return {"d": [md] * ns,
            "e": [[max(space["expand_list"])] * md for _ in range(ns)],
            "w": [max(space["width_list"])] * ns}


def min_arch(space):
    ns, d = n_stages(space), min(space["depth_list"])
    return {"d": [d] * ns,
            "e": [[min(space["expand_list"])] * d for _ in range(ns)],
            "w": [min(space["width_list"])] * ns}


def random_arch(space, rng, depth=True, expand=True, width=True):
    """Sample an architecture; disabled dimensions stay at their maximum."""
    ns = n_stages(space)
    full = max_arch(space)
    d = [rng.choice(space["depth_list"]) if depth else full["d"][i]
         for i in range(ns)]
    e = [[rng.choice(space["expand_list"]) if expand
          else max(space["expand_list"]) for _ in range(d[i])]
         for i in range(ns)]
    w = [rng.choice(space["width_list"]) if width else full["w"][i]
         for i in range(ns)]
    return {"d": d, "e": e, "w": w}


def check_arch(space, a):
    """Raise ValueError unless a is an architecture of space."""
    ns = n_stages(space)
    if not (isinstance(a, dict) and set(a) == {"d", "e", "w"}):
        raise ValueError("arch must have exactly the keys d, e, w")
    if len(a["d"]) != ns or len(a["w"]) != ns or len(a["e"]) != ns:
        raise ValueError("arch: d, e, w need one entry per stage (%d)" % ns)
    for i in range(ns):
        if a["d"][i] not in space["depth_list"]:
            raise ValueError("arch: depth %r of stage %d not in depth_list"
                             % (a["d"][i], i))
        if a["w"][i] not in space["width_list"]:
            raise ValueError("arch: width %r of stage %d not in width_list"
                             % (a["w"][i], i))
        if len(a["e"][i]) != a["d"][i]:
            raise ValueError("arch: stage %d needs %d expand ratios"
                             % (i, a["d"][i]))
        for e in a["e"][i]:
            if e not in space["expand_list"]:
                raise ValueError("arch: expand %r not in expand_list" % e)


def arch_name(space, a):
    """Canonical name: d<depths>_w<width idx>_e<expand idx per stage>."""
    wl, el, dl = space["width_list"], space["expand_list"], space["depth_list"]
    return "d%s_w%s_e%s" % (
        "".join(str(dl.index(d)) for d in a["d"]),
        "".join(str(wl.index(w)) for w in a["w"]),
        ".".join("".join(str(el.index(e)) for e in es) for es in a["e"]))


def layer_list(space, a):
    """Expand architecture a into the layer list the accelerator runs.

    Each layer is a dict: name, op (conv/fc/add/avgpool/maxpool/gap),
    inputs (indices of producing layers, -1 = network input), in_c, in_h,
    in_w, out_c, out_h, out_w, k, s, p, groups, act ('relu' or 'none'),
    and for conv/fc: weight (SuperNet weight tensor name), rows_max,
    row_stride (bytes), rows, row_bytes, plus bn (the BatchNorm name, or
    None for fc, which has a float bias).  For the max architecture the
    same function yields the SuperNet's own shapes.
    """
    check_arch(space, a)
    full = max_arch(space)
    H, W, C = space["input"]
    layers = []

    def out_size(n, k, s, p):
        return (n + 2 * p - k) // s + 1

    def add(name, op, inputs, in_c, out_c, k, s, p, act, weight=None,
            max_in=None, max_out=None, bn=None):
        src = inputs[0]
        if src < 0:
            ih, iw = H, W
        else:
            ih, iw = layers[src]["out_h"], layers[src]["out_w"]
        if op == "gap":
            oh = ow = 1
        elif op in ("add", "fc"):
            oh, ow = ih, iw
        else:
            oh, ow = out_size(ih, k, s, p), out_size(iw, k, s, p)
        L = {"name": name, "op": op, "inputs": list(inputs),
             "in_c": in_c, "in_h": ih, "in_w": iw,
             "out_c": out_c, "out_h": oh, "out_w": ow,
             "k": k, "s": s, "p": p, "groups": 1, "act": act}
        if weight is not None:
            L.update({"weight": weight, "rows_max": max_out,
                      "row_stride": max_in * k * k, "rows": out_c,
                      "row_bytes": in_c * k * k, "bn": bn})
        layers.append(L)
        return len(layers) - 1

    cur, cur_c, cur_max = -1, C, C
    for j, (sc, mc) in enumerate(zip(stem_channels(space),
                                     stem_channels(space))):
        st = space["stem"][j]
        name = "stem%d" % j
        cur = add(name, "conv", [cur], cur_c, sc, st["k"], st["s"],
                  st["k"] // 2, "relu", weight=name + ".conv", max_in=cur_max,
                  max_out=mc, bn=name + ".bn")
        cur_c, cur_max = sc, mc
    sp = space.get("stem_pool")
    if sp:
        cur = add("pool", sp["op"], [cur], cur_c, cur_c, sp["k"], sp["s"],
                  sp["p"], "none")
    for i in range(n_stages(space)):
        out_c = stage_out(space, i, a["w"][i])
        out_max = stage_out(space, i, full["w"][i])
        for b in range(a["d"][i]):
            e = a["e"][i][b]
            mid = mid_channels(space, out_c, e)
            mid_max = mid_channels(space, out_max, max(space["expand_list"]))
            s = space["stage_stride"][i] if b == 0 else 1
            pre = "s%d.b%d." % (i, b)
            blk_in = cur
            c1 = add(pre + "conv1", "conv", [cur], cur_c, mid, 1, 1, 0, "relu",
                     pre + "conv1", cur_max, mid_max, pre + "bn1")
            c2 = add(pre + "conv2", "conv", [c1], mid, mid, 3, s, 1, "relu",
                     pre + "conv2", mid_max, mid_max, pre + "bn2")
            c3 = add(pre + "conv3", "conv", [c2], mid, out_c, 1, 1, 0, "none",
                     pre + "conv3", mid_max, out_max, pre + "bn3")
            if b == 0:
                sc_src = blk_in
                if s > 1:
                    sc_src = add(pre + "scpool", "avgpool", [blk_in], cur_c,
                                 cur_c, 3, s, 1, "none")
                sc_src = add(pre + "sc", "conv", [sc_src], cur_c, out_c, 1, 1,
                             0, "none", pre + "sc", cur_max, out_max,
                             pre + "scbn")
            else:
                sc_src = blk_in
            cur = add(pre + "add", "add", [c3, sc_src], out_c, out_c, 0, 1, 0,
                      "relu")
            cur_c, cur_max = out_c, out_max
    g = add("gap", "gap", [cur], cur_c, cur_c, 0, 1, 0, "none")
    add("fc", "fc", [g], cur_c, space["n_classes"], 1, 1, 0, "none", "fc",
        cur_max, space["n_classes"], None)
    return layers


def layer_macs(L):
    if L["op"] in ("conv", "fc"):
        return (L["out_h"] * L["out_w"] * L["out_c"]
                * (L["in_c"] // L["groups"]) * L["k"] * L["k"])
    return 0


def macs(space, a):
    """Multiply-accumulates of the CONV and FC layers (pooling/add: 0)."""
    return sum(layer_macs(L) for L in layer_list(space, a))


def weight_bytes(space, a):
    """Bytes of the SubNet's int8 weight slices (rows * row_bytes)."""
    return sum(L["rows"] * L["row_bytes"]
               for L in layer_list(space, a) if "weight" in L)


def all_archs(space):
    """Iterate over every architecture of the space (can be huge)."""
    ns = n_stages(space)
    per_stage = []
    for i in range(ns):
        opts = []
        for d in space["depth_list"]:
            for es in itertools.product(space["expand_list"], repeat=d):
                opts.append((d, list(es)))
        per_stage.append(opts)
    for ws in itertools.product(space["width_list"], repeat=ns):
        for combo in itertools.product(*per_stage):
            yield {"d": [c[0] for c in combo], "e": [c[1] for c in combo],
                   "w": list(ws)}


def space_size(space):
    n = 1
    for _ in range(n_stages(space)):
        n *= sum(len(space["expand_list"]) ** d for d in space["depth_list"])
    return n * len(space["width_list"]) ** n_stages(space)


if __name__ == "__main__":
    sp = FMNIST_SPACE
    for a in (max_arch(sp), min_arch(sp)):
        print(arch_name(sp, a), macs(sp, a), weight_bytes(sp, a))
    print("space size", space_size(sp))
    r = random.Random(0)
    print(sorted(macs(sp, random_arch(sp, r)) for _ in range(10)))
