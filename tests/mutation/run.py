#!/usr/bin/python3
"""run.py - the mutation check: tests that fail when the scheduler is wrong.

Applies, one at a time, every single-line mutation of mutations.txt to a
scratch copy of the tree, rebuilds the libsushi host tests there (ASan and
UBSan) and runs them: a mutation is killed when a test fails (or times
out).  Every mutation must be killed; a mutation whose text is not found
exactly as listed, or that does not compile, fails the check too (the list
must follow the code).

Usage: tests/mutation/run.py [--list FILE] [--only ID,...] [--keep]

mutations.txt: one mutation per line, fields separated by " :: ":
  ID :: FILE :: TEXT :: REPLACEMENT :: WHAT IT BREAKS
TEXT must occur in FILE exactly once (append "#N" to ID to take its N-th
occurrence instead).  Lines starting with # and blank lines are ignored.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS = ["test_rules", "test_sched", "test_eval", "test_oracle", "test_place",
         "test_fleet"]
TIMEOUT = 300


def parse(path):
    muts = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(" :: ")
            if len(parts) != 5:
                sys.exit("%s:%d: expected 5 fields separated by ' :: '" % (path, n))
            mid, occ, explicit = parts[0].strip(), 1, False
            if "#" in mid:
                mid, o = mid.split("#")
                occ, explicit = int(o), True
            muts.append({"id": mid, "occ": occ, "explicit": explicit, "file": parts[1].strip(),
                         "from": parts[2], "to": parts[3], "what": parts[4].strip(),
                         "line": n})
    return muts


def copy_tree(dst):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.split("\n")
    for rel in files:
        if not rel or not os.path.isfile(os.path.join(ROOT, rel)):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, rel)) or dst, exist_ok=True)
        shutil.copy2(os.path.join(ROOT, rel), os.path.join(dst, rel))


def build(tree):
    targets = ["%s/build/libsushi/tests/san/%s" % (tree, t) for t in TESTS]
    r = subprocess.run(["make", "-s", "-C", tree, "BUILD=%s/build" % tree] + targets,
                       capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def run_tests(tree):
    """the first failing test's name, or None when all pass"""
    for t in TESTS:
        try:
            r = subprocess.run(["%s/build/libsushi/tests/san/%s" % (tree, t)],
                               capture_output=True, text=True, timeout=TIMEOUT,
                               cwd=tree)
        except subprocess.TimeoutExpired:
            return t + " (timeout)"
        if r.returncode:
            failed = [l for l in r.stdout.splitlines() if l.startswith("not ok")]
            return "%s: %s" % (t, failed[0][:90] if failed else
                               "exit %d" % r.returncode)
    return None


def touch_future(path):
    t = time.time() + 2
    os.utime(path, (t, t))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", default=os.path.join(ROOT, "tests/mutation/mutations.txt"))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true", help="keep the scratch tree")
    args = ap.parse_args()
    muts = parse(args.list)
    if args.only:
        want = set(args.only.split(","))
        muts = [m for m in muts if m["id"] in want]
    tree = tempfile.mkdtemp(prefix="sushi-mutation-")
    bad = 0
    try:
        copy_tree(tree)
        ok, log = build(tree)
        if not ok or run_tests(tree):
            print(log[-3000:])
            print("not ok - the unmutated tests do not pass; no mutation run")
            return 1
        killed = 0
        for m in muts:
            path = os.path.join(tree, m["file"])
            with open(path) as f:
                orig = f.read()
            count = orig.count(m["from"])
            if count < m["occ"] or (not m["explicit"] and count != 1):
                print("not ok - %s (list line %d): text found %d times in %s, "
                      "expected %s" % (m["id"], m["line"], count, m["file"],
                                       "at least %d" % m["occ"] if m["explicit"]
                                       else "once"))
                bad += 1
                continue
            at = -1
            for _ in range(m["occ"]):
                at = orig.index(m["from"], at + 1)
            with open(path, "w") as f:
                f.write(orig[:at] + m["to"] + orig[at + len(m["from"]):])
            touch_future(path)
            ok, log = build(tree)
            by = run_tests(tree) if ok else None
            with open(path, "w") as f:
                f.write(orig)
            touch_future(path)
            if not ok:
                print("not ok - %s does not compile: %s" % (m["id"], log.strip()[-300:]))
                bad += 1
            elif by:
                killed += 1
                print("ok - %s killed by %s  [%s]" % (m["id"], by, m["what"]))
            else:
                print("not ok - %s SURVIVED: %s (%s)" % (m["id"], m["what"], m["file"]))
                bad += 1
        print("mutation check: %d of %d mutations killed" % (killed, len(muts)))
        return 1 if bad or killed != len(muts) else 0
    finally:
        if args.keep:
            print("scratch tree kept: %s" % tree)
        else:
            shutil.rmtree(tree, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
