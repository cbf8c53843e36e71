"""fmnist.py - Fashion-MNIST IDX reader/writer (plain or .gz), numpy only.

Owns: reading the four IDX files of a Fashion-MNIST data directory, the
train/validation split used by the SuperNet tools, and writing IDX files
(the shipped 1,000-image test sample).  Users get the IDX files from
Zalando Research's Fashion-MNIST release (train-images-idx3-ubyte.gz,
train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
t10k-labels-idx1-ubyte.gz) and pass the directory holding them.
"""
import gzip
import hashlib
import os
import struct

import numpy as np

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
N_VAL = 5000  # last 5,000 training images: validation (SubNet selection)


class IdxError(ValueError):
    """A malformed or missing IDX file."""


def _open(path):
    if os.path.exists(path):
        pass
    elif os.path.exists(path + ".gz"):
        path = path + ".gz"
    else:
        raise IdxError("%s: no such file (nor %s.gz)" % (path, path))
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise IdxError("%s: bad gzip data: %s" % (path, e))
    return path, raw


def read_idx(path):
    """Read an IDX file (uint8 data, 1 or 3 dimensions) into a numpy array."""
    path, raw = _open(path)
    if len(raw) < 8:
        raise IdxError("%s: truncated header" % path)
    magic, count = struct.unpack(">II", raw[:8])
    if magic == LABELS_MAGIC:
        shape, off = (count,), 8
    elif magic == IMAGES_MAGIC:
        if len(raw) < 16:
            raise IdxError("%s: truncated header" % path)
        rows, cols = struct.unpack(">II", raw[8:16])
        shape, off = (count, rows, cols), 16
    else:
        raise IdxError("%s: bad magic 0x%08x" % (path, magic))
    n = int(np.prod(shape))
    if len(raw) != off + n:
        raise IdxError("%s: expected %d data bytes, found %d"
                       % (path, n, len(raw) - off))
    return np.frombuffer(raw, dtype=np.uint8, offset=off).reshape(shape).copy()


def write_idx(path, arr):
    """Write a uint8 array of 1 (labels) or 3 (images) dimensions as IDX."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    if arr.ndim == 1:
        hdr = struct.pack(">II", LABELS_MAGIC, arr.shape[0])
    elif arr.ndim == 3:
        hdr = struct.pack(">IIII", IMAGES_MAGIC, *arr.shape)
    else:
        raise ValueError("IDX writer: 1 or 3 dimensions expected")
    with open(path, "wb") as f:
        f.write(hdr + arr.tobytes())


def load(data_dir, split):
    """Return (images uint8 [N,28,28], labels uint8 [N]) for a split.

    split: 'train' (first 55,000 training images), 'val' (last 5,000
    training images), 'trainval' (all 60,000) or 'test' (10,000).
    """
    if split == "test":
        pre = "t10k"
    elif split in ("train", "val", "trainval"):
        pre = "train"
    else:
        raise ValueError("unknown split %r" % split)
    x = read_idx(os.path.join(data_dir, pre + "-images-idx3-ubyte"))
    y = read_idx(os.path.join(data_dir, pre + "-labels-idx1-ubyte"))
    if x.ndim != 3 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise IdxError("%s: images and labels disagree" % data_dir)
    if x.shape[1:] != (28, 28):
        raise IdxError("%s: images are not 28x28" % data_dir)
    if y.size and y.max() > 9:
        raise IdxError("%s: label out of range 0..9" % data_dir)
    if split == "train":
        x, y = x[:-N_VAL], y[:-N_VAL]
    elif split == "val":
        x, y = x[-N_VAL:], y[-N_VAL:]
    return x, y


def split_hash(x, y):
    """SHA-256 (hex) of a split: its images' bytes (C order), then its
    labels' bytes; names exactly which images an accuracy was measured on."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(x, dtype=np.uint8).tobytes())
    h.update(np.ascontiguousarray(y, dtype=np.uint8).tobytes())
    return h.hexdigest()
