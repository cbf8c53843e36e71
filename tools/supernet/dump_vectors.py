#!/usr/bin/python3
"""dump_vectors.py - bit-exact test vectors of one SubNet from int8ref.

Owns: writing, for a SubNet of a SuperNet file and the first N images of
an IDX image file, the int8 input tensor and every layer's int8 output, as
computed by int8ref.py, for the C model library's bit-exactness test.

Usage: /usr/bin/python3 dump_vectors.py SUPERNET_FILE SUBNET_ID OUT_DIR
           [-n N] [--images IDX] [--labels IDX] [--random-input SEED]
           [--npz FILE]

--npz takes the network's int8 inputs as they are ("input": int8
[N, H, W, C], "labels": [N]; import_ofa.py --write-sample writes it), for
files whose input is not Fashion-MNIST's pixel - 128; -n 0 means all.

Output directory (all raw, no headers):
  input.bin      N * H * W * C int8, NHWC, image after image
  layerNNN.bin   N * out_h * out_w * out_c int8 for layer NNN (0-based
                 index in the SubNet's layer list), image after image
  labels.bin     N uint8 labels (when --labels is given / default sample)
  manifest.json  {"file", "subnet", "n", "input": {...}, "layers": [{index,
                 name, op, out_h, out_w, out_c, file, bytes}], "argmax": [..]}
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fmnist        # noqa: E402
import int8ref as R  # noqa: E402
import sfile         # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("supernet")
    ap.add_argument("subnet", help="catalog id, e.g. sn00")
    ap.add_argument("out_dir")
    ap.add_argument("-n", type=int, default=4)
    ap.add_argument("--images", default=os.path.join(
        HERE, "data", "fmnist-test-1000-images.idx"))
    ap.add_argument("--labels", default=os.path.join(
        HERE, "data", "fmnist-test-1000-labels.idx"))
    ap.add_argument("--random-input", type=int, metavar="SEED",
                    help="seeded random int8 input instead of images "
                         "(for files whose input is not 28x28x1)")
    ap.add_argument("--npz", help="int8 inputs and labels (.npz: input, "
                                  "labels)")
    args = ap.parse_args()
    try:
        sf = sfile.read(args.supernet)
        c = sf.subnet(args.subnet)
    except (OSError, ValueError, KeyError) as e:
        print("dump_vectors: %s" % e, file=sys.stderr)
        return 2
    inp = sf.arch["input"]
    labels = None
    if args.npz:
        try:
            z = np.load(args.npz)
            x = z["input"]
            labels = z["labels"] if "labels" in z else None
        except (OSError, ValueError, KeyError) as e:
            print("dump_vectors: %s: %s" % (args.npz, e), file=sys.stderr)
            return 2
        if args.n == 0:
            args.n = x.shape[0]
        if x.dtype != np.int8 or x.shape[1:] != (inp["h"], inp["w"],
                                                 inp["c"]) or \
                x.shape[0] < args.n:
            print("dump_vectors: %s: input is not int8 [>=%d, %d, %d, %d]"
                  % (args.npz, args.n, inp["h"], inp["w"], inp["c"]),
                  file=sys.stderr)
            return 2
        x = x[:args.n]
        if labels is not None:
            labels = labels[:args.n]
    elif args.random_input is not None:
        x = np.random.default_rng(args.random_input).integers(
            -128, 128, size=(args.n, inp["h"], inp["w"], inp["c"]),
            dtype=np.int8)
    else:
        try:
            imgs = fmnist.read_idx(args.images)
            if args.labels:
                labels = fmnist.read_idx(args.labels)[:args.n]
        except (OSError, ValueError) as e:
            print("dump_vectors: %s" % e, file=sys.stderr)
            return 2
        if imgs.ndim != 3 or imgs.shape[1:] != (inp["h"], inp["w"]) or \
                inp["c"] != 1 or imgs.shape[0] < args.n:
            print("dump_vectors: images do not fit the input %dx%dx%d or "
                  "fewer than %d" % (inp["h"], inp["w"], inp["c"], args.n),
                  file=sys.stderr)
            return 2
        x = R.images_to_input(imgs[:args.n])
    outs = R.run_layers(c["layers"], sf.weights, sf.epis, x, keep=True)
    os.makedirs(args.out_dir, exist_ok=True)
    x.tofile(os.path.join(args.out_dir, "input.bin"))
    man = {"file": os.path.basename(args.supernet),
           "file_sha256": hashlib.sha256(
               open(args.supernet, "rb").read()).hexdigest(),
           "subnet": c["id"], "n": args.n,
           "input": {"file": "input.bin", "h": inp["h"], "w": inp["w"],
                     "c": inp["c"], "bytes": int(x.size)},
           "layers": []}
    for i, (L, y) in enumerate(zip(c["layers"], outs)):
        fn = "layer%03d.bin" % i
        y.tofile(os.path.join(args.out_dir, fn))
        man["layers"].append({"index": i, "name": L["name"], "op": L["op"],
                              "out_h": L["out_h"], "out_w": L["out_w"],
                              "out_c": L["out_c"], "file": fn,
                              "bytes": int(y.size)})
    man["argmax"] = outs[-1].reshape(args.n, -1).argmax(1).tolist()
    if labels is not None:
        labels.astype(np.uint8).tofile(os.path.join(args.out_dir,
                                                    "labels.bin"))
        man["labels"] = labels.tolist()
    with open(os.path.join(args.out_dir, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)
    print("%s: %s, %d images, %d layers" % (args.out_dir, c["id"], args.n,
                                            len(outs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
