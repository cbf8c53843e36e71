#!/usr/bin/env bash
# build-debug-kernel.sh - build the SUSHI debug kernel (KASAN, lockdep,
# kmemleak, fault injection, ...) from Debian's linux-source-6.12 at the
# version of the cached Debian image (tools/guest/fetch-kernel.sh), with a
# small config: `make allnoconfig` + debug.config (merge_config.sh -n),
# checked option by option after `make olddefconfig`.
#
# Result, under $SUSHI_CACHE/kernel-debug/<key>/ (key: sha256 of debug.config,
# sushi-deps-kconfig.patch, this script, the source version and the compiler
# version), replaced atomically and never rebuilt while it exists:
#
#   bzImage, config, System.map   the kernel
#   build/                        tree for `make -C build M=... modules`
#                                 (scripts/package/install-extmod-build)
#   root/lib/modules/<release>/   modules_install output (builtin lists)
#   src/                          scripts/ and the kselftest headers of the
#                                 same source (as fetch-kernel.sh's src/)
#   build.log                     the kernel build's output
#
# and $SUSHI_CACHE/kernel-debug/current.env with the variables of
# fetch-kernel.sh's current.env (SUSHI_KABI, SUSHI_KDIR, SUSHI_KIMAGE,
# SUSHI_KROOT, SUSHI_KMODDIR, SUSHI_KSRC) plus SUSHI_KLANE=debug and
# SUSHI_KCONFIG.  Point the harness at it with SUSHI_KENV=<that file>.
#
# Environment: SUSHI_CACHE; JOBS (default: number of CPUs);
# SUSHI_DEBUG_KEEP_WORK=1 keeps the source and object trees of a build
# (under $SUSHI_CACHE/kernel-debug/work.<key>/, until the next build) for
# inspection.  A failed build keeps only its log (failed-<key>.log).
# Prints the env file's path on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
guest=$(cd "$here/.." && pwd)
top=$(cd "$here/../../.." && pwd)
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
dcache=$cache/kernel-debug
fragment=$here/debug.config
kpatch=$here/sushi-deps-kconfig.patch
series=6.12
src_pkg=linux-source-$series

