"""safetensors_io.py - minimal safetensors reader/writer on numpy.

Owns: the container format (8-byte little-endian header length, JSON
header, raw little-endian tensor data) with strict checks on read.  No
dependency on the safetensors package.  Tensors are written in the order
given, each aligned to ALIGN bytes inside the data section; the header is
padded with spaces to a multiple of 8 bytes.
"""
import json
import struct

import numpy as np

DTYPES = {"I8": np.int8, "U8": np.uint8, "I16": np.int16, "I32": np.int32,
          "I64": np.int64, "F32": np.float32, "F64": np.float64}
ALIGN = 64


class FormatError(ValueError):
    """A malformed safetensors file."""


def _code(dt):
    for k, v in DTYPES.items():
        if np.dtype(v) == dt:
            return k
    raise ValueError("unsupported dtype %s" % dt)


def dumps(tensors, metadata=None):
    """tensors: list of (name, numpy array) or dict; metadata: {str: str}.
    Returns the file's bytes."""
    items = list(tensors.items()) if isinstance(tensors, dict) else tensors
    header, blobs, off = {}, [], 0
    if metadata is not None:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise ValueError("metadata keys and values must be strings")
        header["__metadata__"] = dict(metadata)
    for name, arr in items:
        if name in header:
            raise ValueError("duplicate tensor %s" % name)
        arr = np.asarray(arr)
        code = _code(arr.dtype)
        data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"),
                                                copy=False).tobytes()
        pad = (-off) % ALIGN
        if pad:
            blobs.append(b"\0" * pad)
            off += pad
        header[name] = {"dtype": code, "shape": list(arr.shape),
                        "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    hj = json.dumps(header, separators=(",", ":"), sort_keys=False).encode()
    hj += b" " * ((-len(hj)) % 8)
    return struct.pack("<Q", len(hj)) + hj + b"".join(blobs)


def save(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(dumps(tensors, metadata))


def loads(raw):
    """Parse bytes -> (dict name -> numpy array, metadata dict, header dict).
    Raises FormatError naming the problem."""
    if len(raw) < 8:
        raise FormatError("truncated: no 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        raise FormatError("header length %d past end of file" % n)
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError("bad JSON header: %s" % e)
    if not isinstance(header, dict):
        raise FormatError("header is not a JSON object")
    meta = header.get("__metadata__", {})
    if not isinstance(meta, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        raise FormatError("__metadata__ must map strings to strings")
    data = memoryview(raw)[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        try:
            dt = np.dtype(DTYPES[t["dtype"]]).newbyteorder("<")
            shape = [int(s) for s in t["shape"]]
            b, e = (int(v) for v in t["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise FormatError("tensor %s: bad dtype/shape/data_offsets" % name)
        cnt = int(np.prod(shape)) if shape else 1
        if not 0 <= b <= e <= len(data) or e - b != cnt * dt.itemsize:
            raise FormatError("tensor %s: data_offsets [%d, %d) disagree with "
                              "shape or data size %d" % (name, b, e, len(data)))
        out[name] = np.frombuffer(data[b:e], dtype=dt).reshape(shape)
    return out, meta, header


def load(path):
    with open(path, "rb") as f:
        return loads(f.read())
