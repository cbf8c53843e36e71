#!/usr/bin/python3
"""gen_golden.py - golden vectors for the SushiAccel int8 ops, computed by an
independent numpy implementation of the arithmetic in
Documentation/hardware/model.rst (vectorized over whole tensors, not a
translation of the C loops).  Writes golden.txt, which the C test
test_golden.c replays through the model library and compares byte for byte.

Usage: /usr/bin/python3 gen_golden.py [OUTPUT]   (default: golden.txt here)
Deterministic: a fixed seed; re-running gives the same file.
"""
import sys
import numpy as np

OPS = {"conv": 1, "fc": 2, "add": 3, "avgpool": 4, "maxpool": 5, "gap": 6}
FIELDS = ["op", "flags", "in_c", "in_h", "in_w", "out_c", "out_h", "out_w",
          "kernel", "stride", "pad", "groups", "in_zp", "in2_zp", "out_zp",
          "act_min", "act_max", "add_shift", "add_mult_a", "add_mult_b",
          "w_stride"]


def rdiv(n, d):
    """n / d rounded to nearest, ties away from zero (d > 0), elementwise."""
    n = np.asarray(n, dtype=np.int64)
    d = np.asarray(d, dtype=np.int64)
    q = (2 * np.abs(n) + d) // (2 * d)
    return np.where(n < 0, -q, q)


def rshift(x, s):
    """x / 2^s rounded to nearest, ties away from zero; s may be an array."""
    x = np.asarray(x, dtype=np.int64)
    s = np.asarray(s, dtype=np.int64)
    m = np.abs(x)
    half = np.where(s > 0, np.left_shift(np.int64(1), np.maximum(s - 1, 0)), 0)
    q = np.right_shift(m + half, s)
    return np.where(x < 0, -q, q)


def out_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def conv(L, x, w, bias, mult, shift):
    """x: (H, W, C) int8; w: (K, C/g, k, k) int8."""
    k, s, p, g = L["kernel"], L["stride"], L["pad"], L["groups"]
    H, W, C = x.shape
    K = w.shape[0]
    oh, ow = out_size(H, k, s, p), out_size(W, k, s, p)
    # padding holds the zero point, so padded taps contribute exactly 0
    xp = np.full((H + 2 * p, W + 2 * p, C), L["in_zp"], dtype=np.int64)
    xp[p:p + H, p:p + W, :] = x
    xp -= L["in_zp"]
    cg, kg = C // g, K // g
    acc = np.zeros((oh, ow, K), dtype=np.int64)
    for ky in range(k):
        for kx in range(k):
            win = xp[ky:ky + s * (oh - 1) + 1:s, kx:kx + s * (ow - 1) + 1:s, :]
            for gi in range(g):
                xs = win[:, :, gi * cg:(gi + 1) * cg]
                ws = w[gi * kg:(gi + 1) * kg, :, ky, kx].astype(np.int64)
                acc[:, :, gi * kg:(gi + 1) * kg] += np.einsum("hwc,kc->hwk", xs, ws)
    v = rshift((acc + bias) * mult, shift) + L["out_zp"]
    return np.clip(v, L["act_min"], L["act_max"]).astype(np.int8)


def pool(L, x, kind):
    H, W, C = x.shape
    if kind == "gap":
        k, s, p = None, 1, 0
        kh, kw, oh, ow = H, W, 1, 1
    else:
        k, s, p = L["kernel"], L["stride"], L["pad"]
        kh = kw = k
        oh, ow = out_size(H, k, s, p), out_size(W, k, s, p)
    xv = np.zeros((H + 2 * p, W + 2 * p, C), dtype=np.int64)
    xv[p:p + H, p:p + W] = x.astype(np.int64) - L["in_zp"]
    inside = np.zeros((H + 2 * p, W + 2 * p, 1), dtype=np.int64)
    inside[p:p + H, p:p + W] = 1
    sums = np.zeros((oh, ow, C), dtype=np.int64)
    cnt = np.zeros((oh, ow, 1), dtype=np.int64)
    best = np.full((oh, ow, C), -10**9, dtype=np.int64)
    for ky in range(kh):
        for kx in range(kw):
            sl = (slice(ky, ky + s * (oh - 1) + 1, s), slice(kx, kx + s * (ow - 1) + 1, s))
            m = inside[sl]
            sums += xv[sl] * m
            cnt += m
            best = np.maximum(best, np.where(m == 1, xv[sl], -10**9))
    if kind == "maxpool":
        v = best + L["out_zp"]
    else:
        v = rdiv(sums, cnt) + L["out_zp"]
    return np.clip(v, L["act_min"], L["act_max"]).astype(np.int8)


