#!/usr/bin/env bash
# run-qtest.sh - run the sushi-accel qtests (sushi-accel-test: the device's
# functions; sushi-accel-hostile-test: the worst jobs its host budgets allow;
# sushi-accel-fuzz-test: a seeded fuzzer bounded in time; and the device's
# node of the libqos graph in qos-test)
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
for f in "$bin" "${tests[@]/#/$bld/tests/qtest/}" "$bld/tests/qtest/qos-test"; do
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
# The device's node of the libqos graph, inside QEMU's qos-test: the graph
# finds the architecture from the binary's name, so the -L options go in
# through a wrapper of that name; the pc machine's default NIC needs a ROM
# Debian ships elsewhere (-nic none).
wrap=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$wrap"' EXIT
printf '#!/bin/sh\nexec %s -L /usr/share/seabios -L /usr/share/qemu -nic none "$@"\n' \
	"$bin" > "$wrap/qemu-system-x86_64"
chmod +x "$wrap/qemu-system-x86_64"
paths=$(QTEST_QEMU_BINARY=$wrap/qemu-system-x86_64 "$bld/tests/qtest/qos-test" -l 2>/dev/null |
	grep '^/.*/sushi-accel/' || true)
rc=0
if [ -z "$paths" ]; then
	echo "not ok - qos-test lists no sushi-accel test"
	rc=1
else
	# shellcheck disable=SC2046
	QTEST_QEMU_BINARY=$wrap/qemu-system-x86_64 "$bld/tests/qtest/qos-test" \
		--tap -k $(printf -- '-p %s ' $paths) 2>&1 | tee "$log" || rc=$?
fi
p=$(grep -c '^ok ' "$log" || true)
f=$(grep -c '^not ok ' "$log" || true)
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	f=1
fi
[ "$rc" -eq 0 ] && [ "$p" -gt 0 ] || bad=1
pass=$((pass + p)) fail=$((fail + f))
echo "# sushi-accel qtests:"
echo "$pass passed, $fail failed"
if [ "$bad" -ne 0 ] || [ "$fail" -ne 0 ]; then
	exit 1
fi
