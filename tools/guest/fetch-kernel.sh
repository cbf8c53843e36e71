#!/usr/bin/env bash
# fetch-kernel.sh - resolve the newest Debian 6.12 amd64 kernel and cache what
# the guest harness needs from it, outside the checkout:
#
#   $SUSHI_CACHE/kernel/<abi>/image/    linux-image: boot/vmlinuz-<abi> and
#                                       lib/modules/<abi>/ (depmod'ed)
#   $SUSHI_CACHE/kernel/<abi>/headers/  linux-headers-<abi>, -common and
#                                       linux-kbuild, Makefile re-pointed at
#                                       the extracted -common tree
#   $SUSHI_CACHE/kernel/<abi>/src/      the parts of linux-source-6.12 we use
#                                       (scripts/ with checkpatch.pl, the
#                                       kselftest harness headers)
#   $SUSHI_CACHE/kernel/current.env     shell variables naming all of that
#
# Packages come from the machine's own apt sources via `apt-get download`;
# the headers are extracted rather than installed so that apt does not also
# install the kernel image on the host.  Nothing is hard-coded: the version is
# the highest linux-image-6.12.N+deb12-amd64 that apt knows and whose headers
# exist.  SUSHI_KERNEL_ABI=<abi> pins one.  A warm cache does no apt work.
# Prints the ABI (e.g. 6.12.N+deb12-amd64) on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
kcache=$cache/kernel
flavour=amd64
series=6.12

log() { echo "fetch-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Host tools the extracted kbuild and the harness need (linux-kbuild's own
# Depends, plus dwarves for BTF, kmod for depmod, perl for checkpatch).
"$top/tools/setup/apt-deps.sh" gcc-12 make binutils libc6-dev libelf1 \
	libssl3 zlib1g dwarves kmod xz-utils perl cpio

list_abis() {
	apt-cache pkgnames "linux-image-$series." 2>/dev/null |
		grep -E "^linux-image-${series//./\\.}\.[0-9]+\+deb[0-9]+-$flavour\$" |
		sed "s/^linux-image-//" | sort -rV || true
}

pkg_ok() { apt-cache show --no-all-versions "$1" >/dev/null 2>&1; }

resolve_abi() {
	local abis abi
	abis=$(list_abis)
	if [ -z "$abis" ]; then
		log "no linux-image-$series.* in the apt lists; apt-get update"
		apt-get update -qq >&2 || true
		abis=$(list_abis)
	fi
	[ -n "$abis" ] || die "apt knows no linux-image-$series.*-$flavour package"
	for abi in $abis; do
		if [ -d "$kcache/$abi/headers" ] ||
			pkg_ok "linux-headers-$abi"; then
			echo "$abi"
			return 0
		fi
		log "skipping $abi: no linux-headers-$abi"
	done
	die "no linux-image-$series.* with matching headers"
}

abi=${SUSHI_KERNEL_ABI:-$(resolve_abi)}
kdir=$kcache/$abi
mkdir -p "$kdir"

pkgver() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1
}

