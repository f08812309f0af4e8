#!/bin/bash
# Guest test (tests/vm/run, through tests/pkg/vm-deb.sh): the Debian
# packages of build/deb/ on a root without sluice.  The packages go into a
# root of the test's own (an overlay over the guest's / with its upper
# layer in the test's directory, entered with chroot), so that the upper
# layer is exactly what installing and purging changed, whatever the host
# does meanwhile.
#
# dpkg -i both: DKMS built sluice.ko for this kernel; the boot path
# (systemd-modules-load with the package's modules-load.d entry) and
# `modprobe sluice` load it with its netfilter dependencies; versions
# agree; sluicectl talks to it; the conffile.  An upgrade to VERSION+up1
# (vm-deb.sh builds it) rebuilds and reinstalls the module and removes the
# old version.  apt-get purge: the module is unloaded, dkms no longer knows
# it, and the upper layer holds no file that is new or differs from the
# original, and no deletion, outside dpkg's and apt's own records.
# The guest has no systemd as PID 1, so the unit's maintainer-script steps
# are skipped by their own [ -d /run/systemd/system ] tests.
# timeout: 2400
# dpkg-query formats are ${...} in single quotes:
# shellcheck disable=SC2016
# shellcheck source=SCRIPTDIR/../vm/lib.sh
. "$SLUICE_REPO/tests/vm/lib.sh"

