#!/usr/bin/env bash
# mkinitramfs.sh - build the guest initramfs (newc cpio) for run-guest.sh:
# busybox-static, tools/guest/init.sh as /init, the driver module and the
# kernel modules it depends on (decompressed, in load order from the cached
# kernel's modules.dep), the test binaries and the shared libraries they use,
# and data files the tests read.
#
# Usage: mkinitramfs.sh -o OUT.cpio -m test|info|cmd [-k sushi.ko]
#                       [-t TEST_BINARY]... [-b EXTRA_BINARY]... [-d FILE]...
#                       [-c COMMAND]
# Test binaries go to /tests and run in the order given; extra binaries go to
# /bin; data files to /data/NAME (NAME: the file's base name).  Mode cmd runs
# COMMAND (a shell command line, e.g. "/bin/sushictl serve -n 2000") once the
# driver is loaded; its exit status is the guest's.
# Needs $SUSHI_CACHE/kernel/current.env (fetch-kernel.sh), or the kernel env
# file named by SUSHI_KENV (e.g. the debug kernel's, written by
# debug-kernel/build-debug-kernel.sh): the module must be built for that
# kernel, and its dependencies come from that kernel's module tree (none when
# they are built in, as in the debug kernel).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }
usage() { die "usage: $0 -o OUT -m test|info|cmd [-k MODULE] [-t TEST]... [-b BIN]... [-d FILE]... [-c COMMAND]"; }

out="" mode="" kmod="" cmd=""
tests=() bins=() datas=()
while getopts "o:m:k:t:b:d:c:" opt; do
	case $opt in
	o) out=$OPTARG ;;
	m) mode=$OPTARG ;;
	k) kmod=$OPTARG ;;
	t) tests+=("$OPTARG") ;;
	b) bins+=("$OPTARG") ;;
	d) datas+=("$OPTARG") ;;
	c) cmd=$OPTARG ;;
	*) usage ;;
	esac
done
[ -n "$out" ] || usage
case $mode in test | info) ;; cmd) [ -n "$cmd" ] || usage ;; *) usage ;; esac

"$top/tools/setup/apt-deps.sh" busybox-static cpio kmod xz-utils
kenv=${SUSHI_KENV:-$cache/kernel/current.env}
[ -f "$kenv" ] || die "no $kenv (run tools/guest/fetch-kernel.sh first)"
# shellcheck source=/dev/null
. "$kenv"

root=$(mktemp -d "${TMPDIR:-/tmp}/sushi-initramfs.XXXXXX")
# mktemp makes it 0700: the guest's / must be searchable by ordinary users
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,data,dev,proc,sys,tmp,etc/sushi,lib/modules,tests}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
file -L "$root/bin/busybox" 2>/dev/null | grep -q 'dynamically' &&
	die "/bin/busybox is not static (install busybox-static)"
install -m 755 "$here/init.sh" "$root/init"
echo "$mode" >"$root/etc/sushi/mode"
[ -z "$cmd" ] || printf '%s\n' "$cmd" >"$root/etc/sushi/command"

# ---------------------------------------------------------------- modules
# modprobe --show-depends lists "insmod PATH" lines in load order.
declare -A seen=()
order=()
add_module() { # module name in the cached kernel, with its dependencies
	local line path name
	while read -r line; do
		case $line in
		insmod\ *) path=${line#insmod }; path=${path%% *} ;;
		builtin\ *) continue ;;
		*) die "modprobe: $line" ;;
		esac
		name=$(basename "$path")
		name=${name%.xz}
		name=${name%.zst}
		name=${name%.ko}
		[ -z "${seen[$name]:-}" ] || continue
		seen[$name]=1
		case $path in
		*.ko.xz) xz -dc "$path" >"$root/lib/modules/$name.ko" ;;
		*.ko.zst) zstd -qdc "$path" >"$root/lib/modules/$name.ko" ;;
		*.ko) cp "$path" "$root/lib/modules/$name.ko" ;;
		*) die "unknown module format: $path" ;;
		esac
		order+=("$name")
	done < <(modprobe -d "$SUSHI_KROOT" -S "$SUSHI_KABI" --show-depends "$1" ||
		die "cannot resolve module $1 in $SUSHI_KROOT")
}

if [ -n "$kmod" ]; then
	[ -f "$kmod" ] || die "no module $kmod"
	kname=$(modinfo -F name "$kmod")
	vermagic=$(modinfo -F vermagic "$kmod")
	case $vermagic in
	"$SUSHI_KABI "*) ;;
	*) die "$kmod is built for '$vermagic', the guest runs $SUSHI_KABI" ;;
	esac
	IFS=, read -r -a deps <<<"$(modinfo -F depends "$kmod")"
	for d in "${deps[@]}"; do
		[ -n "$d" ] && add_module "$d"
	done
	cp "$kmod" "$root/lib/modules/$kname.ko"
	order+=("$kname")
	echo "$kname" >"$root/etc/sushi/unload"
fi
printf '%s\n' "${order[@]}" >"$root/etc/sushi/modules"

# ------------------------------------------------------ binaries and libs
copy_libs() { # the shared libraries (and loader) a binary needs
	local lib
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
: >"$root/etc/sushi/tests"
for t in "${tests[@]}"; do
	[ -x "$t" ] || die "no test binary $t"
	install -m 755 "$t" "$root/tests/"
	basename "$t" >>"$root/etc/sushi/tests"
	copy_libs "$t"
done
for b in "${bins[@]}"; do
	[ -x "$b" ] || die "no binary $b"
	install -m 755 "$b" "$root/bin/"
	copy_libs "$b"
done
for d in "${datas[@]}"; do
	[ -f "$d" ] || die "no data file $d"
	[ ! -e "$root/data/$(basename "$d")" ] || die "two data files named $(basename "$d")"
	install -m 644 "$d" "$root/data/"
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet -R 0:0) >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB; modules: ${order[*]:-none})" >&2