# download PKG[=VER]... into a fresh directory, printing that directory
download() {
	local dir
	dir=$(mktemp -d "$kdir/dl.XXXXXX")
	chmod 755 "$dir"
	(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$@" >&2) ||
		die "apt-get download $* failed"
	echo "$dir"
}

# -------------------------------------------------------------- image
fetch_image() {
	local dl tmp pkg vmlinuz
	log "downloading linux-image-$abi"
	pkg=linux-image-$abi
	dl=$(download "$pkg")
	tmp=$(mktemp -d "$kdir/image.XXXXXX")
	dpkg-deb -x "$dl"/"$pkg"_*.deb "$tmp"
	vmlinuz=$tmp/boot/vmlinuz-$abi
	if [ ! -s "$vmlinuz" ] || [ ! -d "$tmp/lib/modules/$abi/kernel" ]; then
		log "$pkg carries no vmlinuz+modules; trying $pkg-unsigned"
		rm -rf "$tmp" "$dl"
		pkg=$pkg-unsigned
		dl=$(download "$pkg")
		tmp=$(mktemp -d "$kdir/image.XXXXXX")
		dpkg-deb -x "$dl"/"$pkg"_*.deb "$tmp"
		[ -s "$tmp/boot/vmlinuz-$abi" ] || die "$pkg has no vmlinuz"
	fi
	depmod -b "$tmp" "$abi"
	rm -rf "$dl" "$kdir/image"
	mv "$tmp" "$kdir/image"
	echo "$pkg" >"$kdir/image/.package"
}

# ------------------------------------------------------------ headers
fetch_headers() {
	local dl tmp ver common kbuild hdir
	ver=$(pkgver "linux-headers-$abi")
	common=$(apt-cache show --no-all-versions "linux-headers-$abi" |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed -n 's/^ *\(linux-headers-[^ ]*-common\).*/\1/p' | head -n1)
	kbuild=$(apt-cache show --no-all-versions "linux-headers-$abi" |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p' | head -n1)
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		die "cannot read the dependencies of linux-headers-$abi"
	log "downloading linux-headers-$abi $common $kbuild ($ver)"
	dl=$(download "linux-headers-$abi=$ver" "$common=$ver" "$kbuild")
	tmp=$(mktemp -d "$kdir/headers.XXXXXX")
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$tmp"
	done
	hdir=$tmp/usr/src/linux-headers-$abi
	[ -f "$hdir/Makefile" ] || die "linux-headers-$abi has no Makefile"
	# The arch Makefile includes the -common one by absolute path.
	rm -rf "$kdir/headers"
	sed -i "s#^include /usr/src/#include $kdir/headers/usr/src/#" \
		"$hdir/Makefile"
	grep -q "^include $kdir/headers/" "$hdir/Makefile" ||
		die "unexpected $hdir/Makefile: $(cat "$hdir/Makefile")"
	rm -rf "$dl"
	mv "$tmp" "$kdir/headers"
}

# ------------------------------------------------------------- source
fetch_source() {
	local dl tmp ver src tarball
	src=linux-source-$series
	ver=$(pkgver "linux-image-$abi")
	if ! apt-cache madison "$src" | awk '{print $3}' | grep -qx "$ver"; then
		log "no $src=$ver, using the candidate $(pkgver "$src")"
		ver=$(pkgver "$src")
	fi
	[ -n "$ver" ] || die "apt knows no $src"
	log "downloading $src=$ver"
	dl=$(download "$src=$ver")
	tmp=$(mktemp -d "$kdir/src.XXXXXX")
	dpkg-deb --fsys-tarfile "$dl"/"$src"_*.deb |
		tar -x -C "$dl" --wildcards "./usr/src/$src.tar.*"
	tarball=$(ls "$dl/usr/src/$src".tar.*)
	tar -x -C "$tmp" --strip-components=1 -f "$tarball" --wildcards \
		"$src/scripts/*" \
		"$src/tools/testing/selftests/kselftest*.h" \
		"$src/Documentation/process/botching-up-ioctls.rst" \
		"$src/Documentation/gpu/drm-uapi.rst" \
		"$src/Makefile"
	[ -f "$tmp/scripts/checkpatch.pl" ] || die "$src has no checkpatch.pl"
	[ -f "$tmp/tools/testing/selftests/kselftest_harness.h" ] ||
		die "$src has no kselftest_harness.h"
	echo "$ver" >"$tmp/.version"
	rm -rf "$dl" "$kdir/src"
	mv "$tmp" "$kdir/src"
}

[ -s "$kdir/image/.package" ] || fetch_image
[ -f "$kdir/headers/usr/src/linux-headers-$abi/Makefile" ] || fetch_headers
[ -s "$kdir/src/.version" ] || fetch_source

cat >"$kcache/current.env.tmp" <<EOF
# written by tools/guest/fetch-kernel.sh
SUSHI_KABI='$abi'
SUSHI_KDIR='$kdir/headers/usr/src/linux-headers-$abi'
SUSHI_KIMAGE='$kdir/image/boot/vmlinuz-$abi'
SUSHI_KROOT='$kdir/image'
SUSHI_KMODDIR='$kdir/image/lib/modules/$abi'
SUSHI_KSRC='$kdir/src'
EOF
mv "$kcache/current.env.tmp" "$kcache/current.env"
echo "$abi"
