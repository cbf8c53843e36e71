#!/usr/bin/env bash
# build-module.sh - build driver/sushi.ko against the cached Debian 6.12
# headers (fetch-kernel.sh) in a shadow tree under $BUILD/kmod, so kbuild's
# objects never land in the checkout.  Fails on any compiler, modpost or
# (with SPARSE=1) sparse warning.
#
# Usage: build-module.sh          -> $BUILD/kmod/driver/sushi.ko
#        SPARSE=1 build-module.sh -> also run sparse on every file (make C=2)
#
# SUSHI_KENV=<env file> builds against another kernel: the env file of
# debug-kernel/build-debug-kernel.sh (SUSHI_KLANE=debug) gives
# $BUILD/kmod-debug/driver/sushi.ko (the vermagic differs), compiled with -g
# so that scripts/faddr2line can resolve the driver's frames in reports.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
build=${BUILD:-$top/build}

die() { echo "build-module: error: $*" >&2; exit 1; }

if [ -n "${SUSHI_KENV:-}" ]; then
	kenv=$SUSHI_KENV
	[ -f "$kenv" ] || die "no kernel env file $kenv"
else
	kenv=$cache/kernel/current.env
	[ -f "$kenv" ] || "$here/fetch-kernel.sh" >/dev/null
fi
unset SUSHI_KLANE
# shellcheck source=/dev/null
. "$kenv"
[ -f "$SUSHI_KDIR/Makefile" ] || die "no kernel headers at $SUSHI_KDIR"
# one output tree per kernel lane: objects built for one kernel never mix
# with another's
out=$build/kmod${SUSHI_KLANE:+-$SUSHI_KLANE}
[ "${SPARSE:-0}" = 1 ] && "$top/tools/setup/apt-deps.sh" sparse

# Shadow tree: real directories, symlinked sources.
mkdir -p "$out/driver"
ln -sfn "$top/Kbuild" "$out/Kbuild"
ln -sfn "$top/hw" "$out/hw"
ln -sfn "$top/uapi" "$out/uapi"
# the device model's layer_check.c and host_cost.c are objects of the module: a real
# directory of symlinks, so their objects land in the shadow tree
[ -L "$out/qemu-device/model" ] && rm -f "$out/qemu-device/model"
mkdir -p "$out/qemu-device/model"
for f in layer_check.c sushi_layer_check.h host_cost.c sushi_host_cost.h \
	 sushi_sat.h; do
	ln -sfn "$top/qemu-device/model/$f" "$out/qemu-device/model/$f"
done
find "$out/driver" -maxdepth 1 -type l -delete
for f in "$top"/driver/*.[ch] "$top/driver/Kbuild"; do
	ln -s "$f" "$out/driver/$(basename "$f")"
done

args=(-C "$SUSHI_KDIR" M="$out" -j"${JOBS:-2}")
[ -z "${SUSHI_KLANE:-}" ] || args+=(KCFLAGS=-g)
[ "${SPARSE:-0}" = 1 ] && args+=(C=2)
log=$out/build.log
if ! nice -n 10 make "${args[@]}" modules >"$log" 2>&1; then
	cat "$log" >&2
	die "kbuild failed"
fi
cat "$log"
if grep -qiE 'warning|error:' "$log"; then
	die "the build printed warnings"
fi
[ -f "$out/driver/sushi.ko" ] || die "no sushi.ko produced"
echo "build-module: $out/driver/sushi.ko ($SUSHI_KABI)" >&2
