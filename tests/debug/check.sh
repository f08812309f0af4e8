#!/bin/bash
# `make check-debug`: the whole VM suite on the debug kernel (KASAN, UBSAN,
# kmemleak, lockdep, DEBUG_OBJECTS, fault injection), ending with
# "N passed, N failed" like `make check`.
#
# Steps, each counted: debug kernel (tests/debug/build-kernel.sh; cached, a
# rebuild only when tests/debug/debug.config or the source package change),
# sluice.ko against it (W=1, no warning), userspace, then every
# tests/vm/t/*.sh, the fault scenarios tests/vm/faults/*.sh and
# tests/vm/t-debug/*.sh (tests that need the debug kernel's fault
# injection) in one guest (one count per test) and the
# kmemleak check after the last test (one count).  A step that cannot run is
# a failure.
#
# Environment: VM_TESTS (test paths, default: all of the above),
# SLUICE_VM_TIMEOUT_MULT (default 6),
# SLUICE_DEBUG_CACHE (default /var/cache/sluice/debug-kernel).
# Logs and figures: build/check-debug/.
# The step functions are only called through step().
# shellcheck disable=SC2317
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
LOG=$ROOT/build/check-debug
mkdir -p "$LOG"
# shellcheck source=tests/lib-count.sh
. "$ROOT/tests/lib-count.sh"

# --- debug kernel -------------------------------------------------------
build_kernel() {
	"$ROOT/tests/debug/build-kernel.sh" >"$LOG/kdir" || return 1
	KDIR=$(tail -n1 "$LOG/kdir")
	echo "build tree: $KDIR"
	echo "last build: $(cat "$KDIR/sluice-build-seconds" 2>/dev/null)s wall," \
		"$(cat "$KDIR/sluice-build-cpu-seconds" 2>/dev/null)s CPU"
}
step build-kernel build_kernel || summary
KDIR=$(tail -n1 "$LOG/kdir")
KREL=$(cat "$KDIR/include/config/kernel.release")
echo "debug kernel $KREL ($KDIR)"

# --- module and userspace -----------------------------------------------
build_module() {
	local out rc
	out=$(make --no-print-directory modules KVER="$KREL" KDIR="$KDIR" W=1 2>&1)
	rc=$?
	echo "$out"
	[ "$rc" -eq 0 ] || return 1
	# The compat probe must find in this tree what it finds in Debian's
	# headers of the same 6.12 release.
	local k612 want got
	k612=$("$ROOT/tests/kernels.sh" | grep '^6\.12\.' || true)
	got=$(sh "$ROOT/kmod/compat-probe.sh" "$KDIR/source" "$KDIR")
	echo "compat-probe on $KDIR:$got"
	if [ -n "$k612" ]; then
		want=$(sh "$ROOT/kmod/compat-probe.sh" "$(readlink -f "/lib/modules/$k612/source")" \
			"$(readlink -f "/lib/modules/$k612/build")")
		echo "compat-probe on $k612:$want"
		[ "$got" = "$want" ] || { echo "compat-probe differs from $k612"; return 1; }
	fi
	# zero warnings, W=1 included
	! grep -E 'warning:|Warning:' <<<"$out" | grep -v 'Skipping BTF'
}
ok=1
step "build-module-$KREL" build_module || ok=0
step build-userspace make userspace || ok=0
if [ $ok = 0 ]; then
	fail "vm suite not run: build failed"
	summary
fi

# --- VM suite -------------------------------------------------------------
results=$LOG/vm-results.txt
: >"$results"
if [ -n "${VM_TESTS:-}" ]; then
	read -r -a vm_tests <<<"$VM_TESTS"
else
	vm_tests=("$ROOT"/tests/vm/t/*.sh "$ROOT"/tests/vm/faults/*.sh "$ROOT"/tests/vm/t-debug/*.sh)
fi
t0=$SECONDS
SLUICE_VM_SMP=${SLUICE_VM_SMP:-2} "$ROOT/tests/vm/run" -K "$KDIR" -o "$results" "${vm_tests[@]}" 2>&1 | tee "$LOG/vm.log"
echo "vm suite on $KREL: $((SECONDS - t0))s wall" | tee "$LOG/vm-seconds"
if [ ! -s "$results" ]; then
	fail "vm $KREL reported no result (log: build/check-debug/vm.log)"
fi
vp=$(grep -c '^PASS ' "$results")
vf=$(grep -c '^FAIL ' "$results")
PASSED=$((PASSED + vp))
FAILED=$((FAILED + vf))
while read -r line; do
	FAILURES+=("${line#FAIL }")
done < <(grep '^FAIL ' "$results")
summary
