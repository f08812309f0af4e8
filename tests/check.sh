#!/bin/bash
# `make check`: every test of sluice, ending with "N passed, N failed".
#
# Steps, each counted: build (userspace -Werror, module for both Debian
# kernels with W=1 and no warning), checkpatch, dkms build for both
# kernels, cmocka unit tests (one count per test case), fuzzers for a
# bounded time, and the VM suite on both kernels (one count per test and
# kernel).  A step that cannot run is a failure, never a skip.
#
# Environment: FUZZ_SECONDS (default 15), VM_TESTS (default: all),
# SKIP_VM=1 only for quick local iterations (reported as a failure).
# The step functions are only called through step().
# shellcheck disable=SC2317
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
LOG=$ROOT/build/check
mkdir -p "$LOG"
# shellcheck source=tests/lib-count.sh
. "$ROOT/tests/lib-count.sh"

"$ROOT/tests/deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

mapfile -t KVERS < <("$ROOT/tests/kernels.sh")
if [ ${#KVERS[@]} -ne 2 ]; then
	echo "sluice check: expected a 6.1 and a 6.12 kernel, found: ${KVERS[*]}" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# --- build ------------------------------------------------------------
step build-userspace make userspace WERROR=1

build_module() {
	local out
	out=$(make --no-print-directory modules KVER="$1" W=1 2>&1)
	local rc=$?
	echo "$out"
	[ "$rc" -eq 0 ] || return 1
	# Zero warnings, W=1 included.
	! grep -E 'warning:|Warning:' <<<"$out" | grep -v 'Skipping BTF'
}
for k in "${KVERS[@]}"; do
	step "build-module-$k" build_module "$k"
done

# --- OpenWrt package (docs/openwrt.md) -------------------------------
step openwrt-depends "$ROOT/tests/openwrt/check-depends.sh"
step openwrt-shell "$ROOT/tests/openwrt/check-shell.sh"

# --- cross builds (docs/cross.md) --------------------------------------
step cross-deps tests/cross/deps.sh
for a in arm64 mipsel; do step "cross-module-$a" tests/cross/module.sh "$a"; done
for a in arm64 mipsel mips; do step "cross-userspace-$a" tests/cross/userspace.sh "$a"; done

# --- style ------------------------------------------------------------
checkpatch() {
	local cp
	cp=$("$ROOT/tests/checkpatch-path.sh") || return 1
	# shellcheck disable=SC2046
	"$cp" --no-tree -q -f $(ls kmod/*.c kmod/*.h kmod/uapi/linux/*.h)
}
step checkpatch checkpatch

# --- dkms -------------------------------------------------------------
step dkms "$ROOT/tests/dkms-check.sh" "${KVERS[@]}"

# --- unit tests (cmocka) ----------------------------------------------
unit_log=$LOG/unit.log
if make -C tests/unit all >"$LOG/unit-build.log" 2>&1; then
	make -s -C tests/unit run >"$unit_log" 2>&1
	unit_rc=$?
	# cmocka: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s),"
	up=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$unit_log" |
		awk '{s += $4} END {print s + 0}')
	uf=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$unit_log" |
		awk '{s += $4} END {print s + 0}')
	PASSED=$((PASSED + up))
	FAILED=$((FAILED + uf))
	echo "unit: $up passed, $uf failed (log: build/check/unit.log)"
	if [ "$uf" -gt 0 ] || [ "$unit_rc" -ne 0 ]; then
		grep -E '^\[  (FAILED|ERROR) +\]' "$unit_log" | sed 's/^/    /'
		[ "$uf" -gt 0 ] || fail "unit tests exited $unit_rc"
		FAILURES+=("unit tests")
	fi
else
	fail "unit-build (log: build/check/unit-build.log)"
	tail -n 30 "$LOG/unit-build.log" | sed 's/^/    /'
fi

# --- fuzzers (bounded) ------------------------------------------------
step fuzz make -C tests/fuzz run FUZZ_SECONDS="${FUZZ_SECONDS:-15}"

# The netlink fuzzer's generator, on the host: every poison it claims is
# really in the message (a valid message labelled invalid once failed the
# guest's invalid-only run, see docs/reliability.md).
nlfuzz_generator() {
	make -s -C tests/tools sluice-nlfuzz &&
		tests/tools/sluice-nlfuzz gen 1000000 1 invalid &&
		tests/tools/sluice-nlfuzz gen 1000000 2 mixed
}
step nlfuzz-generator nlfuzz_generator

# --- VM tests on both kernels -----------------------------------------
if [ "${SKIP_VM:-0}" = 1 ]; then
	fail "vm tests skipped (SKIP_VM=1)"
else
	vm_results=$LOG/vm-results.txt
	: >"$vm_results"
	# One guest per kernel, both at once: a guest mostly keeps one vCPU
	# busy, so two guests use the machine's two cores.  Their output is
	# shown one after the other once both are done.
	pids=()
	for k in "${KVERS[@]}"; do
		# shellcheck disable=SC2086
		"$ROOT/tests/vm/run" -k "$k" -o "$LOG/vm-$k.txt" ${VM_TESTS:-} \
			>"$LOG/vm-$k.log" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || true
	done
	for k in "${KVERS[@]}"; do
		cat "$LOG/vm-$k.log"
		if [ -s "$LOG/vm-$k.txt" ]; then
			cat "$LOG/vm-$k.txt" >>"$vm_results"
		else
			fail "vm $k reported no result (log: build/check/vm-$k.log)"
		fi
	done
	vp=$(grep -c '^PASS ' "$vm_results")
	vf=$(grep -c '^FAIL ' "$vm_results")
	PASSED=$((PASSED + vp))
	FAILED=$((FAILED + vf))
	while read -r line; do
		FAILURES+=("${line#FAIL }")
	done < <(grep '^FAIL ' "$vm_results")
fi

summary
