"""quantize.py - post-training int8 quantization of SubNets.

Owns: the shared per-output-channel symmetric int8 weights (one scale per
SuperNet row, shared by every SubNet), per-SubNet BN recalibration, the
per-SubNet activation ranges (per-tensor asymmetric int8), the epilogues
(bias, mult, shift) that absorb each SubNet's BatchNorm, and the ADD
multipliers.  The result of quantize_subnet() is the SubNet's layer list in
the exact form the file's catalog stores and int8ref.run_layers runs.
"""
import math

import numpy as np

import arch as A
# torch and supernet are imported inside the functions that need them, so
# quantize_multiplier/qparams work with numpy alone (the self-test uses them)

INPUT_SCALE = 1.0 / 255.0
INPUT_ZP = -128
BIAS_LIMIT = 1 << 30      # |bias| <= 2^30: see bound_epilogue
ACC_TAP_MAX = 255 * 127   # largest |x - zp| * |w| (weights in [-127, 127])
PRODUCT_LIMIT = 1 << 62   # format.rst invariant 8


def quantize_multiplier(m):
    """Real multiplier m -> (mult, shift) with mult * 2^-shift ~ m,
    |mult| in [2^30, 2^31) when the shift range 0..62 allows it."""
    if m == 0 or not math.isfinite(m):
        return 0, 0
    f, e = math.frexp(abs(m))           # |m| = f * 2^e, f in [0.5, 1)
    shift = 31 - e
    if shift > 62:
        shift = 62
    if shift < 0:
        shift = 0
    mult = int(math.floor(abs(m) * (2.0 ** shift) + 0.5))
    if mult >= 1 << 31:
        if shift > 0 and mult == 1 << 31:
            mult, shift = 1 << 30, shift - 1
        else:
            mult = (1 << 31) - 1
    return (-mult if m < 0 else mult), shift


def bound_epilogue(bias, mult, shift, row_bytes):
    """Make (row_bytes * 255 * 127 + |bias|) * |mult| < 2^62 (the file
    format's product bound) hold: while it does not, halve mult (rounded
    half away from zero) and lower shift by one (same real multiplier, one
    bit less precision); at shift 0, clamp |bias|.  With |bias| <= 2^30 and
    |mult| < 2^31 nothing changes for rows of up to 33,155 bytes.  Returns the
    (bias, mult, shift) to store."""
    amax = int(row_bytes) * ACC_TAP_MAX
    bias, mult, shift = int(bias), int(mult), int(shift)
    while mult and shift > 0 and (amax + abs(bias)) * abs(mult) >= \
            PRODUCT_LIMIT:
        half = (abs(mult) + 1) // 2
        mult, shift = (-half if mult < 0 else half), shift - 1
    if mult:
        lim = (PRODUCT_LIMIT - 1) // abs(mult) - amax   # >= 0: amax < 2^31
        bias = max(-lim, min(lim, bias))
    return bias, mult, shift