def add(L, a, b):
    v = (a.astype(np.int64) - L["in_zp"]) * L["add_mult_a"] + \
        (b.astype(np.int64) - L["in2_zp"]) * L["add_mult_b"]
    v = rshift(v, L["add_shift"]) + L["out_zp"]
    return np.clip(v, L["act_min"], L["act_max"]).astype(np.int8)


def base(op, c, h, w, oc, oh, ow, **kw):
    L = {f: 0 for f in FIELDS}
    L.update(op=OPS[op], in_c=c, in_h=h, in_w=w, out_c=oc, out_h=oh, out_w=ow,
             groups=1, stride=1, act_min=-128, act_max=127)
    L.update(kw)
    return L


def rand_zp(rng):
    return int(rng.integers(-128, 128))


def rand_clamp(rng, zp):
    if rng.random() < 0.4:
        return zp, 127                      # ReLU
    lo = int(rng.integers(-128, 0))
    return lo, int(rng.integers(lo, 128))


def rand_epi(rng, K, big=False):
    bias = rng.integers(-2**20, 2**20, K, dtype=np.int64)
    mult = rng.integers(2**30, 2**31, K, dtype=np.int64)
    mult *= np.where(rng.random(K) < 0.2, -1, 1)
    shift = rng.integers(36, 46, K, dtype=np.int64)
    if big:      # extremes: zero shift, the largest shift, int32 limits
        bias[0], mult[0], shift[0] = 2**31 - 1, 1, 0
        if K > 1:
            bias[1], mult[1], shift[1] = -2**31, -2**31, 62
        if K > 2:
            mult[2], shift[2] = 0, 5
    return bias, mult, shift


