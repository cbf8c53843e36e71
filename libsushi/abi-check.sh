#!/bin/bash
# libsushi/abi-check.sh - the shared library exports exactly the public API:
# the functions declared in the installed headers (found by the compiler,
# gcc -aux-info), the global names of the version script and the dynamic
# symbols of the library must be the same three sets.
#
# Usage: abi-check.sh LIBSUSHI_SO VERSION_SCRIPT HEADER...
# (ABI_CFLAGS: the -I options the headers need)
set -euo pipefail

so=$1 map=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for h in "$@"; do echo "#include \"$(realpath "$h")\""; done > "$tmp/all.c"
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -fsyntax-only -aux-info "$tmp/aux" ${ABI_CFLAGS:-} "$tmp/all.c"
# prototypes the public headers declare (not static inline helpers)
# (a header reached through another's #include is named by its -I path:
# match on the file name)
grep -E -f <(for h in "$@"; do printf '^/\\* ([^ ]*/)?%s:\n' "$(basename "$h")"; done) "$tmp/aux" |
	grep ' extern ' |
	sed -E 's/.*[ *]([A-Za-z_][A-Za-z_0-9]*) \(.*/\1/' | sort -u > "$tmp/headers"
# global: names of the version script
sed -n '/global:/,/local:/p' "$map" | grep -oE '^[[:space:]]*[A-Za-z_][A-Za-z_0-9]*;' |
	tr -d ' \t;' | sort -u > "$tmp/map"
# what the library exports
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWi]$/ { sub(/@.*/, "", $3); print $3 }' |
	sort -u > "$tmp/so"

rc=0
if ! diff -u "$tmp/headers" "$tmp/map" > "$tmp/d1"; then
	echo "not ok - $map differs from the public headers (- headers, + map):"
	sed 1,2d "$tmp/d1" | grep '^[-+]'
	rc=1
fi
if ! diff -u "$tmp/map" "$tmp/so" > "$tmp/d2"; then
	echo "not ok - $(basename "$so") exports differ from $map (- map, + exported):"
	sed 1,2d "$tmp/d2" | grep '^[-+]'
	rc=1
fi
[ $rc -eq 0 ] && echo "ok - $(basename "$so") exports exactly the $(wc -l < "$tmp/map") functions of the public headers"
exit $rc
