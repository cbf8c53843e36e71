"""int8ref.py - bit-exact numpy reference of the accelerator's int8 arithmetic.

Owns: rdiv/rshift rounding, and the CONV, FC, ADD, AVGPOOL, MAXPOOL and GAP
layers exactly as the hardware contract defines them (NHWC int8 activations,
int8 weight rows at a row stride, per-output-channel int32 epilogue
(bias, mult, shift)), plus running a SubNet's layer list on a batch.

Exactness: every accumulator is an integer.  The convolution's dot products
are computed with a float64 matrix product only because every product
(|x - zp| <= 255, |w| <= 127) and every partial sum (at most 65536 terms,
< 2^31) is an integer below 2^53, which float64 represents exactly, so the
result is the exact integer; exact=True uses an int64 product instead (the
self-test checks both agree).  All requantization is int64 integer math.
Pure numpy: no torch.
"""
import numpy as np

I64 = np.int64


class RefError(ValueError):
    """A layer whose parameters violate the hardware contract."""


def rdiv(n, d):
    """sign(n) * floor((2|n| + d) / (2d)) for d > 0 (round half away from
    zero), elementwise on int64 arrays (or Python ints), without overflow
    for |n| < 2^63 and d <= 2^62."""
    n = np.asarray(n, dtype=I64)
    d = np.asarray(d, dtype=I64)
    if np.any(d <= 0):
        raise RefError("rdiv: divisor must be > 0")
    a = np.abs(n)
    q = a // d
    r = a - q * d
    q = q + (r >= d - r)          # 2r >= d  <=>  r >= d - r (no overflow)
    return np.where(n < 0, -q, q)


def rshift(x, s):
    """x if s == 0 else rdiv(x, 2**s); s elementwise in 0..62.
    Computed as sign(x) * ((|x| + 2^(s-1)) >> s), which equals
    rdiv(x, 2^s) (floor((2|x| + 2^s) / 2^(s+1))) for |x| < 2^62."""
    x = np.asarray(x, dtype=I64)
    s = np.asarray(s, dtype=I64)
    if np.any(s < 0) or np.any(s > 62):
        raise RefError("rshift: shift must be in 0..62")
    a = np.abs(x)
    half = np.where(s > 0, np.left_shift(I64(1), np.maximum(s - 1, 0)), 0)
    q = np.right_shift(a + half, s)
    return np.where(x < 0, -q, q)


def out_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def _clamp8(v, lo, hi):
    if not -128 <= lo <= hi <= 127:
        raise RefError("clamp range [%d, %d] outside int8" % (lo, hi))
    return np.clip(v, lo, hi).astype(np.int8)


def _windows(xp, k, s, oh, ow):
    """xp [N,Hp,Wp,C] -> [N,oh,ow,C,k,k] view of the windows."""
    n, hp, wp, c = xp.shape
    st = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp, shape=(n, oh, ow, c, k, k),
        strides=(st[0], st[1] * s, st[2] * s, st[3], st[1], st[2]),
        writeable=False)


def conv(x, w, epi, in_zp, out_zp, act_min, act_max, k, s, p, groups=1,
         exact=False):
    """x int8 [N,H,W,C]; w int8 [K, (C/groups)*k*k] (rows, [c][ky][kx]);
    epi int32 [K,3] = (bias, mult, shift).  Returns int8 [N,OH,OW,K]."""
    n, h, wd, c = x.shape
    kout = w.shape[0]
    if c % groups or kout % groups:
        raise RefError("conv: channels not a multiple of groups")
    cg, kg = c // groups, kout // groups
    red = cg * k * k
    if w.shape[1] != red:
        raise RefError("conv: row length %d != %d" % (w.shape[1], red))
    if red > 65536:
        raise RefError("conv: reduction length %d > 65536" % red)
    if not 0 <= p < k:
        raise RefError("conv: pad must be in [0, k)")
    oh, ow = out_size(h, k, s, p), out_size(wd, k, s, p)
    if oh < 1 or ow < 1:
        raise RefError("conv: empty output")
    dt = I64 if exact else np.float64
    xp = np.zeros((n, h + 2 * p, wd + 2 * p, c), dtype=dt)
    xp[:, p:p + h, p:p + wd, :] = x.astype(dt) - int(in_zp)  # outside: 0
    win = _windows(xp, k, s, oh, ow)       # [N,oh,ow,C,k,k]
    acc = np.empty((n, oh, ow, kout), dtype=I64)
    for g in range(groups):
        cols = win[:, :, :, g * cg:(g + 1) * cg].reshape(-1, red)
        if exact:
            a = cols @ w[g * kg:(g + 1) * kg].astype(I64).T
        else:
            a = np.rint(cols @ w[g * kg:(g + 1) * kg].astype(dt).T).astype(I64)
        acc[..., g * kg:(g + 1) * kg] = a.reshape(n, oh, ow, kg)
    return epilogue(acc, epi, out_zp, act_min, act_max)


def epilogue(acc, epi, out_zp, act_min, act_max):
    """clamp(out_zp + rshift((acc + bias) * mult, shift)) per channel."""
    epi = np.asarray(epi, dtype=I64)
    if epi.shape != (acc.shape[-1], 3):
        raise RefError("epilogue: shape %s, need (%d, 3)"
                       % (epi.shape, acc.shape[-1]))
    bias, mult, shift = epi[:, 0], epi[:, 1], epi[:, 2]
    v = rshift((acc + bias) * mult, shift)
    return _clamp8(int(out_zp) + v, act_min, act_max)


def fc(x, w, epi, in_zp, out_zp, act_min, act_max, exact=False):
    """x int8 [N,1,1,C] (or [N,C]) -> int8 [N,1,1,K]."""
    x = x.reshape(x.shape[0], 1, 1, -1)
    return conv(x, w, epi, in_zp, out_zp, act_min, act_max, 1, 1, 0, 1, exact)