def conv_case(rng, name, c, h, w, oc, k, s, p, g, extra_stride=0, big=False):
    oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
    zp = rand_zp(rng)
    ozp = rand_zp(rng)
    lo, hi = rand_clamp(rng, ozp)
    op = "fc" if name.startswith("fc") else "conv"
    row = (c // g) * k * k
    L = base(op, c, h, w, oc, oh, ow, kernel=k, stride=s, pad=p, groups=g,
             in_zp=zp, out_zp=ozp, act_min=lo, act_max=hi,
             w_stride=row + extra_stride)
    x = rng.integers(-128, 128, (h, w, c), dtype=np.int64).astype(np.int8)
    wt = rng.integers(-127, 128, (oc, c // g, k, k), dtype=np.int64).astype(np.int8)
    bias, mult, shift = rand_epi(rng, oc, big)
    y = conv(L, x, wt, bias[None, None, :], mult[None, None, :], shift[None, None, :])
    rows = np.zeros((oc, row + extra_stride), dtype=np.int8)
    rows[:, :row] = wt.reshape(oc, row)
    rows[:, row:] = rng.integers(-128, 128, (oc, extra_stride)).astype(np.int8)
    epi = np.stack([bias, mult, shift], axis=1).astype("<i4")
    return name, L, x, None, rows, epi, y


def pool_case(rng, name, kind, c, h, w, k=0, s=1, p=0):
    if kind == "gap":
        oh = ow = 1
    else:
        oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
    zp, ozp = rand_zp(rng), rand_zp(rng)
    lo, hi = rand_clamp(rng, ozp)
    L = base(kind, c, h, w, c, oh, ow, kernel=k, stride=s, pad=p, in_zp=zp,
             out_zp=ozp, act_min=lo, act_max=hi)
    x = rng.integers(-128, 128, (h, w, c), dtype=np.int64).astype(np.int8)
    return name, L, x, None, None, None, pool(L, x, kind)


def add_case(rng, name, c, h, w, shift=None):
    zp, zp2, ozp = rand_zp(rng), rand_zp(rng), rand_zp(rng)
    lo, hi = rand_clamp(rng, ozp)
    sh = int(rng.integers(28, 34)) if shift is None else shift
    ma = int(rng.integers(-2**31, 2**31))
    mb = int(rng.integers(-2**31, 2**31))
    L = base("add", c, h, w, c, h, w, in_zp=zp, in2_zp=zp2, out_zp=ozp,
             act_min=lo, act_max=hi, add_shift=sh, add_mult_a=ma & 0xffffffff,
             add_mult_b=mb & 0xffffffff)
    a = rng.integers(-128, 128, (h, w, c), dtype=np.int64).astype(np.int8)
    b = rng.integers(-128, 128, (h, w, c), dtype=np.int64).astype(np.int8)
    L2 = dict(L, add_mult_a=ma, add_mult_b=mb)
    return name, L, a, b, None, None, add(L2, a, b)


def cases():
    rng = np.random.default_rng(20261127)
    yield conv_case(rng, "conv3x3_s1_p1", 16, 9, 7, 20, 3, 1, 1, 1)
    yield conv_case(rng, "conv3x3_s2_p1_odd", 13, 11, 10, 7, 3, 2, 1, 1)
    yield conv_case(rng, "conv3x3_s1_p0", 5, 6, 6, 3, 3, 1, 0, 1)
    yield conv_case(rng, "conv1x1_s1", 37, 5, 4, 19, 1, 1, 0, 1)
    yield conv_case(rng, "conv1x1_s2_stride_rows", 24, 7, 7, 10, 1, 2, 0, 1, extra_stride=9)
    yield conv_case(rng, "conv5x5_s1_p2", 6, 8, 9, 5, 5, 1, 2, 1)
    yield conv_case(rng, "conv5x5_s2_p1", 3, 9, 9, 4, 5, 2, 1, 1)
    yield conv_case(rng, "conv7x7_s2_p3_stem", 3, 15, 13, 8, 7, 2, 3, 1)
    yield conv_case(rng, "conv7x7_s1_p6", 2, 4, 5, 3, 7, 1, 6, 1)
    yield conv_case(rng, "conv3x3_groups4", 16, 6, 5, 8, 3, 1, 1, 4)
    yield conv_case(rng, "dw3x3_s1", 21, 7, 6, 21, 3, 1, 1, 21)
    yield conv_case(rng, "dw3x3_s2", 33, 9, 8, 33, 3, 2, 1, 33)
    yield conv_case(rng, "dw5x5_mult2", 6, 7, 7, 12, 5, 1, 2, 6)
    yield conv_case(rng, "conv3x3_extremes", 64, 3, 3, 3, 3, 1, 1, 1, big=True)
    yield conv_case(rng, "conv1x1_1x1_single", 1, 1, 1, 1, 1, 1, 0, 1)
    yield conv_case(rng, "fc_100_17", 100, 1, 1, 17, 1, 1, 0, 1)
    yield conv_case(rng, "fc_extremes", 70, 1, 1, 3, 1, 1, 0, 1, big=True)
    yield add_case(rng, "add_7x5x19", 19, 7, 5)
    yield add_case(rng, "add_shift0", 3, 2, 2, shift=0)
    yield add_case(rng, "add_shift62", 8, 2, 3, shift=62)
    yield pool_case(rng, "avgpool2x2_s2", "avgpool", 10, 8, 7, 2, 2, 0)
    yield pool_case(rng, "avgpool3x3_s1_p1", "avgpool", 5, 6, 5, 3, 1, 1)
    yield pool_case(rng, "avgpool3x3_s2_p2", "avgpool", 3, 7, 7, 3, 2, 2)
    yield pool_case(rng, "maxpool3x3_s2_p1", "maxpool", 9, 9, 8, 3, 2, 1)
    yield pool_case(rng, "maxpool2x2_s2", "maxpool", 4, 6, 6, 2, 2, 0)
    yield pool_case(rng, "gap_7x7x33", "gap", 33, 7, 7)
    yield pool_case(rng, "gap_1x9x5", "gap", 5, 1, 9)


def hexs(a):
    return "-" if a is None else np.ascontiguousarray(a).tobytes().hex()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "golden.txt"
    with open(out, "w") as f:
        f.write("# SushiAccel golden vectors, made by gen_golden.py (numpy); do not edit\n")
        n = 0
        for name, L, x, x2, w, epi, y in cases():
            f.write("case %s\n" % name)
            f.write("layer %s\n" % " ".join("%s=%d" % (k, L[k] & 0xffffffff if k != "w_stride" else L[k]) for k in FIELDS))
            f.write("in %s\nin2 %s\nw %s\nepi %s\nout %s\nend\n" % (
                hexs(x), hexs(x2), hexs(w), hexs(epi), hexs(y)))
            n += 1
    print("wrote %d cases to %s" % (n, out))


if __name__ == "__main__":
    main()
