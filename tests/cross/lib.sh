# shellcheck shell=bash
# Shared by the cross-build scripts of tests/cross/: the targets, the
# cache of Debian packages of foreign architectures, and fetching them.
#
# Foreign packages are never installed: `apt-get download` fetches them
# into $CACHE/debs and `dpkg -x` unpacks them into a directory of the
# cache (kernel headers: $CACHE/hdr/ARCH, libraries: $CACHE/sysroot/ARCH).
# SLUICE_CROSS_CACHE moves the cache (default /var/cache/sluice/cross).

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CACHE=${SLUICE_CROSS_CACHE:-/var/cache/sluice/cross}
# The Debian kernel series the module is built against.
KSERIES=6.1.0
KBUILD=/usr/lib/linux-kbuild-6.1

# Every target: ARCH -> Debian architecture, GNU triplet, kernel ARCH,
# Debian kernel flavour ("" where Debian has no kernel), qemu-user
# binary, and what `file` says of its objects.
# shellcheck disable=SC2034 # the variables are the callers'
CROSS_ARCHES=(arm64 mipsel mips)
# shellcheck disable=SC2034
cross_target() {
	case $1 in
	arm64)
		DEBARCH=arm64 TRIPLET=aarch64-linux-gnu KARCH=arm64
		FLAVOUR=arm64 QEMU=qemu-aarch64-static
		ELF='ELF 64-bit LSB .*ARM aarch64'
		;;
	mipsel)
		DEBARCH=mipsel TRIPLET=mipsel-linux-gnu KARCH=mips
		FLAVOUR=4kc-malta QEMU=qemu-mipsel-static
		ELF='ELF 32-bit LSB .*MIPS'
		;;
	mips)
		# Big-endian: Debian dropped the architecture after buster, so
		# there are no packages of it; libraries are built from source
		# (tests/cross/srclibs.sh) and there is no Debian kernel.
		DEBARCH='' TRIPLET=mips-linux-gnu KARCH=mips
		FLAVOUR='' QEMU=qemu-mips-static
		ELF='ELF 32-bit MSB .*MIPS'
		;;
	*)
		echo "sluice cross: unknown architecture '$1'" \
			"(one of: ${CROSS_ARCHES[*]})" >&2
		return 1
		;;
	esac
	CROSS_COMPILE=$TRIPLET-
}

cross_die() {
	echo "sluice cross: $*" >&2
	exit 1
}

# cross_fetch DIR PKG...: download PKGs (name:arch as apt takes it) into
# $CACHE/debs and unpack them into DIR, once: DIR/.stamp records the
# exact package versions unpacked, and a change of version unpacks anew.
cross_fetch() {
	local dir=$1 want p v f
	shift
	want=
	# One apt-cache call (each reads the whole cache: seconds).
	declare -A cand=()
	while read -r p v; do
		cand[$p]=$v
	done < <(apt-cache policy "$@" 2>/dev/null | awk '
		/^[^ ]/ { sub(/:$/, ""); p = $0 }
		$1 == "Candidate:" { print p, $2 }')
	for p in "$@"; do
		# apt names a package of the native architecture without it.
		v=${cand[$p]:-${cand[${p%:*}]:-}}
		case $v in
		[0-9]*) ;;
		*) cross_die "no package $p in apt's lists (tests/cross/deps.sh adds the architectures)" ;;
		esac
		want+="$p=$v"$'\n'
	done
	if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ]; then
		return 0
	fi
	mkdir -p "$CACHE/debs"
	rm -rf "$dir"
	mkdir -p "$dir"
	# One apt-get download for every missing package.
	local missing=()
	while read -r p; do
		[ -n "$p" ] || continue
		f=$(cross_deb_path "$p")
		[ -n "$f" ] || missing+=("$p")
	done <<<"$want"
	if [ ${#missing[@]} -gt 0 ]; then
		(cd "$CACHE/debs" && apt-get download -q "${missing[@]}" 2>&1 |
			grep -v 'unsandboxed as root') >&2
	fi
	while read -r p; do
		[ -n "$p" ] || continue
		f=$(cross_deb_path "$p")
		[ -n "$f" ] || cross_die "apt-get download $p failed"
		dpkg -x "$f" "$dir" || cross_die "dpkg -x $f failed"
	done <<<"$want"
	printf '%s' "$want" >"$dir/.stamp"
}

# The file apt-get download wrote for NAME[:ARCH]=VERSION, if any.
cross_deb_path() {
	local spec=$1 name ver arch f
	name=${spec%%=*}
	ver=${spec#*=}
	arch=${name#*:}
	[ "$arch" = "$name" ] && arch=all
	name=${name%%:*}
	# apt-get download escapes the epoch's colon.
	for f in "$CACHE/debs/${name}_${ver//:/%3a}_$arch.deb" \
		"$CACHE/debs/${name}_${ver//:/%3a}_all.deb"; do
		[ -s "$f" ] && { echo "$f"; return; }
	done
}

# cross_kabi FLAVOUR DEBARCH: the newest Debian ABI number N with a
# linux-headers-6.1.0-N-FLAVOUR package for DEBARCH (CROSS_KABI forces one).
cross_kabi() {
	if [ -n "${CROSS_KABI:-}" ]; then
		echo "$CROSS_KABI"
		return
	fi
	local names
	mapfile -t names < <(apt-cache search --names-only \
		"^linux-headers-${KSERIES//./\\.}-[0-9]+-$1\$" | awk '{print $1 ":'"$2"'"}')
	[ ${#names[@]} -gt 0 ] || return 0
	# Those that DEBARCH has (one apt-cache call: each reads the cache).
	apt-cache policy "${names[@]}" 2>/dev/null | awk '
		/^[^ ]/ { p = $0 }
		$1 == "Candidate:" && $2 ~ /^[0-9]/ { print p }' |
		sed "s/^linux-headers-$KSERIES-\([0-9]*\)-.*/\1/" | sort -n | tail -n1
}

# cross_headers ARCH: unpack Debian's kernel headers for ARCH into the
# cache and print the directory to build against (KDIR).
cross_headers() {
	local abi kver dir
	cross_target "$1" || return 1
	[ -n "$FLAVOUR" ] || cross_die "Debian has no kernel for $1"
	abi=$(cross_kabi "$FLAVOUR" "$DEBARCH")
	[ -n "$abi" ] || cross_die "no linux-headers-$KSERIES-N-$FLAVOUR for $DEBARCH in apt's lists"
	kver=$KSERIES-$abi-$FLAVOUR
	dir=$CACHE/hdr/$1
	cross_fetch "$dir" "linux-headers-$kver:$DEBARCH" \
		"linux-headers-$KSERIES-$abi-common"
	# The flavour's Makefile includes the common tree by its absolute
	# path; both link scripts/ and tools/ to ../../lib/linux-kbuild-6.1,
	# which here is the host's (its programs run on the host).
	sed -i "s|^include /usr/src/|include $dir/usr/src/|" \
		"$dir/usr/src/linux-headers-$kver/Makefile"
	mkdir -p "$dir/usr/lib"
	ln -sfn "$KBUILD" "$dir/usr/lib/linux-kbuild-6.1"
	[ -x "$dir/usr/src/linux-headers-$kver/scripts/mod/modpost" ] ||
		cross_die "no host kbuild tools in $KBUILD (linux-kbuild-6.1)"
	echo "$dir/usr/src/linux-headers-$kver"
}