def add(a, b, a_zp, b_zp, mult_a, mult_b, shift, out_zp, act_min, act_max):
    if a.shape != b.shape:
        raise RefError("add: shapes %s and %s differ" % (a.shape, b.shape))
    v = ((a.astype(I64) - int(a_zp)) * int(mult_a)
         + (b.astype(I64) - int(b_zp)) * int(mult_b))
    return _clamp8(int(out_zp) + rshift(v, int(shift)), act_min, act_max)


def _pool_prep(x, k, s, p, fill):
    n, h, wd, c = x.shape
    if not 0 <= p < k:
        raise RefError("pool: pad must be in [0, k)")
    oh, ow = out_size(h, k, s, p), out_size(wd, k, s, p)
    xp = np.full((n, h + 2 * p, wd + 2 * p, c), fill, dtype=I64)
    return xp, oh, ow


def avgpool(x, k, s, p, in_zp, out_zp, act_min, act_max):
    n, h, wd, c = x.shape
    xp, oh, ow = _pool_prep(x, k, s, p, 0)
    xp[:, p:p + h, p:p + wd, :] = x.astype(I64) - int(in_zp)
    ones = np.zeros((1, h + 2 * p, wd + 2 * p, 1), dtype=I64)
    ones[:, p:p + h, p:p + wd, :] = 1
    tot = _windows(xp, k, s, oh, ow).sum(axis=(4, 5))
    cnt = _windows(ones, k, s, oh, ow).sum(axis=(4, 5))   # [1,oh,ow,1]
    return _clamp8(int(out_zp) + rdiv(tot, cnt), act_min, act_max)


def maxpool(x, k, s, p, in_zp, out_zp, act_min, act_max):
    n, h, wd, c = x.shape
    xp, oh, ow = _pool_prep(x, k, s, p, -(1 << 40))
    xp[:, p:p + h, p:p + wd, :] = x.astype(I64)
    m = _windows(xp, k, s, oh, ow).max(axis=(4, 5))
    return _clamp8(m - int(in_zp) + int(out_zp), act_min, act_max)


def gap(x, in_zp, out_zp, act_min, act_max):
    n, h, wd, c = x.shape
    tot = (x.astype(I64) - int(in_zp)).sum(axis=(1, 2), keepdims=True)
    return _clamp8(int(out_zp) + rdiv(tot, h * wd), act_min, act_max)


def run_layers(layers, weights, epis, x, exact=False, keep=False):
    """Run a SubNet's layer list.

    layers: list of dicts as in the file's catalog (op, inputs, shapes,
    k, s, p, groups, in_zp, in2_zp, out_zp, act_min, act_max, add_*,
    weight, rows, row_bytes, epilogue); weights: name -> int8
    [rows_max, row_stride] SuperNet tensor; epis: name -> int32 [out_c, 3];
    x: int8 [N,H,W,C].  Returns the last layer's output, or the list of
    every layer's output when keep is True."""
    outs = []
    for L in layers:
        srcs = [x if i < 0 else outs[i] for i in L["inputs"]]
        a = srcs[0]
        if a.shape[1:] != (L["in_h"], L["in_w"], L["in_c"]):
            raise RefError("%s: input shape %s, expected %s" % (
                L["name"], a.shape[1:], (L["in_h"], L["in_w"], L["in_c"])))
        op = L["op"]
        cl = (L["out_zp"], L["act_min"], L["act_max"])
        if op in ("conv", "fc"):
            wt = weights[L["weight"]]
            w = wt[:L["rows"], :L["row_bytes"]]
            e = epis[L["epilogue"]]
            if op == "conv":
                y = conv(a, w, e, L["in_zp"], *cl, L["k"], L["s"], L["p"],
                         L["groups"], exact)
            else:
                y = fc(a, w, e, L["in_zp"], *cl, exact)
        elif op == "add":
            y = add(a, srcs[1], L["in_zp"], L["in2_zp"], L["add_mult_a"],
                    L["add_mult_b"], L["add_shift"], *cl)
        elif op == "avgpool":
            y = avgpool(a, L["k"], L["s"], L["p"], L["in_zp"], *cl)
        elif op == "maxpool":
            y = maxpool(a, L["k"], L["s"], L["p"], L["in_zp"], *cl)
        elif op == "gap":
            y = gap(a, L["in_zp"], *cl)
        else:
            raise RefError("%s: unknown op %r" % (L["name"], op))
        if y.shape[1:] != (L["out_h"], L["out_w"], L["out_c"]):
            raise RefError("%s: output shape %s, expected %s" % (
                L["name"], y.shape[1:], (L["out_h"], L["out_w"], L["out_c"])))
        outs.append(y)
    return outs if keep else outs[-1]


def images_to_input(u8):
    """uint8 images [N,28,28] -> int8 input [N,28,28,1] (pixel - 128:
    scale 1/255, zero point -128)."""
    return (u8.astype(np.int16) - 128).astype(np.int8)[..., None]


def predict(layers, weights, epis, images_u8, batch=500):
    """Top-1 class per image (argmax of the int8 logits; ties -> lowest
    index), as an int64 array."""
    out = []
    for i in range(0, len(images_u8), batch):
        y = run_layers(layers, weights, epis,
                       images_to_input(images_u8[i:i + batch]))
        out.append(y.reshape(y.shape[0], -1).argmax(1))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def accuracy(layers, weights, epis, images_u8, labels, batch=500):
    """Top-1 accuracy (argmax of the int8 logits; ties -> lowest index)."""
    return float((predict(layers, weights, epis, images_u8, batch)
                  == labels).mean())
