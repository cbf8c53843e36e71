#!/usr/bin/env bash
# run-qtest.sh - run the sushi-accel qtests against the QEMU that
# build-qemu.sh built in $SUSHI_CACHE/qemu-build, with Debian's firmware
# (seabios, qemu-system-data) on the -L path.  Prints the TAP stream and a
# closing "N passed, M failed" line (the form .ci/run totals); exits non-zero
# on any failure.
set -euo pipefail
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
bld=$cache/qemu-build
bin=$bld/qemu-system-x86_64
test=$bld/tests/qtest/sushi-accel-test
for f in "$bin" "$test"; do
	[ -x "$f" ] || { echo "run-qtest: $f missing: run 'make qemu'" >&2; exit 1; }
done
export QTEST_QEMU_BINARY="$bin -L /usr/share/seabios -L /usr/share/qemu"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
"$test" --tap -k "$@" 2>&1 | tee "$log" || rc=$?
pass=$(grep -c '^ok ' "$log" || true)
fail=$(grep -c '^not ok ' "$log" || true)
# a test that aborts (Bail out!) leaves the rest of the plan unrun: failed
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -1)
if [ -n "$plan" ] && [ $((pass + fail)) -lt "$plan" ]; then
	fail=$((plan - pass))
fi
# a crash before any TAP line still counts as a failure
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	fail=1
fi
echo "# sushi-accel qtests:"
echo "$pass passed, $fail failed"
if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ] || [ "$pass" -eq 0 ]; then
	exit 1
fi
