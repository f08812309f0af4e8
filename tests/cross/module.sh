#!/bin/bash
# Cross-build sluice.ko for ARCH (arm64 or mipsel) against Debian's own
# kernel headers of that architecture, W=1, and fail on any warning or on
# a module that is not what that kernel loads (ELF machine, endianness,
# vermagic).
#
# Usage: tests/cross/module.sh ARCH
# Output: build/cross/ARCH/KVER/sluice.ko (a copy of the tree per kernel,
# as `make modules` does for the host's kernels).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/cross/lib.sh
. "$ROOT/tests/cross/lib.sh"

[ $# -eq 1 ] || cross_die "usage: $0 ARCH"
arch=$1
cross_target "$arch"
command -v "${CROSS_COMPILE}gcc" >/dev/null ||
	cross_die "no ${CROSS_COMPILE}gcc (tests/cross/deps.sh)"
kdir=$(cross_headers "$arch")
kver=$(basename "$kdir")
kver=${kver#linux-headers-}

out=$ROOT/build/cross/$arch/$kver
mkdir -p "$out/kmod/uapi/linux"
cp -u "$ROOT/Kbuild" "$ROOT/VERSION" "$out/"
cp -u "$ROOT"/kmod/*.c "$ROOT"/kmod/*.h "$ROOT"/kmod/*.sh "$out/kmod/"
cp -u "$ROOT"/kmod/uapi/linux/*.h "$out/kmod/uapi/linux/"

log=$(make -C "$kdir" M="$out" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE" \
	W=1 modules 2>&1) || {
	echo "$log"
	cross_die "module build for $arch ($kver) failed"
}
echo "$log"
# Zero warnings, W=1 included (no vmlinux in a headers package: no BTF).
if grep -E 'warning:|Warning:' <<<"$log" | grep -v 'Skipping BTF'; then
	cross_die "module build for $arch ($kver) has warnings"
fi

ko=$out/sluice.ko
desc=$(file -b "$ko")
echo "file: $desc"
grep -Eq "^$ELF" <<<"$desc" ||
	cross_die "$ko is not a $arch object (want: $ELF)"
vermagic=$(modinfo -F vermagic "$ko")
echo "vermagic: $vermagic"
[ "${vermagic%% *}" = "$kver" ] ||
	cross_die "$ko has vermagic '$vermagic', not $kver"
echo "sluice cross: $ko built for $arch ($kver)"
