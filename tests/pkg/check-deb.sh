#!/bin/bash
# `make check-packages`: build the Debian packages (make deb) and check
# them, ending with "N passed, N failed" (exit 1 if anything failed).
#
# Counts: the build; lintian (no error, no warning: every warning is fixed
# or overridden in debian/*.lintian-overrides with its reason); blhc (the
# distribution's build flags on every compile and link line of the build
# log); each package's files and conffiles; one version everywhere
# (VERSION, the packages, sluicectl/sluiced --version, dkms.conf, the
# module built from the packaged source for each test kernel, as dkms
# builds it).  With PKG_VM=1 also the guest test tests/pkg/vm-deb.sh.
#
# Needs debhelper, dh-dkms, lintian, blhc (tests/deps.sh does not install
# them: apt-get install debhelper dh-dkms lintian blhc).
# The step functions are only called through step().
# shellcheck disable=SC2317
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
LOG=$ROOT/build/check-packages
rm -rf "$LOG"
mkdir -p "$LOG"
# shellcheck source=tests/lib-count.sh
. "$ROOT/tests/lib-count.sh"

VERSION=$(cat VERSION)
DEB=$ROOT/build/deb
X=$LOG/extract

missing=()
for t in dpkg-buildpackage dh dh_dkms lintian blhc; do
	command -v "$t" >/dev/null || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
	fail "tools missing: ${missing[*]} (apt-get install debhelper dh-dkms lintian blhc)"
	summary
fi

# debian/changelog carries the packages' version: its upstream part must
# be VERSION (a new VERSION needs a changelog entry: dch -v VERSION).
DEBVER=$(dpkg-parsechangelog -S Version)
changelog_version() {
	echo "VERSION $VERSION, debian/changelog $DEBVER"
	[ "${DEBVER%-*}" = "$VERSION" ] ||
		{ echo "add a debian/changelog entry: dch -v $VERSION"; return 1; }
}
step changelog-version changelog_version

if ! step build make --no-print-directory deb; then
	summary
fi

