#!/bin/bash
# Build (once, cached) the sluice debug kernel: Debian's linux-source-6.12 with
# KASAN, UBSAN, KMEMLEAK, lockdep, DEBUG_OBJECTS, fault injection, and the
# netfilter/veth/ppp/9p support the VM suite needs built in.  See
# docs/testing.md ("Debug kernel").
#
# usage: tests/debug/build-kernel.sh [-q]
#   -q  print only the build tree path on stdout (progress goes to stderr)
# On success prints the build tree path (usable as KDIR and as tests/vm/run -K
# argument) and points $CACHE/current at it.
#
# Cache (outside the repo, survives `git clean`):
#   $CACHE/src-<version>/      extracted source, shared by all builds
#   $CACHE/build-<key>/        O= build tree; <key> hashes the config fragment
#                              and source version, so editing debug.config
#                              gives a fresh tree and an unchanged one is reused
#     vmlinux, arch/x86/boot/bzImage, include/config/kernel.release
#     modroot/lib/modules/<release>/  modules_install output (modules.builtin)
#     sluice-build.log, sluice-build-seconds, sluice-done
# Environment: SLUICE_DEBUG_CACHE (default /var/cache/sluice/debug-kernel),
#   SLUICE_DEBUG_SRC (default /usr/src/linux-source-6.12.tar.xz),
#   SLUICE_DEBUG_JOBS (default 2; the build always runs under nice -n 19).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/debug.config
CACHE=${SLUICE_DEBUG_CACHE:-/var/cache/sluice/debug-kernel}
TARBALL=${SLUICE_DEBUG_SRC:-/usr/src/linux-source-6.12.tar.xz}
JOBS=${SLUICE_DEBUG_JOBS:-2}
quiet=0
[[ ${1:-} == -q ]] && quiet=1

info() { echo "debug-kernel: $*" >&2; }
die() {
	echo "debug-kernel: error: $*" >&2
	exit 1
}

[[ -f $TARBALL ]] || die "$TARBALL missing (apt-get install linux-source-6.12)"
[[ -f $FRAGMENT ]] || die "$FRAGMENT missing"
for t in gcc make flex bison bc perl depmod; do
	command -v "$t" >/dev/null || die "$t not installed (make deps)"
done
[[ -f /usr/include/libelf.h ]] || die "libelf-dev not installed"
[[ -f /usr/include/openssl/ssl.h ]] || die "libssl-dev not installed"

# Source version: the Debian package version when the tarball is the packaged
# one, else the tarball's size and mtime.
srcver=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || true)
[[ $TARBALL == /usr/src/linux-source-6.12.tar.xz && -n $srcver ]] ||
	srcver=$(stat -c '%s-%Y' "$TARBALL")