def qparams(lo, hi):
    """Float range -> (scale, zp) of per-tensor asymmetric int8."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    zp = int(round(-128 - lo / scale))
    return scale, max(-128, min(127, zp))


def quantize_weights(state, space, max_layers=None):
    """Shared weights: {layer weight name: (int8 [rows_max, row_stride],
    float32 scales [rows_max])}, per-row symmetric over the full row.
    max_layers: the SuperNet's (max architecture's) layer list (default:
    arch.py's)."""
    out = {}
    if max_layers is None:
        max_layers = A.layer_list(space, A.max_arch(space))
    for L in max_layers:
        if "weight" not in L:
            continue
        w = np.asarray(state[L["weight"]], dtype=np.float64)
        w = w.reshape(w.shape[0], -1)
        amax = np.abs(w).max(axis=1)
        sc = np.where(amax > 0, amax / 127.0, 1.0)
        q = np.clip(np.rint(w / sc[:, None]), -127, 127).astype(np.int8)
        out[L["weight"]] = (q, sc.astype(np.float32))
    return out


def calibrate(net, a, calib, batch=500, recal_batch=1000):
    """BN recalibration for SubNet a, then per-layer output ranges."""
    import torch
    net.set_running_stats(a, calib, batch=recal_batch)
    lo, hi = {}, {}
    with torch.no_grad():
        for i in range(0, calib.shape[0], batch):
            col = {}
            net(calib[i:i + batch], a, collect=col)
            for k, v in col.items():
                lo[k] = min(lo.get(k, 0.0), float(v.min()))
                hi[k] = max(hi.get(k, 0.0), float(v.max()))
    return lo, hi


def quantize_subnet(net, space, a, wq, calib, sid, layers=None,
                    input_qp=(INPUT_SCALE, INPUT_ZP), calib_batch=None):
    """Quantize SubNet a (BN recalibrated on calib).  Returns (layers,
    epis): the catalog layer list and {epilogue tensor name: int32 [K,3]}.
    Leaves net's BN running stats set for a (frozen mode).  layers: a's
    layer list (default: arch.py's); input_qp: (scale, zp) of the int8
    network input (default: Fashion-MNIST pixels, 1/255 and -128);
    calib_batch: images per forward pass in calibration (default 500 for
    the ranges, 1000 for BN recalibration)."""
    import supernet as S
    if layers is None:
        layers = A.layer_list(space, a)
    if calib_batch:
        lo, hi = calibrate(net, a, calib, calib_batch, calib_batch)
    else:
        lo, hi = calibrate(net, a, calib)
    qp = {-1: tuple(input_qp)}
    out, epis = [], {}
    for idx, L in enumerate(layers):
        op = L["op"]
        src = L["inputs"][0]
        s_in, zp_in = qp[src]
        if op in ("maxpool", "avgpool", "gap"):
            s_out, zp_out = s_in, zp_in       # pooling keeps the input scale
        else:
            s_out, zp_out = qparams(lo[idx], hi[idx])
        qp[idx] = (s_out, zp_out)
        R = {"name": L["name"], "op": op, "inputs": L["inputs"],
             "in_c": L["in_c"], "in_h": L["in_h"], "in_w": L["in_w"],
             "out_c": L["out_c"], "out_h": L["out_h"], "out_w": L["out_w"],
             "k": L["k"], "s": L["s"], "p": L["p"], "groups": L["groups"],
             "in_zp": zp_in, "in2_zp": 0, "out_zp": zp_out,
             "act_min": zp_out if L["act"] == "relu" else -128,
             "act_max": 127, "add_mult_a": 0, "add_mult_b": 0,
             "add_shift": 0, "weight": None, "rows": 0, "row_bytes": 0,
             "row_stride": 0, "epilogue": None,
             "out_scale": s_out}
        if op in ("conv", "fc"):
            wname = L["weight"]
            q, wsc = wq[wname]
            k = L["out_c"]
            wsc = wsc[:k].astype(np.float64)
            if op == "conv":
                bn = net.bns[S._key(L["bn"])]
                g = bn.weight.detach().numpy()[:k].astype(np.float64)
                b = bn.bias.detach().numpy()[:k].astype(np.float64)
                mu = bn.running_mean.numpy()[:k].astype(np.float64)
                var = bn.running_var.numpy()[:k].astype(np.float64)
                ga = g / np.sqrt(var + bn.eps)
                be = b - ga * mu
            else:
                ga = np.ones(k)
                be = net.fc.bias.detach().numpy().astype(np.float64)
            epi = np.zeros((k, 3), dtype=np.int32)
            for c in range(k):
                unit = ga[c] * s_in * wsc[c]      # real value of one acc step
                mult, shift = quantize_multiplier(unit / s_out)
                if unit != 0:
                    bias = int(round(be[c] / unit))
                    bias = max(-BIAS_LIMIT, min(BIAS_LIMIT, bias))
                else:
                    bias = 0
                epi[c] = bound_epilogue(bias, mult, shift, L["row_bytes"])
            ename = "epi.%s.%s" % (sid, L["name"])
            epis[ename] = epi
            R.update({"weight": "w." + wname, "rows": L["rows"],
                      "row_bytes": L["row_bytes"],
                      "row_stride": L["row_stride"], "epilogue": ename})
        elif op == "add":
            (sa, za), (sb, zb) = qp[L["inputs"][0]], qp[L["inputs"][1]]
            ma, mb = sa / s_out, sb / s_out
            _, shift = quantize_multiplier(max(ma, mb))
            lim = (1 << 31) - 1
            R.update({"in_zp": za, "in2_zp": zb, "add_shift": shift,
                      "add_mult_a": min(lim, int(round(ma * 2.0 ** shift))),
                      "add_mult_b": min(lim, int(round(mb * 2.0 ** shift)))})
        out.append(R)
    return out, epis


def name_epilogues(layers, epis, sid, out):
    """A quantized SubNet's layers as catalog entry sid stores them: each
    epilogue tensor (quantize_subnet names them epi.tmp.<layer>) renamed
    epi.<sid>.<layer> and put in out; returns the renamed layer list."""
    res = []
    for L in layers:
        L = dict(L)
        if L["epilogue"]:
            e = epis[L["epilogue"]]
            L["epilogue"] = L["epilogue"].replace("epi.tmp.",
                                                  "epi.%s." % sid, 1)
            out[L["epilogue"]] = e
        res.append(L)
    return res


def float_accuracy(net, a, images, labels, batch=1000):
    """Float top-1 with the BN statistics currently set (frozen)."""
    import torch
    import supernet as S
    net.bn_mode = "frozen"
    ok = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            x = S.to_float_images(images[i:i + batch])
            ok += int((net(x, a).argmax(1).numpy() == labels[i:i + batch]).sum())
    return ok / len(labels)