VERSION=$(cat "$SLUICE_REPO/VERSION")
NEW=$VERSION+up1
DEB=$SLUICE_REPO/build/deb
UPDEB=$SLUICE_REPO/build/deb-upgrade/src/build/deb
shopt -s nullglob
bin=("$DEB"/sluice_*_amd64.deb)
dkms_deb=("$DEB"/sluice-dkms_*_all.deb)
shopt -u nullglob
if [ ${#bin[@]} -ne 1 ] || [ ${#dkms_deb[@]} -ne 1 ]; then
	fail "need exactly one sluice and one sluice-dkms .deb in $DEB (make deb)"
fi
upbin=$UPDEB/sluice_${NEW}_amd64.deb
updkms=$UPDEB/sluice-dkms_${NEW}_all.deb
if [ ! -f "$upbin" ] || [ ! -f "$updkms" ]; then
	fail "no $NEW packages in $UPDEB (tests/pkg/vm-deb.sh builds them)"
fi
[ ! -d /sys/module/sluice ] || fail "sluice.ko loaded before the test"

# The test's root: / (itself the harness's overlay) as the lower layer.
T=$PWD
R=$T/root
mkdir -p "$T/up" "$T/work" "$R"
mount -t overlay -o "lowerdir=/,upperdir=$T/up,workdir=$T/work" overlay "$R"
on_exit umount -R "$R"
mount --rbind /proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
in_root() { chroot "$R" "$@"; }

if in_root dpkg-query -W -f='${db:Status-Status}\n' sluice sluice-dkms 2>/dev/null |
	grep -qx installed; then
	fail "sluice is installed on the host root already"
fi

# man-db's trigger would index every manual page over 9p: not needed here
# (the one deletion the upper layer may show).
in_root rm -f /var/lib/man-db/auto-update

export DEBIAN_FRONTEND=noninteractive
echo "$(date +%T) dpkg -i (DKMS builds for $KVER)"
in_root dpkg -i "${dkms_deb[0]}" "${bin[0]}" >install.log 2>&1 ||
	{ cat install.log; fail "dpkg -i failed"; }
cat install.log
echo "$(date +%T) installed"

# DKMS built and installed it for the running kernel
st=$(in_root dkms status sluice)
echo "dkms status: $st"
[[ $st == *"sluice/$VERSION, $KVER, "*": installed"* ]] ||
	fail "dkms did not install sluice/$VERSION for $KVER: $st"
ko=$(in_root modinfo -n sluice)
[[ $ko == "/lib/modules/$KVER/updates/dkms/sluice.ko"* ]] ||
	fail "modinfo: sluice is not the dkms module: $ko"

# Boot: systemd-modules-load reads /usr/lib/modules-load.d/sluice.conf
in_root /lib/systemd/systemd-modules-load
[ -d /sys/module/sluice ] || fail "systemd-modules-load did not load sluice"
assert_eq "$VERSION" "$(cat /sys/module/sluice/version)" "module version"
for dep in nf_tproxy_ipv4 nf_tproxy_ipv6 nf_reject_ipv4 nf_reject_ipv6 nf_nat nf_conntrack; do
	[ -d "/sys/module/$dep" ] || fail "dependency $dep not loaded"
done
rmmod sluice

# By hand, as the README says
in_root modprobe sluice
[ -d /sys/module/sluice ] || fail "modprobe sluice did not load it"
v=$(in_root /usr/sbin/sluicectl --version)
[[ $v == "sluicectl $VERSION "* ]] || fail "sluicectl --version: $v"
assert_eq "sluiced $VERSION" "$(in_root /usr/sbin/sluiced --version)" "sluiced --version"
in_root /usr/sbin/sluicectl status >status.txt || { cat status.txt; fail "sluicectl status failed"; }
grep -E '^ +(enabled|mode|port):' status.txt
# a module just loaded redirects nothing
grep -Eq '^ +enabled: +off$' status.txt || fail "sluicectl status does not show 'enabled: off'"

# The conffile and the unit are where the package says
in_root dpkg-query -W -f='${Conffiles}\n' sluice | grep -q '^ /etc/sluice/sluiced.conf ' ||
	fail "/etc/sluice/sluiced.conf is not a conffile"
[ -f "$R/lib/systemd/system/sluiced.service" ] || fail "no unit"

# Upgrade: DKMS builds the new version, the old one is gone from dkms and
# /usr/src, the module file is a new one, and it loads
rmmod sluice
touch before-upgrade
echo "$(date +%T) upgrade to $NEW"
in_root dpkg -i "$updkms" "$upbin" >upgrade.log 2>&1 ||
	{ cat upgrade.log; fail "dpkg -i of $NEW failed"; }
cat upgrade.log
echo "$(date +%T) upgraded"
st=$(in_root dkms status sluice)
echo "dkms status: $st"
[[ $st == *"sluice/$NEW, $KVER, "*": installed"* ]] ||
	fail "dkms did not install sluice/$NEW for $KVER: $st"
[[ $st != *"sluice/$VERSION,"* ]] || fail "dkms still has sluice/$VERSION: $st"
[ ! -e "$R/usr/src/sluice-$VERSION" ] || fail "/usr/src/sluice-$VERSION left after the upgrade"
[ "$R$ko" -nt before-upgrade ] || fail "$ko was not reinstalled by the upgrade"
in_root modprobe sluice
# compared at the end, so that the purge is checked whatever it says
upgraded_version=$(cat /sys/module/sluice/version)
v=$(in_root /usr/sbin/sluicectl --version)
[[ $v == "sluicectl $NEW "* ]] || fail "sluicectl --version after the upgrade: $v"
in_root /usr/sbin/sluicectl status >/dev/null

# Purge both: module unloaded, nothing left
echo "$(date +%T) apt-get purge"
in_root apt-get purge -y sluice sluice-dkms >purge.log 2>&1 ||
	{ cat purge.log; fail "apt-get purge failed"; }
cat purge.log
[ ! -d /sys/module/sluice ] || fail "sluice.ko still loaded after purge"
[ -z "$(in_root dkms status sluice)" ] || fail "dkms still knows sluice: $(in_root dkms status sluice)"
for p in sluice sluice-dkms; do
	s=$(in_root dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ -z "$s" ] || [ "$s" = not-installed ] || fail "$p: dpkg status '$s' after purge"
done

# What the upper layer holds: dpkg's and apt's records (and the man-db
# switch above) aside, a directory only where the original has one (copied
# up), a file only if it is the original's content (depmod's modules.*
# rewritten the same).  dkms's own signing key, made by its first build of
# any module on this root and kept for every later one, is dkms's.
left=()
while IFS= read -r -d '' f; do
	p=${f#"$T/up"}
	case $p in
	'' | /var/lib/dpkg/* | /var/lib/apt/* | /var/log/dpkg.log | /var/log/apt/* | \
		/var/log/alternatives.log | /var/cache/apt/* | /var/cache/debconf/* | \
		/var/lib/man-db/auto-update | /var/lib/dkms/mok.key | /var/lib/dkms/mok.pub) continue ;;
	esac
	if [ -d "$f" ] && [ ! -L "$f" ]; then
		[ -d "$p" ] || left+=("new directory $p")
	elif [ -c "$f" ]; then
		left+=("deleted $p")
	elif [ ! -e "$p" ] && [ ! -L "$p" ]; then
		left+=("new file $p")
	elif ! cmp -s "$f" "$p"; then
		left+=("changed $p")
	fi
done < <(find "$T/up" -print0)
if [ ${#left[@]} -gt 0 ]; then
	printf '  %s\n' "${left[@]}"
	fail "the purge left ${#left[@]} change(s) (list above)"
fi
echo "purge left no change outside dpkg's and apt's records"

assert_eq "$NEW" "$upgraded_version" "module version after the upgrade"
