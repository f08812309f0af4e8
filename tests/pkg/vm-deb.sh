#!/bin/bash
# The packages of build/deb/ (make deb) installed, upgraded and purged in
# a QEMU guest of each kernel given (default: both test kernels, one after
# the other): tests/pkg/guest-deb.sh under tests/vm/run.  The upgrade is
# to packages built here from a copy of the tree whose VERSION is
# VERSION+up1 (build/deb-upgrade/).  Exit 0 only if it passed on every
# kernel.
#
# usage: tests/pkg/vm-deb.sh [-k KVER]...
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

kvers=()
while getopts k: o; do
	case $o in
	k) kvers+=("$OPTARG") ;;
	*) echo "usage: $0 [-k KVER]..." >&2; exit 2 ;;
	esac
done
if [ ${#kvers[@]} -eq 0 ]; then
	mapfile -t kvers < <("$ROOT/tests/kernels.sh")
fi
[ ${#kvers[@]} -gt 0 ] || { echo "vm-deb: no kernel" >&2; exit 1; }

if dpkg-query -W -f='${db:Status-Status}\n' sluice sluice-dkms 2>/dev/null |
	grep -qx installed; then
	echo "vm-deb: sluice is installed on this machine; the guest needs a root without it" >&2
	exit 1
fi

# The newer version, from a copy of the tree
VERSION=$(cat "$ROOT/VERSION")
UP=$ROOT/build/deb-upgrade
NEW=$VERSION+up1
rm -rf "$UP"
mkdir -p "$UP/src"
tar -C "$ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$UP/src" -xf -
echo "$NEW" >"$UP/src/VERSION"
{
	printf 'sluice (%s) unstable; urgency=medium\n\n' "$NEW"
	printf '  * Upgrade test of tests/pkg/vm-deb.sh.\n\n'
	printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Maintainer)" "$(date -R)"
	cat "$ROOT/debian/changelog"
} >"$UP/src/debian/changelog"
if ! make -C "$UP/src" --no-print-directory deb >"$UP/build.log" 2>&1; then
	tail -n 30 "$UP/build.log" >&2
	echo "vm-deb: building the $NEW packages failed (log: $UP/build.log)" >&2
	exit 1
fi

rc=0
for k in "${kvers[@]}"; do
	"$ROOT/tests/vm/run" -k "$k" "$ROOT/tests/pkg/guest-deb.sh" || rc=1
done
exit $rc
