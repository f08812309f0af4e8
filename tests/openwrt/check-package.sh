#!/bin/bash
# The recipes of dist/openwrt/sluice/Makefile, run in a stand-in SDK
# (tests/openwrt/sdk-stub/: a TEST DOUBLE of rules.mk, kernel.mk and
# package.mk with the host's gcc, OpenWrt's usual target flags, and the
# host's 6.12 kernel headers for the target kernel):
#  - the version: the tree's VERSION file; a missing tree is an error;
#  - Build/Prepare + Build/Compile build sluice.ko and both programs from a
#    clean copy, with the target CFLAGS/LDFLAGS, and without compiler
#    warnings;
#  - the install recipe puts every file where the init script and procd
#    expect it; the programs report the package version.
# OpenWrt's real SDK is not run here (docs/openwrt.md).
# Ends with "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
# shellcheck source=tests/lib-count.sh
. "$ROOT/tests/lib-count.sh"

PKGDIR=$ROOT/dist/openwrt/sluice
SDK=$ROOT/tests/openwrt/sdk-stub
OUT=$ROOT/build/openwrt-package
KVER=
for d in /lib/modules/6.12.*/build; do
	[ -d "$d" ] && KVER=$(basename "$(dirname "$d")") && break
done
KDIR=/lib/modules/$KVER/build
[ -n "$KVER" ] || { fail "no 6.12 kernel headers in /lib/modules"; summary; }
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# verdict PASS_MSG FAIL_MSG CMD...: one count by CMD's status
verdict() {
	local p=$1 f=$2
	shift 2
	if "$@"; then pass "$p"; else fail "$f"; fi
}

pkgmake() {
	make --no-print-directory -C "$PKGDIR" TOPDIR="$SDK" STUB_OUT="$OUT" \
		STUB_LINUX_DIR="$KDIR" "$@"
}

# --- version ---------------------------------------------------------------
modver=$(cat VERSION)
got=$(pkgmake -s stub-print-PKG_VERSION 2>&1)
verdict "PKG_VERSION $got (from VERSION)" \
	"PKG_VERSION '$got', expected '$modver'" [ -n "$modver" -a "$got" = "$modver" ]
mkdir -p "$TMP/src/kmod"
cp kmod/main.c "$TMP/src/kmod/"
echo "9.8.7" >"$TMP/src/VERSION"
got=$(pkgmake -s stub-print-PKG_VERSION SLUICE_SRC="$TMP/src" 2>&1)
verdict "a VERSION file wins: PKG_VERSION $got" \
	"with VERSION 9.8.7: PKG_VERSION '$got'" [ "$got" = 9.8.7 ]
if msg=$(pkgmake -s stub-print-PKG_VERSION SLUICE_SRC="$TMP/none" 2>&1); then
	fail "SLUICE_SRC without a tree was accepted ($msg)"
else
	verdict "SLUICE_SRC without a tree: refused (${msg##*\*\*\* })" \
		"SLUICE_SRC without a tree: unclear error: $msg" \
		grep -q "no source tree" <<<"$msg"
fi

# --- build -----------------------------------------------------------------
log=$OUT/build.log
echo "building the package in $OUT (log: ${log#"$ROOT"/}; kernel $KVER)"
if pkgmake >"$log" 2>&1; then
	pass "Build/Prepare, Build/Compile, install: done"
else
	fail "the package build failed (log: ${log#"$ROOT"/})"
	tail -n 20 "$log" | sed 's/^/    /'
	summary
fi
warn=$(grep -E 'warning:' "$log" | grep -v 'Skipping BTF' | sort -u)
if [ -z "$warn" ]; then
	pass "no compiler warning with OpenWrt's flags (-Os, fortify, stack protector)"
else
	fail "compiler warnings with OpenWrt's flags (-Os ...): $(wc -l <<<"$warn")"
	while IFS= read -r l; do echo "    $l"; done <<<"$warn"
fi
ver=$(pkgmake -s stub-print-PKG_VERSION)
bdir=$OUT/build/sluice-$ver
for src in sluicectl.c main.c; do
	if grep -E "(^| )-c -o [^ ]*${src%.c}\.o [^ ]*$src\$" "$log" | grep -q -- '-Os -pipe'; then
		pass "$src compiled in the build directory with TARGET_CFLAGS"
	else
		fail "$src: no compile line with TARGET_CFLAGS in the log (host objects reused?)"
	fi
done
if grep -E -- '-o (sluicectl|sluiced) ' "$log" | grep -c -- '-Wl,-z,now -Wl,-z,relro' | grep -qx 2; then
	pass "both programs linked with TARGET_LDFLAGS"
else
	fail "the link lines lack TARGET_LDFLAGS"
fi

# --- installed files -------------------------------------------------------
r=$OUT/root-sluice
for f in "755 usr/sbin/sluicectl" "755 usr/sbin/sluiced" \
	"755 etc/init.d/sluice" "600 etc/config/sluice" \
	"644 etc/hotplug.d/iface/50-sluice" "644 usr/share/sluice/sluice-uci.sh"; do
	mode=${f%% *} path=${f#* }
	if [ -f "$r/$path" ] && [ "$(stat -c %a "$r/$path")" = "$mode" ]; then
		pass "sluice installs /$path ($mode)"
	else
		fail "sluice: /$path missing or not mode $mode"
	fi
done
# shellcheck disable=SC2016 # the literal text of the init script
inc=$(sed -n 's|^\. "${IPKG_INSTROOT}\(/.*\)"$|\1|p' "$PKGDIR/files/sluice.init")
verdict "the init script sources $inc, which is installed" \
	"the init script sources '$inc', not installed" test -n "$inc" -a -f "$r$inc"
for p in sluiced sluicectl; do
	v=$("$r/usr/sbin/$p" --version 2>&1 | head -n 1)
	verdict "$p --version: $v" "$p --version: '$v', expected $ver" \
		grep -qF -- "$ver" <<<"$v"
done
ko=$OUT/root-kmod-sluice/lib/modules/sluice.ko
vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
verdict "kmod-sluice: sluice.ko for $KVER" \
	"kmod-sluice: sluice.ko missing or for '${vm%% *}'" [ "${vm%% *}" = "$KVER" ]
kv=$(modinfo -F version "$ko" 2>/dev/null)
verdict "kmod-sluice: sluice.ko version $kv" \
	"kmod-sluice: sluice.ko version '$kv', expected $modver" [ "$kv" = "$modver" ]
[ -d "$bdir" ] || fail "no build directory $bdir"

summary
