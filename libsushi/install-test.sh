#!/bin/bash
# libsushi/install-test.sh - checks an installed libsushi as its users meet
# it: the DESTDIR tree `make libsushi-install DESTDIR=DIR/root PREFIX=/usr`
# made (files, soname links, a .pc naming /usr, not DESTDIR), then a second
# install straight into DIR/prefix whose pkg-config file builds and runs
# libsushi/tests/install_consumer.c against the shared library (which it
# must need) and against the static archive (which it must not).
#
# Usage: install-test.sh DIR SUPERNET_FILE   (run from the checkout's top)
set -euo pipefail

dir=$1 sn=$2
root=$dir/root prefix=$dir/prefix
n=0 fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		fail=$((fail + 1))
	fi
}

check "DESTDIR: shared library" test -x "$root/usr/lib/libsushi.so.0.1.0"
check "DESTDIR: soname link" test "$(readlink "$root/usr/lib/libsushi.so.0")" = libsushi.so.0.1.0
check "DESTDIR: dev link" test "$(readlink "$root/usr/lib/libsushi.so")" = libsushi.so.0
check "DESTDIR: static archive" test -f "$root/usr/lib/libsushi.a"
check "DESTDIR: headers" test -f "$root/usr/include/sushi/device.h" -a -f "$root/usr/include/sushi/sushi_model_cost.h" -a ! -e "$root/usr/include/sushi/sushi_model.h"
check "DESTDIR: .pc names the prefix, not DESTDIR" grep -qx 'prefix=/usr' "$root/usr/lib/pkgconfig/libsushi.pc"
check "DESTDIR: nothing outside DESTDIR/PREFIX" test -z "$(find "$root" -mindepth 1 -maxdepth 1 ! -name usr)"
check "soname is libsushi.so.0" bash -c "readelf -d '$root/usr/lib/libsushi.so.0.1.0' | grep -q 'SONAME.*\[libsushi.so.0\]'"

make --no-print-directory -s libsushi-install PREFIX="$prefix" LIBDIR="$prefix/lib"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
check "pkg-config knows libsushi 0.1.0" test "$(pkg-config --modversion libsushi)" = 0.1.0
# shellcheck disable=SC2046
check "builds with pkg-config and the installed headers only" \
	${CC:-cc} -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libsushi) \
	libsushi/tests/install_consumer.c $(pkg-config --libs libsushi) -o "$dir/consumer"
check "needs libsushi.so.0" bash -c "readelf -d '$dir/consumer' | grep -q 'NEEDED.*\[libsushi.so.0\]'"
check "runs against the shared library" env LD_LIBRARY_PATH="$prefix/lib" "$dir/consumer" "$sn"
# shellcheck disable=SC2046
check "builds against the static archive" \
	${CC:-cc} -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libsushi) \
	libsushi/tests/install_consumer.c "$prefix/lib/libsushi.a" \
	$(pkg-config --libs libdrm libcjson) -lm -o "$dir/consumer-static"
check "which does not need libsushi.so" bash -c "! readelf -d '$dir/consumer-static' | grep -q libsushi"
check "and runs" "$dir/consumer-static" "$sn"
echo "1..$n"
echo "# install: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
