"""sfile.py - build and read SUSHI SuperNet files (format version 1).

Owns: the mapping between in-memory SuperNet data (shared int8 weights, the
SubNet catalog with per-SubNet layer lists and epilogues) and the
safetensors file specified in Documentation/supernet/format.rst, plus the
semantic checks a reader applies (the same invariants the C loader checks).
"""
import json
import struct

import numpy as np

import arch as A
import safetensors_io as st

FORMAT = "sushi-supernet"
VERSION = "1"
LAYER_KEYS = ["name", "op", "inputs", "in_c", "in_h", "in_w", "out_c",
              "out_h", "out_w", "k", "s", "p", "groups", "in_zp", "in2_zp",
              "out_zp", "act_min", "act_max", "add_mult_a", "add_mult_b",
              "add_shift", "weight", "rows", "row_bytes", "row_stride",
              "epilogue", "out_scale"]
OPS = ("conv", "fc", "add", "avgpool", "maxpool", "gap")
ACC_TAP_MAX = 255 * 127         # largest |x - zp| * |w| of a file
PRODUCT_LIMIT = 1 << 62         # |(acc + bias) * mult| stays below this


def supernet_layers(max_layers):
    """Structure of the SuperNet (its max architecture's layer list, as
    arch.layer_list returns it) without quantization parameters."""
    out = []
    for L in max_layers:
        R = {k: L[k] for k in ("name", "op", "inputs", "in_c", "in_h", "in_w",
                               "out_c", "out_h", "out_w", "k", "s", "p",
                               "groups")}
        R["weight"] = "w." + L["weight"] if "weight" in L else None
        out.append(R)
    return out


def build(space, weights, wscales, catalog, epis, extra_arch=None,
          extra_meta=None, max_layers=None):
    """weights: {layer weight name: int8 [rows_max, row_stride]};
    wscales: same keys, float32 [rows_max]; catalog: list of SubNet dicts
    (id, arch, arch_name, macs, weight_bytes, accuracy, acc_int8,
    acc_float, layers); epis: {tensor name: int32 [K,3]}.  Returns bytes."""
    if max_layers is None:
        max_layers = A.layer_list(space, A.max_arch(space))
    wl = []
    for L in max_layers:
        if "weight" not in L:
            continue
        wl.append({"tensor": "w." + L["weight"], "layer": L["name"],
                   "op": L["op"], "rows_max": L["rows_max"],
                   "row_stride": L["row_stride"], "k": L["k"],
                   "in_c_max": L["row_stride"] // (L["k"] ** 2) * L["groups"],
                   "groups": L["groups"],
                   "scale_tensor": "wscale." + L["weight"]})
    archd = {"name": space["name"], "space": space,
             "input": {"h": space["input"][0], "w": space["input"][1],
                       "c": space["input"][2], "layout": "NHWC",
                       "dtype": "int8", "scale": 1.0 / 255.0, "zp": -128},
             "n_classes": space["n_classes"],
             "weights": wl, "layers": supernet_layers(max_layers)}
    if extra_arch:
        archd.update(extra_arch)
    cat = []
    for c in catalog:
        c = dict(c)
        c["layers"] = [{k: L[k] for k in LAYER_KEYS} for L in c["layers"]]
        cat.append(c)
    meta = {"format": FORMAT, "format_version": VERSION,
            "architecture": json.dumps(archd, separators=(",", ":")),
            "catalog": json.dumps(cat, separators=(",", ":"))}
    if extra_meta:
        meta.update(extra_meta)
    tensors = []
    for w in wl:
        name = w["tensor"][2:]
        tensors.append((w["tensor"], np.asarray(weights[name], np.int8)))
    for w in wl:
        name = w["tensor"][2:]
        tensors.append((w["scale_tensor"], np.asarray(wscales[name], np.float32)))
    for c in cat:
        for L in c["layers"]:
            if L["epilogue"]:
                tensors.append((L["epilogue"],
                                np.asarray(epis[L["epilogue"]], np.int32)))
    return st.dumps(tensors, meta)


