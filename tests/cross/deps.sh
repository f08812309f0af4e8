#!/bin/bash
# Install what the cross builds (tests/cross/) need on the host, if it is
# missing: the cross compilers, the host's kbuild tools, qemu-user, musl,
# cmake (for json-c and cmocka built from source), and the foreign
# architectures in dpkg so that apt can download their packages (which
# are unpacked into the cache, never installed).
# Debian 12 (bookworm); run as root or with sudo available.
set -euo pipefail

PKGS=(
	gcc-aarch64-linux-gnu gcc-mipsel-linux-gnu gcc-mips-linux-gnu
	libc6-dev-arm64-cross libc6-dev-mipsel-cross libc6-dev-mips-cross
	linux-kbuild-6.1 qemu-user-static musl-tools cmake file kmod
	dpkg-dev
)
FOREIGN=(arm64 mipsel)

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

have_pkg() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

update=
for a in "${FOREIGN[@]}"; do
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		echo "sluice cross deps: dpkg --add-architecture $a" >&2
		$SUDO dpkg --add-architecture "$a"
		update=1
	fi
done
# apt knows the foreign architectures' packages only after an update.
cand=$(apt-cache policy libmnl-dev:mipsel 2>/dev/null |
	awk '$1 == "Candidate:" {print $2}')
case $cand in [0-9]*) ;; *) update=1 ;; esac

missing=()
for p in "${PKGS[@]}"; do
	have_pkg "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || update=1

if [ -n "$update" ]; then
	echo "sluice cross deps: apt-get update" >&2
	$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "sluice cross deps: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 \
		install -y -q --no-install-recommends "${missing[@]}" >&2
fi
