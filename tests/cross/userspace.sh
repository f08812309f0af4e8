#!/bin/bash
# Cross-build the userspace (sluicectl, sluiced; or tests/tools) for TARGET,
# -Werror, and fail on any warning; tests/cross/unit.sh then builds and
# runs the cmocka unit tests with the same toolchain.
#
# Usage: tests/cross/userspace.sh TARGET [programs|tools]
#   programs (default): sluicectl and sluiced; tools: tests/tools.
#   arm64, mipsel  Debian's cross compiler; libmnl, json-c and cmocka of
#                  that architecture from Debian's packages, unpacked
#                  into a sysroot in the cache (with libc6, for qemu -L).
#   mips           big-endian; Debian has no packages of it: json-c and
#                  cmocka built from Debian's source (srclibs.sh).
#   musl           amd64 with musl-gcc (musl-tools); same libraries.
# libmnl's source is not to be had from the package registry here, so for
# mips and musl every userspace object is compiled (-Werror) but nothing
# that needs libmnl is linked.
#
# Output: build/cross/TARGET/src, a copy of the tree built there.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/cross/lib.sh
. "$ROOT/tests/cross/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	cross_die "usage: $0 TARGET [programs|tools]"
fi
target=$1
part=${2:-programs}
case $part in
programs | tools) ;;
*) cross_die "usage: $0 TARGET [programs|tools]" ;;
esac
out=$ROOT/build/cross/$target
src=$out/src
mkdir -p "$out"

# --- toolchain and libraries ------------------------------------------
have_mnl=1
case $target in
arm64 | mipsel)
	cross_target "$target"
	cc=${CROSS_COMPILE}gcc
	sr=$CACHE/sysroot/$target
	cross_fetch "$sr" "libc6:$DEBARCH" \
		"libmnl0:$DEBARCH" "libmnl-dev:$DEBARCH" \
		"libjson-c5:$DEBARCH" "libjson-c-dev:$DEBARCH" \
		"libcmocka0:$DEBARCH" "libcmocka-dev:$DEBARCH"
	libdir=$sr/usr/lib/$TRIPLET
	rpath=
	;;
mips | musl)
	"$ROOT/tests/cross/srclibs.sh" "$target"
	sr=$CACHE/srclibs/$target
	libdir=$sr/usr/lib
	# The libraries are found at run time where they were built.
	rpath=-Wl,-rpath=$libdir
	have_mnl=0
	if [ "$target" = mips ]; then
		cross_target mips
		cc=${CROSS_COMPILE}gcc
	else
		cc=musl-gcc
	fi
	;;
*)
	cross_die "unknown target '$target' (arm64, mipsel, mips, musl)"
	;;
esac
command -v "$cc" >/dev/null || cross_die "no $cc (tests/cross/deps.sh)"
inc=$sr/usr/include

# pkg-config for the target: only the sysroot's .pc files, paths in it.
cat >"$out/pkg-config" <<EOF
#!/bin/sh
PKG_CONFIG_LIBDIR=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$sr \\
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 \\
exec pkg-config "\$@"
EOF
chmod +x "$out/pkg-config"

extra=()
if [ "$have_mnl" = 0 ]; then
	# libmnl's header only (from the host's libmnl-dev: it is the same
	# for every architecture), so that every object compiles.
	mkdir -p "$out/include/libmnl"
	cp -u /usr/include/libmnl/libmnl.h "$out/include/libmnl/"
	extra+=("-I$out/include")
	printf 'Name: libmnl\nDescription: header only\nVersion: 1.0.4\nCflags:\nLibs:\n' \
		>"$libdir/pkgconfig/libmnl.pc"
fi
if [ "$target" = musl ]; then
	# musl-gcc searches only musl's headers: add the kernel's uapi.
	k=$out/kernel-include
	mkdir -p "$k"
	ln -sfn /usr/include/linux "$k/linux"
	ln -sfn /usr/include/asm-generic "$k/asm-generic"
	ln -sfn /usr/include/x86_64-linux-gnu/asm "$k/asm"
	extra+=("-isystem" "$k")
fi

# --- a copy of the tree (timestamps kept: make rebuilds what changed) --
# Sources only: the host's objects and programs must not come along.
mkdir -p "$src"
(cd "$ROOT" && find userspace kmod tests/unit tests/tools -type f \
	\( -name '*.[ch]' -o -name '*.mk' -o -name Makefile \) \
	-exec cp -a -u --parents -t "$src" {} +)