class SuperNetFile:
    """A parsed SuperNet file: .arch, .catalog (list), .tensors (name ->
    numpy), .weights (name -> int8 2-D), .epis (name -> int32 [K,3])."""

    def __init__(self, raw):
        self.tensors, self.meta, self.header = st.loads(raw)
        self.header_len = struct.unpack("<Q", raw[:8])[0]
        m = self.meta
        if m.get("format") != FORMAT:
            raise st.FormatError("__metadata__.format must be %r" % FORMAT)
        if m.get("format_version") != VERSION:
            raise st.FormatError("__metadata__.format_version must be %r"
                                 % VERSION)
        try:
            self.arch = json.loads(m["architecture"])
            self.catalog = json.loads(m["catalog"])
        except KeyError as e:
            raise st.FormatError("__metadata__.%s missing" % e.args[0])
        except ValueError as e:
            raise st.FormatError("__metadata__: bad JSON: %s" % e)
        self.weights = {w["tensor"]: self.tensors[w["tensor"]]
                        for w in self.arch["weights"]}
        self.epis = {k: v for k, v in self.tensors.items()
                     if k.startswith("epi.")}
        self.check()

    def subnet(self, sid):
        for c in self.catalog:
            if c["id"] == sid:
                return c
        raise KeyError("no SubNet %r in the catalog" % sid)

    def tensor_offset(self, tensor):
        """Byte offset of a tensor's data from the start of the file."""
        return 8 + self.header_len + self.header[tensor]["data_offsets"][0]

    def check(self):
        """Semantic invariants (see format.rst, 'Invariants')."""
        wt = {}
        for w in self.arch["weights"]:
            t = self.tensors.get(w["tensor"])
            if t is None or t.dtype != np.int8 or t.shape != (
                    w["rows_max"], w["row_stride"]):
                raise st.FormatError("weight %s: missing or shape/dtype "
                                     "mismatch" % w["tensor"])
            if w["in_c_max"] % w["groups"] or w["rows_max"] % w["groups"]:
                raise st.FormatError("weight %s: groups must divide in_c_max "
                                     "and rows_max" % w["tensor"])
            if w["row_stride"] != w["in_c_max"] // w["groups"] * w["k"] ** 2:
                raise st.FormatError("weight %s: row_stride" % w["tensor"])
            if int(np.abs(t.astype(np.int16)).max(initial=0)) > 127:
                raise st.FormatError("weight %s: value -128" % w["tensor"])
            wt[w["tensor"]] = w
        ids = set()
        prev = None
        for c in self.catalog:
            sid = c["id"]
            if sid in ids:
                raise st.FormatError("catalog: duplicate id %s" % sid)
            ids.add(sid)
            for i, L in enumerate(c["layers"]):
                self._check_layer(c, i, L, wt)
            last = c["layers"][-1]
            if (last["out_h"], last["out_w"], last["out_c"]) != (
                    1, 1, self.arch["n_classes"]):
                raise st.FormatError("catalog[%s]: output is not 1x1x%d"
                                     % (sid, self.arch["n_classes"]))
            if c["macs"] != sum(A.layer_macs(L) for L in c["layers"]):
                raise st.FormatError("catalog[%s]: macs disagree with the "
                                     "layers" % sid)
            if c["weight_bytes"] != sum(L["rows"] * L["row_bytes"]
                                        for L in c["layers"]
                                        if L["op"] in ("conv", "fc")):
                raise st.FormatError("catalog[%s]: weight_bytes disagree "
                                     "with the layers" % sid)
            if prev is not None and not c["macs"] > prev["macs"]:
                raise st.FormatError("catalog[%s]: not sorted by MACs "
                                     "strictly ascending" % sid)
            prev = c

    def _check_layer(self, c, i, L, wt):
        """Invariants 5, 6 and 8 for layer i of catalog entry c."""
        inp = self.arch["input"]
        where = "catalog[%s].layers[%d] (%s)" % (c["id"], i, L.get("name"))
        for k in LAYER_KEYS:
            if k not in L:
                raise st.FormatError("%s: missing %s" % (where, k))
        if L["op"] not in OPS:
            raise st.FormatError("%s: bad op" % where)
        if len(L["inputs"]) != (2 if L["op"] == "add" else 1):
            raise st.FormatError("%s: number of inputs" % where)
        for n, j in enumerate(L["inputs"]):
            if not -1 <= j < i:
                raise st.FormatError("%s: input %d" % (where, j))
            P = c["layers"][j] if j >= 0 else None
            src = (inp["h"], inp["w"], inp["c"]) if j < 0 else (
                P["out_h"], P["out_w"], P["out_c"])
            if src != (L["in_h"], L["in_w"], L["in_c"]) and not (
                    L["op"] == "fc" and src[0] * src[1] * src[2] == L["in_c"]):
                raise st.FormatError("%s: input %d shape" % (where, n))
            zk = ("in_zp", "in2_zp")[n]
            if L[zk] != (inp["zp"] if j < 0 else P["out_zp"]):
                raise st.FormatError("%s: %s is not its producer's out_zp"
                                     % (where, zk))
        if L["op"] in ("conv", "avgpool", "maxpool"):
            for n, o in (("in_h", "out_h"), ("in_w", "out_w")):
                if L[o] != (L[n] + 2 * L["p"] - L["k"]) // L["s"] + 1:
                    raise st.FormatError("%s: %s" % (where, o))
            if not 0 <= L["p"] < L["k"]:
                raise st.FormatError("%s: pad" % where)
        if L["op"] in ("avgpool", "maxpool", "gap") and (
                L["out_zp"] != L["in_zp"]):
            raise st.FormatError("%s: pooling must keep the zero point"
                                 % where)
        for k in ("in_zp", "in2_zp", "out_zp"):
            if not -128 <= L[k] <= 127:
                raise st.FormatError("%s: %s" % (where, k))
        if not -128 <= L["act_min"] <= L["act_max"] <= 127:
            raise st.FormatError("%s: act_min/act_max" % where)
        if not 0 <= L["add_shift"] <= 62:
            raise st.FormatError("%s: add_shift" % where)
        for k in ("add_mult_a", "add_mult_b"):
            if not -(1 << 31) <= L[k] < (1 << 31):
                raise st.FormatError("%s: %s not int32" % (where, k))
        if L["op"] not in ("conv", "fc"):
            return
        w = wt.get(L["weight"])
        if w is None:
            raise st.FormatError("%s: weight" % where)
        g, wg = L["groups"], w["groups"]
        if wg == 1 and g != 1:
            raise st.FormatError("%s: groups %d on dense weights"
                                 % (where, g))
        if wg > 1 and (L["in_c"] != g * (w["in_c_max"] // wg)
                       or L["out_c"] != g * (w["rows_max"] // wg)):
            raise st.FormatError("%s: groups: not whole groups of %s"
                                 % (where, L["weight"]))
        if (L["rows"] != L["out_c"] or L["rows"] > w["rows_max"]
                or L["row_stride"] != w["row_stride"]
                or L["row_bytes"] != L["in_c"] // g * L["k"] ** 2
                or L["row_bytes"] > L["row_stride"]
                or L["k"] != w["k"]):
            raise st.FormatError("%s: weight slice" % where)
        e = self.epis.get(L["epilogue"])
        if e is None or e.dtype != np.int32 or e.shape != (L["out_c"], 3):
            raise st.FormatError("%s: epilogue" % where)
        if e[:, 2].min(initial=0) < 0 or e[:, 2].max(initial=0) > 62:
            raise st.FormatError("%s: epilogue shift" % where)
        if not product_bound_ok(e, L["row_bytes"]):
            raise st.FormatError("%s: epilogue: (acc + bias) * mult can "
                                 "reach 2^62" % where)


def product_bound_ok(epi, row_bytes):
    """(row_bytes * 255 * 127 + |bias|) * |mult| < 2^62 for every row of
    an int32 [K, 3] epilogue (exact Python integers)."""
    amax = int(row_bytes) * ACC_TAP_MAX
    return all((amax + abs(int(b))) * abs(int(m)) < PRODUCT_LIMIT
               for b, m in zip(epi[:, 0].tolist(), epi[:, 1].tolist()))


def read(path):
    with open(path, "rb") as f:
        return SuperNetFile(f.read())
