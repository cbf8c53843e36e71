#!/usr/bin/env bash
# run-qtest.sh - run the sushi-accel qtests (sushi-accel-test: the device's
# functions; sushi-accel-hostile-test: the worst jobs its host budgets allow;
# sushi-accel-fuzz-test: a seeded fuzzer bounded in time)
# against the QEMU that build-qemu.sh built in $SUSHI_CACHE/qemu-build, with
# Debian's firmware (seabios, qemu-system-data) on the -L path.  Prints the
# TAP streams and one closing "N passed, M failed" line (the form .ci/run
# totals); exits non-zero on any failure.  Arguments go to every test binary.
set -euo pipefail
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
bld=$cache/qemu-build
bin=$bld/qemu-system-x86_64
tests=(sushi-accel-test sushi-accel-hostile-test sushi-accel-fuzz-test)
# the fuzz qtest's time bound here (make qemu-fuzz-san runs it longer)
export SUSHI_FUZZ_SECONDS=${SUSHI_FUZZ_SECONDS:-10}
for f in "$bin" "${tests[@]/#/$bld/tests/qtest/}"; do
	[ -x "$f" ] || { echo "run-qtest: $f missing: run 'make qemu'" >&2; exit 1; }
done
export QTEST_QEMU_BINARY="$bin -L /usr/share/seabios -L /usr/share/qemu"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0 fail=0 bad=0
for t in "${tests[@]}"; do
	rc=0
	"$bld/tests/qtest/$t" --tap -k "$@" 2>&1 | tee "$log" || rc=$?
	p=$(grep -c '^ok ' "$log" || true)
	f=$(grep -c '^not ok ' "$log" || true)
	# a test that aborts (Bail out!) leaves the rest of the plan unrun: failed
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -1)
	if [ -n "$plan" ] && [ $((p + f)) -lt "$plan" ]; then
		f=$((plan - p))
	fi
	# a crash before any TAP line still counts as a failure
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	[ "$rc" -eq 0 ] && [ "$p" -gt 0 ] || bad=1
	pass=$((pass + p)) fail=$((fail + f))
done
echo "# sushi-accel qtests:"
echo "$pass passed, $fail failed"
if [ "$bad" -ne 0 ] || [ "$fail" -ne 0 ]; then
	exit 1
fi
