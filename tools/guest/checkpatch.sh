#!/usr/bin/env bash
# checkpatch.sh - run the kernel's checkpatch.pl --strict (from the cached
# Debian linux-source, see fetch-kernel.sh) on the given files; exits
# non-zero if it reports anything at all.
# Usage: checkpatch.sh FILE...
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
[ -f "$cache/kernel/current.env" ] || "$here/fetch-kernel.sh" >/dev/null
# shellcheck source=/dev/null
. "$cache/kernel/current.env"
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }

status=0
for f in "$@"; do
	ignore=()
	# The compat header of an out-of-tree module is the one place where
	# version checks belong; checkpatch's rule against them is for code
	# merged into the kernel it runs on.
	case $f in
	*/sushi_compat.h) ignore=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON) ;;
	esac
	if ! out=$(perl "$SUSHI_KSRC/scripts/checkpatch.pl" --strict --no-tree \
		--no-summary --quiet --show-types --color=never "${ignore[@]}" \
		-f "$f" 2>&1); then
		status=1
	fi
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
[ "$status" -eq 0 ] && echo "checkpatch: $# files clean"
exit "$status"
