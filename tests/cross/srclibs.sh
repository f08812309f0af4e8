#!/bin/bash
# Build json-c and cmocka from Debian's source packages for TARGET (mips:
# big-endian, which Debian no longer builds; musl: amd64 with musl-gcc)
# into $CACHE/srclibs/TARGET/usr, once per source version.
#
# The sources come through apt-get source with a deb-src list of the
# cache's own (the host's apt configuration is left alone).  libmnl is
# not built: the package registry here answers 404 for its source
# tarballs (bookworm's 1.0.4 and trixie's 1.0.5), so nothing that links
# libmnl can be built for these targets.
#
# Usage: tests/cross/srclibs.sh mips|musl
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/cross/lib.sh
. "$ROOT/tests/cross/lib.sh"

[ $# -eq 1 ] || cross_die "usage: $0 mips|musl"
target=$1
case $target in
mips)
	cross_target mips
	cc=${CROSS_COMPILE}gcc
	;;
musl) cc=musl-gcc ;;
*) cross_die "srclibs: unknown target '$target'" ;;
esac
command -v "$cc" >/dev/null || cross_die "no $cc (tests/cross/deps.sh)"
LIBS=(json-c cmocka)

# --- the sources ------------------------------------------------------
apt=$CACHE/apt-src
mkdir -p "$apt/lists/partial" "$apt/parts" "$CACHE/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
	>"$apt/sources.list"
A=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache::pkgcache="
	-o "Dir::Cache::srcpkgcache=")
if ! ls "$apt"/lists/*Sources* >/dev/null 2>&1; then
	apt-get "${A[@]}" update -qq ||
		cross_die "apt-get update of the deb-src list failed"
fi
srcdir() { # srcdir NAME: the unpacked source of NAME's current version
	local v
	v=$(apt-cache "${A[@]}" showsrc "$1" | awk '$1 == "Version:" {print $2; exit}')
	[ -n "$v" ] || cross_die "no source package $1"
	v=${v#*:}
	echo "$CACHE/src/$1-${v%-*}"
}
for l in "${LIBS[@]}"; do
	d=$(srcdir "$l")
	if [ ! -d "$d" ]; then
		(cd "$CACHE/src" && apt-get "${A[@]}" source -q "$l" >&2) ||
			cross_die "apt-get source $l failed"
		[ -d "$d" ] || cross_die "apt-get source $l: no $d"
	fi
done

# --- build ------------------------------------------------------------
sr=$CACHE/srclibs/$target
want=$(for l in "${LIBS[@]}"; do srcdir "$l"; done; echo "$cc")
if [ -f "$sr/.stamp" ] && [ "$(cat "$sr/.stamp")" = "$want" ]; then
	exit 0
fi
rm -rf "$sr" "$CACHE/srclibs/build-$target"
mkdir -p "$sr/usr"
tc=$CACHE/srclibs/build-$target/toolchain.cmake
mkdir -p "${tc%/*}"
{
	echo "set(CMAKE_SYSTEM_NAME Linux)"
	[ "$target" = mips ] && echo "set(CMAKE_SYSTEM_PROCESSOR mips)"
	echo "set(CMAKE_C_COMPILER $cc)"
	echo "set(CMAKE_FIND_ROOT_PATH $sr/usr)"
} >"$tc"
for l in "${LIBS[@]}"; do
	b=$CACHE/srclibs/build-$target/$l
	opts=()
	case $l in
	json-c) opts=(-DBUILD_TESTING=OFF -DBUILD_STATIC_LIBS=OFF -DDISABLE_WERROR=ON) ;;
	cmocka) opts=(-DUNIT_TESTING=OFF -DWITH_EXAMPLES=OFF) ;;
	esac
	echo "sluice cross: building $l for $target" >&2
	if ! { cmake -S "$(srcdir "$l")" -B "$b" -DCMAKE_TOOLCHAIN_FILE="$tc" \
		-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$sr/usr" \
		-DCMAKE_INSTALL_LIBDIR=lib "${opts[@]}" &&
		cmake --build "$b" -j2 && cmake --install "$b"; } >"$b.log" 2>&1; then
		tail -n 30 "$b.log" >&2
		cross_die "$l for $target failed (log: $b.log)"
	fi
done
printf '%s' "$want" >"$sr/.stamp"
