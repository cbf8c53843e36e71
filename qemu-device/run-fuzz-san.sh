#!/usr/bin/env bash
# run-fuzz-san.sh - run the sushi-accel fuzz qtest against the ASan/UBSan
# build of QEMU ($SUSHI_CACHE/qemu-build-san, make qemu-san) for
# SUSHI_FUZZ_SECONDS (SUSHI_FUZZ_SEED replays a run).  Any sanitizer report
# fails the run: ASan aborts QEMU at the first error, UBSan is made to
# halt as well, and QEMU's stderr is searched for reports besides.  Leak
# detection is off: QEMU itself leaks at exit, and the model library's own
# leaks are checked by its host tests under ASan and valgrind.
set -euo pipefail
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
bld=$cache/qemu-build-san
test=$bld/tests/qtest/sushi-accel-fuzz-test
for f in "$bld/qemu-system-x86_64" "$test"; do
	[ -x "$f" ] || { echo "run-fuzz-san: $f missing: run 'make qemu-san'" >&2; exit 1; }
done
export QTEST_QEMU_BINARY="$bld/qemu-system-x86_64 -L /usr/share/seabios -L /usr/share/qemu"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "run-fuzz-san: the fuzz qtest for ${SUSHI_FUZZ_SECONDS:-20} s under ASan+UBSan QEMU"
rc=0
"$test" --tap -k 2>&1 | tee "$log" | grep -v '^# starting QEMU' || rc=$?
reports=$(grep -cE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$log" || true)
pass=$(grep -c '^ok ' "$log" || true)
fail=$(grep -c '^not ok ' "$log" || true)
if [ "$rc" -ne 0 ] || [ "$reports" -ne 0 ] || [ "$pass" -eq 0 ]; then
	grep -E -A30 'ERROR: AddressSanitizer|runtime error:' "$log" | head -60 >&2 || true
	echo "run-fuzz-san: FAILED (exit $rc, $reports sanitizer report(s))" >&2
	fail=$((fail > 0 ? fail : 1))
	pass=0
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
