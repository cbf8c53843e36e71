#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""qemu-cflags.py - the C compiler and code-generation flags QEMU's build
uses for the SushiAccel model library (meson target sushi_model), read from
$SUSHI_CACHE/qemu-build/compile_commands.json (never modified).  Used by
`make model-bench` to build the model library and its benchmark a second
time exactly as the device runs them.

Writes three lines to stdout:
  1. where the flags come from (a comment for the bench output)
  2. the compiler
  3. the flags (include paths, dependency output, -o/-c and the source
     dropped; warnings kept, as QEMU has no -Werror on these files)
Without a QEMU build directory (or without the model library in it) it
prints FALLBACK: the flags found in compile_commands.json of QEMU 10.0.2 as
built by qemu-device/build-qemu.sh (Debian 12, gcc 12), and says so.
"""
import json
import os
import shlex
import sys

FALLBACK_CC = "cc"
FALLBACK = ("-m64 -Wall -Winvalid-pch -std=gnu11 -O2 -g "
            "-Wempty-body -Wendif-labels -Wexpansion-to-defined -Wformat-security "
            "-Wformat-y2k -Wignored-qualifiers -Wimplicit-fallthrough=2 -Winit-self "
            "-Wmissing-format-attribute -Wmissing-prototypes -Wnested-externs "
            "-Wold-style-declaration -Wold-style-definition -Wredundant-decls "
            "-Wshadow=local -Wstrict-prototypes -Wtype-limits -Wundef -Wvla "
            "-Wwrite-strings -Wno-missing-include-dirs -Wno-psabi "
            "-Wno-shift-negative-value -mcx16 -msse2 -D_GNU_SOURCE "
            "-D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -fno-strict-aliasing "
            "-fno-common -fwrapv -ftrivial-auto-var-init=zero "
            "-fzero-call-used-regs=used-gpr -fPIE -Wno-maybe-uninitialized")

# options followed by a separate argument that we drop with it
DROP_ARG = {"-o", "-MQ", "-MF", "-MT", "-isystem", "-iquote", "-I", "-include"}
DROP_ONE = {"-c", "-MD", "-MMD", "-fdiagnostics-color=auto"}
DROP_PREFIX = ("-I", "-MQ", "-MF", "-MT")


def flags_of(cmd):
    words = shlex.split(cmd)
    cc, out, skip = words[0], [], False
    for w in words[1:]:
        if skip:
            skip = False
            continue
        if w in DROP_ARG:
            skip = True
            continue
        if w in DROP_ONE or w.startswith(DROP_PREFIX) or w.endswith(".c"):
            continue
        out.append(w)
    return cc, out


def main():
    cache = os.environ.get("SUSHI_CACHE") or os.path.expanduser("~/.cache/sushi")
    db = os.path.join(cache, "qemu-build", "compile_commands.json")
    try:
        with open(db) as f:
            entries = json.load(f)
    except (OSError, ValueError) as e:
        entries, why = [], "%s: %s" % (db, e.strerror if hasattr(e, "strerror") else e)
    for e in entries:
        if e.get("file", "").endswith("qemu-device/model/compute.c"):
            cmd = e.get("command") or " ".join(shlex.quote(a) for a in e["arguments"])
            cc, fl = flags_of(cmd)
            print("QEMU's flags for the model library, from " + db)
            print(cc)
            print(" ".join(fl))
            return 0
    if entries:
        why = db + " has no qemu-device/model/compute.c"
    print("FALLBACK: fixed list of QEMU 10.0.2's flags (no QEMU build: " + why + ")")
    print(FALLBACK_CC)
    print(FALLBACK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
