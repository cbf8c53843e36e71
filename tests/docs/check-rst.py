#!/usr/bin/python3
"""check-rst.py - every reStructuredText document under Documentation/
parses without a docutils warning or error (malformed tables, broken
substitutions, bad indentation): what a reader's renderer would show
broken.  Prints one TAP line per file and a closing count; exits 1 on any
problem.  Run by `make docs-test` (part of `make host-test`)."""
import io
import pathlib
import sys

import docutils.core
import docutils.utils


def problems(path):
    """docutils' warnings and errors for @path, as text lines."""
    err = io.StringIO()
    docutils.core.publish_doctree(
        path.read_text(), source_path=str(path),
        settings_overrides={"warning_stream": err, "report_level": 2,
                            "halt_level": 5})
    return [l for l in err.getvalue().splitlines()
            if "(WARNING/" in l or "(ERROR/" in l or "(SEVERE/" in l]


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "Documentation")
    files = sorted(root.rglob("*.rst"))
    failed = 0
    for n, path in enumerate(files, 1):
        found = problems(path)
        print("%sok %d - %s%s" % ("not " if found else "", n, path,
                                  "" if not found else ": %d problem(s)" % len(found)))
        for line in found:
            print("#   " + line)
        failed += bool(found)
    print("1..%d" % len(files))
    print("%d passed, %d failed" % (len(files) - failed, failed))
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main())
