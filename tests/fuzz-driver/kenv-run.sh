#!/usr/bin/env bash
# kenv-run.sh - run the fail-nth walk or sushi-fuzz in the guest on a kernel
# described by an env file like $SUSHI_CACHE/kernel/current.env (e.g. the
# debug lane's KASAN/lockdep/kmemleak/fault-injection kernel), without the
# make targets' fetch of Debian's kernel.  Builds sushi.ko and the test
# binary against that kernel under $BUILD/kenv-<abi>/.
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

# the guest scripts read $SUSHI_CACHE/kernel/current.env
work=${BUILD:-$top/build}/kenv-$SUSHI_KABI
mkdir -p "$work/cache/kernel" "$work/bin"
cp "$env_file" "$work/cache/kernel/current.env"
export SUSHI_CACHE=$work/cache BUILD=$work

"$top/tools/guest/build-module.sh" >/dev/null
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
		-k "$work/kmod/driver/sushi.ko" -t "$work/bin/sushi_failnth_test"
	SUSHI_GUEST_LOG=${SUSHI_GUEST_LOG:-$work/console-failnth.log} \
		SUSHI_GUEST_TIMEOUT=${SUSHI_GUEST_TIMEOUT:-7200} \
		"$top/tools/guest/run-guest.sh" "$work/failnth.cpio"
	;;
fuzz)
	cc "${cflags[@]}" -I"$here" -o "$work/bin/sushi-fuzz" \
		"$here"/*.c "$lib" -lpthread
	"$top/tools/guest/mkinitramfs.sh" -o "$work/fuzz.cpio" -m cmd \
		-k "$work/kmod/driver/sushi.ko" -b "$work/bin/sushi-fuzz" \
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
