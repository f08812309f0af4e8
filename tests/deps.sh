#!/bin/bash
# Install what building and testing sluice needs, if it is missing.
# Debian 12 (bookworm); run as root or with sudo available.
set -euo pipefail

PKGS=(
	build-essential pkg-config clang libmnl-dev libjson-c-dev libcmocka-dev
	linux-image-amd64 linux-headers-amd64 linux-source-6.12 dkms kmod
	qemu-system-x86 busybox-static cpio xz-utils zstd binutils iputils-ping
	iproute2 nftables v2ray pppoe ppp iperf3 socat dnsmasq-base jq curl
	bind9-dnsutils
	ipset iptables gnuplot-nox conntrack shellcheck tcpdump
)

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

have_pkg() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

updated=
apt_update() {
	[ -n "$updated" ] && return
	echo "sluice deps: apt-get update" >&2
	$SUDO apt-get update -qq
	updated=1
}

# The newest 6.12 kernel of bookworm-backports/security: its name carries
# the ABI, so find it instead of hard-coding it.
k612=$(ls /boot/vmlinuz-6.12.*+deb12-amd64 2>/dev/null | sort -V | tail -n1 || true)
if [ -n "$k612" ]; then
	v=${k612#/boot/vmlinuz-}
	PKGS+=("linux-image-$v" "linux-headers-$v")
else
	apt_update
	img=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{print $1}' | sort -V | tail -n1)
	if [ -z "$img" ]; then
		echo "sluice deps: no linux-image-6.12.*+deb12-amd64 in apt sources" >&2
		exit 1
	fi
	PKGS+=("$img" "${img/image/headers}")
fi

missing=()
for p in "${PKGS[@]}"; do
	have_pkg "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt_update
	echo "sluice deps: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
fi