log() { echo "build-debug-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

# The kernel's build dependencies (Documentation/process/changes.rst), the
# tools this script uses, and what fetch-kernel.sh needs.
"$top/tools/setup/apt-deps.sh" gcc make bc bison flex libelf-dev libssl-dev \
	binutils perl python3 cpio xz-utils kmod patch util-linux

# The Debian lane fixes the version: the source of the image we also test.
"$guest/fetch-kernel.sh" >/dev/null
# shellcheck source=/dev/null
. "$cache/kernel/current.env"
ver=$(cat "$SUSHI_KSRC/.version")
[ -n "$ver" ] || die "no source version in $SUSHI_KSRC/.version"
deb_abi=$SUSHI_KABI
unset SUSHI_KABI SUSHI_KDIR SUSHI_KIMAGE SUSHI_KROOT SUSHI_KMODDIR SUSHI_KSRC

cc_ver=$(gcc --version | head -n1)
key=$( {
	echo "source $src_pkg=$ver"
	echo "compiler $cc_ver"
	for f in "$fragment" "$kpatch" "$0"; do
		echo "== $(basename "$f")"
		cat "$f"
	done
} | sha256sum | cut -c1-16)
kd=$dcache/$key
envfile=$dcache/current.env

write_env() {
	local rel
	rel=$(cat "$kd/kernel.release")
	cat >"$envfile.tmp.$$" <<EOF
# written by tools/guest/debug-kernel/build-debug-kernel.sh
# $src_pkg=$ver (Debian image $deb_abi), key $key
SUSHI_KABI='$rel'
SUSHI_KDIR='$kd/build'
SUSHI_KIMAGE='$kd/bzImage'
SUSHI_KROOT='$kd/root'
SUSHI_KMODDIR='$kd/root/lib/modules/$rel'
SUSHI_KSRC='$kd/src'
SUSHI_KLANE='debug'
SUSHI_KCONFIG='$kd/config'
EOF
	mv "$envfile.tmp.$$" "$envfile"
	echo "$envfile"
}

mkdir -p "$dcache"
if [ -e "$kd/.complete" ]; then
	log "cached: $kd ($(cat "$kd/kernel.release"))"
	touch "$kd/.last-used"
	write_env
	exit 0
fi

# One build at a time per cache (two checkouts may share it).
exec 9>"$dcache/.lock"
if ! flock -n 9; then
	log "another build holds $dcache/.lock; waiting"
	flock 9
fi
if [ -e "$kd/.complete" ]; then
	log "cached (built meanwhile): $kd"
	write_env
	exit 0
fi

start=$(date +%s)
jobs=${JOBS:-$(nproc)}
work=$dcache/work.$key
# We hold the lock: any work tree is a leftover (a failed or kept build).
rm -rf "$dcache"/work.*
mkdir -p "$work"
# A failed build leaves its log, not its 1.1 GB of trees.
cleanup() {
	local rc=$?
	if [ "$rc" -ne 0 ] && [ -d "$work" ]; then
		[ -f "$work/build.log" ] && cp "$work/build.log" "$dcache/failed-$key.log" &&
			log "build log: $dcache/failed-$key.log"
		[ "${SUSHI_DEBUG_KEEP_WORK:-0}" = 1 ] || rm -rf "$work"
	fi
}
trap cleanup EXIT
srct=$work/src
objt=$work/obj
stage=$work/stage
mkdir -p "$srct" "$objt" "$stage"
blog=$work/build.log
: >"$blog"

# ------------------------------------------------------------- source
# The .deb stays in the cache (a config change should not download again);
# older versions are removed.
dl=$dcache/dl
mkdir -p "$dl"
deb=$(ls "$dl/${src_pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
	log "downloading $src_pkg=$ver"
	tmp=$(mktemp -d "$dl/tmp.XXXXXX")
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"$src_pkg=$ver" >&2) || die "apt-get download $src_pkg=$ver failed"
	rm -f "$dl"/*.deb
	mv "$tmp"/*.deb "$dl/"
	rmdir "$tmp"
	deb=$(ls "$dl/${src_pkg}_"*.deb | head -n1)
fi
log "extracting $(basename "$deb")"
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$work" --wildcards "./usr/src/$src_pkg.tar.*"
tarball=$(ls "$work/usr/src/$src_pkg".tar.*)
# Documentation/ and the AMD register headers (0.6 GB) are never read by
# this build; Documentation/Kconfig is (and two documents fetch-kernel.sh
# also keeps).
tar -x -C "$srct" --strip-components=1 -f "$tarball" \
	--exclude="$src_pkg/Documentation" \
	--exclude="$src_pkg/drivers/gpu/drm/amd/include/asic_reg"
tar -x -C "$srct" --strip-components=1 -f "$tarball" \
	"$src_pkg/Documentation/Kconfig" \
	"$src_pkg/Documentation/process/botching-up-ioctls.rst" \
	"$src_pkg/Documentation/gpu/drm-uapi.rst"
rm -rf "$work/usr"
(cd "$srct" && patch -p1 --forward --batch <"$kpatch" >&2) ||
	die "$(basename "$kpatch") does not apply to $src_pkg=$ver"

# ------------------------------------------------------------- config
# allnoconfig with the fragment forced (merge_config.sh -n), then
# olddefconfig; then every line of the fragment must be in .config as
# written: Kconfig silently drops an option whose dependencies are unmet.
kmake() { make -C "$srct" O="$objt" ARCH=x86_64 LOCALVERSION= "$@"; }
(cd "$srct" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$objt" \
	"$fragment" >>"$blog" 2>&1) || { tail -n 40 "$blog" >&2; die "merge_config.sh failed"; }
kmake olddefconfig >>"$blog" 2>&1 || { tail -n 40 "$blog" >&2; die "olddefconfig failed"; }
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		sym=${line%%=*}
		if ! grep -qxF -- "$line" "$objt/.config"; then
			log "config: asked for $line, got: $(grep -E "^$sym=|^# $sym is not set" "$objt/.config" || echo '(absent: dependencies unmet)')"
			bad=1
		fi
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		if grep -qE "^$sym=" "$objt/.config"; then
			log "config: asked for '$line', got: $(grep -E "^$sym=" "$objt/.config")"
			bad=1
		fi
		;;
	esac
done <"$fragment"
[ "$bad" -eq 0 ] || die "options of $(basename "$fragment") did not survive olddefconfig (see above)"
log "config: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$fragment") options of $(basename "$fragment") present ($(grep -c '=y$' "$objt/.config") symbols =y)"

# -------------------------------------------------------------- build
log "building (make -j$jobs bzImage modules; log: $blog)"
if ! kmake -j"$jobs" bzImage modules >>"$blog" 2>&1; then
	tail -n 60 "$blog" >&2
	die "kernel build failed"
fi
rel=$(cat "$objt/include/config/kernel.release")
kmake INSTALL_MOD_PATH="$stage/root" modules_install >>"$blog" 2>&1 ||
	{ tail -n 40 "$blog" >&2; die "modules_install failed"; }
[ -d "$stage/root/lib/modules/$rel" ] || die "modules_install made no lib/modules/$rel"
# The tree external modules build against, as Debian's linux-headers:
# scripts/package/install-extmod-build (run inside the kernel's make so it
# sees srctree, SRCARCH, CC, ...).
kmake run-command KBUILD_RUN_COMMAND="\${srctree}/scripts/package/install-extmod-build $stage/build" \
	>>"$blog" 2>&1 || { tail -n 40 "$blog" >&2; die "install-extmod-build failed"; }
cp "$objt/.config" "$stage/build/.config"
cp "$objt/arch/x86/boot/bzImage" "$stage/bzImage"
cp "$objt/.config" "$stage/config"
cp "$objt/System.map" "$stage/System.map"
echo "$rel" >"$stage/kernel.release"

# the same subset of the source as fetch-kernel.sh's src/
mkdir -p "$stage/src/tools/testing/selftests" "$stage/src/Documentation/process" \
	"$stage/src/Documentation/gpu"
cp -a "$srct/scripts" "$srct/Makefile" "$stage/src/"
cp -a "$srct"/tools/testing/selftests/kselftest*.h "$stage/src/tools/testing/selftests/"
cp "$srct/Documentation/process/botching-up-ioctls.rst" "$stage/src/Documentation/process/"
cp "$srct/Documentation/gpu/drm-uapi.rst" "$stage/src/Documentation/gpu/"
echo "$ver" >"$stage/src/.version"

# The tree must build a module: a trivial one, as a smoke test.
probe=$work/probe
mkdir -p "$probe"
cat >"$probe/probe.c" <<'EOF'
#include <linux/module.h>
static int __init probe_init(void) { return 0; }
module_init(probe_init);
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := probe.o' >"$probe/Kbuild"
make -C "$stage/build" M="$probe" modules >>"$blog" 2>&1 ||
	{ tail -n 40 "$blog" >&2; die "a module does not build against $stage/build"; }
vm=$(modinfo -F vermagic "$probe/probe.ko")
case $vm in "$rel "*) ;; *) die "probe module vermagic '$vm' is not for $rel" ;; esac

cp "$blog" "$stage/build.log"
secs=$(($(date +%s) - start))
echo "$secs" >"$stage/build-seconds"
touch "$stage/.complete"
rm -rf "$kd"
mv "$stage" "$kd"
# the stage's absolute paths moved with it
ln -sfn "$kd/build" "$kd/root/lib/modules/$rel/build"
if [ "${SUSHI_DEBUG_KEEP_WORK:-0}" = 1 ]; then
	log "kept the work tree $work"
else
	rm -rf "$work"
fi
touch "$kd/.last-used"
# Other keys' kernels nobody used for two weeks (other branches' configs).
find "$dcache" -mindepth 2 -maxdepth 2 -name .last-used -mtime +14 -printf '%h\n' |
	while read -r old; do
		log "removing $old (unused for 14 days)"
		rm -rf "$old"
	done
log "built $rel in $((secs / 60)) min $((secs % 60)) s: $kd"
write_env
