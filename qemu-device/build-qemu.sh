#!/usr/bin/env bash
# build-qemu.sh - build qemu-system-x86_64 with the sushi-accel device and its
# qtest from Debian's QEMU source package (bookworm-backports, QEMU 10.0.x).
#
#   $SUSHI_CACHE/qemu-src/         downloaded source package and unpacked tree
#   $SUSHI_CACHE/qemu-build/       meson/ninja build dir: qemu-system-x86_64,
#                                  the qtests (tests/qtest/sushi-accel-*)
#   $SUSHI_CACHE/qemu-build-san/   SUSHI_QEMU_SAN=1: the same with ASan and
#                                  UBSan, and the fuzz qtest
#
# The unpacked tree links hw/sushi -> this checkout (re-pointed every run, so a
# clone elsewhere builds its own files) and tests/qtest/sushi-accel-test.c ->
# qemu-device/qtest/.  Every step is guarded (tarball present, .stamp-unpacked,
# grep-guarded patches, configure stamp): a warm run only runs ninja.
# No URL download: the source comes through apt from the machine's own mirror.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
srcdir=$cache/qemu-src
blddir=$cache/qemu-build
# SUSHI_QEMU_SAN=1: the same tree built with ASan and UBSan in its own
# directory (make qemu-fuzz-san)
san=${SUSHI_QEMU_SAN:-0}
[ "$san" = 1 ] && blddir=$cache/qemu-build-san
jobs=${SUSHI_JOBS:-2}
log() { echo "build-qemu: $*" >&2; }

mkdir -p "$srcdir" "$blddir"

# ---------------------------------------------------------------- packages
deps=(ninja-build libglib2.0-dev libpixman-1-dev pkg-config python3-venv flex
      bison gcc make xz-utils seabios qemu-system-data)
"$top/tools/setup/apt-deps.sh" "${deps[@]}"
# meson >= 1.5 and python3-pycotap come from <release>-backports.
. /etc/os-release
need_bpo=0
for p in meson python3-pycotap; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || need_bpo=1
done
if [ $need_bpo -eq 0 ] &&
   dpkg --compare-versions "$(dpkg-query -W -f='${Version}' meson)" lt 1.5; then
	need_bpo=1
