#!/usr/bin/env bash
# apt-deps.sh - install Debian packages by name when they are missing.
# Usage: apt-deps.sh PACKAGE...   (runs apt-get as root; no-op when all present)
# Every build and test entry point calls this, so a fresh Debian 12 machine
# needs nothing installed by hand.
set -euo pipefail
missing=()
for p in "$@"; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "apt-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/sushi-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ]; then
	$SUDO apt-get update -qq -o DPkg::Lock::Timeout=600 || true
	$SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp"
fi
$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