srcver=${srcver//[^A-Za-z0-9.+-]/_} # "~" and friends stay out of make's way
key=$({
	echo "$srcver"
	cat "$FRAGMENT"
} | sha256sum | cut -c1-16)
SRC=$CACHE/src-$srcver
OUT=$CACHE/build-$key

finish() {
	ln -sfn "build-$key" "$CACHE/current.tmp.$$"
	mv -T "$CACHE/current.tmp.$$" "$CACHE/current"
	((quiet)) || info "kernel $(cat "$OUT/include/config/kernel.release") in $OUT" \
		"(last build: $(cat "$OUT/sluice-build-seconds")s wall," \
		"$(cat "$OUT/sluice-build-cpu-seconds")s CPU)"
	echo "$OUT"
	exit 0
}

mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
flock 9 # one builder at a time; a second caller waits and then reuses

[[ -f $OUT/sluice-done ]] && finish

# ---- source ------------------------------------------------------------------
if [[ ! -f $SRC/Makefile ]]; then
	info "extracting $TARBALL into $SRC"
	rm -rf "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	tar -xJf "$TARBALL" -C "$SRC.tmp" --strip-components=1
	mv -T "$SRC.tmp" "$SRC"
fi

# ---- configure -------------------------------------------------------------
# A tree of an earlier fragment (same source) is reused: kbuild tracks which
# objects depend on which option, so only those are rebuilt.  Other trees
# are never used again (a few GB each).
for d in "$CACHE"/src-*; do
	[[ -d $d && $d != "$SRC" ]] || continue
	info "removing stale $d"
	rm -rf "$d"
done
if [[ ! -d $OUT ]]; then
	# shellcheck disable=SC2012
	old=$(ls -1td "$CACHE"/build-* 2>/dev/null | head -n1 || true)
	if [[ -n $old && $(cat "$old/sluice-src" 2>/dev/null) == "$srcver" ]]; then
		info "reusing $old (only objects the config change touches are rebuilt)"
		mv -T "$old" "$OUT"
		rm -f "$OUT/sluice-done"
	fi
fi
for d in "$CACHE"/build-*; do
	[[ -d $d && $d != "$OUT" ]] || continue
	info "removing stale $d"
	rm -rf "$d"
done
mkdir -p "$OUT"
echo "$srcver" >"$OUT/sluice-src"
# defconfig, then the fragment on top, then olddefconfig resolves the rest.
kmake() { nice -n 19 make -C "$SRC" O="$OUT" "$@"; }
info "configuring in $OUT"
kmake -s defconfig >&2
(cd "$OUT" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "$FRAGMENT") \
	>"$OUT/sluice-merge.log" 2>&1 || {
	cat "$OUT/sluice-merge.log" >&2
	die "merge_config.sh failed"
}
kmake -s olddefconfig >&2

# Every "CONFIG_X=v" of the fragment must have survived, every "# CONFIG_X is
# not set" must be off: a dependency kconfig silently dropped is a loud error.
missing=()
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		grep -qxF "$line" "$OUT/.config" ||
			missing+=("${BASH_REMATCH[1]}: wanted ${BASH_REMATCH[2]}, got $(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$OUT/.config" || echo unset)")
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		! grep -qE "^${BASH_REMATCH[1]}=[ym]" "$OUT/.config" ||
			missing+=("${BASH_REMATCH[1]}: wanted off, got $(grep -E "^${BASH_REMATCH[1]}=" "$OUT/.config")")
	fi
done <"$FRAGMENT"
if ((${#missing[@]})); then
	printf 'debug-kernel:   %s\n' "${missing[@]}" >&2
	die "${#missing[@]} option(s) of $FRAGMENT did not end up as requested (see above; config in $OUT/.config)"
fi

# ---- build -------------------------------------------------------------------
info "building with -j$JOBS under nice -n 19 (log: $OUT/sluice-build.log)"
# wall, user and system seconds: on a shared machine the CPU time says more
# about the build than the wall time does
TIMEFORMAT='%0R %0U %0S'
if ! { time kmake -j"$JOBS" bzImage modules >"$OUT/sluice-build.log" 2>&1; } 2>"$OUT/sluice-build-time"; then
	tail -n 40 "$OUT/sluice-build.log" >&2
	die "kernel build failed (full log: $OUT/sluice-build.log)"
fi
read -r wall usr sys <"$OUT/sluice-build-time"
echo "$wall" >"$OUT/sluice-build-seconds"
echo "$((usr + sys))" >"$OUT/sluice-build-cpu-seconds"
rm -rf "$OUT/modroot"
kmake -s INSTALL_MOD_PATH="$OUT/modroot" INSTALL_MOD_STRIP=1 modules_install \
	>>"$OUT/sluice-build.log" 2>&1 || die "modules_install failed (log: $OUT/sluice-build.log)"
[[ -f $OUT/vmlinux && -f $OUT/arch/x86/boot/bzImage ]] || die "no vmlinux/bzImage in $OUT"
: >"$OUT/sluice-done"
finish
