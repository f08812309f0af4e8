#!/bin/bash
# The OpenWrt package's DEPENDS against what the binaries really need:
#  - kmod-sluice: every module that sluice.ko imports symbols from
#    (modinfo -F depends, for each kernel in build/*/; built with
#    `make modules-all` if there is none) maps to an OpenWrt kmod package
#    through the table below; DEPENDS must list exactly those (plus the
#    kernel symbols of the second table), none missing, none extra;
#  - sluice: every shared library sluicectl and sluiced are linked against
#    (ELF NEEDED) maps to its OpenWrt package, and DEPENDS lists each, with
#    +kmod-sluice;
#  - kmod-sluice autoloads (AutoProbe sluice).
# Ends with "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
MK=dist/openwrt/sluice/Makefile
# shellcheck source=tests/lib-count.sh
. "$ROOT/tests/lib-count.sh"

# Kernel module -> the OpenWrt package that ships it (openwrt/openwrt
# package/kernel/linux/modules/netfilter.mk with include/netfilter.mk):
declare -A KMOD_PKG=(
	# NF_CONNTRACK: nf_conntrack, nf_defrag_ipv4, nf_defrag_ipv6 (the IPv6
	# defrag moved into kmod-nf-conntrack; there is no kmod-nf-conntrack6)
	[nf_conntrack]=kmod-nf-conntrack
	[nf_defrag_ipv4]=kmod-nf-conntrack
	[nf_defrag_ipv6]=kmod-nf-conntrack
	# NF_NAT: nf_nat, which since Linux 5.1 also holds the IPv6 NAT,
	# masquerade and redirect code (kmod-nf-nat6 ships no module there)
	[nf_nat]=kmod-nf-nat
	# NF_TPROXY: nf_tproxy_ipv4 and nf_tproxy_ipv6, one package
	[nf_tproxy_ipv4]=kmod-nf-tproxy
	[nf_tproxy_ipv6]=kmod-nf-tproxy
	# NF_REJECT: nf_reject_ipv4; NF_REJECT6: nf_reject_ipv6
	[nf_reject_ipv4]=kmod-nf-reject
	[nf_reject_ipv6]=kmod-nf-reject6
	# NF_SOCKET: nf_socket_ipv4 and nf_socket_ipv6
	[nf_socket_ipv4]=kmod-nf-socket
	[nf_socket_ipv6]=kmod-nf-socket
	# IPv6 as a module (Debian and OpenWrt build it in): OpenWrt's IPV6
	# symbol, not a package
	[ipv6]=@IPV6
)
# Needed although modinfo cannot show it: IPv6 is built into both kernels
# here, so no module is listed, but sluice.ko calls ipv6_chk_addr() and
# the IPv6 netfilter helpers unconditionally.
KERNEL_SYMS=(@IPV6)

# Shared library (ELF NEEDED, version stripped) -> OpenWrt package;
# libc (musl on OpenWrt) comes with every image.
declare -A LIB_PKG=(
	[libmnl.so]=libmnl
	[libjson-c.so]=libjson-c
	[libc.so]=""
)

# mk_depends NAME: the DEPENDS words of "define NAME" ... "endef" in $MK
mk_depends() {
	awk -v def="define $1" '
		$0 == def { inside = 1; next }
		inside && /^endef/ { exit }
		inside && /^[ \t]*DEPENDS[ \t]*[:+]?=/ {
			sub(/^[^=]*=/, ""); print
		}' "$MK" | tr ' \t' '\n' | sed '/^$/d' | sort -u
}

# --- kmod-sluice --------------------------------------------------------
shopt -s nullglob
kos=(build/*/sluice.ko)
if [ ${#kos[@]} -eq 0 ]; then
	echo "no build/*/sluice.ko: make modules-all"
	make --no-print-directory modules-all >build-openwrt-depends.log 2>&1 ||
		{ tail -n 20 build-openwrt-depends.log; }
	rm -f build-openwrt-depends.log
	kos=(build/*/sluice.ko)
fi
if [ ${#kos[@]} -eq 0 ]; then
	fail "no sluice.ko to read (make modules-all failed)"
	summary
fi

declare -A need=()
for s in "${KERNEL_SYMS[@]}"; do
	need[$s]=" sluice.ko's IPv6 code"
done
for ko in "${kos[@]}"; do
	deps=$(modinfo -F depends "$ko") || { fail "modinfo $ko"; continue; }
	echo "$ko: depends $deps"
	IFS=, read -r -a mods <<<"$deps"
	for m in "${mods[@]}"; do
		[ -n "$m" ] || continue
		if [ -z "${KMOD_PKG[$m]+x}" ]; then
			fail "$ko imports from $m, which the table in $0 does not map to an OpenWrt package"
			continue
		fi
		case "${need[${KMOD_PKG[$m]}]-} " in
		*" $m "*) ;;
		*) need[${KMOD_PKG[$m]}]+=" $m" ;;
		esac
	done
done

mapfile -t have < <(mk_depends KernelPackage/sluice)
echo "$MK kmod-sluice DEPENDS: ${have[*]}"
declare -A listed=()
for d in "${have[@]}"; do
	p=${d#+}
	listed[$p]=1
	if [ -n "${need[$p]+x}" ]; then
		pass "kmod-sluice DEPENDS $d (for${need[$p]})"
	else
		fail "kmod-sluice DEPENDS $d, which sluice.ko does not need"
	fi
done
for p in "${!need[@]}"; do
	[ -n "${listed[$p]+x}" ] ||
		fail "kmod-sluice DEPENDS lacks $p (sluice.ko needs it for${need[$p]})"
done

if awk '/^define KernelPackage\/sluice$/,/^endef/' "$MK" |
	grep -Eq '^[[:space:]]*AUTOLOAD:=\$\(call AutoProbe,sluice\)'; then
	pass "kmod-sluice AUTOLOAD AutoProbe sluice"
else
	fail "kmod-sluice has no AUTOLOAD:=\$(call AutoProbe,sluice)"
fi

# --- sluice (userspace) -------------------------------------------------
bins=(userspace/sluicectl userspace/sluiced/sluiced)
for b in "${bins[@]}"; do
	[ -x "$b" ] && continue
	echo "no $b: make userspace"
	make --no-print-directory userspace >/dev/null 2>&1
	break
done
mapfile -t have < <(mk_depends Package/sluice)
echo "$MK sluice DEPENDS: ${have[*]}"
declare -A uneed=([kmod-sluice]="the module")
for b in "${bins[@]}"; do
	if [ ! -x "$b" ]; then
		fail "$b not built (make userspace)"
		continue
	fi
	while read -r lib; do
		base=${lib%%.so*}.so
		if [ -z "${LIB_PKG[$base]+x}" ]; then
			fail "$b needs $lib, which the table in $0 does not map to a package"
			continue
		fi
		p=${LIB_PKG[$base]}
		[ -n "$p" ] || continue
		case "${uneed[$p]-} " in
		*" $lib "*) ;;
		*) uneed[$p]+=" $lib" ;;
		esac
	done < <(readelf -d "$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done
declare -A listed=()
for d in "${have[@]}"; do
	p=${d#+}
	listed[$p]=1
	if [ -n "${uneed[$p]+x}" ]; then
		pass "sluice DEPENDS $d (for ${uneed[$p]# })"
	else
		fail "sluice DEPENDS $d, which neither binary needs"
	fi
done
for p in "${!uneed[@]}"; do
	[ -n "${listed[$p]+x}" ] ||
		fail "sluice DEPENDS lacks +$p (needed for ${uneed[$p]# })"
done

summary
