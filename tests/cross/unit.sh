#!/bin/bash
# Build the cmocka unit tests (tests/unit) for TARGET with the toolchain
# that tests/cross/userspace.sh set up (run it first), and run each under
# qemu-user (arm64, mipsel, mips) or natively (musl).
#
# Usage: tests/cross/unit.sh TARGET
# Prints one line per test program, "PASS|FAIL TARGET/test_x ...", and
# ends with cmocka's counts summed: "unit TARGET: N passed, N failed".
# Cases that qemu-user cannot run (tests/cross/qemu-xfail) are listed as
# XFAIL and counted neither way; cmocka's skipped cases are not passes.
# A program that does not build or that is not linked here (it needs
# libmnl, which mips and musl lack) is a failure, never a skip; exit
# status 0 only if every program built and every test passed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/cross/lib.sh
. "$ROOT/tests/cross/lib.sh"

[ $# -eq 1 ] || cross_die "usage: $0 TARGET"
target=$1
out=$ROOT/build/cross/$target
src=$out/src
[ -f "$out/env.sh" ] || cross_die "run tests/cross/userspace.sh $target first"
cc='' flags='' have_mnl='' want='' mk=()
# shellcheck source=/dev/null
. "$out/env.sh"
: "$cc"

case $target in
arm64 | mipsel)
	cross_target "$target"
	runner=("$QEMU" -L "$CACHE/sysroot/$target")
	;;
mips)
	cross_target mips
	runner=("$QEMU" -L "/usr/$TRIPLET")
	;;
musl)
	runner=()
	;;
esac

log=$out/unit
mkdir -p "$log"
passed=0 failed=0 bad=0 xfail=0
# Under qemu-user: the cases it cannot run (tests/cross/qemu-xfail).
xfails=()
if [ ${#runner[@]} -gt 0 ]; then
	mapfile -t xfails < <(awk '!/^#/ && NF {print $1}' "$ROOT/tests/cross/qemu-xfail")
fi
is_xfail() {
	local x
	for x in "${xfails[@]}"; do
		[ "$x" = "$1" ] && return 0
	done
	return 1
}
while read -r t libs; do
	if [ "$have_mnl" = 0 ] && [[ " $libs " == *" -lmnl "* ]]; then
		echo "FAIL $target/$t: not built: needs libmnl, which $target lacks"
		bad=$((bad + 1))
		continue
	fi
	if ! CFLAGS=$flags "${mk[@]}" -C "$src/tests/unit" "$t" \
		>"$log/$t.build" 2>&1 || grep -q 'warning:' "$log/$t.build"; then
		echo "FAIL $target/$t: build (log: ${log#"$ROOT"/}/$t.build)"
		grep -m 5 -E 'error|warning' "$log/$t.build" | sed 's/^/    /'
		bad=$((bad + 1))
		continue
	fi
	d=$(file -b "$src/tests/unit/$t")
	if ! grep -Eq "^$want" <<<"$d"; then
		echo "FAIL $target/$t: is '$d', not $want"
		bad=$((bad + 1))
		continue
	fi
	t0=$SECONDS
	(cd "$src/tests/unit" && "${runner[@]}" "./$t") >"$log/$t.log" 2>&1
	rc=$?
	p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log/$t.log" |
		awk '{s += $4} END {print s + 0}')
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log/$t.log" |
		awk '{s += $4} END {print s + 0}')
	# Known qemu-user failures: not counted; passing ones are failures.
	x=0 xp=0
	while read -r c; do
		is_xfail "$t:$c" || continue
		echo "XFAIL $target/$t:$c under qemu-user (tests/cross/qemu-xfail)"
		x=$((x + 1))
	done < <(sed -n 's/^\[  FAILED  \] \(test_[A-Za-z0-9_]*\)$/\1/p' "$log/$t.log" | sort -u)
	while read -r c; do
		is_xfail "$t:$c" || continue
		echo "XPASS $target/$t:$c passes under qemu-user: update tests/cross/qemu-xfail"
		xp=$((xp + 1))
	done < <(sed -n 's/^\[       OK \] \(test_[A-Za-z0-9_]*\)$/\1/p' "$log/$t.log")
	f=$((f - x))
	xfail=$((xfail + x))
	bad=$((bad + xp))
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$x" -gt 0 ] && rc=0
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -eq 0 ] && [ "$f" -eq 0 ] && [ "$p" -eq 0 ] && [ "$x" -gt 0 ]; then
		echo "XFAIL $target/$t: no test of it can run under qemu-user"
	elif [ "$rc" -eq 0 ] && [ "$f" -eq 0 ] && [ "$p" -gt 0 ]; then
		echo "PASS $target/$t: $p tests ($((SECONDS - t0))s)"
	else
		echo "FAIL $target/$t: $p passed, $f failed, exit $rc" \
			"(log: ${log#"$ROOT"/}/$t.log)"
		grep -E '^\[  (FAILED|ERROR) +\]|^\[  FAILED  \]' "$log/$t.log" |
			head -n 10 | sed 's/^/    /'
		[ "$f" -gt 0 ] || bad=$((bad + 1))
	fi
done < <(make -s --no-print-directory -C "$src/tests/unit" -f Makefile \
	-f "$ROOT/tests/cross/print.mk" cross-unit-list)

[ "$xfail" -eq 0 ] || echo "unit $target: $xfail known qemu-user failures not counted"
echo "unit $target: $passed passed, $((failed + bad)) failed"
[ "$failed" -eq 0 ] && [ "$bad" -eq 0 ]
