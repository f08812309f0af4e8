#!/bin/bash
# Boot Debian's mipsel kernel (linux-image-6.1.0-N-4kc-malta) in
# qemu-system-mipsel -M malta (TCG) with a minimal initramfs: a static
# busybox (busybox-static:mipsel), the cross-built sluice.ko and the
# kernel's own modules it needs, the cross-built sluicectl with its
# libraries, and the real bypass lists (../shared/data/bypass).  The guest
# loads the module, runs `sluicectl status`, a `sluicectl set` and its
# read-back, loads both lists (counts checked, memory printed), asks
# `sluicectl test` for a listed and an unlisted address, unloads the
# module and powers off.
# Exit status 0 only if every one of those succeeded and the kernel log
# has no BUG/WARNING/Oops.  An exploration, not part of make check.
#
# Needs: tests/cross/module.sh mipsel and tests/cross/userspace.sh mipsel
# (run first), qemu-system-mips (qemu-system-mipsel).
# Usage: tests/cross/malta-boot.sh    Output: build/cross/malta/
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/cross/lib.sh
. "$ROOT/tests/cross/lib.sh"

cross_target mipsel
command -v qemu-system-mipsel >/dev/null ||
	cross_die "no qemu-system-mipsel (apt-get install qemu-system-mips)"
