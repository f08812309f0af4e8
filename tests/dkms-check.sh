#!/bin/bash
# Prove dkms.conf works: add the sources under a throwaway version, build
# for every kernel given, and remove everything again.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VER=0.0.0-check$$
SRC=/usr/src/sluice-$VER

cleanup() {
	dkms remove "sluice/$VER" --all >/dev/null 2>&1 || true
	rm -rf "$SRC"
}
trap cleanup EXIT

# The tree `make dkms-install` and the sluice-dkms package install.
make -s -C "$ROOT" dkms-source VERSION="$VER" DESTDIR=
dkms add "sluice/$VER"
for k in "$@"; do
	dkms build "sluice/$VER" -k "$k"
	test -f "/var/lib/dkms/sluice/$VER/$k/x86_64/module/sluice.ko"* 
	echo "dkms build for $k: ok"
done
