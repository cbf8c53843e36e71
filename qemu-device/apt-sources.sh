#!/usr/bin/env bash
# apt-sources.sh - give apt the Debian source entries the QEMU build needs:
# deb-src for the release and deb + deb-src for <release>-backports, written
# as one separate file under /etc/apt/sources.list.d/.  The mirror URI and the
# signing key are taken from the machine's own apt sources (deb822 *.sources
# files or one-line sources.list entries); no host name lives in this repo.
# Idempotent: rewrites the file and runs apt-get update only when it changes.
set -euo pipefail

out=/etc/apt/sources.list.d/sushi-qemu-src.sources
. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}

# deb822: first stanza with Types containing "deb" whose Suites list the
# release itself; prints "URI<TAB>Signed-By".
from_deb822() {
	awk -v rel="$codename" '
	function flush() {
		if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " rel " ") && uri != "" && !done) {
			split(uri, u, " "); printf "%s\t%s\n", u[1], key; done = 1
		}
		types = ""; suites = ""; uri = ""; key = ""
	}
	/^[ \t]*#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0; next }
	/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0; next }
	/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uri = $0; next }
	/^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); key = $0; next }
	END { flush() }
	' "$@"
}

# one-line: "deb [opts] URI suite comps..."
from_oneline() {
	awk -v rel="$codename" '
	/^[ \t]*deb[ \t]/ {
		i = 2; key = ""
		if ($2 ~ /^\[/) {
			while (i <= NF) {
				if ($i ~ /^signed-by=/) { key = $i; sub(/^signed-by=/, "", key); sub(/\]$/, "", key) }
				if ($i ~ /\]$/) { i++; break }
				i++
			}
		}
		if ($(i + 1) == rel && !done) { printf "%s\t%s\n", $i, key; done = 1 }
	}' "$@"
}

found=""
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
	[ "$f" = "$out" ] && continue
	found=$(from_deb822 "$f")
	[ -n "$found" ] && break
done
if [ -z "$found" ]; then
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		found=$(from_oneline "$f")
		[ -n "$found" ] && break
	done
fi
if [ -z "$found" ]; then
	echo "apt-sources: no 'deb' entry for $codename in the apt sources" >&2
	exit 1
fi
uri=${found%%$'\t'*}
key=${found#*$'\t'}
keyline=""
[ -n "$key" ] && keyline="Signed-By: $key"

# The entries reuse the URI found above; printf keeps the format in one place.
entry() { # types suites
	printf 'Types: %s\nURIs: %s\nSuites: %s\nComponents: main\n%s\n' \
		"$1" "$uri" "$2" "$keyline"
}
new=$(printf '# Written by SUSHI qemu-device/apt-sources.sh (URI taken from this machine'"'"'s\n# own apt sources): QEMU'"'"'s source package lives in %s-backports.\n' "$codename"
	entry deb-src "$codename"
	echo
	entry "deb deb-src" "$codename-backports")
if [ -f "$out" ] && [ "$(cat "$out")" = "$new" ]; then
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
printf '%s\n' "$new" | $SUDO tee "$out" >/dev/null
echo "apt-sources: wrote $out (from $uri); apt-get update" >&2
$SUDO apt-get update -qq
