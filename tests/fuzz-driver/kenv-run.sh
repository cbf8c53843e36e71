#!/usr/bin/env bash
# kenv-run.sh - run the fail-nth walk or sushi-fuzz (with any options) in
# the guest on the kernel an env file describes (a fetch-kernel.sh or
# debug-kernel/build-debug-kernel.sh current.env; make guest-robust-debug
# covers the debug lane's default runs).  Builds sushi.ko and the test
# binary under $BUILD/kenv-<abi>/.
#
# Usage: kenv-run.sh ENV_FILE failnth
#        kenv-run.sh ENV_FILE fuzz [sushi-fuzz options]
# Environment: SUSHI_QEMU (required), SUSHI_QEMU_DEVICE, SUSHI_GUEST_*
# as for tools/guest/run-guest.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 ENV_FILE failnth|fuzz [ARGS]" >&2; exit 2; }
env_file=$(readlink -f "$1")
what=$2
shift 2
# shellcheck source=/dev/null
. "$env_file"
[ -n "${SUSHI_QEMU:-}" ] || { echo "kenv-run: set SUSHI_QEMU" >&2; exit 2; }

# the guest scripts take the kernel from SUSHI_KENV; a build tree per ABI
work=${BUILD:-$top/build}/kenv-$SUSHI_KABI
mkdir -p "$work/bin"
export SUSHI_KENV=$env_file BUILD=$work

"$top/tools/guest/build-module.sh" >/dev/null
ko=$(ls "$work"/kmod*/driver/sushi.ko | head -n1)
make -C "$top" --no-print-directory BUILD="$top/build" "$top/build/model/libsushimodel.a" >/dev/null
lib=$top/build/model/libsushimodel.a
cflags=(-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow
	-Wstrict-prototypes -I"$top/tests/kselftest" -I"$top/uapi/drm"
	-I"$top/hw" -I"$top/qemu-device/model" -I/usr/include/libdrm)
case $what in
failnth)
	cc "${cflags[@]}" -isystem "$SUSHI_KSRC/tools/testing/selftests" \
		-o "$work/bin/sushi_failnth_test" \
		"$top/tests/kselftest/sushi_failnth_test.c" "$lib" -lpthread
	"$top/tools/guest/mkinitramfs.sh" -o "$work/failnth.cpio" -m test \
		-k "$ko" -t "$work/bin/sushi_failnth_test"
	SUSHI_GUEST_FAULT_INJECTION=1 \
		SUSHI_GUEST_LOG=${SUSHI_GUEST_LOG:-$work/console-failnth.log} \
		SUSHI_GUEST_TIMEOUT=${SUSHI_GUEST_TIMEOUT:-7200} \
		"$top/tools/guest/run-guest.sh" "$work/failnth.cpio"
	;;
fuzz)
	cc "${cflags[@]}" -I"$here" -o "$work/bin/sushi-fuzz" \
		"$here"/*.c "$lib" -lpthread
	"$top/tools/guest/mkinitramfs.sh" -o "$work/fuzz.cpio" -m cmd \
		-k "$ko" -b "$work/bin/sushi-fuzz" \
		-c "/bin/sushi-fuzz $*"
	SUSHI_QEMU_DEVICE=${SUSHI_QEMU_DEVICE-sushi-accel,clock-hz=1000000} \
		SUSHI_GUEST_LOG=${SUSHI_GUEST_LOG:-$work/console-fuzz.log} \
		SUSHI_GUEST_TIMEOUT=${SUSHI_GUEST_TIMEOUT:-7200} \
		"$top/tools/guest/run-guest.sh" "$work/fuzz.cpio"
	;;
*)
	echo "kenv-run: unknown '$what'" >&2
	exit 2
	;;
esac