cp -a -u "$ROOT/VERSION" "$src/"
# The unit tests read the real lists at ROOT/../shared.
[ -d "$ROOT/../shared" ] && ln -sfn "$ROOT/../shared" "$out/shared"

# CFLAGS from the environment reach tests/unit and tests/tools (their
# Makefiles use ?= and +=); userspace takes CFLAGS and LDFLAGS after its
# own flags, and WERROR=1 makes warnings errors everywhere.
flags="-O2 -g ${extra[*]} -I$inc -L$libdir -Wl,-rpath-link=$libdir $rpath"
ar=${cc%gcc}ar
[ "$target" = musl ] && ar='ar'
mk=(make --no-print-directory CC="$cc" AR="$ar"
	PKG_CONFIG="$out/pkg-config")
pr() { # pr DIR VAR: a variable of DIR's Makefile
	make -s --no-print-directory -C "$1" -f Makefile \
		-f "$ROOT/tests/cross/print.mk" "cross-print-$2"
}

case $target in
musl) want='ELF 64-bit LSB .*x86-64' ;;
*) want=$ELF ;;
esac
# For unit.sh: how to build for this target.
{
	printf 'cc=%q flags=%q have_mnl=%q want=%q\n' "$cc" "$flags" "$have_mnl" "$want"
	printf 'mk=(%s)\n' "$(printf '%q ' "${mk[@]}")"
} >"$out/env.sh"

log=$out/build-$part.log
: >"$log"
run() {
	echo "+ $*" >>"$log"
	"$@" >>"$log" 2>&1 || {
		tail -n 40 "$log"
		cross_die "$target: $part: build failed (log: ${log#"$ROOT"/})"
	}
}

bins=()
case $part-$have_mnl in
programs-1)
	run "${mk[@]}" -C "$src/userspace" CFLAGS="-O2 -g ${extra[*]}" WERROR=1 \
		LDFLAGS="-Wl,-rpath-link=$libdir"
	run "${mk[@]}" -C "$src/userspace/sluiced" CFLAGS="-O2 -g ${extra[*]}" WERROR=1 \
		LDFLAGS="-Wl,-rpath-link=$libdir"
	bins+=("$src/userspace/sluicectl" "$src/userspace/sluiced/sluiced")
	;;
programs-0)
	# shellcheck disable=SC2046
	run "${mk[@]}" -C "$src/userspace" CFLAGS="-O2 -g ${extra[*]}" WERROR=1 \
		$(pr "$src/userspace" LIB_OBJS) \
		$(pr "$src/userspace" SLUICECTL_OBJS)
	# shellcheck disable=SC2046
	run "${mk[@]}" -C "$src/userspace/sluiced" CFLAGS="-O2 -g ${extra[*]}" WERROR=1 \
		$(pr "$src/userspace/sluiced" OBJS)
	;;
tools-1)
	CFLAGS=$flags run "${mk[@]}" WERROR=1 -C "$src/tests/tools"
	for t in $(pr "$src/tests/tools" TOOLS); do
		bins+=("$src/tests/tools/$t")
	done
	;;
tools-0)
	tools=()
	for c in "$src"/tests/tools/*.c; do
		c=${c##*/}
		tools+=("${c%.c}.o")
	done
	CFLAGS=$flags run "${mk[@]}" WERROR=1 -C "$src/tests/tools" "${tools[@]}"
	;;
esac

# Zero warnings.
if grep -E 'warning:' "$log"; then
	cross_die "$target: $part: the build has warnings (log: ${log#"$ROOT"/})"
fi

# What was linked is for the target.
for b in "${bins[@]}"; do
	d=$(file -b "$b")
	grep -Eq "^$want" <<<"$d" || cross_die "$b is '$d', not $want"
	if [ "$target" = musl ]; then
		readelf -l "$b" | grep -q 'ld-musl' ||
			cross_die "$b is not linked against musl"
	fi
done
if [ "$have_mnl" = 1 ]; then
	echo "sluice cross: $target: $part: ${#bins[@]} programs built, no" \
		"warning (log: ${log#"$ROOT"/})"
	[ "$part" = tools ] ||
		"${ar%ar}size" "$src/userspace/sluicectl" "$src/userspace/sluiced/sluiced"
else
	echo "sluice cross: $target: $part: every object compiled, no warning;" \
		"no libmnl: nothing linked"
fi