fi
shopt -s nullglob
orig=( "$srcdir"/qemu_*.orig.tar.* )
# the deb-src / backports entries are needed for meson and for the source
if [ $need_bpo -eq 1 ] || [ ${#orig[@]} -eq 0 ]; then
	"$here/apt-sources.sh"
fi
if [ $need_bpo -eq 1 ]; then
	log "installing meson python3-pycotap from $VERSION_CODENAME-backports"
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends -t "$VERSION_CODENAME-backports" \
		meson python3-pycotap >/dev/null
fi

# ------------------------------------------------------------------ source
if [ ${#orig[@]} -eq 0 ]; then
	log "apt-get source --download-only qemu/$VERSION_CODENAME-backports"
	# The .dsc may be missing from the mirror: only the tarball matters.
	(cd "$srcdir" && apt-get source --download-only \
		"qemu/$VERSION_CODENAME-backports") || true
	orig=( "$srcdir"/qemu_*.orig.tar.* )
fi
# keep only upstream tarballs (not the -component ones), newest last
tarballs=()
for t in "${orig[@]}"; do
	case "$t" in *.orig-*) ;; *) tarballs+=("$t") ;; esac
done
if [ ${#tarballs[@]} -eq 0 ]; then
	log "no qemu orig tarball in $srcdir after apt-get source"
	exit 1
fi
tarball=$(printf '%s\n' "${tarballs[@]}" | sort -V | tail -n 1)
ver=$(basename "$tarball"); ver=${ver#qemu_}; ver=${ver%%.orig.tar.*}
tree=$srcdir/qemu-$ver
if ! [ -f "$tree/.stamp-unpacked" ]; then
	log "unpacking $(basename "$tarball")"
	rm -rf "$tree" "$srcdir/unpack.tmp"
	mkdir -p "$srcdir/unpack.tmp"
	tar -xf "$tarball" -C "$srcdir/unpack.tmp"
	inner=( "$srcdir"/unpack.tmp/* )
	[ ${#inner[@]} -eq 1 ] && [ -d "${inner[0]}" ] || { log "odd tarball layout"; exit 1; }
	mv "${inner[0]}" "$tree"
	rmdir "$srcdir/unpack.tmp"
	touch "$tree/.stamp-unpacked"
fi

# ----------------------------------------------------------------- patches
# Each patch is a grep-guarded edit of the unpacked tree (idempotent; an
# unconditional rewrite of a meson.build would make ninja re-run meson).
# 1. The Debian tarball drops the edk2 firmware blobs: never unpack them.
if ! grep -q "sushi: no edk2" "$tree/meson.build"; then
	sed -i 's/^    unpack_edk2_blobs = bzip2.found()$/    unpack_edk2_blobs = false # sushi: no edk2 blobs in the Debian tarball/' \
		"$tree/meson.build"
	grep -q "sushi: no edk2" "$tree/meson.build" || { log "edk2 patch failed"; exit 1; }
fi
# 2. Our device: hw/sushi is this checkout's root (re-pointed every run), its
#    qemu-device/ a subdir of hw/ with its Kconfig symbol (SUSHI_ACCEL), and
#    its trace-events a trace group.
if [ "$(readlink "$tree/hw/sushi" 2>/dev/null)" != "$top" ]; then
	ln -sfn "$top" "$tree/hw/sushi"
fi
# which checkout this build directory last built (each build dir its own)
relinked=0
if [ "$(cat "$blddir/.sushi-top" 2>/dev/null)" != "$top" ]; then
	relinked=1
fi
grep -q "^subdir('sushi/qemu-device')" "$tree/hw/meson.build" ||
	echo "subdir('sushi/qemu-device')" >> "$tree/hw/meson.build"
grep -q "^source sushi/qemu-device/Kconfig" "$tree/hw/Kconfig" ||
	echo "source sushi/qemu-device/Kconfig" >> "$tree/hw/Kconfig"
grep -q "'hw/sushi/qemu-device'," "$tree/meson.build" ||
	sed -i "0,/^    'hw\/misc',\$/s//    'hw\/misc',\n    'hw\/sushi\/qemu-device',/" "$tree/meson.build"
grep -q "'hw/sushi/qemu-device'," "$tree/meson.build" || { log "trace patch failed"; exit 1; }
# 3. The model library sources (read by qemu-device/meson.build; rewritten
#    only when the list changes, which makes ninja re-run meson).
list=$(cd "$here/model" && ls *.c | grep -v -e '_test\.c$' -e '^bench' -e '^demo' | tr '\n' ' ')
if [ "$(cat "$tree/hw/sushi-model-sources.txt" 2>/dev/null)" != "$list" ]; then
	printf '%s' "$list" > "$tree/hw/sushi-model-sources.txt"
fi
# Another checkout (CI clones elsewhere) may carry older mtimes than our
# objects: re-run meson and rebuild everything of ours after a re-link.
if [ $relinked -eq 1 ]; then
	touch "$tree/hw/sushi-model-sources.txt"
	rm -rf "$blddir"/libcommon.a.p/hw_sushi_qemu-device_* \
		"$blddir"/hw/sushi/qemu-device/libsushi_model.a* \
		"$blddir"/tests/qtest/sushi-accel-test.p \
		"$blddir"/tests/qtest/sushi-accel-hostile-test.p \
		"$blddir"/tests/qtest/sushi-accel-fuzz-test.p \
		"$blddir"/tests/qtest/qos-test.p/sushi-accel-qos-test.c.o
fi
# 4. Our qtests (and their shared header), registered for x86_64 and
#    linked with the model library.
for f in sushi-accel-test.c sushi-accel-hostile-test.c sushi-accel-fuzz-test.c \
	 sushi-accel-qos-test.c sushi-qtest.h; do
	qt=$top/qemu-device/qtest/$f
	[ "$(readlink "$tree/tests/qtest/$f" 2>/dev/null)" = "$qt" ] ||
		ln -sfn "$qt" "$tree/tests/qtest/$f"
done
for q in sushi-accel-test sushi-accel-hostile-test sushi-accel-fuzz-test; do
	if ! grep -q "'$q'" "$tree/tests/qtest/meson.build"; then
		sed -i "s/^qtest_executables = {}\$/# sushi: $q (qemu-device\/qtest)\nqtests += {'$q': [sushi_model_dep]}\nqtests_x86_64 += ['$q']\n\nqtest_executables = {}/" \
			"$tree/tests/qtest/meson.build"
		grep -q "'$q'" "$tree/tests/qtest/meson.build" || { log "qtest patch failed"; exit 1; }
	fi
done
# 5. The device's node of the libqos graph, built into qos-test (which then
#    links the model library too, for its headers).
if ! grep -q "sushi-accel-qos-test.c" "$tree/tests/qtest/meson.build"; then
	sed -i "s/^qos_test_ss = ss.source_set()\$/qos_test_ss = ss.source_set()\nqos_test_ss.add(files('sushi-accel-qos-test.c')) # sushi/" \
		"$tree/tests/qtest/meson.build"
	sed -i "s/^  'qos-test': \[chardev, io, qos_test_ss/  'qos-test': [chardev, io, sushi_model_dep, qos_test_ss/" \
		"$tree/tests/qtest/meson.build"
	grep -q "sushi-accel-qos-test.c" "$tree/tests/qtest/meson.build" &&
	grep -q "'qos-test': \[chardev, io, sushi_model_dep" "$tree/tests/qtest/meson.build" ||
		{ log "qos-test patch failed"; exit 1; }
fi

# --------------------------------------------------------------- configure
cfg=(--python=/usr/bin/python3 --target-list=x86_64-softmmu
     --without-default-features --disable-docs --disable-download
     --disable-install-blobs --disable-werror)
[ "$san" = 1 ] && cfg+=(--enable-asan --enable-ubsan)
cfgsig=$(printf '%s\n' "$tree" "${cfg[@]}" | sha1sum | cut -c1-12)
if ! [ -f "$blddir/.stamp-configured-$cfgsig" ] || ! [ -f "$blddir/build.ninja" ]; then
	log "configure ${cfg[*]}"
	rm -rf "$blddir"; mkdir -p "$blddir"
	(cd "$blddir" && nice -n 10 "$tree/configure" "${cfg[@]}" >configure.log 2>&1) || {
		tail -40 "$blddir/configure.log" >&2; exit 1; }
	touch "$blddir/.stamp-configured-$cfgsig"
fi

# ------------------------------------------------------------------ build
targets=(qemu-system-x86_64 tests/qtest/sushi-accel-test
	 tests/qtest/sushi-accel-hostile-test tests/qtest/sushi-accel-fuzz-test
	 tests/qtest/qos-test)
[ "$san" = 1 ] && targets=(qemu-system-x86_64 tests/qtest/sushi-accel-fuzz-test)
log "ninja -j$jobs ${targets[*]}"
nice -n 10 ninja -C "$blddir" -j"$jobs" "${targets[@]}"
echo "$top" > "$blddir/.sushi-top"
log "built $blddir/qemu-system-x86_64"