debs() {
	ls "$DEB/sluice_${DEBVER}_"*.deb "$DEB/sluice-dkms_${DEBVER}_all.deb" &&
		ls "$DEB"/*.changes
}
step debs debs || summary
BIN=$(ls "$DEB/sluice_${DEBVER}_"*.deb)
DKMS=$DEB/sluice-dkms_${DEBVER}_all.deb
CHANGES=$(ls "$DEB"/*.changes)

# lintian exits 0 on info and pedantic tags, 1 on a warning or an error;
# an override that matches nothing is a warning of its own.
lintian_check() {
	lintian --fail-on error,warning --display-info "$CHANGES"
}
step lintian lintian_check

# blhc fails on a compile or link line without the flags, and on a log
# with no compiler line at all.
step blhc blhc "$DEB/build.log"

rm -rf "$X"
mkdir -p "$X"
dpkg-deb -x "$BIN" "$X/sluice"
dpkg-deb -x "$DKMS" "$X/sluice-dkms"

# has DIR FILE...: every FILE is in DIR (and a regular file)
has() {
	local d=$1 f rc=0
	shift
	for f in "$@"; do
		[ -f "$d/$f" ] || { echo "missing: $f"; rc=1; }
	done
	return "$rc"
}

sluice_files() {
	has "$X/sluice" usr/sbin/sluicectl usr/sbin/sluiced \
		usr/share/man/man8/sluicectl.8.gz usr/share/man/man8/sluiced.8.gz \
		usr/share/man/man5/sluiced.conf.5.gz \
		lib/systemd/system/sluiced.service \
		usr/lib/modules-load.d/sluice.conf etc/sluice/sluiced.conf \
		usr/share/doc/sluice/README.Debian usr/share/doc/sluice/copyright || return 1
	# the example config is the conffile, and the only one
	local cf
	cf=$(dpkg-deb --ctrl-tarfile "$BIN" | tar -xOf - ./conffiles)
	echo "conffiles: $cf"
	[ "$cf" = /etc/sluice/sluiced.conf ] || return 1
	cmp dist/sluiced.conf.example "$X/sluice/etc/sluice/sluiced.conf" || return 1
	grep -qx sluice "$X/sluice/usr/lib/modules-load.d/sluice.conf" || return 1
	# the unit runs the packaged program, and sluiced(8) names the unit's path
	grep -E '^Exec' "$X/sluice/lib/systemd/system/sluiced.service"
	! grep -E '^ExecStart' "$X/sluice/lib/systemd/system/sluiced.service" |
		grep -v '=/usr/sbin/sluiced ' || return 1
	zcat "$X/sluice/usr/share/man/man8/sluiced.8.gz" |
		grep -x '.I /lib/systemd/system/sluiced.service'
}
step sluice-files sluice_files

dkms_files() {
	local s=usr/src/sluice-$VERSION
	has "$X/sluice-dkms" "$s/dkms.conf" "$s/Kbuild" "$s/VERSION" \
		"$s/kmod/main.c" "$s/kmod/compat-probe.sh" \
		"$s/kmod/uapi/linux/sluice.h" || return 1
	# the whole module source, nothing else
	diff <(cd kmod && find . -type f | sort) \
		<(cd "$X/sluice-dkms/$s/kmod" && find . -type f | sort) || return 1
	grep -x "PACKAGE_VERSION=\"$VERSION\"" "$X/sluice-dkms/$s/dkms.conf" &&
		grep -x 'PACKAGE_NAME="sluice"' "$X/sluice-dkms/$s/dkms.conf" &&
		grep -x 'AUTOINSTALL="yes"' "$X/sluice-dkms/$s/dkms.conf" || return 1
	# dh_dkms's maintainer scripts: dkms add/build/install, dkms remove
	dpkg-deb --ctrl-tarfile "$DKMS" | tar -xOf - ./postinst | grep -E 'dkms|common.postinst' &&
		dpkg-deb --ctrl-tarfile "$DKMS" | tar -xOf - ./prerm | grep -E 'dkms remove'
}
step dkms-files dkms_files

versions() {
	local v
	v=$(dpkg-deb -f "$BIN" Version)
	echo "VERSION $VERSION, sluice $v, sluice-dkms $(dpkg-deb -f "$DKMS" Version)"
	[ "$v" = "$DEBVER" ] || return 1
	[ "$(dpkg-deb -f "$DKMS" Version)" = "$v" ] || return 1
	"$X/sluice/usr/sbin/sluicectl" --version | tee /dev/stderr |
		grep -q "^sluicectl $VERSION " || return 1
	[ "$("$X/sluice/usr/sbin/sluiced" --version)" = "sluiced $VERSION" ] || return 1
	cmp VERSION "$X/sluice-dkms/usr/src/sluice-$VERSION/VERSION"
}
step versions versions

# The packaged source builds as dkms builds it (dkms.conf's MAKE line,
# in a copy of the tree), and the module says the same version.
module_build() {
	local k=$1 t=$LOG/mod-$1
	rm -rf "$t"
	cp -a "$X/sluice-dkms/usr/src/sluice-$VERSION" "$t"
	make -C "/lib/modules/$k/build" M="$t" modules || return 1
	local mv
	mv=$(modinfo -F version "$t/sluice.ko")
	echo "module version: $mv"
	[ "$mv" = "$VERSION" ]
}
mapfile -t KVERS < <("$ROOT/tests/kernels.sh")
if [ ${#KVERS[@]} -eq 0 ]; then
	fail "module-build: no test kernel (tests/kernels.sh)"
fi
for k in "${KVERS[@]}"; do
	step "module-build-$k" module_build "$k"
done

if [ "${PKG_VM:-0}" = 1 ]; then
	step vm "$ROOT/tests/pkg/vm-deb.sh"
fi

summary
