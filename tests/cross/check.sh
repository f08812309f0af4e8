#!/bin/bash
# `make check-cross`: sluice built for the routers' architectures, ending
# with "N passed, N failed" (docs/cross.md).
#
# Steps, each counted: sluice.ko for arm64 and mipsel against Debian's
# kernel headers (W=1, no warning, ELF and vermagic checked); sluicectl
# and sluiced, then tests/tools, for arm64, mipsel, mips (big-endian) and
# musl (-Werror, no warning); the cmocka unit tests of each target under
# qemu-user (musl: natively), one count per test case.  What cannot be
# built or run is a failure, never a skip.
# The step functions are only called through step().
# shellcheck disable=SC2317
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
LOG=$ROOT/build/check-cross
mkdir -p "$LOG"
# shellcheck source=tests/lib-count.sh
. "$ROOT/tests/lib-count.sh"
X=$ROOT/tests/cross
t_start=$SECONDS

step deps "$X/deps.sh" || summary

for a in arm64 mipsel; do
	step "module-$a" "$X/module.sh" "$a"
done
for a in arm64 mipsel mips musl; do
	step "userspace-$a" "$X/userspace.sh" "$a" programs
	step "tools-$a" "$X/userspace.sh" "$a" tools
done

# Unit tests: cmocka's counts, summed by unit.sh.
for a in arm64 mipsel mips musl; do
	t0=$SECONDS
	"$X/unit.sh" "$a" >"$LOG/unit-$a.log" 2>&1
	grep -vE '^PASS ' "$LOG/unit-$a.log" | sed 's/^/  /'
	line=$(tail -n 1 "$LOG/unit-$a.log")
	if [[ $line =~ ^unit\ $a:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		PASSED=$((PASSED + BASH_REMATCH[1]))
		FAILED=$((FAILED + BASH_REMATCH[2]))
		echo "unit $a: ${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed ($((SECONDS - t0))s)"
		while read -r l; do
			FAILURES+=("${l#FAIL }")
		done < <(grep '^FAIL ' "$LOG/unit-$a.log" | cut -d: -f1)
	else
		fail "unit-$a (log: ${LOG#"$ROOT"/}/unit-$a.log)"
	fi
done

echo "check-cross: $((SECONDS - t_start))s"
summary