kdir=$(cross_headers mipsel)
kver=${kdir##*/linux-headers-}
ko=$ROOT/build/cross/mipsel/$kver/sluice.ko
ctl=$ROOT/build/cross/mipsel/src/userspace/sluicectl
[ -f "$ko" ] || cross_die "no $ko (tests/cross/module.sh mipsel)"
[ -x "$ctl" ] || cross_die "no $ctl (tests/cross/userspace.sh mipsel)"

img=$CACHE/malta
cross_fetch "$img" "linux-image-$kver:$DEBARCH" "busybox-static:$DEBARCH"
sr=$CACHE/sysroot/mipsel
[ -d "$sr/lib" ] || cross_die "no sysroot $sr (tests/cross/userspace.sh mipsel)"
kernel=$img/boot/vmlinuz-$kver
mods=$img/lib/modules/$kver

out=$ROOT/build/cross/malta
rm -rf "$out/initrd"
mkdir -p "$out/initrd"/{bin,dev,proc,sys,tmp,mods,lib,usr/lib}
cp "$img/bin/busybox" "$out/initrd/bin/"
# glibc, libmnl, json-c of the sysroot, for sluicectl.
cp -a "$sr/lib/." "$out/initrd/lib/"
cp -a "$sr/usr/lib/$TRIPLET" "$out/initrd/usr/lib/"
cp "$ctl" "$out/initrd/bin/sluicectl"
# The real bypass lists, when shared/ is beside the clone.
data=$ROOT/../shared/data/bypass
if [ ! -f "$data/china4.txt" ] || [ ! -f "$data/china6.txt" ]; then
	cross_die "no bypass lists in $data"
fi
mkdir -p "$out/initrd/data"
cp "$data/china4.txt" "$data/china6.txt" "$out/initrd/data/"
first4=$(head -n1 "$data/china4.txt")

# The kernel modules sluice.ko needs, dependencies first.
declare -A seen=()
order=()
modpath() {
	find "$mods/kernel" -name "$1.ko" -print -quit
}
# modules.alias, for the soft dependencies' names (libcrc32c: crc32c).
depmod -b "$img" "$kver"
add_mod() { # add_mod NAME: its dependencies, then itself
	local m=$1 f d
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	f=$(modpath "$m")
	[ -n "$f" ] || cross_die "module $m not in linux-image-$kver"
	for d in $(modinfo -F softdep "$f" | sed -n 's/.*pre: *//p'); do
		add_mod "$(awk -v a="$d" '$1 == "alias" && $2 == a {print $3; exit}' \
			"$mods/modules.alias")"
	done
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do
		add_mod "$d"
	done
	order+=("$m")
	cp "$f" "$out/initrd/mods/"
}
# dummy: the LAN interface that sluicectl test classifies for.
for d in dummy $(modinfo -F depends "$ko" | tr ',' ' '); do
	add_mod "$d"
done
cp "$ko" "$out/initrd/mods/"
order+=(sluice)

cat >"$out/initrd/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "SLUICE-BOOTED \$(cut -d' ' -f1 /proc/uptime)"
ok=1
for m in ${order[*]}; do
	insmod /mods/\$m.ko || { echo "SLUICE-FAIL insmod \$m"; dmesg | tail -n 3; ok=0; }
done
echo "SLUICE-LOADED \$(cut -d' ' -f1 /proc/uptime)"
sluicectl status || { echo "SLUICE-FAIL sluicectl status"; ok=0; }
sluicectl set port 12400 || { echo "SLUICE-FAIL sluicectl set"; ok=0; }
sluicectl status | grep -q 12400 || { echo "SLUICE-FAIL port not read back"; ok=0; }
# A LAN with an address and a default route: with lo down and no address
# at all, sluicectl test called an off-link address "direct local".
{ ip link set lo up && ip link add lanT type dummy && ip link set lanT up &&
	ip addr add 192.0.2.1/24 dev lanT && ip route add default dev lanT; } ||
	{ echo "SLUICE-FAIL lanT"; ok=0; }
sluicectl set lan lanT enabled on || { echo "SLUICE-FAIL set lan"; ok=0; }
n4=\$(grep -c . /data/china4.txt)
n6=\$(grep -c . /data/china6.txt)
sluicectl load china4 /data/china4.txt | grep -q "\$n4" || { echo "SLUICE-FAIL load china4"; ok=0; }
sluicectl load china6 /data/china6.txt | grep -q "\$n6" || { echo "SLUICE-FAIL load china6"; ok=0; }
sluicectl status >/tmp/st
sed -n '/^memory:/,/^[a-z]/p' /tmp/st
e=\$(sed -n '/^memory:/,/^[a-z]/s/^ *entries: *//p' /tmp/st | head -n 1)
[ "\$e" = \$((n4 + n6)) ] || { echo "SLUICE-FAIL entries \$e, not \$((n4 + n6))"; ok=0; }
sluicectl test ${first4%/*} | tee /tmp/t | grep -q '^direct .*${first4%/*}.*china4' || { echo "SLUICE-FAIL test listed"; ok=0; }
cat /tmp/t
sluicectl test 203.0.113.99 | tee /tmp/t | grep -q '^proxy' || { echo "SLUICE-FAIL test unlisted"; ok=0; }
cat /tmp/t
grep MemFree /proc/meminfo
rmmod sluice || { echo "SLUICE-FAIL rmmod"; ok=0; }
dmesg | grep -E 'BUG|WARNING|Oops|Call Trace' && { echo "SLUICE-FAIL kernel log"; ok=0; }
[ \$ok = 1 ] && echo "SLUICE-OK \$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
EOF
chmod +x "$out/initrd/init"
(cd "$out/initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz"
echo "initramfs: $(du -h "$out/initrd.gz" | cut -f1), modules: ${order[*]}"

t0=$(date +%s.%N)
timeout 600 qemu-system-mipsel -M malta -m 256 -nographic -no-reboot \
	-accel tcg -kernel "$kernel" -initrd "$out/initrd.gz" \
	-append "console=ttyS0 rdinit=/init panic=-1 quiet" \
	>"$out/console.log" 2>&1 || true
t1=$(date +%s.%N)
sed 's/\r$//' "$out/console.log" | grep -v '^$' | tail -n 40
echo "qemu ran $(echo "$t1 - $t0" | bc) s (console: ${out#"$ROOT"/}/console.log)"
grep -q '^SLUICE-OK' "$out/console.log" || cross_die "malta guest: failed"
